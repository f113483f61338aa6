"""Workarounds for what sktcn's dependencies lack or hide, in one place.

Each entry says what it works around and when it can go:

- scikeras 0.13 (its last release; its author points to ``keras.wrappers``)
  declares its tags through ``_more_tags``, which scikit-learn 1.6 replaced by
  ``__sklearn_tags__`` and now rejects: :func:`scikeras_sklearn_tags` is the
  translation scikeras would ship, applied when sktcn._base is imported, and steps aside once
  scikeras defines the method itself.
- Keras draws the seeds of unseeded layers from Python's process-wide
  ``random`` through a private module; :func:`keras_seed_module` finds it, so
  that sktcn._random can put a per-thread generator there:
  :func:`sktcn._random.seeded` gives its thread a private generator (and
  :func:`sktcn._random.python_random_kept` a copy of ``random`` while a model
  is loaded or unpickled).
- Neither Keras nor TensorFlow exports a way to read back the global seeds
  that ``keras.utils.set_random_seed`` and ``tf.random.set_seed`` set, nor
  where their streams stand: :func:`global_seed_state` reads them from Keras'
  global state and TensorFlow's eager context, and
  :func:`restore_global_seed_state` puts them back, so that a seeded fit leaves
  a user's seeds as it found them. ``keras.utils.set_random_seed`` seeds
  Python's and NumPy's process-wide generators with Keras' own, under every
  thread: :func:`set_keras_seed` sets Keras' global seed alone.
- Keras' TensorFlow trainer, without a distribution strategy, leaves the
  optimizer unbuilt until the first trace of its train step, which creates
  the optimizer's variables there; TensorFlow then traces the step a second
  time, to run it without creating variables. Tracing is most of a small
  fit's cost (a default TCNForecaster fit on airline: about half of its
  seconds), so :func:`build_optimizer` builds the optimizer before ``fit``.
  It can go once Keras builds the optimizer before tracing.
- Keras builds a compiled model's optimizer when it loads one, and warns when the
  file holds it unbuilt, as an ensemble's averaging model (whose optimizer never
  steps) had it: :func:`build_optimizer` is also called before a model is
  pickled or written (not with the model: fits would pay for variables only a
  file needs). It can go once Keras loads an unbuilt optimizer quietly.
- Keras' TensorFlow optimizer updates each weight tensor on its own, a dozen
  traced operations per tensor; :func:`flatten_adam_update` lets an ``Adam``
  update them all as one flat tensor (``sktcn._adam``), bit for bit the same.
  It reaches into Keras' private ``_backend_update_step`` and slot lists, and
  leaves Keras' update in place wherever those are missing. It can go once
  Keras updates a model's weights in one piece.
- scikeras 0.13 builds callbacks from routed ``callbacks__...`` parameters
  (``callbacks__0__patience=3``), but its ``set_params`` treats only its other
  routing prefixes as routed and hands ``callbacks__...`` to scikit-learn,
  which then calls ``set_params`` on the list of callbacks (AttributeError):
  :data:`ROUTING_PREFIXES` adds ``callbacks``. It can go once scikeras lists it.
- scikeras 0.13's ``set_params`` answers a name that is no parameter with
  advice to pass it to the constructor (``TCNRegressor(nb_filter=3)``),
  written for its migration from Keras' wrappers; sktcn's constructors refuse
  such names (TypeError): :func:`set_params` gives scikit-learn's message,
  which lists the valid parameters. It can go once scikeras' advice is gone.
- TensorFlow's default distribution strategy is a process-wide singleton
  whose ``__deepcopy__`` raises RuntimeError, so scikit-learn's ``clone``
  (which deep-copies every parameter) fails for
  ``distribution_strategy=tf.distribute.get_strategy()``:
  :func:`patch_default_strategy_copy` makes its deep copy the object itself,
  the one instance there may be. It can go once TensorFlow copies it so.
- Keras exports no way to tell whether an optimizer's learning rate is a
  settable variable or its own schedule (a ``LearningRateSchedule`` or a
  callable, whose rate Keras refuses to set): :func:`learning_rate_schedule`
  reads the private ``_learning_rate``. Keras' ``deserialize(serialize(...))``
  copy of an optimizer looks its class, and a schedule's, up in Keras'
  registry, which refuses unregistered subclasses: :func:`copy_optimizer`
  builds the copy from the instance's own class and shares its schedule.
  They can go once Keras exposes the schedule and copies optimizers itself.
- A Keras variable's ``__array__`` (and the TensorFlow variable's under it)
  takes no ``copy`` argument, so ``np.array(variable)``, which is how
  ``keras.ops.convert_to_numpy`` and Keras' ``ReduceLROnPlateau`` read an
  optimizer's learning rate, sets off NumPy 2's DeprecationWarning (an error
  under ``filterwarnings = error``, and once NumPy drops its fallback):
  :func:`learning_rate` reads the rate as ``float(rate)``, and
  :func:`keras_array_copy_warning_ignored` hides that one warning from
  Keras' own code while a fit runs (the regime's ``ReduceLROnPlateau``) and
  while Keras saves a network (its weights). Both can go once Keras'
  variables take ``copy``.
- TensorFlow's frequent-retracing detector keys on a function's ``__code__``,
  and every Keras model's train function is the same closure of Keras'
  trainer. Each sktcn fit builds a new model, traced once, so a grid search's
  or a loop's small fits (a step or two per trace) read as retracing and
  TensorFlow logs a warning whose advice does not apply:
  :func:`quiet_fit_retracing` drops that one message while sktcn's own Keras
  fit runs, in its thread. It can go once TensorFlow keys its detector on
  the function object.
- TensorFlow's runtime does not survive ``fork``: in a child forked after the
  parent ran a TensorFlow operation, a fit or a prediction hangs for good.
  TensorFlow neither says so nor tells whether it has started:
  :func:`tensorflow_started` reads it from its eager context, so that
  ``sktcn._distribute`` can refuse to run in such a child. It can go once
  TensorFlow raises there itself.
- Keras exports no list of the names its getters (``keras.losses.get``, ...)
  resolve: its aliases (``"mse"``, ``"mae"``) appear only in the private
  module behind each public one. :func:`keras_identifiers` reads them there,
  so that a misspelt name (``loss="msee"``) is told the alias it missed. It
  can go once Keras lists them.
- keras-tcn creates its ``Conv1D`` layers inside ``TCN.build`` without a
  ``data_format``, so they follow Keras' process-wide ``image_data_format``:
  under ``"channels_first"`` (image work) they would read the time steps as
  channels. Setting that global for the build would change it for every other
  thread meanwhile: :func:`channels_last_convolutions` instead makes the
  ``Conv1D`` name keras-tcn's module creates them by give ``"channels_last"``
  convolutions, while an sktcn network builds. It can go once keras-tcn gives
  its convolutions a ``data_format``.
- ``keras.config.enable_unsafe_deserialization()``, which users call to load
  their own Lambda layers, sets a per-thread flag that overrides the
  ``safe_mode=True`` passed to ``keras.saving.load_model``: safe mode would be
  off for ``sktcn.load`` too. :func:`keras_safe_mode` sets the flag to safe
  for the block, through Keras' private ``SafeModeScope``. It can go once the
  argument overrides the flag.
- Under ``keras.config.set_floatx("bfloat16")`` Keras' ``History`` records
  each epoch's logs as scalar bfloat16 tensors rather than floats, which
  NumPy cannot read (``np.isfinite`` raises "object __array__ method not
  producing an array") and which ``history_`` would then hold:
  :func:`plain_history` makes them floats. It can go once Keras logs floats
  under every ``floatx``.
- scikeras 0.13 makes every Keras loss, metric and optimizer pickle, and so
  deep-copy, through its config (it sets their classes' ``__reduce__`` when
  imported), and Keras' own ``__reduce__`` copies through the config too.
  Several of Keras' losses leave arguments out of their config (``Huber``'s
  ``delta``, the ``axis`` of ``CosineSimilarity`` and of
  ``SparseCategoricalCrossentropy``), so ``clone``, a grid search over loss
  instances and a pickle silently trained ``delta=1.0``; scikeras' copy of an
  optimizer looks its class up in Keras' registry, which turned a ``Lamb``
  into the string ``"Lamb"``. :func:`patch_keras_copies` makes Keras' own
  losses pickle and copy by their attributes, and optimizers by their own
  class and config. It can go once Keras' losses keep their
  arguments in their config (keras-team/keras#23286, after 3.15.1) and
  scikeras no longer replaces ``__reduce__``.
"""

