"""What TCNClassifier and TCNRegressor share: parameters, validation, training, fast predict.

The estimators are scikeras wrappers (``scikeras.wrappers.BaseWrapper``): scikeras
contributes parameter routing (``optimizer__momentum=0.9``, ``fit__...``), the
compilation of optimizers, losses and metrics, callbacks, ``partial_fit`` and the
pickling of Keras models. sktcn owns what scikeras 0.13 gets wrong or lacks with
scikit-learn >= 1.6: the tag system, input validation for time series, seeding
without switching on TensorFlow's process-wide op determinism, transactional
``fit`` and a compiled predict path.
"""

import contextlib
import contextvars
import copy
import functools
import inspect
import io
import json
import numbers
import threading
import warnings
import zipfile
from collections import defaultdict
from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf
from scikeras.wrappers import BaseWrapper
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from sklearn.utils.validation import (
    _check_feature_names,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from sktcn import _compat, _docs, _earlier_versions, _network_pool, persistence
from sktcn._caller import caller_stacklevel, flattened_panel_channels
from sktcn._codec import from_json, to_json
from sktcn._crops import CropBatches, time_chunks
from sktcn._distribute import (
    MIXED_POLICY,
    STRATEGY_NAMES,
    built_policy,
    check_not_forked_after_tensorflow,
    dtype_policy_scope,
    picklable_strategy,
    releasing_all_reduce_gradients,
    replica_batches,
    resolve_strategy,
    splits_batches_itself,
    strategy_scope,
)
from sktcn._epoch_batches import TooFewSamples, batch_sizes, epoch_batches, evaluation_batches, samples_text
from sktcn._forward import TracedOnDemand
from sktcn._keras_file import dtype_policy_names
from sktcn._ensemble import (
    MemberLoss,
    average_model,
    fuses_members,
    is_fused,
    joint_model,
    load_members,
    member_networks,
    store_members,
)
from sktcn._network import (
    POOLINGS,
    SERIES_SCALING,
    auto_dilations,
    build_network,
    check_dilations,
    input_noise_of,
    input_statistics_of,
    network_signature,
    noise_stddev,
    precision_dtypes,
    receptive_field,
    scaling_statistics,
)
from sktcn._network_pool import pool_key, same_parameter_value
from sktcn._onnx import export_onnx as _export_onnx
from sktcn._param_checks import (
    InstancesOrSubclasses,
    check_constraints,
    check_keras_names,
    check_loss_arguments,
    check_routed_params,
    closest_name,
)
from sktcn._pretrained import load_starting_point
from sktcn._stream_encoding import StreamEncoding, check_picklable
from sktcn._streaming import (
    StreamedData,
    WeightTally,
    is_streamed,
    joined_targets,
    raise_stream_failure,
    stream_mean_weight,
    predict_inputs,
    releasing_generator_functions,
)
from sktcn._random import (
    member_seeds,
    python_random_kept,
    restore_seed_states,
    seed_states,
    seeded,
)
from sktcn._random import seed_from as _seed_from
from sktcn._rollback import unchanged_on_failure, weights_restored_on_failure
from sktcn._validation import (
    CHANNELS_FIRST_HINT,
    as_array_like,
    as_series_array,
    check_float32_spread,
    checked_sample_weight,
    flattened_panel_hint,
    from_panel_frame,
    in_input_order,
    is_ragged,
    looks_channels_first,
    ndim,
    pad_front,
    padded_groups,
    panel_rows_advice,
    panel_rows_hint,
    python_ints,
    ragged_series,
    stack_padded,
)
from sktcn._training import (
    StopWhenConverged,
    TrainingPlan,
    float32_precision,
    given_weights,
    is_unit_mean,
    network_cost,
    network_time,
    plan_training,
    regime_callbacks,
    rounded_to_zero,
    unit_mean_weights,
    validation_fraction,
)

# scikit-learn >= 1.6 rejects scikeras' old-style tags: see sktcn._compat.
_compat.patch_scikeras_tags()
# clone() deep-copies parameters; TensorFlow's default strategy refuses it: see sktcn._compat.
_compat.patch_default_strategy_copy()
# scikeras copies Keras' losses and optimizers by configs that drop Huber's delta or the class: see sktcn._compat.
_compat.patch_keras_copies()

# Samples x time steps fed to the network per predict call: bounds the memory of
# the activations (nb_filters floats per step and block) for long inputs.
_PREDICT_CHUNK_STEPS = 2**18

_TCN_PARAMS = (
    "nb_filters",
    "kernel_size",
    "nb_stacks",
    "padding",
    "use_skip_connections",
    "dropout_rate",
    "return_sequences",
    "activation",
    "kernel_initializer",
    "use_batch_norm",
    "use_layer_norm",
    "use_weight_norm",
    "go_backwards",
)

# The parameters a built network is made of (its layers, its input scaling) or
# compiled with (its optimizer, whose state a warm start keeps, loss and metrics), besides the
# optimizer's routed settings (optimizer__*). A warm start and partial_fit go on
# with the network and optimizer they have, so a change of one of these since the
# network was built is refused rather than ignored (_check_warm_params).
# learning_rate is recorded too, but a new one applies to the optimizer kept
# (fine-tuning at a lower rate; _renewed_learning_rate).
_BUILT_WITH = (*_TCN_PARAMS, "dilations", "pooling", "input_scaling", "input_noise", "mixed_precision", "optimizer",
               "loss", "metrics")

# Steps that the receptive field of a pooled network covers with dilations=None
# (kernel_size=3: dilations (1, 2, 4, 8), a field of 61 steps).
POOLED_FIELD = 60

# ``pooling`` belongs to TCNClassifier and TCNRegressor, not to the shared
# signature: its "auto" means a different pooling for each, and estimators built
# on the shared parameters (the LSTM baselines, TCNForecaster) have no use for it.
POOLING_CONSTRAINT = {"pooling": [StrOptions({"auto", *POOLINGS})]}


# ``input_scaling`` belongs to TCNClassifier and TCNRegressor: the forecaster
# scales its windows itself, and the LSTM baselines stay the plain networks of
# the source documents.
INPUT_SCALING_CONSTRAINT = {"input_scaling": [StrOptions({"auto", "standard", SERIES_SCALING}), None]}


# ``input_noise`` belongs to TCNClassifier and TCNRegressor, as input_scaling:
# the forecaster's windows and the LSTM baselines train on their inputs as given.
INPUT_NOISE_CONSTRAINT = {"input_noise": [Interval(numbers.Real, 0, None, closed="left")]}

# ``n_networks`` belongs to TCNClassifier and TCNRegressor: the LSTM baselines
# are single networks, and the forecaster has its own (default 3).
ENSEMBLE_CONSTRAINT = {"n_networks": [Interval(numbers.Integral, 1, None, closed="left")]}

# ``subsequence_length`` and ``subsequence_sampling`` belong to TCNClassifier and
# TCNRegressor: crops need a causal TCN (the LSTM baselines carry state across
# the whole sequence) and the forecaster cuts its own windows.
SUBSEQUENCE_CONSTRAINT = {
    "subsequence_length": [Interval(numbers.Integral, 2, None, closed="left"), None],
    "subsequence_sampling": [StrOptions({"random", "stride"})],
}

# ``validation_split="auto"`` (see sktcn._training.validation_fraction) belongs to
# TCNClassifier and TCNRegressor: the forecaster's windows overlap, so a random
# split of them would validate on what the network trained on.
VALIDATION_SPLIT_CONSTRAINT = {
    "validation_split": [Interval(numbers.Real, 0, 1, closed="left"), StrOptions({"auto"})],
}

# The parameters TCNClassifier and TCNRegressor add to the shared ones, with their
# defaults and constraints (see ``own_params``).
ESTIMATOR_PARAMS = {"pooling": "auto", "n_networks": 1, "input_scaling": "auto", "input_noise": 0.0,
                    "subsequence_length": None, "subsequence_sampling": "random"}
ESTIMATOR_CONSTRAINTS = {**POOLING_CONSTRAINT, **ENSEMBLE_CONSTRAINT, **INPUT_SCALING_CONSTRAINT,
                         **INPUT_NOISE_CONSTRAINT, **SUBSEQUENCE_CONSTRAINT, **VALIDATION_SPLIT_CONSTRAINT}


def own_params(kwargs, defaults=ESTIMATOR_PARAMS):
    """Take the parameters named in ``defaults`` out of ``kwargs``: {name: given value or default}."""
    return {name: kwargs.pop(name, default) for name, default in defaults.items()}


# Keras fit arguments that sktcn applies itself (its own batching, shuffling and
# validation split) from the parameters of the same names. As in scikeras,
# fit__<name> overrides the parameter, and fit(..., <name>=...) overrides both.
FIT_SETTINGS = ("batch_size", "shuffle", "verbose", "validation_split")

# The key of the network's seed states (sktcn._random.seed_states) in a saved
# estimator's state, and in its pickled state: Keras' own file and pickle lose them.
_SEED_STATES = "_seed_states"

# Keras fit arguments that sktcn sets on every fit: neither fit__<name> nor fit(..., <name>=...) may give them.
# class_weight too, whose advice depends on the estimator (``_class_weight_advice``).
COMPUTED_FIT_ARGUMENTS = {
    "x": "give the series as fit's X",
    "y": "give the targets as fit's y",
    "sample_weight": "give sample_weight to fit itself",
    "validation_data": "use validation_split",
    "steps_per_epoch": "sktcn sets it from batch_size",
    "initial_epoch": "warm_start and partial_fit continue the epoch count",
}
# What replaces them where X is streamed (validation_split needs X in memory too).
STREAMED_FIT_ARGUMENTS = {
    "validation_data": "a streamed X trains without validation data, and early_stopping then watches the "
                       "training loss",
}


class FitArguments(NamedTuple):
    """What one fit trains with, fit__... and fit's keyword arguments applied (see ``_fit_arguments``)."""

    batch_size: int
    shuffle: bool
    verbose: object
    validation_split: object
    # The callbacks the fit runs beside sktcn's own: those given to fit itself, else copies of the estimator's.
    callbacks: list


def extend_signature(function, base_init=None, **extra):
    """Give ``function`` the keyword parameters of ``base_init`` plus ``extra``.

    scikit-learn reads an estimator's parameters and their defaults from the
    signature of ``__init__`` (for ``repr``, ``clone`` and its checks). A subclass
    that adds a parameter would otherwise have to repeat every shared one.
    ``base_init`` defaults to ``TCNEstimatorBase.__init__``. An ``extra`` that
    names a shared parameter gives it this estimator's own default, in place.
    """
    base = inspect.signature(base_init or TCNEstimatorBase.__init__).parameters.values()
    params = [p.replace(default=extra.pop(p.name)) if p.name in extra else p
              for p in base if p.kind != p.VAR_KEYWORD]
    params += [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=v) for k, v in extra.items()]
    params.append(inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD))
    function.__signature__ = inspect.Signature(params)
    return function


# Top-level modules whose objects a parameter may hold without running the
# user's code (see TCNEstimatorBase._holds_user_code).
_LIBRARY_MODULES = {"builtins", "numpy", "keras", "tensorflow", "tcn", "sktcn", "collections", "functools"}


# The receptive-field warnings (see ``TCNEstimatorBase._fit_architecture``) given
# so far within ``field_warned_once``; None outside it.
_FIELD_WARNINGS = contextvars.ContextVar("sktcn_field_warnings", default=None)


@contextlib.contextmanager
def field_warned_once():
    """Within the block, each receptive-field warning is given once, however many networks warn it.

    For a fit that builds one architecture several times (an ensemble's
    members, TCNForecaster's backtest and final networks): each build checks
    the receptive field, and would otherwise repeat the same warning, which
    pytest's recwarn, ``logging.captureWarnings`` and "always" filters all
    show. Nested blocks share the outermost one's record.
    """
    if _FIELD_WARNINGS.get() is not None:
        yield
        return
    token = _FIELD_WARNINGS.set(set())
    try:
        yield
    finally:
        _FIELD_WARNINGS.reset(token)


def _same_values(a, b):
    """Whether parameter values ``a`` and ``b`` are the same objects, or equal plain values, item by item."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_values(a[key], b[key]) for key in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same_values(x, y) for x, y in zip(a, b))
    if a is b:
        return True
    # Routed values (numbers, strings): equal is the same; anything else only if identical.
    return isinstance(a, (numbers.Number, str, bytes)) and type(a) is type(b) and a == b


@functools.cache
def _keras_fit_arguments():
    """The names of Keras' ``Model.fit`` arguments (read once: every fit checks fit__... names against them)."""
    return frozenset(inspect.signature(keras.Model.fit).parameters) - {"self"}


def all_finite(variables):
    """Whether every value of the Keras ``variables`` is finite.

    Examples
    --------
    >>> import keras
    >>> all_finite([keras.Variable([1.0, 2.0])]), all_finite([keras.Variable([1.0, float("nan")])])
    (True, False)
    """
    return all(np.isfinite(variable.numpy()).all() for variable in variables)


