"""TCNForecaster: an sktime forecaster built on the TCNRegressor core."""

import contextlib
import contextvars
import functools
import inspect
import numbers
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import Interval, StrOptions
from sktime.datatypes import MTYPE_LIST_HIERARCHICAL, MTYPE_LIST_PANEL, MTYPE_LIST_SERIES, convert_to
from sktime.forecasting.base import BaseForecaster, ForecastingHorizon
from sktime.utils.validation.forecasting import check_fh

from sktcn import _covariates, _docs, _earlier_versions, _network_pool, _simple_forecasts, _window_scaling, persistence
from sktcn._codec import frame_from_json, frame_to_json, from_json, index_from_json, index_to_json, to_json
from sktcn._base import (
    ENSEMBLE_CONSTRAINT,
    TCNEstimatorBase,
    field_warned_once,
)
from sktcn._caller import caller_stacklevel
from sktcn._conformal import (
    backtest_room,
    calibration_blocks,
    capped_coverage,
    correction_weight,
    enough_held_out,
    from_interval_units,
    has_backtest,
    no_smaller_errors,
    pool_needed,
    pool_variance,
    quantile_shifts,
    to_interval_units,
)
from sktcn._distribute import picklable_strategy
from sktcn._epoch_batches import TooFewSamples
from sktcn._frame_checks import check_finite, check_scalable, check_spread, native_byte_order, pooled_columns
from sktcn._network_pool import pool_key
from sktcn._param_checks import check_constraints, check_keras_names, unknown_params_advice
from sktcn._pretrained import Pretrained, starting_point
from sktcn._random import member_seeds
from sktcn._rollback import fit_restored_on_failure, unchanged_on_failure
from sktcn._series_names import series_name
from sktcn._time_steps import panel_freq, relative_steps, warn_skipped_steps
from sktcn._window_scaling import SCALINGS, get_scaling, lacks_scale
from sktcn._windows import (
    WindowBatches,
    WindowSpec,
    check_unique_index,
    check_unique_times,
    choose_window_length,
    interval_scales,
    last_times,
    scaled_baseline,
    scaled_window,
    scales_at,
    series_arrays,
    series_of,
    spaced_rows,
    uncapped_window_length,
    up_to,
    varying,
    varying_at,
    window_bytes,
    window_rows,
    windows_at,
)
from sktcn.regressor import TCNRegressor, check_numeric_target_losses

# The forecaster shares the network and training parameters of TCNEstimatorBase,
# names and defaults, except those with no meaning for it: the network always
# outputs the whole horizon. TCNRegressor's own parameters (pooling,
# input_scaling, input_noise, subsequence_*, validation_split="auto") are not among them: the
# forecaster sets what they choose from its windows.
_SHARED_PARAMS = {
    name: param.default
    for name, param in inspect.signature(TCNEstimatorBase.__init__).parameters.items()
    if param.kind == param.KEYWORD_ONLY and name != "return_sequences"
}
# The forecaster trains a fixed 15 epochs: epochs="auto" (the classifier's and
# regressor's regime) plans gradient steps for whole-series tasks. Correcting a
# baseline, more epochs fit the training windows' noise: on airline the mean
# MAPE over seeds 0-4 was 0.050, 0.058 and 0.105 after 5, 15 and 50 epochs,
# while the seven other bundled series did not move in aggregate
# (benchmarks/RESULTS.md). epochs="auto" stays available as a parameter.
_SHARED_PARAMS["epochs"] = 15
_OWN_PARAMS = {
    "window_length": None,
    "scaling": "standard",
    "forking_sequences": True,
    "calibration_size": 0.2,
    "lazy_windows": "auto",
    "max_windows_per_series": 256,
    "n_networks": 3,
    "baseline": "auto",
    "sp": "auto",
    "calendar_features": False,
    "static_features": None,
    "correction": "backtest",
}
# Fewest training windows the automatic window length aims for.
_MIN_WINDOWS = 32

# Blocks of the rolling-origin backtest that calibrates the intervals.
_CALIBRATION_FOLDS = 3
# An automatic window shorter than this warns (_warn_short_window): its networks see too little past.
_FEW_STEPS = 3

# lazy_windows="auto" makes the training windows batch by batch once they would
# take more memory than this as arrays (inputs plus targets, float32). With
# forking sequences every window carries window_length x horizon targets, so a
# series of a million steps with window 72 and horizon 24 would need ~7 GB.
_LAZY_WINDOW_BYTES = 256 * 2**20

# Windows forecast per network call when scoring training windows (calibration
# and in-sample residuals): at most _SCORED_WINDOWS, and fewer where that many
# would take more than _SCORED_BYTES (see TCNForecaster._scored_windows). With
# forking sequences the network outputs window_length x horizon values per
# window, so a count alone bounds nothing: 1024 windows at horizon 150 took 270 MiB.
_SCORED_WINDOWS = 1024
_SCORED_BYTES = 32 * 2**20

# What set_params says when it drops the pretrained networks (TCNForecaster.set_params).
_PRETRAINING_DROPPED = (
    "set_params dropped the networks that pretrain trained (pretrained_): sktime resets a forecaster whose "
    "parameters are set. Call pretrain again after set_params. sktime's tuners (ForecastingGridSearchCV and "
    "the like) set each candidate's parameters, so their candidates train from scratch; to compare settings "
    "of a pretrained forecaster, pretrain and fit each setting yourself, or backtest one with sktime's "
    "evaluate(..., cv_global=...), which pretrains every fold (sktime 1.2 and later)."
)

# Set while a saved forecaster is restored (``_restore_saved_state``): its fitted
# networks, residuals and series statistics stand in for training, so that
# sktime's own fit rebuilds the rest (cutoff, stored data, horizon).
_RESTORED_NETWORK = contextvars.ContextVar("sktcn_restored_network", default=None)


class _Restored(NamedTuple):
    """What a saved forecaster's file gives ``fit`` in place of training."""

    regressors: list
    residuals: np.ndarray
    series_scale: list = None
    baseline: str = None
    sp: int = 1
    # The revision of the simple forecasts the networks were trained against.
    baseline_revision: int = _simple_forecasts.LATEST_BASELINE_REVISION
    correction_weight: float = 1.0
    calibration: str = None
    # The window and horizon the networks were fit with: after an update the
    # stored data may imply others (a longer series, a later cutoff).
    window_length: int = None
    horizon: int = None
    # The (mean, scale) the static features were standardised by: those of the
    # series fit saw, which a later update may have joined (None in older files).
    static_statistics: tuple = None
    # Whether the file's calendar channels of time-zone data keep the local
    # clock (_covariates.LocalClock); older files counted steps from the first
    # local hour, which their networks were trained on.
    local_clock: bool = True
    # Saved after an update moved a cutoff back (see TCNForecaster._saved_cutoffs):
    # sktime's cutoff, and the number of each series' stored rows up to its own
    # (None otherwise: every series' cutoff is its last stored time, sktime's the latest).
    cutoff: pd.Index = None
    series_rows: list = None


@contextlib.contextmanager
def _restoring(regressors, residuals, **state):
    token = _RESTORED_NETWORK.set(_Restored(list(regressors), residuals, **state))
    try:
        yield
    finally:
        _RESTORED_NETWORK.reset(token)


def _restored_state(state):
    """The fitted state a saved forecaster's manifest (its ``"state"``) gives, checked, for ``_restoring``.

    Each entry is checked to be what sktcn writes, so that an altered file is
    a ``ModelFileError`` naming the entry, not a forecaster that fails later.
    """
    series_scale = state["series_scale_"]
    if series_scale is not None:
        series_scale = [tuple(np.asarray(from_json(v), dtype=np.float64) for v in pair) for pair in series_scale]
    # Entries that files written before them lack come from persistence.migrate (sktcn._earlier_versions).
    baseline, sp = state["baseline_"], state["sp_"]
    if (baseline is not None and baseline not in _simple_forecasts.SIMPLE_FORECASTS) or not (
            isinstance(sp, int) and sp >= 1):
        raise persistence.ModelFileError(
            f"the manifest names baseline {baseline!r} with season {sp!r}, which sktcn does not know: it was altered."
        )
    revision = state["baseline_revision_"]
    if type(revision) is not int or revision not in _simple_forecasts.BASELINE_REVISIONS:
        raise persistence.ModelFileError(
            f"the manifest gives baseline_revision_ {revision!r}; sktcn writes one of "
            f"{_simple_forecasts.BASELINE_REVISIONS}: it was altered."
        )
    weight = state["correction_weight_"]
    if weight not in (0.0, 1.0):
        raise persistence.ModelFileError(
            f"the manifest gives correction_weight_ {weight!r}; sktcn writes 0 or 1: it was altered."
        )
    calibration = state["interval_calibration_"]
    if calibration not in (None, "backtest", "in-sample"):
        raise persistence.ModelFileError(
            f"the manifest gives interval_calibration_ {calibration!r}, which sktcn does not write: it was altered."
        )
    window_length, horizon = state.get("window_length_"), state.get("horizon_")
    if not all(isinstance(value, int) and value >= 1 for value in (window_length, horizon)):
        raise persistence.ModelFileError(
            f"the manifest gives window_length_ {window_length!r} and horizon_ {horizon!r}; sktcn writes "
            "positive integers: it was altered."
        )
    # None: every series' cutoff is its end (sktcn._earlier_versions gives it to files without).
    series_rows = state["series_rows"]
    if series_rows is not None and not (isinstance(series_rows, list) and all(
            isinstance(rows, int) and not isinstance(rows, bool) for rows in series_rows)):
        raise persistence.ModelFileError(
            f"the manifest gives series_rows {series_rows!r}; sktcn writes a list of integers: it was altered."
        )
    cutoff = None if series_rows is None else index_from_json(persistence.expect(state, "cutoff", dict))
    return dict(series_scale=series_scale, baseline=baseline, sp=int(sp), baseline_revision=revision,
                correction_weight=float(weight), calibration=calibration, window_length=window_length,
                horizon=horizon, local_clock=state["calendar_local_clock"] is True, cutoff=cutoff,
                series_rows=series_rows)


# The shared parameters, documented as a group whose names come from the signature.
_SHARED_DOC = _docs.grouped(
    _SHARED_PARAMS,
    """As in :class:`sktcn.TCNRegressor`, with the same defaults except ``epochs=15`` (``epochs="auto"`` may be
    given) and ``validation_split=0.0``, which takes a fraction only (not the regressor's ``"auto"``).
    ``dilations=None`` covers the window (plus the horizon when there is exogenous data). ``warm_start``
    continues the trained networks in ``update(update_params=True)``; ``fit`` always trains new ones, since
    sktime's ``fit`` resets the forecaster first. The regressor's ``pooling``, ``input_scaling``,
    ``input_noise``, ``return_sequences`` and ``subsequence_length``/``subsequence_sampling`` are not parameters here: the
    networks read windows scaled by ``scaling`` and output the whole horizon. Nor are its routed parameters
    (``optimizer__momentum=0.9`` and the like; the constructor refuses them with a TypeError, ``set_params``
    with a ValueError):
    give ``optimizer`` a configured optimizer, e.g. ``keras.optimizers.SGD(momentum=0.9)``.""",
)


def _as_mtype(y, mtype):
    """``y`` in the container a saved forecaster was fit with (its forecasts come back in it).

    The file stores sktime's inner pandas form; sktime converts forecasts back to
    the type ``y`` last had (a nested DataFrame, a 3D array, ...), so the loaded
    forecaster must see that type too.
    """
    if mtype in ("pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"):
        return y
    if mtype not in set(MTYPE_LIST_SERIES) | set(MTYPE_LIST_PANEL) | set(MTYPE_LIST_HIERARCHICAL):
        raise persistence.ModelFileError(f"the manifest names the data type {mtype!r}, which sktime does not know.")
    return convert_to(y, to_type=mtype)