import contextlib
import copyreg
import functools
import inspect
import io
import logging
import random
import threading
import warnings

import keras
import numpy as np
import tensorflow as tf
from keras.src.backend.common import global_state as keras_global_state
from keras.src.random.seed_generator import GLOBAL_SEED_GENERATOR
from keras.src.saving.serialization_lib import SafeModeScope
from scikeras.wrappers import BaseWrapper
from tensorflow.python.distribute import distribute_lib as tensorflow_distribute_lib
from tensorflow.python.eager import context as tensorflow_context

from sktcn._adam import adam_update


# Serialises channels_last_convolutions across threads: the name it replaces is
# one per process, and two builds that overlapped would each restore what the
# other had set.
_CONV1D_LOCK = threading.RLock()


@contextlib.contextmanager
def channels_last_convolutions(module):
    """Within the block, ``module.Conv1D`` (keras-tcn's ``tcn.tcn``) makes ``"channels_last"`` ``keras.layers.Conv1D``.

    keras-tcn creates its convolutions by that module-level name, without a
    ``data_format``, so they would take Keras' global ``image_data_format``;
    keras-tcn only supports ``"channels_last"``. Within the block they get it
    explicitly: the very same class, which saves the very same config (a
    layer stores its resolved ``data_format`` either way), so files and
    predictions are unchanged. Keras' global setting is never touched, and the
    Keras layers that other threads create meanwhile follow it as ever.
    The name is module-wide, though: a keras-tcn ``TCN`` that another thread
    builds meanwhile gets ``"channels_last"`` convolutions too, the only layout
    keras-tcn supports. The name is put back when the block ends, also when
    it fails; the lock keeps overlapping builds from restoring each other's.
    """
    with _CONV1D_LOCK:
        previous = module.Conv1D
        module.Conv1D = functools.partial(keras.layers.Conv1D, data_format="channels_last")
        try:
            yield
        finally:
            module.Conv1D = previous


