"""Split-conformal prediction intervals for the forecaster, as pure functions.

The forecaster calibrates its intervals on genuine forecast errors: the most
recent windows of each series are held out in consecutive blocks, each block
forecast by a network trained only on windows whose targets precede it
(:func:`calibration_blocks`). The residuals, in the windows' scaled units, are
divided by their root-mean-square per horizon step, shrunk towards the
root-mean-square over all steps (:func:`residual_scale`),
pooled over windows and steps, and the conformal quantiles of their absolute
values, scaled back per step, widen the point forecast symmetrically
(:func:`quantile_shifts`). The variance of the forecast is the mean square of
the same pool, scaled back per step (:func:`pool_variance`).

A window whose past does not vary has no scale of its own (its scaling falls
back to 1, the series' raw units); its residuals are measured in its series'
typical scale instead (:func:`to_interval_units`, with
:func:`sktcn._window_scaling.interval_scale`; raw units where none of the
series' windows has a scale), and a series whose values are all exactly equal
gives none (NaN): its exact-zero errors would otherwise shrink every other
series' intervals.

Symmetric, because the held-out windows are few and consecutive, so their
errors share a sign: a period when the baseline under-forecast made every
calibration error positive, and signed quantiles then put the whole 90 %
interval above the point forecast (airline, expanding window: coverage 0.39).
"""

import math

import numpy as np

from sktcn._windows import window_rows


# The per-step error scale is estimated from few windows: the held-out windows
# of a short series are 7-20, consecutive and overlapping, so one step's
# root-mean-square rests on a handful of errors and a quiet stretch makes it
# small. Each step's mean square is therefore shrunk towards the mean square
# over all steps, as if the pooled errors were this many more windows of that
# step. Fitted on the two interval backtests of benchmarks/forecasting.py with
# random_state 0-3 (benchmarks/RESULTS.md, twelfth session): airline's 90 %
# coverage went from 0.861-0.889 to 0.875-0.889 with intervals 2 % narrower, the
# seven series' from 0.892-0.896 to 0.892-0.904 with intervals 1 % wider. 4
# windows left airline's 80 % and 95 % levels further below their nominal
# coverage, 16 the seven series' 80 % level.
SCALE_PRIOR_WINDOWS = 8


def residual_scale(residuals):
    """Root-mean-square residual per horizon step and variable, shrunk towards all steps', never falling further ahead.

    ``residuals`` is ``(n_windows, horizon, n_variables)``; the result
    ``(horizon, n_variables)``, with 1 where every residual is 0. Each step's
    mean square is weighted by ``n_windows`` against ``SCALE_PRIOR_WINDOWS``
    for the mean square over all steps: with many windows a step keeps its
    own scale, with few it leans on the pooled one.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._conformal import residual_scale
    >>> residuals = np.array([[[1.0], [3.0]]] * 8)  # 8 windows: half each step's, half the pooled
    >>> residual_scale(residuals)[:, 0] ** 2
    array([3., 7.])
    """
    mean_square = np.mean(np.square(residuals), axis=0)
    pooled = np.mean(mean_square, axis=0, keepdims=True)
    weight = len(residuals) / (len(residuals) + SCALE_PRIOR_WINDOWS)
    rms = np.sqrt(weight * mean_square + (1 - weight) * pooled)
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


def no_smaller_errors(residuals, baseline_errors):
    """Each of ``residuals`` or ``baseline_errors``, whichever is larger in absolute value, element by element.

    The intervals' source where fit had no room for a backtest: the
    forecast's in-sample residuals understate its error, since the networks
    trained on those very windows (on a single window they reproduce it, and
    the intervals had width 0), while the baseline's errors on them are those
    of a simple rule that trained on nothing. Either is kept where it is the
    larger, so the intervals are never narrower than the baseline's own.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._conformal import no_smaller_errors
    >>> no_smaller_errors(np.array([0.0, -3.0, 1.0]), np.array([-2.0, 1.0, 0.5]))
    array([-2., -3.,  1.])
    """
    return np.where(np.abs(residuals) >= np.abs(baseline_errors), residuals, baseline_errors)


def enough_held_out(n_held_out):
    """Whether a backtest that held out ``n_held_out`` windows calibrates the intervals (else in-sample residuals).

    Examples
    --------
    >>> from sktcn._conformal import enough_held_out
    >>> enough_held_out(1), enough_held_out(2)
    (False, True)
    """
    return n_held_out >= 2


