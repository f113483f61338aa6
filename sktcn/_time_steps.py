"""The forecaster's time index: one frequency for a panel's dates, the steps a series skips, a horizon in steps.

Functions of pandas indexes and sktime's inner frames (series, then time),
which TCNForecaster's fit, update and predict call; they train nothing, so
their doctests run without a network.
"""

import contextlib
import math
import warnings

import numpy as np
import pandas as pd

from sktcn._caller import caller_stacklevel
from sktcn._series_names import series_name
from sktcn._windows import series_of


def panel_freq(y, freq=None, merged=None):
    """The one frequency of the dates of every series of a panel's or hierarchy's DatetimeIndex time level.

    A time level set from a date column (``df.set_index(["store", "date"])``)
    keeps no frequency, and sktime takes the cutoff's from it: the forecast
    times could not be counted. sktime's per-series forecasters infer each
    series' own; here one frequency serves all: the one ``freq`` given (fit's,
    in an update); else ``merged`` (the one sktime found in the merged time
    level) where every series' dates follow it; else the one inferred from
    the longest series, or ``merged`` where that series is too short to infer
    one from. Every series' dates must be consecutive steps of it, or a
    ValueError says so.
    A single series (y's index a DatetimeIndex) is read the same way: sktime
    infers its frequency where one fits its dates, so here the ValueError
    explains why none does.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._time_steps import panel_freq
    >>> dates = pd.date_range("2020-01-01", periods=4, freq="MS")
    >>> y = pd.DataFrame({"v": range(8)}, index=pd.MultiIndex.from_product([["a", "b"], dates]))
    >>> panel_freq(y)
    'MS'
    """
    panel = isinstance(y.index, pd.MultiIndex)
    if panel and (freq or merged) and _every_series_steps(y.index, freq or merged):
        return freq or merged  # the common case, without a frame per series (panels may hold thousands)
    parts = [(key, part.index) for key, part in series_of(y)]
    # A panel's frequency is read from its series' dates whatever its time
    # level says (see TCNForecaster._set_cutoff_from_y): only regular dates help.
    fix = "TCNForecaster counts the forecast times in steps of one frequency. " + (
        "Give every series dates at regular steps of one frequency (each may start and end where it likes), or "
        "the time level a PeriodIndex (for monthly dates: y.index.set_levels(y.index.levels[-1].to_period('M'), "
        "level=-1))." if panel else
        "Give y dates at regular steps, and a frequency: a PeriodIndex (for monthly dates: y.index.to_period('M')) "
        "or a DatetimeIndex with its freq set.")
    source = "the forecaster's"
    if freq is None:
        key, dates = max(parts, key=lambda part: len(part[1]))
        source = f"series {series_name(key)}'s"
        freq = pd.infer_freq(dates) if len(dates) >= 3 else None
        if freq is None and merged is not None and len(dates) < 3:
            freq, source = merged, "the time level's"
        if freq is None:
            what = (f"y's time level is a DatetimeIndex, and no frequency can be inferred from the dates of its "
                    f"longest series {series_name(key)}" if panel else
                    "y's index is a DatetimeIndex without a frequency, and none can be inferred from its dates")
            leading = _leading_freq(dates)
            gap = "" if leading is None else f"; they begin in steps of {leading!r}, {_first_off_steps(dates, leading)}"
            raise ValueError(f"{what} ({len(dates)} dates from {dates[0]}{gap}). {fix}")
    for key, dates in parts:
        off = _first_off_steps(dates, freq)
        if off is not None:
            raise ValueError(
                f"In y's time level, the dates of series {series_name(key)} are not steps of {source} frequency "
                f"{freq!r} ({off}). {fix}"
            )
    return freq


def _leading_freq(dates):
    """The frequency pandas infers from the longest run of ``dates`` at its start that has one, or None.

    Where a date is missing none fits all the dates, but the run before it
    says which steps they were meant to follow (``panel_freq``'s message).
    A run of at least 3 dates, as ``pd.infer_freq`` needs; bisected, since
    every start of a regular run is regular. Business days where none of
    the dates falls on a weekend: a run of weekdays short of a weekend reads
    as daily, and a missing Monday then made the Saturday the date due.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._time_steps import _leading_freq
    >>> _leading_freq(pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-05"]))
    'D'
    >>> _leading_freq(pd.bdate_range("2020-01-06", periods=10).delete(5))  # no Monday 13 January
    'B'
    """
    if len(dates) < 3 or pd.infer_freq(dates[:3]) is None:
        return None
    low, high = 3, len(dates)  # the longest run known to have a frequency, the longest that may
    while low < high:
        middle = (low + high + 1) // 2
        if pd.infer_freq(dates[:middle]) is None:
            high = middle - 1
        else:
            low = middle
    freq = pd.infer_freq(dates[:low])
    return "B" if freq == "D" and not np.any(dates.dayofweek >= 5) else freq


