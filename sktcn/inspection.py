"""How far back does a fitted model look? Receptive field and memory probes.

The *change* and *blinding* probes come from the LSTM-versus-TCN memory study
(``y = x[0] + x[-1]``); the *effective memory* curve measures, for every past
step, how strongly the predictions respond to it, to set against the
receptive field.
"""

import numbers

import numpy as np
import pandas as pd
from sklearn.base import is_classifier
from sklearn.utils._param_validation import Interval, validate_parameter_constraints

from sktcn._network import receptive_field

__all__ = ["receptive_field", "change_probe", "blinding_probe", "effective_memory"]


def _as_3d(X):
    """A float32 copy ``(n, T, F)`` of ``X`` for the probes to write into, and what turns it back into X's form.

    A 2D ``X`` goes back 2D, and a DataFrame as a DataFrame with its columns:
    an estimator fitted with feature names would otherwise warn on every
    probe that the names are missing.
    """
    columns = X.columns if isinstance(X, pd.DataFrame) else None
    X = np.array(X, dtype=np.float32)  # a copy: the probes write into it
    if X.ndim == 2:
        if columns is not None:
            return X[:, :, None], lambda X3: pd.DataFrame(X3[:, :, 0], columns=columns)
        return X[:, :, None], lambda X3: X3[:, :, 0]
    if X.ndim != 3:
        raise ValueError(f"X has {X.ndim} dimensions; give (n_samples, n_timesteps[, n_features]).")
    return X, lambda X3: X3


def _check_regressor(estimator, probe):
    # Both probes compare predictions on the scale of the targets: a classifier's
    # labels need not be numbers, and 0/1 labels would measure how often a label
    # flips rather than how far the prediction moves.
    if is_classifier(estimator):
        raise TypeError(
            f"{probe} needs a regressor (predictions on a numeric scale); {type(estimator).__name__} is a "
            "classifier. sktcn.inspection.effective_memory measures a classifier's memory, through its "
            "predict_proba."
        )


def _check_positions(probe, X3, **positions):
    """Refuse a step or feature index of ``positions`` that ``X3`` (n, T, F) does not have, naming it and the range.

    NumPy's IndexError named neither the parameter nor the valid indices.
    ``positions``: ``{name: index}``, the names ending in ``step`` index time
    steps, the others features; negative ones count from the end.
    """
    for name, index in positions.items():
        size = X3.shape[1] if name.endswith("step") else X3.shape[2]
        validate_parameter_constraints({name: [Interval(numbers.Integral, -size, size - 1, closed="both")]},
                                       {name: index}, caller_name=probe)


def _predict(estimator, X3, as_given, method="predict"):
    prediction = getattr(estimator, method)(as_given(X3))
    if isinstance(prediction, list):  # predict_proba of several outputs: one array each
        return np.concatenate([np.asarray(p, dtype=np.float64).reshape(len(X3), -1) for p in prediction], axis=1)
    return np.asarray(prediction, dtype=np.float64).reshape(len(X3), -1)


def change_probe(estimator, X, step=0, change=0.5, feature=0):
    """Scale one time step by ``1 + change`` and report how much predictions move.

    Parameters
    ----------
    estimator : fitted regressor
        A classifier is refused (TypeError): see :func:`effective_memory`.
    X : array-like of shape (n_samples, n_timesteps[, n_features])
    step : int, default=0
        The step to change (negative counts from the end).
    change : float, default=0.5
        Relative change of the value, +50 % by default as in the study.
    feature : int, default=0
        Feature to change, for 3D ``X``.

    Returns
    -------
    float
        Mean change of the predictions divided by the mean change of the input,
        in absolute values: about 1 when the prediction adds that step (as
        ``y = x[0] + x[-1]`` does), 0 when the model ignores it. NaN when the
        input did not change, as where the step is 0 in every series (the
        blanks of the copy-memory task, zero padding) or ``change=0``: a
        relative change cannot move a zero, so nothing was measured
        (:func:`effective_memory` adds to the step instead).

    Raises
    ------
    ValueError
        If ``step`` or ``feature`` is not an index of ``X``'s time steps or
        features, or ``change`` is not a finite number.

    Examples
    --------
    >>> from sktcn import TCNRegressor
    >>> from sktcn.datasets import make_first_plus_last
    >>> from sktcn.inspection import change_probe
    >>> X, y = make_first_plus_last(n_samples=64, n_timesteps=20, random_state=0)
    >>> short = TCNRegressor(nb_filters=4, dilations=(1,), epochs=1).fit(X, y)  # sees 5 steps
    >>> change_probe(short, X, step=0)
    0.0
    """
    _check_regressor(estimator, "change_probe")
    # A NaN or infinite change would reach predict as a NaN in X, and its message would blame X.
    validate_parameter_constraints({"change": [Interval(numbers.Real, None, None, closed="neither")]},
                                   {"change": change}, caller_name="change_probe")
    X3, as_given = _as_3d(X)
    _check_positions("change_probe", X3, step=step, feature=feature)
    before = _predict(estimator, X3, as_given)
    original = X3[:, step, feature].copy()
    X3[:, step, feature] = original * (1 + change)
    after = _predict(estimator, X3, as_given)
    input_change = np.mean(np.abs(X3[:, step, feature] - original))
    # Not 0 when the input did not change: 0 reads as "the model ignores this step".
    return float(np.mean(np.abs(after - before)) / input_change) if input_change else float("nan")


