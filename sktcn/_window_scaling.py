"""The forecaster's scalings of y: one registry, pure functions, no training.

A scaling turns raw values into what the network reads and trains on, and
back. ``"standard"`` and ``"mean"`` take their statistics from each input
window (every forecast is scaled by the window it starts from), ``"series"``
from each whole series at fit time (the statistics are fitted state, saved
with the model). Exogenous X is always standardised per window
(:func:`standardise`): its scale says nothing about y's.

Adding a scaling means adding one entry to ``SCALINGS``; an unknown name is an
error (:func:`get_scaling`), never a silent fallback.

A window (or series) whose spread is below a scaling's threshold has no scale
of its own: its statistics fall back to scale 1, so it stays in the series' raw
units. The network reads it so (its point forecast is the baseline's), but an
interval needs a scale: :func:`interval_scale` gives such windows the typical
scale of their series' other windows (:func:`fallback_scale`); 1, the raw
units, when no window of the series has a scale of its own but its values
differ; and 0 only for a series whose values are all exactly equal.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from sktcn._series_names import series_name


def _is_scale(spread, level):
    """Whether ``spread`` measures variation rather than rounding residue about ``level``."""
    return spread > 1e-8 * np.maximum(1.0, np.abs(level))


# The spread, as a fraction of the level, up to which values differ by float64
# rounding only (about 4500 ulps): 2.99 * units / units (2.99 +- 9e-16), or
# intervals from np.diff of float sample times (100 +- 1e-11). Far below
# _is_scale's 1e-8, which decides where a scaling keeps a window's spread:
# variation of a few units about 1e9 is real, only too fine for a scale.
_FLOAT64_RESIDUE = 1e-12


def varies_beyond_rounding(spread, level):
    """Whether ``spread`` (a standard deviation or range) about ``level`` is more than float64 rounding residue.

    Relative to ``level`` alone, unlike :func:`_is_scale`: rounding residue
    is relative to the values' size, and values far below 1 (strain of 1e-21)
    vary for real. The one test of what varies for the warnings about values
    float32, the input scaling or the window scaling cannot resolve
    (:func:`sktcn._validation.check_float32_spread`,
    :func:`sktcn._network.warn_below_scaling_floor`, :func:`lacks_scale`):
    residue about a constant is no variation to lose, and rescaling it as
    advised would only magnify the noise.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._window_scaling import varies_beyond_rounding
    >>> varies_beyond_rounding(np.array([9e-16, 3.0, 1e-21, 0.0]), np.array([2.99, 1e9, 0.0, 5.0]))
    array([False,  True,  True, False])
    """
    return spread > _FLOAT64_RESIDUE * np.abs(level)


def standardise(values, axis=0):
    """Mean and standard deviation per column; constant columns get scale 1.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._window_scaling import standardise
    >>> standardise(np.array([[1.0, 5.0], [3.0, 5.0]]))
    (array([2., 5.]), array([1., 1.]))
    """
    mean = values.mean(axis=axis)
    scale = values.std(axis=axis)
    return mean, np.where(_is_scale(scale, mean), scale, 1.0)


def standard_has_scale(values, axis=0):
    """Whether each column's standard deviation is a scale (:func:`standardise` keeps it rather than 1).

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._window_scaling import standard_has_scale
    >>> standard_has_scale(np.array([[1.0, 5.0], [3.0, 5.0]]))
    array([ True, False])
    """
    return _is_scale(values.std(axis=axis), values.mean(axis=axis))


def mean_scale(values, axis=0):
    """Zero offset and the mean absolute value per column (1 where it is 0).

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._window_scaling import mean_scale
    >>> mean_scale(np.array([[1.0, 0.0], [-3.0, 0.0]]))
    (array([0., 0.]), array([2., 1.]))
    """
    scale = np.abs(values).mean(axis=axis)
    return np.zeros_like(scale), np.where(scale > 0, scale, 1.0)


def mean_has_scale(values, axis=0):
    """Whether each column's mean absolute value is a scale (:func:`mean_scale`): not all zeros."""
    return np.abs(values).mean(axis=axis) > 0


def min_max(values, axis=0):
    """Offset and scale that map each column's range to [0, 1] (constant columns: scale 1).

    Measured on airline: the same network scored MAPE 0.10 with the series mapped
    to [0, 1], 0.22 with [0, 1]'s offset but the standard deviation as scale, and
    0.34 centred on the middle of the range. keras-tcn pads the start of each
    window with zeros; at 0 the padding reads as the series' lowest level.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._window_scaling import min_max
    >>> min_max(np.array([[2.0], [6.0], [4.0]]))
    (array([2.]), array([4.]))
    """
    low, high = values.min(axis=axis), values.max(axis=axis)
    span = high - low
    return low, np.where(_is_scale(span, low), span, 1.0)


