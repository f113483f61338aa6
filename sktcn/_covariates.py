"""Channels the forecaster adds beside the scaled series: calendar and static features.

* **Calendar**: the position of each step in the season (the month of the
  year for monthly data, the day of the week for daily data, ...) as a point
  on the unit circle, ``sin`` and ``cos`` of ``2 pi phase / sp``, so that the
  last month of a year sits next to the first. The phase of a step is a pure
  function of its place in the series: the phase of the series' first
  observation (:func:`first_phase`, read from the index) plus the step number,
  modulo the season. A forecast window therefore knows the phase of every
  horizon step from its last step's, and the channels need no future data.
  Timestamps count by their local wall-clock time, which a season of days
  follows. Steps shorter than a day in a time zone with daylight saving time
  keep to absolute time while the clock skips or repeats an hour: each takes
  its phase from its own local time (:class:`LocalClock`).
* **Static**: per-series values (a panel's region, store size, ...) that do
  not change over time. They are standardised across the training series once,
  by those series' statistics (:func:`static_statistics`,
  :func:`standardise_static`), which a series seen later is standardised by
  too, and repeated along every window of their series.

Both are already on a fixed scale, so they bypass the per-window scaling that
y and X get: a window standardised by its own mean would turn a static value
into 0, and a calendar channel shorter than a season into a different curve.
Everything here is a pure function of the series and their index.
"""

from typing import NamedTuple

import numpy as np
import pandas as pd

from sktcn._simple_forecasts import index_frequency
from sktcn._series_names import series_name

# Frequencies whose timestamps count as the periods of another (the month, quarter
# or year they fall in): business and custom-business month, quarter and year
# offsets, which have no period type of their own.
_PERIOD_OF = {"BMS": "M", "BME": "M", "CBMS": "M", "CBME": "M", "BQS": "Q", "BQE": "Q", "BYS": "Y", "BYE": "Y"}


def first_phase(index, sp):
    """The position in a season of ``sp`` steps of the first entry of ``index`` (0 <= phase < sp).

    Periods and timestamps count from pandas' epoch in steps of the index's
    frequency (months since 1970-01, days since 1970-01-01, pairs of hours
    since 1970-01-01 00:00 for "2h", ...); integers are their own step numbers.
    A tz-aware timestamp counts by its local wall-clock time.
    Only the phases' differences matter to the network, so the origin can be
    any fixed date. A ValueError explains an index that has no regular steps
    to count.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._covariates import first_phase
    >>> first_phase(pd.period_range("1949-01", periods=3, freq="M"), 12)  # January
    0
    >>> first_phase(pd.period_range("1949-03", periods=3, freq="M"), 12)  # March
    2
    >>> first_phase(pd.date_range("2020-07-01", periods=3, freq="QS"), 4)  # the third quarter
    2
    >>> first_phase(pd.date_range("2020-01-01 06:00", periods=3, freq="2h"), 12)  # 06:00-08:00, step 3 of a day
    3
    >>> first_phase(pd.RangeIndex(5, 9), 4)
    1
    >>> first_phase(pd.date_range("2021-03-28 03:00", periods=3, freq="h", tz="Europe/Berlin"), 24)  # local time
    3
    """
    if isinstance(index, pd.DatetimeIndex):
        return _datetime_phase(index, sp)
    if isinstance(index, pd.PeriodIndex):
        return step_phase(index[0].ordinal, index.freq.n, sp)
    if pd.api.types.is_integer_dtype(index):
        return int(index[0] % sp)
    raise ValueError(
        f"calendar_features=True cannot place a {type(index).__name__} in a season; use a PeriodIndex, a "
        "DatetimeIndex with a frequency or an integer index, or set calendar_features=False."
    )


