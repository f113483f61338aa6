"""TCNForecaster: an sktime forecaster built on the TCNRegressor core."""

import contextlib
import contextvars
import functools
import inspect
import math
import warnings

import keras
import numpy as np
import pandas as pd
from sktime.forecasting.base import BaseForecaster, ForecastingHorizon

from sktcn._base import TCNEstimatorBase, unchanged_on_failure
from sktcn._random import member_seeds
from sktcn.regressor import TCNRegressor

# The forecaster shares TCNRegressor's parameters, names and defaults, except
# those with no meaning for it: the network always outputs the whole horizon.
_SHARED_PARAMS = {
    name: param.default
    for name, param in inspect.signature(TCNEstimatorBase.__init__).parameters.items()
    if param.kind == param.KEYWORD_ONLY and name != "return_sequences"
}
# The forecaster keeps a fixed 50 epochs: epochs="auto" (the classifier's and
# regressor's default) was tuned on whole-series tasks, and the forecaster's
# accuracy figures in benchmarks/RESULTS.md were measured with 50 epochs.
# epochs="auto" stays available to it as a parameter.
_SHARED_PARAMS["epochs"] = 50
_OWN_PARAMS = {
    "window_length": None,
    "scaling": "standard",
    "forking_sequences": True,
    "calibration_size": 0.2,
    "lazy_windows": "auto",
    "n_networks": 3,
}
_SCALINGS = ("standard", "mean", "series")

# Fewest training windows the automatic window length aims for.
_MIN_WINDOWS = 32

# Blocks of the rolling-origin backtest that calibrates the intervals.
_CALIBRATION_FOLDS = 3

# lazy_windows="auto" makes the training windows batch by batch once they would
# take more memory than this as arrays (inputs plus targets, float32). With
# forking sequences every window carries window_length x horizon targets, so a
# series of a million steps with window 72 and horizon 24 would need ~7 GB.
_LAZY_WINDOW_BYTES = 256 * 2**20

# Windows forecast per network call when scoring training windows (calibration
# and in-sample residuals): bounds that memory too.
_SCORED_WINDOWS = 1024

# Set by sktcn.persistence.load: a fitted network and its residuals that stand in
# for training, so that sktime's own fit rebuilds the rest of a loaded forecaster.
_RESTORED_NETWORK = contextvars.ContextVar("sktcn_restored_network", default=None)


@contextlib.contextmanager
def restoring(regressors, residuals, series_scale=None):
    """Within the block, ``TCNForecaster`` fits adopt the given networks, residuals and series scaling instead of training."""
    token = _RESTORED_NETWORK.set((list(regressors), residuals, series_scale))
    try:
        yield
    finally:
        _RESTORED_NETWORK.reset(token)


def _series_of(frame):
    """Split a single or multi-indexed frame into (key, frame) per series."""
    if isinstance(frame.index, pd.MultiIndex):
        levels = list(range(frame.index.nlevels - 1))
        return [(key, part.droplevel(levels)) for key, part in frame.groupby(level=levels, sort=False)]
    return [(None, frame)]


def _standardise(window, axis=0):
    """Mean and scale of a window per column; constant columns get scale 1."""
    mean = window.mean(axis=axis)
    scale = window.std(axis=axis)
    return mean, np.where(scale > 1e-8 * np.maximum(1.0, np.abs(mean)), scale, 1.0)


def _mean_scale(window, axis=0):
    """Zero offset and the mean absolute value per column (1 where it is 0)."""
    scale = np.abs(window).mean(axis=axis)
    return np.zeros_like(scale), np.where(scale > 0, scale, 1.0)


def _min_max(values, axis=0):
    """Offset and scale that map each column's range to [0, 1] (constant columns: scale 1).

    Measured on airline: the same network scored MAPE 0.10 with the series mapped
    to [0, 1], 0.22 with [0, 1]'s offset but the standard deviation as scale, and
    0.34 centred on the middle of the range. keras-tcn pads the start of each
    window with zeros; at 0 the padding reads as the series' lowest level.
    """
    low, high = values.min(axis=axis), values.max(axis=axis)
    span = high - low
    return low, np.where(span > 1e-8 * np.maximum(1.0, np.abs(low)), span, 1.0)


