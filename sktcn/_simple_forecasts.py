"""The simple forecasts TCNForecaster's network corrects: pure numpy, no training.

A forecaster with a ``baseline`` trains its network on what a simple forecast
(the last value, the last season, a straight line) gets wrong, not on the
series itself, the way the hybrid winner of the M4 competition let a network
correct exponential smoothing. An untrained network (its head starts at zero)
therefore forecasts exactly the simple forecast, and training can only add
what the windows teach it. On airline the seasonal naive forecast with drift
alone scores MAPE 0.045, where the network trained on the series scored 0.114
(``benchmarks/RESULTS.md``).

Every simple forecast here is affine-equivariant (shifting and scaling the
series shifts and scales the forecast the same way), so it can be computed on
the raw series and scaled with each window's statistics afterwards.

Each function takes the history ``y`` ``(T, C)``, the forecast origins
(indices of the last observed step, ``(n,)``), the horizon and the season
length, and returns ``(n, horizon, C)``. An origin with too little history for
a seasonal forecast falls back to the last value.
"""

import weakref

import numpy as np
import pandas as pd
from scipy.signal import lfilter

# Origins per series scored when "auto" chooses the baseline: the most recent
# ones, which bound the work on long series.
_SCORED_ORIGINS = 2000

# Smoothing constants simple exponential smoothing chooses from, per origin and
# channel: the one whose one-step-ahead errors up to the origin were least.
_SES_ALPHAS = np.linspace(0.05, 1.0, 20)
# Relative difference of squared errors below which two alphas tie.
_TIE = 1e-9

# Smoothing of every step of a series, by id of the series array, while it lives.
# The windows ask for a few origins per batch, and smoothing costs a pass over the
# whole series per alpha: once per series and fit, not once per batch.
_SMOOTHING_TABLES = {}

# Season lengths implied by an index's frequency (pandas' offset names, their
# prefix before any anchor such as "-DEC"): business and custom-business month
# and quarter ends and starts are monthly and quarterly data, semi-month ones
# ("SME", the 15th and the month's end) two steps a month.
# Daily data get the week only, not also the year: 365 days are no whole number
# of weeks, so the day a year earlier is another weekday and a yearly seasonal
# naive forecast would break the weekly pattern it copies (and leap years shift
# it a day); a yearly pattern also asks for more than two years before it can
# be scored beside the week. Steps of fixed length (hours and shorter) are
# read from _CLOCK_SPANS instead.
_PERIODS = {"M": 12, "MS": 12, "ME": 12, "BME": 12, "BMS": 12, "CBME": 12, "CBMS": 12, "SME": 24, "SMS": 24,
            "Q": 4, "QS": 4, "QE": 4, "BQE": 4, "BQS": 4, "W": 52, "D": 7, "B": 5}

# The seasons of steps of a fixed length shorter than a day, in nanoseconds:
# the day and the week (hourly data: 24 and 168 steps). Hourly series with a
# weekend lose the week at a season of 24: on 8 weeks of such hours the
# default's error was 1.4 times seasonal naive's at 168.
_CLOCK_SPANS = (86_400 * 10**9, 7 * 86_400 * 10**9)
# The longest such season, in steps: a week of minutes. A day of seconds
# (86,400 steps) and longer are left out: the seasonal baselines could score
# no origin before a series held more than that plus a horizon, and until
# then the default choice would replace the choice among the others; their
# forecast copies one reading of a day or a week before, which at seconds is
# mostly noise; and sp_ also counts the calendar features' phase.
_LONGEST_SEASON = 7 * 24 * 60


def _steps(horizon):
    return np.arange(1, horizon + 1)


def last_value(y, origins, horizon, sp=1):
    """Every step repeats the last observation.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._simple_forecasts import last_value
    >>> last_value(np.arange(5.0)[:, None], np.array([2, 4]), 2)[..., 0]
    array([[2., 2.],
           [4., 4.]])
    """
    return np.repeat(y[origins][:, None], horizon, axis=1)


