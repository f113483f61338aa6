"""Checks of what the estimators' parameters name: routed parameters, Keras' names, losses for the task.

scikeras keeps every keyword argument and Keras resolves a name only when it
builds or compiles the network, with a message that names neither the
parameter nor the fix. These checks run in ``fit``, before any training: a
misspelt parameter or Keras name gets the name it is close to, and a loss or
metric for the other task's targets is refused, from one table of Keras'
names (``KERAS_TARGETS``) that every estimator reads.
"""

import difflib
import inspect

import keras
from sklearn.utils._param_validation import HasMethods, validate_parameter_constraints

from sktcn import _compat
from sktcn._compat import flat_items
from sktcn._random import keras_draws_discarded


def closest_name(name, names):
    """The one of ``names`` closest to ``name``, a misspelling of it (difflib's match), or None where none is close.

    Examples
    --------
    >>> closest_name("window_lenght", ["window_length", "sp"]), closest_name("xyz", ["window_length"])
    ('window_length', None)
    >>> closest_name("Relu", ["elu", "relu"])
    'relu'
    """
    names = sorted(names)
    # A name that differs in case only ("Relu") is that one, whatever difflib's ratio prefers ("elu").
    same_letters = [candidate for candidate in names if candidate.lower() == name.lower()]
    if same_letters:
        return same_letters[0]
    close = difflib.get_close_matches(name, names, n=1)
    return close[0] if close else None


def check_routed_params(estimator, routed):
    """Raise TypeError for a name in ``routed`` that is not a routed parameter (``optimizer__momentum``).

    ``routed``: the keyword arguments left after ``estimator``'s own parameters.
    scikeras keeps every keyword argument, for a model-building function that
    sktcn does not have: a misspelt parameter (``nb_filter=400``) would be kept,
    shown by ``repr`` and ignored.
    """
    for name in routed:
        prefix, routed_name = name.partition("__")[::2]
        # "kwargs": scikit-learn's check_do_not_raise_errors_in_init_or_set_params passes every name of
        # the signature, that of ``**kwargs`` included; it is kept and ignored, as it always was.
        if (routed_name and prefix in _compat.ROUTING_PREFIXES) or name == "kwargs":
            continue
        own = [p for p in inspect.signature(type(estimator).__init__).parameters if p not in ("self", "kwargs")]
        raise TypeError(f"{type(estimator).__name__} got an unexpected keyword argument {name!r}."
                        + unknown_params_advice([name], own, _compat.ROUTING_PREFIXES))


def unknown_params_advice(unknown, own, routing_prefixes=()):
    """What to say of the names ``unknown``, which an estimator does not take: close names, and what it takes.

    The sentences that follow an estimator's "got an unexpected ..." (a
    misspelling gets the name it is close to: ``closest_name``). ``own``: the
    estimator's parameters; ``routing_prefixes``: the prefixes of the routed
    parameters it takes besides them (``optimizer__``...), none for one that
    takes none (``TCNForecaster``). A routed name (``optimiser__momentum``) is
    matched by its prefix: against ``routing_prefixes``, or, for an estimator
    that takes no routed parameters, against the prefixes TCNRegressor routes
    (``_compat.ROUTING_PREFIXES``), where one of ``own`` that takes a
    configured object instead (``optimizer``) is the hint; otherwise the name
    itself, or its part after ``__``, is matched against ``own``
    (``fit__shuffle``: ``shuffle``).

    Examples
    --------
    >>> unknown_params_advice(["window_lenght"], ["window_length", "optimizer"])
    ' Did you mean window_length?'
    >>> unknown_params_advice(["optimiser__momentum"], ["window_length", "optimizer"]).split(":")[0]
    ' Did you mean optimizer? Unlike TCNRegressor, it takes no routed parameters'
    >>> unknown_params_advice(["fit__shuffle"], ["shuffle", "optimizer"])
    ' Did you mean shuffle? Unlike TCNRegressor, it takes no routed parameters.'
    >>> unknown_params_advice(["foo__bar"], ["shuffle", "optimizer"])
    ''
    """
    hints = {}
    routed_by_regressor = set()  # for an estimator without routed parameters: the prefixes TCNRegressor routes
    for name in unknown:
        prefix, routed_name = name.partition("__")[::2]
        if not routed_name:
            hints[name] = closest_name(name, own)
        elif routing_prefixes:  # a routed parameter with a misspelt prefix
            close = closest_name(prefix, routing_prefixes)
            hints[name] = close and f"{close}__{routed_name}"
        else:
            routed = closest_name(prefix, _compat.ROUTING_PREFIXES)
            if routed:
                routed_by_regressor.add(routed)
            # The parameter whose object takes the routed value (optimizer for optimizer__momentum),
            # else the parameter the routed name stands for (shuffle for fit__shuffle).
            hints[name] = (routed if routed in own else None) or closest_name(name, own) or closest_name(
                routed_name, own)
    hints = [close if len(unknown) == 1 else f"{close} for {name}" for name, close in hints.items() if close]
    advice = f" Did you mean {', '.join(hints)}?" if hints else ""
    if routing_prefixes:
        return advice + (
            " Besides its own parameters it takes only routed ones whose names start with "
            f"{', '.join(p + '__' for p in sorted(routing_prefixes))} (e.g. optimizer__momentum=0.9)."
        )
    if routed_by_regressor:
        # A name TCNRegressor would route (optimizer__momentum, fit__shuffle): say what takes its place here.
        advice += " Unlike TCNRegressor, it takes no routed parameters" + (
            ": give the parameter a configured object, e.g. optimizer=keras.optimizers.SGD(momentum=0.9)."
            if routed_by_regressor & set(own) else "."
        )
    return advice