def scikeras_sklearn_tags(self):
    """scikit-learn >= 1.6 tags for scikeras' BaseWrapper, from its old-style ``_tags``."""
    tags = super(BaseWrapper, self).__sklearn_tags__()
    tags.target_tags.multi_output = bool(self._tags.get("multioutput", False))
    return tags


def patch_scikeras_tags():
    """Give scikeras' BaseWrapper ``__sklearn_tags__`` unless it has its own (called once, by sktcn._base)."""
    if "__sklearn_tags__" not in vars(BaseWrapper):
        BaseWrapper.__sklearn_tags__ = scikeras_sklearn_tags


# scikeras' routing prefixes plus ``callbacks``, which its callback building reads but its set_params misses.
ROUTING_PREFIXES = frozenset(BaseWrapper._routing_prefixes | {"callbacks"})


def set_params(estimator, params):
    """scikeras' ``set_params`` on ``estimator``, with scikit-learn's ValueError for a name that is no parameter."""
    prefixes = tuple(prefix + "__" for prefix in estimator._routing_prefixes)
    valid = estimator.get_params(deep=True)
    for name in params:
        if not name.startswith(prefixes) and name.partition("__")[0] not in valid:
            # scikit-learn's own message (scikeras' _get_param_names is a generator, which it would print).
            raise ValueError(f"Invalid parameter {name.partition('__')[0]!r} for estimator {estimator}. "
                             f"Valid parameters are: {sorted(estimator._get_param_names())!r}.")
    return BaseWrapper.set_params(estimator, **params)


def _same_strategy(strategy, memo):
    return strategy


def patch_default_strategy_copy():
    """Make a deep copy of TensorFlow's default strategy the strategy itself (called once, by sktcn._base)."""
    # The class, not type(tf.distribute.get_strategy()): sktcn may be imported inside another strategy's scope.
    default = getattr(tensorflow_distribute_lib, "_DefaultDistributionStrategy", None)
    if default is not None and vars(default).get("__deepcopy__") is not _same_strategy:
        default.__deepcopy__ = _same_strategy