class _LoggedEpochs(keras.callbacks.Callback):
    """The epochs of a fit (counted from 1) in whose logs each key was: Keras' History keeps only the values."""

    def __init__(self):
        super().__init__()
        self.epochs = defaultdict(list)
        self._count = 0

    def on_epoch_end(self, epoch, logs=None):
        self._count += 1
        for key in logs or {}:
            self.epochs[key].append(self._count)


class _PickledModel:
    """Pickles as its Keras model does, but unpickles it without moving Python's ``random``.

    Keras draws the seeds of the layers it rebuilds from Python's process-wide
    ``random``; unpickling an estimator must leave a user's stream alone.
    """

    def __init__(self, model):
        self.model = model

    def __reduce__(self):
        # The model's own reduction (scikeras': a function and its .keras bytes), called in the guarded block.
        # The arguments are those sktcn has always written, so that earlier versions read the pickle too: the
        # policy the network was built under is read back from its .keras bytes (_unpickle_model).
        with _compat.keras_array_copy_warning_ignored():  # Keras reads each weight with np.array
            rebuild, args = self.model.__reduce__()
        return _unpickle_model, (rebuild, args)


def _unpickle_model(rebuild, args, policy=None):
    """The Keras model ``rebuild(*args)`` (see _PickledModel), with Python's ``random`` kept where it was.

    The model is rebuilt under the dtype policy it was built under, not the
    loading thread's (whose global policy is restored afterwards): Keras does
    not save it, and it is read from the layers' policies in the model's
    ``.keras`` bytes (``args``) as :func:`sktcn.load` reads a file's
    (:func:`sktcn._distribute.built_policy`), for pickles of every sktcn
    version. ``policy``: the one that pickles of the development versions
    after f542a65 recorded.
    """
    if policy is None:
        policy = _packed_policy(*args)
    with python_random_kept(), dtype_policy_scope(policy):
        return rebuild(*args)


def _packed_policy(packed):
    """The dtype policy the network in ``packed`` (scikeras' pickled ``.keras`` bytes) was built under."""
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        config = json.loads(archive.read("config.json"))
    return built_policy(dtype_policy_names(config))


# What Keras' fit reads as a dataset, which shuffles (or not) by itself.
_DATASETS = (tf.data.Dataset, tf.distribute.DistributedDataset)