# The Keras modules whose ``get`` resolves the names a string ``activation``,
# ``kernel_initializer``, ``optimizer`` or ``loss`` may hold (keras-tcn resolves
# the first two with the same getters, but only while it builds the network;
# scikeras the others, while it compiles it), and what else each parameter takes.
_KERAS_NAMED = {
    "activation": (keras.activations, "keras.activations", "a callable"),
    "kernel_initializer": (keras.initializers, "keras.initializers", "a keras.initializers.Initializer instance"),
    "optimizer": (keras.optimizers, "keras.optimizers", "a keras.optimizers.Optimizer instance or subclass"),
    "loss": (keras.losses, "keras.losses", "a keras.losses.Loss instance or subclass, or a callable"),
}


# Keras' abstract base classes whose getters make them from their bare names
# (keras.losses.get("Loss"), keras.initializers.get("initializer")): such an
# instance computes nothing, and fails only when used (a bare NotImplementedError
# in training), so its name is no usable name. keras.optimizers.get refuses
# "Optimizer" itself; it is listed should that change.
_ABSTRACT_BASES = {
    keras.losses: keras.losses.Loss,
    keras.initializers: keras.initializers.Initializer,
    keras.optimizers: keras.optimizers.Optimizer,
    keras.metrics: keras.metrics.Metric,
}


def _made(module, name):
    """What Keras' ``module.get`` makes of the name ``name``, or None where it makes nothing."""
    try:
        # An initializer draws its default seed when made: from a throwaway generator.
        with keras_draws_discarded():
            return module.get(name)
    # KeyError: a name Keras knows but cannot make without arguments ("LossScaleOptimizer").
    except (ValueError, TypeError, KeyError):
        return None


def _resolves(module, name):
    """Whether Keras' ``module.get`` makes a usable object of the name ``name`` (not an abstract base class)."""
    made = _made(module, name)
    return made is not None and type(made) is not _ABSTRACT_BASES.get(module)


def _closest_keras_name(name, module):
    """The name ``module.get`` resolves that is closest to ``name`` (``closest_name``), or None."""
    names = {known for known in dir(module) if not known.startswith("_")
             and known not in ("get", "serialize", "deserialize")}
    names.update(_compat.keras_identifiers(module))  # Keras' aliases ("mse") too
    while (close := closest_name(name, names)) is not None:
        if _resolves(module, close):
            return close
        names.discard(close)  # a base class ("Optimizer", "Loss"), which get cannot make or makes unusable
    return None


def check_keras_names(estimator, params=(*_KERAS_NAMED, "metrics")):
    """Refuse a name Keras does not know in a parameter of ``_KERAS_NAMED``, with a ValueError naming it.

    keras-tcn resolves ``activation`` and ``kernel_initializer`` only while it
    builds the network, scikeras ``optimizer`` and ``loss`` only while it
    compiles it, and Keras' message then names neither the parameter nor
    the valid names. Keras' own ``get`` resolves them here, so every name
    Keras knows (aliases such as ``loss="mse"`` and a registered custom
    object's too), and only those, passes; objects and callables pass as
    they are. The name of an abstract base class (``loss="Loss"``), which
    Keras makes but which computes nothing, is refused too.

    ``params``: the parameters to check, those of ``_KERAS_NAMED`` and
    ``metrics`` (every name among them) that ``estimator`` has (the LSTM
    baselines have no ``activation`` nor ``kernel_initializer``).
    """
    for param in params:
        value = getattr(estimator, param)
        if param == "metrics":
            _refuse_unknown_metric_names(value)
        elif isinstance(value, str):
            module, where, alternative = _KERAS_NAMED[param]
            _refuse_unknown_name(f"{param}={value!r}", value, module, where, alternative)


