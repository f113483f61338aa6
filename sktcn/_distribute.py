"""Where and how the network trains: distribution strategies, mixed precision, threads, processes.

The estimators store ``distribution_strategy`` and ``mixed_precision`` verbatim;
this module turns them into TensorFlow objects at fit time, reads the
``SKTCN_TF_THREADS`` environment variable once, when sktcn is imported, and
refuses to fit or predict in a process forked after TensorFlow started.
"""

import contextlib
import functools
import os
import threading
import warnings

import keras
import tensorflow as tf

from sktcn import _compat

__all__ = [
    "resolve_strategy",
    "strategy_scope",
    "picklable_strategy",
    "apply_thread_setting",
    "check_not_forked_after_tensorflow",
    "releasing_all_reduce_gradients",
    "splits_batches_itself",
    "replica_batches",
]

STRATEGY_NAMES = ("default", "mirrored", "auto")

# Layers of the TCN compute in float16 and keep float32 weights; the output
# head stays float32 so losses and probabilities are computed in full precision.
MIXED_POLICY = "mixed_float16"
# Keras' mixed dtype policies: float32 variables, computation in half precision.
MIXED_POLICIES = ("mixed_float16", "mixed_bfloat16")


def resolve_strategy(spec):
    """The ``tf.distribute.Strategy`` that ``distribution_strategy=spec`` asks for.

    ``None`` and ``"default"`` give TensorFlow's default strategy: one device,
    the first GPU when there is one, else the CPU. ``"mirrored"`` replicates the
    model on every visible GPU (the CPU when there is none) and splits each
    batch between them. ``"auto"`` picks ``"mirrored"`` when more than one GPU
    is visible and the default otherwise. A Strategy object is used as given.
    """
    if isinstance(spec, tf.distribute.Strategy):
        return spec
    if spec is None or spec == "default":
        return tf.distribute.get_strategy()
    if spec == "auto":
        if len(tf.config.list_logical_devices("GPU")) > 1:
            return _mirrored_strategy()
        return tf.distribute.get_strategy()
    if spec == "mirrored":
        return _mirrored_strategy()
    raise ValueError(
        f"distribution_strategy={spec!r} is not understood; give None, one of {STRATEGY_NAMES} "
        "or a tf.distribute.Strategy object."
    )


@functools.cache
def _mirrored_strategy():
    """The process's one ``MirroredStrategy`` over the visible devices.

    One object, not one per call: a fit builds its networks and its training
    model's optimizer in separate scopes, and variables made under one
    strategy cannot be used under another.
    """
    return tf.distribute.MirroredStrategy()


@contextlib.contextmanager
def strategy_scope(strategy):
    """``strategy.scope()``, or nothing when ``strategy`` is the default one.

    Entering the default strategy's scope is harmless, but skipping it keeps
    the ordinary single-device path exactly as it was without the parameter.
    """
    if strategy is None or strategy is tf.distribute.get_strategy():
        yield
    else:
        with strategy.scope():
            yield


def picklable_strategy(spec):
    """What a pickled estimator stores for ``distribution_strategy=spec``.

    Strategy objects hold live devices and weak references and do not pickle;
    the common ones are stored by their short name, which the unpickling
    machine resolves against its own devices: ``MirroredStrategy`` becomes
    ``"mirrored"`` and the default strategy ``"default"``. Any other strategy
    (multi-worker, TPU, parameter server) is stored as ``None`` with a warning:
    the loaded estimator predicts on one device and needs the strategy set
    again with ``set_params`` before it trains distributed.
    """
    if not isinstance(spec, tf.distribute.Strategy):
        return spec
    if type(spec) is tf.distribute.MirroredStrategy:
        return "mirrored"
    if spec is tf.distribute.get_strategy() or isinstance(spec, tf.distribute.OneDeviceStrategy):
        return "default"
    warnings.warn(
        f"distribution_strategy holds a {type(spec).__name__}, which cannot be pickled; the pickled estimator "
        "stores distribution_strategy=None. Set it again with set_params(distribution_strategy=...) after "
        "loading.",
        UserWarning,
        stacklevel=3,
    )
    return None


