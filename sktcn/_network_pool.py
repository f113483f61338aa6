"""Training networks kept between fits, so that a process traces each architecture once.

Keras builds a network and traces its train step anew for every fit. On the
small networks that forecasters train, that set-up costs more than the
training: a default ``TCNForecaster`` fit on airline spent about 1 s of its
2.5 s building and tracing its ensemble's training model
(``benchmarks/RESULTS.md``). Backtests (sktime's ``evaluate``), searches
(``GridSearchCV``) and cross-validation fit clones of one estimator again and
again, each paying it.

The networks pooled here are the ones no user ever holds: an ensemble's
training model (the fused network that ``sktcn._ensemble.load_members`` fills
and ``store_members`` empties at every fit) and the forecaster's calibration
network (scored, then discarded, inside its fit). A fit takes an idle
:class:`~sktcn._network_reuse.ReusedNetwork` of its key, which restores the
state the network was built with (weights, optimizer, seed states), so the fit
computes exactly what it would on a newly built network; it gives the network
back when it is done with it. An ensemble keeps its training model for warm
starts as long as the estimator lives: :meth:`NetworkPool.lend` gives it back
only when the estimator lets go of the :class:`Lease`.

Only estimators whose parameters make equal networks share a key
(:func:`pool_key`, made of their values, never of an object's identity); at
most ``max_idle`` networks wait in the pool, the least recently given back
leaving first.
"""

import inspect
import numbers
import threading
import weakref

import keras
import numpy as np
import tensorflow as tf

from sktcn import _compat
from sktcn._network_reuse import ReusedNetwork

# Idle networks the process keeps. A default TCNForecaster's training model,
# its Adam state and their built copy take about 20 MB; a search over a few
# architectures finds each of its own waiting.
MAX_IDLE = 4

# Parameters that change how a network is trained or used, never what Keras
# builds and traces. random_state only decides the weights, which each fit
# loads anew; it enters the key where dropout makes it decide seed states too.
_UNBUILT_PARAMS = frozenset({
    "callbacks", "early_stopping", "epochs", "patience", "random_state", "shuffle",
    "validation_split", "verbose", "warm_start",
})


class NetworkPool:
    """Idle :class:`~sktcn._network_reuse.ReusedNetwork` instances by key, shared by a process's fits.

    Thread-safe: a network is taken by one fit at a time.

    Examples
    --------
    >>> from sktcn._network_pool import NetworkPool
    >>> pool = NetworkPool(max_idle=1)
    >>> first = pool.take("a")
    >>> first.model = "a network"  # what a fit's model_for would build
    >>> pool.give("a", first)
    >>> pool.take("a") is first, pool.take("a") is first
    (True, False)
    """

    def __init__(self, max_idle=MAX_IDLE):
        self.max_idle = max_idle
        self._idle = []  # (key, ReusedNetwork), the most recently given back last
        # Reentrant: a lease collected by the garbage collector while this
        # thread holds the lock gives its network back from inside take or give.
        # Each of them changes the list in one step, so a nested one is safe.
        self._lock = threading.RLock()

    def take(self, key):
        """An idle network of ``key`` (the one given back last), or a new, empty one (always for key None)."""
        if key is None:
            return ReusedNetwork()
        with self._lock:
            for position in range(len(self._idle) - 1, -1, -1):
                if self._idle[position][0] == key:
                    return self._idle.pop(position)[1]
        return ReusedNetwork()

    def give(self, key, network):
        """Return ``network`` to the pool; an empty one, one of key None, or one beyond ``max_idle`` is dropped."""
        if key is None or network.model is None or self.max_idle < 1:
            return
        with self._lock:
            self._idle.append((key, network))
            del self._idle[:-self.max_idle]

    def lend(self, key):
        """A :class:`Lease` of a network of ``key``: given back once the lease is no longer referenced."""
        network = self.take(key)
        lease = Lease(network)
        finalizer = weakref.finalize(lease, self.give, key, network)
        finalizer.atexit = False  # nothing to give back to at shutdown
        return lease

    def clear(self):
        """Drop every idle network."""
        with self._lock:
            self._idle.clear()

    def __len__(self):
        with self._lock:
            return len(self._idle)