def _refuse_unknown_metric_names(metrics):
    """ValueError for a name among ``metrics`` (one, a list or a dict of them) that Keras does not know.

    Keras resolves them only when scikeras compiles the network, inside fit,
    and says only "Could not interpret metric identifier".
    """
    for metric in flat_items(metrics):
        # Keras' compile reads "accuracy" and "acc" itself (the accuracy for the targets' shape).
        if isinstance(metric, str) and metric.lower() not in ("accuracy", "acc"):
            _refuse_unknown_name(f"metrics holds {metric!r}, which", metric, keras.metrics, "keras.metrics",
                                 "a keras.metrics.Metric instance or subclass, or a callable")


def _refuse_unknown_name(what, name, module, where, alternative):
    """ValueError, starting with ``what``, unless Keras' ``module.get`` makes a usable object of ``name``."""
    if _resolves(module, name):
        return
    base = _ABSTRACT_BASES.get(module)
    if base is not None and type(_made(module, name)) is base:
        problem, close = f"names Keras' abstract base class {where}.{base.__name__}, which computes nothing", None
    else:
        problem, close = f"is not a name Keras knows ({where}.get refuses it)", _closest_keras_name(name, module)
    raise ValueError(
        f"{what} {problem}."
        + (f" Did you mean {close!r}?" if close else "")
        + f" Use the name of one in {where} (dir({where}) lists them), or pass {alternative}."
    )


def check_constraints(estimator):
    """Check every parameter of ``estimator`` against its ``_parameter_constraints`` (scikit-learn's messages).

    A learning-rate schedule is checked first, for a message that says where
    it goes (:func:`check_learning_rate`).
    """
    check_learning_rate(estimator.learning_rate)
    params = {name: getattr(estimator, name) for name in estimator._parameter_constraints}
    validate_parameter_constraints(estimator._parameter_constraints, params, caller_name=type(estimator).__name__)


def check_learning_rate(learning_rate):
    """Refuse a learning-rate schedule given as ``learning_rate``, which takes a number, naming where it goes.

    scikit-learn's constraint would only say "must be a float"; a schedule is
    a natural thing to try there, and the optimizer takes it (the regime of
    ``epochs="auto"`` then leaves the rate to it).

    Examples
    --------
    >>> import keras
    >>> from sktcn._param_checks import check_learning_rate
    >>> check_learning_rate(0.01)
    >>> check_learning_rate(keras.optimizers.schedules.CosineDecay(1e-3, 100))
    Traceback (most recent call last):
    ...
    TypeError: learning_rate takes a number or None, not the schedule CosineDecay. ...
    """
    # Keras' LearningRateSchedule instances are callables (step -> rate), as are the plain functions it also takes.
    if callable(learning_rate):
        raise TypeError(
            f"learning_rate takes a number or None, not the schedule {type(learning_rate).__name__}. A schedule "
            "belongs to the optimizer: optimizer=keras.optimizers.Adam(learning_rate=schedule), with "
            'learning_rate=None; epochs="auto" then follows the schedule instead of halving the rate on a plateau.'
        )


def check_loss_arguments(loss, routed):
    """Refuse ``loss__...`` arguments beside a loss given by name, with a ValueError naming the class that takes them.

    ``routed``: the estimator's routed ``loss__`` parameters, by name. scikeras
    passes them to the loss where it is a class (``loss=keras.losses.Huber,
    loss__delta=0.1``); a name (``loss="huber"``) resolves to Keras' loss
    *function*, which takes none, and scikeras' TypeError said so at compile
    time, without the fix.

    Examples
    --------
    >>> check_loss_arguments("huber", {"loss__delta": 0.1})
    Traceback (most recent call last):
    ...
    ValueError: loss='huber' names Keras' loss function huber, which cannot take loss__delta=0.1: pass its class, \
loss=keras.losses.Huber, with it, or an instance, loss=keras.losses.Huber(delta=0.1).
    """
    function = _made(keras.losses, loss) if isinstance(loss, str) and routed else None
    if function is None:  # no routed arguments, not a name, or a name check_keras_names refuses
        return
    cls = _loss_class_of(function)
    where = f"keras.losses.{cls.__name__}" if cls is not None else "its class in keras.losses"
    given = ", ".join(f"{name}={value!r}" for name, value in routed.items())
    arguments = ", ".join(f"{name.partition('__')[2]}={value!r}" for name, value in routed.items())
    raise ValueError(
        f"loss={loss!r} names Keras' loss function {getattr(function, '__name__', loss)}, which cannot take "
        f"{given}: pass its class, loss={where}, with {'it' if len(routed) == 1 else 'them'}, or an instance, "
        f"loss={where}({arguments})."
    )


