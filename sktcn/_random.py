"""Seeds: one int for Keras from a scikit-learn ``random_state``, one per network of an ensemble, a seeded block,
and the seed states of a network's dropout layers."""

import contextlib
import numbers
import random
import threading

import numpy as np
import tensorflow as tf
from sklearn.utils import check_random_state

from sktcn import _compat


def seed_from(random_state):
    """An int seed for Keras from ``random_state`` (None stays None)."""
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(2**31 - 1))


def member_seeds(random_state, n_networks):
    """One seed per network: ``random_state``, ``random_state + 1``, ... (``None``: all unseeded).

    The seeds wrap around at ``2**32``, past which NumPy refuses a seed: any
    ``random_state`` scikit-learn accepts, up to ``2**32 - 1``, seeds an
    ensemble, and the seeds below the wrap are what they always were.

    Examples
    --------
    >>> from sktcn._random import member_seeds
    >>> member_seeds(7, 3), member_seeds(None, 2), member_seeds(2**32 - 2, 3)
    ([7, 8, 9], [None, None], [4294967294, 4294967295, 0])
    """
    base = seed_from(random_state)
    return [None if base is None else (base + k) % 2**32 for k in range(n_networks)]


# Held by every seeded block, seeded or not (see seeded).
_SEEDING = threading.RLock()


@contextlib.contextmanager
def seeded(seed, user_code=False):
    """Seed Keras and TensorFlow for a block, then restore them.

    scikeras seeds through TensorFlow's op determinism, which stays on for the
    whole process and makes later unseeded fits fail; this seeds only.

    Keras draws its default seeds in the block from a generator of the
    block's own (see :class:`_ThreadDraws`), and sktcn's code draws from
    generators seeded by ``random_state``: NumPy's and Python's global
    generators are left alone, so that other threads drawing from them
    (unseeded scikit-learn code beside a fit under joblib's threading backend)
    get neither ``seed``'s stream nor, when the block ends, their own draws a
    second time. ``user_code=True`` marks a block that runs the user's code: a
    streamed fit (their PyDataset or ``tf.data`` pipeline, and Keras'
    shuffling of a PyDataset's batches, which draws from Python's ``random``)
    or their callbacks. That code may draw from the global generators, which
    ``random_state`` has always seeded: the block seeds NumPy's and Python's
    too, and restores them afterwards, for the whole process (the limitation
    ``docs/user_guide/parallel.rst`` states).

    The generators seeded here belong to the process, not to a thread, so two
    blocks in threads of one process (joblib's threading backend, sktime's
    ``backend="threading"``, a Dask worker with several task threads) would draw
    from each other's streams, an unseeded block too. Blocks therefore run one at
    a time in a process (reentrant: a fit's seeded build nests in its seeded
    fit); processes still fit in parallel. ``seed=None`` seeds nothing, but its
    block too runs apart from other threads' seeded blocks.

    Afterwards Keras' and TensorFlow's generators (and, with ``user_code``,
    Python's and NumPy's) are where they were before the block, a global seed
    the user set included.
    """
    with _SEEDING:
        if seed is None:
            yield
            return
        with _seeded(seed), (_global_generators_seeded(seed) if user_code else contextlib.nullcontext()):
            yield


@contextlib.contextmanager
def _seeded(seed):
    """The seeding of :func:`seeded` (Keras' and TensorFlow's), with the caller holding the lock."""
    # A user's own keras.utils.set_random_seed / tf.random.set_seed, and where
    # their streams stand: a fit must not unset them or move them on.
    global_state = _compat.global_seed_state()
    try:
        # What keras.utils.set_random_seed does, less its seeding of Python's
        # and NumPy's global generators (see seeded).
        _compat.set_keras_seed(int(seed))
        tf.random.set_seed(int(seed))
        # Keras draws the seeds of unseeded initializers and dropout layers
        # from Python's process-wide ``random``. In a host with other busy
        # threads (a Dask worker's event loop, a web server) those threads
        # draw from it too, between our seeding and the model's build, and
        # the "seeded" weights change from run to run. A private generator
        # for the block keeps them a function of the seed alone.
        with _keras_draws_from(random.Random(int(seed))):
            yield
    finally:
        _compat.restore_global_seed_state(global_state)


@contextlib.contextmanager
def _global_generators_seeded(seed):
    """A block in which Python's and NumPy's global generators are seeded with ``seed``, restored afterwards."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    random.seed(int(seed))
    np.random.seed(int(seed))
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


class _ThreadDraws:
    """What Keras draws its default seeds from, per thread: a block's private generator, else Python's ``random``.

    Keras reads the generator from a module attribute, shared by the threads
    of the process. Were a block to set that attribute, a load or an
    unseeded build in another thread would draw from (and move) a seeded
    block's private generator, and a seeded block would have to wait for any
    load to end (a load inside a streamed fit's worker thread would then wait
    for the fit, which waits for it). Installed once in place of the module's
    ``random``, this object answers each thread with that thread's generator,
    so blocks of different threads cannot meet, and loads need no lock. A
    thread outside any block draws from ``random``, as Keras alone would.
    """

    def __init__(self):
        self._local = threading.local()

    @property
    def generator(self):
        """This thread's private generator, or None outside a block."""
        return getattr(self._local, "generator", None)

    @generator.setter
    def generator(self, generator):
        self._local.generator = generator

    def __getattr__(self, name):
        generator = self.generator
        return getattr(random if generator is None else generator, name)

    @classmethod
    def install(cls):
        """Put one in Keras' seed module (None where Keras no longer draws from ``random``)."""
        module = _compat.keras_seed_module()
        if module is None:
            return None
        module.python_random = cls()
        return module.python_random