def _scale_of(table, key):
    """A series' (mean, scale) from ``TCNForecaster._series_scale_table()``; None without one."""
    if table is None:
        return None
    if key not in table:
        raise ValueError(
            f"Series {key!r} was not in the data the network was fit on, so its scaling is unknown; "
            "refit (or update with update_params=True) to forecast it."
        )
    return table[key]


def _spans(values, starts, length):
    """``values[start : start + length]`` for each start, as an array (n_starts, length, columns)."""
    return np.lib.stride_tricks.sliding_window_view(values, length, axis=0)[starts].transpose(0, 2, 1)


class _WindowBatches(keras.utils.PyDataset):
    """Training windows made one batch at a time from the series, never all at once.

    ``make(rows)`` builds the inputs and targets of the windows at ``rows``
    (series number, start). The windows are reshuffled every epoch with their
    own generator, seeded like the network, so a seeded fit repeats exactly.
    """

    def __init__(self, make, rows, batch_size, shuffle, seed):
        super().__init__()
        self.make, self.rows, self.batch_size, self.shuffle = make, rows, int(batch_size), shuffle
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(rows)) if shuffle else np.arange(len(rows))

    def __len__(self):
        return math.ceil(len(self.rows) / self.batch_size)

    def __getitem__(self, index):
        picked = self.rows[self.order[index * self.batch_size : (index + 1) * self.batch_size]]
        inputs, _, fit_targets = self.make(picked)
        return inputs, fit_targets

    def on_epoch_end(self):
        if self.shuffle:
            self.rng.shuffle(self.order)


def _residual_scale(residuals):
    """Root-mean-square residual per horizon step and variable, never shrinking further ahead."""
    rms = np.sqrt(np.mean(np.square(residuals), axis=0))
    rms = np.maximum.accumulate(rms, axis=0)
    return np.where(rms > 0, rms, 1.0)


