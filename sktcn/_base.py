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
import inspect
import numbers
import random
import warnings
from collections import defaultdict

import keras
import numpy as np
import scipy.sparse as sp
import tensorflow as tf
from scikeras.wrappers import BaseWrapper
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from sktcn._distribute import (
    STRATEGY_NAMES,
    picklable_strategy,
    releasing_all_reduce_gradients,
    resolve_strategy,
    strategy_scope,
)
from sktcn._ensemble import average_model
from sktcn._network import (
    POOLINGS,
    auto_dilations,
    build_network,
    receptive_field,
    scaling_statistics,
)
from sktcn._streaming import StreamedData, is_streamed, predict_inputs, releasing_generator_functions
from sktcn._random import member_seeds
from sktcn._random import seed_from as _seed_from
from sktcn._training import TrainingPlan, network_cost, plan_training, regime_callbacks



def _scikeras_sklearn_tags(self):
    """scikit-learn >= 1.6 tags for scikeras' BaseWrapper, from its old-style ``_tags``."""
    tags = super(BaseWrapper, self).__sklearn_tags__()
    tags.target_tags.multi_output = bool(self._tags.get("multioutput", False))
    return tags


# scikeras 0.13 declares its tags only through ``_more_tags``, which scikit-learn
# 1.6 replaced by ``__sklearn_tags__`` and now rejects on any class in the MRO.
# This translation is what scikeras would ship; it steps aside once it does.
if "__sklearn_tags__" not in vars(BaseWrapper):
    BaseWrapper.__sklearn_tags__ = _scikeras_sklearn_tags

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

# Steps that the receptive field of a pooled network covers with dilations=None
# (kernel_size=3: dilations (1, 2, 4, 8), a field of 61 steps).
POOLED_FIELD = 60

# ``pooling`` belongs to TCNClassifier and TCNRegressor, not to the shared
# signature: its "auto" means a different pooling for each, and estimators built
# on the shared parameters (the LSTM baselines, TCNForecaster) have no use for it.
POOLING_CONSTRAINT = {"pooling": [StrOptions({"auto", *POOLINGS})]}

POOLING_DOC = """
    pooling : {{"auto", "last", "mean", "max"}}, default="auto"
        How the network turns the TCN's output, one feature vector per time
        step, into one prediction per series. ``"last"``: read the last step
        only (keras-tcn's ``return_sequences=False``). ``"mean"`` or
        ``"max"``: average, or take the maximum of, every step's features
        (global average or max pooling) before the output layer. ``"auto"``:
        {auto}; ``pooling_`` holds the choice made.

        Pooling suits labels that depend on the whole series (a gesture, a
        fault, a sleep stage): every step contributes to the prediction and
        its gradient, so the network learns a pattern wherever it occurs,
        and it generalised from few training series much better than one
        that routes everything through the last step (measured figures on
        the user guide's classification page). ``"last"`` is right when the answer
        depends on the end of the series or on the order of distant steps:
        the adding problem, ``y = x[0] + x[-1]``, the next value of a series.
        Each step's features see the ``receptive_field_`` steps up to it:
        with ``dilations=None`` a pooled network's field covers at most 60
        steps (local patterns, as the UCR archive's convolutional
        classifiers use), an unpooled one the whole training series; no
        feature relates steps further apart than ``receptive_field_``. Series of
        different lengths are padded with zeros in front, and pooling counts
        those steps too. With ``return_sequences=True`` there is no time axis
        to pool: leave ``pooling="auto"``.
"""

# ``input_scaling`` belongs to TCNClassifier and TCNRegressor: the forecaster
# scales its windows itself, and the LSTM baselines stay the plain networks of
# the source documents.
INPUT_SCALING_CONSTRAINT = {"input_scaling": [StrOptions({"auto", "standard"}), None]}

INPUT_SCALING_DOC = """
    input_scaling : {"auto", "standard", None}, default="auto"
        ``"standard"``: the network's first layer standardises each input
        feature with the mean and standard deviation it had over all
        training series and time steps (of the first batch, for streamed
        data), so series in any units (case counts, accelerations) train
        with the default learning rate. ``"auto"``: only the features whose
        training values reach beyond 10 in magnitude; the others go in as
        given. Standardising a 0/1 marker hurt: on the adding problem
        (length 100, 15 epochs) test R² fell from 0.889 to -0.311, while raw
        case counts (Covid3Month) need it. The statistics are part of
        ``model_``. ``None``: every feature goes in as given.
"""

# ``n_networks`` belongs to TCNClassifier and TCNRegressor: the LSTM baselines
# are single networks, and the forecaster has its own (default 3).
ENSEMBLE_CONSTRAINT = {"n_networks": [Interval(numbers.Integral, 1, None, closed="left")]}