def _reduce_by_attributes(loss):
    # What pickle does for a plain object: rebuild the class, then set its attributes.
    return copyreg.__newobj__, (type(loss),), dict(vars(loss))


def _copy_optimizer(optimizer, memo):
    return copy_optimizer(optimizer)


def _reduce_optimizer(optimizer):
    return optimizer_from_parts, optimizer_parts(optimizer)


def keras_loss_wrapper():
    """The base class of Keras' own losses (``LossFunctionWrapper``), or None where Keras has none."""
    return next((cls for cls in keras.losses.Huber.__mro__ if cls.__name__ == "LossFunctionWrapper"), None)


def keras_own_loss(value):
    """Whether ``value`` is an instance of one of Keras' own losses (see :func:`patch_keras_copies`)."""
    wrapper = keras_loss_wrapper()
    return wrapper is not None and isinstance(value, wrapper)


def restore_loss_arguments(model, loss):
    """Give ``model``'s compiled loss the attributes of ``loss``, the loss it was compiled with (None: nothing).

    A Keras file keeps a compiled loss's config only, which drops ``Huber``'s
    ``delta``: a model read back from one (pickled, deep-copied) trained on
    with ``delta=1.0``. The loss object is changed in place, so the model's
    compiled loss, which holds the same object, changes with it.
    """
    if loss is not None and type(getattr(model, "loss", None)) is type(loss):
        vars(model.loss).update(vars(loss))


def patch_keras_copies():
    """Make Keras' own losses pickle and copy every argument, and optimizers pickle and copy as themselves.

    Called once, by sktcn._base, after scikeras is imported (whose import sets
    the config-based ``__reduce__`` this overrides). A loss is rebuilt from
    its class and attributes, as pickle rebuilds a plain object; an optimizer
    from its own class and config (:func:`optimizer_parts`), unbuilt, as
    scikeras' copy was, and a deep copy shares its learning-rate schedule
    (:func:`copy_optimizer`).

    Examples
    --------
    >>> import copy, pickle
    >>> import keras
    >>> from sktcn._compat import patch_keras_copies
    >>> patch_keras_copies()
    >>> huber = pickle.loads(pickle.dumps(keras.losses.Huber(delta=0.1)))
    >>> round(float(huber(keras.ops.zeros(2), keras.ops.ones(2))), 3)  # 0.5 with Keras' default delta=1.0
    0.095
    >>> type(copy.deepcopy(keras.optimizers.Lamb())).__name__
    'Lamb'
    """
    wrapper = keras_loss_wrapper()
    if wrapper is not None and vars(wrapper).get("__reduce__") is not _reduce_by_attributes:
        wrapper.__reduce__ = _reduce_by_attributes
    optimizer = keras.optimizers.Optimizer
    if vars(optimizer).get("__reduce__") is not _reduce_optimizer:
        optimizer.__reduce__ = _reduce_optimizer
        optimizer.__deepcopy__ = _copy_optimizer


def keras_identifiers(module):
    """The names ``module.get`` resolves (``module``: ``keras.losses``, ``keras.optimizers``, ...), aliases included.

    Read from the ``ALL_OBJECTS_DICT`` of Keras' private module that defines
    ``get``; empty where Keras has none. A name here may still fail to make an
    object (``"optimizer"``, the abstract base class).
    """
    return tuple(getattr(inspect.getmodule(module.get), "ALL_OBJECTS_DICT", None) or ())


def keras_seed_module():
    """Keras' module that draws default seeds from ``random``, if it still does."""
    try:
        from keras.src.random import seed_generator
    except ImportError:  # pragma: no cover - a Keras without the private module
        return None
    return seed_generator if getattr(seed_generator, "python_random", None) is random else None