def _seasonal_lag(origins, horizon, sp):
    """Index of the observation each step repeats: the same season in the last observed cycle."""
    cycles = np.ceil(_steps(horizon) / sp).astype(int)
    source = origins[:, None] + _steps(horizon)[None] - sp * cycles[None]
    # Too little history for a whole season: the last value instead.
    return np.where(source >= 0, source, origins[:, None]), cycles


def seasonal_naive(y, origins, horizon, sp=1):
    """Every step repeats the observation one season (or a whole number of seasons) earlier.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._simple_forecasts import seasonal_naive
    >>> y = np.array([1.0, 2.0, 3.0, 10.0, 20.0, 30.0])[:, None]
    >>> seasonal_naive(y, np.array([5]), 4, sp=3)[0, :, 0]
    array([10., 20., 30., 10.])
    """
    source, _ = _seasonal_lag(origins, horizon, sp)
    return y[source]


def _slope(y, origins):
    """Average change per step from the first observation to each origin (0 at the first)."""
    return (y[origins] - y[0]) / np.maximum(origins, 1)[:, None]


def seasonal_slope(y, origins, sp):
    """The drift per step of a seasonal random walk: the mean of ``y[t] - y[t - sp]`` up to each origin, over ``sp``.

    Each difference spans a whole season, so a season repeating around a
    straight line leaves the line's slope alone, wherever in the season the
    series starts and the origin falls. The change from the first observation
    to the origin (:func:`drift`'s slope) also holds the seasonal difference
    between those two steps: on weekly data (sp 52) that gave -0.09 per step
    against a true +0.2. An origin with no whole season before it (``origin <
    sp``) has no seasonal difference to average and gets that plain slope. Any
    number of differences from one up is unbiased by the season, just noisier
    when few, so even a partial season of them is used. ``(n, C)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._simple_forecasts import seasonal_slope
    >>> y = (np.tile([0.0, 5.0, 1.0], 4)[1:11] + 0.5 * np.arange(10.0))[:, None]   # season 3, from its step 1
    >>> seasonal_slope(y, np.array([9, 4]), 3)
    array([[0.5],
           [0.5]])
    """
    origins = np.asarray(origins, dtype=int)
    counts = origins - sp + 1  # the seasonal differences y[sp] - y[0] .. y[origin] - y[origin - sp]
    sums = np.cumsum(y[sp:] - y[:-sp], axis=0) if len(y) > sp else np.zeros((1, y.shape[1]))
    mean = sums[np.clip(counts - 1, 0, len(sums) - 1)] / (np.maximum(counts, 1) * sp)[:, None]
    return np.where((counts >= 1)[:, None], mean, _slope(y, origins))


def drift(y, origins, horizon, sp=1):
    """The last value, continued along the straight line through the first and the last observation.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._simple_forecasts import drift
    >>> drift(np.array([0.0, 1.0, 4.0])[:, None], np.array([2]), 2)[0, :, 0]
    array([6., 8.])
    """
    return y[origins][:, None] + _steps(horizon)[None, :, None] * _slope(y, origins)[:, None]


def seasonal_drift(y, origins, horizon, sp=1):
    """The seasonal naive forecast, raised by the drift over the seasons it skips.

    The drift is :func:`seasonal_slope`'s, from the seasonal differences (the
    seasonal random walk with drift); a step that falls back to the last value
    (no whole season before the origin) is raised by it over the steps ahead.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._simple_forecasts import seasonal_drift
    >>> y = np.array([0.0, 2.0, 1.0, 3.0])[:, None]   # season 2, growing 1 per season (0.5 per step)
    >>> seasonal_drift(y, np.array([3]), 2, sp=2)[0, :, 0]
    array([2., 4.])
    """
    return _raised_seasonal_naive(y, origins, horizon, sp, seasonal_slope(y, origins, sp))


def _seasonal_drift_to_origin(y, origins, horizon, sp=1):
    """:func:`seasonal_drift` of revision 1 (before 892317f): the slope from the first observation to the origin.

    Forecasters fit before 892317f trained their networks to correct this
    forecast, and keep it (``baseline_revision_`` 1); new fits use
    :func:`seasonal_drift`. Its arithmetic is that revision's, step for step,
    so that their forecasts do not change by a rounding.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._simple_forecasts import _seasonal_drift_to_origin
    >>> y = np.array([0.0, 2.0, 1.0, 3.0])[:, None]   # its slope (3 - 0) / 3 also holds the season's 2 - 0
    >>> _seasonal_drift_to_origin(y, np.array([3]), 2, sp=2)[0, :, 0]
    array([3., 5.])
    """
    return _raised_seasonal_naive(y, origins, horizon, sp, _slope(y, origins))