def min_max_has_scale(values, axis=0):
    """Whether each column's range is a scale (:func:`min_max`): the column is not constant."""
    low = values.min(axis=axis)
    return _is_scale(values.max(axis=axis) - low, low)


@dataclass(frozen=True)
class Scaling:
    """A named scaling: ``statistics(values, axis)`` gives (offset, scale) per column.

    ``per_series``: the statistics come from each whole series at fit time and
    are kept as fitted state; otherwise from each input window, when it is made.
    ``has_scale(values, axis)``: whether each column's scale is its own, not
    the fallback 1 of a column that does not vary.
    """

    name: str
    statistics: Callable
    per_series: bool
    has_scale: Callable


SCALINGS = {
    "standard": Scaling("standard", standardise, per_series=False, has_scale=standard_has_scale),
    "mean": Scaling("mean", mean_scale, per_series=False, has_scale=mean_has_scale),
    "series": Scaling("series", min_max, per_series=True, has_scale=min_max_has_scale),
}


def get_scaling(name):
    """The registered :class:`Scaling` called ``name``; ValueError naming the choices otherwise.

    Examples
    --------
    >>> from sktcn._window_scaling import get_scaling
    >>> get_scaling("series").per_series
    True
    """
    try:
        return SCALINGS[name]
    except (KeyError, TypeError):
        raise ValueError(f"scaling={name!r} is not supported; use one of {list(SCALINGS)}.") from None


def fit_series_statistics(scaling, arrays):
    """``[(key, offset, scale)]`` of each series for a per-series scaling; None for a per-window one.

    ``arrays`` holds ``(key, y (T, C), X or None)`` per series, as
    :func:`sktcn._windows.series_arrays` makes them.
    """
    if not scaling.per_series:
        return None
    return [(key, *scaling.statistics(y)) for key, y, _ in arrays]


def statistics_table(fitted):
    """The fitted per-series statistics as a dict key -> (offset, scale); None without them."""
    if fitted is None:
        return None
    return {key: (offset, scale) for key, offset, scale in fitted}


def series_statistics(table, key):
    """A series' (offset, scale) from :func:`statistics_table`; None without a table.

    A series the network was not fitted on has no statistics: that is an error
    that says how to get them.
    """
    if table is None:
        return None
    if key not in table:
        raise ValueError(
            f"Series {series_name(key)} was not in the data the network was fit on, so its scaling is unknown; "
            "refit (or update with update_params=True) to forecast it."
        )
    return table[key]


def window_statistics(scaling, y_past, fitted=None):
    """(offset, scale), ``(n, C)`` each, of windows ``y_past`` ``(n, L, C)``.

    ``fitted`` is the series' own (offset, scale) with a per-series scaling, of
    shape ``(C,)`` each, broadcast to every window; otherwise each window's own
    statistics are computed.
    """
    if fitted is not None:
        return tuple(np.broadcast_to(s, (len(y_past), y_past.shape[2])) for s in fitted)
    return scaling.statistics(y_past, axis=1)


def window_has_scale(scaling, y_past, series):
    """Whether each window of ``y_past`` ``(n, L, C)`` has a scale of its own, ``(n, C)``.

    With a per-series scaling every window has its series' scale, its own
    unless ``series`` (the series' values, ``(T, C)``) never varies.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._window_scaling import get_scaling, window_has_scale
    >>> y = np.array([1.0, 1.0, 1.0, 2.0])[:, None]
    >>> windows = np.stack([y[:2], y[2:]])
    >>> window_has_scale(get_scaling("standard"), windows, y)[:, 0]
    array([False,  True])
    >>> window_has_scale(get_scaling("series"), windows, y)[:, 0]
    array([ True,  True])
    """
    if scaling.per_series:
        return np.broadcast_to(scaling.has_scale(series, axis=0), (len(y_past), y_past.shape[2]))
    return scaling.has_scale(y_past, axis=1)


# Values of a series read at once by fallback_scale: bounds its memory on long series.
_FALLBACK_CHUNK_VALUES = 2**22