ENSEMBLE_DOC = """
    n_networks : int, default=1
        Number of networks trained from the seeds ``random_state``,
        ``random_state + 1``, ... on the same data; predictions (class
        probabilities for the classifier) are their average, as InceptionTime
        averages five networks. Costs ``n_networks`` fits. Measured effect of
        1, 3 and 5 networks: the user guide's page "Training regime".
"""

ENSEMBLE_ATTRIBUTE_DOC = """
    estimators_ : list of estimators
        With ``n_networks > 1``, the fitted networks, each an estimator of the
        same class with ``n_networks=1`` and its own seed; ``model_`` averages
        their outputs, and ``history_`` and ``epochs_`` are the first one's.
"""

POOLING_ATTRIBUTE_DOC = """
    pooling_ : {"last", "mean", "max"} or None
        The pooling used, ``pooling="auto"`` resolved; ``None`` with
        ``return_sequences=True``.
"""

PARAMETERS_DOC = """
    nb_filters : int or list of int, default=64
        Number of convolution filters in every residual block, or one number per
        dilation (then ``use_skip_connections`` needs them all equal).
    kernel_size : int, default=3
        Size of the convolution kernels.
    nb_stacks : int, default=1
        Number of stacks of residual blocks.
    dilations : sequence of int or None, default=None
        Dilation rate of each residual block. ``None`` picks powers of two,
        ``(1, 2, 4, ...)``, just long enough for the receptive field to cover the
        training sequences (see ``dilations_``), or, for a pooled network
        (``pooling_`` "mean" or "max"), at most 60 steps of them. This is the one default that
        differs from keras-tcn, whose fixed ``(1, 2, 4, 8, 16, 32)`` is kept for
        sequences of varying length.
    padding : {"causal", "same"}, default="causal"
        ``"causal"``: each output sees only the past. ``"same"``: a non-causal TCN.
    use_skip_connections : bool, default=True
        Add the output of every residual block to the TCN's output.
    dropout_rate : float, default=0.0
        Spatial dropout rate inside the residual blocks, in ``[0, 1)``.
    return_sequences : bool, default=False
        Predict one target per time step; ``y`` then has shape
        ``(n_samples, n_timesteps)`` or ``(n_samples, n_timesteps, n_outputs)``.
    activation : str, default="relu"
        Activation of the residual blocks.
    kernel_initializer : str, default="he_normal"
        Initializer of the convolution kernels.
    use_batch_norm : bool, default=False
        Batch normalisation in the residual blocks.
    use_layer_norm : bool, default=False
        Layer normalisation in the residual blocks.
    use_weight_norm : bool, default=False
        Weight normalisation of the dilated convolutions (keras-tcn 3.5 dropped
        this option; sktcn implements it for Keras 3). At most one of the three
        normalisations may be on.
    go_backwards : bool, default=False
        Process the sequences backwards.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        Optimizer, by Keras name, class or instance.
    learning_rate : float or None, default=None
        Learning rate of the optimizer; ``None`` keeps the optimizer's default.
    loss : str, keras loss or None, default=None
        ``None`` picks the estimator's natural loss.
    metrics : list or None, default=None
        Keras metrics recorded in ``history_``.
    epochs : int or "auto", default="auto"
        Number of passes over the training data. ``"auto"`` plans a budget
        of about 4,000 gradient steps (at least 10 and at most 600 epochs,
        fewer for long series so that a fit stays within ~30 million
        series-steps), halves the learning rate whenever the loss stalls,
        stops once it has stalled for long, and keeps the weights of the
        epoch with the lowest loss (the validation loss with a
        ``validation_split``); ``epochs_`` holds the plan and ``history_``
        the epochs run and their ``learning_rate``. An integer trains exactly
        that many epochs at a constant learning rate (fewer only with
        ``early_stopping=True``). See the user guide, "Training regime".
    batch_size : int, default=32
        Number of samples per gradient update.
    validation_split : float, default=0.0
        Fraction of the training data, drawn at random with ``random_state``,
        held out to compute ``val_loss`` (and to drive early stopping).
    early_stopping : bool, default=False
        Stop when the monitored loss (``val_loss`` with a validation split,
        the training loss otherwise) has not improved for ``patience`` epochs,
        and keep the best weights seen.
    patience : int, default=10
        Epochs without improvement before early stopping stops.
    callbacks : list of keras.callbacks.Callback or None, default=None
        Extra Keras callbacks for training.
    shuffle : bool, default=True
        Shuffle the training data before each epoch.
    warm_start : bool, default=False
        Keep training the fitted network on the next call to ``fit``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation
        split. With a seed, fits on the CPU are repeatable exactly. The global
        random state of Python, NumPy and TensorFlow is restored afterwards and
        TensorFlow's process-wide determinism switch is left alone, so unseeded
        fits in the same process keep working.
    verbose : int, default=0
        Keras' verbosity during training.
    distribution_strategy : {"default", "mirrored", "auto"}, tf.distribute.Strategy or None, default=None
        Where the network trains. ``None`` or ``"default"``: one device, the
        first GPU if there is one, else the CPU. ``"mirrored"``: a copy of the
        network on every visible GPU, each batch split between them
        (``batch_size`` is the global batch). ``"auto"``: ``"mirrored"`` when
        more than one GPU is visible. A ``tf.distribute.Strategy`` object
        (e.g. ``MultiWorkerMirroredStrategy``) is used as given; pickling
        stores it by name (see the user guide, "Scaling").
    mixed_precision : bool, default=False
        Train and predict with Keras' ``mixed_float16`` policy in the TCN
        (float16 computation, float32 weights, loss scaling) and a float32
        output head. Faster on GPUs with tensor cores; slow on CPUs.
    **kwargs
        Routed parameters in scikeras' style, for example
        ``optimizer__momentum=0.9`` or ``compile__jit_compile=True``.
"""