def has_backtest(lengths, window_length, horizon, calibration_size, folds):
    """Whether series of ``lengths`` hold out enough windows for the backtest (:func:`calibration_blocks`).

    The windows are those fit makes (:func:`sktcn._windows.window_rows`),
    and enough is what :func:`enough_held_out` asks of the backtest.

    Examples
    --------
    >>> from sktcn._conformal import has_backtest
    >>> has_backtest([24], 1, 12, 0.2, 3), has_backtest([40], 1, 12, 0.2, 3)
    (False, True)
    """
    if min(lengths) < window_length + horizon:
        return False
    _, position = window_rows(lengths, window_length, horizon)
    blocks = calibration_blocks(position, calibration_size, len(lengths), horizon, folds)
    return enough_held_out(sum(int(held_out.sum()) for _, held_out in blocks))


def backtest_room(lengths, horizon, window_length, window_for, calibration_size, folds):
    """What would give series of ``lengths`` a backtest: (more observations, a shorter horizon, a shorter window).

    ``window_for(lengths, horizon)`` is the window length a fit would choose
    (a ValueError where the series are too short for it), ``window_length``
    the one the forecaster has. The three, each None where none does:

    - the fewest more observations per series, from 0 (the series as they
      are, where only a refit is missing), up to a bound well beyond what a
      backtest of the horizon and the window needs;
    - the longest horizon shorter than ``horizon``;
    - the longest window ``K`` shorter than ``window_length`` such that every
      window of at most ``K`` steps gives one (so "at most ``K``" holds).

    The horizon and the window are only sought where the series as they
    are give none.

    Examples
    --------
    >>> from sktcn._conformal import backtest_room
    >>> backtest_room([24], 12, 1, lambda lengths, horizon: 1, 0.2, 3)
    (3, 10, None)
    >>> backtest_room([20], 3, 16, lambda lengths, horizon: 16, 0.2, 3)
    (4, None, 12)
    """
    def fits(lengths, horizon):
        try:
            window = window_for(lengths, horizon)
        except ValueError:
            return False
        return has_backtest(lengths, window, horizon, calibration_size, folds)

    bound = window_length + 10 * (horizon + 10) + 100
    more = next((k for k in range(bound) if fits([n + k for n in lengths], horizon)), None)
    if more == 0:
        return more, None, None
    shorter = next((h for h in range(horizon - 1, 0, -1) if fits(lengths, h)), None)
    # The window before the first that gives none.
    window = next((window - 1 for window in range(1, window_length)
                   if not has_backtest(lengths, window, horizon, calibration_size, folds)), window_length - 1)
    return more, shorter, window or None


def conformal_rank(coverage, n):
    """The rank ``k`` of the absolute residual, among ``n``, that is the half-width of an interval of ``coverage``.

    Split conformal's ``k = ceil(coverage (n + 1))``, capped at ``n`` (the
    largest residual) and at least 1: a new error, exchangeable with the
    ``n``, is at most the ``k``-th smallest with probability at least
    ``coverage``. Floating point is kept from moving ``k``: the coverage is
    read to 12 decimals, since ``|2 alpha - 1|`` of ``alpha`` and ``1 - alpha``
    differ in the last bit (0.6 for 0.2, 0.6000000000000001 for 0.8), which
    made the two ends of an interval differ by a rank, and the product to 9
    decimals, since ``0.7 * 10`` is 7.000000000000001.

    Examples
    --------
    >>> from sktcn._conformal import conformal_rank
    >>> conformal_rank(0.9, 19), conformal_rank(0.9, 9), conformal_rank(0.8, 9)
    (18, 9, 8)
    >>> conformal_rank(abs(2 * 0.2 - 1), 9), conformal_rank(abs(2 * 0.8 - 1), 9)  # both ends of a 60 % interval
    (6, 6)
    """
    return min(n, _uncapped_rank(coverage, n))


def _uncapped_rank(coverage, n):
    """Split conformal's rank ``ceil(coverage (n + 1))``, at least 1, read as :func:`conformal_rank` reads it."""
    return max(1, math.ceil(round(round(coverage, 12) * (n + 1), 9)))