@contextlib.contextmanager
def dtype_policy_scope(policy):
    """Make ``policy`` Keras' global dtype policy for this block only (``None``: no change).

    Layers created without a ``dtype`` follow the global policy; setting it
    for the duration of a build, then restoring it, leaves every other model
    in the process as it was. Keras keeps the global policy per thread, so
    the block changes it for the calling thread only.
    """
    if policy is None:
        yield
        return
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def global_mixed_policy():
    """The name of Keras' global dtype policy when it is a mixed one (``MIXED_POLICIES``), else ``None``.

    Keras' global policy is the calling thread's
    (``keras.mixed_precision.set_global_policy``).
    """
    name = keras.config.dtype_policy().name
    return name if name in MIXED_POLICIES else None


@contextlib.contextmanager
def unmixed_policy_scope():
    """Build the block's layers in float32 when Keras' global dtype policy is a mixed one.

    sktcn computes only a network's sequence encoder in mixed precision (see
    :func:`sktcn._network.precision_dtypes`): its input scaling, output head,
    softmax and ensemble average stay float32, as Keras' mixed-precision guide
    advises, whether ``mixed_precision=True`` or Keras' global policy asked
    for it. Raw inputs above float16's 65504 would otherwise be infinite before
    they are standardised. The network's model itself is then float32 too, as
    under ``mixed_precision=True``. Under any other global policy (float32,
    float64) nothing changes.
    """
    with dtype_policy_scope("float32" if global_mixed_policy() else None):
        yield


def built_policy(layer_policies):
    """The global dtype policy a saved network was built under, from its layers' policy names in order.

    Keras does not save a model's own policy: loaded, the model takes the
    loading thread's, and a model of float32 layers loaded under a mixed
    global policy would wrap its optimizer in loss scaling (whose saved state
    then no longer fits). sktcn builds its networks under a policy that is
    not mixed (:func:`unmixed_policy_scope`): the first layer policy that is
    not mixed is that one. Networks that earlier versions of sktcn built under
    a mixed global policy have mixed layers only: that policy. ``None`` when
    there are none.

    Examples
    --------
    >>> from sktcn._distribute import built_policy
    >>> built_policy(["float32", "mixed_float16", "float32"]), built_policy(["mixed_bfloat16"]), built_policy([])
    ('float32', 'mixed_bfloat16', None)
    """
    names = list(layer_policies)
    return next((name for name in names if name not in MIXED_POLICIES), names[0] if names else None)


def apply_thread_setting(environ=os.environ):
    """Apply ``SKTCN_TF_THREADS`` to TensorFlow's thread pools, if it is set.

    TensorFlow sizes its intra-op pool (threads inside one operation) to the
    number of cores and ignores ``OMP_NUM_THREADS``; k worker processes of a
    search on an n-core machine would then run k x n threads. Setting
    ``SKTCN_TF_THREADS=n/k`` in the environment the workers inherit gives each
    of them n/k intra-op threads and as many inter-op threads. TensorFlow only
    accepts this before it has started its runtime, so the variable is read
    when sktcn is imported; if TensorFlow is already running, sktcn warns and
    leaves the pools as they are.

    Returns
    -------
    int or None
        The number of threads set, ``None`` when the variable is not set.
    """
    value = environ.get("SKTCN_TF_THREADS", "").strip()
    if not value:
        return None
    try:
        threads = int(value)
        if threads < 1:
            raise ValueError
    except ValueError:
        raise ValueError(f"SKTCN_TF_THREADS={value!r} must be a positive integer (threads per process).") from None
    if (
        tf.config.threading.get_intra_op_parallelism_threads() == threads
        and tf.config.threading.get_inter_op_parallelism_threads() == threads
    ):
        return threads
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        warnings.warn(
            f"SKTCN_TF_THREADS={threads} was not applied: TensorFlow had already started. Import sktcn "
            "before running any TensorFlow operation, or call tf.config.threading yourself first.",
            UserWarning,
            stacklevel=2,
        )
        return None
    return threads