ATTRIBUTES_DOC = """
    model_ : keras.Model
        The trained network.
    dilations_ : tuple of int
        The dilations used, chosen automatically when ``dilations=None``.
    receptive_field_ : int
        Number of past time steps each output step of the TCN sees
        (keras-tcn's formula): all the last step sees, the widest span a
        pooled feature covers.
    history_ : dict
        Loss (and metric) per epoch, ``val_``-prefixed for the validation
        split; with ``epochs="auto"`` also the ``learning_rate`` of each epoch.
        ``len(history_["loss"])`` is the number of epochs run.
    epochs_ : int
        Passes over the training data planned for the last fit: ``epochs``,
        or its resolution when ``epochs="auto"`` (training may stop earlier).
        With ``"auto"`` a small training set is repeated within each Keras
        epoch (at least 32 gradient steps to an epoch), so ``history_`` then
        holds one entry per several passes.
    n_features_in_ : int
        For 2D ``X``, the number of columns (time steps), as scikit-learn
        defines it; for 3D ``X`` or lists of series, features per time step.
    n_timesteps_in_ : int or None
        Sequence length a 2D ``X`` fixed at fit time (``predict`` requires it);
        ``None`` when fit on 3D input, which may be predicted at any length.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.
"""


def extend_signature(function, base_init=None, **extra):
    """Give ``function`` the keyword parameters of ``base_init`` plus ``extra``.

    scikit-learn reads an estimator's parameters and their defaults from the
    signature of ``__init__`` (for ``repr``, ``clone`` and its checks). A subclass
    that adds a parameter would otherwise have to repeat every shared one.
    ``base_init`` defaults to ``TCNEstimatorBase.__init__``.
    """
    base = inspect.signature(base_init or TCNEstimatorBase.__init__).parameters.values()
    params = [p for p in base if p.kind != p.VAR_KEYWORD]
    params += [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=v) for k, v in extra.items()]
    params.append(inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD))
    function.__signature__ = inspect.Signature(params)
    return function


@contextlib.contextmanager
def unchanged_on_failure(obj):
    """Within the block, an exception puts back ``obj``'s attributes as they were at its start.

    A failed fit must leave no half-fitted estimator: attributes it set before
    failing (``horizon_``, a new network, ...) are dropped, replaced ones return.
    """
    before = dict(vars(obj))
    try:
        yield
    except BaseException:
        vars(obj).clear()
        vars(obj).update(before)
        raise


@contextlib.contextmanager
def seeded(seed):
    """Seed Keras, TensorFlow, NumPy and Python for a block, then restore them.

    scikeras seeds through TensorFlow's op determinism, which stays on for the
    whole process and makes later unseeded fits fail; this seeds only.
    """
    if seed is None:
        yield
        return
    python_state, numpy_state = random.getstate(), np.random.get_state()
    keras_seed = keras.utils.get_random_seed() if hasattr(keras.utils, "get_random_seed") else None
    module = _keras_seed_module()
    try:
        keras.utils.set_random_seed(int(seed))
        if module is not None:
            # Keras draws the seeds of unseeded initializers and dropout layers
            # from Python's process-wide ``random``. In a host with other busy
            # threads (a Dask worker's event loop, a web server) those threads
            # draw from it too, between our seeding and the model's build, and
            # the "seeded" weights change from run to run. A private generator
            # for the block keeps them a function of the seed alone.
            module.python_random = random.Random(int(seed))
        yield
    finally:
        if module is not None:
            module.python_random = random
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        if keras_seed is None:
            # Back to unseeded: TensorFlow and Keras draw fresh seeds again.
            tf.random.set_seed(None)
            keras.src.backend.common.global_state.set_global_attribute("global_random_seed", None)
        else:
            keras.utils.set_random_seed(keras_seed)