def capped_coverage(residuals, alpha):
    """(the largest interval coverage of ``alpha`` whose rank exceeds the pool, the pool's size), or None.

    An interval of coverage ``c`` needs a pool of ``n`` errors with
    ``ceil(c (n + 1)) <= n``, that is ``c <= n / (n + 1)``; beyond that split
    conformal's interval is unbounded, and :func:`conformal_rank` caps it at
    the largest error, whose guarantee is a coverage of ``n / (n + 1)`` only.
    ``residuals`` and ``alpha`` are :func:`quantile_shifts`'; the pool is the
    smallest of the variables that have errors (windows times horizon steps).

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._conformal import capped_coverage
    >>> residuals = np.ones((10, 3, 1))  # a pool of 30 errors: coverage up to 30/31
    >>> capped_coverage(residuals, [0.05, 0.95]) is None
    True
    >>> coverage, n = capped_coverage(residuals, [0.0005, 0.5, 0.9995])  # a 99.9 % interval
    >>> round(coverage, 9), n
    (0.999, 30)
    """
    known = ~np.isnan(residuals).any(axis=1)
    sizes = known.sum(axis=0) * residuals.shape[1]
    sizes = sizes[sizes > 0]  # a variable without errors gets no width (quantile_shifts), not a capped one
    if not sizes.size:
        return None
    n = int(sizes.min())
    capped = [abs(2 * a - 1) for a in alpha if _uncapped_rank(abs(2 * a - 1), n) > n]
    return (max(capped), n) if capped else None


def pool_needed(coverage):
    """The fewest errors whose pool gives an interval of ``coverage`` its own rank, not the cap (inf for coverage 1).

    ``coverage`` 1 comes of an ``alpha`` within float64's rounding of 0 or 1.

    Examples
    --------
    >>> from sktcn._conformal import pool_needed
    >>> pool_needed(0.9), pool_needed(0.999)
    (9, 999)
    """
    if coverage >= 1:
        return math.inf
    n = max(1, math.floor(coverage / (1 - coverage)))
    while _uncapped_rank(coverage, n) > n:
        n += 1
    return n