_KERAS_DRAWS = _ThreadDraws.install()


@contextlib.contextmanager
def _keras_draws_from(generator):
    """A block in which Keras, in this thread, draws its default seeds from ``generator``, not from Python's ``random``.

    Inside another such block of the same thread (a seeded fit's build nests
    in its fit, a load or unpickling can nest in a seeded block), Keras keeps
    drawing from the outer block's generator, and the inner block leaves it
    there when it ends. Other threads keep drawing from their own.
    """
    if _KERAS_DRAWS is None or _KERAS_DRAWS.generator is not None:
        yield
        return
    _KERAS_DRAWS.generator = generator
    try:
        yield
    finally:
        _KERAS_DRAWS.generator = None


@contextlib.contextmanager
def python_random_kept():
    """A block that rebuilds Keras models (a load, an unpickling) without moving Python's ``random``.

    Keras draws the default seeds of the layers it rebuilds (their
    initializers, dropout's seed generators) from Python's process-wide
    ``random``, so loading a model would change a user's next draws. In the
    block Keras draws, in this thread, from a copy of that stream: the layers
    get the seeds they got before, and the user's stream stays where it was.
    The block takes no lock: a seeded block in another thread draws from its
    own generator (see :class:`_ThreadDraws`), so a load need not wait for a
    fit, even one that waits for the load (a load in a streamed fit's worker).
    """
    generator = random.Random()
    generator.setstate(random.getstate())
    with _keras_draws_from(generator):
        yield


@contextlib.contextmanager
def keras_draws_discarded():
    """A block in which Keras, in this thread, draws its default seeds from a throwaway generator.

    For Keras objects made only to be looked at (a parameter's name resolved
    to check it): their draws must move neither Python's ``random`` nor, where
    the block runs inside a seeded one (a fit in a callback of another fit),
    that block's generator, whose next draws seed the weights. Unlike
    :func:`_keras_draws_from`, an outer block's generator is set aside, not kept.
    """
    if _KERAS_DRAWS is None:  # Keras does not draw from Python's random
        yield
        return
    outer = _KERAS_DRAWS.generator
    _KERAS_DRAWS.generator = random.Random(0)
    try:
        yield
    finally:
        _KERAS_DRAWS.generator = outer


@contextlib.contextmanager
def tensorflow_seed_unset(seed):
    """A block in which TensorFlow ops seeded with ``seed`` depend on it alone, not on a global seed.

    TensorFlow pairs an op's seed with the global seed when the op is made (a
    ``tf.data`` shuffle, for one), so a user's ``tf.random.set_seed`` would
    change a seeded fit's batches: the block unsets it, then restores it. With
    ``seed=None`` the process's seeds decide, as they decide the rest of an
    unseeded fit. Either way the block runs apart from other threads' seeded
    blocks (see :func:`seeded`).
    """
    with _SEEDING:
        if seed is None:
            yield
            return
        state = _compat.global_seed_state()
        tf.random.set_seed(None)
        try:
            yield
        finally:
            _compat.restore_global_seed_state(state)


def seed_states(model):
    """The states of ``model``'s random seed generators (its dropout layers'), as an int64 array ``(n, 2)``.

    Each generator's state is its seed and a counter of the draws made, which
    a fit's dropout masks follow. Keras keeps these variables beside the
    weights but does not write them with the model, nor does it copy them
    when scikeras pickles or deep-copies one: a network rebuilt from a file
    would draw new seeds. sktcn stores them with the estimator and puts them
    back (:func:`restore_seed_states`), so that a warm start after a copy
    draws the masks the original would have drawn.
    """
    return np.array([variable.numpy() for variable in _seed_variables(model)], dtype=np.int64).reshape(-1, 2)


def restore_seed_states(model, states):
    """Set ``model``'s seed generators to ``states`` (from :func:`seed_states` of the same network).

    Raises
    ------
    ValueError
        If ``states`` is not one integer pair per seed generator of ``model``.
    """
    variables = _seed_variables(model)
    states = np.asarray(states)
    if states.shape != (len(variables), 2) or (states.size and states.dtype.kind not in "iu"):
        raise ValueError(
            f"{states.shape[0] if states.ndim else 0} seed states were given for a network with "
            f"{len(variables)} seed generators: they belong to another network."
        )
    for variable, state in zip(variables, states):
        variable.assign(state.astype(variable.dtype))


def _seed_variables(model):
    # Keras' ``variables`` are the weights plus the seed generators' states, in
    # the order of the layers, which a network rebuilt from its config keeps.
    weights = {id(weight) for weight in model.weights}
    return [variable for variable in model.variables if id(variable) not in weights]