def _keras_seed_module():
    """Keras' module that draws default seeds from ``random``, if it still does."""
    try:
        from keras.src.random import seed_generator
    except ImportError:  # pragma: no cover - a Keras without the private module
        return None
    return seed_generator if getattr(seed_generator, "python_random", None) is random else None


def _is_ragged(X):
    """True for a list or tuple of series whose lengths differ."""
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    shapes = [np.shape(x) for x in X if hasattr(x, "__len__") and not isinstance(x, str)]
    if len(shapes) != len(X) or any(len(s) == 0 for s in shapes):
        return False
    return len({s[0] for s in shapes}) > 1


def _ndim(X):
    """Number of dimensions of an array-like, -1 when it has no regular shape."""
    if hasattr(X, "shape"):
        return len(X.shape)
    try:
        return np.ndim(X)
    except ValueError:  # nested lists of uneven shape: check_array reports it
        return -1


def _as_float32(X, **check_array_params):
    """check_array(X, dtype=float32), with a fast path for finite float ndarrays.

    scikit-learn's check_array costs ~90 us a call, most of a single-series
    predict; a plain finite float array needs none of its conversions. Anything
    else, including arrays with NaN or inf, gets check_array and its messages.
    """
    if (
        type(X) is np.ndarray
        and X.dtype.kind == "f"
        and X.ndim in (2, 3)
        and X.size
        and np.isfinite(X).all()
        and np.abs(X).max() < np.finfo(np.float32).max
    ):
        return X.astype(np.float32, copy=False)
    return check_array(X, dtype=np.float32, **check_array_params)


def _pad_ragged(X):
    """Stack series of different lengths into (n, T_max, F), zeros in front.

    Padding in front keeps every series' last real step at the last position,
    which is where a causal TCN reads its prediction.
    """
    series = []
    for i, x in enumerate(X):
        x = check_array(x, ensure_2d=False, dtype=np.float32, input_name=f"X[{i}]")
        if x.ndim == 1:
            x = x[:, None]
        if x.ndim != 2:
            raise ValueError(
                f"X[{i}] has {x.ndim} dimensions; each series in a list must be 1D "
                "(n_timesteps,) or 2D (n_timesteps, n_features)."
            )
        series.append(x)
    n_features = {x.shape[1] for x in series}
    if len(n_features) > 1:
        raise ValueError(
            f"The series in X have different numbers of features {sorted(n_features)}; "
            "every series needs the same features per time step."
        )
    longest = max(len(x) for x in series)
    padded = np.zeros((len(series), longest, series[0].shape[1]), dtype=np.float32)
    for i, x in enumerate(series):
        padded[i, longest - len(x) :] = x
    return padded