class TCNForecaster(BaseForecaster):
    __doc__ = f"""Temporal Convolutional Network forecaster (keras-tcn) for sktime.

    A direct multi-step forecaster: a network reads the last ``window_length``
    observations and outputs every step of the horizon at once, and the forecast
    is the average of ``n_networks`` such networks trained from different seeds. Training windows
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
    square error, are pooled across steps; the pooled quantiles, times each
    step's scale, are added to the point forecast in the forecast window's
    scale. The point forecaster itself is trained on all windows.

    ``update`` with ``update_params=True`` refits on all data seen so far (from
    scratch, or continuing the trained network when ``warm_start=True``); with
    ``update_params=False`` it only moves the cutoff, and forecasts then start
    from the newest data.

    Parameters
    ----------
    window_length : int or None, default=None
        Number of past observations the network reads. ``None`` picks
        ``max(3 * horizon, 10)``, shortened when needed so that the training
        data yield at least {_MIN_WINDOWS} windows, and never longer than the
        shortest series allows. Like ``dilations``, a hyperparameter to search.
    scaling : {{"standard", "mean", "series"}}, default="standard"
        How the data are scaled before the network sees them (and the forecast
        mapped back). ``"standard"`` subtracts each window's mean and divides by its
        standard deviation. ``"mean"`` only divides each window by its mean
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
        (early stopping then watches the training loss). ``"auto"``: lazy when
        the arrays would exceed {_LAZY_WINDOW_BYTES // 2**20} MiB and
        ``validation_split=0``.
    n_networks : int, default=3
        Number of networks trained on the same windows from different seeds
        (``random_state``, ``random_state + 1``, ...); the point forecast is
        their average. One network's forecast depends on its initialisation
        and batch order; on airline (last 36 months held out) single networks
        beat the seasonal naive forecast with 6 of 15 seeds, averages of three
        with 5 of 5 disjoint triples (``benchmarks/RESULTS.md``). The average's
        absolute error is never above the members' mean absolute error. Costs
        ``n_networks`` fits; the calibration networks stay single (their errors
        are a single network's, larger than the average's), yet measured 90 %
        intervals still covered a little less than 90 % (0.86-0.88 on bundled
        series, less where a series breaks with its past).
    nb_filters, kernel_size, nb_stacks, dilations, padding, use_skip_connections,
    dropout_rate, activation, kernel_initializer, use_batch_norm, use_layer_norm,
    use_weight_norm, go_backwards, optimizer, learning_rate, loss, metrics, epochs,
    batch_size, validation_split, early_stopping, patience, callbacks, shuffle,
    warm_start, random_state, verbose
        As in :class:`sktcn.TCNRegressor`, with the same defaults except
        ``epochs=50`` (``epochs="auto"`` may be given). ``dilations=None``
        covers the window (plus the horizon when there is exogenous data).

    Attributes
    ----------
    regressors_ : list of TCNRegressor
        The ``n_networks`` fitted networks whose average is the point forecast.
    regressor_ : TCNRegressor
        The first of ``regressors_`` (its ``dilations_``, ``receptive_field_``
        and ``history_`` describe them all but the seed).
    window_length_ : int
        The window length used.
    horizon_ : int
        Number of steps the network forecasts (the furthest step of ``fh``).
    residual_quantile_source_ : ndarray of shape (n_windows, horizon, n_variables)
        Standardised residuals the intervals are computed from.
    series_scale_ : list of (key, mean, scale) or None
        With ``scaling="series"``, each series' key (``None`` for a single series)
        and the statistics of ``y`` the network was trained with; else ``None``.

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from sktcn import TCNForecaster
    >>> y = load_airline()
    >>> forecaster = TCNForecaster(nb_filters=8, epochs=3, random_state=0)
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
        "capability:update": True,
        "capability:unequal_length": True,
        "requires-fh-in-fit": True,
        "X-y-must-have-same-index": True,
        "fit_is_empty": False,
        # Random without random_state; with it, fits on the CPU repeat exactly.
        "property:randomness": "derandomized",
        "capability:random_state": True,
    }

    # Forecasts start from the newest stored data and refits use all of it, so
    # the forecaster relies on sktime remembering y and X (the default today,
    # no longer from sktime 1.3): declared here rather than left to the default.
    _config = {"remember_data": True}

    def __init__(self, **params):
        unknown = set(params) - set(_OWN_PARAMS) - set(_SHARED_PARAMS)
        if unknown:
            raise TypeError(f"TCNForecaster got unexpected parameters {sorted(unknown)}.")
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

    # ----------------------------------------------------------------- checks
    def _horizon_steps(self, fh):
        steps = np.asarray(fh.to_relative(self.cutoff), dtype=int)
        if np.any(steps < 1):
            raise ValueError(
                f"TCNForecaster forecasts the future only; fh holds in-sample steps {steps[steps < 1].tolist()}. "
                "Give relative steps >= 1 (or absolute times after the end of y)."
            )
        return steps

    def _choose_window_length(self, lengths, horizon):
        shortest = min(lengths)
        if self.window_length is not None:
            if int(self.window_length) < 1:
                raise ValueError(f"window_length={self.window_length} must be a positive integer.")
            window = int(self.window_length)
        else:
            window = max(3 * horizon, 10)
            while window > 1 and sum(max(0, n - window - horizon + 1) for n in lengths) < _MIN_WINDOWS:
                window -= 1
            window = max(1, min(window, shortest - horizon))
        if shortest < window + horizon:
            raise ValueError(
                f"The shortest series has {shortest} observations, too short for window_length={window} plus a "
                f"horizon of {horizon} steps: it needs at least {window + horizon}. Use a shorter window_length, "
                "a shorter fh, or longer series."
            )
        return window

    # ---------------------------------------------------------------- windows
    def _arrays(self, y, X):
        """(key, y values (T, C), X values (T, D) or None) per series, aligned on y's index."""
        exog = dict(_series_of(X)) if X is not None else {}
        arrays = []
        for key, part in _series_of(y):
            x = exog[key].loc[part.index].to_numpy(np.float64) if X is not None else None
            arrays.append((key, part.to_numpy(np.float64), x))
        return arrays

    def _scaled_inputs(self, y_past, x_all, stats=None):
        """Network inputs ``(n, steps, channels)`` and the y statistics ``(n, C)`` that undo their scaling.

        ``y_past`` is ``(n, window_length, C)``; ``x_all`` is X over the window
        and the horizon, ``(n, window_length + horizon, D)``, or None. ``stats``
        (mean, scale), ``(n, C)`` each, are the series' own with
        ``scaling="series"``; otherwise each window's are computed here.
        """
        if stats is not None:
            mean, scale = stats
        else:
            mean, scale = (_mean_scale if self.scaling == "mean" else _standardise)(y_past, axis=1)
        y_scaled = (y_past - mean[:, None]) / scale[:, None]
        if x_all is None:
            return y_scaled, mean, scale
        n, steps = x_all.shape[:2]
        horizon = steps - y_past.shape[1]
        x_mean, x_scale = _standardise(x_all, axis=1)
        y_part = np.concatenate([y_scaled, np.zeros((n, horizon, y_past.shape[2]))], axis=1)
        flag = np.zeros((n, steps, 1))
        flag[:, y_past.shape[1] :] = 1.0
        return np.concatenate([y_part, (x_all - x_mean[:, None]) / x_scale[:, None], flag], axis=2), mean, scale

    def _window_rows(self, arrays):
        """Every training window as a row (series number, start), and its position in its series.

        Position 0 is a series' most recent window, -1 the one before, and so on
        (the calibration holds out the most recent windows of every series).
        """
        rows, position = [], []
        for number, (_, y, _) in enumerate(arrays):
            n_windows = len(y) - self.window_length_ - self.horizon_ + 1
            starts = np.arange(n_windows)
            rows.append(np.column_stack([np.full(n_windows, number), starts]))
            position.append(starts - (n_windows - 1))
        return np.concatenate(rows), np.concatenate(position)

    def _windows_at(self, arrays, rows, fit_targets=True):
        """Inputs, scaled targets and (if asked) fit targets of the windows at ``rows``, in their order.

        ``targets`` are the horizon after each window, ``(n, horizon,
        n_variables)``, against which forecasts are scored; ``fit_targets`` are
        what the network trains on: the same, flattened, or with forking
        sequences the horizon after every step of the window, ``(n,
        window_length, horizon * n_variables)``.
        """
        L, H = self.window_length_, self.horizon_
        forking = fit_targets and self._forking()
        table = self._series_scale_table()
        parts, order = [], []
        for number in np.unique(rows[:, 0]):
            picked = np.flatnonzero(rows[:, 0] == number)
            key, y, x = arrays[number]
            starts = rows[picked, 1]
            span = _spans(y, starts, L + H)
            stats = _scale_of(table, key)
            if stats is not None:
                stats = tuple(np.broadcast_to(s, (len(starts), y.shape[1])) for s in stats)
            inputs, mean, scale = self._scaled_inputs(span[:, :L], None if x is None else _spans(x, starts, L + H),
                                                      stats)
            targets = (span[:, L:] - mean[:, None]) / scale[:, None]
            part = [inputs, targets]
            if forking:
                # Step i of a window starting at s is followed by y[s+i+1 : s+i+1+H];
                # the last step's horizon is the window's own target.
                ahead = _spans(y, (starts[:, None] + 1 + np.arange(L)).ravel(), H)
                ahead = (ahead.reshape(len(starts), L, H, -1) - mean[:, None, None]) / scale[:, None, None]
                part.append(ahead.reshape(len(starts), L, -1))
            elif fit_targets:
                part.append(targets.reshape(len(starts), -1))
            parts.append(part)
            order.append(picked)
        if len(parts) == 1:
            # One series (a batch of a single series, or a univariate y): already in order.
            return tuple(p.astype(np.float32) for p in parts[0])
        back = np.argsort(np.concatenate(order))
        return tuple(np.concatenate(p)[back].astype(np.float32) for p in zip(*parts))

    def _forking(self):
        """Whether the network trains on forking sequences (never with exogenous X: see the docstring)."""
        return bool(self.forking_sequences) and self._X is None

    def _fit_series_scale(self, arrays):
        """Per-series mean and scale of y for ``scaling="series"`` (else None)."""
        if self.scaling != "series":
            return None
        return [(key, *_min_max(y)) for key, y, _ in arrays]

    def _series_scale_table(self):
        """``series_scale_`` as a dict key -> (mean, scale), or None without series scaling."""
        if self.series_scale_ is None:
            return None
        return {key: (mean, scale) for key, mean, scale in self.series_scale_}

    def _network_forecast(self, regressors, inputs):
        """The networks' average standardised forecast ``(n_windows, horizon * n_variables)``, read from the last step."""
        total = 0.0
        for regressor in regressors:
            predicted = regressor.predict(inputs)
            total = total + (predicted[:, -1] if self._forking() else predicted.reshape(len(inputs), -1))
        return total / len(regressors)

    @property
    def regressor_(self):
        return self.regressors_[0]

    # ---------------------------------------------------------------- fitting
    def _regressor(self, seed):
        params = {name: getattr(self, name) for name in _SHARED_PARAMS}
        # The windows arrive scaled by the forecaster's own `scaling`.
        return TCNRegressor(**dict(params, random_state=seed), return_sequences=self._forking(), input_scaling=None)

    def _network_seeds(self):
        """One seed per network: ``random_state``, ``random_state + 1``, ... (None: unseeded)."""
        return member_seeds(self.random_state, self.n_networks)

    def _fit(self, y, X, fh):
        # sktime has reset the forecaster before _fit; a failure here must not
        # leave some fitted attributes (horizon_, window_length_) behind.
        with unchanged_on_failure(self):
            return self._fit_new(y, X, fh)

    def _fit_new(self, y, X, fh):
        if self.scaling not in _SCALINGS:
            raise ValueError(f"scaling={self.scaling!r} is not supported; use one of {list(_SCALINGS)}.")
        if not isinstance(self.forking_sequences, (bool, np.bool_)):
            raise TypeError(f"forking_sequences must be True or False, got {self.forking_sequences!r}.")
        if not isinstance(self.n_networks, (int, np.integer)) or isinstance(self.n_networks, bool) \
                or self.n_networks < 1:
            raise ValueError(f"n_networks must be a positive integer, got {self.n_networks!r}.")
        if not (self.lazy_windows == "auto" or isinstance(self.lazy_windows, (bool, np.bool_))):
            raise ValueError(f"lazy_windows must be 'auto', True or False, got {self.lazy_windows!r}.")
        if self.lazy_windows is True and self.validation_split:
            raise ValueError(
                f"validation_split={self.validation_split} needs the training windows in memory to draw the "
                "split from; with lazy_windows=True set validation_split=0 (early_stopping then watches the "
                "training loss), or set lazy_windows=False."
            )
        steps = self._horizon_steps(fh)
        self.horizon_ = int(steps.max())
        self._y_columns = y.columns
        arrays = self._arrays(y, X)
        self.window_length_ = self._choose_window_length([len(a[1]) for a in arrays], self.horizon_)
        self._fit_network(arrays)
        return self

    def _fit_network(self, arrays, warm=None):
        restored = _RESTORED_NETWORK.get()
        if restored is not None:
            self.regressors_, self.residual_quantile_source_, stored_scale = restored
            # The file keeps the statistics in the series' order, without their keys.
            self.series_scale_ = (
                None if stored_scale is None
                else [(key, *stats) for (key, _, _), stats in zip(arrays, stored_scale, strict=True)]
            )
            return
        self.series_scale_ = self._fit_series_scale(arrays)
        rows, position = self._window_rows(arrays)
        lazy = self._lazy_windows(arrays, rows)
        seeds = self._network_seeds()
        self.residual_quantile_source_ = self._calibration_residuals(arrays, rows, position, lazy, seeds[0])
        regressors = warm if warm is not None else [self._regressor(seed) for seed in seeds]
        self.regressors_ = [self._train(regressor, arrays, rows, lazy) for regressor in regressors]
        if self.residual_quantile_source_ is None:
            # No room to hold windows out: in-sample residuals (too optimistic).
            self.residual_quantile_source_ = self._residuals(self.regressors_, arrays, rows)

    def _lazy_windows(self, arrays, rows):
        """Whether training windows are made batch by batch (see ``lazy_windows``)."""
        if self.lazy_windows == "auto":
            window_bytes = sum(a.nbytes for a in self._windows_at(arrays, rows[:1]))
            return not self.validation_split and window_bytes * len(rows) > _LAZY_WINDOW_BYTES
        return self.lazy_windows

    def _train(self, regressor, arrays, rows, lazy):
        """``regressor`` fit on the windows at ``rows``: from arrays, or from batches made as it trains."""
        if not lazy:
            inputs, _, fit_targets = self._windows_at(arrays, rows)
            return regressor.fit(inputs, fit_targets)
        make = functools.partial(self._windows_at, arrays)
        return regressor.fit(
            _WindowBatches(make, rows, self.batch_size, self.shuffle, regressor.random_state)
        )

    def _residuals(self, regressors, arrays, rows):
        """Scaled forecast errors ``(n, horizon, n_variables)`` of the networks' average on the windows at ``rows``."""
        residuals = []
        for first in range(0, len(rows), _SCORED_WINDOWS):
            inputs, targets = self._windows_at(arrays, rows[first : first + _SCORED_WINDOWS], fit_targets=False)
            residuals.append(targets - self._network_forecast(regressors, inputs).reshape(targets.shape))
        return np.concatenate(residuals)

    def _calibration_residuals(self, arrays, rows, position, lazy, seed):
        """Standardised out-of-sample residuals from a small rolling-origin backtest, or None.

        The most recent ``calibration_size`` of each series' windows are split into
        up to ``_CALIBRATION_FOLDS`` consecutive blocks. Each block is forecast by a
        network (one, seeded with ``seed``) trained only on windows whose targets all precede it, so every
        residual is a genuine forecast error, and later blocks come from networks
        that saw more data, as the final one does.
        """
        if not self.calibration_size:
            return None
        n_calibration = int(math.ceil(self.calibration_size * len(rows) / len(arrays)))
        blocks = np.array_split(np.arange(-n_calibration + 1, 1), min(_CALIBRATION_FOLDS, n_calibration))
        residuals = []
        for block in blocks:
            held_out = (position >= block[0]) & (position <= block[-1])
            # A training window's targets must end before the block's first target.
            trained = position <= block[0] - self.horizon_
            if trained.sum() < 2 or not held_out.any():
                continue
            model = self._train(self._regressor(seed), arrays, rows[trained], lazy)
            residuals.append(self._residuals([model], arrays, rows[held_out]))
        if sum(len(r) for r in residuals) < 2:
            warnings.warn(
                "Too few training windows to hold some out for calibrating intervals; using in-sample "
                "residuals, which make intervals too narrow. Give more data, a shorter fh or window_length, "
                "or set calibration_size=0 to silence this.",
                UserWarning,
                stacklevel=4,
            )
            return None
        return np.concatenate(residuals)

    def _update(self, y, X=None, update_params=True):
        if update_params:
            arrays = self._arrays(self._y, self._X)
            self._choose_window_length([len(a[1]) for a in arrays], self.horizon_)  # still long enough?
            # A failed refit keeps the networks, residuals and scaling of the last fit together.
            with unchanged_on_failure(self):
                self._fit_network(arrays, warm=self.regressors_ if self.warm_start else None)
        return self

    # ------------------------------------------------------------- predicting
    def _forecast_windows(self, X):
        """Network inputs for the latest window of every series, with their scaling."""
        if self._X is not None and X is None:
            raise ValueError(
                "TCNForecaster was fit with exogenous X, so predict needs X for the forecast horizon too."
            )
        L, H = self.window_length_, self.horizon_
        future = dict(_series_of(X)) if X is not None and self._X is not None else {}
        horizon_index = ForecastingHorizon(np.arange(1, H + 1), is_relative=True).to_absolute_index(self.cutoff)
        inputs, keys = [], []
        series_scale = self._series_scale_table()
        for key, y, x in self._arrays(self._y, self._X):
            x_all = None
            if x is not None:
                if key not in future:
                    raise ValueError(f"predict needs X for the forecast horizon of series {key}.")
                given = future[key].reindex(index=horizon_index, columns=self._X.columns)
                # sktime passes X for the rows of fh only; a horizon step without a
                # row takes the latest known value (from the past X or an earlier row).
                known = pd.DataFrame(np.vstack([x[-1:], given.to_numpy(np.float64)])).ffill()
                x_all = np.concatenate([x[-L:], known.to_numpy()[1:]])[None]
            stats = _scale_of(series_scale, key)
            inputs.append(self._scaled_inputs(y[None, -L:], x_all, None if stats is None else
                                              tuple(s[None] for s in stats)))
            keys.append(key)
        windows, means, scales = (np.concatenate(part) for part in zip(*inputs))
        return windows.astype(np.float32), means, scales, keys

    def _frame(self, values, keys, fh, columns):
        """Forecast values (series, steps, columns) as a frame indexed like sktime expects."""
        index = fh.to_absolute_index(self.cutoff)
        if keys == [None]:
            return pd.DataFrame(values[0], index=index, columns=columns)
        tuples = [(*(k if isinstance(k, tuple) else (k,)), t) for k in keys for t in index]
        names = list(self._y.index.names)
        return pd.DataFrame(
            values.reshape(-1, values.shape[-1]), index=pd.MultiIndex.from_tuples(tuples, names=names), columns=columns
        )

    def _standardised_forecast(self, X, fh):
        windows, means, scales, keys = self._forecast_windows(X)
        steps = self._horizon_steps(fh) - 1
        forecast = self._network_forecast(self.regressors_, windows).reshape(len(windows), self.horizon_, -1)
        return forecast[:, steps], means, scales, keys, steps

    def _predict(self, fh, X):
        forecast, means, scales, keys, _ = self._standardised_forecast(X, fh)
        values = forecast * scales[:, None, :] + means[:, None, :]
        return self._frame(values, keys, fh, self._y_columns)

    def _predict_quantiles(self, fh, X, alpha):
        forecast, means, scales, keys, steps = self._standardised_forecast(X, fh)
        scale = _residual_scale(self.residual_quantile_source_)  # (horizon, columns)
        # Normalised residuals are pooled over windows and horizon steps: many more
        # samples for the tails than one step's residuals alone.
        normalised = (self.residual_quantile_source_ / scale).reshape(-1, scale.shape[-1])
        n = len(normalised)
        frames = []
        for a in alpha:
            # Split-conformal finite-sample correction of the quantile level.
            upper = max(a, 1 - a)
            level = min(1.0, math.ceil(upper * (n + 1)) / n)
            level = level if a >= 0.5 else 1.0 - level
            quantile = np.quantile(normalised, level, axis=0, method="higher" if a >= 0.5 else "lower")
            shift = quantile * scale[steps]  # (steps, columns)
            frames.append((forecast + shift) * scales[:, None, :] + means[:, None, :])
        values = np.stack(frames, axis=-1)  # series, steps, columns, alphas
        columns = self._get_columns(method="predict_quantiles", alpha=alpha)
        return self._frame(values.reshape(*values.shape[:2], -1), keys, fh, columns)

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
        from sktcn.persistence import save_archive

        return save_archive(self, path)

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
        from sktcn.persistence import _is_model_archive, load

        if _is_model_archive(serial):
            return load(serial)
        return super().load_from_path(serial)

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
            # Lazy windows here, so that sktime's suite runs that path too.
            dict(tiny, kernel_size=2, calibration_size=0.2, lazy_windows=True, n_networks=1),
        ]
