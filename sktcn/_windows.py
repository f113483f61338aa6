"""The forecaster's training and forecast windows, as pure functions of the series.

A window is ``window_length`` past steps of y (and X over the window and the
horizon, with a flag marking the horizon steps), scaled; its target is the
``horizon`` steps of y after it. Training windows are named by rows
``(series number, start)``, so they can be made all at once, or batch by batch
(:class:`WindowBatches`) when all of them would not fit in memory.

Nothing here trains a network or reads an estimator: the forecaster passes a
:class:`WindowSpec` with what it has fitted.
"""

from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd

from sktcn import _covariates, _simple_forecasts, _window_scaling
from sktcn._epoch_batches import batch_sizes
from sktcn._series_names import series_name


def series_of(frame):
    """Split a single or multi-indexed frame into (key, frame) per series.

    A key is the tuple of the series' values on the levels above time; None for a single series.
    """
    if isinstance(frame.index, pd.MultiIndex):
        levels = list(range(frame.index.nlevels - 1))
        # A key is a tuple of the levels' values, one level too: pandas 3 names groups so,
        # pandas 2 by the bare value where a list of one level is grouped by (with a FutureWarning).
        groups = frame.groupby(level=levels if len(levels) > 1 else levels[0], sort=False)
        return [(key if len(levels) > 1 else (key,), part.droplevel(levels)) for key, part in groups]
    return [(None, frame)]


def last_times(frame):
    """The time of each series' last row in ``frame``: a Series in :func:`series_of`'s order.

    Indexed by the series' values on the levels above time (a bare value where
    there is one such level, a tuple where there are several); a single
    series' one entry is indexed None. One grouped pass over the index, not a
    frame per series: panels may hold thousands.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._windows import last_times
    >>> index = pd.MultiIndex.from_tuples([("a", 0), ("a", 1), ("b", 0)])
    >>> last_times(pd.DataFrame({"v": [1.0, 2.0, 3.0]}, index=index)).to_dict()
    {'a': 1, 'b': 0}
    """
    index = frame.index
    if not isinstance(index, pd.MultiIndex):
        return pd.Series(index[-1:], index=pd.Index([None], dtype=object))
    times = pd.Series(index.get_level_values(-1), index=index.droplevel(-1))
    return times.groupby(level=list(range(index.nlevels - 1)), sort=False).last()


def up_to(frame, ends):
    """``frame`` without its rows after their series' end in ``ends`` (times by series, as :func:`last_times`'s).

    ``frame`` itself, not a copy, when it has no such row. A series that
    ``ends`` does not name keeps all its rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._windows import last_times, up_to
    >>> index = pd.MultiIndex.from_tuples([("a", 0), ("a", 1), ("b", 0), ("b", 1)])
    >>> y = pd.DataFrame({"v": [1.0, 2.0, 3.0, 4.0]}, index=index)
    >>> up_to(y, pd.Series({"a": 0, "b": 1}))["v"].tolist()
    [1.0, 3.0, 4.0]
    >>> up_to(y, last_times(y)) is y
    True
    """
    index = frame.index
    times = index.get_level_values(-1)
    if isinstance(index, pd.MultiIndex):
        limits = ends.reindex(index.droplevel(-1)).array  # missing: NaN or NaT, after which no time is
    else:
        limits = ends.iloc[0]
    after = np.asarray(times > limits)
    return frame.loc[~after] if after.any() else frame


def column_values(frame):
    """``frame``'s values as float64, each column contiguous in memory (column-major).

    A window's statistics are sums over its rows, and numpy adds a column's
    values pairwise where they are contiguous but one by one where the rows are,
    which rounds differently. pandas 2 hands frames of several columns back in
    either layout, depending on how they were built (a frame restored from a
    file is row-major, the one fit was given need not be), so without a fixed
    layout the same values would forecast differently in the last bit. pandas 3
    hands back column-major values already, so this copies nothing there.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sktcn._windows import column_values
    >>> column_values(pd.DataFrame(np.ones((3, 2)))).flags.f_contiguous
    True
    """
    return np.asfortranarray(frame.to_numpy(np.float64))


def series_arrays(y, X):
    """(key, y values (T, C), X values (T, D) or None) per series, X aligned on y's index (:func:`column_values`).

    X must have a row at every time of y (sktime's ``X-y-must-have-same-index``,
    which sktime checks for a single series only): a ValueError names the
    series and the first times X lacks.
    """
    exog = dict(series_of(X)) if X is not None else {}
    arrays = []
    for key, part in series_of(y):
        x = column_values(_x_rows(exog, key, part.index)) if X is not None else None
        arrays.append((key, column_values(part), x))
    return arrays