# -------------------------------------------------------------------- fork
# Whether this process was forked from one in which TensorFlow had started.
# TensorFlow's runtime (its thread pools, held locks) does not survive fork: a
# fit or prediction in such a child waits forever, without a word. That is
# where joblib's "multiprocessing" backend and sktime's
# backend="multiprocessing" run their tasks once a fit ran in the parent.
# Children that never fit nor predict (Keras' PyDataset workers with
# use_multiprocessing=True) are unaffected; loky, spawn and Dask start fresh
# interpreters.
_forked_after_tensorflow = False


def _note_fork():
    """In a child just forked: remember whether the parent had started TensorFlow (its state is the child's)."""
    global _forked_after_tensorflow
    _forked_after_tensorflow = _forked_after_tensorflow or _compat.tensorflow_started()


if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    os.register_at_fork(after_in_child=_note_fork)


def check_not_forked_after_tensorflow():
    """Raise RuntimeError in a process forked after TensorFlow started, where a fit or prediction would hang.

    Raises
    ------
    RuntimeError
        If this process is such a child.
    """
    if _forked_after_tensorflow:
        raise RuntimeError(
            "This process was forked from one that had already run TensorFlow (joblib's 'multiprocessing' "
            "backend, sktime's backend='multiprocessing', multiprocessing's 'fork' start method), and "
            "TensorFlow's runtime does not survive a fork: this fit or prediction would hang. Use joblib's default "
            "'loky' backend, a 'spawn' multiprocessing context or Dask, or start the processes before any "
            "TensorFlow operation."
        )


# ------------------------------------------------------------------- memory
# Keras' optimizer sums the gradients across replicas with the replica context's
# ``all_reduce`` on every training step, even with TensorFlow's default
# (single-device) strategy. Inside the traced train step that call goes through
# ``tf.custom_gradient``, which in graph mode registers a gradient function
# under a fresh name ("CustomGradient-<n>") in TensorFlow's process-wide
# gradient registry and never removes it (tensorflow/tensorflow#27492). The
# function's closure holds tensors of the traced graph, so every fit left its
# whole training graph alive: about 10-17 MiB of resident memory per fit of a
# small network, without end over a search (benchmarks/memory.py).


def _gradient_registry():
    """TensorFlow's gradient registry, a dict of name -> entry, or None if this TF has none."""
    try:
        from tensorflow.python.framework import ops
    except ImportError:  # pragma: no cover - a TensorFlow without the module
        return None
    registry = getattr(getattr(ops, "_gradient_registry", None), "_registry", None)
    return registry if isinstance(registry, dict) else None


def _closure_value(function, name):
    """The value of the free variable ``name`` of ``function``, or None."""
    code, closure = getattr(function, "__code__", None), getattr(function, "__closure__", None)
    if code is None or not closure or name not in code.co_freevars:
        return None
    try:
        return closure[code.co_freevars.index(name)].cell_contents
    except (IndexError, ValueError):  # an empty cell
        return None


def _is_all_reduce_gradient(entry):
    """True for a registry entry made by ``tf.distribute``'s all-reduce custom gradient.

    The entry's function is ``custom_gradient``'s ``internal_grad_fn``, which
    calls ``tape_grad_fn``, which calls the ``grad_fn`` the decorated function
    returned; for the all-reduce that is a lambda defined in TensorFlow's
    ``distribute_lib``.
    """
    function = entry.get("type") if isinstance(entry, dict) else None
    grad_fn = _closure_value(_closure_value(function, "tape_grad_fn"), "grad_fn")
    code = getattr(grad_fn, "__code__", None)
    return code is not None and os.path.basename(code.co_filename) == "distribute_lib.py"


# Held while replica_batches borrows a strategy's input workers.
_INPUT_WORKERS_LOCK = threading.Lock()


def splits_batches_itself(strategy):
    """Whether sktcn hands ``strategy`` its batches already split between the replicas (:func:`replica_batches`).

    For a ``MirroredStrategy``: Keras' own path through TensorFlow's
    ``MultiDeviceIterator`` can crash the process (see :func:`replica_batches`).
    Other strategies (multi-worker, TPU, one device) take Keras' path.
    """
    return isinstance(strategy, tf.distribute.MirroredStrategy)