def fallback_scale(scaling, series, window_length):
    """The interval scale ``(C,)`` of series ``series``' windows that have no scale of their own.

    The median scale of the series' windows of ``window_length`` steps that
    have one: what the series' variation usually is in the units the other
    windows' residuals are measured in. A variable none of whose windows has
    a scale (one-step windows, which have no spread; a spread below
    :func:`_is_scale`'s threshold, as of noise of sd 3 about 1e9 or values
    near 1e-9; or any window with a per-series scaling, which lacks one only
    when its whole series does) stays in raw units, 1, as every such window
    was, as long as its values differ at all. Only a variable whose values
    are all exactly equal gets 0: its errors are no errors, and its intervals
    have no width.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._window_scaling import fallback_scale, get_scaling
    >>> y = np.array([[0.0, 5.0], [2.0, 5.0], [2.0, 5.0], [2.0, 5.0], [8.0, 5.0]])
    >>> fallback_scale(get_scaling("standard"), y, 2)  # windows' scales: 1, -, -, 3
    array([2., 0.])
    >>> fallback_scale(get_scaling("standard"), y, 1)  # one-step windows have no spread
    array([1., 0.])
    """
    n_variables = series.shape[1]
    n_windows = len(series) - window_length + 1
    raw = np.where(np.all(series == series[:1], axis=0), 0.0, 1.0) if len(series) else np.zeros(n_variables)
    if scaling.per_series or n_windows < 1:
        return raw
    own_scales = np.concatenate([
        np.where(scaling.has_scale(windows, axis=1), scaling.statistics(windows, axis=1)[1], np.nan)
        for windows in _window_chunks(series, window_length)
    ])
    return np.array([np.median(column[~np.isnan(column)]) if not np.isnan(column).all() else fallback
                     for column, fallback in zip(own_scales.T, raw)])


def _window_chunks(series, window_length):
    """The windows of ``window_length`` steps of ``series`` ``(T, C)``, a stride of one, as ``(n, L, C)`` chunks.

    Views of the series, of at most ``_FALLBACK_CHUNK_VALUES`` values each.
    """
    n_windows = len(series) - window_length + 1
    all_windows = np.lib.stride_tricks.sliding_window_view(series, window_length, axis=0)
    chunk = max(1, _FALLBACK_CHUNK_VALUES // (window_length * series.shape[1]))
    for first in range(0, n_windows, chunk):
        yield all_windows[first: first + chunk].transpose(0, 2, 1)


def lacks_scale(scaling, series, window_length):
    """Whether each variable of ``series`` ``(T, C)`` varies, yet none of its windows has a scale of its own, ``(C,)``.

    It varies where it differs by more than float64 rounding residue
    (:func:`varies_beyond_rounding`): 2.99 give or take 9e-16 is constant.
    Such a variable varies by less than :func:`_is_scale`'s threshold in
    every window of ``window_length`` steps (values near 1e-9, or a
    variation of a few units about 1e9; with a per-series scaling, in the
    whole series): every window keeps scale 1, the series' raw units, so the
    networks learn no correction for it (:func:`sktcn._windows.varying`).
    Rescaling the series, or subtracting its level, gives its windows a
    scale. One-step windows never have a spread, and keep their
    corrections: they lack nothing. The scan stops at the first window of
    each variable that has a scale.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._window_scaling import get_scaling, lacks_scale
    >>> y = np.column_stack([np.arange(6.0), np.arange(6.0) * 1e-12, np.zeros(6)])
    >>> lacks_scale(get_scaling("standard"), y, 3)  # varies; varies by too little; constant
    array([False,  True, False])
    """
    if window_length < 2 or len(series) < window_length:
        return np.zeros(series.shape[1], dtype=bool)
    # Rounding residue about a constant (2.99 * units / units) is no variation: rescaling it would magnify noise.
    varies = varies_beyond_rounding(np.ptp(series, axis=0), np.abs(series).max(axis=0))
    if scaling.per_series:
        return varies & ~scaling.has_scale(series, axis=0)
    lacking = varies.copy()
    for windows in _window_chunks(series, window_length):
        lacking &= ~np.any(scaling.has_scale(windows, axis=1), axis=0)
        if not lacking.any():
            break
    return lacking


def interval_scale(scale, has_scale, fallback):
    """The scale the intervals measure windows' errors in, ``(n, C)``: their own, else the series' ``fallback``.

    ``scale`` and ``has_scale`` are the windows' ``(n, C)`` (see
    :func:`window_has_scale`), ``fallback`` the series' ``(C,)``
    (:func:`fallback_scale`). A window with a scale of its own keeps it
    exactly, so its intervals are what they were before windows without one
    were given a fallback.
    """
    return np.where(has_scale, scale, fallback)


def _over_middle_axes(values):
    """Index that broadcasts ``(n, C)`` statistics over the middle axes of ``values``."""
    return (slice(None),) + (None,) * (values.ndim - 2)


def apply(values, offset, scale):
    """``(values - offset) / scale``, with offset and scale ``(n, C)`` broadcast over the middle axes of values."""
    expand = _over_middle_axes(values)
    return (values - offset[expand]) / scale[expand]


def invert(values, offset, scale):
    """The inverse of :func:`apply`: ``values * scale + offset``."""
    expand = _over_middle_axes(values)
    return values * scale[expand] + offset[expand]