class _Forward:
    """Inference-mode call of a model, as an object rather than a closure.

    TensorFlow's retracing detector keys on a function's ``__code__``; every
    estimator's closure would share one and trigger false retracing warnings.
    """

    def __init__(self, model):
        self.model = model

    def __call__(self, x):
        return self.model(x, training=False)


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
        "use_batch_norm": ["boolean"],
        "use_layer_norm": ["boolean"],
        "use_weight_norm": ["boolean"],
        "go_backwards": ["boolean"],
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
        vars(self).update(kwargs)

    # ------------------------------------------------------------------ checks
    def _check_params(self):
        """Raise ValueError/TypeError for invalid hyperparameters, before any work."""
        params = {k: getattr(self, k) for k in self._parameter_constraints}
        validate_parameter_constraints(self._parameter_constraints, params, caller_name=type(self).__name__)
        if self.dilations is not None:
            dilations = list(self.dilations)
            if not dilations:
                raise ValueError("dilations is empty; give at least one dilation, e.g. (1, 2, 4, 8), or None.")
            if not all(isinstance(d, numbers.Integral) and not isinstance(d, bool) and d >= 1 for d in dilations):
                raise ValueError(f"dilations must be positive integers, got {self.dilations!r}.")
        self._resolve_pooling()
        norms = [n for n in ("use_batch_norm", "use_layer_norm", "use_weight_norm") if getattr(self, n)]
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

    def _check_X(self, X, reset):
        """The one validation path for inputs: returns float32 (n_samples, n_timesteps, n_features)."""
        if sp.issparse(X):
            raise TypeError(
                f"{type(self).__name__} does not accept sparse input (a TCN convolves dense series); "
                "convert it with X.toarray()."
            )
        if not hasattr(X, "shape") and not isinstance(X, (list, tuple)):
            X = np.asarray(X)  # other array-likes (objects with __array__)
        from_2d = False
        if _is_ragged(X):
            X = _pad_ragged(X)
        elif _ndim(X) == 2:
            from_2d = True
            if reset or getattr(self, "n_timesteps_in_", None) is not None:
                # scikit-learn's own bookkeeping of column names and counts.
                validate_data(self, X, reset=reset, skip_check_array=True)
            X = _as_float32(X)[:, :, None]
        else:
            X = _as_float32(X, allow_nd=True)
            if X.ndim != 3:
                raise ValueError(
                    f"X has {X.ndim} dimensions; give 2D (n_samples, n_timesteps) for univariate series "
                    "or 3D (n_samples, n_timesteps, n_features)."
                )
        if X.shape[1] == 0 or X.shape[2] == 0:
            raise ValueError(f"X has shape {X.shape}: it needs at least one time step and one feature.")
        if reset:
            self.n_timesteps_in_ = X.shape[1] if from_2d else None
            if not from_2d:
                self.n_features_in_ = X.shape[2]
                if hasattr(self, "feature_names_in_"):
                    del self.feature_names_in_
            self._n_channels = X.shape[2]
        else:
            if X.shape[2] != self._n_channels:
                raise ValueError(
                    f"X has {X.shape[2]} features per time step, but {type(self).__name__} "
                    f"is expecting {self._n_channels} features per time step as input."
                )
            if self.n_timesteps_in_ is not None and X.shape[1] != self.n_timesteps_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                    f"{self.n_timesteps_in_} features as input (the time steps of the 2D X it was fit on; "
                    "fit on 3D input to predict series of other lengths)."
                )
        return X

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
        # scikeras calls this hook from _initialize/_fit/predict.
        if X is not None:
            X = self._check_X(X, reset=reset)
        if y is not None:
            y = self._check_y(self._as_target_array(y), X)
        return X, y

    def _as_target_array(self, y):
        raise NotImplementedError

    # ---------------------------------------------------------------- building
    def _tcn_params(self):
        params = {name: getattr(self, name) for name in _TCN_PARAMS}
        if isinstance(params["nb_filters"], tuple):
            params["nb_filters"] = list(params["nb_filters"])  # keras-tcn checks for a list
        params["dilations"] = list(self.dilations_)
        return params

    def _build_keras_model(self):
        # Variables created in a strategy's scope are placed (and mirrored) by
        # it, and Keras' fit then distributes every step the same way.
        strategy = resolve_strategy(getattr(self, "distribution_strategy", None))
        with seeded(self._random_state), strategy_scope(strategy):
            model = self._build_network()
            model.compile(**self._get_compile_kwargs())
        return model

    def _build_network(self):
        """The uncompiled Keras model; subclasses with another network override this."""
        n_timesteps = self._fit_timesteps
        self.pooling_ = self._resolve_pooling()
        self.dilations_ = (
            tuple(int(d) for d in self.dilations) if self.dilations is not None
            else auto_dilations(self._covered_steps(n_timesteps), self.kernel_size, self.nb_stacks)
        )
        self.receptive_field_ = receptive_field(self.kernel_size, self.dilations_, self.nb_stacks)
        if isinstance(self.nb_filters, (list, tuple)) and len(self.nb_filters) != len(self.dilations_):
            raise ValueError(
                f"nb_filters has {len(self.nb_filters)} entries but there are {len(self.dilations_)} "
                "dilations; give one number of filters per dilation."
            )
        # A pooled network still sees every step, through the outputs of other
        # steps; a short receptive field only bounds the patterns it combines.
        if self.receptive_field_ < n_timesteps and self.pooling_ in ("last", None):
            warnings.warn(
                f"The receptive field ({self.receptive_field_} steps) is shorter than the training "
                f"sequences ({n_timesteps} steps): the network cannot see steps further back. "
                "Use larger dilations, a larger kernel_size or more nb_stacks, or dilations=None.",
                UserWarning,
                stacklevel=5,
            )
        return build_network(
            n_channels=self._n_channels,
            n_timesteps=None,
            tcn_params=self._tcn_params(),
            output_shape=self._output_shape,
            n_classes=self._n_network_classes(),
            mixed_precision=self.mixed_precision,
            pooling=self.pooling_ or "last",
            input_statistics=getattr(self, "_input_statistics", None),
        )

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
        return n_timesteps

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
        return self._auto_pooling if self.pooling == "auto" else self.pooling

    def _get_compile_kwargs(self):
        kwargs = super()._get_compile_kwargs()
        if kwargs.get("loss") is None:
            kwargs["loss"] = self._default_loss
        if self.learning_rate is not None:
            kwargs["optimizer"].learning_rate = self.learning_rate
        # Chosen by benchmarks/overhead.py on a 2-core CPU: forcing XLA made TCN
        # training 1.23x slower and "auto" did not use it. compile__jit_compile overrides.
        kwargs.setdefault("jit_compile", False)
        if self.mixed_precision and not isinstance(kwargs["optimizer"], keras.optimizers.LossScaleOptimizer):
            # float16 gradients underflow without it. Keras adds it by itself only
            # to models whose own policy is mixed; sktcn's model stays float32.
            kwargs["optimizer"] = keras.optimizers.LossScaleOptimizer(kwargs["optimizer"])
        return kwargs

    # ---------------------------------------------------------------- training
    def fit(self, X, y=None, sample_weight=None, **kwargs):
        """Fit the TCN to series ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like, list of array-like, memory map, PyDataset or tf.data.Dataset
            2D ``(n_samples, n_timesteps)`` univariate series, 3D ``(n_samples,
            n_timesteps, n_features)``, a DataFrame (one row per series), or a
            list of 1D/2D series of different lengths (padded with zeros in
            front, so each series ends on the last step a causal TCN reads).
            Data larger than memory: a memory-mapped array (read ``batch_size``
            rows at a time), or a ``keras.utils.PyDataset`` or finite
            ``tf.data.Dataset`` of batches ``(x, y)`` or ``(x, y, w)`` with raw
            labels or targets in ``y``; sktcn reads their targets in one pass
            before training (see the user guide, "Scaling").
        y : array-like or None
            Targets, ``(n_samples,)`` or ``(n_samples, n_outputs)``; with
            ``return_sequences=True``, ``(n_samples, n_timesteps[, n_outputs])``.
            ``None`` when ``X`` is a PyDataset or tf.data.Dataset.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss.

        Returns
        -------
        self
        """
        return super().fit(X, y, sample_weight=sample_weight, **kwargs)

    def _fit(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        # A failed fit restores the estimator as it was: no half-fitted state.
        with unchanged_on_failure(self):
            self._check_params()
            if getattr(self, "n_networks", 1) > 1:
                self._fit_ensemble(X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs)
            elif is_streamed(X):
                self._fit_streamed(X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs)
            elif y is None:
                raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
            else:
                super()._fit(X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs)
            self._make_predict_function()

    def _fit_ensemble(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        """Train ``n_networks`` single networks from consecutive seeds; ``model_`` averages them."""
        members = getattr(self, "estimators_", None)
        if not ((self.warm_start or warm_start) and members and len(members) == self.n_networks):
            params = self.get_params(deep=False)
            members = [
                type(self)(**dict(params, n_networks=1, random_state=seed))
                for seed in member_seeds(self.random_state, self.n_networks)
            ]
        for member in members:
            if hasattr(self, "_declared_classes"):  # partial_fit(..., classes=...) of a classifier
                member._declared_classes = self._declared_classes
            member._fit(X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs)
        # The ensemble describes itself by its first network (shapes, classes,
        # encoders, history), with its own parameters kept.
        params = set(self.get_params(deep=False))
        vars(self).update({k: v for k, v in vars(members[0]).items() if k not in params and k != "_predict_function"})
        self.estimators_ = members
        self.model_ = average_model([m.model_ for m in members], self._n_channels)

    def _initialize(self, X, y=None):
        # scikeras' version, plus the fit-time shapes the network builder needs.
        self._random_state = _seed_from(self.random_state)
        X, y = self._validate_data(X, y, reset=True)
        self._initialize_network(X, y)
        return X, y

    def _initialize_network(self, X, y, target_encoder=None):
        """Encoders and network from validated inputs (the first batch is enough) and all targets.

        With a ``target_encoder`` already fitted (on streamed targets), ``y``
        only needs to hold one sample.
        """
        self._fit_timesteps = X.shape[1]
        self.target_encoder_ = self.target_encoder.fit(y) if target_encoder is None else target_encoder
        vars(self).update(self.target_encoder_.get_metadata())
        self.feature_encoder_ = self.feature_encoder.fit(X)
        # Fitted from the data the network is first built on (all of it, or
        # the first batch of a stream), and frozen in the model.
        self._input_statistics = scaling_statistics(X, getattr(self, "input_scaling", None))
        self._output_shape = self.target_encoder_.transform(y[:1]).shape[1:]
        self.model_ = self._build_keras_model()
        # What epochs="auto" starts each fit's learning-rate schedule from.
        self._configured_learning_rate = float(keras.ops.convert_to_numpy(self.model_.optimizer.learning_rate))
        self._initialize_callbacks()

    def _fit_streamed(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        """``fit`` for data streamed batch by batch (see ``sktcn._streaming``)."""
        if self.validation_split:
            raise ValueError(
                f"validation_split={self.validation_split} needs X in memory to draw the split from; with "
                "streamed X set validation_split=0 (early_stopping then watches the training loss)."
            )
        data = StreamedData(X, y, sample_weight, self.batch_size)
        if not ((self.warm_start or warm_start) and self.initialized_):
            self._random_state = _seed_from(self.random_state)
            first = self._check_X(data.first_x(), reset=True)
            encoder = self.target_encoder
            if data.targets_given is None and hasattr(encoder, "partial_fit"):
                # Targets can outweigh the inputs (one per time step, or a whole
                # horizon per step for the forecaster): the encoder gathers its
                # statistics batch by batch instead of from one array of them all.
                for x, batch_y, _ in data.raw_batches():
                    encoder.partial_fit(self._check_y(self._as_target_array(batch_y), x))
                self._initialize_network(first, self._as_target_array(batch_y[:1]), encoder)
            else:
                targets = self._as_target_array(data.targets())
                # _check_y compares y with X's length and series length: a broadcast
                # view of the first series stands in for X without allocating it.
                targets = self._check_y(targets, np.broadcast_to(first[:1], (len(targets),) + first.shape[1:]))
                self._initialize_network(first, targets)

        def encode(x, y, w):
            x, y = self._validate_data(x, y)
            y = self.target_encoder_.transform(y)
            w = self._training_weights(y, None if w is None else np.asarray(w, np.float32))
            return self.feature_encoder_.transform(x), y, w

        example = encode(*next(iter(data.raw_batches())))
        n_batches = data.n_batches()
        plan = self._plan(epochs, n_batches, n_batches * int(np.prod(example[0].shape[:2])), None)
        self._run_keras_fit(data.keras_input(encode, example), None, None, None, warm_start, plan, initial_epoch,
                            **kwargs)

    def _training_weights(self, y, sample_weight):
        """Weights shaped like the per-element loss (Keras does not broadcast a
        per-sample weight over time steps). Always an array, so weights of
        ones and no weights take the very same code path."""
        weights = np.ones(len(y), np.float32) if sample_weight is None else sample_weight.astype(np.float32)
        loss_shape = self._loss_shape(y)
        return np.broadcast_to(weights.reshape((-1,) + (1,) * (len(loss_shape) - 1)), loss_shape).copy()

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        weights = self._training_weights(y, sample_weight)
        validation_data = None
        if self.validation_split:
            order = check_random_state(self._random_state).permutation(len(X))
            n_validation = max(1, int(round(self.validation_split * len(X))))
            if n_validation >= len(X):
                raise ValueError(
                    f"validation_split={self.validation_split} leaves no training sample out of {len(X)}; "
                    "lower it or give more data."
                )
            held_out, kept = order[:n_validation], order[n_validation:]
            validation_data = (X[held_out], y[held_out], weights[held_out])
            X, y, weights = X[kept], y[kept], weights[kept]
        plan = self._plan(epochs, -(-len(X) // self.batch_size), len(X) * X.shape[1],
                          X.nbytes + y.nbytes + weights.nbytes)
        if plan.repeats > 1:
            # Keras shuffles the copies together: each epoch is `repeats` passes.
            X, y, weights = (np.concatenate([a] * plan.repeats) for a in (X, y, weights))
        self._run_keras_fit(X, y, weights, validation_data, warm_start, plan, initial_epoch, **kwargs)

    def _plan(self, epochs, steps_per_pass, sample_steps_per_pass, bytes_per_pass):
        """The TrainingPlan of a fit: ``epochs="auto"`` resolved, an integer kept exactly."""
        if isinstance(epochs, str):  # "auto", checked in _check_params
            cost = sample_steps_per_pass * network_cost(self._network_shape())
            return plan_training(steps_per_pass, cost, bytes_per_pass)
        return TrainingPlan(epochs=int(epochs))

    def _network_shape(self):
        """(residual blocks, filters, kernel size) of the network, for the cost of a plan."""
        filters = self.nb_filters if isinstance(self.nb_filters, numbers.Integral) else max(self.nb_filters)
        return len(self.dilations_) * self.nb_stacks, filters, self.kernel_size

    def _regime_callbacks(self, plan, monitor):
        """The callbacks of a plan: the regime's for ``epochs="auto"``, early stopping if asked."""
        callbacks = []
        if plan.scheduled:
            optimizer = self.model_.optimizer
            # Each fit runs its own schedule from the configured learning rate,
            # also after a warm start whose schedule lowered it.
            configured = getattr(self, "_configured_learning_rate", None)
            if configured is None:  # a network restored from a file saved before the regime existed
                configured = self._configured_learning_rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
            optimizer.learning_rate = configured
            callbacks = regime_callbacks(plan.epochs, monitor, configured)
            if self.early_stopping:
                # The user's early stopping (its patience) replaces the regime's.
                callbacks = [c for c in callbacks if not isinstance(c, keras.callbacks.EarlyStopping)]
        if self.early_stopping:
            callbacks.append(keras.callbacks.EarlyStopping(monitor=monitor, patience=self.patience,
                                                           restore_best_weights=True))
        return callbacks

    def _run_keras_fit(self, X, y, weights, validation_data, warm_start, plan, initial_epoch, **kwargs):
        """Keras' fit with sktcn's callbacks and seeding, then the history and divergence checks."""
        streamed = y is None  # X is a PyDataset or tf.data.Dataset of batches
        monitor = "val_loss" if validation_data is not None else "loss"
        callbacks = list(self._fit_callbacks) + self._regime_callbacks(plan, monitor)
        epochs = plan.epochs
        self.epochs_ = plan.passes
        # releasing_all_reduce_gradients and releasing_generator_functions: without
        # them TensorFlow keeps every fit's training graph, or its PyDataset
        # pipeline and model, alive in global registries (see sktcn._distribute
        # and sktcn._streaming).
        with (
            seeded(self._random_state),
            warnings.catch_warnings(),
            releasing_all_reduce_gradients(),
            releasing_generator_functions(X),
        ):
            # keras-tcn: with skip connections, the last residual block's 1x1
            # matching convolution feeds nothing; with a single block Keras
            # warns about it on every fit. It is harmless.
            warnings.filterwarnings("ignore", message="Gradients do not exist for variables .*matching_conv1D")
            history = self.model_.fit(
                X,
                y,
                sample_weight=weights,
                batch_size=None if streamed else self.batch_size,
                epochs=initial_epoch + epochs,
                initial_epoch=initial_epoch,
                # A tf.data pipeline shuffles (or not) by itself; Keras would warn.
                shuffle=self.shuffle and not isinstance(X, tf.data.Dataset),
                verbose=self.verbose,
                callbacks=callbacks,
                validation_data=validation_data,
                **kwargs,
            )
        losses = history.history.get("loss", [])
        if not np.all(np.isfinite(losses)):
            raise ValueError(
                "Training diverged: the loss became NaN or infinite. Scale X and y (e.g. standardise "
                "them) or lower learning_rate."
            )
        # A warm-started fit continues the curves of the fits before it.
        if not warm_start or not hasattr(self, "history_"):
            self.history_ = defaultdict(list)
        for key, values in history.history.items():
            self.history_[key] += list(values)

    # -------------------------------------------------------------- predicting
    def _make_predict_function(self):
        # One traced graph for every batch size and sequence length: Keras'
        # model.predict pays ~100 ms of set-up per call, this pays microseconds.
        spec = tf.TensorSpec((None, None, self._n_channels), tf.float32)
        self._predict_function = tf.function(_Forward(self.model_), input_signature=[spec])

    def _predict_raw(self, X, **kwargs):
        check_is_fitted(self, "model_")
        if is_streamed(X):
            rows = max(1, _PREDICT_CHUNK_STEPS // X.shape[1]) if isinstance(X, np.ndarray) else None
            return np.concatenate([self._predict_raw(x) for x in predict_inputs(X, rows)])
        X, _ = self._validate_data(X=X)
        chunk = max(1, _PREDICT_CHUNK_STEPS // X.shape[1])
        if len(X) <= chunk:
            return self._predict_function(X).numpy()
        return np.concatenate([self._predict_function(X[i : i + chunk]).numpy() for i in range(0, len(X), chunk)])

    def __getstate__(self):
        # A copy: on Python 3.11+ the parent hands out the live __dict__.
        state = dict(super().__getstate__())
        state.pop("_predict_function", None)  # a traced graph does not pickle
        state["distribution_strategy"] = picklable_strategy(state.get("distribution_strategy"))
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "model_" in state:
            self._make_predict_function()

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
        from sktcn.persistence import save  # the module imports the estimators

        return save(self, path)

    # ------------------------------------------------------------------- misc
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        tags.target_tags.required = True
        return tags

    def __repr__(self):
        # scikit-learn's repr (changed parameters only), not scikeras' one-per-line.
        return super(BaseWrapper, self).__repr__()