def _raised_seasonal_naive(y, origins, horizon, sp, slope):
    """The seasonal naive forecast raised by ``slope`` (per step, ``(n, C)``) over the steps each forecast skips."""
    source, cycles = _seasonal_lag(origins, horizon, sp)
    skipped = np.where(source == origins[:, None], _steps(horizon)[None], sp * cycles[None])
    return y[source] + skipped[..., None] * slope[:, None]


def _smoothed_levels(y, origins):
    """Simple exponential smoothing's level at each origin, and its smoothing constant: ``(n, C)`` each.

    The level starts at the first observation and follows
    ``level[t] = alpha * y[t] + (1 - alpha) * level[t - 1]``. Each origin and
    channel gets the ``alpha`` of ``_SES_ALPHAS`` with the least sum of squared
    one-step-ahead errors up to that origin (the smallest on ties, ``_TIE``), so no
    origin sees past itself; where every sum overflows, alpha 1 (the last
    value). The level is a weighted mean of observations (weights summing to
    one) and the choice does not change when the series is shifted or scaled:
    the forecast is affine-equivariant.
    """
    shape = (len(origins), y.shape[1])
    # Until an alpha scores, alpha 1, whose level is the last value: where every
    # alpha's squared errors overflow (values beyond about 1e154) none ever
    # scores, and a level of 0 made the forecast 0. Any finite score replaces it.
    best_sse, best_level, best_alpha = np.full(shape, np.inf), y[origins].astype(float), np.ones(shape)
    one_step_errors = np.zeros_like(y, dtype=float)
    for alpha in _SES_ALPHAS:
        # lfilter's state (1 - alpha) * y[0] starts the recursion at level y[0].
        level, _ = lfilter([alpha], [1.0, alpha - 1.0], y, axis=0, zi=(1.0 - alpha) * y[:1])
        one_step_errors[1:] = y[1:] - level[:-1]
        with np.errstate(over="ignore"):  # an inf never scores (see best_level)
            sse = np.cumsum(np.square(one_step_errors), axis=0)[origins]
        # Ties (origins with one or two observations, where every alpha errs
        # alike) up to rounding keep the smaller alpha.
        better = sse < np.where(np.isfinite(best_sse), best_sse * (1.0 - _TIE), np.inf)
        best_sse = np.where(better, sse, best_sse)
        best_level = np.where(better, level[origins], best_level)
        best_alpha = np.where(better, alpha, best_alpha)
    return best_level, best_alpha


def _smoothing_at(y, origins):
    """:func:`_smoothed_levels` at ``origins``, read from a table of every step of ``y`` computed once.

    Each origin's choice uses only the steps up to it, so the table's rows are
    exactly what a call with those origins alone returns. sktcn never changes a
    series array in place once its windows are made.
    """
    key = id(y)
    table = _SMOOTHING_TABLES.get(key)
    if table is None:
        table = _SMOOTHING_TABLES[key] = _smoothed_levels(y, np.arange(len(y)))
        weakref.finalize(y, _SMOOTHING_TABLES.pop, key, None)
    level, alpha = table
    return level[origins], alpha[origins]


def simple_exponential_smoothing(y, origins, horizon, sp=1):
    """Every step repeats the smoothed level at the origin (see :func:`_smoothed_levels`).

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._simple_forecasts import simple_exponential_smoothing
    >>> flat = np.full((6, 1), 3.0)
    >>> simple_exponential_smoothing(flat, np.array([5]), 2)[0, :, 0]
    array([3., 3.])
    """
    level, _ = _smoothing_at(y, origins)
    return np.repeat(level[:, None], horizon, axis=1)