def _datetime_phase(index, sp):
    """:func:`first_phase` of a DatetimeIndex: its steps counted as the periods of its frequency."""
    freq = index_frequency(index)
    if freq is None:
        raise ValueError(
            "calendar_features=True needs the steps of y's DatetimeIndex to be regular: give the index a "
            "frequency (for example y.asfreq('D')), or set calendar_features=False."
        )
    # A tz-aware timestamp counts by its local wall-clock time (the hour on the clock, the local date).
    local = index[:1] if index.tz is None else index[:1].tz_localize(None)
    # The offset of one base unit ("h" of "2h", "QS-JAN" of "2QS-JAN"): pandas counts periods in those.
    name = freq.name if hasattr(freq, "name") else str(freq)
    base = getattr(freq, "base", freq)
    if name == "B":
        # Business days have no period type without a deprecation warning: count them with numpy.
        days = np.busday_count(np.datetime64("1970-01-01"), local[0].to_datetime64().astype("M8[D]"))
        return step_phase(days, freq.n, sp)
    stem = name.split("-")[0]
    if stem in ("SMS", "SME"):
        # Two steps a month (the 1st or the 15th, the 15th or the month's end): counted in half months.
        month, day = local.to_period("M")[0].ordinal, local[0].day
        second = day >= freq.day_of_month if stem == "SMS" else day > freq.day_of_month
        return step_phase(2 * month + int(second), freq.n, sp)
    # Month-, quarter- and year-start timestamps count as the periods of their month, quarter, year, which
    # pandas names without the "S" and without the anchor ("QS-FEB" -> "Q"), as DatetimeIndex.to_period()
    # does: every anchor's quarter starts fall in consecutive calendar quarters. Business ones likewise.
    for period_freq in (base, _PERIOD_OF.get(stem, stem.rstrip("S"))):
        try:
            return step_phase(local.to_period(period_freq)[0].ordinal, freq.n, sp)
        except (AttributeError, ValueError, TypeError):
            continue
    raise ValueError(
        f"calendar_features=True cannot count steps of frequency {freq.freqstr!r}; use a PeriodIndex or an "
        "integer index, or set calendar_features=False."
    )


def step_phase(units, n, sp):
    """The phase (0 <= phase < sp) of the step starting ``units`` base units after the epoch, in steps of ``n`` units.

    pandas counts a "2h" period in hours and a "2M" one in months: dividing by
    the step's ``n`` makes the phase count steps, as :func:`calendar_channels`
    does, so the same timestamp gets the same phase in every series of a panel
    whichever step each series starts at. The epoch's phase is 0. An array of
    ``units`` gives an array of phases.

    Examples
    --------
    >>> from sktcn._covariates import step_phase
    >>> step_phase(30, 1, 12), step_phase(30, 2, 12), step_phase(31, 2, 12)  # 2 units a step: 15 and 15.5 steps
    (6, 3, 3)
    """
    phase = (np.asarray(units) % (sp * n)) // n
    return int(phase) if phase.ndim == 0 else phase