def _every_series_steps(index, freq):
    """Whether every series' dates in a MultiIndex are consecutive steps of ``freq``: :func:`_first_off_steps` at once.

    Each series' first date must be one of ``freq``'s (pandas' ``date_range``
    moves a start that is not), and each later date one step after the one
    before it.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._time_steps import _every_series_steps
    >>> days = pd.date_range("2020-01-01", periods=3, freq="2D")
    >>> index = pd.MultiIndex.from_arrays([["a"] * 3 + ["b"] * 3, days.append(days + pd.Timedelta("1D"))])
    >>> _every_series_steps(index, "2D"), _every_series_steps(index, "D")
    (True, False)
    """
    offset = pd.tseries.frequencies.to_offset(freq)
    sizes = [len(level) for level in index.levels[:-1]]
    if any(code.min() < 0 for code in index.codes[:-1]) or math.prod(sizes) >= 2 ** 62:
        return False  # a missing key, or too many to number: left to the series-by-series check
    series = np.ravel_multi_index(tuple(index.codes[:-1]), sizes)
    order = np.argsort(series, kind="stable")  # each series' rows together, in their order
    series, dates = series[order], index.get_level_values(-1)[order]
    starts = np.r_[True, series[1:] != series[:-1]]
    with warnings.catch_warnings():
        # Offsets pandas cannot add to many dates at once are added one by one, with a warning.
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        firsts = dates[starts]
        if not (firsts + offset - offset).equals(firsts):
            return False
        return bool(np.all((dates[1:] == dates[:-1] + offset) | starts[1:]))


def _first_off_steps(dates, freq):
    """Where ``dates`` first leave the steps of ``freq`` from their first date, in words, or None where they never do.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._time_steps import _first_off_steps
    >>> _first_off_steps(pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-04"]), "D")
    'the first date off them: 2020-01-04 00:00:00, where 2020-01-03 00:00:00 was due'
    """
    steps = pd.date_range(dates[0], periods=len(dates), freq=freq)
    if steps.equals(dates):
        return None
    first = np.argmax(steps != dates)
    return f"the first date off them: {dates[first]}, where {steps[first]} was due"


def first_skipped_step(y, freq=None):
    """Where a series of ``y`` (sktime's inner frame) first skips a step of its time index, in words; None if none does.

    A PeriodIndex steps by its frequency, an integer index by the smallest
    step between two of a series' times, a DatetimeIndex by ``freq`` (its
    dates are checked at fit by :func:`panel_freq`; an update's by this,
    given the cutoff's frequency). Other indexes, and dates without ``freq``,
    give None.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._time_steps import first_skipped_step
    >>> months = pd.period_range("2020-01", periods=5, freq="M").delete(2)
    >>> first_skipped_step(pd.DataFrame({"v": range(4)}, index=months))
    "y's index: 2020-02 is followed by 2020-04, where 2020-03 was due"
    >>> first_skipped_step(pd.DataFrame({"v": range(3)}, index=[0, 10, 20])) is None
    True
    """
    index = y.index
    times = index.get_level_values(-1) if isinstance(index, pd.MultiIndex) else index
    if isinstance(times, pd.PeriodIndex):
        ordinals, step = times.asi8, times.freq.n
    elif pd.api.types.is_integer_dtype(times.dtype):
        ordinals, step = np.asarray(times, dtype=np.int64), None
    elif isinstance(times, pd.DatetimeIndex) and freq is not None:
        if isinstance(index, pd.MultiIndex) and _every_series_steps(index, freq):
            return None  # the common case, without a frame per series
        for key, part in series_of(y):
            off = _first_off_steps(part.index, freq)
            if off is not None:
                return f"{_where(index, key)}: {off}"
        return None
    else:
        return None
    # The rows of one series follow each other (sktime's inner frames are sorted by series, then time).
    same = np.ones(max(len(times) - 1, 0), dtype=bool)
    if isinstance(index, pd.MultiIndex):
        for codes in index.codes[:-1]:
            same &= codes[1:] == codes[:-1]
    gaps = np.diff(ordinals)
    if step is None:
        if not same.any():
            return None
        step = gaps[same].min()
    skipped = same & (gaps != step)
    if not skipped.any():
        return None
    row = int(np.argmax(skipped))
    due = times[row] + (1 if isinstance(times, pd.PeriodIndex) else step)
    key = index[row][:-1] if isinstance(index, pd.MultiIndex) else None
    return f"{_where(index, key)}: {times[row]} is followed by {times[row + 1]}, where {due} was due"