def _trend_slope(y, origins):
    """Least-squares slope of ``y`` against time over the observations up to each origin (0 with one)."""
    t = np.arange(len(y), dtype=float)[:, None]
    n = (origins + 1.0)[:, None]
    sum_t, sum_tt = np.cumsum(t, axis=0)[origins], np.cumsum(t * t, axis=0)[origins]
    sum_y, sum_ty = np.cumsum(y, axis=0)[origins], np.cumsum(t * y, axis=0)[origins]
    denominator = n * sum_tt - sum_t ** 2
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, (n * sum_ty - sum_t * sum_y) / safe, 0.0)


def theta(y, origins, horizon, sp=1):
    """The theta method's forecast: smoothed level plus half the linear trend.

    Hyndman and Billah (2003) showed the theta method of Assimakopoulos and
    Nikolopoulos to be simple exponential smoothing with a drift of half the
    least-squares trend slope ``b``: step ``h`` adds
    ``b / 2 * (h - 1 + 1 / alpha - (1 - alpha) ** n / alpha)`` to the level, over
    the ``n`` observations up to the origin. Without the seasonal adjustment
    of the full method: on seasonal series the seasonal baselines compete.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._simple_forecasts import theta
    >>> line = np.arange(10.0)[:, None]   # smoothing with alpha 1 keeps the last value, 9
    >>> theta(line, np.array([9]), 2)[0, :, 0]
    array([ 9.5, 10. ])
    """
    level, alpha = _smoothing_at(y, origins)
    n = (origins + 1.0)[:, None]
    steps = _steps(horizon)[None, :, None]
    lag = (1.0 / alpha - (1.0 - alpha) ** n / alpha)[:, None]
    return level[:, None] + 0.5 * _trend_slope(y, origins)[:, None] * (steps - 1 + lag)


SIMPLE_FORECASTS = {
    "naive": last_value,
    "seasonal_naive": seasonal_naive,
    "drift": drift,
    "seasonal_drift": seasonal_drift,
    "ses": simple_exponential_smoothing,
    "theta": theta,
}
# Those that differ from their non-seasonal counterpart only with a season.
_SEASONAL = {"seasonal_naive", "seasonal_drift"}

# Revisions of the simple forecasts' arithmetic, the latest last. A forecaster's
# networks learn to correct the baseline of the revision it was fit with
# (``TCNForecaster.baseline_revision_``): under another their correction lands
# on a different forecast, so each keeps its own. 1: before 892317f (seasonal
# drift's slope from the first observation to the origin); 2: since.
BASELINE_REVISIONS = (1, 2)
LATEST_BASELINE_REVISION = BASELINE_REVISIONS[-1]
# The function of each simple forecast at each revision: SIMPLE_FORECASTS'
# unless a revision changed it since.
_REVISED_FORECASTS = {
    **{(name, revision): function for name, function in SIMPLE_FORECASTS.items() for revision in BASELINE_REVISIONS},
    ("seasonal_drift", 1): _seasonal_drift_to_origin,
}


def get_simple_forecast(name, revision=LATEST_BASELINE_REVISION):
    """The function called ``name`` at ``revision`` (of ``BASELINE_REVISIONS``); None for None; ValueError otherwise.

    Examples
    --------
    >>> from sktcn._simple_forecasts import get_simple_forecast
    >>> get_simple_forecast("seasonal_drift").__name__, get_simple_forecast("seasonal_drift", 1).__name__
    ('seasonal_drift', '_seasonal_drift_to_origin')
    """
    if revision not in BASELINE_REVISIONS or isinstance(revision, bool):
        raise ValueError(f"baseline revision {revision!r} is not one sktcn knows; use one of {BASELINE_REVISIONS}.")
    if name is None:
        return None
    try:
        return _REVISED_FORECASTS[name, revision]
    except (KeyError, TypeError):
        raise ValueError(f"baseline={name!r} is not supported; use 'auto', None or one of "
                         f"{list(SIMPLE_FORECASTS)}.") from None


def forecast_at(name, y, origins, horizon, sp, revision=LATEST_BASELINE_REVISION):
    """``name``'s forecasts ``(n, horizon, C)`` at ``revision`` from ``origins`` of ``y``; zeros for ``name=None``."""
    function = get_simple_forecast(name, revision)
    if function is None:
        return np.zeros((len(origins), horizon, y.shape[1]))
    return function(y, np.asarray(origins, dtype=int), horizon, sp)