def _x_rows(exog, key, times):
    """Series ``key``'s part of X (``exog``: X's parts by key) at y's ``times``; ValueError where X lacks some.

    X is looked up by time: a time X holds twice would add a row and put every
    later row of X out of line with y, so a ValueError names it
    (:func:`check_unique_times`).
    """
    given = exog.get(key)
    if given is None:
        raise ValueError(f"X has no rows for series {series_name(key)} of y: give X a row for every series and time of y.")
    missing = times[~times.isin(given.index)]
    if len(missing):
        series = f" of series {series_name(key)}" if key is not None else ""
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise ValueError(
            f"X{series} has no rows for {list(missing[:3])}{more}, times of y: give X a row for every series and "
            "time of y."
        )
    rows = given.loc[times]
    if len(rows) != len(times):
        check_unique_times(given.index[given.index.isin(times)], key, "X")
    return rows


def check_unique_times(times, key=None, name="y"):
    """ValueError naming the first of ``times`` (series ``key``'s times in ``name``) that occurs more than once.

    sktime lets a repeated time through. The windows would count its rows as
    consecutive steps, and X, looked up by time, would gain a row there and
    fall out of line with y.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._windows import check_unique_times
    >>> check_unique_times(pd.Index([0, 1, 2]))
    >>> check_unique_times(pd.Index([0, 1, 1, 2]))
    Traceback (most recent call last):
    ...
    ValueError: y has more than one row at the time 1; ...
    """
    if times.is_unique:
        return
    first = times[times.duplicated()][:1].tolist()[0]  # a plain value (1, not np.int64(1)) in the message
    series = f" of series {series_name(key)}" if key is not None else ""
    raise ValueError(
        f"{name}{series} has more than one row at the time {first!r}; TCNForecaster needs one row per time of each "
        f"series. Drop the repeated rows ({name}[~{name}.index.duplicated(keep='last')] keeps the last) or "
        "aggregate them first."
    )


def check_unique_index(frame, name="y"):
    """:func:`check_unique_times` of every series of ``frame`` (a single or multi-indexed frame, or None)."""
    if not isinstance(frame, (pd.DataFrame, pd.Series)) or frame.index.is_unique:
        return
    for key, part in series_of(frame):
        check_unique_times(part.index, key, name)


def spans(values, starts, length):
    """``values[start : start + length]`` for each start, as an array (n_starts, length, columns).

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._windows import spans
    >>> spans(np.arange(6.0)[:, None], np.array([0, 3]), 2)[..., 0]
    array([[0., 1.],
           [3., 4.]])
    """
    return np.lib.stride_tricks.sliding_window_view(values, length, axis=0)[starts].transpose(0, 2, 1)


def choose_window_length(lengths, horizon, window_length=None, min_windows=32, keys=None):
    """The window length for series of ``lengths`` and a ``horizon``: the one given, or an automatic one.

    Automatic: three horizons (at least 10 steps), shortened until the series
    give at least ``min_windows`` training windows, and never longer than the
    shortest series allows. A ValueError says what to change when a series is
    too short for the window plus the horizon; given the series' ``keys``
    (:func:`series_of`'s, in the order of ``lengths``), it names the
    shortest of a panel and counts those too short.

    Examples
    --------
    >>> from sktcn._windows import choose_window_length
    >>> choose_window_length([144], horizon=12)
    36
    >>> choose_window_length([40], horizon=3)  # 9 would leave 29 windows, 6 leaves 32
    6
    """
    shortest = min(lengths)
    if window_length is not None:
        if int(window_length) < 1:
            raise ValueError(f"window_length={window_length} must be a positive integer.")
        window = int(window_length)
    else:
        window = max(1, min(uncapped_window_length(lengths, horizon, min_windows), shortest - horizon))
    if shortest < window + horizon:
        needed = window + horizon
        too_short = f"too short for window_length={window} plus a horizon of {horizon} steps"
        fix = "Use a shorter window_length, a shorter fh, or longer series"
        if keys is not None and len(lengths) > 1:
            # In a panel of many series the user has to find the short ones.
            short = sum(length < needed for length in lengths)
            name = series_name(keys[int(np.argmin(lengths))])
            raise ValueError(
                f"{short} of {len(lengths)} series {'has' if short == 1 else 'have'} fewer than {needed} "
                f"observations; the shortest, {name}, has {shortest}, {too_short}. "
                f"{fix} (or leave the short ones out)."
            )
        raise ValueError(
            f"The shortest series has {shortest} observations, {too_short}: it needs at least {needed}. {fix}."
        )
    return window