def to_interval_units(residuals, scale, interval_scale):
    """Residuals ``(n, horizon, C)`` in their windows' ``scale`` ``(n, C)``, measured in ``interval_scale`` instead.

    ``interval_scale`` is :func:`sktcn._window_scaling.interval_scale`'s:
    equal to ``scale`` for windows with a scale of their own, whose residuals
    stay exactly as they are. A window of a series whose values are all
    equal (interval scale 0) has no residual: NaN, which :func:`quantile_shifts`
    leaves out of the pool.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._conformal import to_interval_units
    >>> residuals = np.array([[[0.5]], [[20.0]], [[0.0]]])  # the second window's scale fell back to 1
    >>> to_interval_units(residuals, np.array([[4.0], [1.0], [1.0]]), np.array([[4.0], [10.0], [0.0]]))[:, 0, 0]
    array([0.5, 2. , nan])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(interval_scale > 0, scale / interval_scale, np.nan)
    return residuals * factor[:, None, :].astype(residuals.dtype)


def from_interval_units(shifts, scale, interval_scale):
    """Shifts ``(n, steps, C)`` in interval units, in the windows' ``scale`` ``(n, C)`` (see :func:`to_interval_units`).

    Where a window has a scale of its own the factor is exactly 1; a window of
    a series whose values are all equal (interval scale 0) gets no width.
    """
    return shifts * (interval_scale / scale)[:, None, :]


def quantile_shifts(residuals, alpha, steps):
    """For each level in ``alpha``, the shift ``(*steps.shape, n_variables)`` to add to the scaled point forecast.

    ``residuals`` are scaled calibration errors ``(n_windows, horizon,
    n_variables)``; ``steps`` the horizon steps forecast (0-based; an array of
    any shape, for example one row per series). Normalised
    residuals are pooled over windows and horizon steps: many more samples for
    the tails than one step's residuals alone. The ``alpha`` quantile is the
    edge of the central interval of coverage ``|2 alpha - 1|``, whose half-width
    is the conformal quantile of the absolute normalised residuals (the
    ``k``-th smallest, :func:`conformal_rank`, the same for ``alpha`` and
    ``1 - alpha``): quantiles
    are symmetric about the point forecast, never cross, and move outwards
    as ``alpha`` moves away from 0.5. Each variable's windows whose residuals
    are NaN (series whose values are all equal: :func:`to_interval_units`) are left out
    of its pool; a variable without any residual gets no width.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._conformal import quantile_shifts
    >>> residuals = np.array([1.0, 2.0, 3.0, 4.0])[:, None, None]   # all positive
    >>> [round(float(s[0, 0]), 9) for s in quantile_shifts(residuals, [0.1, 0.5, 0.9], steps=[0])]
    [-4.0, 0.0, 4.0]
    """
    known = ~np.isnan(residuals).any(axis=1)
    if not known.all():
        return _shifts_per_variable(residuals, known, alpha, steps)
    scale, pool = _normalised_pool(residuals)
    # Sorted once: the half-width of each level is one of them, the k-th smallest (conformal_rank).
    ordered = np.sort(pool, axis=0)
    n = len(ordered)
    shifts = []
    for a in alpha:
        half_width = ordered[conformal_rank(abs(2 * a - 1), n) - 1]
        shifts.append(np.sign(a - 0.5) * half_width * scale[steps])
    return shifts


def pool_variance(residuals, steps):
    """The forecast's variance ``(*steps.shape, n_variables)`` at each horizon step of ``steps``, in residual units.

    The second moment about the point forecast of the distribution whose
    quantiles :func:`quantile_shifts` gives: the point forecast plus or minus
    each of the pooled absolute normalised residuals, times the step's scale
    (:func:`residual_scale`). Symmetric about the point forecast, so its mean
    square is its variance: the mean square of the pool, times the square of
    the step's scale. As in :func:`quantile_shifts`, each variable's windows
    whose residuals are NaN are left out of its pool, and a variable without
    any residual gets variance 0.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._conformal import pool_variance
    >>> residuals = np.array([1.0, -2.0, 3.0, 4.0])[:, None, None]   # one step: the mean square of the errors
    >>> round(float(pool_variance(residuals, steps=[0])[0, 0]), 9)
    7.5
    """
    known = ~np.isnan(residuals).any(axis=1)
    if not known.all():
        return np.concatenate([
            pool_variance(residuals[known[:, variable], :, variable:variable + 1], steps) if known[:, variable].any()
            else np.zeros((*np.shape(steps), 1))
            for variable in range(residuals.shape[-1])
        ], axis=-1)
    scale, pool = _normalised_pool(residuals)
    return np.mean(np.square(pool), axis=0) * np.square(scale[steps])


def _normalised_pool(residuals):
    """(:func:`residual_scale` ``(horizon, C)``, the absolute residuals divided by it ``(n * horizon, C)``)."""
    scale = residual_scale(residuals)
    return scale, np.abs(residuals / scale).reshape(-1, scale.shape[-1])


def _shifts_per_variable(residuals, known, alpha, steps):
    """:func:`quantile_shifts` of each variable over its ``known`` windows ``(n, C)`` alone."""
    per_variable = []
    for variable in range(residuals.shape[-1]):
        pool = residuals[known[:, variable], :, variable:variable + 1]
        if len(pool):
            per_variable.append(quantile_shifts(pool, alpha, steps))
        else:
            per_variable.append([np.zeros((*np.shape(steps), 1)) for _ in alpha])
    return [np.concatenate(level, axis=-1) for level in zip(*per_variable)]


def correction_weight(baseline_errors, corrections):
    """1 if the networks' correction lowered the backtest's mean absolute error, else 0.

    ``baseline_errors`` are what the simple forecast got wrong on the held-out
    windows (the networks' targets), ``corrections`` what the networks added,
    both ``(n_windows, horizon, n_variables)`` in the windows' scale. The
    choice is all or nothing: the held-out windows are few and consecutive,
    and a fitted fraction followed their last stretch (US unemployment lost
    against Theta with it), while dropping a correction that made the
    backtest worse saves a series whose past the networks misread (PBS:
    2.9 times seasonal naive's error with it; benchmarks/RESULTS.md).

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._conformal import correction_weight
    >>> errors = np.array([[[1.0]], [[-2.0]]])
    >>> correction_weight(errors, 0.5 * errors), correction_weight(errors, -errors)
    (1.0, 0.0)
    """
    corrected = np.mean(np.abs(baseline_errors - corrections))
    return 1.0 if corrected <= np.mean(np.abs(baseline_errors)) else 0.0