class TCNEstimatorBase(BaseWrapper):
    """Shared core of the sktcn estimators; use TCNClassifier or TCNRegressor."""

    _parameter_constraints = {
        "nb_filters": [Interval(numbers.Integral, 1, None, closed="left"), list, tuple],
        "kernel_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "nb_stacks": [Interval(numbers.Integral, 1, None, closed="left")],
        "dilations": [list, tuple, np.ndarray, None],
        "padding": [StrOptions({"causal", "same"})],
        "use_skip_connections": ["boolean"],
        "dropout_rate": [Interval(numbers.Real, 0, 1, closed="left")],
        "return_sequences": ["boolean"],
        "activation": [str, callable],
        "kernel_initializer": [str, keras.initializers.Initializer],
        "use_batch_norm": ["boolean", StrOptions({"auto"})],
        "use_layer_norm": ["boolean"],
        "use_weight_norm": ["boolean"],
        "go_backwards": ["boolean"],
        # By Keras name, instance or class (scikeras instantiates a class with the optimizer__... parameters).
        "optimizer": [str, InstancesOrSubclasses(keras.optimizers.Optimizer, "keras.optimizers.Optimizer")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "validation_split": [Interval(numbers.Real, 0, 1, closed="left")],
        "early_stopping": ["boolean"],
        "patience": [Interval(numbers.Integral, 0, None, closed="left")],
        "shuffle": ["boolean"],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "distribution_strategy": [StrOptions(set(STRATEGY_NAMES)), tf.distribute.Strategy, None],
        "mixed_precision": ["boolean"],
    }

    # Which ``prefix__...`` parameters are routed (sktcn._compat.ROUTING_PREFIXES).
    _routing_prefixes = _compat.ROUTING_PREFIXES

    def set_params(self, **params):
        # scikeras' own message for an invalid name advises a call sktcn refuses: see sktcn._compat.
        return _compat.set_params(self, params)

    def __init__(
        self,
        *,
        nb_filters=64,
        kernel_size=3,
        nb_stacks=1,
        dilations=None,
        padding="causal",
        use_skip_connections=True,
        dropout_rate=0.0,
        return_sequences=False,
        activation="relu",
        kernel_initializer="he_normal",
        use_batch_norm=False,
        use_layer_norm=False,
        use_weight_norm=False,
        go_backwards=False,
        optimizer="adam",
        learning_rate=None,
        loss=None,
        metrics=None,
        epochs="auto",
        batch_size=32,
        validation_split=0.0,
        early_stopping=False,
        patience=10,
        callbacks=None,
        shuffle=True,
        warm_start=False,
        random_state=None,
        verbose=0,
        distribution_strategy=None,
        mixed_precision=False,
        **kwargs,
    ):
        self.nb_filters = nb_filters
        self.kernel_size = kernel_size
        self.nb_stacks = nb_stacks
        self.dilations = dilations
        self.padding = padding
        self.use_skip_connections = use_skip_connections
        self.dropout_rate = dropout_rate
        self.return_sequences = return_sequences
        self.activation = activation
        self.kernel_initializer = kernel_initializer
        self.use_batch_norm = use_batch_norm
        self.use_layer_norm = use_layer_norm
        self.use_weight_norm = use_weight_norm
        self.go_backwards = go_backwards
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.loss = loss
        self.metrics = metrics
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_split = validation_split
        self.early_stopping = early_stopping
        self.patience = patience
        self.callbacks = callbacks
        self.shuffle = shuffle
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.distribution_strategy = distribution_strategy
        self.mixed_precision = mixed_precision
        # Routed parameters (``optimizer__momentum=...``), kept as scikeras does
        # so that get_params, set_params and clone carry them along.
        check_routed_params(self, kwargs)
        vars(self).update(kwargs)

    # ------------------------------------------------------------------ checks
    def _check_params(self):
        """Raise ValueError/TypeError for invalid hyperparameters, before any work."""
        check_constraints(self)
        check_keras_names(self)
        if self.dilations is not None:
            check_dilations(self.dilations, alternative=", or None")
        if self._resolve_pooling() == "last" and self.padding == "same":
            # keras-tcn's return_sequences=False reads the middle step of a
            # non-causal TCN (its last step sees little of the past behind it),
            # so such a network ignored the end of every series.
            raise ValueError(
                "padding='same' cannot be combined with pooling='last': keras-tcn reads a non-causal TCN's "
                "middle time step, not its last, so the prediction would ignore the end of the series. Use "
                "pooling='mean' or 'max' with padding='same', or padding='causal'."
            )
        norms = [n for n in ("use_batch_norm", "use_layer_norm", "use_weight_norm") if self._tcn_flag(n)]
        if len(norms) > 1:
            raise ValueError(f"{' and '.join(norms)} are both set; choose at most one normalisation.")
        if isinstance(self.nb_filters, (list, tuple)):
            if not all(isinstance(f, numbers.Integral) and f >= 1 for f in self.nb_filters):
                raise ValueError(f"nb_filters must hold positive integers, got {self.nb_filters!r}.")
            if self.use_skip_connections and len(set(self.nb_filters)) > 1:
                raise ValueError(
                    "nb_filters with different values cannot be combined with use_skip_connections=True; "
                    "use one value or set use_skip_connections=False."
                )
        self._check_loss()
        check_loss_arguments(self.loss, {k: v for k, v in self.get_params().items() if k.startswith("loss__")})

    def _check_loss(self):
        """Raise ValueError for a ``loss`` or ``metrics`` the estimator's targets cannot take (the classifier's)."""

    # Whether fit warns about 3D X that looks like sktime's (series, channels,
    # time) layout; off for the forecaster's own windows, whose layout it built.
    _checks_input_layout = True

    def _check_X(self, X, reset):
        """The one validation path for training inputs: returns float32 (n_samples, n_timesteps, n_features).

        Series of different lengths are padded in front to their longest, or
        in a later training call to ``_padding_length`` where that is longer.
        """
        X, ragged = self._read_X(X, reset)
        length = 0 if reset else self._padding_length(training=True)
        X = stack_padded(X, max(length, max(len(x) for x in X))) if ragged else pad_front(X, length)
        if not reset:
            self._check_shape(X)
        return X

    def _check_X_by_length(self, X):
        """Predict's validation: ``(groups, lengths)``, the series of ``X`` as the network runs them.

        ``groups``: ``[(rows, series), ...]``, float32 ``series`` (n, T, F) run
        through the network together, ``rows`` their positions in ``X`` (None:
        all of ``X``, in order). ``lengths``: the steps of each series of
        ``X``, one int where they have one length. Each series is padded in
        front to ``max(its length, _padding_length)``, so that its prediction
        does not depend on the other series in the call (padded to their
        longest, a short series' pooled features and receptive field would
        take in more zeros next to a long series than alone).
        """
        X, ragged = self._read_X(X, reset=False)
        length = self._padding_length(training=False)
        if ragged:
            lengths = [len(x) for x in X]
            groups = [(rows, stack_padded([X[i] for i in rows], n)) for n, rows in padded_groups(lengths, length)]
        else:
            lengths, groups = X.shape[1], [(None, pad_front(X, length))]
        for _, series in groups:
            self._check_shape(series)
        return groups, lengths

    @property
    def ragged_fit_length_(self):
        """The steps a fit on series of different lengths padded them to (documented with the attributes)."""
        if "model_" not in vars(self):
            raise AttributeError(f"This {type(self).__name__} is not fitted yet: ragged_fit_length_ is set by fit.")
        return self._ragged_fit_length

    def _padding_length(self, training):
        """Steps every series is padded to at least: those of the ragged series the network was built on, else 0.

        A shorter series is then padded as that fit padded it, whatever series
        share its call. Per-step targets of a later training call have that
        call's steps only, so with ``return_sequences=True`` its series are
        padded to its own longest.
        """
        if training and self.return_sequences:
            return 0
        return self._ragged_fit_length or 0

    def _read_X(self, X, reset):
        """``X`` checked and converted, its names and feature counts recorded (``reset``) or checked.

        Returns ``(X, ragged)``: float32 ``(n_samples, n_timesteps,
        n_features)``, or for series of different lengths (``ragged``) the
        list of their float32 ``(n_timesteps_i, n_features)`` arrays.
        """
        panel = from_panel_frame(X)
        # An array's layout is ambiguous; a nested DataFrame's is not.
        frame = X if panel is not X else None
        X = as_array_like(panel, type(self).__name__)
        ragged = is_ragged(X)
        from_2d = not ragged and ndim(X) == 2
        if from_2d and not reset and getattr(self, "n_timesteps_in_", 0) is None:
            # Fit on series, this network reads a table as univariate series: a panel
            # frame's rows would each get a prediction (its shape may also be refused below).
            hint = panel_rows_hint(panel)
            if hint:
                warnings.warn(hint, UserWarning, stacklevel=caller_stacklevel())
        self._check_names(X, frame, from_2d, reset)
        given = X
        if ragged:
            X = ragged_series(X)
            shape = (len(X), max(len(x) for x in X), X[0].shape[1])
        else:
            X, from_2d = as_series_array(X, type(self).__name__)
            shape = X.shape
        if reset:
            # The training data only: a fit warns once, predictions stay as fast as they were.
            check_float32_spread(given, X)
            if frame is None and not from_2d:
                self._warn_if_transposed(shape)
            self.n_timesteps_in_ = shape[1] if from_2d else None
            if not from_2d:
                self.n_features_in_ = shape[2]
            else:
                self._warn_if_flattened(shape[1])
            self._n_channels = shape[2]
            # The length this fit pads its series to: predictions pad shorter ones to it too.
            self._ragged_fit_length = shape[1] if ragged else None
        return X, ragged

    def _warn_if_flattened(self, n_values):
        """Warn where sktime's pipeline flattened a panel of several channels into this fit's 2D X of ``n_values``."""
        channels = flattened_panel_channels()
        if channels is not None and channels > 1:
            warnings.warn(flattened_panel_hint(channels, n_values, type(self).__name__), UserWarning,
                          stacklevel=caller_stacklevel())

    def _check_names(self, X, frame, from_2d, reset):
        """Record (``reset``) or check column names with scikit-learn's ``feature_names_in_`` bookkeeping.

        The names of a 2D ``X`` are its time steps'; those of a nested
        ``frame`` (sktime's ``nested_univ``) its features', so that a frame
        whose columns come in another order is refused, not read by position.
        """
        fit_on_2d = getattr(self, "n_timesteps_in_", None) is not None
        if from_2d and (reset or fit_on_2d):
            if not reset and (n_timesteps := np.shape(X)[1]) != self.n_timesteps_in_:  # X may be a list of lists
                # Before scikit-learn's count check, whose message speaks of features only.
                self._refuse_other_length(n_timesteps)
            # scikit-learn's own bookkeeping of column names and counts.
            validate_data(self, X, reset=reset, skip_check_array=True)
        elif reset or (not fit_on_2d and (frame is not None or hasattr(self, "feature_names_in_"))):
            # The test spares arrays, the usual input, the check's cost when
            # there are no names to compare.
            _check_feature_names(self, frame, reset=reset)

    def _check_shape(self, X):
        """Check a padded float32 ``X`` (n_samples, n_timesteps, n_features) against the fitted network."""
        if X.shape[2] != self._n_channels:
            swapped = X.shape[1] == self._n_channels
            raise ValueError(
                f"X has {X.shape[2]} features per time step, but {type(self).__name__} "
                f"is expecting {self._n_channels} features per time step as input."
                + (" " + CHANNELS_FIRST_HINT if swapped else "")
            )
        if self.n_timesteps_in_ is not None and X.shape[1] != self.n_timesteps_in_:
            self._refuse_other_length(X.shape[1])

    def _refuse_other_length(self, n_timesteps):
        """ValueError for series of ``n_timesteps`` given to an estimator fit on a 2D X of other lengths."""
        # It begins as scikit-learn's message of the count check does, which its checks match.
        raise ValueError(
            f"X has {n_timesteps} features, but {type(self).__name__} is expecting "
            f"{self.n_timesteps_in_} features as input (the time steps of the 2D X it was fit on; "
            "fit on 3D input to predict series of other lengths)."
        )

    def _warn_if_transposed(self, shape):
        """Warn when a 3D array of ``shape`` looks like sktime's (series, channels, time), read the wrong way round."""
        if self._checks_input_layout and looks_channels_first(shape):
            warnings.warn(
                f"X has shape {shape}, read as {shape[1]} time step(s) of {shape[2]} features each. "
                + CHANNELS_FIRST_HINT,
                UserWarning,
                stacklevel=caller_stacklevel(),
            )

    def _check_y(self, y, X):
        """Check the target's shape against X; subclasses check its values."""
        check_consistent_length(X, y)
        if self.return_sequences:
            if y.ndim < 2 or y.shape[1] != X.shape[1]:
                raise ValueError(
                    f"With return_sequences=True y needs one target per time step, shape "
                    f"(n_samples, {X.shape[1]}[, n_outputs]); got {y.shape}."
                )
        elif y.ndim > 2:
            raise ValueError(
                f"y has shape {y.shape}; targets per time step need return_sequences=True, "
                "otherwise give y as (n_samples,) or (n_samples, n_outputs)."
            )
        return y

    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        # scikeras' hook, with its signature: reached from _initialize (a new
        # network), scikeras' _fit (warm_start, partial_fit) and the streamed
        # fit's batches; predict and score validate X by _check_X_by_length
        # instead. y_numeric is scikeras' argument, which no caller here
        # passes: _as_target_array gives y its dtype.
        given = X
        if X is not None:
            X = self._check_X(X, reset=reset)
        if y is not None:
            y = self._as_target_array(y)
            advice = panel_rows_advice(given, len(y))
            if advice:
                raise ValueError(advice)
            y = self._check_y(y, X)
            if not reset and hasattr(self, "_output_shape"):
                # Targets for a network that is trained further (partial_fit, warm_start).
                self._check_outputs(y)
        return X, y

    def _check_outputs(self, y):
        """Refuse targets ``y`` whose outputs differ from those the fitted network was built for.

        A warm start trains the network it has, whose head has one output per
        target column: Keras would broadcast other targets onto it, or fail
        with a message about shapes.
        """
        expected = tuple(self._output_shape)
        got = tuple(self.target_encoder_.output_shape(y.shape))
        if self.return_sequences:  # the time axis, of any length
            expected, got = expected[1:], got[1:]
        if got != expected:
            n_got, n_expected = int(np.prod(got, dtype=int)), int(np.prod(expected, dtype=int))
            if n_got != n_expected:
                problem = (f"y of shape {y.shape} has {n_got} output(s), but the fitted network "
                           f"of {type(self).__name__} has {n_expected}")
            else:  # as many outputs, laid out otherwise: name the shapes
                axes = ["n_samples"] + (["n_timesteps"] if self.return_sequences else []) + [str(n) for n in expected]
                problem = (f"y has shape {y.shape}, but the fitted network of {type(self).__name__} was built "
                           f"for y of shape ({', '.join(axes)}{',' if len(axes) == 1 else ''})")
            raise ValueError(
                f"{problem}: partial_fit and warm_start=True train the fitted network further, with the "
                "outputs it has. To train on these targets, fit again with warm_start=False, or fit a new estimator."
            )

    def _as_target_array(self, y):
        raise NotImplementedError

    def _validate_sample_weight(self, X, y, sample_weight):
        # The check that streamed weights get too, then scikeras' drop of the
        # samples of weight 0, without its cast to float32: the weights stay in
        # float64 until _network_weights casts them (a fit's divided by their
        # mean first) and drops the samples whose weight float32 rounds to 0.
        weights = checked_sample_weight(sample_weight, X)
        kept = weights != 0
        return X[kept], y[kept], weights[kept]

    # ---------------------------------------------------------------- building
    # Whether use_batch_norm="auto" means batch normalisation (see TCNClassifier).
    def _batch_norm_by_default(self):
        return False

    def _tcn_flag(self, name):
        """A keras-tcn parameter as the network gets it: ``use_batch_norm="auto"`` resolved."""
        if name == "use_batch_norm" and self.use_batch_norm == "auto":
            other_norm = self.use_layer_norm or self.use_weight_norm
            return self._batch_norm_by_default() and not other_norm
        return getattr(self, name)

    def _tcn_params(self):
        params = {name: python_ints(self._tcn_flag(name)) for name in _TCN_PARAMS}
        if isinstance(params["nb_filters"], tuple):
            params["nb_filters"] = list(params["nb_filters"])  # keras-tcn checks for a list
        params["dilations"] = list(self.dilations_)
        return params

    def _y_required(self):
        """The message for a call given ``y=None`` with series held in memory (scikit-learn's wording)."""
        return f"{type(self).__name__} requires y to be passed, but the target y is None."

    def _holds_user_code(self):
        """Whether a parameter holds the user's own code: an object or function not of Keras, NumPy or sktcn.

        Such code (an initializer of their own, a loss, an activation) may draw
        from NumPy's or Python's global generator, which ``random_state`` has
        always seeded: blocks that run it seed those too (``seeded``'s
        ``user_code``). Plain values and Keras' own objects draw from Keras'
        generators only.
        """
        def own(item):
            if isinstance(item, (list, tuple)):
                return all(own(part) for part in item)
            if isinstance(item, dict):
                return all(own(part) for part in item.values())
            where = getattr(item, "__module__", None) if callable(item) else type(item).__module__
            return (where or "").split(".")[0] in _LIBRARY_MODULES
        return not all(own(value) for value in self.get_params(deep=False).values())

    def _build_keras_model(self):
        # Variables created in a strategy's scope are placed (and mirrored) by
        # it, and Keras' fit then distributes every step the same way.
        strategy = resolve_strategy(getattr(self, "distribution_strategy", None))
        n_networks = getattr(self, "n_networks", 1)
        user_code = self._holds_user_code()  # once for every member
        with strategy_scope(strategy):
            if n_networks == 1:
                with seeded(self._random_state, user_code=user_code):
                    model = self._build_network()
            else:
                # Member k is initialised as a single network seeded random_state + k.
                members = []
                # The members share one architecture: its receptive field warns once.
                with field_warned_once():
                    for seed in member_seeds(self._random_state, n_networks):
                        with seeded(seed, user_code=user_code):
                            members.append(self._build_network())
                model = average_model(members, self._n_channels)
                # The model that trains them is built by _training_model, once
                # the fit's plan says what the training costs (see _fuses). A
                # pooled one goes back to sktcn._network_pool with its lease.
                self._trainer = self._trainer_lease = None
            model.compile(**self._get_compile_kwargs())
        return model

    # A private ReusedNetwork (sktcn._network_reuse) that TCNForecaster sets on
    # the single networks of its calibration backtest; None: every fit builds.
    _network_reuse = None

    # A private sktcn._pretrained.StartingPoint that a pretrained TCNForecaster
    # sets on its networks: each new network starts from its weights, not
    # from a random initialisation; None: a random one.
    _starting_point = None

    def _new_or_reused_model(self):
        """``model_`` for a new fit: built, or the ``_network_reuse``'s network restored to how it was built."""
        if self._network_reuse is None or getattr(self, "n_networks", 1) != 1:
            return self._build_keras_model()
        # The signature sets the fitted architecture (dilations_, ...) that a
        # reused network skips building; the build warns, if it has to.
        return self._network_reuse.model_for(self._build_keras_model, self._network_signature())

    def _new_trainer(self, members, plan):
        """``(model, lease)``: the model that trains an ensemble's ``members`` in one ``fit`` (``sktcn._ensemble``).

        Fused (one network with block-diagonal convolutions) where
        :meth:`_fuses` says so for the fit's ``plan``, else the members side by
        side. A fused model holds none of the members' objects, only copies of
        their weights, so it comes from the process's pool of networks (its
        trace made by an earlier fit) where one of its key is idle, and goes
        back when ``lease`` is dropped; lease is None for a model of its own.
        """
        if self._fuses(len(members), plan):
            key = pool_key(self, "fused trainer", self._network_signature(),
                           draws_noise=getattr(self, "_input_noise_stddev", None) is not None)
            lease = _network_pool.POOL.lend(key) if key is not None else None
            build = functools.partial(self._compile_fused_trainer, members)
            trainer = build() if lease is None else lease.network.model_for(build, key)
            if trainer is not None:
                return trainer, lease
        return self._compile(joint_model(members, self._n_channels)), None

    def _compile_fused_trainer(self, members):
        """The compiled fused training model of the ``members``, or None where its layers differ from theirs."""
        trainer = self._fused_trainer(members)
        return None if trainer is None else self._compile(trainer)

    def _compile(self, trainer):
        """``trainer`` compiled as the estimator's model, with a loss that sums the members' losses."""
        kwargs = self._get_compile_kwargs()
        kwargs["loss"] = MemberLoss(kwargs["loss"])
        # Metrics would compare the stacked members' outputs with one target.
        kwargs.pop("metrics", None)
        kwargs.pop("weighted_metrics", None)
        trainer.compile(**kwargs)
        return trainer

    def _fuses(self, n_members, plan):
        """Whether an ensemble of ``n_members`` trains fused (``sktcn._ensemble``) under ``plan``.

        Only where the fused network is the members exactly: sktcn's own TCN
        network (not a subclass's), no layer or weight normalisation (they mix
        channels), no mixed precision; and only where it pays: a fit whose
        arithmetic is small (see :func:`sktcn._ensemble.fuses_members`).
        """
        return (
            type(self)._build_network is TCNEstimatorBase._build_network
            and not (self.use_layer_norm or self.use_weight_norm or self.mixed_precision)
            and fuses_members(n_members, plan.cost)
        )

    def _fused_trainer(self, members):
        """The fused training model of the ``members``, or None where its layers differ from theirs."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the members' build already warned
            fused = self._build_network(n_members=len(members))
        # keras-tcn matches a block's input width with a 1x1 convolution only
        # when the widths differ; where the input's channels equal one member's
        # filters, or all members' together, one TCN would have that
        # convolution and the other not.
        if len(fused.get_layer("tcn").weights) != len(members[0].get_layer("tcn").weights):
            return None
        return fused

    def _training_model(self, plan):
        """The Keras model a fit under ``plan`` trains: ``model_`` itself, or an ensemble's joint model.

        An ensemble's is built on its first fit and kept for the warm starts after it.
        """
        n_networks = getattr(self, "n_networks", 1)
        built = len(member_networks(self.model_)) or 1
        if built != n_networks:
            raise ValueError(
                f"n_networks={n_networks} but the fitted model holds {built} network(s): a warm start "
                "continues the networks it has. Set warm_start=False to train new ones."
            )
        if n_networks == 1:
            return self.model_
        if getattr(self, "_trainer", None) is None:
            # Not pickled, nor saved: rebuilt from model_'s members (a new
            # optimizer). Seeded: a fit with dropout draws from the seed states
            # the model is built with, also when a schedule asks for its
            # optimizer before the fit's own seeding.
            with (
                strategy_scope(resolve_strategy(getattr(self, "distribution_strategy", None))),
                seeded(self._random_state, user_code=self._holds_user_code()),
            ):
                self._trainer, self._trainer_lease = self._new_trainer(member_networks(self.model_), plan)
        return self._trainer

    def _build_network(self, n_members=1):
        """The uncompiled Keras model; subclasses with another network override this.

        ``n_members > 1`` builds a fused ensemble's training model (``sktcn._ensemble``).
        """
        self._fit_architecture()
        return build_network(**self._network_args(), n_members=n_members)

    def _network_args(self):
        """The arguments of :func:`sktcn._network.build_network` for the network, once ``_fit_architecture`` ran."""
        return dict(
            n_channels=self._n_channels,
            n_timesteps=None,
            tcn_params=self._tcn_params(),
            output_shape=self._output_shape,
            n_classes=self._n_network_classes(),
            mixed_precision=self.mixed_precision,
            pooling=self.pooling_ or "last",
            input_statistics=getattr(self, "_input_statistics", None),
            head_initializer=self._head_initializer,
            input_noise=getattr(self, "_input_noise_stddev", None),
        )

    def _network_signature(self):
        """What the network's build depends on, for the fitted data, as a hashable value (``network_signature``)."""
        self._fit_architecture(warn=False)
        return network_signature(**self._network_args())

    def _fit_architecture(self, warn=True):
        """``pooling_``, ``dilations_`` and ``receptive_field_`` for the fitted series length, checked.

        ``warn``: whether a receptive field shorter than the series warns.
        """
        n_timesteps = self._fit_timesteps
        kernel_size, nb_stacks = python_ints(self.kernel_size), python_ints(self.nb_stacks)
        self.pooling_ = self._resolve_pooling()
        self.dilations_ = (
            tuple(int(d) for d in self.dilations) if self.dilations is not None
            else auto_dilations(self._covered_steps(n_timesteps), kernel_size, nb_stacks)
        )
        self.receptive_field_ = receptive_field(kernel_size, self.dilations_, nb_stacks)
        if isinstance(self.nb_filters, (list, tuple)) and len(self.nb_filters) != len(self.dilations_):
            raise ValueError(
                f"nb_filters has {len(self.nb_filters)} entries but there are {len(self.dilations_)} "
                "dilations; give one number of filters per dilation."
            )
        # A pooled network still sees every step, through the outputs of other
        # steps; a short receptive field only bounds the patterns it combines.
        # Trained on crops, it is meant to see a crop's steps, not a whole sequence's.
        covered = self._covered_steps(n_timesteps)
        if warn and self.receptive_field_ < covered and self.pooling_ in ("last", None):
            seen = f"training sequences ({n_timesteps} steps)" if covered == n_timesteps else (
                f"subsequence_length ({covered} steps)")
            # A kernel of one step sees one step at any dilation: its field is 1 whatever dilations and nb_stacks are.
            advice = ("With kernel_size=1 every convolution sees a single step, so neither dilations nor nb_stacks "
                      "can widen it: only a kernel_size of 2 or more can." if kernel_size == 1 else
                      "Use larger dilations, a larger kernel_size or more nb_stacks, or dilations=None.")
            field = f"{self.receptive_field_} step{'s' if self.receptive_field_ > 1 else ''}"
            message = (f"The receptive field ({field}) is shorter than the {seen}: the network cannot see steps "
                       f"further back. {advice}")
            given = _FIELD_WARNINGS.get()
            if given is None or message not in given:
                warnings.warn(message, UserWarning, stacklevel=caller_stacklevel())
            if given is not None:
                given.add(message)

    # The output head's initializer (sktcn._network.output_head); not a
    # parameter: only TCNForecaster sets another one, on the networks it builds.
    _head_initializer = "zeros"

    def _n_network_classes(self):
        return None

    def _covered_steps(self, n_timesteps):
        """Steps the receptive field of ``dilations=None`` covers.

        The last step of an unpooled network must see the whole series. A
        pooled network combines every step's features, so each needs only a
        local pattern: its field stops at ``POOLED_FIELD`` steps, as the UCR
        archive's convolutional classifiers (FCN, ResNet) look at a few dozen.
        On OSULeaf (427 steps) this raised the default classifier's accuracy
        from 0.777 to 0.810 and halved its cost per step.
        """
        if self.pooling_ in ("mean", "max"):
            return min(n_timesteps, POOLED_FIELD)
        # Trained on crops, a network sees one crop (plus its context) at a time.
        length = getattr(self, "subsequence_length", None)
        return n_timesteps if length is None else min(n_timesteps, length)

    # What ``pooling="auto"`` means for this estimator.
    _auto_pooling = "last"

    def _resolve_pooling(self):
        """``pooling`` with "auto" replaced; None when ``return_sequences=True`` (nothing to pool)."""
        if self.return_sequences:
            if self.pooling != "auto":
                raise ValueError(
                    f"pooling={self.pooling!r} reduces each series to one prediction, but "
                    "return_sequences=True predicts one target per time step, so there is no time axis to "
                    "pool. Leave pooling='auto' with return_sequences=True, or set return_sequences=False."
                )
            return None
        if self.pooling != "auto":
            return self.pooling
        # keras-tcn reads one step of a non-causal TCN from the middle of the
        # series, so "auto" pools over time there instead of reading one step.
        return "mean" if self.padding == "same" else self._auto_pooling

    def _get_compile_kwargs(self):
        kwargs = super()._get_compile_kwargs()
        if kwargs.get("loss") is None:
            kwargs["loss"] = self._default_loss
        if kwargs["optimizer"] is self.optimizer:
            # scikeras hands over the user's instance itself. A Keras optimizer
            # serves only the variables it was built for, and the learning rate
            # below would change the user's object: each network gets a copy,
            # of the instance's own class (Keras' deserialize would need it registered).
            kwargs["optimizer"] = _compat.copy_optimizer(kwargs["optimizer"])
        if self.learning_rate is not None:
            if _compat.learning_rate_schedule(kwargs["optimizer"]) is not None:
                # Keras' own TypeError would not say which parameter set the rate.
                raise ValueError(
                    f"learning_rate={self.learning_rate!r} cannot set the rate of an optimizer whose learning rate "
                    "is a schedule (a LearningRateSchedule); leave learning_rate=None, or give the optimizer a "
                    "number as its learning rate."
                )
            kwargs["optimizer"].learning_rate = self.learning_rate
        # Chosen by benchmarks/overhead.py on a 2-core CPU: forcing XLA made TCN
        # training 1.23x slower and "auto" did not use it. compile__jit_compile overrides.
        kwargs.setdefault("jit_compile", False)
        float16 = precision_dtypes(self.mixed_precision)[0] == MIXED_POLICY  # also under Keras' global policy
        if float16 and not isinstance(kwargs["optimizer"], keras.optimizers.LossScaleOptimizer):
            # float16 gradients underflow without it. Keras adds it by itself only
            # to models whose own policy is mixed; sktcn's model stays float32
            # (sktcn._distribute.unmixed_policy_scope).
            kwargs["optimizer"] = keras.optimizers.LossScaleOptimizer(kwargs["optimizer"])
        return kwargs

    # ---------------------------------------------------------------- training
    def fit(self, X, y=None, sample_weight=None, **kwargs):
        self._check_epochs_override(kwargs)
        return super().fit(X, y, sample_weight=sample_weight, **kwargs)

    def _check_epochs_override(self, kwargs):
        """Refuse a fit's ``epochs`` (fit's keyword, else ``fit__epochs``) that the ``epochs`` parameter would refuse.

        scikeras' ``fit`` takes the epochs from fit's ``epochs=``, else
        ``fit__epochs``, else the parameter, and hands them to ``_fit`` as a
        bare value: the label that names where they came from is only known
        here. Unchecked, a string ran the ``"auto"`` regime and 0 trained
        nothing. ``kwargs``: fit's keyword arguments.
        """
        if "epochs" in kwargs:
            label, value = "epochs", kwargs["epochs"]
        elif hasattr(self, "fit__epochs"):
            label, value = "fit__epochs", self.fit__epochs
        else:
            return  # the parameter itself, checked with the others in _check_params
        validate_parameter_constraints({label: self._parameter_constraints["epochs"]}, {label: value},
                                       caller_name=type(self).__name__)

    fit.__doc__ = _docs.method("Fit the TCN to series ``X`` and targets ``y``.",
                               _docs.arguments("X", "y", "sample_weight", "**kwargs"), "    self\n")

    def partial_fit(self, X, y, sample_weight=None):
        # No **kwargs, as TCNClassifier.partial_fit: scikeras would route them to
        # Keras' Model.fit, where scikeras refuses epochs and initial_epoch and
        # most others clash with the arguments sktcn sets there.
        # Each call's weights are kept as given, not brought to a mean of 1
        # as a fit's are (_fit_keras_model): one call sees one batch of the
        # data, and the calls keep their weights relative to each other.
        self._weights_as_given = True
        try:
            return super().partial_fit(X, y, sample_weight=sample_weight)
        finally:
            vars(self).pop("_weights_as_given", None)

    partial_fit.__doc__ = _docs.method(
        "Train for one more epoch on ``(X, y)``, keeping the network.", _docs.arguments("X", "y", "sample_weight"),
        "    self\n", description="The first call builds the network, as ``fit`` does.")

    def predict(self, X):
        # No **kwargs: scikeras routes them to Keras' Model.predict, which sktcn
        # does not call (see _forward_function), so they would be dropped
        # without a word; Python's TypeError names them instead.
        raw = self._predict_raw(X)  # first: it raises NotFittedError before a fit
        return self.target_encoder_.inverse_transform(raw)

    predict.__doc__ = _docs.method("Predictions for the series ``X``.", _docs.arguments("X:predict"),
                                   _docs.returns("ndarray", _docs.PREDICTION_SHAPES + "."))

    def _fit(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        check_not_forked_after_tensorflow()  # rather than hang
        # A failed fit restores the estimator as it was: no half-fitted state.
        fresh = not ((self.warm_start or warm_start) and self.initialized_)
        with unchanged_on_failure(self), self._fit_arguments(kwargs, streamed=is_streamed(X), fresh=fresh) as kwargs:
            self._check_params()
            if not fresh:
                self._check_warm_params()
            if is_streamed(X):
                if getattr(self, "subsequence_length", None) is not None:
                    raise ValueError(
                        "subsequence_length crops sequences held in memory; streamed X is already cut into "
                        "batches: crop them there, or set subsequence_length=None."
                    )
                self._fit_streamed(X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs)
            elif y is None:
                raise ValueError(self._y_required())
            else:
                super()._fit(X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs)
            self._make_predict_function()

    # What to do instead of giving Keras' class_weight to fit: the classifiers
    # take class weights as a parameter (TCNClassifier overrides this).
    _class_weight_advice = "class weights apply to classifiers only; weight the samples with fit's sample_weight"

    @contextlib.contextmanager
    def _fit_arguments(self, kwargs, streamed=False, fresh=True):
        """Within the block, ``_fit_args`` holds the fit's FitArguments; yields the Keras arguments to pass on.

        ``kwargs``: fit's keyword arguments (scikeras' deprecated way to give
        Keras fit arguments). Refuses arguments sktcn sets itself and names
        that Keras' fit does not take. ``streamed``: whether the fit's X is
        streamed, which changes the advice for some of them; ``fresh``: whether
        the call trains a new network (not a warm start), which gets new
        callbacks (see :meth:`_callbacks_for_fit`).
        """
        computed = {**COMPUTED_FIT_ARGUMENTS, "class_weight": self._class_weight_advice,
                    **(STREAMED_FIT_ARGUMENTS if streamed else {})}
        routed = {name[len("fit__"):]: value for name, value in self.get_params(deep=False).items()
                  if name.startswith("fit__")}
        # scikeras reads these itself: fit__epochs in fit, fit__callbacks (and fit__callbacks__...) with the callbacks.
        routed = {name: value for name, value in routed.items() if name != "epochs" and not name.startswith("callbacks")}
        given = {**{f"fit__{name}": value for name, value in routed.items()}, **kwargs}
        keras_names = _keras_fit_arguments()
        for label in given:
            name = label.removeprefix("fit__")
            if name in computed:
                raise TypeError(f"{label} cannot be given: sktcn sets Keras' {name} itself; {computed[name]}.")
            if name not in keras_names:
                close = closest_name(name, keras_names)
                raise TypeError(f"{label} is not an argument of Keras' Model.fit."
                                + (f" Did you mean {label[: -len(name)]}{close}?" if close else ""))
        overrides = {name: value for name, value in given.items() if name.removeprefix("fit__") in FIT_SETTINGS}
        validate_parameter_constraints({label: self._parameter_constraints[label.removeprefix("fit__")]
                                        for label in overrides}, overrides, caller_name=type(self).__name__)
        merged = {**routed, **kwargs}
        callbacks = merged.pop("callbacks", None)
        if callbacks is not None and not (isinstance(callbacks, (list, tuple))
                                          and all(isinstance(c, keras.callbacks.Callback) for c in callbacks)):
            raise TypeError(f"fit's callbacks must be a list of keras.callbacks.Callback instances, got {callbacks!r}.")
        if callbacks is None:
            callbacks = self._callbacks_for_fit(fresh)
        settings = {name: python_ints(merged.pop(name, getattr(self, name))) for name in FIT_SETTINGS}
        self._fit_args = FitArguments(**settings, callbacks=callbacks)
        try:
            # The other Keras arguments (validation_freq, ...) go to Keras' fit as they are.
            yield merged
        finally:
            del self._fit_args

    def _callbacks_for_fit(self, fresh):
        """The estimator's callbacks for one training call, run as given.

        scikeras builds them from the parameters (``callbacks``,
        ``fit__callbacks``, the routed ``callbacks__...``) for a new network
        only, so ``set_params`` between a fit and a warm start or
        ``partial_fit`` was ignored. They are built again where the call trains
        a new network (``fresh``) or the parameters changed since they were
        built; otherwise the same callbacks continue, so that one built from
        a class keeps its state (a ModelCheckpoint's best value) across
        ``partial_fit`` calls, as an instance does.
        """
        given = {name: value for name, value in self.get_params(deep=False).items()
                 if name == "callbacks" or name.startswith(("callbacks__", "fit__callbacks"))}
        built_from = getattr(self, "_callbacks_built_from", None)
        if fresh or built_from is None or not _same_values(given, built_from):
            self._initialize_callbacks()
            self._callbacks_built_from = given
        return list(self._fit_callbacks)

    def initialize(self, X, y=None):
        # scikeras sets the classes, encoders and fit-time shapes before it
        # builds the network, which can still fail (a bad optimizer): a failed
        # call must not leave new classes beside the old network.
        if is_streamed(X):
            raise TypeError(
                "initialize builds the network from series held in memory; for streamed X call fit, or "
                "initialize with one batch's series and all targets."
            )
        if y is None:
            raise ValueError(self._y_required())
        with unchanged_on_failure(self):
            # The parameters fit accepts, checked as fit checks them, before anything is built.
            self._check_params()
            super().initialize(X, y)
            # A new, untrained network: the curves and passes of the old one's fits are not its own.
            self.history_, self._history_epochs = defaultdict(list), {}
            vars(self).pop("epochs_", None)
            return self

    initialize.__doc__ = _docs.method(
        "Build the network for ``(X, y)`` without training it.",
        """    X : array-like or list of array-like
        Series held in memory, in any form ``fit`` takes them.
    y : array-like
        Targets, as for ``fit``: they set the classes or the target scaling.
""", "    self\n",
        description="The estimator is then ready to predict (with the network's initial weights); ``fit`` "
                    "does this by itself. The parameters are checked as ``fit`` checks them. A failed call "
                    "leaves the estimator as it was.")

    def _initialize(self, X, y=None):
        # scikeras' version, plus the fit-time shapes the network builder needs.
        self._random_state = _seed_from(self.random_state)
        X, y = self._validate_data(X, y, reset=True)
        self._initialize_network(X, y)
        # scikeras' public initialize() promises an estimator ready to predict.
        self._make_predict_function()
        return X, y

    def _initialize_network(self, X, y, target_encoder=None):
        """Encoders and network from validated inputs (the first batch is enough) and all targets.

        With a ``target_encoder`` already fitted (on streamed targets), ``y``
        only needs to hold one sample.
        """
        self._fit_timesteps = X.shape[1]
        start = self._starting_point
        if start is not None and target_encoder is None:
            # The pretrained networks' outputs are in the units of the targets they were trained on.
            target_encoder = copy.deepcopy(start.target_encoder)
        self.target_encoder_ = self.target_encoder.fit(y) if target_encoder is None else target_encoder
        vars(self).update(self.target_encoder_.get_metadata())
        self.feature_encoder_ = self.feature_encoder.fit(X)
        # Fitted from the data the network is first built on (all of it, or
        # the first batch of a stream), and frozen in the model.
        self._input_statistics = scaling_statistics(X, getattr(self, "input_scaling", None))
        # The LSTM baselines lack input_noise: none.
        self._input_noise_stddev = noise_stddev(X, getattr(self, "input_noise", 0.0), self._input_statistics)
        self._output_shape = self.target_encoder_.transform(y[:1]).shape[1:]
        self.model_ = self._new_or_reused_model()
        if start is not None:
            load_starting_point(self.model_, start)
        # What epochs="auto" starts each fit's learning-rate schedule from.
        self._configured_learning_rate = _compat.learning_rate(self.model_.optimizer)
        # What a warm start checks the parameters against (_check_warm_params).
        self._built_with = self._built_with_params()

    def _built_with_params(self):
        """The parameters of ``_BUILT_WITH`` the estimator has, its routed optimizer settings and learning_rate."""
        return {name: value for name, value in self.get_params(deep=False).items()
                if name in _BUILT_WITH or name.startswith("optimizer__") or name == "learning_rate"}

    def _check_warm_params(self):
        """ValueError where a parameter of the built network or its optimizer changed before a warm start.

        A warm start and ``partial_fit`` train the network they have with its
        optimizer, so such a change (``set_params(nb_filters=...)``) was
        ignored without a word. A network loaded from a file stands for the
        parameters it was saved with; one that records none is not checked.
        """
        built = getattr(self, "_built_with", None)
        if built is None:
            return
        now = self._built_with_params()
        changed = [name for name in sorted(set(built) | set(now)) if name != "learning_rate"
                   and not same_parameter_value(built.get(name), now.get(name))]
        if changed:
            shown = "; ".join(f"{name} from {built.get(name)!r} to {now.get(name)!r}" for name in changed)
            raise ValueError(
                f"Changed since the network was built: {shown}. A warm start (warm_start=True, or partial_fit) "
                "trains the network it has further, with its optimizer: fit with warm_start=False to build a new "
                f"network, or set {'it' if len(changed) == 1 else 'them'} back."
            )

    def _fit_streamed(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        """``fit`` for data streamed batch by batch (see ``sktcn._streaming``)."""
        if validation_fraction(self._fit_args.validation_split, 0, scheduled=False, in_memory=False):
            raise ValueError(
                f"validation_split={self._fit_args.validation_split} needs X in memory to draw the split from; with "
                "streamed X set validation_split=0 (early_stopping then watches the training loss)."
            )
        data = StreamedData(X, y, sample_weight, self._fit_args.batch_size)
        if not ((self.warm_start or warm_start) and self.initialized_):
            self._initialize_from_stream(data)
        first = data.first_batch()
        encoding = self._stream_encoding(data, first)
        example = encoding.encode(*first)
        if getattr(data.batches, "use_multiprocessing", False):
            check_picklable(data.batches, encoding)
            # Keras' worker processes then encode the batches, and what they tally
            # stays in them: this process weighs the batches itself, up to the first
            # that weighs something (usually the first batch, weighed just above).
            encoding.tally.weigh_until_weighing(data.raw_batches(), encoding.weigh)
        n_batches = data.n_batches()
        failures = []
        plan = self._plan(epochs, n_batches, n_batches * int(np.prod(example[0].shape[:2])),
                          repeatable=False)
        try:
            self._run_keras_fit(data.keras_input(encoding.encode, example, failures), None, None, None, warm_start,
                                plan, initial_epoch, extra_callbacks=[encoding.tally], **kwargs)
        except tf.errors.OpError as error:
            raise_stream_failure(error, failures)
            raise

    def _initialize_from_stream(self, data):
        """Seed, check and build the network of a fit from scratch on the ``StreamedData`` ``data``.

        Its targets are checked, and the target encoder fitted, from the
        stream's targets where they were given apart from X, else from one
        pass over its batches.
        """
        self._random_state = _seed_from(self.random_state)
        first = self._check_X(data.first_batch()[0], reset=True)
        encoder = self.target_encoder
        if data.targets_given is not None:
            targets = self._as_target_array(data.targets_given)
            # _check_y compares y with X's length and series length: a broadcast
            # view of the first series stands in for X without allocating it.
            targets = self._check_y(targets, np.broadcast_to(first[:1], (len(targets),) + first.shape[1:]))
            self._initialize_network(first, targets)
        else:
            # One pass over the batches, each one's targets checked against its
            # own series: the batches' series may differ in length.
            checked = (self._check_y(self._as_target_array(batch_y), x) for x, batch_y, _ in data.raw_batches())
            if hasattr(encoder, "partial_fit"):
                # Targets can outweigh the inputs (one per time step, or a whole
                # horizon per step for the forecaster): the encoder gathers its
                # statistics batch by batch instead of from one array of them all.
                for batch_y in checked:
                    encoder.partial_fit(batch_y)
                encoder.check_spread()  # over the whole stream: one batch may not vary
                example_y = batch_y[:1]
            else:
                targets = list(checked)
                encoder.fit(joined_targets(targets, per_step=self.return_sequences))
                example_y = targets[0][:1]
            self._initialize_network(first, example_y, encoder)

    def _stream_encoding(self, data, first):
        """The ``StreamEncoding`` of the ``StreamedData`` ``data``'s batches, with the fit's ``WeightTally``.

        ``first``: its first batch. The encoding's ``weigh(x, y, w)`` checks a
        batch and gives its encoded targets and training weights; its
        ``encode(x, y, w)`` gives what the network trains on. A fit (not
        ``partial_fit``) divides the weights by their mean over the whole
        stream, found here by one pass over it.
        """
        # A stream carries sample weights where its first batch does (as below).
        name = self._training_weights_name(first[2] is not None)
        tally = WeightTally(self._weightless_fit(first[2] is not None), functools.partial(rounded_to_zero, name=name))
        encoding = StreamEncoding(self, tally, name)
        if self._normalises_weights() and (first[2] is not None or self._weighs_classes()):
            # A fit's weights average 1 (see _fit_keras_model); a stream's mean
            # weight is known only after a pass over it, made before training,
            # for a stream that carries sample weights (its first batch does)
            # or class weights that need not average 1. Without either every
            # weight is 1 and the stream is not read again.
            encoding.mean_weight = stream_mean_weight(data.raw_batches(), encoding.weigh, tally)
        return encoding

    def _training_weights(self, y, sample_weight):
        """Weights shaped like the per-element loss (Keras does not broadcast a
        per-sample weight over time steps), to float32's precision in float64's
        range (``float32_precision``; ``_float32_weights`` casts them). Always an array, so weights of ones and no weights take
        the very same code path."""
        weights = np.ones(len(y)) if sample_weight is None else float32_precision(sample_weight)
        loss_shape = self._loss_shape(y)
        return np.broadcast_to(weights.reshape((-1,) + (1,) * (len(loss_shape) - 1)), loss_shape).copy()

    def _normalises_weights(self):
        """Whether this training call divides its training weights by their mean (``unit_mean_weights``).

        ``fit`` does, so that the weights' level, which scales the loss, does not
        count: only their ratios do. ``partial_fit`` keeps each call's
        weights as given, so that calls weigh relative to each other.
        """
        return not getattr(self, "_weights_as_given", False)

    def _float32_weights(self, weights, mean, name):
        """The training ``weights`` (float64) as the network's loss takes them, in float32.

        A fit's divided by ``mean``, their mean over the fit, before the cast
        (``unit_mean_weights``), so that weights below or above float32's range
        keep their ratios; ``partial_fit``'s as given (``given_weights``).
        Messages call them ``name`` (``_training_weights_name``).
        """
        return unit_mean_weights(weights, mean, name) if self._normalises_weights() else given_weights(weights, name)

    def _network_weights(self, weights, name):
        """The training ``weights`` (float64) as the network gets them, and the samples that keep a place in training.

        Samples of sample weight 0 are dropped before, as scikeras drops them
        (``_validate_sample_weight``). So is a sample whose positive training
        weight float32 rounds to 0 (a partial_fit weight of 1e-50, or 1e-50
        among weights of 1 in a fit, whose weights are divided by their mean):
        kept, it would take places in the batches and in the validation split
        while weighing nothing, and train otherwise than a weight of 0.
        Samples that class weights of 0 leave out of the loss stay, as they
        always did. A fit's mean is over the samples kept, and dropping some
        raises it: at float32's very edge that rounds more weights to 0, so
        the drop repeats until none is lost. Messages call the weights ``name``
        (``_training_weights_name``).

        Returns
        -------
        weights : ndarray of float32
            Those of the samples kept (``_float32_weights``), over which a
            fit's average 1.
        kept : ndarray of int or None
            The indices of the samples kept; None where every one is.
        """
        positive = weights.reshape(len(weights), -1).any(axis=1)
        kept = None
        while True:
            # Over every sample kept, before the validation split: the held-out
            # loss keeps the training loss's scale.
            with np.errstate(over="ignore"):  # an infinite mean is refused, with its cause, by unit_mean_weights
                mean = weights.mean(dtype=np.float64)
            network_weights = self._float32_weights(weights, mean, name)
            lost = positive & ~network_weights.reshape(len(weights), -1).any(axis=1)
            if not lost.any():
                return network_weights, kept
            kept = np.flatnonzero(~lost) if kept is None else kept[~lost]
            weights, positive = weights[~lost], positive[~lost]

    def _training_weights_name(self, sample_weighted):
        """What messages call the training weights: the sample weights here (see TCNClassifier).

        ``sample_weighted``: whether the training call was given sample weights.
        """
        return "Sample weights"

    def _given_weights_note(self, weights):
        """What a diverged training call says of its training ``weights`` (an array, or None where streamed).

        Nothing for a fit, whose weights average 1. ``partial_fit`` uses them
        as given: a level far from 1 scales the loss, and weights of 1e30
        diverged where X and y were fine.
        """
        if self._normalises_weights() or weights is None:
            return ""
        mean = weights.mean(dtype=np.float64)
        if is_unit_mean(mean):
            return ""
        return (f" The weights of this partial_fit call, used as given, average {mean:.3g} and scale the loss as "
                "much: keep them near 1 on average (divide them by their mean).")

    def _weighs_classes(self):
        """Whether the training weights of this call may average other than the sample weights do.

        True where the estimator multiplies them by weights of its own
        (TCNClassifier's ``class_weight``) that need not average 1.
        """
        return False

    def _weightless_fit(self, sample_weighted):
        """The message for a fit whose training weights (``_training_weights``) are all 0, its sample weights not.

        Checked over the whole fit: at once in memory, at the end of the
        first epoch for a stream (``WeightTally``), one batch of which may
        weigh nothing, or before training where ``fit`` reads a weighted
        stream for its mean weight. Here the training weights are the sample weights,
        refused all zero before; a subclass that multiplies them by weights
        of its own (TCNClassifier's ``class_weight``) says how to fix those.
        ``sample_weighted``: whether the training call was given sample weights.
        """
        return "every sample of this fit weighs 0 in the loss, so the network would not train."

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        weights = self._training_weights(y, sample_weight)
        if not weights.any():
            raise ValueError(self._weightless_fit(sample_weight is not None))
        weights, kept = self._network_weights(weights, self._training_weights_name(sample_weight is not None))
        if kept is not None:
            X, y = X[kept], y[kept]
        validation_data = None
        split = validation_fraction(self._fit_args.validation_split, len(X), scheduled=epochs == "auto")
        if split:
            order = check_random_state(self._random_state).permutation(len(X))
            n_validation = max(1, int(round(split * len(X))))
            if n_validation >= len(X):
                raise TooFewSamples(
                    f"validation_split={self._fit_args.validation_split} leaves no training sample out of {len(X)}; "
                    "lower it or give more data."
                )
            held_out, kept = order[:n_validation], order[n_validation:]
            validation_data = (X[held_out], y[held_out], weights[held_out])
            X, y, weights = X[kept], y[kept], weights[kept]
        if getattr(self, "subsequence_length", None) is not None:
            self._fit_on_crops(X, y, weights, validation_data, warm_start, epochs, initial_epoch, **kwargs)
            return
        # A strategy's replicas may be too many for these samples: the error names them as the split left them.
        kept_note = (f"the {samples_text(len(X))} that validation_split={self._fit_args.validation_split!r} leaves "
                     "to train on" if split else None)
        plan = self._plan(epochs, len(batch_sizes(len(X), self._fit_args.batch_size, replicas=self._replicas(),
                                                  samples=kept_note)),
                          len(X) * X.shape[1], repeatable=True)
        self._run_keras_fit(X, y, weights, validation_data, warm_start, plan, initial_epoch, **kwargs)

    def _fit_on_crops(self, X, y, weights, validation_data, warm_start, epochs, initial_epoch, **kwargs):
        """Train on crops of ``subsequence_length`` steps with their context (see ``sktcn._crops``)."""
        length = self.subsequence_length
        if not self.return_sequences:
            raise ValueError(
                f"subsequence_length={length} trains on crops of per-step targets, which need "
                "return_sequences=True; with one target per sequence set subsequence_length=None."
            )
        if length > X.shape[1]:
            raise ValueError(
                f"subsequence_length={length} is longer than the sequences ({X.shape[1]} steps); "
                f"use at most {X.shape[1]}, or None to train on whole sequences."
            )
        crops = dict(X=X, y=y, weights=weights, length=length, context=self.receptive_field_ - 1,
                     batch_size=self._fit_args.batch_size, sampling=self.subsequence_sampling, seed=self._random_state)
        one_pass = CropBatches(**crops)
        # Several rounds of crops per Keras epoch, as several passes over arrays.
        plan = self._plan(epochs, len(one_pass), one_pass.crops_per_epoch() * one_pass.window_steps(),
                          repeatable=True)
        self._run_keras_fit(CropBatches(**crops, repeats=plan.repeats), None, None, validation_data, warm_start,
                            plan, initial_epoch, **kwargs)

    def _plan(self, epochs, steps_per_pass, sample_steps_per_pass, repeatable):
        """The TrainingPlan of a fit: ``epochs="auto"`` resolved, an integer kept exactly."""
        shape = self._network_shape()
        cost = sample_steps_per_pass * network_cost(shape)
        # Checked (_check_params, _check_epochs_override): an int, or the one string "auto".
        if epochs == "auto":
            return plan_training(steps_per_pass, cost, repeatable=repeatable,
                                 time_per_pass=sample_steps_per_pass * network_time(shape))
        return TrainingPlan(epochs=int(epochs), cost_per_pass=cost)

    def _network_shape(self):
        """(residual blocks, filters, kernel size) of the network, for the cost of a plan."""
        filters = self.nb_filters if isinstance(self.nb_filters, numbers.Integral) else max(self.nb_filters)
        return len(self.dilations_) * self.nb_stacks, filters, self.kernel_size

    def _schedule_start(self, plan):
        """The learning rate a fit under ``plan`` starts from; None where it keeps the optimizer's rate.

        Each fit of ``epochs="auto"`` runs its own schedule from the configured
        rate, also after a warm start whose schedule lowered it. An optimizer
        with its own schedule (a ``LearningRateSchedule``) keeps it: Keras
        refuses to set its rate, and the regime does not lower it.
        """
        renewed = self._renewed_learning_rate(plan)
        if renewed is not None:
            # epochs="auto" runs this fit's schedule, and the next ones', from it.
            self._configured_learning_rate = renewed
        if not plan.scheduled:
            return renewed
        optimizer = self._training_model(plan).optimizer
        if _compat.learning_rate_schedule(optimizer) is not None:
            return None
        configured = getattr(self, "_configured_learning_rate", None)
        if configured is None:  # a network restored from a file saved before the regime existed
            configured = self._configured_learning_rate = _compat.learning_rate(optimizer)
        return configured

    def _renewed_learning_rate(self, plan):
        """``learning_rate`` where it was set to another rate since the network was built (or last renewed); else None.

        A warm start keeps the optimizer and its state, as ``partial_fit``
        does, but a rate set in between (``set_params(learning_rate=1e-4)``
        to fine-tune) applies to it: it was ignored without a word.
        """
        built = getattr(self, "_built_with", None)
        if built is None or self.learning_rate is None or self.learning_rate == built.get("learning_rate"):
            return None
        if _compat.learning_rate_schedule(self._training_model(plan).optimizer) is not None:
            raise ValueError(
                f"learning_rate={self.learning_rate!r} cannot set the rate of an optimizer whose learning rate is a "
                "schedule (a LearningRateSchedule); leave learning_rate as it was, or fit with warm_start=False."
            )
        # A new dict: a failed fit puts the old one back (unchanged_on_failure).
        self._built_with = {**built, "learning_rate": self.learning_rate}
        return float(self.learning_rate)

    def _regime_callbacks(self, plan, monitor, start_rate):
        """The callbacks of a plan: the regime's for ``epochs="auto"``, early stopping if asked.

        ``start_rate``: the learning rate the fit starts from (``_schedule_start``).
        """
        callbacks = []
        if plan.scheduled:
            callbacks = regime_callbacks(plan.epochs, monitor, start_rate, getattr(self, "n_networks", 1))
            if self.early_stopping:
                # The user's early stopping (its patience) replaces the regime's.
                regime_stops = (keras.callbacks.EarlyStopping, StopWhenConverged)
                callbacks = [c for c in callbacks if not isinstance(c, regime_stops)]
        if self.early_stopping:
            callbacks.append(keras.callbacks.EarlyStopping(monitor=monitor, patience=self.patience,
                                                           restore_best_weights=True))
        return callbacks

    def _run_keras_fit(self, X, y, weights, validation_data, warm_start, plan, initial_epoch, extra_callbacks=(),
                       **kwargs):
        """Keras' fit with sktcn's callbacks and seeding, then the history and divergence checks.

        ``extra_callbacks``: callbacks of this fit only, after sktcn's.
        """
        streamed = y is None  # X is a PyDataset or tf.data.Dataset of batches
        weights_note = self._given_weights_note(X.weights if isinstance(X, CropBatches) else weights)
        strategy = self._strategy()
        replicas = strategy.num_replicas_in_sync
        X, validation_data, steps = self._keras_batches(X, y, weights, validation_data, plan, strategy)
        if steps is not None:
            y = weights = None
            kwargs = {**kwargs, "steps_per_epoch": steps}
        monitor = "val_loss" if validation_data is not None else "loss"
        if monitor == "val_loss":
            self._check_validation_freq(kwargs.get("validation_freq", 1), plan)
        start_rate = self._schedule_start(plan)
        # Last of the callbacks: it sees the logs Keras' History records.
        logged = _LoggedEpochs()
        callbacks = [*self._fit_args.callbacks, *self._regime_callbacks(plan, monitor, start_rate),
                     *extra_callbacks, logged]
        epochs = plan.epochs
        self.epochs_ = plan.passes
        # releasing_all_reduce_gradients and releasing_generator_functions: without
        # them TensorFlow keeps every fit's training graph, or its PyDataset
        # pipeline and model, alive in global registries (see sktcn._distribute
        # and sktcn._streaming).
        with (
            # A streamed fit runs the user's pipeline, and Keras shuffles its
            # batches with Python's random; callbacks are the user's code too:
            # such fits seed the global generators as well (see seeded).
            seeded(self._random_state,
                   user_code=streamed or bool(self._fit_args.callbacks) or self._holds_user_code()),
            warnings.catch_warnings(),
            releasing_all_reduce_gradients(),
            releasing_generator_functions(X),
            # Every model's train function looks like one retraced (sktcn._compat).
            _compat.quiet_fit_retracing(),
            # Keras' ReduceLROnPlateau (the regime's) reads the rate with np.array(variable).
            _compat.keras_array_copy_warning_ignored(),
        ):
            # keras-tcn: with skip connections, the last residual block's 1x1
            # matching convolution feeds nothing; with a single block Keras
            # warns about it on every fit. It is harmless.
            warnings.filterwarnings("ignore", message="Gradients do not exist for variables .*matching_conv1D")
            model = self._training_model(plan)
            _compat.build_optimizer(model)
            _compat.flatten_adam_update(model.optimizer)
            # A warm start trains the fitted networks in place: if it fails (or
            # diverges), they and their optimizer go back to where they were.
            with weights_restored_on_failure(self.model_, model) if warm_start else contextlib.nullcontext():
                if start_rate is not None:
                    # Within the block: a failed warm start puts back the rate it found.
                    model.optimizer.learning_rate = start_rate
                if is_fused(model):
                    load_members(model, member_networks(self.model_))
                try:
                    history = self._replicated_fit(
                        model,
                        replicas,
                        X,
                        y,
                        sample_weight=weights,
                        batch_size=None,
                        epochs=initial_epoch + epochs,
                        initial_epoch=initial_epoch,
                        # A tf.data pipeline shuffles (or not) by itself; Keras would warn.
                        shuffle=self._fit_args.shuffle and not isinstance(X, _DATASETS),
                        verbose=self._fit_args.verbose,
                        callbacks=callbacks,
                        validation_data=validation_data,
                        **kwargs,
                    )
                finally:
                    # The user's callbacks are parameters: they must still copy and pickle.
                    _compat.drop_closed_files(self._fit_args.callbacks)
                    _compat.detach_models(self._fit_args.callbacks)
                if is_fused(model):
                    store_members(model, member_networks(self.model_))
                history.history = _compat.plain_history(history.history)
                self._check_converged(history, weights_note)
        self._record_history(history, logged, warm_start)

    def _check_validation_freq(self, validation_freq, plan):
        """Refuse a ``validation_freq`` other than 1 where the regime or early stopping watch ``val_loss``.

        Keras would warn on every epoch without val_loss, and the patiences
        would count only the epochs with it.
        """
        watchers = [name for name, watches in (('epochs="auto"', plan.scheduled),
                                               ("early_stopping=True", self.early_stopping)) if watches]
        if watchers and validation_freq != 1:
            raise ValueError(
                f"validation_freq={validation_freq!r} computes val_loss on some epochs only, but with "
                f"{' and '.join(watchers)} every epoch needs it (to stop and keep the best weights). Leave "
                "validation_freq at 1, or train without them (an integer epochs, early_stopping=False)."
            )

    def _check_converged(self, history, weights_note):
        """Raise where Keras' ``history`` holds a non-finite loss or the trained networks hold non-finite weights.

        ``weights_note``: what the message adds about the fit's weights (``_given_weights_note``).
        """
        if not np.all(np.isfinite(history.history.get("loss", []))):
            raise ValueError(
                "Training diverged: the loss became NaN or infinite. Scale X and y (e.g. standardise "
                "them) or lower learning_rate." + weights_note
            )
        # The last step's update can overflow after the epoch's loss was
        # read, leaving a network that predicts NaN.
        if not all_finite(self.model_.weights):
            raise ValueError(
                "Training diverged: the network's weights became NaN or infinite. Scale X and y (e.g. "
                "standardise them, or keep input_scaling on) or lower learning_rate." + weights_note
            )

    def _record_history(self, history, logged, warm_start):
        """Add a Keras fit's ``history`` to ``history_``, with the epochs at which ``logged`` saw each curve's values.

        A warm-started fit continues the curves of the fits before it.
        """
        if not warm_start or not hasattr(self, "history_"):
            self.history_ = defaultdict(list)
            self._history_epochs = {}
        if not hasattr(self, "_history_epochs"):  # a model fitted before the epochs were recorded
            self._history_epochs = {key: list(range(1, len(values) + 1)) for key, values in self.history_.items()}
        # The epochs at which each curve's values were recorded (from 1, across
        # warm starts): val_loss misses some with validation_freq > 1, or all the
        # epochs of a fit without a validation split.
        before = len(self.history_.get("loss", []))
        # New dict and lists, not the old ones extended in place: restoring the
        # attributes after a later failure (unchanged_on_failure, which is
        # shallow) then puts back the curves as they were too.
        curves, epochs_at = copy.copy(self.history_), copy.copy(self._history_epochs)
        for key, values in history.history.items():
            curves[key] = curves[key] + list(values)
            epochs_at[key] = epochs_at.get(key, []) + [before + epoch for epoch in logged.epochs[key]]
        self.history_, self._history_epochs = curves, epochs_at

    def _keras_batches(self, X, y, weights, validation_data, plan, strategy):
        """The training and validation data of a fit, as Keras is given them, and the steps per epoch.

        Arrays become sktcn's own batches (not Keras' pipeline for arrays:
        seeded, it shuffles only once, see sktcn._epoch_batches), each epoch
        ``plan.repeats`` passes; ``steps`` is None for streamed ``X``, which
        Keras reads as it is. Under a MirroredStrategy sktcn splits the arrays'
        batches between the replicas itself (sktcn._distribute.replica_batches),
        which needs every replica's copy of the pipeline to shuffle alike: seeded.
        """
        replicas = strategy.num_replicas_in_sync
        streamed = y is None
        split_here = not streamed and splits_batches_itself(strategy)
        steps = None
        if not streamed:
            seed = self._random_state
            arrays = (X, y, weights)
            if split_here:
                if seed is None:
                    seed = int(np.random.randint(2**31 - 1))
                # One copy of the data for all the replicas' pipelines.
                arrays = tuple(tf.convert_to_tensor(array) for array in arrays)
            training_batches = functools.partial(epoch_batches, arrays, self._fit_args.batch_size, plan.repeats,
                                                 self._fit_args.shuffle, seed, replicas)
            X, steps = training_batches()
        if validation_data is not None and (replicas > 1 or split_here):
            held_out = (f"the {samples_text(len(validation_data[0]))} that "
                        f"validation_split={self._fit_args.validation_split!r} holds out")
            validation_batches = functools.partial(evaluation_batches, validation_data, self._fit_args.batch_size,
                                                   replicas, held_out)
            validation_data = validation_batches()
        if split_here:
            X = replica_batches(lambda: training_batches()[0], strategy)
            if validation_data is not None:
                validation_data = replica_batches(validation_batches, strategy)
        return X, validation_data, steps

    def _strategy(self):
        """The strategy a fit trains under (its parameter's, or the one entered with its scope)."""
        return resolve_strategy(getattr(self, "distribution_strategy", None))

    def _replicas(self):
        """Replicas of the strategy a fit trains under (its parameter's, or the one entered with its scope)."""
        return self._strategy().num_replicas_in_sync

    def _replicated_fit(self, model, replicas, *args, **kwargs):
        """``model.fit(*args, **kwargs)``; a first batch that ``replicas`` replicas cannot share is a ValueError.

        Keras (3.15) builds a model under a distribution strategy from the
        first batch of a fit (or of its validation), averaged over the
        replicas, which needs an equal share for each: else an
        InvalidArgumentError of TensorFlow's AddN of unequal shapes. sktcn's batches of arrays
        start with one (``sktcn._epoch_batches.batch_sizes``); a streamed X's
        are the user's.
        """
        try:
            return model.fit(*args, **kwargs)
        except tf.errors.InvalidArgumentError as error:
            # Keras filters its own frames out of the traceback: the op and its message tell.
            if replicas < 2 or "AddN" not in str(error) or "same size and shape" not in str(error):
                raise
            if getattr(self, "subsequence_length", None) is not None:
                raise ValueError(
                    f"The distribution strategy splits every batch between its {replicas} replicas, and Keras "
                    f"could not split a batch of subsequence_length={self.subsequence_length} crops evenly. Use a "
                    f"batch_size (now {self._fit_args.batch_size}) that is a multiple of {replicas}, with a "
                    f"multiple of {replicas} crops in all, or subsequence_length=None."
                ) from error
            raise ValueError(
                f"The distribution strategy splits every batch between its {replicas} replicas, and Keras needs "
                f"the first batch of a fit split evenly: a batch of the streamed X holds a number of series that "
                f"is not a multiple of {replicas}. Give batches of a multiple of {replicas} series (for a "
                f"memory-mapped X, batch_size={self._fit_args.batch_size} and the number of series), pass shuffle="
                "False with a first batch that is, or train in memory."
            ) from error

    # -------------------------------------------------------------- predicting
    def _make_predict_function(self):
        current = getattr(self, "_predict_function", None)
        if current is not None and current.model is self.model_:
            # A warm start or partial_fit trains the same network in place; its
            # traced graphs (and its members') read the variables, so they stay
            # valid. A new one would trace again after the next eager calls.
            return
        # Shared by the estimator's forward passes (see TracedOnDemand); made
        # anew with them, never pickled.
        self._predict_lock = threading.Lock()
        self._predict_function = self._forward_function(self.model_)
        self._member_functions = None  # made on the first predict_members

    def _forward_function(self, model):
        # Not Keras' model.predict: it pays ~50 ms of set-up per call, a traced
        # graph microseconds.
        return TracedOnDemand(model, self._n_channels, self._predict_lock)

    def predict_members(self, X):
        """Each network's own predictions, before the ensemble averages them.

        Parameters
        ----------
        X : array-like
            Series, as for ``predict``.

        Returns
        -------
        list of ndarray
            One entry per network (``n_networks``, in seed order): what
            ``predict`` returns for a regressor, what ``predict_proba`` returns
            for a classifier. Their mean is the ensemble's prediction.
        """
        check_is_fitted(self, "model_")
        functions = getattr(self, "_member_functions", None)
        if functions is None:
            with self._predict_lock:  # made once, whichever thread predicts first
                if self._member_functions is None:
                    # A single network is its own only member: its traced forward pass serves.
                    members = member_networks(self.model_)
                    self._member_functions = ([self._forward_function(member) for member in members] if members
                                              else [self._predict_function])
                functions = self._member_functions
        return [self._decode_member(self._predict_raw(X, forward)) for forward in functions]

    def _decode_member(self, raw):
        """One network's raw outputs as ``predict_members`` returns them."""
        raise NotImplementedError

    def _predict_raw(self, X, forward=None):
        """The network's outputs for ``X``; ``forward``: another compiled function than ``model_``'s."""
        check_is_fitted(self, "model_")
        check_not_forked_after_tensorflow()  # rather than hang
        forward = forward or self._predict_function

        def zero_outputs(n_steps):
            return self._forward_series(np.zeros((1, n_steps, self._n_channels), np.float32), forward)[0]

        if is_streamed(X):
            rows = None
            if isinstance(X, np.ndarray):
                # A memory map's shape checked as in memory (its first row read) before its chunks are sized;
                # a 1D one whole, so that its refusal counts its values as in memory.
                self._check_X_by_length(X[:1] if X.ndim > 1 else X)
                rows = max(1, _PREDICT_CHUNK_STEPS // X.shape[1])
            outputs = [self._predict_raw(x, forward) for x in predict_inputs(X, rows, self._n_channels)]
            if not self.return_sequences or len({raw.shape[1] for raw in outputs}) == 1:
                return np.concatenate(outputs)
            # Per-step outputs of batches of different lengths: as for the ragged
            # series of an in-memory X, on the last steps of the longest.
            starts = np.cumsum([0] + [len(raw) for raw in outputs])
            groups = [(slice(start, start + len(raw)), raw) for start, raw in zip(starts, outputs)]
            lengths = np.concatenate([np.full(len(raw), raw.shape[1]) for raw in outputs])
            return in_input_order(groups, lengths, per_step=True, zero_outputs=zero_outputs)
        groups, lengths = self._check_X_by_length(X)
        outputs = [(rows, self._forward_series(series, forward)) for rows, series in groups]
        if groups[0][0] is None:  # all of X in one array, of one length
            raw = outputs[0][1]
            # Per-step outputs less the steps padded in front (see _padding_length).
            return raw[:, raw.shape[1] - lengths :] if self.return_sequences else raw
        return in_input_order(outputs, lengths, self.return_sequences, zero_outputs)

    def _forward_series(self, X, forward):
        """The outputs of ``forward`` for float32 series ``X`` (n, T, F), in chunks that bound its memory."""
        context = self._causal_context()
        if context is not None and X.shape[1] > _PREDICT_CHUNK_STEPS:
            # One long sequence at a time, in chunks along time that overlap by the
            # receptive field: bounded memory, the outputs of one full pass.
            return np.concatenate([self._predict_in_time_chunks(X[i: i + 1], context, forward=forward)
                                   for i in range(len(X))])
        chunk = max(1, _PREDICT_CHUNK_STEPS // X.shape[1])
        if len(X) <= chunk:
            return forward(X)
        return np.concatenate([forward(X[i : i + chunk]) for i in range(0, len(X), chunk)])

    def _causal_context(self):
        """Steps before an output that it depends on, when outputs per step depend on the past only; else None."""
        causal = getattr(self, "padding", None) == "causal" and not getattr(self, "go_backwards", True)
        if not (self.return_sequences and causal and hasattr(self, "receptive_field_")):
            return None
        # A series standardised by its own statistics makes every output depend
        # on every step: chunks along time would each be scaled by their own.
        # Asked of the network, not of input_scaling: a warm start keeps the
        # network's scaling whatever input_scaling says now.
        if self._network_input_statistics() == SERIES_SCALING:
            return None
        return self.receptive_field_ - 1

    def _first_network(self):
        """``model_``, or an ensemble's first member: the network whose input layers every member shares."""
        return (member_networks(self.model_) or [self.model_])[0]

    def _network_input_statistics(self):
        """What the fitted network standardises its inputs with (:func:`sktcn._network.input_statistics_of`)."""
        return input_statistics_of(self._first_network())

    def _predict_in_time_chunks(self, X, context, chunk=None, forward=None):
        """Per-step outputs of ``X`` computed chunk by chunk along time (``sktcn._crops.time_chunks``)."""
        chunk = chunk or max(1, _PREDICT_CHUNK_STEPS - context)
        forward = forward or self._predict_function
        parts = [forward(X[:, start:stop])[:, drop:]
                 for start, stop, drop in time_chunks(X.shape[1], chunk, context)]
        return np.concatenate(parts, axis=1)

    def __getstate__(self):
        if "model_" in vars(self):
            # An ensemble's averaging model never trains its optimizer; saved
            # unbuilt, Keras would warn on every load (sktcn._compat).
            _compat.build_optimizer(self.model_)
        # A copy: on Python 3.11+ the parent hands out the live __dict__.
        state = dict(super().__getstate__())
        # Traced graphs and locks do not pickle (__setstate__ makes them anew);
        # an ensemble's joint model is rebuilt on the next fit (see _training_model).
        for name in ("_predict_function", "_member_functions", "_predict_lock", "_trainer", "_trainer_lease"):
            state.pop(name, None)
        if "model_" in state:
            state["model_"] = _PickledModel(state["model_"])
        state["distribution_strategy"] = picklable_strategy(state.get("distribution_strategy"))
        if "model_" in state:
            # The pickled network (deep-copied too) draws new seeds (sktcn._random.seed_states).
            state["_seed_states"] = seed_states(self.model_)
            if _compat.keras_own_loss(getattr(self.model_, "loss", None)):
                # The network's Keras file drops some of its loss's arguments (sktcn._compat).
                state["_compiled_loss"] = self.model_.loss
        return state

    def __setstate__(self, state):
        seeds = state.pop("_seed_states", None)  # absent from pickles of earlier versions: new seeds, as then
        compiled_loss = state.pop("_compiled_loss", None)  # absent from pickles of earlier versions
        if isinstance(state.get("model_"), _PickledModel):
            # copy.copy hands __getstate__'s state straight back, unpickled:
            # the copy shares the network, as a shallow copy does.
            state["model_"] = state["model_"].model
        # Pickles of an earlier sktcn lack what was added since (files: persistence.migrate).
        super().__setstate__(_earlier_versions.fill_pickled_state(type(self), dict(state), "model_" in state))
        if "model_" in state:
            if seeds is not None:
                restore_seed_states(self.model_, seeds)
            _compat.restore_loss_arguments(self.model_, compiled_loss)
            self._upgrade_fitted_state()
            self._make_predict_function()

    def _upgrade_fitted_state(self):
        """Bring the fitted state of a model pickled or saved by an earlier sktcn to today's form.

        Called once its attributes are set, those it lacked included (from
        ``sktcn._earlier_versions``): for what must be rebuilt from them.
        """

    def save(self, path):
        """Save the fitted estimator to the directory ``path`` as JSON and a Keras file.

        Unlike a pickle, the saved model holds no code; see
        :func:`sktcn.persistence.save`. :func:`sktcn.load` reads it back.

        Parameters
        ----------
        path : str or os.PathLike
            Directory to write.

        Returns
        -------
        pathlib.Path
        """
        return persistence.save(self, path)

    @classmethod
    def load_from_path(cls, serial):
        """Load an estimator from a zip file of :func:`sktcn.persistence.save_archive` (sktime's ``load`` calls it).

        Read by :func:`sktcn.load`, without unpickling anything.

        Parameters
        ----------
        serial : str or pathlib.Path
            The zip file.

        Returns
        -------
        TCNClassifier or TCNRegressor
        """
        return persistence.load_instance(serial, cls)

    def export_onnx(self, path, *, opset=None):
        """Write the fitted network to the ONNX file ``path``, for inference without TensorFlow.

        The file holds the network, input scaling included: ONNX Runtime
        (``pip install onnxruntime``, about 80 MB against TensorFlow's
        ~1.9 GB) or any ONNX runtime then predicts without sktcn. It reads
        float32 series ``(n_samples, n_timesteps, n_features)`` under the
        input name ``"series"``, with any number of samples and, for an
        estimator fit on 3D input or lists of series, any number of time
        steps. Fit on 2D ``X`` the time axis is fixed to ``n_timesteps_in_``,
        as ``predict`` requires it (give the series as ``X[..., None]``).

        The file runs the series as given; ``predict`` does not always. After
        a fit on series of different lengths, ``predict`` pads a series
        shorter than the longest training series in front with zeros to that
        length, ``ragged_fit_length_`` (the fit padded it so), and a shorter
        series run as given gets other outputs. For the same numbers, pad a
        shorter series in front with zeros to ``ragged_fit_length_`` steps
        before running it (``None``: fit on series of one length, nothing to
        pad); a longer one runs as it is (see the last example).

        The output ``"output"`` is the network's, before the estimator decodes
        it: for a classifier, the probabilities as one array
        (``(n_samples[, n_timesteps][, n_outputs], n_classes)``), those of
        ``predict_proba`` for one label per sample or per time step; for a
        regressor, standardised targets with an output axis last (of length
        1 for one target). Decode them with numpy as in the examples:
        ``classes_[proba.argmax(-1)]``, and ``out * target_encoder_.scale_ +
        target_encoder_.mean_`` (then ``[..., 0]`` for one target). With
        several labels per sample, ``classes_`` is a list (one array per
        output) and the last axis runs over the union of all outputs'
        classes, ``np.unique(np.concatenate(clf.classes_))``: output ``k``'s
        ``predict_proba`` is its columns of ``classes_[k]``, renormalised (see
        the last example). An ensemble (``n_networks > 1``) exports its
        averaging model; its graph may divide by the number of networks as a
        multiplication by its reciprocal, so its outputs can differ from
        ``predict``'s in the last float32 bit.

        Before writing, the converted network is run with ONNX Runtime on
        random series and compared with TensorFlow; a mismatch raises
        ``RuntimeError`` and writes nothing. A network trained with
        ``mixed_precision=True`` computes in float16 in the file too, and
        agrees with ``predict`` to float16's precision (about 1e-3 relative).

        Parameters
        ----------
        path : str or os.PathLike
            The file to write: a name ending with ``.onnx`` in an existing
            directory (an existing file is replaced).
        opset : int or None, default=None
            ONNX opset version; ``None`` uses tf2onnx's default (15 with
            tf2onnx 1.17), which ONNX Runtime 1.10 and later run.

        Returns
        -------
        pathlib.Path
            The file written.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            When the estimator is not fitted.
        ImportError
            When tf2onnx, onnx or onnxruntime is missing (``pip install sktcn[onnx]``).
        ValueError
            When ``path`` does not end with ``.onnx``, is a directory or lies in
            a directory that does not exist; or when the network computes in
            float64 (fit while ``keras.config.floatx()`` was ``"float64"``),
            which ONNX Runtime cannot run.

        Examples
        --------
        >>> import tempfile
        >>> import numpy as np
        >>> import onnxruntime                                  # pip install sktcn[onnx]
        >>> from sktcn import TCNRegressor
        >>> X = np.random.RandomState(0).normal(size=(40, 12, 1)).astype(np.float32)
        >>> reg = TCNRegressor(nb_filters=4, epochs=1, random_state=0).fit(X, X[:, 0, 0] + X[:, -1, 0])
        >>> path = reg.export_onnx(f"{tempfile.mkdtemp()}/regressor.onnx")
        >>> session = onnxruntime.InferenceSession(path)
        >>> out = session.run(None, {"series": X[:3]})[0]      # standardised, shape (3, 1)
        >>> y = out * reg.target_encoder_.scale_ + reg.target_encoder_.mean_
        >>> np.allclose(y[..., 0], reg.predict(X[:3]), atol=1e-5)
        True

        A fitted classifier ``clf``'s output is ``predict_proba``'s; its labels,
        those ``clf.predict`` returns, are the most probable classes:

        >>> session = onnxruntime.InferenceSession(clf.export_onnx("clf.onnx"))  # doctest: +SKIP
        >>> proba = session.run(None, {"series": X[:3]})[0]    # doctest: +SKIP
        >>> labels = clf.classes_[proba.argmax(-1)]            # doctest: +SKIP

        With several labels per sample (``proba`` of shape ``(n_samples,
        n_outputs, n_classes)``), each output's probabilities and labels:

        >>> union = np.unique(np.concatenate(clf.classes_))     # doctest: +SKIP
        >>> columns = [proba[:, k, np.searchsorted(union, classes)]  # doctest: +SKIP
        ...            for k, classes in enumerate(clf.classes_)]
        >>> proba_k = [c / c.sum(-1, keepdims=True) for c in columns]  # doctest: +SKIP
        >>> labels = np.column_stack([classes[p.argmax(-1)]   # doctest: +SKIP
        ...                           for classes, p in zip(clf.classes_, proba_k)])

        A series ``x`` ``(n_timesteps, n_features)`` of a classifier fit on
        series of different lengths, padded as ``predict`` pads it:

        >>> n = max(len(x), clf.ragged_fit_length_ or 0)       # doctest: +SKIP
        >>> padded = np.concatenate([np.zeros((n - len(x), x.shape[1]), np.float32), x])  # doctest: +SKIP
        >>> proba = session.run(None, {"series": padded[None]})[0]  # doctest: +SKIP
        """
        check_is_fitted(self, "model_")
        # The export traces the network and runs it eagerly (its self-check):
        # keras-tcn's layers keep working lists while called, so a first
        # prediction in another thread must not run beside it (TracedOnDemand).
        with self._predict_lock:
            # An ensemble exports its model as it is, Average layer included:
            # the file's graph may multiply by 1/n where predict divides by n
            # (see TracedOnDemand), a difference in the last bit at most.
            return _export_onnx(self.model_, path, n_timesteps=self.n_timesteps_in_, opset=opset)

    # ------------------------------------------------------------- saved state
    # Fitted attributes saved beside the network and the target encoder's state.
    # A manifest that sets any other attribute is refused, so a file cannot set
    # arbitrary attributes.
    _SAVED_STATE = (
        "n_features_in_",
        "n_timesteps_in_",
        "feature_names_in_",
        "dilations_",
        "receptive_field_",
        "pooling_",
        "history_",
        "_history_epochs",
        "epochs_",
        "_configured_learning_rate",
        "_n_channels",
        "_fit_timesteps",
        "_ragged_fit_length",
        "_random_state",
        "_output_shape",
    )
    _SAVED_ENCODER_STATE = {
        "LabelEncoder": ("classes_",),
        "StandardTargetEncoder": ("ndim_", "mean_", "scale_"),
    }

    def _saved_state(self, networks, model_file="model.keras"):
        """This fitted estimator as JSON-ready data; its network is written by ``networks.write``."""
        check_is_fitted(self, "model_")
        encoder = self.target_encoder_
        state = {name: to_json(getattr(self, name), name) for name in self._SAVED_STATE if hasattr(self, name)}
        state["history_"] = to_json(dict(self.history_), "history_")
        # Not in the Keras file: the network's dropout draws continue from them on a warm start.
        state[_SEED_STATES] = to_json(seed_states(self.model_), _SEED_STATES)
        return {
            "estimator": type(self).__name__,
            "params": persistence.params_to_json(self),
            "state": state,
            "target_encoder": {
                name: to_json(getattr(encoder, name), f"target_encoder_.{name}")
                for name in self._SAVED_ENCODER_STATE[type(encoder).__name__]
            },
            "model_file": networks.write(self.model_, model_file),
        }

    def _restore_saved_state(self, description, networks):
        """This freshly constructed estimator, fitted with the state ``_saved_state`` wrote; returns self."""
        state = dict(persistence.expect(description, "state", dict))
        # Files written before they were saved have none: the network keeps the seeds it drew on loading.
        seeds = state.pop(_SEED_STATES, None)
        unknown = set(state) - set(self._SAVED_STATE)
        if unknown:
            raise persistence.ModelFileError(f"the manifest sets attributes {sorted(unknown)}, which sktcn never saves.")
        for name, value in state.items():
            setattr(self, name, from_json(value))
        self.history_ = defaultdict(list, self.history_)

        encoder = self.target_encoder  # a fresh encoder of the estimator's own kind
        encoder_state = persistence.expect(description, "target_encoder", dict)
        if set(encoder_state) != set(self._SAVED_ENCODER_STATE[type(encoder).__name__]):
            raise persistence.ModelFileError(
                f"the manifest's target encoder state {sorted(encoder_state)} does not fit {type(self).__name__}."
            )
        for name, value in encoder_state.items():
            setattr(encoder, name, from_json(value))
        self.target_encoder_ = encoder
        vars(self).update(encoder.get_metadata())
        self._upgrade_fitted_state()
        self.feature_encoder_ = self.feature_encoder.fit(np.zeros((1, self._fit_timesteps, self._n_channels), np.float32))

        self.model_ = networks.read(persistence.expect(description, "model_file", str))
        if self.model_.input_shape[-1] != self._n_channels:
            raise persistence.ModelFileError(
                f"the network expects {self.model_.input_shape[-1]} features per step but the manifest "
                f"says {self._n_channels}: the files do not belong together."
            )
        if seeds is not None:
            try:
                restore_seed_states(self.model_, from_json(seeds))
            except ValueError as error:
                raise persistence.ModelFileError(
                    f"the manifest's {_SEED_STATES} do not fit the network: {error}"
                ) from None
        # What a warm start's fused training model must standardise its inputs with, and add noise to them.
        self._input_statistics = self._network_input_statistics()
        self._input_noise_stddev = input_noise_of(self._first_network())
        # The parameters it was saved with stand for those it was built with (_check_warm_params).
        self._built_with = self._built_with_params()
        self._initialize_callbacks()
        self._make_predict_function()
        return self

    # ------------------------------------------------------------------- misc
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        tags.target_tags.required = True
        return tags

    # scikit-learn's repr (changed parameters only), not scikeras' one-per-line.
    # The function itself, not a method calling it: scikit-learn's printer
    # wraps, alone and inside composites, only estimators whose class's
    # __repr__ is BaseEstimator.__repr__.
    __repr__ = BaseEstimator.__repr__