def global_seed_state():
    """What seeds Keras' and TensorFlow's unseeded draws now: restore it with :func:`restore_global_seed_state`.

    Keras: the seed ``keras.utils.set_random_seed`` stored and the generator
    ``keras.random`` draws from (per thread, as Keras keeps them). TensorFlow:
    the global seed and the state of the generator that hands out its ops'
    seeds (its eager context's, for the whole process).
    """
    keras_state = (keras_global_state.get_global_attribute("global_random_seed"),
                   keras_global_state.get_global_attribute(GLOBAL_SEED_GENERATOR))
    op_seeds = getattr(tensorflow_context.context(), "_rng", None)
    tensorflow_state = (tensorflow_context.global_seed(), None if op_seeds is None else op_seeds.getstate())
    return keras_state, tensorflow_state


def tensorflow_started():
    """Whether TensorFlow has started its runtime in this process (run an operation), read from its eager context."""
    context = tensorflow_context.context_safe()  # None until something asks for the context
    return context is not None and getattr(context, "_context_handle", None) is not None


def set_keras_seed(seed):
    """What ``keras.utils.set_random_seed(seed)`` does to Keras' own state: its global seed, and its generator reset.

    Keras' function also seeds Python's and NumPy's global generators, which
    other threads draw from (see :func:`sktcn._random.seeded`).
    """
    keras_global_state.set_global_attribute("global_random_seed", seed)
    # Made anew from the seed on its next use, as after keras.utils.set_random_seed.
    keras_global_state.set_global_attribute(GLOBAL_SEED_GENERATOR, None)


def restore_global_seed_state(state):
    """Put back what :func:`global_seed_state` read (TensorFlow's kernel cache of seeded ops starts anew)."""
    (keras_seed, keras_generator), (tensorflow_seed, op_seeds) = state
    keras_global_state.set_global_attribute("global_random_seed", keras_seed)
    keras_global_state.set_global_attribute(GLOBAL_SEED_GENERATOR, keras_generator)
    tf.random.set_seed(tensorflow_seed)
    eager = tensorflow_context.context()
    if tensorflow_seed is not None and op_seeds is not None and getattr(eager, "_rng", None) is not None:
        eager._rng.setstate(op_seeds)


def learning_rate_schedule(optimizer):
    """The schedule ``optimizer`` computes its learning rate with, or None where the rate is a settable variable.

    A ``keras.optimizers.schedules.LearningRateSchedule`` or a callable; a
    ``LossScaleOptimizer``'s is that of the optimizer it wraps.
    """
    inner = getattr(optimizer, "inner_optimizer", optimizer)
    rate = getattr(inner, "_learning_rate", None)
    return None if rate is None or isinstance(rate, keras.Variable) else rate


def learning_rate(optimizer):
    """``optimizer``'s current learning rate, a float read without ``np.array`` on its variable.

    The float32 value ``np.array`` would give, bit for bit, through a tensor:
    ``float`` of the variable itself fails under a distribution strategy (a
    ``MirroredVariable``). A schedule's rate (a tensor or a float) converts the same.
    """
    return float(tf.convert_to_tensor(optimizer.learning_rate))


