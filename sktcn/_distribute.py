"""Where and how the network trains: distribution strategies, mixed precision, threads.

The estimators store ``distribution_strategy`` and ``mixed_precision`` verbatim;
this module turns them into TensorFlow objects at fit time, and reads the
``SKTCN_TF_THREADS`` environment variable once, when sktcn is imported.
"""

import contextlib
import os
import warnings

import keras
import tensorflow as tf

__all__ = ["resolve_strategy", "strategy_scope", "picklable_strategy", "apply_thread_setting"]

STRATEGY_NAMES = ("default", "mirrored", "auto")

# Layers of the TCN compute in float16 and keep float32 weights; the output
# head stays float32 so losses and probabilities are computed in full precision.
MIXED_POLICY = "mixed_float16"


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
            return tf.distribute.MirroredStrategy()
        return tf.distribute.get_strategy()
    if spec == "mirrored":
        return tf.distribute.MirroredStrategy()
    raise ValueError(
        f"distribution_strategy={spec!r} is not understood; give None, one of {STRATEGY_NAMES} "
        "or a tf.distribute.Strategy object."
    )


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
    in the process as it was.
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