def _loss_class_of(function):
    """The class in ``keras.losses`` whose instances compute ``function`` (Huber for huber), or None."""
    for value in vars(keras.losses).values():
        if inspect.isclass(value) and issubclass(value, keras.losses.Loss):
            try:
                if getattr(value(), "fn", None) is function:
                    return value
            except Exception:  # a class that needs arguments computes no plain function of one name
                continue
    return None


class InstancesOrSubclasses(HasMethods):
    """A parameter constraint satisfied by an instance of ``base`` or a class derived from it.

    scikit-learn's constraints take a type's instances, not its subclasses, and
    name the type by its module, which for Keras' classes is the private
    ``keras.src``; its ``make_constraint`` passes on only its own kinds of
    constraint object: this one is a ``HasMethods`` (of no methods) to be one
    of them. ``name``: the public path its message gives.
    """

    def __init__(self, base, name):
        super().__init__([])
        self.base, self.name = base, name

    def is_satisfied_by(self, val):
        return isinstance(val, self.base) or (inspect.isclass(val) and issubclass(val, self.base))

    def __str__(self):
        return f"an instance or a subclass of {self.name!r}"


def keras_name(item, get):
    """The name of the Keras loss or metric that ``item`` (a name, class, instance or function) gives, normalised.

    Lower case without underscores (``categorical_crossentropy`` and
    ``CategoricalCrossentropy`` alike); None for what Keras does not define
    (a user's own function or class) or cannot resolve (``get``: Keras'
    ``losses.get`` or ``metrics.get``).
    """
    if isinstance(item, str):
        try:
            item = get(item)
        except (ValueError, TypeError):
            return None
    # A wrapper of one of Keras' loss functions (what keras.losses.get gives for a class name).
    item = getattr(item, "fn", item)
    definition = item if inspect.isclass(item) or inspect.isfunction(item) else type(item)
    if not getattr(definition, "__module__", "").startswith("keras"):
        return None
    return definition.__name__.lower().replace("_", "")


# Keras' losses and metrics by the targets they compare the network's outputs
# with, as keras_name normalises their names: the one table both checks of a
# loss or metric for the other task read (check_loss_targets). The classifiers
# train on class indices, the regressors and the forecaster on standardised
# numbers. Given targets of another kind, Keras fails inside TensorFlow's graph,
# with a message that names neither the parameter nor the fix, or broadcasts
# them into a meaningless number (a regressor's hinge loss stays at 1, its
# accuracy and AUC at 0; a classifier's AUC compares class indices with
# probabilities).
KERAS_TARGETS = {
    # One value per class (one-hot, or one binary label per class), or a mask of
    # the outputs' shape (dice, tversky).
    "one-hot": frozenset({
        "categoricalcrossentropy", "binarycrossentropy", "categoricalfocalcrossentropy", "binaryfocalcrossentropy",
        "categoricalhinge", "hinge", "squaredhinge", "kldivergence", "dice", "tversky",
        # metrics only
        "categoricalaccuracy", "topkcategoricalaccuracy", "binaryaccuracy", "auc", "precision", "recall",
        "precisionatrecall", "recallatprecision", "sensitivityatspecificity", "specificityatsensitivity",
        "truepositives", "falsepositives", "truenegatives", "falsenegatives", "f1score", "fbetascore", "binaryiou",
        "onehotiou", "onehotmeaniou",
    }),
    # Class indices (sparse labels). So are the strings "accuracy" and "acc",
    # which Keras' compile reads itself (keras_targets): it picks the accuracy
    # for the targets' shape, sparse for a classifier's.
    "class indices": frozenset({
        "sparsecategoricalcrossentropy", "categoricalgeneralizedcrossentropy", "circle", "ctc",
        # metrics only
        "sparsecategoricalaccuracy", "sparsetopkcategoricalaccuracy",
    }),
    # Predicted labels, compared with the targets element by element: the
    # class (and function) Accuracy counts the outputs equal to the targets,
    # and IoU and MeanIoU read the outputs as class indices (sparse_y_pred=True,
    # their default; keras_targets reads an instance's). Given a classifier's
    # probabilities TensorFlow's graph fails (its Equal or LogicalAnd), and a
    # regressor's outputs are never labels.
    "predicted labels": frozenset({"accuracy", "iou", "meaniou"}),
    # Numbers, compared value by value.
    "numbers": frozenset({
        "meansquarederror", "meanabsoluteerror", "huber", "logcosh",
        # metrics only
        "rootmeansquarederror", "logcosherror", "r2score", "pearsoncorrelation", "concordancecorrelation",
    }),
    # Numbers compared by their direction alone: cosine similarity normalises
    # each sample's outputs and targets (over the last axis) to unit length.
    # For one output (per step) that leaves their signs, whose gradient is 0;
    # for several, no scale. Measured ad hoc on 300 series of
    # y = 50 + 10 x[-1] + x[0] (nb_filters=8, dilations (1, 2, 4), 20 epochs),
    # TCNRegressor scored test R² 0.025 with "cosine_similarity", 0.943 with "mse".
    "directions": frozenset({"cosinesimilarity"}),
    # Numbers in their own units, positive ones: these divide by the targets
    # (percentage error), take their logarithm (clipping negatives to zero) or
    # need counts (Poisson). The regressors and the forecaster train on
    # standardised targets, mean 0, half of them negative: measured ad hoc on
    # y = 50 + 10 x[0] + x[-1] (positive), TCNRegressor scored test R² 0.77
    # with "mse", -0.001 with "mape", -0.003 with "msle", and "poisson" diverged.
    "numbers in their own units": frozenset({
        "meanabsolutepercentageerror", "meansquaredlogarithmicerror", "poisson",
    }),
}