def _scored_origins(y, horizon, history):
    """The origins :func:`relative_errors` forecasts on ``y``: a ``history`` of steps before, a horizon after."""
    return np.arange(max(len(y) - horizon - _SCORED_ORIGINS, history - 1, 1), len(y) - horizon)


def relative_errors(series, horizon, sp, names=None, history=None):
    """Each simple forecast's error on the series it is fit to, pooled over the series: name -> error.

    Every origin with ``history`` steps (a whole season, ``sp``, by default)
    before it and a whole horizon after it (the most recent
    ``_SCORED_ORIGINS`` per series) forecasts that horizon; a series' mean
    absolute error is divided by the mean absolute change between consecutive
    steps (MASE's scale), so that series of different units pool fairly. A
    series with no such origin is left out; when none has one, every error is
    NaN: nothing was scored, and no forecast erred less than another.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._simple_forecasts import relative_errors
    >>> trend = np.arange(30.0)[:, None]
    >>> errors = relative_errors([trend], horizon=3, sp=1)
    >>> min(errors, key=errors.get), float(errors["drift"])
    ('drift', 0.0)
    >>> float(relative_errors([trend[:14]], horizon=3, sp=12)["naive"])   # 14 steps: no season and horizon
    nan
    """
    names = list(SIMPLE_FORECASTS) if names is None else list(names)
    totals = dict.fromkeys(names, 0.0)
    scored = False
    for y in series:
        # From the first origin with a whole season and a drift behind it.
        origins = _scored_origins(y, horizon, sp if history is None else history)
        if len(origins) == 0:
            continue
        scored = True
        truth = y[origins[:, None] + _steps(horizon)[None]]
        scale = np.mean(np.abs(np.diff(y, axis=0))) if len(y) > 1 else 1.0
        scale = scale if scale > 0 else 1.0
        for name in names:
            totals[name] += np.mean(np.abs(forecast_at(name, y, origins, horizon, sp) - truth)) / scale
    return totals if scored else dict.fromkeys(names, np.nan)


def default_baseline(series, sp):
    """The baseline ``"auto"`` takes where no origin can be scored: seasonal naive with two whole seasons, else naive.

    With every series holding at least two seasons of ``sp`` steps the last
    season is a forecast of the season's shape, as the seasonal benchmarks of
    forecasting competitions use; with less, one season's values (or the
    last value, where there is not even one) say too little, and the last
    value is what a forecast without evidence falls back on.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._simple_forecasts import default_baseline
    >>> default_baseline([np.zeros((30, 1))], 12), default_baseline([np.zeros((15, 1))], 12)
    ('seasonal_naive', 'naive')
    """
    return "seasonal_naive" if sp > 1 and min(len(y) for y in series) >= 2 * sp else "naive"


def choose_baseline_and_season(series, horizon, seasons):
    """The simple forecast, and its season, with the least :func:`relative_errors` on ``series``: ``(name, sp)``.

    ``seasons`` are the candidate season lengths, the main one first (a
    non-seasonal forecast reports it).
    Another season competes only where every series is long enough to score
    it (a season plus a horizon, the rule the main one is scored by), and then
    every candidate is scored at the same origins, those with the longest
    season behind them: the seasonal forecasts at each season, the others
    once. Ties keep the earlier name of ``SIMPLE_FORECASTS``, then the
    earlier season. Where no origin can be scored (a series shorter than a
    season plus a horizon) the choice is :func:`default_baseline`'s.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._simple_forecasts import choose_baseline_and_season
    >>> t = np.arange(400)
    >>> steps = np.sin(2 * np.pi * t / 4) + np.where((t // 4) % 7 >= 5, -3.0, 0.0)  # "days" of 4, "weeks" of 28
    >>> choose_baseline_and_season([steps[:, None]], horizon=4, seasons=(4, 28))
    ('seasonal_naive', 28)
    >>> choose_baseline_and_season([steps[:30, None]], horizon=4, seasons=(4, 28))   # too short for a "week"
    ('seasonal_naive', 4)
    """
    main, *others = seasons
    seasons = [main, *(sp for sp in others if sp > 1 and min(len(y) for y in series) >= max(sp, 2) + horizon)]
    history = max(seasons)
    errors = {}
    for sp in seasons:
        names = [name for name in SIMPLE_FORECASTS if (name in _SEASONAL and sp > 1) or (name not in _SEASONAL
                                                                                       and sp == main)]
        errors.update(((name, sp), error) for name, error in
                      relative_errors(series, horizon, sp, names, history=history).items())
    if all(np.isnan(error) for error in errors.values()):
        return default_baseline(series, main), main
    order = {name: i for i, name in enumerate(SIMPLE_FORECASTS)}
    candidates = sorted(errors, key=lambda key: (order[key[0]], seasons.index(key[1])))
    return min(candidates, key=errors.get)