class LocalClock(NamedTuple):
    """The calendar of a series whose steps keep to absolute time while its local clock does not.

    Steps shorter than a day (hours, minutes) are a fixed length of time
    apart, and where the series' time zone changes to or from daylight saving
    time the local clock skips or repeats an hour: counted from the first
    step, every later step's phase would be an hour off the clock that the
    series' daily pattern follows. Each step ``k`` after the first instead
    takes the phase of its own local time, as :func:`first_phase` does for
    the first, so that the same instant has the same phase in every series,
    in training and over the horizon alike (:func:`calendar_phase` makes one).

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._covariates import calendar_phase
    >>> index = pd.date_range("2021-03-28 00:00", periods=4, freq="h", tz="Europe/Berlin")
    >>> calendar_phase(index, 24).phases([0, 1, 2, 3], 24).tolist()  # 02:00 does not happen that night
    [0, 1, 3, 4]
    """

    start: int  # the first step, in nanoseconds since the epoch (UTC)
    step: int  # nanoseconds per step
    unit: int  # nanoseconds per base unit of the frequency ("h" of "2h")
    n: int  # base units per step
    tz: object  # the time zone of the series' index

    def phases(self, steps, sp):
        """The phases (0 <= phase < sp) of ``steps`` (counted from the first, any shape) at their local time."""
        steps = np.asarray(steps)
        instants = pd.to_datetime(self.start + steps.ravel() * self.step, unit="ns", utc=True)
        local = instants.tz_convert(self.tz).tz_localize(None).as_unit("ns").asi8
        return step_phase(local // self.unit, self.n, sp).reshape(steps.shape)


def calendar_phase(index, sp):
    """What the calendar channels of a series indexed by ``index`` count from: its :func:`first_phase`, or a clock.

    A tz-aware DatetimeIndex of fixed-length steps (hours, minutes, ...), in
    a zone whose UTC offset changes, gets a :class:`LocalClock` (each step's
    phase from its own local time); every other index the phase of its first
    entry.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._covariates import calendar_phase
    >>> calendar_phase(pd.period_range("1949-03", periods=3, freq="M"), 12)
    2
    """
    phase = first_phase(index, sp)  # a ValueError explains an index that has no steps to count
    freq = index_frequency(index) if isinstance(index, pd.DatetimeIndex) and index.tz is not None else None
    # Fixed-length steps (a day is a calendar day, which keeps to the local clock: a Tick only before
    # pandas 3), in a zone with no fixed UTC offset (which is None without a date).
    if (isinstance(freq, pd.offsets.Tick) and not isinstance(freq, pd.offsets.Day)
            and index.tz.utcoffset(None) is None):
        return LocalClock(int(index[:1].as_unit("ns").asi8[0]), int(freq.nanos), int(freq.base.nanos), int(freq.n),
                          index.tz)
    return phase


def calendar_channels(phase, starts, length, sp):
    """sin and cos of the season position of steps ``start .. start + length - 1``: ``(n, length, 2)``.

    ``phase`` is the series' :func:`calendar_phase` (its :func:`first_phase`,
    or a :class:`LocalClock`); ``starts`` count steps from the series' first
    observation.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._covariates import calendar_channels
    >>> channels = calendar_channels(phase=3, starts=np.array([0, 1]), length=2, sp=4)
    >>> np.round(channels, 6).tolist()  # phases 3, 0 and 0, 1
    [[[-1.0, -0.0], [0.0, 1.0]], [[0.0, 1.0], [1.0, 0.0]]]
    """
    steps = np.asarray(starts)[:, None] + np.arange(length)[None]
    steps = phase.phases(steps, sp) if isinstance(phase, LocalClock) else (phase + steps) % sp
    angle = 2 * np.pi * steps / sp
    return np.stack([np.sin(angle), np.cos(angle)], axis=-1)


def static_values(parts, columns, keys):
    """Each series' value of the static ``columns`` of X: {key: (n_columns,)}.

    ``parts`` maps each series' key to its part of X (None without X), as
    :func:`sktcn._windows.series_of` splits it; ``keys`` are the series' keys
    in y's order (None for one series). A ValueError names a column that is
    missing from X or that changes within a series, or a series X lacks.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._covariates import static_values
    >>> X = pd.DataFrame({"size": [3.0, 3.0, 3.0], "price": [1.0, 2.0, 4.0]})
    >>> static_values({None: X}, ["size"], [None])
    {None: array([3.])}
    """
    columns = list(columns)
    present = set() if parts is None else set.intersection(*(set(part.columns) for part in parts.values()))
    if not set(columns) <= present:
        missing = sorted(set(columns) - present, key=str)
        raise ValueError(
            f"static_features names X columns {missing} that X does not have; pass X with those columns "
            "(one value per series, repeated over its time steps), or leave them out of static_features."
        )
    values = {}
    for key in keys:
        if key not in parts:  # X of static columns only: series_arrays, which would say so, never sees it
            raise ValueError(f"X has no rows for series {series_name(key)} of y, so no static_features values for it: give X a "
                             "row for every series and time of y.")
        part = parts[key][columns].to_numpy(np.float64)
        changing = [c for c, col in zip(columns, part.T) if np.ptp(col) > 0]
        if changing:
            raise ValueError(
                f"static_features columns {changing} change over time in series {series_name(key)}; a static feature has "
                "one value per series. Pass it as an ordinary X column instead, or give it one value per series."
            )
        values[key] = part[0]
    return values


def static_statistics(values):
    """(mean, scale) of per-series static values ``{key: (n_columns,)}`` across the series, scale 1 where none.

    What fit standardises the training series by, kept so that a series seen later
    (an update's new series) is standardised as the training series were.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._covariates import static_statistics
    >>> [s.tolist() for s in static_statistics({"a": np.array([1.0, 5.0]), "b": np.array([3.0, 5.0])})]
    [[2.0, 5.0], [1.0, 1.0]]
    """
    table = np.stack(list(values.values()))
    mean, scale = table.mean(axis=0), table.std(axis=0)
    return mean, np.where(scale > 0, scale, 1.0)


def standardise_static(values, statistics):
    """Per-series static values ``{key: (n_columns,)}`` standardised by ``statistics`` (:func:`static_statistics`).

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._covariates import standardise_static
    >>> standardise_static({"c": np.array([6.0])}, (np.array([2.0]), np.array([1.0])))
    {'c': array([4.])}
    """
    mean, scale = statistics
    return {key: (np.asarray(row, dtype=np.float64) - mean) / scale for key, row in values.items()}


def covariate_channels(phase, sp, static, starts, length):
    """The calendar (when ``phase`` is not None) and static (when not None) channels of windows: ``(n, length, k)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._covariates import covariate_channels
    >>> covariate_channels(None, 1, np.array([0.5]), np.array([0, 4]), 3)[..., 0].tolist()
    [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]
    >>> covariate_channels(0, 12, None, np.array([0]), 3).shape
    (1, 3, 2)
    """
    parts = []
    if phase is not None:
        parts.append(calendar_channels(phase, starts, length, sp))
    if static is not None:
        parts.append(np.broadcast_to(static, (len(starts), length, len(static))))
    if not parts:
        return np.zeros((len(starts), length, 0))
    return np.concatenate(parts, axis=-1)