def _where(index, key):
    """How a message names the series ``key`` of a frame with ``index``: y's index for a single series."""
    return f"series {series_name(key)}" if isinstance(index, pd.MultiIndex) else "y's index"


def warn_skipped_steps(y, freq=None, warned=None):
    """Warn where a series of ``y`` skips a step of its time index (:func:`first_skipped_step`); return where.

    The networks read a series' values as consecutive steps, so a missing
    period (a row dropped with ``dropna``, say) makes the values either side
    of it neighbours. A warning, not an error: the forecast times are counted
    from the cutoff all the same, as sktime's other forecasters count them
    over such gaps, and a backtest over a gappy series runs on. ``warned``:
    the gap a fit or an earlier update already warned of, which stays the
    first one found and is not repeated.
    """
    skipped = first_skipped_step(y, freq)
    if skipped is not None and skipped != warned:
        warnings.warn(
            f"y skips time steps ({skipped}). TCNForecaster reads each series' values as consecutive steps, so it "
            "reads the values either side of a gap as neighbours. Give every step between a series' first and "
            "last a row and fill the gaps, e.g. for a series with a PeriodIndex y = y.reindex("
            "pd.period_range(y.index[0], y.index[-1], freq=y.index.freq)).interpolate(), or fit on the part "
            "after the last gap.",
            UserWarning,
            stacklevel=caller_stacklevel(),
        )
    return skipped


def relative_steps(fh, cutoff):
    """The steps of ``fh`` after ``cutoff`` (sktime's one-entry index), as integers.

    sktime counts an absolute ``fh`` in steps, but leaves a relative one of
    timedeltas as it is. A timedelta is a number of steps where the cutoff's
    frequency has a fixed length (days, hours, minutes, ...) that it is a whole
    multiple of, and that many steps end at the time the timedelta names (a
    day of a time zone with daylight saving time may not be 24 hours). Other
    timedeltas, and other values, are a ValueError that asks for integer steps.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktime.forecasting.base import ForecastingHorizon
    >>> from sktcn._time_steps import relative_steps
    >>> cutoff = pd.DatetimeIndex(["2000-01-01 12:00"], freq="30min")
    >>> relative_steps(ForecastingHorizon(pd.to_timedelta(["30min", "2h"])), cutoff).tolist()
    [1, 4]
    """
    relative = fh.to_relative(cutoff).to_pandas()
    if pd.api.types.is_integer_dtype(relative):
        return np.asarray(relative, dtype=int)
    freq = getattr(cutoff, "freq", None)
    # Fixed-length steps: pandas' Tick offsets (hours, minutes, ...) and days (a Tick before pandas 3).
    if isinstance(freq, pd.offsets.Tick):
        length = pd.Timedelta(freq)
    elif isinstance(freq, pd.offsets.Day):
        length = pd.Timedelta(days=freq.n)
    else:
        length = None
    if isinstance(relative, pd.TimedeltaIndex) and length is not None:
        steps = np.round(relative / length).astype(int)
        start = cutoff[0]
        with contextlib.suppress(TypeError, ValueError):  # a time these steps cannot reach: refused below
            if all(start + int(n) * freq == start + delta for n, delta in zip(steps, relative)):
                return np.asarray(steps)
    of = f"steps of y's frequency {freq.freqstr!r}" if freq is not None else "steps (y's index has no frequency)"
    raise ValueError(
        f"fh holds {list(relative)}, which TCNForecaster cannot count as {of}: a timedelta must be a whole "
        "number of steps of a fixed-length frequency (days, hours, minutes, ...; a day across a change of "
        "daylight saving time is not 24 hours). Give fh as integer steps (fh=[1, 2, 3]) or as absolute times."
    )