def choose_baseline(series, horizon, sp):
    """The simple forecast with the least :func:`relative_errors` on ``series`` (seasonal ones only if sp > 1).

    :func:`choose_baseline_and_season` with the one season ``sp``; where no
    origin can be scored, :func:`default_baseline`.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._simple_forecasts import choose_baseline
    >>> season = np.tile([0.0, 5.0, 1.0, 7.0], 10)[:, None]
    >>> choose_baseline([season], horizon=4, sp=4), choose_baseline([season], horizon=4, sp=1)
    ('seasonal_naive', 'ses')
    """
    return choose_baseline_and_season(series, horizon, (sp,))[0]


def season_length(index):
    """The season in steps implied by a pandas index's frequency (12 for monthly data, ...); 1 when it has none.

    The main one of :func:`season_lengths`. A multiplied frequency's season
    is the base one over the multiplier (12 steps of "2h" make a day), and
    none when that is not a whole number of steps ("2D" against a week): sp
    counts steps, and a season that ends within a step would put each step at
    a different phase every season.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._simple_forecasts import season_length
    >>> season_length(pd.period_range("2000-01", periods=3, freq="M")), season_length(pd.RangeIndex(3))
    (12, 1)
    >>> [season_length(pd.date_range("2000-01-03", periods=3, freq=freq)) for freq in ("2h", "3h", "2D", "15min")]
    [12, 8, 1, 96]
    """
    return season_lengths(index)[0]


def season_lengths(index):
    """Every season in steps a pandas index's frequency implies, the main one first; ``(1,)`` when it has none.

    Steps of a fixed length shorter than a day (hours, minutes, seconds) have
    two: the day and the week, each where it is a whole number of steps of at
    most ``_LONGEST_SEASON``. Calendar frequencies (days, weeks, months,
    quarters, years) have one, from ``_PERIODS``: daily data only the week,
    as the reason at ``_PERIODS`` says.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._simple_forecasts import season_lengths
    >>> [season_lengths(pd.date_range("2000-01-03", periods=3, freq=freq)) for freq in ("h", "15min", "5h", "D")]
    [(24, 168), (96, 672), (1,), (7,)]
    """
    freq = index_frequency(index)
    if freq is None or freq.n <= 0:
        return (1,)
    # A Day is a Tick before pandas 3; it is calendar data, in _PERIODS.
    if isinstance(freq, pd.offsets.Tick) and not isinstance(freq, pd.offsets.Day):
        seasons = tuple(span // freq.nanos for span in _CLOCK_SPANS
                        if span % freq.nanos == 0 and 1 < span // freq.nanos <= _LONGEST_SEASON)
        return seasons or (1,)
    name = freq.freqstr.split("-")[0].lstrip("0123456789")
    base = _PERIODS.get(name, 1)
    return (base // freq.n if base % freq.n == 0 else 1,)


def index_frequency(index):
    """The pandas offset between the steps of a Period or Datetime index (inferred when unset), or None.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._simple_forecasts import index_frequency
    >>> index_frequency(pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-03"])).freqstr
    'D'
    >>> index_frequency(pd.RangeIndex(3)) is None
    True
    """
    freq = getattr(index, "freq", None)
    if freq is None and isinstance(index, pd.DatetimeIndex) and len(index) >= 3:
        inferred = pd.infer_freq(index)
        freq = pd.tseries.frequencies.to_offset(inferred) if inferred else None
    return freq