class Lease:
    """A pooled network an estimator keeps while it lives (see :meth:`NetworkPool.lend`)."""

    def __init__(self, network):
        self.network = network


# The process's pool.
POOL = NetworkPool()


def pool_key(estimator, purpose, inputs, trains_built_weights=False, draws_noise=False):
    """The key under which ``estimator``'s ``purpose`` network is pooled, or None where it may not be.

    ``inputs`` names what the build depends on besides the parameters (the
    estimators' channels, series length, output shape and input statistics).
    Parameters enter through their values (see :func:`_value_key`): an
    optimizer instance through its class and config, Keras' own initializers,
    losses and schedules through their class and attributes. A parameter that
    has no value to compare, only an identity (a function or an object of the
    user's), makes the key None, which pools nothing rather than something
    wrong: once an object is freed, a new one that may compute differently can
    take its address. So does a distribution strategy, the parameter's or one
    entered with ``strategy.scope()``: no network crosses between strategies.

    ``trains_built_weights``: whether a fit trains the weights the network was
    built with (the forecaster's calibration network), so that the seed that
    drew them belongs to the key; an ensemble's training model has its
    members' weights loaded into it before every fit. ``draws_noise``: whether
    the network draws input noise in training (``input_noise``), from a seed
    state made with it, as dropout does: the seed belongs to the key too.

    Examples
    --------
    >>> from sktcn import TCNRegressor
    >>> from sktcn._network_pool import pool_key
    >>> a = pool_key(TCNRegressor(random_state=0, epochs=3), "trainer", (1, 20))
    >>> a == pool_key(TCNRegressor(random_state=1, epochs=9), "trainer", (1, 20))
    True
    >>> a == pool_key(TCNRegressor(kernel_size=2), "trainer", (1, 20))
    False
    >>> pool_key(TCNRegressor(dropout_rate=0.1), "trainer", (1, 20)) is None  # unseeded dropout
    True
    >>> import keras
    >>> sgd = pool_key(TCNRegressor(optimizer=keras.optimizers.SGD(momentum=0.9)), "trainer", (1, 20))
    >>> sgd == pool_key(TCNRegressor(optimizer=keras.optimizers.SGD(momentum=0.9)), "trainer", (1, 20))
    True
    >>> sgd == pool_key(TCNRegressor(optimizer=keras.optimizers.SGD(momentum=0.5)), "trainer", (1, 20))
    False
    >>> pool_key(TCNRegressor(activation=lambda x: x), "trainer", (1, 20)) is None
    True
    """
    params = estimator.get_params(deep=False)
    # A network built under a strategy holds its variables (mirrored ones,
    # placed on its devices); one built without may not train under one.
    # The strategy a fit uses is its parameter's, or the one the user entered
    # (``with strategy.scope():``), which has no value to key on.
    if params.get("distribution_strategy") is not None or tf.distribute.has_strategy():
        return None
    seed = None
    # A fit's dropout and input noise draw from seed states made with the
    # network, which its random_state decides, as it decides built weights;
    # unseeded, a pooled network would repeat the draws of the fit that built it.
    if trains_built_weights or draws_noise or params.get("dropout_rate"):
        seed = params.get("random_state")
        if not isinstance(seed, numbers.Integral):
            return None
        seed = int(seed)
    built = []
    for name, value in sorted(params.items()):
        if name not in _UNBUILT_PARAMS:
            value = _value_key(value)
            if value is None:
                return None
            built.append((name, value))
    # Keras' global settings decide the dtypes of what it builds.
    settings = (keras.config.floatx(), keras.config.dtype_policy().name)
    return (type(estimator), purpose, tuple(built), seed, settings, inputs)


# Keras' own objects that a parameter may be (or hold), keyed by class and attributes.
_KERAS_KINDS = (keras.optimizers.schedules.LearningRateSchedule, keras.initializers.Initializer, keras.losses.Loss,
                keras.metrics.Metric, keras.dtype_policies.DTypePolicy)


