"""Split-conformal prediction intervals for the forecaster, as pure functions.

The forecaster calibrates its intervals on genuine forecast errors: the most
recent windows of each series are held out in consecutive blocks, each block
forecast by a network trained only on windows whose targets precede it
(:func:`calibration_blocks`). The residuals, in the windows' scaled units, are
divided by their root-mean-square per horizon step (:func:`residual_scale`),
pooled over windows and steps, and their conformal quantiles, scaled back per
step, shift the point forecast (:func:`quantile_shifts`).
"""

import math

import numpy as np


def residual_scale(residuals):
    """Root-mean-square residual per horizon step and variable, never shrinking further ahead.

    ``residuals`` is ``(n_windows, horizon, n_variables)``; the result
    ``(horizon, n_variables)``, with 1 where every residual is 0.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._conformal import residual_scale
    >>> residual_scale(np.array([[[2.0], [1.0], [0.0]]]))[:, 0]
    array([2., 2., 2.])
    """
    rms = np.sqrt(np.mean(np.square(residuals), axis=0))
    rms = np.maximum.accumulate(rms, axis=0)
    return np.where(rms > 0, rms, 1.0)


def calibration_blocks(position, calibration_size, n_series, horizon, folds):
    """(trained, held_out) boolean masks over training windows, one pair per calibration block.

    ``position`` is each window's position in its series (0 the most recent,
    as :func:`sktcn._windows.window_rows` gives it). The most recent
    ``calibration_size`` of each series' windows are split into up to
    ``folds`` consecutive blocks; a block's network trains on the windows
    whose targets all end before the block's first target. Blocks with fewer
    than two training windows, or none held out, are left out.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._conformal import calibration_blocks
    >>> position = np.arange(-9, 1)  # one series, ten windows
    >>> [(int(t.sum()), int(h.sum())) for t, h in calibration_blocks(position, 0.4, 1, horizon=1, folds=2)]
    [(6, 2), (8, 2)]
    """
    if not calibration_size:
        return []
    n_calibration = int(math.ceil(calibration_size * len(position) / n_series))
    blocks = np.array_split(np.arange(-n_calibration + 1, 1), min(folds, n_calibration))
    pairs = []
    for block in blocks:
        held_out = (position >= block[0]) & (position <= block[-1])
        # A training window's targets must end before the block's first target.
        trained = position <= block[0] - horizon
        if trained.sum() >= 2 and held_out.any():
            pairs.append((trained, held_out))
    return pairs


def conformal_level(alpha, n):
    """The quantile level of normalised residuals for the ``alpha`` quantile, with split-conformal's correction.

    From ``n`` residuals the upper quantile ``a`` is read at
    ``ceil(a (n + 1)) / n`` (capped at 1), so that a new error falls below it
    with probability at least ``a``; lower quantiles mirror it.

    Examples
    --------
    >>> from sktcn._conformal import conformal_level
    >>> conformal_level(0.9, 19), round(conformal_level(0.1, 19), 6)
    (0.9473684210526315, 0.052632)
    """
    upper = max(alpha, 1 - alpha)
    level = min(1.0, math.ceil(upper * (n + 1)) / n)
    return level if alpha >= 0.5 else 1.0 - level


def quantile_shifts(residuals, alpha, steps):
    """For each level in ``alpha``, the shift ``(len(steps), n_variables)`` to add to the scaled point forecast.

    ``residuals`` are scaled calibration errors ``(n_windows, horizon,
    n_variables)``; ``steps`` the horizon steps forecast (0-based). Normalised
    residuals are pooled over windows and horizon steps: many more samples for
    the tails than one step's residuals alone.
    """
    scale = residual_scale(residuals)
    normalised = (residuals / scale).reshape(-1, scale.shape[-1])
    shifts = []
    for a in alpha:
        level = conformal_level(a, len(normalised))
        quantile = np.quantile(normalised, level, axis=0, method="higher" if a >= 0.5 else "lower")
        shifts.append(quantile * scale[steps])
    return shifts