@contextlib.contextmanager
def keras_array_copy_warning_ignored():
    """Within the block, NumPy 2's ``__array__`` copy DeprecationWarning is ignored where Keras' code raises it.

    Only Keras' (``module``): the user's callbacks keep theirs. Without it a
    default fit warned once per epoch, and every save once per weight, which
    fails under ``filterwarnings = error``.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="__array__ implementation doesn't accept a copy keyword",
                                category=DeprecationWarning, module=r"keras\.")
        yield


def copy_optimizer(optimizer):
    """A new, unbuilt optimizer configured as ``optimizer``, of its own class (registered with Keras or not).

    Its learning-rate schedule, if any, is the same object: a schedule is a
    function of the step, holding no state of its own.
    """
    return optimizer_from_parts(*optimizer_parts(optimizer))


def optimizer_parts(optimizer):
    """``(class, config)`` of ``optimizer``, from which :func:`optimizer_from_parts` builds a new one."""
    config = optimizer.get_config()
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        # Its config holds the inner optimizer serialised, which only a registered class survives.
        config["inner_optimizer"] = copy_optimizer(optimizer.inner_optimizer)
        return type(optimizer), config
    schedule = learning_rate_schedule(optimizer)
    if schedule is not None and "learning_rate" in config:
        config["learning_rate"] = schedule
    return type(optimizer), config


def optimizer_from_parts(cls, config):
    """A new, unbuilt optimizer of class ``cls`` from its ``config`` (see :func:`optimizer_parts`)."""
    if issubclass(cls, keras.optimizers.LossScaleOptimizer):
        return cls(**config)
    return cls.from_config(config)


def build_optimizer(model):
    """Create ``model``'s optimizer variables now, in the model's distribution scope, if Keras has not.

    Slots start at zero and the step counter at 0 either way, so training is
    unchanged; only the second trace of the train step is saved. Before a model
    is pickled or saved it makes the file hold a built optimizer, which Keras
    loads without warning.
    """
    optimizer = model.optimizer
    if optimizer is not None and not optimizer.built and model.built:
        with model.distribute_strategy.scope():
            optimizer.build(model.trainable_variables)


# What the flat update reads of a built Keras Adam besides its public hyperparameters.
_ADAM_INTERNALS = ("_momentums", "_velocities", "_get_variable_index", "iterations")


def flatten_adam_update(optimizer):
    """Make a Keras ``Adam`` (not a subclass, nor AMSGrad) update all its weights as one flat tensor.

    Installed on the instance, so that other Keras code in the process keeps
    Keras' update; idempotent. Under a distribution strategy, and for sparse
    gradients or weights of mixed dtypes, the step falls back on Keras' own.
    """
    if type(optimizer) is not keras.optimizers.Adam or optimizer.amsgrad:
        return
    if "_backend_update_step" in vars(optimizer) or not hasattr(type(optimizer), "_backend_update_step"):
        return
    keras_update = optimizer._backend_update_step

    def update(grads, trainable_variables, learning_rate):
        tensors = [getattr(variable, "value", variable) for variable in trainable_variables]
        if (tf.distribute.has_strategy() or not all(hasattr(optimizer, name) for name in _ADAM_INTERNALS)
                or not _flat_updatable(grads, tensors)):
            return keras_update(grads, trainable_variables, learning_rate)
        return _flat_adam_step(optimizer, grads, trainable_variables, tensors, learning_rate)

    optimizer._backend_update_step = update


def _flat_adam_step(optimizer, grads, trainable_variables, tensors, learning_rate):
    """Keras' Adam step for every weight at once (sktcn._adam), written back into the weights and slots."""
    slots = [optimizer._get_variable_index(variable) for variable in trainable_variables]
    m_slots = [optimizer._momentums[slot] for slot in slots]
    v_slots = [optimizer._velocities[slot] for slot in slots]
    dtype = tensors[0].dtype
    m, v, delta = adam_update(
        _flat(grads, dtype), _flat([slot.value for slot in m_slots], dtype),
        _flat([slot.value for slot in v_slots], dtype), learning_rate=learning_rate,
        beta_1=optimizer.beta_1, beta_2=optimizer.beta_2, epsilon=optimizer.epsilon,
        step=optimizer.iterations + 1,
    )
    sizes = [int(np.prod(tensor.shape)) for tensor in tensors]
    parts = zip(tensors, m_slots, v_slots, tf.split(m, sizes), tf.split(v, sizes), tf.split(delta, sizes))
    for tensor, m_slot, v_slot, m_part, v_part, delta_part in parts:
        m_slot.value.assign(tf.reshape(m_part, tensor.shape))
        v_slot.value.assign(tf.reshape(v_part, tensor.shape))
        tensor.assign_sub(tf.reshape(delta_part, tensor.shape))


def _flat_updatable(grads, tensors):
    """Whether the weights can be updated as one flat tensor: dense gradients, one dtype, known shapes."""
    return (
        len(tensors) > 0
        and all(isinstance(grad, tf.Tensor) for grad in grads)
        and len({tensor.dtype for tensor in tensors}) == 1
        and all(tensor.shape.is_fully_defined() for tensor in tensors)
    )


def _flat(parts, dtype):
    return tf.concat([tf.reshape(tf.cast(part, dtype), [-1]) for part in parts], axis=0)