def _keras_own(kind):
    """Whether the class or function ``kind`` is Keras' (or TensorFlow's) own, not the user's."""
    return (getattr(kind, "__module__", None) or "").partition(".")[0] in ("keras", "tensorflow")


def same_parameter_value(first, second):
    """Whether two values of a parameter build and train equal networks: their keys (:func:`_value_key`) match.

    Values without a key (a user's function or object) are the same only
    where they are the same object.

    Examples
    --------
    >>> from sktcn._network_pool import same_parameter_value
    >>> same_parameter_value((1, 2, 4), (1, 2, 4)), same_parameter_value("adam", "sgd")
    (True, False)
    """
    first_key, second_key = _value_key(first), _value_key(second)
    if first_key is None or second_key is None:
        return first is second
    return first_key == second_key


def _value_key(value):
    """What the parameter ``value`` enters a pool key as; None where it has no value-based one.

    Two values' keys are equal only where the values build and train equal
    networks:

    * numbers (NumPy's included), strings and None: their ``repr``;
    * lists, tuples and dicts: their type and their items' keys; arrays: their
      dtype, shape and bytes;
    * a class, or a function of Keras or TensorFlow (``keras.activations.relu``):
      the object itself, which lives as long as its module;
    * an optimizer: its class and config (its name left out, which Keras numbers:
      "sgd", "sgd_1"), as every network gets a copy made from them
      (``sktcn._compat.copy_optimizer``), with its learning-rate schedule, the
      one object the copy shares;
    * a schedule, initializer, loss or metric of Keras' own classes: its class
      and attributes (not its config, which may leave some out, as ``Huber``'s
      ``delta``; an unseeded initializer's seed, drawn when it was made, too).

    Anything else has only an identity, which a new object takes once the
    first is freed: a function or an object of the user's (which may be
    redefined, or compute with what its config leaves out), a metric that
    holds its variables. Its key is None.

    Examples
    --------
    >>> import keras
    >>> from sktcn._network_pool import _value_key
    >>> _value_key([1, 2, 4]) == _value_key([1, 2, 4]), _value_key([1, 2, 4]) == _value_key((1, 2, 4))
    (True, False)
    >>> _value_key(keras.losses.Huber(2.0)) == _value_key(keras.losses.Huber(1.0))
    False
    >>> _value_key(object()) is None
    True
    """
    if value is None or isinstance(value, (str, bytes, numbers.Number, np.generic)):
        # A value's repr is the value, unless its class left object's in place.
        return repr(value) if type(value).__repr__ is not object.__repr__ else None
    if isinstance(value, (list, tuple)):
        items = [_value_key(item) for item in value]
        return None if None in items else (type(value), tuple(items))
    if isinstance(value, dict):
        items = [(_value_key(name), _value_key(item)) for name, item in value.items()]
        return None if any(None in pair for pair in items) else (type(value), tuple(items))
    if isinstance(value, np.ndarray):
        return (np.ndarray, value.dtype.str, value.shape, value.tobytes()) if value.dtype.kind in "biufcSU" else None
    if isinstance(value, type) or (
        (inspect.isfunction(value) or inspect.isbuiltin(value)) and _keras_own(value) and "<" not in value.__qualname__
    ):
        # Compared by identity, but held by the key: no other object can take its address.
        return ("object", value)
    if isinstance(value, keras.optimizers.Optimizer):
        try:
            config = value.get_config()
        except NotImplementedError:
            return None
        # As _compat.copy_optimizer makes the copy.
        state = {name: item for name, item in config.items() if name != "name"}
        if isinstance(value, keras.optimizers.LossScaleOptimizer):
            state["inner_optimizer"] = value.inner_optimizer
        elif _compat.learning_rate_schedule(value) is not None and "learning_rate" in state:
            state["learning_rate"] = _compat.learning_rate_schedule(value)
    elif isinstance(value, _KERAS_KINDS) and _keras_own(type(value)):
        state = vars(value)
    else:
        return None
    state = _value_key(state)
    return None if state is None else (type(value), state)