class TCNForecaster(BaseForecaster):
    __doc__ = f"""Temporal Convolutional Network forecaster (keras-tcn) for sktime.

    A direct multi-step forecaster: a simple forecast (``baseline``: the last
    value, the last season, a drift) corrected by networks that read the last
    ``window_length`` observations and output a correction for every step of
    the horizon at once; the correction is the average of ``n_networks`` such
    networks trained from different seeds. Training windows
    are cut from the series with a stride of one; each window is standardised by
    its own mean and standard deviation (per variable), and the forecast is
    mapped back with the same statistics, so the network sees windows of unit
    scale whatever the level or trend of the series.

    Panel and hierarchical ``y`` train **one global model** on the windows of
    every series. Exogenous ``X`` enters the windows as extra channels: its past
    values beside ``y``, and its values over the horizon (which ``predict``
    therefore needs) in ``horizon`` extra time steps, marked by a flag channel.

    Prediction intervals and quantiles are conformal: networks trained on earlier
    windows forecast the last ``calibration_size`` of the windows (none of whose
    targets they saw). Their errors, divided by each horizon step's root mean
    square error (shrunk towards all steps' when the held-out windows are few),
    are pooled across steps; the quantiles of their absolute
    values, times each step's scale, widen the point forecast symmetrically,
    in the forecast window's scale. The point forecaster itself is trained on
    all windows. A window whose past does not vary has no scale of its own:
    its errors and its interval are measured in its series' typical scale (the
    median of its other windows' scales; raw units, as before, when none has
    one, as with one-step windows), and only a series whose values are all
    exactly equal adds no errors to the pool and gets intervals of no width.
    ``predict_var`` is the mean square of the same pooled errors, times each
    step's scale squared, in the forecast window's scale: the variance of that
    symmetric distribution about the point forecast (``cov=True`` is not
    available: the pool keeps no covariance between steps). ``predict_proba``
    is a Normal with the point forecast as its mean and that variance,
    so its quantiles approximate the conformal ones without equalling them
    (the errors are seldom Normal); ``predict_interval`` and
    ``predict_quantiles`` are the conformal ones. Without ``skpro`` installed
    it is sktime's own Normal, and sktime warns that ``predict_proba``
    "requires skpro"; ``pip install skpro`` silences the warning and gives
    skpro's Normal.

    ``update`` with ``update_params=True`` refits on all data seen so far (from
    scratch, or continuing the trained network when ``warm_start=True``); with
    ``update_params=False`` it only moves the cutoff, and forecasts then start
    from the newest data. As in sktime, the cutoff moves to the end of
    update's ``y``, of each series it holds: an update whose data end before
    the cutoff (as sktime's ``update_predict`` replays earlier cutoffs) moves
    it back, and forecasts and refits then read each series only up to its
    cutoff. A series first seen there is forecast by the
    fitted networks too: its calendar phase is read from its own index, its
    static features from update's ``X`` (which must then hold them: a
    ValueError says so before anything changes).

    ``pretrain(y, fh=...)`` (sktime's pretraining API) trains the networks on
    the panel ``y``, one global model, without a calibration backtest, and keeps
    them in ``pretrained_``; a second call trains them further on another panel
    (with the first call's horizon unless it gives ``fh``). A later ``fit``,
    usually on a series too short to train networks of its own, then starts
    every network it trains from the pretrained ones instead of a random
    initialisation, and keeps their horizon (fh may ask for fewer steps, not
    more), window, baseline, season and target standardisation; refits
    (``update``, a backtest's clones) start from them too. sktime's ``clone``
    keeps ``pretrained_``; ``set_params`` (which warns) and ``reset`` drop it, as
    sktime does, so sktime's tuners fit their candidates from scratch; ``save``
    stores the fitted forecaster without it, and pickles keep it.

    Parameters
    ----------
    window_length : int or None, default=None
        Number of past observations the network reads. ``None`` picks
        ``max(3 * horizon, 10)``, shortened when needed so that the training
        data yield at least {_MIN_WINDOWS} windows, and never longer than the
        shortest series allows; fit warns where that leaves fewer than
        {_FEW_STEPS} steps (short series: 36 months with fh 12 give 1). Like
        ``dilations``, a hyperparameter to search.
    scaling : {{"standard", "mean", "series"}}, default="standard"
        How the data are scaled before the network sees them (and the forecast
        mapped back). ``"standard"`` subtracts each window's mean and divides by its
        standard deviation; a series whose standard deviation overflows float64
        (values beyond about 1e154 in magnitude) is refused: rescale it (so is
        such an exogenous ``X``, which every scaling standardises per window).
        A series that varies by less than ``1e-8`` times the larger of 1 and
        its level within every window (values near 1e-9, a few units about
        1e9) has no window with a scale of its own, and ``fit`` warns: rescale
        it, or subtract its level. ``"mean"`` only divides each window by its mean
        absolute value, so the network sees growth in relative terms; suited to
        positive series whose variation grows with their level (sales,
        passengers). ``"series"`` maps each series' training data to [0, 1] once, so that the
        network sees where a window lies relative to the rest of the series (its
        level and trend).
    forking_sequences : bool, default=True
        Train every step of a window to forecast the ``horizon`` steps that follow
        it ("forking sequences", Wen et al., 2017), not only the window's last
        step. The causal network makes each step's forecast from the data up to
        that step, so one window gives ``window_length`` training targets instead
        of one, which regularises training on short series. Forecasts are read
        from the last step either way. Not used with exogenous ``X``, whose
        windows include the horizon.
    calibration_size : float, default=0.2
        Fraction of the training windows (per series, the most recent) whose
        forecast errors calibrate the prediction intervals. They are split into up
        to three consecutive blocks, each forecast by a network trained only on
        earlier windows (a small rolling-origin backtest, so up to three extra
        fits). 0 uses the training windows' own residuals (intervals then tend to
        be too narrow).
    lazy_windows : {{"auto", True, False}}, default="auto"
        Whether the training windows are made batch by batch while the network
        trains (True) or cut once into arrays in memory (False). Each window is
        a copy of ``window_length`` observations, and with forking sequences it
        carries ``window_length * horizon`` targets, so the arrays can be many
        times larger than the series. Lazy windows cost memory for one batch
        only, at some Python work per batch, and need ``validation_split=0``
        (early stopping then watches the training loss); either way the
        windows are scored after training (residuals, calibration) in chunks
        of at most {_SCORED_BYTES // 2**20} MiB (or one window). ``"auto"``: lazy when
        the arrays would exceed {_LAZY_WINDOW_BYTES // 2**20} MiB and
        ``validation_split=0``.
    max_windows_per_series : int or None, default=256
        Most training windows a network trains on per series, with forking
        sequences. A series with more keeps every ``k``-th window, counted back
        from its most recent, with the smallest ``k`` that leaves at most this
        many (but ``k`` at most ``window_length_``). Consecutive windows share
        all but one step, and every step of a window is a training target, so
        the kept windows still cover every step of the series but fewer than
        ``k`` at its start, ``window_length_ / k`` times over instead of
        ``window_length_`` times, at ``1 / k`` of the training cost; the calibration and the residuals still score every
        window. ``None`` trains on every window, at a cost that grows with the
        series' length. Without forking sequences (``forking_sequences=False``,
        or exogenous ``X``) a window is a single target and every window is
        kept. No series of the tuning set (``benchmarks/forecasting.py``) has as
        many as 256 windows.
    n_networks : int, default=3
        Number of networks trained on the same windows from different seeds
        (``random_state``, ``random_state + 1``, ...); the point forecast is
        their average. One network's forecast depends on its initialisation
        and batch order; on airline (last 36 months held out), networks that
        forecast the series itself (``baseline=None``) beat the seasonal naive
        forecast with 6 of 15 seeds alone and with 5 of 5 disjoint triples as
        averages of three (``benchmarks/RESULTS.md``). The average's absolute
        error is never above the members' mean absolute error. The networks
        train together as one Keras model, on the same batches (see the user
        guide's "Training regime"); the calibration networks stay single.
    baseline : {{"auto", "naive", "seasonal_naive", "drift", "seasonal_drift", "ses", "theta"}} or None, default="auto"
        The simple forecast the networks correct: they learn what it gets wrong,
        in each window's scale, and the forecast is the baseline plus their
        average correction (the way the hybrid winner of the M4 competition let
        a network correct exponential smoothing). ``"naive"`` repeats the last
        value, ``"seasonal_naive"`` the last season, ``"drift"`` continues the
        line through the first and last observation, ``"seasonal_drift"``
        repeats the last season raised by that drift, ``"ses"`` repeats the
        level of simple exponential smoothing, and ``"theta"`` adds half the
        least-squares trend to that level (the theta method, without its
        seasonal adjustment); both choose their smoothing constant at each
        origin from the errors before it. ``"auto"`` picks the one
        with the least error on the training series' own past (every origin,
        errors relative to each series' scale). ``None``: the networks forecast
        the series itself. On airline the baseline took the mean MAPE from
        0.114 to 0.05-0.10; see ``benchmarks/RESULTS.md``.
    sp : int or "auto", default="auto"
        Season length of the seasonal baselines. ``"auto"`` reads it from the
        index's frequency (monthly 12, business-monthly too, semi-monthly 24,
        quarterly 4, weekly 52, daily 7, business-daily 5, hourly 24, shorter
        steps the day's number of them, up to 1440 minutes; 1 without a
        frequency, such as a ``RangeIndex``, and for seconds), in steps: 12
        for ``"2h"``, and 1 where the season is no whole number of steps
        (``"2D"``). Steps of an hour or shorter also have the week (168 hours,
        up to a week of minutes): where every series holds a week plus a
        horizon and ``baseline="auto"``, the seasonal baselines compete at
        both seasons and ``sp_`` is the one chosen.
    calendar_features : bool, default=False
        Give the networks each step's position in the season of ``sp_`` steps
        (the month of the year for monthly data, the day of the week for daily
        data, the hour of the day for hourly data), as two extra input channels:
        the sine and cosine of the phase, so that the season's last step sits
        next to its first. The phase is counted from y's index (a
        ``PeriodIndex``, a ``DatetimeIndex`` with a frequency, or integers), so
        the horizon's calendar follows from the window's and ``predict`` needs
        nothing more. A time-zone-aware index counts in local time (the hour
        on the local clock, across changes of daylight saving time). A
        frequency with no season sktcn knows (yearly, seconds "s") needs ``sp``.
        Off by default: beside the seasonal baselines it helped
        two of the benchmark series (US unemployment, inflation) and hurt
        four (airline, PBS, US real GDP, US consumption), and the
        geometric-mean error rose
        (``benchmarks/RESULTS.md``).
    static_features : list of X column names or None, default=None
        Columns of ``X`` that hold one number per series (a panel's store size,
        region number, ...; X holds numbers only, so encode text as numbers or
        one-hot columns first). They are standardised across the training series
        and given to the networks as constant channels beside each window,
        instead of entering the windows as exogenous data (which standardises
        every window by itself and would turn a constant into 0). ``predict``
        does not need them again; if X has no other columns, it needs no X.
        A ValueError names a column that X lacks or that changes within a series.
        A series first seen in ``update`` takes its values from update's X,
        standardised as fit's series were.
    correction : {{"backtest", "always"}}, default="backtest"
        Whether the networks' correction of the baseline must earn its place.
        ``"backtest"``: the calibration backtest (see ``calibration_size``)
        also scores the baseline alone on its held-out windows, and the
        forecast keeps the correction only if it lowered the mean absolute
        error there; otherwise the forecast is the baseline, and the intervals
        come from the baseline's own held-out errors. ``"always"``: the
        correction is always added. Without a backtest (``calibration_size=0``,
        or series too short to hold windows out) and with ``baseline=None`` the
        correction is always kept. ``correction_weight_`` says what fit chose.
{_SHARED_DOC}
    Attributes
    ----------
    regressors_ : list of TCNRegressor
        The fitted networks whose average is the point forecast: one
        TCNRegressor with ``n_networks`` networks (its ``predict_members``
        gives each one's output); files saved before the networks trained
        together load as one single-network regressor per network.
    regressor_ : TCNRegressor
        The first of ``regressors_`` (its ``dilations_``, ``receptive_field_``
        and ``history_`` describe the networks).
    window_length_ : int
        The window length used.
    horizon_ : int
        Number of steps the network forecasts (the furthest step of ``fh``).
    residual_quantile_source_ : ndarray of shape (n_windows, horizon, n_variables)
        Standardised residuals the intervals are computed from: each in its
        window's scale, or in its series' typical scale where the window's past
        does not vary; NaN (left out of the pool) for a series whose values are all equal.
    interval_calibration_ : {"backtest", "in-sample"} or None
        Where those residuals come from: ``"backtest"``, the held-out windows'
        forecast errors; ``"in-sample"``, the training windows' own errors
        (``calibration_size=0``, or too few windows to hold some out), which
        make intervals too narrow. Where fit had too few windows (and a
        baseline), each error is the larger of the forecast's and the
        baseline's on the same window and step: the networks can reproduce the
        windows they trained on (a single one exactly: intervals of width 0),
        the baseline trained on none.
        ``None`` for files saved before it was kept.
    baseline_ : str or None
        The baseline the networks correct (``baseline``, or the one ``"auto"`` chose).
    baseline_revision_ : int
        The revision of the simple forecasts' arithmetic the networks were
        trained to correct, which every forecast, interval and refit of this
        forecaster keeps (``update`` too): 2 for fits since sktcn changed
        ``"seasonal_drift"``'s slope to the mean seasonal difference, 1 for
        forecasters saved or pickled before (its slope from the first
        observation to the origin). A new ``fit`` takes the latest.
    correction_weight_ : float
        1.0 when the forecast adds the networks' correction to the baseline,
        0.0 when ``correction="backtest"`` dropped it (see ``correction``).
    sp_ : int
        The season length of the seasonal baselines and the calendar features:
        ``sp``, or the season ``sp="auto"`` read from the index; of two (a day
        and a week of hours), the one whose seasonal baseline ``"auto"`` chose,
        whose steps the calendar features then count (the hour of the week).
    covariates_ : dict or None
        Per series key (``None`` for a single series), the phase in the season
        of its first observation (or None) and its standardised static features
        (or None), from which the calendar and static channels are made; None
        when neither ``calendar_features`` nor ``static_features`` is set. A
        time-zone-aware index of steps shorter than a day, in a zone with
        daylight saving time, has a ``sktcn._covariates.LocalClock`` in place
        of the phase: each step's phase comes from its own local time.
    series_scale_ : list of (key, mean, scale) or None
        With ``scaling="series"``, each series' key (``None`` for a single series)
        and the statistics of ``y`` the network was trained with; else ``None``.
    pretrained_ : sktcn._pretrained.Pretrained
        Set by ``pretrain`` only: the pretrained networks' weights and target
        standardisation (``start``), their ``horizon``, ``window_length``,
        ``baseline`` and ``sp``, the ``n_variables`` of ``y`` they forecast, and
        the ``n_series`` and ``n_observations`` they were pretrained on.

    Notes
    -----
    ONNX export (serving without TensorFlow): each of ``regressors_`` exports
    its network with ``export_onnx``. The windows' scaling, the decoding of
    the networks' standardised outputs (``target_encoder_``), the average over
    networks and the mapping back to the series' units happen outside the
    networks, in a few lines of numpy; the user guide's page "Serving without
    TensorFlow: ONNX export" shows them.

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from sktcn import TCNForecaster
    >>> y = load_airline()
    >>> forecaster = TCNForecaster(nb_filters=8, epochs=3, n_networks=1, random_state=0)
    >>> forecaster = forecaster.fit(y, fh=[1, 2, 3])
    >>> forecaster.window_length_
    10
    >>> forecaster.predict().index.astype(str).tolist()
    ['1961-01', '1961-02', '1961-03']
    >>> forecaster.predict_interval(coverage=0.9).shape
    (3, 2)
    """

    _tags = {
        "authors": ["sktcn developers"],
        "maintainers": ["sktcn developers"],
        "python_dependencies": ["tensorflow", "keras-tcn"],
        "object_type": "forecaster",
        "scitype:y": "both",
        "y_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "X_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "capability:exogenous": True,
        "capability:multivariate": True,
        "capability:insample": False,
        "capability:pred_int": True,
        "capability:pred_int:insample": False,
        "capability:missing_values": False,
        # Numbers only: sktime then refuses categorical or string columns of X
        # with its own clear error (its default, True, passed them through).
        "capability:categorical_in_X": False,
        "capability:update": True,
        # pretrain trains the networks on a panel; fit then starts from them (sktcn._pretrained).
        "capability:pretrain": True,
        "pretrain:fitted_params": ["pretrained_"],
        "capability:unequal_length": True,
        "requires-fh-in-fit": True,
        "X-y-must-have-same-index": True,
        "fit_is_empty": False,
        # Random without random_state; with it, fits on the CPU repeat exactly.
        "property:randomness": "derandomized",
        "capability:random_state": True,
    }

    # Forecasts start from the stored data up to the cutoff and refits use all of
    # it, so the forecaster relies on sktime remembering y and X (the default today,
    # no longer from sktime 1.3): declared here rather than left to the default.
    _config = {"remember_data": True}

    # The forecaster's own parameters, and the shared ones TCNRegressor checks,
    # validated together in fit before any window is made.
    _parameter_constraints = {
        **{name: constraint for name, constraint in TCNEstimatorBase._parameter_constraints.items()
           if name in _SHARED_PARAMS},
        "window_length": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "scaling": [StrOptions(set(SCALINGS))],
        "forking_sequences": ["boolean"],
        "calibration_size": [Interval(numbers.Real, 0, 1, closed="left")],
        "lazy_windows": [StrOptions({"auto"}), "boolean"],
        "max_windows_per_series": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "baseline": [StrOptions({"auto", *_simple_forecasts.SIMPLE_FORECASTS}), None],
        "sp": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None, closed="left")],
        "calendar_features": ["boolean"],
        "static_features": [list, tuple, None],
        "correction": [StrOptions({"backtest", "always"})],
        **ENSEMBLE_CONSTRAINT,
    }

    def __init__(self, **params):
        self._refuse_unknown_params(params)
        for name, default in {**_OWN_PARAMS, **_SHARED_PARAMS}.items():
            setattr(self, name, params.get(name, default))
        with warnings.catch_warnings():
            # sktime announces its change of default; the setting above is explicit.
            warnings.filterwarnings("ignore", message="The default of config ``remember_data``")
            super().__init__()

    __init__.__signature__ = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
            for name, default in {**_OWN_PARAMS, **_SHARED_PARAMS}.items()
        ]
    )

    @staticmethod
    def _refuse_unknown_params(names, error=TypeError):
        """Raise ``error`` for the ``names`` that are not parameters of the forecaster, with a hint for each.

        TypeError in the constructor, as Python's own unexpected keyword; ValueError in ``set_params``,
        as scikit-learn's and skbase's ``set_params`` raise for an invalid name.
        """
        known = {**_OWN_PARAMS, **_SHARED_PARAMS}
        unknown = sorted(set(names) - set(known))
        if unknown:
            # The hints scikit-learn's estimators of sktcn give, for an estimator without routed parameters.
            raise error(f"TCNForecaster got unexpected parameters {unknown}." + unknown_params_advice(unknown, known))

    def set_params(self, **params):
        # sktime reads a name "a__b" as the parameter b of the component that
        # parameter a holds, and set a regressor's routed name such as
        # optimizer__momentum on the optimizer's value: an AttributeError ('str'
        # object has no attribute 'set_params'). A name that is neither a
        # parameter (of the forecaster, or of a component, as get_params(deep=True)
        # lists them) nor sktime's shorthand for one gets the constructor's
        # message, as the ValueError set_params raises for invalid names, before
        # any parameter is set.
        valid = self.get_params(deep=True)
        self._refuse_unknown_params(
            (name for name in params if name not in valid and not any(key.endswith("__" + name) for key in valid)),
            error=ValueError,
        )
        pretrained = self._pretrained() is not None
        super().set_params(**params)
        if pretrained:
            # sktime resets a forecaster whose parameters are set, pretrained_ included; its
            # tuners set each candidate's parameters on a clone, so without this a grid search
            # of a pretrained forecaster would quietly compare fits from scratch.
            warnings.warn(_PRETRAINING_DROPPED, UserWarning, stacklevel=2)
        return self

    set_params.__doc__ = BaseForecaster.set_params.__doc__

    def __getstate__(self):
        # A copy: on Python 3.11+ object's __getstate__ hands out the live __dict__.
        state = dict(super().__getstate__())
        # A Strategy object does not pickle: stored by its name, as the
        # regressors' own (TCNEstimatorBase.__getstate__), so that pickles,
        # deep copies and joblib's worker processes get the forecaster.
        state["distribution_strategy"] = picklable_strategy(state.get("distribution_strategy"))
        return state

    # ----------------------------------------------------------------- checks
    def _check_params(self, restoring=False):
        """Raise ValueError/TypeError for invalid parameters, before any windowing or training.

        ``restoring``: the networks come trained from a saved file, which must
        load as it was saved: what sktcn has refused since it was saved (a
        loss or metric, ``padding="same"``) is warned of, not raised.
        """
        check_constraints(self)
        check_keras_names(self)
        try:
            check_numeric_target_losses(self.loss, self.metrics, type(self).__name__)
        except ValueError as refused:
            if not restoring:
                raise
            # Saved before sktcn refused such a loss or metric (as the padding below):
            # its networks load and forecast as they were trained, and it says
            # why it would not train again. A refit checks them again (_update).
            warnings.warn(
                f"This forecaster was trained with a loss or metrics that sktcn now refuses: {refused} It "
                "forecasts as before; refitting it (fit, update with update_params=True) needs others.",
                UserWarning,
                stacklevel=3,
            )
        if self.padding == "same" and restoring:
            # Saved before padding="same" was refused: it loads and forecasts as
            # before, and says why it would not train again.
            warnings.warn(
                "This forecaster was trained with padding='same', which sktcn now refuses: a non-causal network's "
                "steps see the values after them, which are the targets it learns in training and are missing at "
                "the forecast origin, so its forecasts are unreliable. It forecasts as before; refitting it "
                "(fit, update with update_params=True) needs padding='causal'.",
                UserWarning,
                stacklevel=3,
            )
        elif self.padding == "same":
            # A non-causal network's step sees the steps after it. Trained on
            # forking sequences those are the very values it learns to forecast,
            # and at the forecast origin they are padding; read from one step,
            # keras-tcn takes the middle of the window (TCNEstimatorBase._check_params).
            raise ValueError(
                "padding='same' cannot forecast: a non-causal network's steps see the values after them, which "
                "are the targets it learns in training and are missing at the forecast origin. Use "
                "padding='causal'."
            )
        # The truth value, not `is True`: the "boolean" constraint also takes numpy's bools.
        if self.lazy_windows != "auto" and self.lazy_windows and self.validation_split:
            raise ValueError(
                f"validation_split={self.validation_split} needs the training windows in memory to draw the "
                "split from; with lazy_windows=True set validation_split=0 (early_stopping then watches the "
                "training loss), or set lazy_windows=False."
            )

    def _series_cutoffs(self):
        """Each series' cutoff, the time of its last observation (sktime's one-entry index), in ``_y``'s order.

        sktime's ``cutoff`` of a panel is its latest; a series that ends earlier
        is forecast from its own end, as sktime's per-series forecasters do. Its
        end is that of the data fit or update last gave for it (``_series_ends``).
        """
        if not isinstance(self._y.index, pd.MultiIndex):
            return [self.cutoff]
        ends = self._series_ends if getattr(self, "_series_ends", None) is not None else last_times(self._y)
        return [self.cutoff if end == self.cutoff[0] else self._cutoff_at(end) for end in ends]

    def _y_to_cutoff(self):
        """The stored y up to each series' cutoff: the data forecasts and refits read.

        sktime stores all the data fit and update were given, but sets the
        cutoff at the end of the last update's y, which may precede data
        stored before: an update with earlier data (sktime's ``update_predict``
        replays earlier cutoffs so) moves it back. Then, as in sktime's own
        forecasters, each series is forecast from, and refit on, its data up to
        its cutoff only. ``_series_ends`` holds each series' cutoff time
        (:func:`sktcn._windows.last_times`' form) where one precedes its stored
        data's end, else None. X is read at the times of this y.
        """
        ends = getattr(self, "_series_ends", None)  # None in forecasters pickled before it was kept
        return self._y if ends is None else up_to(self._y, ends)

    def _per_series_cutoff(self, function):
        """``function(cutoff)`` for each series' cutoff, computed once per distinct one (most series share one)."""
        done = {}
        return [done[cutoff[0]] if cutoff[0] in done else done.setdefault(cutoff[0], function(cutoff))
                for cutoff in self._series_cutoffs()]

    def _cutoff_at(self, time):
        """sktime's one-entry cutoff index at ``time``, of the same kind and frequency as ``cutoff``."""
        if isinstance(self.cutoff, pd.DatetimeIndex):
            return pd.DatetimeIndex([time], freq=self.cutoff.freq)
        return self.cutoff[:0].append(pd.Index([time]))

    def _horizon_steps(self, fh):
        """The steps of ``fh`` counted from each series' cutoff: ``(n_series, len(fh))``, all >= 1."""
        steps = np.array(self._per_series_cutoff(functools.partial(relative_steps, fh)))
        if np.any(steps < 1):
            raise ValueError(
                f"TCNForecaster forecasts the future only; fh holds in-sample steps {steps[steps < 1].tolist()}. "
                "Give relative steps >= 1 (or absolute times after the end of y)."
            )
        return steps

    def _choose_window_length(self, lengths, horizon, keys=None):
        """The window length a fit on series of ``lengths`` chooses for ``horizon`` (:func:`choose_window_length`).

        ``keys``: the series' keys, which its refusal names, in the order of ``lengths``.
        """
        return choose_window_length(lengths, horizon, self.window_length, _MIN_WINDOWS, keys)

    def _window_length_for(self, arrays, horizon):
        """:meth:`_choose_window_length` for the series ``arrays`` (``_arrays``'), which its refusal names."""
        return self._choose_window_length([len(y) for _, y, _ in arrays], horizon, [key for key, _, _ in arrays])

    # ---------------------------------------------------------------- windows
    def _forking(self):
        """Whether the network trains on forking sequences (never with exogenous X: see the docstring)."""
        return bool(self.forking_sequences) and not self._window_columns(self._X)

    def _window_columns(self, X):
        """The columns of ``X`` that enter the windows over time: all but ``static_features`` (none without X)."""
        if X is None:
            return []
        static = set(self.static_features or ())
        return [column for column in X.columns if column not in static]

    def _window_X(self, X):
        """``X`` restricted to ``_window_columns``; None if none are left.

        Missing static columns are reported by _fit_covariates, with the fix.
        """
        columns = self._window_columns(X)
        if not columns:
            return None
        return X if len(columns) == X.shape[1] else X[columns]

    def _arrays(self, y, X):
        """``series_arrays`` of y and the windows' part of X (``_window_X``)."""
        return series_arrays(y, self._window_X(X))

    def _fit_covariates(self, y, X):
        """(``covariates_``, static statistics): the channels' values per series, and the static features' scaling.

        ``covariates_`` holds, per series key, the (calendar phase,
        standardised static values) of its channels; the statistics are the
        (mean, scale) the static values were standardised by. Each is None
        without its features. Both are functions of the stored data (the index
        of y, the static columns of X), so a refit, an update and a restored
        file recompute them alike; a restored file keeps its own statistics, those
        of the series it was fit on, which an update may have joined since.
        """
        if not self.calendar_features and not self.static_features:
            return None, None
        parts = series_of(y)
        keys = [key for key, _ in parts]
        phases = dict.fromkeys(keys)
        if self.calendar_features:
            if self.sp_ < 2:
                raise ValueError(f"calendar_features=True needs a season of at least 2 steps, {self._no_season(y)}")
            restored = _RESTORED_NETWORK.get()
            # Trained here, the networks learn the local clock; restored, they read what they learnt.
            self._local_clock = restored.local_clock if restored is not None else True
            phases = {key: self._calendar_phase(part.index) for key, part in parts}
        statics, statistics = dict.fromkeys(keys), None
        if self.static_features:
            x_parts = None if X is None else dict(series_of(X))
            values = _covariates.static_values(x_parts, self.static_features, keys)
            restored = _RESTORED_NETWORK.get()
            statistics = restored.static_statistics if restored is not None else None
            statistics = _covariates.static_statistics(values) if statistics is None else statistics
            statics = _covariates.standardise_static(values, statistics)
        return {key: (phases[key], statics[key]) for key in keys}, statistics

    def _calendar_phase(self, index):
        """What the calendar channels of the series indexed by ``index`` count from, as the networks were trained.

        :func:`sktcn._covariates.calendar_phase`; but a forecaster restored from
        a file written before time-zone data kept the local clock (or unpickled
        from then) counts steps from the first local hour, as its networks learnt.
        """
        if self._keeps_local_clock():
            return _covariates.calendar_phase(index, self.sp_)
        return _covariates.first_phase(index, self.sp_)

    def _keeps_local_clock(self):
        """Whether the calendar channels follow the local clock (see :meth:`_calendar_phase`).

        A forecaster pickled before they did has no ``_local_clock``: its
        covariates tell, since only the local clock stores a LocalClock.
        """
        if hasattr(self, "_local_clock"):
            return self._local_clock
        return any(isinstance(phase, _covariates.LocalClock) for phase, _ in (self.covariates_ or {}).values())

    def _window_spec(self):
        """How this fitted forecaster makes windows (see :class:`sktcn._windows.WindowSpec`)."""
        return WindowSpec(self.window_length_, self.horizon_, get_scaling(self.scaling),
                          _window_scaling.statistics_table(self.series_scale_), self._forking(),
                          self.baseline_, self.sp_, self.covariates_, self.baseline_revision_)

    def _windows_at(self, arrays, rows, fit_targets=True):
        """Inputs, scaled targets and (if asked) fit targets of the windows at ``rows`` (see ``_windows.windows_at``)."""
        return windows_at(self._window_spec(), arrays, rows, fit_targets)

    def _network_forecast(self, regressors, inputs):
        """The networks' average scaled forecast ``(n_windows, horizon * n_variables)``, read from the last step."""
        total = 0.0
        for regressor in regressors:
            raw = regressor._predict_raw(inputs)
            # With forking sequences only the last step's output is decoded (to
            # float64, elementwise: the same values as regressor.predict's):
            # decoding every step cost window_length times the memory.
            predicted = regressor.target_encoder_.inverse_transform(raw[:, -1] if self._forking() else raw)
            total = total + predicted.reshape(len(inputs), -1)
        return total / len(regressors)

    def _correction(self, regressors, inputs, varies, weight=1.0):
        """The networks' average forecast ``(n, horizon, n_variables)`` times ``weight``; none where not ``varies``.

        ``varies`` ``(n, n_variables)``: whether each window's past varies
        (``_windows.varying``); a window that does not gets no correction.
        """
        forecast = self._network_forecast(regressors, inputs).reshape(len(inputs), self.horizon_, -1)
        return weight * forecast * varies[:, None, :]

    @property
    def regressor_(self):
        return self.regressors_[0]

    # ---------------------------------------------------------------- fitting
    def _regressor(self, seed, n_networks=1, reuse=None):
        """A new TCNRegressor of the forecaster's parameters; ``reuse``: a ReusedNetwork its fit trains."""
        params = {name: getattr(self, name) for name in _SHARED_PARAMS}
        # The windows arrive scaled by the forecaster's own `scaling`.
        regressor = TCNRegressor(**dict(params, random_state=seed), return_sequences=self._forking(),
                                 input_scaling=None, input_noise=0.0, n_networks=n_networks)
        regressor._network_reuse = reuse
        pretrained = self._pretrained()
        # A pretrained forecaster's networks start from the pretrained ones (sktcn._pretrained).
        regressor._starting_point = None if pretrained is None else pretrained.start.first(n_networks)
        # The forecaster builds the windows (window, step, channel) itself: a
        # short window with many covariates is not a transposed panel.
        regressor._checks_input_layout = False
        # Correcting a baseline, the head starts at zero (the estimators' head), so
        # that an untrained network adds only its targets' mean to the baseline.
        # Forecasting the series itself (baseline=None), Keras' random head: on
        # airline the zero head raised that forecaster's mean MAPE over seeds 0-4
        # from 0.1143 to 0.1350 (benchmarks/RESULTS.md).
        regressor._head_initializer = "glorot_uniform" if self.baseline_ is None else "zeros"
        return regressor

    def fit(self, y, X=None, fh=None):
        self._check_remembers_data()
        # sktime resets the forecaster before calling _fit: without this a failed
        # refit would leave it unfitted, not as it was (docs/design.md).
        with unchanged_on_failure(self):
            return super().fit(y, X=X, fh=fh)

    fit.__doc__ = BaseForecaster.fit.__doc__

    def fit_predict(self, y, X=None, fh=None, X_pred=None):
        # sktime's own resets the forecaster and calls _fit directly, past fit's
        # snapshot and data check: a failed call would lose the previous fit. As
        # sktime documents it, fit(y, X, fh).predict(X_pred), X_pred defaulting
        # to X; a failure in either leaves the forecaster as it was.
        with unchanged_on_failure(self):
            return self.fit(y, X=X, fh=fh).predict(X=X if X_pred is None else X_pred)

    fit_predict.__doc__ = BaseForecaster.fit_predict.__doc__

    def update(self, y, X=None, update_params=True):
        self._check_remembers_data()
        # sktime stores the new data and moves the cutoff before _update can
        # refuse them (non-finite y): a refused update must leave it as it was.
        with unchanged_on_failure(self):
            return super().update(y, X=X, update_params=update_params)

    update.__doc__ = BaseForecaster.update.__doc__

    def update_predict_single(self, y=None, fh=None, X=None, update_params=True):
        self._check_remembers_data()
        # As update: sktime stores the new data and moves the cutoff before
        # _update can refuse them. A warm update trains the networks in place,
        # and the forecast after it may still fail (X without the horizon's
        # rows): their weights, optimizers and histories go back too.
        warm = getattr(self, "regressors_", ()) if self.warm_start and update_params else ()
        with unchanged_on_failure(self), fit_restored_on_failure(*warm):
            return super().update_predict_single(y=y, fh=fh, X=X, update_params=update_params)

    update_predict_single.__doc__ = BaseForecaster.update_predict_single.__doc__

    def _update_predict_single(self, y, fh, X=None, update_params=True):
        # sktime's default calls the public update with y already in the inner
        # type (a DataFrame): it stored the data a second time and recorded
        # that type as the newest y's, so a Series user got frames back, from
        # this call and from every predict after it. The caller has stored the
        # data and moved the cutoff; what is left is update's own work.
        self._update(y, X=X, update_params=update_params)
        return self.predict(fh=fh, X=X)

    def _check_X_y(self, X=None, y=None, **kwargs):
        # Where every y and X of fit, update and predict enter, converted to
        # sktime's inner frames: read in native byte order before sktime
        # stores them or _fit looks their rows up (native_byte_order).
        X_inner, y_inner = super()._check_X_y(X=X, y=y, **kwargs)
        return native_byte_order(X_inner), native_byte_order(y_inner)

    def _update_y_X(self, y, X=None, enforce_index_type=None):
        # sktime's hook that stores fit's data, and update's with fit's (by
        # column name): update's columns must line up with fit's. sktime lets a
        # time repeated within a series through: refused here, before the
        # cutoff is set (fit's X is checked where its rows are looked up, in
        # series_arrays; update's X would fail sktime's pooling with pandas' error).
        check_unique_index(y)
        if not self.is_fitted:
            super()._update_y_X(y, X, enforce_index_type=enforce_index_type)
            self._series_ends = None  # every series' cutoff is its last time
            self._restore_cutoffs(y)
            return
        check_unique_index(X, "X")
        # A series first seen here needs its calendar and static channels to be
        # forecast at all (update_params=False keeps the networks): made, or
        # refused, before sktime stores anything.
        covariates = self._new_series_covariates(y, X)
        y = pooled_columns(y, getattr(self, "_y", None))
        X = pooled_columns(X, getattr(self, "_X", None), "X", self.static_features or ())
        super()._update_y_X(y, X, enforce_index_type=enforce_index_type)
        self.covariates_ = covariates
        # As sktime sets the cutoff at the end of update's y, each series of y
        # ends at its own end in y, even where sktime stored later data of it
        # before; the others keep theirs (sktime's per-series forecasters do
        # so), which without _series_ends is their stored end, unchanged here.
        stored = last_times(self._y)
        previous = getattr(self, "_series_ends", None)
        ends = last_times(y).combine_first(stored if previous is None else previous).reindex(stored.index)
        self._series_ends = None if ends.equals(stored) else ends

    def _restore_cutoffs(self, y):
        """Set the cutoffs a saved file keeps (``_Restored.cutoff``): a restored forecaster's fit of its stored ``y``.

        Saved after an update had moved a cutoff back, the file holds sktime's
        cutoff and the number of each series' rows up to its own cutoff (all
        of them where only sktime's moved back). ModelFileError where they do
        not fit the stored data.
        """
        restored = _RESTORED_NETWORK.get()
        if restored is None or restored.series_rows is None:
            return
        parts, cutoff = series_of(y), restored.cutoff
        if (len(restored.series_rows) != len(parts) or len(cutoff) != 1
                or not y.index.get_level_values(-1).isin(cutoff).any()
                or not all(1 <= rows <= len(part) for rows, (_, part) in zip(restored.series_rows, parts))):
            raise persistence.ModelFileError(
                "the manifest's cutoffs do not fit its stored data: it was altered."
            )
        ends = last_times(y)
        series_ends = pd.Series([part.index[rows - 1] for rows, (_, part) in zip(restored.series_rows, parts)],
                                index=ends.index, dtype=ends.dtype)
        # Every series' at its end (sktime's cutoff alone moved back): None, as in the forecaster saved.
        self._series_ends = None if series_ends.equals(ends) else series_ends
        self._cutoff = cutoff

    def _new_series_covariates(self, y, X):
        """``covariates_`` with the channels of the series of update's ``y`` (and ``X``) that it lacks.

        The known series keep theirs. A new series' calendar phase is read from
        its own index, as fit reads every series'; its static values come from
        ``X``, standardised by the statistics of the series fit standardised
        (``_static_statistics``), so that the networks read them on fit's scale.
        A ValueError names a new series whose static values ``X`` lacks. With
        ``update_params=True`` the refit recomputes them all.
        """
        covariates = getattr(self, "covariates_", None)
        if covariates is None:
            return covariates
        new = [(key, part) for key, part in series_of(y) if key not in covariates]
        if not new:
            return covariates
        keys = [key for key, _ in new]
        phases = statics = dict.fromkeys(keys)
        if self.calendar_features:
            phases = {key: self._calendar_phase(part.index) for key, part in new}
        if self.static_features:
            statics = _covariates.standardise_static(self._new_static_values(X, keys), self._fitted_static_statistics())
        return {**covariates, **{key: (phases[key], statics[key]) for key in keys}}

    def _new_static_values(self, X, keys):
        """The raw static values of the series ``keys``, which fit did not see, from update's ``X``."""
        columns = list(self.static_features)
        parts = {} if X is None else dict(series_of(X))
        lacking = [key for key in keys if key not in parts or not set(columns) <= set(parts[key].columns)]
        if lacking:
            raise ValueError(
                f"update's y holds series {', '.join(map(series_name, lacking))}, which fit did not see, and update's X "
                f"does not give {'its' if len(lacking) == 1 else 'their'} static_features {columns}: the networks "
                "read every series with its static values. Give update an X with those columns at every time of "
                "the new series, as fit's X had them for its series (a refit, update_params=True, needs them too)."
            )
        return _covariates.static_values(parts, columns, keys)

    def _fitted_static_statistics(self):
        """The (mean, scale) fit standardised the static features by (``_static_statistics``).

        A forecaster pickled before they were kept has covariates of fit's
        series only (a series new in an update could not be forecast without a
        refit then): theirs, from the stored X.
        """
        statistics = getattr(self, "_static_statistics", None)
        if statistics is None:
            keys = list(self.covariates_)
            values = _covariates.static_values(dict(series_of(self._X)), self.static_features, keys)
            statistics = _covariates.static_statistics(values)
        return statistics

    def _set_cutoff_from_y(self, y):
        # sktime's hook that sets the cutoff from fit's or update's y (before
        # _fit, and before the horizon takes the cutoff's frequency). A panel's
        # cutoff takes its frequency from the time level, which a DatetimeIndex
        # set from a date column lacks: fit would train, then every forecast
        # fail. It takes the one its series' dates have (fit's, in an update).
        # Where they have none, only a relative horizon needs one (forecasts at
        # absolute times are counted in the horizon's own frequency):
        # _check_countable_horizon refuses that, before training. A single
        # series' cutoff has the frequency sktime infers from fit's dates; where
        # none fits them (a gap), fit records why in the same way. (An update's
        # new dates are too few to infer one from, and the horizon keeps fit's.)
        # A panel's frequency is read from its series, never from the merged
        # time level, where sktime may find one: two series every other day, a
        # day apart, merge into daily dates, and a series with a missing date
        # hides beside a complete one. Both would be forecast at wrong times.
        previous = self.cutoff
        super()._set_cutoff_from_y(y)
        self._freq_problem = None
        panel = isinstance(y.index, pd.MultiIndex)
        if (isinstance(self._cutoff, pd.DatetimeIndex)
                and (panel or (self._cutoff.freq is None and not self.is_fitted))):
            merged = self._cutoff.freqstr if panel else None
            # sktime sets the cutoff twice per update: the second call finds the
            # first one's cutoff, without a freq where the dates had none.
            known = previous.freqstr if isinstance(previous, pd.DatetimeIndex) else None
            known = self._dates_freq = known or getattr(self, "_dates_freq", None)
            # Without sktime's freq first: pandas refuses a new freq over another.
            self._cutoff = pd.DatetimeIndex(self._cutoff, freq=None)
            try:
                self._dates_freq = panel_freq(y, known, merged=merged)
            except ValueError as problem:
                self._freq_problem = str(problem)
            else:
                self._cutoff = pd.DatetimeIndex(self._cutoff, freq=self._dates_freq)

    def _check_fh(self, fh, pred_int=False):
        # sktime's check of fit's fh counts an absolute fh's steps, which fails
        # with pandas' message where neither y's dates nor fh's have a
        # frequency: _check_countable_horizon says so first.
        if fh is not None and not self.is_fitted and getattr(self, "_freq_problem", None):
            self._check_countable_horizon(check_fh(fh))
        return super()._check_fh(fh, pred_int=pred_int)

    def _check_countable_horizon(self, fh):
        """ValueError where ``fh`` needs the frequency y's dates lack (see _set_cutoff_from_y).

        A relative ``fh`` is counted in y's frequency; an absolute one in its
        own, which dates given without one lack.
        """
        problem = getattr(self, "_freq_problem", None)
        if not problem or fh is None:
            return
        if fh.is_relative:
            raise ValueError(problem)
        if fh.freq is None:
            raise ValueError(
                f"{problem} An absolute fh is counted in its own frequency instead, and its dates have none: give "
                "them one (ForecastingHorizon(pd.date_range(start, periods=n, freq='D'), is_relative=False))."
            )

    def _check_remembers_data(self):
        """ValueError unless sktime's config keeps ``remember_data`` on, which forecasts and refits read."""
        if not self.get_config()["remember_data"]:
            raise ValueError(
                "TCNForecaster forecasts from the newest data it has seen and refits on all of it, so it needs "
                "sktime to remember y and X: set_config(remember_data=True). Without it, update would move the "
                "cutoff while the forecast still started from the data of fit."
            )

    def _fit(self, y, X, fh):
        # Reached through fit only, whose snapshot undoes a failure here.
        restored = _RESTORED_NETWORK.get()
        self._check_params(restoring=restored is not None)
        self._check_countable_horizon(fh)
        check_finite(y)
        check_finite(X, "X")
        self._skipped_step = warn_skipped_steps(y)
        check_scalable(y, self.scaling)
        steps = self._horizon_steps(fh)
        self._y_columns = y.columns
        arrays = self._arrays(y, X)
        check_scalable(self._window_X(X), "standard", "X")  # numbers, as arrays read them
        lengths = [len(y) for _, y, _ in arrays]
        if restored is not None:
            # The networks' own window, horizon and baseline: those they were fit
            # with, whatever the stored (perhaps updated) data would choose now.
            self.horizon_, self.window_length_ = restored.horizon, restored.window_length
            self.baseline_, self.sp_ = restored.baseline, restored.sp
            self.baseline_revision_ = restored.baseline_revision
        elif self._pretrained() is not None:
            self._take_pretrained_frame(y, steps, lengths)
        else:
            self.horizon_ = int(steps.max())
            self.window_length_ = self._window_length_for(arrays, self.horizon_)
            self._warn_short_window(arrays)
            self.baseline_, self.sp_ = self._choose_baseline(arrays, self._seasons(y))
            self.baseline_revision_ = _simple_forecasts.LATEST_BASELINE_REVISION
        self.covariates_, self._static_statistics = self._fit_covariates(y, X)
        self._fit_network(arrays)
        self._keep_backtest_advice()
        return self

    # ------------------------------------------------------------- pretraining
    def _pretrain(self, y, X=None, fh=None):
        if fh is None:
            raise ValueError(
                "pretrain needs fh on its first call: the networks it trains forecast fh's steps, and a fit "
                "that starts from them forecasts no further. Give fh, e.g. pretrain(y, fh=[1, 2, 3])."
            )
        self.pretrained_ = self._pretrained_on(y, X, fh, start=None)
        return self

    def _pretrain_update(self, y, X=None, fh=None):
        # Another panel: the pretrained networks train further on it, with their horizon unless fh is given.
        previous = self._pretrained()
        if previous is None:
            return self._pretrain(y, X, fh)
        if fh is None:
            fh = ForecastingHorizon(np.arange(1, previous.horizon + 1), is_relative=True)
        self.pretrained_ = self._pretrained_on(y, X, fh, start=previous)
        return self

    def _pretrained_on(self, y, X, fh, start):
        """The :class:`sktcn._pretrained.Pretrained` of networks trained on the panel ``y`` (from ``start``'s)."""
        # A forecaster of the same parameters, fit on the panel as a global model; no
        # calibration backtest, since no interval is made from the pretraining itself.
        learner = type(self)(**dict(self.get_params(deep=False), calibration_size=0))
        if start is not None:
            # As sktime's clone of a pretrained forecaster is: its fit starts from start's networks.
            learner.pretrained_, learner._pretrained_attrs, learner._state = start, ["pretrained_"], "pretrained"
        learner.fit(y, X=X, fh=fh)
        n_series = len(series_of(learner._y))
        return Pretrained(
            start=starting_point(learner.regressor_),
            horizon=learner.horizon_,
            window_length=learner.window_length_,
            baseline=learner.baseline_,
            sp=learner.sp_,
            baseline_revision=learner.baseline_revision_,
            n_variables=len(learner._y_columns),
            n_series=n_series + (start.n_series if start is not None else 0),
            n_observations=len(learner._y) + (start.n_observations if start is not None else 0),
        )

    def _pretrained(self):
        """``pretrained_``, or None where the forecaster was not pretrained."""
        return getattr(self, "pretrained_", None)

    def _take_pretrained_frame(self, y, steps, lengths):
        """Take the horizon, window, baseline and season of ``pretrained_``; ValueError where ``y`` or fh do not fit.

        The networks' shapes fix the horizon and the window, and what they
        learnt to correct is the pretraining's baseline at its season.
        """
        pretrained = self._pretrained()
        if int(steps.max()) > pretrained.horizon:
            raise ValueError(
                f"fh reaches {int(steps.max())} steps ahead, but the pretrained networks forecast "
                f"{pretrained.horizon}: fit with an fh of at most {pretrained.horizon} steps, or pretrain again "
                "with this fh."
            )
        if len(y.columns) != pretrained.n_variables:
            raise ValueError(
                f"y has {len(y.columns)} variables, but the networks were pretrained on {pretrained.n_variables}: "
                "fit y of the pretraining's variables, or pretrain again."
            )
        needed = pretrained.window_length + pretrained.horizon
        if min(lengths) < needed:
            raise ValueError(
                f"The shortest series has {min(lengths)} observations; the pretrained networks read windows of "
                f"{pretrained.window_length} steps and forecast {pretrained.horizon}, so each series needs at least "
                f"{needed}: fit longer series, or pretrain again with a shorter window_length or fh."
            )
        self.horizon_, self.window_length_ = pretrained.horizon, pretrained.window_length
        self.baseline_, self.sp_ = pretrained.baseline, pretrained.sp
        self.baseline_revision_ = pretrained.baseline_revision

    def _warn_untested_pretrained(self, backtest, n_windows):
        """Warn where a fit from pretrained networks keeps their correction without the backtest that would test it.

        The pretrained window comes from the panel's series; a short series then
        gives too few windows of it to hold any out. On the cold-start benchmark
        (benchmarks/pretrain.py) such untested corrections made the forecast worse
        on most targets, and a window the short series could afford did not.
        """
        if backtest is not None or self._pretrained() is None or not self.calibration_size:
            return
        if not self._backtest_can_drop_correction():
            return
        warnings.warn(
            f"The series give {n_windows} windows of the pretrained window_length={self.window_length_} (plus the "
            f"horizon), too few to hold any out for the backtest that decides whether the pretrained networks' "
            "correction helps: it is kept untested. Pretrain with a window_length these series can afford "
            "(a few dozen windows), or fit longer series.",
            UserWarning,
            stacklevel=caller_stacklevel(),
        )

    def _warn_short_window(self, arrays):
        """Warn where the automatic window came out too short for the networks to read a pattern in it."""
        if self.window_length is not None or self.window_length_ >= _FEW_STEPS:
            return
        lengths = [len(y) for _, y, _ in arrays]
        if self.window_length_ < uncapped_window_length(lengths, self.horizon_, _MIN_WINDOWS):
            # The shortest series, not the count of windows, set it: a longer window is refused.
            key, shortest = min(((key, len(y)) for key, y, _ in arrays), key=lambda pair: pair[1])
            cause = (f"the shortest series, {series_name(key)}, has {shortest} observations, room for no longer a window "
                     f"before fh's {self.horizon_} steps. It leaves the networks almost no past to read, so they "
                     "seldom improve on the baseline. Give that series more observations (or forecast it apart from "
                     "the longer ones), or a shorter fh.")
        else:
            cause = (f"it shortens towards {_MIN_WINDOWS} training windows, which series this short cannot give, "
                     "and leaves the networks almost no past to read, so they seldom improve on the baseline. Give "
                     "longer series or a shorter fh, or pass a longer window_length, which reads more of the past "
                     "from fewer training windows (on series this short it may leave no room for the calibration "
                     "backtest).")
        warnings.warn(
            f"The automatic window_length_ is {self.window_length_} step(s): {cause}",
            UserWarning,
            stacklevel=caller_stacklevel(),
        )

    def _seasons(self, y):
        """``(sp,)``, or with ``sp="auto"`` the index frequency's seasons, the main one first (``(1,)`` without)."""
        if self.sp != "auto":
            return (int(self.sp),)
        return _simple_forecasts.season_lengths(self._season_index(y))

    def _season_index(self, y):
        """The index whose frequency implies ``y``'s season: its time index, or the cutoff for a panel's dates."""
        index = y.index.levels[-1] if isinstance(y.index, pd.MultiIndex) else y.index
        if isinstance(y.index, pd.MultiIndex) and isinstance(index, pd.DatetimeIndex):
            # The level's own frequency, where pandas keeps one, is its merged dates': not the series'.
            index = self.cutoff  # the frequency of the series' own dates (_set_cutoff_from_y)
        return index

    def _no_season(self, y):
        """Why ``sp_`` is no season (below 2) and how to give one: the end of calendar_features' refusal."""
        if self.sp != "auto":
            return f"and sp={self.sp!r} gives none; pass a longer sp, or set calendar_features=False."
        freq = _simple_forecasts.index_frequency(self._season_index(y))
        if freq is not None:
            return (f"and sktcn knows no season of whole steps for y's frequency {freq.freqstr!r} (sp='auto' "
                    "gave 1); pass sp, the number of steps in the season the data follow, or set "
                    "calendar_features=False.")
        return ("and y's index implies none (sp='auto' gave 1); give y a PeriodIndex or DatetimeIndex with a "
                "frequency, or pass sp, or set calendar_features=False.")

    def _choose_baseline(self, arrays, seasons):
        """(``baseline_``, ``sp_``): ``baseline`` and the main season, or with ``"auto"`` the least erring pair.

        ``"auto"`` scores the simple forecasts on the training series, the
        seasonal ones at each season of ``seasons`` long enough to score
        (:func:`sktcn._simple_forecasts.choose_baseline_and_season`).
        """
        if self.baseline != "auto":
            return self.baseline, seasons[0]
        return _simple_forecasts.choose_baseline_and_season([y for _, y, _ in arrays], self.horizon_, seasons)

    def _fit_network(self, arrays, warm=None):
        """Train the forecaster's networks on the series ``arrays`` and calibrate its intervals.

        ``warm``: fitted regressors to continue (``update`` with ``warm_start``),
        else new ones. Loading a saved forecaster (``_restoring``) takes its
        stored networks and statistics instead of training.
        """
        restored = _RESTORED_NETWORK.get()
        if restored is not None:
            self._take_restored(restored, arrays)
            return
        self.series_scale_ = _window_scaling.fit_series_statistics(get_scaling(self.scaling), arrays)
        self._warn_unscaled(arrays)
        rows, position = window_rows([len(y) for _, y, _ in arrays], self.window_length_, self.horizon_)
        lazy = self._lazy_windows(arrays, rows)
        seeds = member_seeds(self.random_state, self.n_networks)
        # The backtest's networks, and a single averaged one, are one network
        # (and seed) trained on different windows: built and traced once, and
        # once per process where equal forecasters fit again (sktcn._network_pool).
        key = pool_key(self, "calibration network", None, trains_built_weights=True)
        reuse = _network_pool.POOL.take(key)
        blocks = self._calibration_blocks(position, len(arrays))
        # The backtest's and the forecast's networks share one architecture: its receptive field warns once.
        with field_warned_once():
            backtest = self._calibration_errors(arrays, rows, blocks, lazy, seeds[0], reuse)
            self.correction_weight_ = self._correction_weight(backtest)
            self._warn_untested_pretrained(backtest, len(rows))
            # The averaged networks train together, as one Keras model (sktcn._ensemble).
            regressors = warm if warm is not None else [self._regressor(seeds[0], self.n_networks, reuse)]
            self.regressors_ = [self._train(regressor, arrays, rows, lazy) for regressor in regressors]
        for regressor in self.regressors_:
            # Fitted; the reuse (and its copy of the initial weights) goes no further,
            # nor the pretrained weights, which pretrained_ keeps.
            regressor._network_reuse = regressor._starting_point = None
        if not any(regressor.model_ is reuse.model for regressor in self.regressors_):
            # Only the backtest trained it (a single network is the forecast's own).
            _network_pool.POOL.give(key, reuse)
        self._calibrate_intervals(backtest, arrays, rows, blocks)

    def _take_restored(self, restored, arrays):
        """Take the fitted networks and statistics of a saved forecaster (``_restoring``) as this fit's."""
        self.regressors_, self.residual_quantile_source_ = restored.regressors, restored.residuals
        self.correction_weight_, stored_scale = restored.correction_weight, restored.series_scale
        self.interval_calibration_ = restored.calibration
        # The file keeps the statistics in the series' order, without their keys.
        self.series_scale_ = (
            None if stored_scale is None
            else [(key, *stats) for (key, _, _), stats in zip(arrays, stored_scale, strict=True)]
        )

    def _calibrate_intervals(self, backtest, arrays, rows, blocks):
        """Set the errors the intervals are drawn from (``residual_quantile_source_``) and where they came from.

        ``backtest``: the held-out blocks' (baseline errors, corrections), from
        ``_calibration_errors`` with ``blocks``, or None where the series had no
        room to hold windows out: then the trained networks' in-sample errors
        on the training ``rows``.
        """
        if backtest is None:
            # No room to hold windows out: in-sample residuals (too optimistic).
            self.interval_calibration_ = "in-sample"
            baseline_errors, corrections = self._errors(self.regressors_, arrays, rows)
            residuals = baseline_errors - self.correction_weight_ * corrections
            if self.calibration_size and self.baseline_ is not None:
                # Fit wanted a backtest: the networks' own windows are no measure
                # of their error (they reproduce a single window exactly).
                residuals = no_smaller_errors(residuals, baseline_errors)
        else:
            # The errors of the forecast as it will be made: with or without the correction.
            self.interval_calibration_ = "backtest"
            baseline_errors, corrections = backtest
            residuals = baseline_errors - self.correction_weight_ * corrections
            rows = np.concatenate([rows[held_out] for _, held_out in blocks])
        self.residual_quantile_source_ = to_interval_units(residuals, *scales_at(self._window_spec(), arrays, rows))

    def _warn_unscaled(self, arrays):
        """Warn about series that vary, but by too little for any of their windows to have a scale of their own.

        The documented limit of the windows' scaling ("Scale and speed" in the
        user guide): such a series' windows all keep scale 1 and are read in
        its raw units, so the networks learn no correction for it
        (:func:`sktcn._window_scaling.lacks_scale`).
        """
        scaling = get_scaling(self.scaling)
        unscaled = [(key, column) for key, y, _ in arrays
                    for column, lacks in zip(self._y_columns, lacks_scale(scaling, y, self.window_length_)) if lacks]
        if not unscaled:
            return
        key, column = unscaled[0]
        variable = f", variable {column!r}" if len(self._y_columns) > 1 else ""
        where = (f"y{variable}" if key is None else
                 f"{len({key for key, _ in unscaled})} series of y (the first: {series_name(key)}{variable})")
        within = ("its whole series" if scaling.per_series
                  else f"every window of window_length_={self.window_length_} steps")
        warnings.warn(
            f"{where} varies, but within {within} by less than 1e-8 times the larger of 1 and its level, which "
            f"scaling={self.scaling!r} takes for rounding residue about a constant: no window has a scale of its own, "
            "so the networks learn nothing from it and leave its forecasts uncorrected, and its intervals are in its "
            "raw units. Rescale y first: multiply it by a large factor where its values are tiny (near 1e-9), "
            "or subtract its level where it varies little about a large one (a few units about 1e9).",
            UserWarning,
            stacklevel=caller_stacklevel(),
        )

    def _correction_weight(self, backtest):
        """``correction_weight_``: 0 when ``correction="backtest"`` found the networks' correction harmful, else 1.

        Only a correction of a baseline can be dropped (without one the
        networks' output is the whole forecast), and only with a backtest.
        """
        if backtest is None or not self._backtest_can_drop_correction():
            return 1.0
        return correction_weight(*backtest)

    def _backtest_can_drop_correction(self):
        """Whether a backtest decides the correction: ``correction="backtest"`` and a baseline to fall back on."""
        return self.correction != "always" and self.baseline_ is not None

    def _lazy_windows(self, arrays, rows):
        """Whether training windows are made batch by batch (see ``lazy_windows``)."""
        if self.lazy_windows == "auto":
            training_bytes = window_bytes(self._window_spec(), arrays, self._training_rows(rows))
            return not self.validation_split and training_bytes > _LAZY_WINDOW_BYTES
        return bool(self.lazy_windows)  # numpy's bools too

    def _training_rows(self, rows):
        """The windows of ``rows`` a network trains on: spaced out where a series has too many (``spaced_rows``).

        Only with forking sequences, whose windows have a target at every step:
        without, a window is one target, and a skipped one is a target lost.
        """
        if not self._forking():
            return rows
        return spaced_rows(rows, self.max_windows_per_series, self.window_length_)

    def _train(self, regressor, arrays, rows, lazy):
        """``regressor`` fit on the windows at ``rows`` (``_training_rows`` of them): from arrays, or from batches."""
        kept = self._training_rows(rows)
        with self._spacing_named(len(kept), len(rows)):
            if not lazy:
                inputs, _, fit_targets = self._windows_at(arrays, kept)
                return regressor.fit(inputs, fit_targets)
            make = functools.partial(self._windows_at, arrays)
            return regressor.fit(WindowBatches(make, kept, self.batch_size, self.shuffle, regressor.random_state,
                                                regressor._replicas()))

    @contextlib.contextmanager
    def _spacing_named(self, n_kept, n_windows):
        """Within the block, a refusal of too few samples also names ``max_windows_per_series`` where it kept fewer.

        The networks' checks (a validation split, a distribution strategy's
        replicas) count the samples they are given and advise more data; where
        the spacing left out windows, raising the bound is the remedy at hand.
        """
        try:
            yield
        except TooFewSamples as refused:
            if n_kept == n_windows:
                raise
            raise TooFewSamples(
                f"{refused} These are the {n_kept} of {n_windows} training windows that "
                f"max_windows_per_series={self.max_windows_per_series} kept: raise it, or set it to None to train "
                "on every window."
            ) from refused

    def _errors(self, regressors, arrays, rows):
        """(targets, corrections) of the windows at ``rows``, scaled, ``(n, horizon, n_variables)`` each.

        The targets are what the baseline gets wrong (the series itself without
        one); the corrections are the networks' average output.
        """
        targets, corrections = [], []
        chunk = self._scored_windows(arrays, rows)
        for first in range(0, len(rows), chunk):
            part = rows[first: first + chunk]
            inputs, scored = self._windows_at(arrays, part, fit_targets=False)
            targets.append(scored)
            varies = varying_at(self._window_spec(), arrays, part)
            corrections.append(self._correction(regressors, inputs, varies).reshape(scored.shape))
        return np.concatenate(targets), np.concatenate(corrections)

    def _scored_windows(self, arrays, rows):
        """Windows ``_errors`` scores per network call: ``_SCORED_WINDOWS``, fewer where over ``_SCORED_BYTES``.

        A window's arrays (``window_bytes``) are its inputs, targets and fit
        targets, and the network's output has the fit targets' shape.
        """
        per_window = max(1, window_bytes(self._window_spec(), arrays, rows[:1]))  # no rows: no division by 0
        return max(1, min(_SCORED_WINDOWS, _SCORED_BYTES // per_window))

    def _calibration_blocks(self, position, n_series):
        """The backtest's (trained, held_out) masks over the windows at ``position`` (``calibration_blocks``)."""
        return calibration_blocks(position, self.calibration_size, n_series, self.horizon_, _CALIBRATION_FOLDS)

    def _calibration_errors(self, arrays, rows, blocks, lazy, seed, reuse):
        """(targets, corrections) of the rolling-origin backtest's held-out windows (see ``_errors``), or None.

        Each of ``blocks`` (``_calibration_blocks``) is forecast by one
        network, seeded with ``seed``, trained only on windows whose targets
        all precede the block. The blocks' networks are one Keras network
        trained afresh for each block (``reuse``, sktcn._network_reuse).
        """
        if not self.calibration_size:
            return None
        return self._pooled_errors([
            self._errors([self._train(self._regressor(seed, reuse=reuse), arrays, rows[trained], lazy)],
                         arrays, rows[held_out])
            for trained, held_out in blocks
        ])

    def _pooled_errors(self, errors):
        """The calibration blocks' (targets, corrections) as two arrays, or None when too few.

        None makes the intervals fall back on in-sample residuals; the
        warning waits for a request of intervals (``_warn_in_sample``), since
        a fit made for point forecasts alone loses nothing.
        """
        if not enough_held_out(sum(len(targets) for targets, _ in errors)):
            return None
        return tuple(np.concatenate(part) for part in zip(*errors))

    def _update(self, y, X=None, update_params=True):
        # Reached through update and update_predict_single only, whose snapshots undo a refusal here.
        self._check_countable_horizon(self.fh)
        check_finite(y)
        check_finite(X, "X")
        stored = self._y_to_cutoff()  # not the data after a cutoff this update moved back
        # New values that do not follow the stored ones leave a gap (dates by the cutoff's frequency).
        self._skipped_step = warn_skipped_steps(stored, getattr(self.cutoff, "freq", None),
                                                getattr(self, "_skipped_step", None))
        check_scalable(stored, self.scaling)  # the new values' windows reach back into the stored ones
        if update_params:
            self._check_params()  # it trains again: with parameters fit would accept (set_params may have moved them)
            arrays = self._arrays(stored, self._X)
            check_scalable(self._window_X(self._X), "standard", "X")
            self._window_length_for(arrays, self.horizon_)  # still long enough?
            # A failed refit keeps the networks, residuals and scaling of the last fit together.
            # A warm one trains the fitted networks in place, and each network's own
            # fit undoes only its own failure: a later one (in the residuals) must
            # put back their weights, optimizers and histories too.
            warm = self.regressors_ if self.warm_start else None
            with unchanged_on_failure(self), fit_restored_on_failure(*(warm or ())):
                self.covariates_, self._static_statistics = self._fit_covariates(stored, self._X)
                self._fit_network(arrays, warm=warm)
        else:
            # Forecasts read the stored X at the new times of y: it must have them, as a refit checks.
            self._arrays(y, self._X)
            # A series first seen here is forecast from its own last window_length_ values.
            short = [(key, len(part)) for key, part in series_of(stored) if len(part) < self.window_length_]
            if short:
                (key, length), = short[:1]
                raise ValueError(
                    f"Series {series_name(key)} has {length} observations, fewer than the networks' window_length_="
                    f"{self.window_length_}, which every forecast reads: update it with at least "
                    f"{self.window_length_} observations, or refit (update_params=True) with a shorter window_length."
                )
        self._keep_backtest_advice()  # for the data held now
        return self

    # ------------------------------------------------------------- predicting
    def _forecast_windows(self, X, steps=None):
        """Network inputs for every series' window at its cutoff, the baseline forecast from it and their scaling.

        ``steps`` are the horizon steps forecast, per series (``_horizon_steps``; by default fit's fh's).
        """
        if steps is None:
            steps = self._horizon_steps(self.fh)
        past_X = self._window_X(self._X)
        if past_X is not None and X is None:
            raise ValueError(
                "TCNForecaster was fit with exogenous X, so predict needs X for the forecast horizon too."
            )
        L, H = self.window_length_, self.horizon_
        future = dict(series_of(X)) if X is not None and past_X is not None else {}
        spec = self._window_spec()
        inputs, baselines, keys = [], [], []
        # The horizon's times, where X must be looked up (per distinct cutoff).
        horizons = self._per_series_cutoff(
            ForecastingHorizon(np.arange(1, H + 1), is_relative=True).to_absolute_index
        ) if past_X is not None else [None] * len(steps)
        stored = series_arrays(self._y_to_cutoff(), past_X)
        for (key, y, x), horizon, series_steps in zip(stored, horizons, steps, strict=True):
            x_all = None
            if x is not None:
                known = self._future_X(future, key, past_X.columns, horizon, series_steps)
                # Horizon steps that fh skips take the latest known value (from the past X or an earlier row).
                known = pd.DataFrame(np.vstack([x[-1:], known])).ffill()
                x_all = np.concatenate([x[-L:], known.to_numpy()[1:]])[None]
                check_spread(x_all[0], "X")  # predict's X joins the stored X in this window
            window = scaled_window(spec, key, y[None, -L:], x_all, np.array([len(y) - L]))
            inputs.append(window)
            baselines.append(scaled_baseline(spec, y, np.array([len(y) - 1]), *window[1:]))
            keys.append(key)
        windows, offsets, scales = (np.concatenate(part) for part in zip(*inputs))
        return windows.astype(np.float32), np.concatenate(baselines), offsets, scales, keys

    def _future_X(self, future, key, columns, horizon_index, steps):
        """Series ``key``'s X at ``horizon_index`` (steps 1..horizon_), ``(horizon_, n_columns)``; NaN: steps fh skips.

        sktime passes X for the steps of fh, perhaps with the past; every step
        forecast needs its row, with fit's columns: a ValueError names what is missing.
        """
        series = f" of series {series_name(key)}" if key is not None else ""
        given = future.get(key)
        if given is None:
            raise ValueError(f"predict needs X for the forecast horizon{series}.")
        missing = [column for column in columns if column not in given.columns]
        if missing:
            raise ValueError(f"predict's X{series} lacks the columns {missing} that fit's X had; give X the same "
                             "columns in predict as in fit.")
        # Only the horizon's rows are read: a time given twice among them is refused, not reindexed.
        given = given[given.index.isin(horizon_index)]
        check_unique_times(given.index, key, "X")
        rows = given.reindex(index=horizon_index, columns=columns).to_numpy(np.float64)
        absent = np.isnan(rows[np.asarray(steps) - 1]).any(axis=1)
        if absent.any():
            raise ValueError(
                f"predict's X{series} has no values for {list(horizon_index[np.asarray(steps)[absent] - 1])}, "
                "steps of fh: give X a row without missing values for every time forecast."
            )
        return rows

    def _frame(self, values, keys, fh, columns):
        """Forecast values (series, steps, columns) as a frame indexed like sktime expects, each from its cutoff."""
        indexes = self._per_series_cutoff(fh.to_absolute_index)
        if keys == [None]:
            # sktime's forecasters (NaiveForecaster, ...) name a multivariate y's forecast index as y's
            # time index; a univariate one's they leave unnamed.
            index = indexes[0].rename(self._y.index.name) if len(self._y_columns) > 1 else indexes[0]
            return pd.DataFrame(values[0], index=index, columns=columns)
        tuples = [(*(k if isinstance(k, tuple) else (k,)), t) for k, index in zip(keys, indexes) for t in index]
        names = list(self._y.index.names)
        return pd.DataFrame(
            values.reshape(-1, values.shape[-1]), index=pd.MultiIndex.from_tuples(tuples, names=names), columns=columns
        )

    def _scaled_forecast(self, X, fh):
        check_finite(X, "X")
        steps = self._horizon_steps(fh)
        windows, baselines, offsets, scales, keys = self._forecast_windows(X, steps)
        spec, L = self._window_spec(), self.window_length_
        varies = np.concatenate([varying(spec, key, y[None, -L:])
                                 for key, y, _ in series_arrays(self._y_to_cutoff(), None)])
        correction = self._correction(self.regressors_, windows, varies, self.correction_weight_).reshape(
            baselines.shape)
        steps = steps - 1
        return np.take_along_axis(baselines + correction, steps[:, :, None], axis=1), offsets, scales, keys, steps

    def _predict(self, fh, X):
        forecast, offsets, scales, keys, _ = self._scaled_forecast(X, fh)
        return self._frame(_window_scaling.invert(forecast, offsets, scales), keys, fh, self._y_columns)

    def _warn_in_sample(self):
        """Warn that intervals rest on in-sample residuals where fit wanted a backtest but had no room for one."""
        # getattr: forecasters pickled before the attribute existed.
        if self.calibration_size and getattr(self, "interval_calibration_", None) == "in-sample":
            floor = ("each the larger of the forecast's error and the baseline's, which "
                     "may still understate the error" if self.baseline_ is not None else "which make them too narrow")
            warnings.warn(
                f"These intervals come from in-sample residuals, not a backtest, {floor}: the series were too short "
                f"to hold training windows out for calibrating them. {self._backtest_advice()} "
                "calibration_size=0 asks for in-sample residuals and silences this.",
                UserWarning,
                # sktime reaches _predict_quantiles through more frames from
                # predict_interval than from predict_quantiles.
                stacklevel=caller_stacklevel(),
            )

    def _backtest_advice(self):
        """What would give the data the forecaster holds a calibration backtest: kept by fit or update, else searched.

        Searched where the forecaster holds none for its data and parameters
        (forecasters pickled or saved before it was kept).
        """
        key = self._advice_key()
        kept = getattr(self, "_kept_advice", None)
        return kept[1] if kept is not None and kept[0] == key else self._search_backtest_advice(list(key[0]))

    def _keep_backtest_advice(self):
        """Search ``_backtest_advice`` where fit or update left in-sample intervals, for every request to read.

        Not at each request: the search takes a while on thousands of series,
        and every request of intervals would pay it, the warning filtered or
        not; nor kept by the request, which would change the forecaster's
        state (sktime's predict methods leave it as it was).
        """
        self._kept_advice = None
        # getattr: an update of a forecaster pickled before the attribute existed.
        if self.calibration_size and getattr(self, "interval_calibration_", None) == "in-sample":
            key = self._advice_key()
            self._kept_advice = key, self._search_backtest_advice(list(key[0]))

    def _advice_key(self):
        """What ``_backtest_advice`` depends on: the held series' lengths and the parameters it reads."""
        lengths = tuple(len(part) for _, part in series_of(self._y_to_cutoff()))
        return lengths, self.horizon_, self.window_length_, self.window_length, self.calibration_size

    def _search_backtest_advice(self, lengths):
        """``_backtest_advice`` for series of ``lengths``, searched afresh."""
        more, shorter, window = backtest_room(lengths, self.horizon_, self.window_length_, self._choose_window_length,
                                              self.calibration_size, _CALIBRATION_FOLDS)
        # update(update_params=True) trains the networks again at their own window, fit chooses one afresh.
        refit = (["fit again on it"] if more == 0 else []) + (
            ["update with update_params=True"]
            if has_backtest(lengths, self.window_length_, self.horizon_, self.calibration_size, _CALIBRATION_FOLDS)
            else [])
        if refit:
            return f"The data it holds now would give one, with networks trained on all of it: {' or '.join(refit)}."
        ways = ([f"{more} more observation{'s' * (more != 1)} of each series"] if more is not None else []) + (
            [f"an fh reaching at most {shorter} step{'s' * (shorter != 1)} ahead (it reaches {self.horizon_})"]
            if shorter is not None
            else []) + ([f"a window_length of at most {window}"] if window is not None else [])
        if not ways:
            return "Give longer series."
        return "A backtest needs " + (", or ".join(ways)) + "."

    def _interval_scales(self, scales):
        """The interval scale ``(n_series, C)`` of each series' forecast window, scaled by ``scales``.

        Its own scale, or where its past does not vary its series' typical
        one (``_windows.interval_scales``), computed from the data the
        forecaster holds now up to each series' cutoff, so after ``update``
        and a load alike.
        """
        spec = self._window_spec()
        L = self.window_length_
        return np.concatenate([
            interval_scales(spec, y, scales[number: number + 1],
                            _window_scaling.window_has_scale(spec.scaling, y[None, -L:], y))
            for number, (_, y, _) in enumerate(series_arrays(self._y_to_cutoff(), None))
        ])

    def _warn_capped(self, alpha):
        """Warn, once per call, where an interval's coverage asks for a rank beyond the calibration pool.

        Its half-width is then the largest calibration error
        (:func:`sktcn._conformal.capped_coverage`), which guarantees less.
        """
        capped = capped_coverage(self.residual_quantile_source_, alpha)
        if capped is None:
            return
        coverage, n = capped
        needed = pool_needed(coverage)
        warnings.warn(
            f"An interval of coverage {coverage:.6g} needs a pool of at least {needed} calibration errors, but "
            f"fit's pool holds {n} (windows times horizon steps): its half-width is capped at the largest of "
            f"them, which supports a coverage of {n}/{n + 1} = {n / (n + 1):.3g} only. Ask for a coverage of at "
            "most that, or fit on more data (or a larger calibration_size) for a larger pool.",
            UserWarning,
            stacklevel=caller_stacklevel(),
        )

    def _predict_quantiles(self, fh, X, alpha):
        self._warn_in_sample()
        self._warn_capped(alpha)
        forecast, offsets, scales, keys, steps = self._scaled_forecast(X, fh)
        intervals = self._interval_scales(scales)
        shifts = [from_interval_units(shift, scales, intervals)
                  for shift in quantile_shifts(self.residual_quantile_source_, alpha, steps)]
        values = np.stack([_window_scaling.invert(forecast + shift, offsets, scales) for shift in shifts], axis=-1)
        columns = self._get_columns(method="predict_quantiles", alpha=alpha)  # series, steps, columns, alphas
        return self._frame(values.reshape(*values.shape[:2], -1), keys, fh, columns)

    def _predict_var(self, fh, X=None, cov=False):
        # sktime's fallback sized a Normal by the 50 % interval, and its
        # predict_proba reads the variance from here: both now describe the
        # conformal errors the quantiles come from (see the class docstring).
        if cov:
            raise NotImplementedError(
                "TCNForecaster forecasts marginal variances only (predict_var with cov=False): its calibration "
                "errors are pooled over the horizon steps, which keeps no covariance between them."
            )
        self._warn_in_sample()
        check_finite(X, "X")
        steps = self._horizon_steps(fh)
        # The windows' scales only: the variance does not depend on the networks' forecast.
        _, _, _, scales, keys = self._forecast_windows(X, steps)
        # In interval units, as the quantiles' shifts are; in the series' units
        # a shift d is d times the interval scale (from_interval_units, then invert).
        variance = pool_variance(self.residual_quantile_source_, steps - 1)
        variance = variance * np.square(self._interval_scales(scales))[:, None, :]
        return self._frame(variance, keys, fh, self._y_columns)

    def save(self, path=None, serialization_format="sktcn"):
        """Save the fitted forecaster, by default without pickling it.

        sktime's contract holds for every format: ``sktime.base.load`` reads what
        this writes. With a ``path`` and the default format the file is a zip
        archive, ``path + ".zip"`` as in sktime, holding the JSON manifest and Keras
        files of :func:`sktcn.persistence.save`; :func:`sktcn.load` reads it
        without unpickling anything (sktime's ``load`` unpickles only its
        ``_metadata`` entry, the class). Without a ``path`` the forecaster is
        serialized in memory, and ``serialization_format="pickle"`` (or
        ``"cloudpickle"``) writes sktime's pickle-based archive.

        Parameters
        ----------
        path : str, os.PathLike or None, default=None
            The zip file to write, ``.zip`` appended unless the name ends with it.
        serialization_format : {"sktcn", "pickle", "cloudpickle"}, default="sktcn"
            ``"sktcn"``: JSON and Keras, loaded in Keras' safe mode. The others are
            sktime's and unpickle on load: use them only for files you trust.

        Returns
        -------
        pathlib.Path of the archive, or what sktime's ``save`` returns for its formats

        Examples
        --------
        >>> import os, tempfile
        >>> import sktcn
        >>> from sktime.base import load
        >>> from sktime.datasets import load_airline
        >>> y = load_airline()
        >>> f = sktcn.TCNForecaster(nb_filters=2, epochs=1, n_networks=1, calibration_size=0.0,
        ...                         random_state=0).fit(y, fh=[1, 2])
        >>> path = f.save(os.path.join(tempfile.mkdtemp(), "airline"))
        >>> path.name
        'airline.zip'
        >>> bool(sktcn.load(path).predict().equals(f.predict()))
        True
        >>> bool(load(str(path)[:-4]).predict().equals(f.predict()))
        True
        """
        if path is None or serialization_format != "sktcn":
            return super().save(path, serialization_format="pickle" if path is None else serialization_format)
        return persistence.save_archive(self, path)

    @classmethod
    def load_from_path(cls, serial):
        """Load a forecaster from a zip file written by :meth:`save` (called by ``sktime.base.load``).

        Archives in sktcn's format are read by :func:`sktcn.load`, without
        unpickling; sktime's pickle-based archives by sktime.

        Parameters
        ----------
        serial : str or pathlib.Path
            The zip file.

        Returns
        -------
        TCNForecaster
        """
        if persistence.is_sktime_archive(serial):
            return super().load_from_path(serial)
        # sktime dispatches on the archive's _metadata, which sktcn.load never reads:
        # the manifest must name a forecaster too.
        return persistence.load_instance(serial, cls)

    # ------------------------------------------------------------- saved state
    def __setstate__(self, state):
        # Pickles of an earlier sktcn lack what was added since (files: persistence.migrate).
        state = dict(state)
        if "regressor_" in state:
            # Before n_networks (8eaa0b7) the one network's regressor was an attribute, a property now.
            state.setdefault("regressors_", [state.pop("regressor_")])
        vars(self).update(_earlier_versions.fill_pickled_state(type(self), state, "regressors_" in state))

    def _saved_state(self, networks):
        """This fitted forecaster as JSON-ready data: its data, residuals and networks (written by ``networks``)."""
        if not self.is_fitted:
            # scikit-learn's exception, as for the other estimators (sktime has its own class).
            raise NotFittedError("This TCNForecaster is not fitted yet; call fit before saving it.")
        if self._is_vectorized:
            raise TypeError("save() cannot store a TCNForecaster that sktime vectorized over series or columns.")
        store = self._converter_store_y or {}
        fh = self._fh
        return {
            "estimator": type(self).__name__,
            "params": persistence.params_to_json(self),
            "state": {
                "window_length_": self.window_length_,
                "horizon_": self.horizon_,
                "baseline_": self.baseline_,
                "sp_": self.sp_,
                "baseline_revision_": self.baseline_revision_,
                "correction_weight_": self.correction_weight_,
                "interval_calibration_": self.interval_calibration_,
                "residual_quantile_source_": to_json(self.residual_quantile_source_, "residual_quantile_source_"),
                # scaling="series": the statistics the network was trained with, in the series' order.
                "series_scale_": None if self.series_scale_ is None else [
                    [to_json(offset, "series_scale_"), to_json(scale, "series_scale_")]
                    for _, offset, scale in self.series_scale_
                ],
                # static_features: what they were standardised by, which the
                # stored data no longer tell once an update has added a series.
                "static_statistics": None if getattr(self, "_static_statistics", None) is None else [
                    to_json(np.asarray(part, dtype=np.float64), "the static features' statistics")
                    for part in self._static_statistics
                ],
                # Calendar channels of time-zone data follow the local clock (older files: False).
                "calendar_local_clock": self._keeps_local_clock(),
                # The data sktime remembers: forecasts start from its end, or
                # from the cutoffs an update moved back, which the file then keeps.
                "y": frame_to_json(self._y),
                "X": frame_to_json(self._X),
                **self._saved_cutoffs(),
                "y_mtype": self._y_mtype_last_seen,
                "y_name": to_json(store.get("name"), "the name of y"),
                "fh": {"values": index_to_json(fh.to_pandas()), "is_relative": fh.is_relative, "freq": fh.freq},
            },
            "regressors": [
                regressor._saved_state(networks, f"regressor_{number}.keras")
                for number, regressor in enumerate(self.regressors_)
            ],
        }

    def _saved_cutoffs(self):
        """The saved state's entries for the cutoffs an update moved back; none if it moved none.

        sktime's cutoff, and the number of each series' rows up to its own
        (``_series_ends``), in the series' order: ``fit`` of the stored data
        would put every series' cutoff at its end, and sktime's at the latest
        of them. An update of a series that ends early moves sktime's cutoff
        back without cutting any series' data: it is kept all the same.
        """
        y = self._y_to_cutoff()
        if y is self._y and self.cutoff[0] == last_times(y).max():
            return {}
        return {"cutoff": index_to_json(self.cutoff), "series_rows": [len(part) for _, part in series_of(y)]}

    def _restore_saved_state(self, description, networks):
        """This freshly constructed forecaster, fitted with the state ``_saved_state`` wrote; returns self.

        sktime's own ``fit`` on the stored data rebuilds its bookkeeping
        (cutoff, stored data, horizon), while the stored networks, residuals and
        series statistics stand in for training.
        """
        state = persistence.expect(description, "state", dict)
        regressors = [
            persistence.construct(part, {"TCNRegressor"})._restore_saved_state(part, networks)
            for part in persistence.expect(description, "regressors", list)
        ]
        # One ensemble regressor, or (files of format 1) one regressor per network.
        n_stored = sum(regressor.n_networks for regressor in regressors)
        if n_stored != self.n_networks:
            raise persistence.ModelFileError(
                f"the manifest holds {n_stored} networks but n_networks={self.n_networks}: it was altered."
            )
        residuals = np.asarray(from_json(state["residual_quantile_source_"]), dtype=np.float64)
        y, X = frame_from_json(state["y"]), frame_from_json(state["X"])
        y = y.iloc[:, 0].rename(state["y_name"]) if state["y_mtype"] == "pd.Series" else _as_mtype(y, state["y_mtype"])
        fh_spec = state["fh"]
        fh = ForecastingHorizon(index_from_json(fh_spec["values"]), is_relative=fh_spec["is_relative"],
                                freq=fh_spec["freq"])
        with _restoring(regressors, residuals, **_restored_state(state),
                        static_statistics=self._stored_static_statistics(state)):
            self.fit(y, X=X, fh=fh)
        self._check_restored_shapes()
        return self

    def _stored_static_statistics(self, state):
        """The (mean, scale) of the static features a saved state gives, or None (files written before it was kept).

        ModelFileError unless they are finite, one of each per static feature, the scales positive.
        """
        stored = state["static_statistics"]
        if stored is None:
            return None
        statistics = tuple(np.asarray(from_json(part), dtype=np.float64) for part in stored)
        n_features = len(self.static_features or ())
        if (len(statistics) != 2 or any(part.shape != (n_features,) for part in statistics) or not n_features
                or not np.isfinite(np.concatenate(statistics)).all() or not (statistics[1] > 0).all()):
            raise persistence.ModelFileError(
                f"the manifest's static feature statistics do not fit static_features={self.static_features!r}: "
                "it was altered."
            )
        return statistics

    def _check_restored_shapes(self):
        """ModelFileError unless the restored window, horizon, data and networks fit together.

        Every series needs ``window_length_`` values up to its cutoff, which
        each forecast reads; no more: the restored forecaster does not train
        (a refit checks its data as fit does), and update accepts a new series
        of that length, or moves a cutoff back that far, without a refit.
        """
        lengths = [len(part) for _, part in series_of(self._y_to_cutoff())]
        outputs = {regressor.model_.output_shape[-1] for regressor in self.regressors_}
        if (self._horizon_steps(self._fh).max() > self.horizon_ or min(lengths) < self.window_length_
                or outputs != {self.horizon_ * len(self._y_columns)}):
            raise persistence.ModelFileError(
                "the stored data, window, horizon and networks do not match: the manifest was altered."
            )

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Tiny, fast configurations for sktime's test suite.

        Returns
        -------
        list of dict
        """
        tiny = dict(nb_filters=2, epochs=1, batch_size=64, random_state=0)
        return [
            dict(tiny, window_length=3, calibration_size=0.0, n_networks=2),
            # Lazy windows here, and spaced ones (max_windows_per_series), so that sktime's suite runs those paths too.
            dict(tiny, kernel_size=2, calibration_size=0.2, lazy_windows=True, n_networks=1, max_windows_per_series=4),
        ]