def replica_batches(make_dataset, strategy):
    """The batches of ``make_dataset()`` for ``strategy``, each split between its replicas by sktcn, not TensorFlow.

    Keras (3.15) distributes a dataset with ``experimental_distribute_dataset``,
    whose iterator is TensorFlow's ``MultiDeviceIterator``. At the start of
    every ``fit`` and ``evaluate`` under a strategy, Keras reads one batch from
    a new iterator and drops it. TensorFlow (2.21) then deletes the
    ``MultiDeviceIterator`` while its background thread may still be reading
    the next batch, and that thread can crash the process (a segmentation
    fault; 8 of 57 runs of a test's fits under load, ``benchmarks/RESULTS.md``).
    Here each replica reads its own copy of the pipeline through a plain
    iterator (``InputReplicationMode.PER_REPLICA``, kept on the host), and
    takes its share of every batch: the first ``size % replicas`` replicas
    one sample more, in order, as TensorFlow's own split does.

    ``make_dataset``: a function that builds the dataset, called once per
    replica. Its batches are tuples of tensors batched along their first
    axis, each of at least one sample per replica
    (:func:`sktcn._epoch_batches.batch_sizes`); finite or endless. Every call
    must give the same batches: a shuffle must be seeded, and made anew in
    each call, since the copies of one seeded shuffle share the state that
    draws each pass's order (and would give the replicas different ones).

    Examples
    --------
    >>> import numpy as np, tensorflow as tf
    >>> from sktcn._distribute import replica_batches
    >>> strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    >>> batches = replica_batches(lambda: tf.data.Dataset.from_tensors((np.arange(3),)), strategy)
    >>> [x.numpy().tolist() for (x,) in batches]
    [[0, 1, 2]]
    """
    replicas = strategy.num_replicas_in_sync

    def share(context):
        replica = context.input_pipeline_id

        def cut(*tensors):
            size = tf.shape(tensors[0], out_type=tf.int64)[0]
            small, larger = size // replicas, size % replicas
            start = replica * small + tf.minimum(tf.constant(replica, tf.int64), larger)
            stop = start + small + tf.cast(replica < larger, tf.int64)
            return tuple(tensor[start:stop] for tensor in tensors)

        return make_dataset().map(cut)

    options = tf.distribute.InputOptions(
        experimental_replication_mode=tf.distribute.InputReplicationMode.PER_REPLICA,
        experimental_fetch_to_device=False,
    )
    # TensorFlow 2.21's MirroredStrategy keeps the per-replica input workers
    # this asks for as its own: the user's strategy object would then split
    # later datasets, Keras' own included, as if each replica were a worker.
    # The lock: fits in threads that share a strategy put back what they found.
    extended = strategy.extended
    with _INPUT_WORKERS_LOCK:
        workers = getattr(extended, "_input_workers_devices", None)
        try:
            return strategy.distribute_datasets_from_function(share, options)
        finally:
            if workers is not None:
                extended._input_workers_devices = workers


@contextlib.contextmanager
def releasing_all_reduce_gradients():
    """Unregister the all-reduce gradients that Keras training registers in this block.

    Wraps ``model.fit``: once it returns (or fails), the entries that were
    added to TensorFlow's gradient registry meanwhile by ``tf.distribute``'s
    all-reduce are removed, and the traced graphs they held can be freed with
    the model. Nothing else is touched: other custom gradients stay, and so do
    all-reduce entries registered before the block.

    Removing them is safe because such an entry is only looked up to
    differentiate *through* the optimizer's cross-replica sum of gradients
    (second-order gradients of a training step), which Keras never does; the
    training step's own gradients are taken before that sum. The same holds
    for an all-reduce entry that a Keras fit in another thread registers
    meanwhile, which may be removed too. If TensorFlow changes the private
    registry this relies on, the block does nothing.
    """
    registry = _gradient_registry()
    before = set(registry) if registry is not None else None
    try:
        yield
    finally:
        if registry is not None:
            for name in [key for key in list(registry) if key not in before]:
                if str(name).startswith("CustomGradient-") and _is_all_reduce_gradient(registry.get(name)):
                    registry.pop(name, None)