def uncapped_window_length(lengths, horizon, min_windows=32):
    """The automatic window length before the shortest series caps it (:func:`choose_window_length`).

    Three horizons (at least 10 steps), shortened until the series give at
    least ``min_windows`` training windows, or 1 where none does. Bisected:
    the windows only grow fewer as the window grows longer.

    Examples
    --------
    >>> from sktcn._windows import uncapped_window_length
    >>> uncapped_window_length([120, 14], horizon=12)  # the series of 14 would cap it at 2
    36
    >>> uncapped_window_length([36], horizon=12)
    1
    """
    lengths = np.asarray(lengths)

    def n_windows(window):
        return int(np.maximum(0, lengths - window - horizon + 1).sum())

    low, high = 1, max(3 * horizon, 10)  # low: the answer where no longer one gives enough windows
    while low < high:
        middle = (low + high + 1) // 2
        if n_windows(middle) >= min_windows:
            low = middle
        else:
            high = middle - 1
    return low


def window_rows(lengths, window_length, horizon):
    """Every training window as a row (series number, start), and its position in its series.

    Position 0 is a series' most recent window, -1 the one before, and so on
    (the calibration holds out the most recent windows of every series).

    Examples
    --------
    >>> from sktcn._windows import window_rows
    >>> rows, position = window_rows([5, 4], window_length=2, horizon=1)
    >>> rows.tolist(), position.tolist()
    ([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1]], [-2, -1, 0, -1, 0])
    """
    n_windows = np.asarray(lengths, dtype=np.int64) - window_length - horizon + 1
    # Without a loop over the series: the calibration's advice
    # (sktcn._conformal.backtest_room) counts the windows of thousands of series many times over.
    number = np.repeat(np.arange(len(n_windows)), n_windows)
    first = np.cumsum(n_windows) - n_windows  # each series' first row
    starts = np.arange(len(number)) - first[number]
    return np.column_stack([number, starts]), starts - (n_windows[number] - 1)