def flat_items(items):
    """The items (losses, metrics, callbacks) of a parameter that may hold one, a list or a dict of them (nested)."""
    if isinstance(items, (list, tuple)):
        return [item for nested in items for item in flat_items(nested)]
    if isinstance(items, dict):
        return flat_items(list(items.values()))
    return [] if items is None else [items]


def each_callback(callbacks):
    """Every ``keras.callbacks.Callback`` that ``callbacks`` holds, in any form scikeras and Keras take.

    A callback; a list or tuple of them or of lists of them (scikeras' "lists
    of callbacks", which Keras flattens); a ``keras.callbacks.CallbackList``,
    yielded with the callbacks it holds (it hands them its model too); or
    None, which holds none.
    """
    for item in flat_items(callbacks):
        if isinstance(item, keras.callbacks.Callback):
            yield item
            if isinstance(item, keras.callbacks.CallbackList):
                yield from each_callback(item.callbacks)


def keras_safe_mode():
    """A context in which Keras deserializes in safe mode, whatever ``enable_unsafe_deserialization`` set.

    Examples
    --------
    >>> from keras.src.saving.serialization_lib import in_safe_mode
    >>> from sktcn._compat import keras_safe_mode
    >>> with keras_safe_mode():
    ...     in_safe_mode()
    True
    """
    return SafeModeScope(True)


def plain_history(history):
    """Keras' ``history.history`` (a dict of lists), with every value a Python float (see the module docstring).

    Examples
    --------
    >>> import tensorflow as tf
    >>> from sktcn._compat import plain_history
    >>> plain_history({"loss": [tf.constant(0.5, tf.bfloat16), 0.25]})
    {'loss': [0.5, 0.25]}
    """
    return {key: [float(value) for value in values] for key, values in history.items()}


def drop_closed_files(callbacks):
    """Drop the closed files Keras' callbacks keep after training, which no copy or pickle can take.

    Keras' ``CSVLogger`` closes its file when training ends but keeps it
    (``csv_file``); the callback is one of the estimator's parameters, so a
    fitted estimator could no longer be cloned, deep-copied or pickled. The
    callback opens its file anew when training begins, so the closed one is
    not needed. ``callbacks``: in any form :func:`each_callback` reads.
    """
    for callback in each_callback(callbacks):
        for name, value in list(vars(callback).items()):
            if isinstance(value, io.IOBase) and value.closed:
                setattr(callback, name, None)


def detach_models(callbacks):
    """Take back from Keras' callbacks the model their fit gave them, which they keep after it.

    Keras gives each callback of a fit the model it trains (``set_model``) and
    never takes it back. The callbacks are the estimator's parameters (a
    forecaster's too), which scikit-learn's ``clone``, ``copy.deepcopy`` and
    pickle copy: an ensemble's joint training model, which Keras cannot
    rebuild, made them fail (sktime's ``evaluate`` then scored NaN), and one
    network was copied a second time into each copy. The next fit gives the
    callbacks their model again. Keras has no public way to unset it, and
    ``set_model(None)`` would run what callbacks such as ``TensorBoard`` do
    there for a model: the attribute it sets is cleared instead.
    ``callbacks``: in any form :func:`each_callback` reads (a
    ``CallbackList``'s own callbacks hold the model as well).
    """
    for callback in each_callback(callbacks):
        callback._model = None


class _FitRetracingFilter(logging.Filter):
    """Drops TensorFlow's "triggered tf.function retracing" warning logged by one thread (see the module)."""

    def __init__(self):
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record):
        # Filters run in the thread that logs: other threads' records pass.
        # Only the warning about Keras' own train function: the user's functions
        # (a callback's) retracing during the fit deserve theirs.
        message = record.getMessage()
        return (threading.get_ident() != self.thread or "triggered tf.function retracing" not in message
                or "TensorFlowTrainer._make_function" not in message)


@contextlib.contextmanager
def quiet_fit_retracing():
    """Within the block, TensorFlow's retracing warning is dropped in this thread; other messages pass.

    The filter is on TensorFlow's logger (``tf.get_logger()``), through which
    TensorFlow logs the warning, and is removed when the block ends.
    """
    logger = tf.get_logger()
    quiet = _FitRetracingFilter()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)