def keras_targets(item, get):
    """The kind of targets (a key of ``KERAS_TARGETS``) that the Keras loss or metric ``item`` compares outputs with.

    ``item``: a name, class, instance or function; ``get``: Keras'
    ``losses.get`` or ``metrics.get``. None for the user's own (which may take
    any targets) and for Keras' of no kind (``Mean``, ``Sum``).

    Examples
    --------
    >>> import keras
    >>> keras_targets("mse", keras.losses.get), keras_targets(keras.metrics.R2Score, keras.metrics.get)
    ('numbers', 'numbers')
    >>> keras_targets(keras.losses.Hinge(), keras.losses.get), keras_targets("acc", keras.metrics.get)
    ('one-hot', 'class indices')
    >>> keras_targets(keras.metrics.Accuracy(), keras.metrics.get)
    'predicted labels'
    >>> keras_targets(keras.metrics.MeanIoU(2, sparse_y_pred=False), keras.metrics.get)
    'class indices'
    """
    if isinstance(item, str) and item.lower() in ("acc", "accuracy"):
        # Keras' compile reads these names itself, as the accuracy for the
        # targets' shape; its getters give the class Accuracy for "accuracy".
        return "class indices"
    name = keras_name(item, get)
    if name in ("iou", "meaniou") and not inspect.isclass(item) and not getattr(item, "sparse_y_pred", True):
        # Configured to take the outputs' argmax (probabilities), not labels:
        # the targets it then takes are class indices unless sparse_y_true=False.
        return "class indices" if getattr(item, "sparse_y_true", True) else "one-hot"
    return next((kind for kind, names in KERAS_TARGETS.items() if name in names), None)


def check_loss_targets(loss, metrics, refused):
    """Raise ValueError for a Keras ``loss`` or ``metrics`` for targets an estimator does not train on.

    ``refused``: ``[(kinds of KERAS_TARGETS, what is wrong and what to do
    instead for a loss, the same for metrics), ...]``, the groups of kinds
    the estimator refuses, in the order their metrics are checked. The loss
    is checked first; the messages follow ``loss=...`` and ``metrics [...]``,
    which names together the metrics of one group.
    """
    kind = keras_targets(loss, keras.losses.get)
    for kinds, loss_why, _ in refused:
        if kind in kinds:
            raise ValueError(f"loss={loss!r} {loss_why}")
    metrics = flat_items(metrics)
    kinds_given = [keras_targets(metric, keras.metrics.get) for metric in metrics]
    for kinds, _, metrics_why in refused:
        wrong = [metric for metric, kind in zip(metrics, kinds_given) if kind in kinds]
        if wrong:
            raise ValueError(f"metrics {wrong!r} {metrics_why}")