def spaced_rows(rows, max_per_series, max_spacing):
    """The training windows kept of ``rows`` when each series trains on at most ``max_per_series``.

    A series with more windows keeps every ``k``-th, counted back from its
    most recent (``rows``' latest start of that series), with the smallest
    ``k`` that leaves at most ``max_per_series``, but never more than
    ``max_spacing`` apart. Consecutive windows of one series overlap in all
    but one step, and with forking sequences every step of a window is a
    training target: windows ``k <= window_length`` apart still cover each
    step from the earliest kept window on (all but fewer than ``k`` at the
    series' start), ``window_length / k`` times instead of ``window_length``
    times, at ``1 / k`` of the cost. ``max_per_series=None`` keeps them all.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._windows import spaced_rows
    >>> rows = np.array([[0, s] for s in range(7)] + [[1, 0], [1, 1]])
    >>> spaced_rows(rows, max_per_series=3, max_spacing=5).tolist()  # series 0 every 3rd, from start 6
    [[0, 0], [0, 3], [0, 6], [1, 0], [1, 1]]
    >>> spaced_rows(rows, max_per_series=1, max_spacing=2)[:, 1].tolist()  # at most 2 apart: 4 of series 0
    [0, 2, 4, 6, 1]
    """
    if max_per_series is None or len(rows) == 0:
        return rows
    _, series, counts = np.unique(rows[:, 0], return_inverse=True, return_counts=True)
    spacing = np.minimum(-(-counts // max_per_series), max(1, max_spacing))
    latest = np.full(len(counts), np.iinfo(np.int64).min)
    np.maximum.at(latest, series, rows[:, 1])
    return rows[(latest[series] - rows[:, 1]) % spacing[series] == 0]


def network_inputs(y_scaled, x_all):
    """What the network reads: scaled y, then X standardised per window, then a horizon flag.

    ``y_scaled`` is ``(n, window_length, C)``; ``x_all`` is X over the window
    and the horizon, ``(n, window_length + horizon, D)``, or None (then the
    input is ``y_scaled`` alone). With X, y is zero over the horizon and the
    flag (the last channel) is 1 there, 0 over the past.
    """
    if x_all is None:
        return y_scaled
    n, steps = x_all.shape[:2]
    horizon = steps - y_scaled.shape[1]
    x_mean, x_scale = _window_scaling.standardise(x_all, axis=1)
    y_part = np.concatenate([y_scaled, np.zeros((n, horizon, y_scaled.shape[2]))], axis=1)
    flag = np.zeros((n, steps, 1))
    flag[:, y_scaled.shape[1]:] = 1.0
    return np.concatenate([y_part, _window_scaling.apply(x_all, x_mean, x_scale), flag], axis=2)


@dataclass(frozen=True)
class WindowSpec:
    """How the forecaster makes windows: its fitted sizes, scaling and target layout.

    ``series_table`` holds the per-series statistics of a per-series scaling
    (:func:`sktcn._window_scaling.statistics_table`), else None. ``forking``:
    the network trains on forking sequences, the horizon after every step of
    the window. ``baseline``: the name of the simple forecast
    (:mod:`sktcn._simple_forecasts`, season ``sp``) whose errors the network
    learns, or None (the network forecasts the series itself);
    ``baseline_revision``: the revision of its arithmetic the network was
    trained against (:data:`sktcn._simple_forecasts.BASELINE_REVISIONS`).
    """

    window_length: int
    horizon: int
    scaling: _window_scaling.Scaling
    series_table: dict = None
    forking: bool = False
    baseline: str = None
    sp: int = 1
    covariates: dict = None
    baseline_revision: int = _simple_forecasts.LATEST_BASELINE_REVISION


def varying(spec, key, y_past):
    """Whether each window's past varies, per variable ``(n, C)``, read from its raw values ``y_past`` ``(n, L, C)``.

    A window without a scale of its own (an intermittent series' run of
    zeros, a stuck sensor's repeated value) has its scale fall back to 1, the
    series' raw units. A correction learned in other windows' scaled units would
    land on it in raw units, so such windows get none: their forecast is the
    baseline (without one, the window's last value), and they train the
    network towards no correction.

    With a per-window scaling a window varies where it has a scale of its own
    (the scaling's ``has_scale``, the test by which its statistics fall back
    to scale 1), decided from the raw values: a run of a repeated value such
    as 0.3 standardises to rounding residue (~1e-17), not to exact zeros, and
    is no less flat for it. With a per-series scaling (series ``key``'s
    fitted statistics) a window varies unless all its values are its series'
    offset, the series' lowest value (scaled to exactly 0). A window of one
    step cannot vary: its scale is always 1, so its corrections are all in raw
    units alike, and they stay.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._window_scaling import get_scaling
    >>> from sktcn._windows import WindowSpec, varying
    >>> windows = np.array([[0.3, 0.3, 0.3], [0.3, 0.4, 0.3]])[..., None]
    >>> varying(WindowSpec(3, 1, get_scaling("standard")), None, windows)[:, 0]
    array([False,  True])
    """
    n, _, n_variables = y_past.shape
    if spec.window_length == 1:
        return np.ones((n, n_variables), dtype=bool)
    fitted = _window_scaling.series_statistics(spec.series_table, key)
    if fitted is not None:
        return np.any(y_past != np.asarray(fitted[0])[None, None, :], axis=1)
    return np.asarray(spec.scaling.has_scale(y_past, axis=1))


def rows_by_series(rows):
    """``(series number, positions in rows)`` of every series at ``rows``, by number, positions ascending.

    One sort for all series: looking up each series' positions in turn would
    scan the rows once per series (2,000 series of 40 windows: 8 us a window).

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._windows import rows_by_series
    >>> [(int(n), p.tolist()) for n, p in rows_by_series(np.array([[1, 0], [0, 5], [1, 1], [0, 6]]))]
    [(0, [1, 3]), (1, [0, 2])]
    """
    order = np.argsort(rows[:, 0], kind="stable")
    numbers, firsts = np.unique(rows[order, 0], return_index=True)
    return zip(numbers, np.split(order, firsts[1:]))


def varying_at(spec, arrays, rows):
    """:func:`varying` of the windows at ``rows`` (series number, start) of ``arrays``, ``(n, C)``, in their order."""
    result = np.empty((len(rows), arrays[0][1].shape[1]), dtype=bool)
    for number, picked in rows_by_series(rows):
        key, y, _ = arrays[number]
        result[picked] = varying(spec, key, spans(y, rows[picked, 1], spec.window_length))
    return result


def scaled_baseline(spec, y, origins, offset, scale):
    """The simple forecast from each of ``origins`` of ``y``, in its window's scale ``(n, horizon, C)``.

    ``offset`` and ``scale`` are ``(n, C)``, one window's each; zeros without a
    baseline, so that adding it changes nothing.
    """
    if spec.baseline is None:
        return np.zeros((len(origins), spec.horizon, y.shape[1]))
    raw = _simple_forecasts.forecast_at(spec.baseline, y, origins, spec.horizon, spec.sp, spec.baseline_revision)
    return _window_scaling.apply(raw, offset, scale)


def scaled_window(spec, key, y_past, x_all, starts):
    """(network inputs, offset, scale) of windows ``y_past`` ``(n, L, C)`` of series ``key``.

    ``starts``: each window's first step, counted from the series' first
    observation (the calendar channels' phase follows from it).
    """
    fitted = _window_scaling.series_statistics(spec.series_table, key)
    offset, scale = _window_scaling.window_statistics(spec.scaling, y_past, fitted)
    inputs = network_inputs(_window_scaling.apply(y_past, offset, scale), x_all)
    if spec.covariates is not None:
        phase, static = spec.covariates[key]
        channels = _covariates.covariate_channels(phase, spec.sp, static, starts, inputs.shape[1])
        inputs = np.concatenate([inputs, channels], axis=2)
    return inputs, offset, scale


def interval_scales(spec, series, scale, has_scale):
    """The interval scale ``(n, C)`` of windows of ``series`` ``(T, C)`` scaled by ``scale``, given ``has_scale``.

    A window's own scale where it has one (``has_scale``,
    :func:`sktcn._window_scaling.window_has_scale`); otherwise its series'
    fallback (:func:`sktcn._window_scaling.fallback_scale`, computed only then).
    """
    if has_scale.all():
        return scale
    fallback = _window_scaling.fallback_scale(spec.scaling, series, spec.window_length)
    return _window_scaling.interval_scale(scale, has_scale, fallback)


# Values of windows read at once by scales_at: bounds its memory on long series.
_SCALED_VALUES = 2**20


def scales_at(spec, arrays, rows):
    """(scale, interval scale) of the windows at ``rows``, ``(n, C)`` each, in their order.

    The scale is what :func:`windows_at` scales the windows' targets by; the
    interval scale what their errors are measured in (:func:`interval_scales`).
    """
    L, n_variables = spec.window_length, arrays[0][1].shape[1]
    chunk = max(1, _SCALED_VALUES // (L * n_variables))
    scales, intervals = np.empty((2, len(rows), n_variables))
    for number, picked in rows_by_series(rows):
        key, y, _ = arrays[number]
        fitted = _window_scaling.series_statistics(spec.series_table, key)
        has_scale = np.empty((len(picked), n_variables), dtype=bool)
        for first in range(0, len(picked), chunk):
            part = picked[first: first + chunk]
            y_past = spans(y, rows[part, 1], L)
            scales[part] = _window_scaling.window_statistics(spec.scaling, y_past, fitted)[1]
            has_scale[first: first + chunk] = _window_scaling.window_has_scale(spec.scaling, y_past, y)
        intervals[picked] = interval_scales(spec, y, scales[picked], has_scale)
    return scales, intervals


# Bytes of float32 windows made at once by windows_at: their float64 working
# arrays take several times as much, which bounds the peak of a fit whose
# windows are made into arrays (not lazily) near their own size.
_WINDOW_CHUNK_BYTES = 16 * 2**20


def windows_at(spec, arrays, rows, fit_targets=True):
    """Inputs, scaled targets and (if asked) fit targets of the windows at ``rows``, in their order.

    ``targets`` are the horizon after each window, ``(n, horizon,
    n_variables)``, against which forecasts are scored; ``fit_targets`` are
    what the network trains on: the same, flattened, or with forking
    sequences the horizon after every step of the window, ``(n,
    window_length, horizon * n_variables)``. All float32. With a baseline both
    are what the baseline forecast from the same step gets wrong (the target
    minus it), so that a network's output is always added to the baseline.

    Made in chunks of rows of at most ``_WINDOW_CHUNK_BYTES`` (or one row) into
    the arrays returned: each window's values depend on its own row only.
    """
    if len(rows) * _least_window_bytes(spec, arrays, fit_targets) <= _WINDOW_CHUNK_BYTES:
        return _windows_of(spec, arrays, rows, fit_targets)  # a batch, a scoring chunk: at once
    first = _windows_of(spec, arrays, rows[:1], fit_targets)
    chunk = max(1, _WINDOW_CHUNK_BYTES // max(1, sum(part.nbytes for part in first)))
    made = tuple(np.empty((len(rows),) + part.shape[1:], np.float32) for part in first)
    for whole, part in zip(made, first, strict=True):
        whole[:1] = part
    for start in range(1, len(rows), chunk):
        for whole, part in zip(made, _windows_of(spec, arrays, rows[start: start + chunk], fit_targets), strict=True):
            whole[start: start + chunk] = part
    return made


def _least_window_bytes(spec, arrays, fit_targets):
    """A lower bound on one window's bytes in :func:`windows_at`'s arrays, from the sizes alone.

    Its inputs hold at least the window's values, its targets the horizon's,
    its fit targets the horizon's again, or with forking sequences one
    horizon per step; covariates and exogenous channels only add to it.
    """
    L, H, n_variables = spec.window_length, spec.horizon, arrays[0][1].shape[1]
    fitted = (L * H if spec.forking else H) if fit_targets else 0
    return 4 * n_variables * (L + H + fitted)


def _windows_of(spec, arrays, rows, fit_targets):
    """:func:`windows_at`'s arrays for ``rows``, all made at once."""
    L, H = spec.window_length, spec.horizon
    forking = fit_targets and spec.forking
    parts, order = [], []
    for number, picked in rows_by_series(rows):
        key, y, x = arrays[number]
        starts = rows[picked, 1]
        span = spans(y, starts, L + H)
        inputs, offset, scale = scaled_window(spec, key, span[:, :L], None if x is None else spans(x, starts, L + H),
                                             starts)
        targets = _window_scaling.apply(span[:, L:], offset, scale)
        targets = targets - scaled_baseline(spec, y, starts + L - 1, offset, scale)
        part = [inputs, targets]
        varies = varying(spec, key, span[:, :L]) if fit_targets else None
        if forking:
            # Step i of a window starting at s is followed by y[s+i+1 : s+i+1+H];
            # the last step's horizon is the window's own target.
            steps = (starts[:, None] + np.arange(L)).ravel()
            ahead = spans(y, steps + 1, H).reshape(len(starts), L, H, -1)
            ahead = _window_scaling.apply(ahead, offset, scale)
            if spec.baseline is not None:
                # Each step's baseline in its window's scale: the window's statistics, repeated per step.
                per_step = scaled_baseline(spec, y, steps, np.repeat(offset, L, axis=0), np.repeat(scale, L, axis=0))
                ahead = ahead - per_step.reshape(ahead.shape)
            ahead = ahead * varies[:, None, None, :]
            part.append(ahead.reshape(len(starts), L, -1))
        elif fit_targets:
            part.append((targets * varies[:, None, :]).reshape(len(starts), -1))
        parts.append(part)
        order.append(picked)
    if len(parts) == 1:
        # One series (a batch of a single series, or a univariate y): already in order.
        return tuple(p.astype(np.float32) for p in parts[0])
    back = np.argsort(np.concatenate(order))
    return tuple(np.concatenate(p)[back].astype(np.float32) for p in zip(*parts))


def window_bytes(spec, arrays, rows):
    """Memory that the windows at ``rows`` would take as arrays (inputs and targets), from one window's size."""
    return sum(a.nbytes for a in windows_at(spec, arrays, rows[:1])) * len(rows)


class WindowBatches(keras.utils.PyDataset):
    """Training windows made one batch at a time from the series, never all at once.

    ``make(rows)`` builds the inputs and targets of the windows at ``rows``
    (series number, start). The windows are reshuffled every epoch with their
    own generator, seeded like the network, so a seeded fit repeats exactly.
    """

    def __init__(self, make, rows, batch_size, shuffle, seed, replicas=1):
        super().__init__()
        self.make, self.rows, self.batch_size, self.shuffle = make, rows, int(batch_size), shuffle
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(rows)) if shuffle else np.arange(len(rows))
        # The batches of in-memory windows: equal sizes, no small remainder,
        # the first shared evenly by a strategy's ``replicas``.
        self.bounds = np.concatenate([[0], np.cumsum(batch_sizes(len(rows), self.batch_size, replicas=replicas))])

    def __len__(self):
        return len(self.bounds) - 1

    def __getitem__(self, index):
        picked = self.rows[self.order[self.bounds[index]: self.bounds[index + 1]]]
        inputs, _, fit_targets = self.make(picked)
        return inputs, fit_targets

    def on_epoch_end(self):
        if self.shuffle:
            self.rng.shuffle(self.order)