def blinding_probe(estimator, X, blinded_step=-1, probe_step=0, values=None, random_state=0):
    """Zero one step, set another to known values, and score the predictions.

    For the study's ``y = x[0] + x[-1]``: with ``x[-1]`` zeroed and ``x[0]`` set
    to ``values``, the right answer is ``values`` itself, so the mean squared
    error is 0 for a model that really uses ``x[0]`` and about the variance of
    ``values`` (1 by default) for one that ignores it.

    Parameters
    ----------
    estimator : fitted regressor
        A classifier is refused (TypeError): see :func:`effective_memory`.
    X : array-like of shape (n_samples, n_timesteps)
    blinded_step, probe_step : int
        The step set to zero and the step set to ``values`` (negative counts
        from the end).
    values : array-like of shape (n_samples,), default=None
        Values for ``probe_step``; standard normal draws by default.
    random_state : int, default=0
        Seed for the default values.

    Returns
    -------
    float
        Mean squared error between predictions and ``values``.

    Raises
    ------
    ValueError
        If ``blinded_step`` or ``probe_step`` is not an index of ``X``'s time
        steps, or ``values`` is not one finite number per series of ``X``.
    TypeError
        If ``values`` are not numbers.
    """
    _check_regressor(estimator, "blinding_probe")
    X3, as_given = _as_3d(X)
    _check_positions("blinding_probe", X3, blinded_step=blinded_step, probe_step=probe_step)
    if values is None:
        values = np.random.RandomState(random_state).normal(size=len(X3))
    values = _checked_values(values, len(X3))
    X3[:, blinded_step, 0] = 0.0
    X3[:, probe_step, 0] = values
    prediction = _predict(estimator, X3, as_given)[:, 0]
    return float(np.mean((prediction - values) ** 2))


def _checked_values(values, n_samples):
    """``values`` as a float64 array of one finite number per series, or an error that says what is wrong.

    NumPy's broadcasting error would name neither ``values`` nor ``X``, and a
    NaN would reach predict as a NaN in X, whose message blames X.
    """
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("blinding_probe's values must be numbers, one per series of X.") from None
    if values.shape != (n_samples,):
        raise ValueError(
            f"blinding_probe's values have shape {values.shape}, but X has {n_samples} series: give one value "
            f"per series, shape ({n_samples},)."
        )
    if not np.isfinite(values).all():
        raise ValueError("blinding_probe's values hold NaN or infinite numbers; give finite ones.")
    return values


def effective_memory(estimator, X, epsilon=0.1):
    """How strongly the predictions respond to each past step.

    Perturbs every time step in turn by ``epsilon`` (all features at once) and
    records the mean absolute change of the predictions per unit of
    perturbation: of ``predict_proba`` for a classifier (labels do not change
    by degrees, and need not be numbers), of ``predict`` otherwise.

    For a network that predicts from its last time step (``pooling_="last"``,
    the regressor's default, or an LSTM baseline), steps beyond the receptive
    field give exactly 0. A pooled network (``pooling_`` "mean" or "max", the
    classifier's default) combines the features of every step, so any step can
    move its predictions; its ``receptive_field_`` bounds how far apart the
    steps that one feature combines lie, not how far back the model looks. So
    do per-step predictions (``return_sequences=True``), averaged over all
    steps here.

    Parameters
    ----------
    estimator : fitted estimator with ``predict`` (or ``predict_proba``)
    X : array-like of shape (n_samples, n_timesteps[, n_features])
    epsilon : float, default=0.1
        The perturbation, a positive number. ``X`` is perturbed in float32 (the
        networks' precision), where ``x + epsilon`` is rounded: each response
        is divided by the perturbation actually applied, not by ``epsilon``.
        On data of order 1 that differs from dividing by ``epsilon`` by
        float32 rounding only (about 1e-6 of each value); on data in large
        raw units (``1e6 + x``) it keeps the curve right. An ``epsilon``
        too small to change any value of a step at float32's resolution
        (0.1 is lost on values of 1e7) raises ValueError: give a larger one.

    Returns
    -------
    ndarray of shape (n_timesteps,)
        Entry ``k`` is the response to the step ``k`` steps before the last
        (``k = 0`` is the last step); plot it against ``receptive_field_``.

    Raises
    ------
    ValueError
        If ``epsilon`` is not positive, or too small to change the values of
        some step in float32.
    """
    validate_parameter_constraints({"epsilon": [Interval(numbers.Real, 0, None, closed="neither")]},
                                   {"epsilon": epsilon}, caller_name="effective_memory")
    X3, as_given = _as_3d(X)
    method = "predict_proba" if hasattr(estimator, "predict_proba") else "predict"
    base = _predict(estimator, X3, as_given, method)
    n_timesteps = X3.shape[1]
    curve = np.zeros(n_timesteps)
    for lag in range(n_timesteps):
        step = n_timesteps - 1 - lag
        original = X3[:, step, :].copy()  # float32: x + e - e is not always x
        X3[:, step, :] += epsilon
        # float32 rounds x + epsilon (to x itself where epsilon is below its
        # resolution): divide by the change applied, as change_probe does.
        applied = np.mean(np.abs(X3[:, step, :] - original), dtype=np.float64)
        if not applied:
            raise ValueError(_lost_perturbation(X3, original, epsilon, step))
        curve[lag] = np.mean(np.abs(_predict(estimator, X3, as_given, method) - base)) / applied
        X3[:, step, :] = original
    return curve


def _lost_perturbation(X3, values, epsilon, step):
    """The message for an ``epsilon`` that float32 rounding took away from every value of ``step``."""
    magnitude = float(np.max(np.abs(values)))
    return (
        f"effective_memory: epsilon={epsilon!r} changed no value of step {step} of X: the probe perturbs X in "
        f"float32, whose resolution at that step's magnitude (values up to {magnitude:.3g}) is "
        f"{float(np.spacing(np.float32(magnitude))):.3g}. Give a larger epsilon, well above that resolution and "
        f"on the scale of X's variation (its standard deviation is {np.std(X3, dtype=np.float64):.3g})."
    )
