"""Synthetic sequence tasks from the TCN literature, with seeds and documented shapes."""

import numbers

import keras
import numpy as np
from sklearn.utils import check_random_state

__all__ = [
    "make_adding_problem",
    "make_copy_memory",
    "make_first_plus_last",
    "FirstPlusLastStream",
    "make_first_plus_last_stream",
    "make_two_sines",
    "load_sequential_digits",
]


def _check_count(name, value, minimum, fix):
    """``value`` as an int of at least ``minimum``, or a ValueError that says how to fix it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name}={value!r}: {fix}")
    return int(value)


def make_adding_problem(n_samples=1000, n_timesteps=200, random_state=None):
    """The adding problem: sum the two values that the marker channel points at.

    Each series has two features per time step: a value drawn uniformly from
    ``[0, 1)`` and a marker that is 1 at exactly two steps (one in each half of
    the series) and 0 elsewhere. The target is the sum of the two marked values,
    so a model must remember a value from up to ``n_timesteps`` steps back.
    Predicting the mean scores an MSE of about 0.167 (the variance of the sum).

    Parameters
    ----------
    n_samples : int, default=1000
        Number of series.
    n_timesteps : int, default=200
        Length of each series (keras-tcn's README uses 600).
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, 2), float32
        Values in ``X[..., 0]``, markers in ``X[..., 1]``.
    y : ndarray of shape (n_samples,), float32
        Sum of the two marked values.

    Examples
    --------
    >>> from sktcn.datasets import make_adding_problem
    >>> X, y = make_adding_problem(n_samples=4, n_timesteps=10, random_state=0)
    >>> X.shape, y.shape
    ((4, 10, 2), (4,))
    >>> bool(((X[..., 0] * X[..., 1]).sum(axis=1) == y).all())
    True
    """
    n_samples = _check_count("n_samples", n_samples, 1, "set n_samples to at least 1 series.")
    n_timesteps = _check_count("n_timesteps", n_timesteps, 2,
                               "the adding problem needs at least 2 steps (one marker per half); set n_timesteps >= 2.")
    rng = check_random_state(random_state)
    values = rng.uniform(size=(n_samples, n_timesteps)).astype(np.float32)
    markers = np.zeros((n_samples, n_timesteps), dtype=np.float32)
    half = n_timesteps // 2
    rows = np.arange(n_samples)
    markers[rows, rng.randint(0, half, size=n_samples)] = 1.0
    markers[rows, rng.randint(half, n_timesteps, size=n_samples)] = 1.0
    X = np.stack([values, markers], axis=-1)
    y = (values * markers).sum(axis=1)
    return X, y


def make_two_sines(n_series=1000, n_timesteps=50, horizon=10, random_state=None):
    """Noisy sums of two sine waves, the benchmark of the Hands-On-ML notes on sequences.

    Each series is ``0.5 sin((t - o1)(10 f1 + 10)) + 0.2 sin((t - o2)(20 f2 + 20))``
    plus uniform noise in ``[-0.05, 0.05)``, for ``t`` in ``[0, 1]``, with frequencies
    ``f`` and offsets ``o`` drawn uniformly from ``[0, 1)`` per series.

    Parameters
    ----------
    n_series : int, default=1000
        Number of series (the notes use 10 000, split 7000/2000/1000).
    n_timesteps : int, default=50
        Observed steps per series.
    horizon : int, default=10
        Steps after the observed ones, returned separately as targets.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    series : ndarray of shape (n_series, n_timesteps), float32
    future : ndarray of shape (n_series, horizon), float32
        The next ``horizon`` values of every series.

    Examples
    --------
    >>> from sktcn.datasets import make_two_sines
    >>> series, future = make_two_sines(n_series=3, random_state=0)
    >>> series.shape, future.shape
    ((3, 50), (3, 10))
    """
    n_series = _check_count("n_series", n_series, 1, "set n_series to at least 1 series.")
    n_timesteps = _check_count("n_timesteps", n_timesteps, 1, "set n_timesteps to at least 1 observed step.")
    horizon = _check_count("horizon", horizon, 1, "set horizon to at least 1 step to forecast.")
    rng = check_random_state(random_state)
    total = n_timesteps + horizon
    freq1, freq2, offset1, offset2 = rng.uniform(size=(4, n_series, 1))
    time = np.linspace(0, 1, total)
    values = 0.5 * np.sin((time - offset1) * (freq1 * 10 + 10))
    values += 0.2 * np.sin((time - offset2) * (freq2 * 20 + 20))
    values += 0.1 * (rng.uniform(size=(n_series, total)) - 0.5)
    values = values.astype(np.float32)
    return values[:, :n_timesteps], values[:, n_timesteps:]


def make_copy_memory(n_samples=1000, n_blanks=600, n_digits=10, random_state=None):
    """The copy-memory task: repeat digits seen ``n_blanks`` steps earlier.

    Each series holds ``n_digits`` digits from 1 to 8, then ``n_blanks`` blanks
    (0), a marker (9) and ``n_digits`` more blanks, during which the model must
    output the digits in order; everywhere else the target is 0. keras-tcn's
    README uses 10 digits and 600 blanks.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of series.
    n_blanks : int, default=600
        Blanks between the digits and the marker (0 or more): how far back
        the digits lie when they must be repeated.
    n_digits : int, default=10
        Digits to remember and repeat (at least 1).
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.

    Returns
    -------
    X : ndarray of shape (n_samples, n_digits + n_blanks + 1 + n_digits, 1), float32
    y : ndarray of shape (n_samples, n_digits + n_blanks + 1 + n_digits), int
        One label per time step: fit with ``TCNClassifier(return_sequences=True)``.

    Examples
    --------
    >>> from sktcn.datasets import make_copy_memory
    >>> X, y = make_copy_memory(n_samples=2, n_blanks=5, n_digits=3, random_state=0)
    >>> X.shape, y.shape
    ((2, 12, 1), (2, 12))
    >>> bool((y[:, -3:] == X[:, :3, 0]).all())
    True
    """
    n_samples = _check_count("n_samples", n_samples, 1, "set n_samples to at least 1 series.")
    n_blanks = _check_count("n_blanks", n_blanks, 0, "set n_blanks to 0 or more steps before the marker.")
    n_digits = _check_count("n_digits", n_digits, 1, "set n_digits to at least 1 digit to copy.")
    rng = check_random_state(random_state)
    length = n_digits + n_blanks + 1 + n_digits
    digits = rng.randint(1, 9, size=(n_samples, n_digits))
    X = np.zeros((n_samples, length), dtype=np.float32)
    X[:, :n_digits] = digits
    X[:, n_digits + n_blanks] = 9
    y = np.zeros((n_samples, length), dtype=int)
    y[:, -n_digits:] = digits
    return X[..., None], y


def make_first_plus_last(n_samples=1000, n_timesteps=70, random_state=None):
    """The memory task of the LSTM-versus-TCN study: ``y = x[0] + x[-1]``.

    The values are standard normal, so predicting the target needs the very
    first step of each series, ``n_timesteps - 1`` steps back.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of series.
    n_timesteps : int, default=70
        Length of each series (at least 2).
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps), float32
    y : ndarray of shape (n_samples,), float32

    Examples
    --------
    >>> from sktcn.datasets import make_first_plus_last
    >>> X, y = make_first_plus_last(n_samples=3, n_timesteps=5, random_state=0)
    >>> bool((y == X[:, 0] + X[:, -1]).all())
    True
    """
    n_samples = _check_count("n_samples", n_samples, 1, "set n_samples to at least 1 series.")
    n_timesteps = _check_count(
        "n_timesteps", n_timesteps, 2, "the task needs at least 2 steps (x[0] and x[-1]); set n_timesteps >= 2."
    )
    rng = check_random_state(random_state)
    X = rng.normal(size=(n_samples, n_timesteps)).astype(np.float32)
    return X, X[:, 0] + X[:, -1]


class FirstPlusLastStream(keras.utils.PyDataset):
    """``y = x[0] + x[-1]`` on fresh series every batch, as the memory study trained.

    The streaming form of :func:`make_first_plus_last`: a
    ``keras.utils.PyDataset`` whose every batch, in every epoch, holds new
    standard normal series, so a model never sees a series twice and cannot
    memorise the training set. Batch ``index`` of epoch ``epoch`` is drawn from
    ``np.random.default_rng([seed, epoch, index])``: the same seed gives the
    same batches in any order, in any worker. Keras calls ``on_epoch_end`` after
    each epoch, which moves on to the next epoch's batches.

    Fit an estimator on it with ``est.fit(stream)`` (no ``y``). Before training,
    sktcn reads the targets in one pass over the batches, and Keras reads the
    first batches to learn their shapes; both read the batches of the current
    ``epoch``, 0 for a new stream. A regressor thus standardises its targets
    with the mean and spread of epoch 0's ``n_batches * batch_size`` series.
    Keras 3 then calls ``on_epoch_end`` once as its ``fit`` starts (it resets
    its data iterator), so training uses the batches of epochs 1 to
    ``epochs``, none of which the target pass saw, and after ``fit`` the
    stream's ``epoch`` is ``epochs + 1``. A stream remembers its epoch: give
    each fit a new stream with the same seed (or set ``epoch = 0``) to train
    two models on the same batches.

    Parameters
    ----------
    n_timesteps : int, default=70
        Length of each series, at least 2.
    batch_size : int, default=64
        Series per batch.
    n_batches : int, default=100
        Batches per epoch: ``len(stream)``.
    random_state : int, RandomState instance or None, default=None
        Seed of the batches. An int (at least 0) is used as is; otherwise a
        seed is drawn from it (from fresh entropy for ``None``) once, here.
    **kwargs
        ``workers``, ``use_multiprocessing`` and ``max_queue_size``, passed to
        ``keras.utils.PyDataset``.

    Attributes
    ----------
    seed : int
        The seed of every batch.
    epoch : int
        The epoch whose batches indexing returns.

    Examples
    --------
    >>> from sktcn.datasets import FirstPlusLastStream
    >>> stream = FirstPlusLastStream(n_timesteps=5, batch_size=3, n_batches=2, random_state=0)
    >>> len(stream)
    2
    >>> X, y = stream[0]
    >>> X.shape, X.dtype, y.shape
    ((3, 5), dtype('float32'), (3,))
    >>> bool((y == X[:, 0] + X[:, -1]).all())
    True
    >>> stream.on_epoch_end()  # Keras does this after each epoch
    >>> bool((stream[0][0] != X).all())
    True
    """

    def __init__(self, n_timesteps=70, batch_size=64, n_batches=100, random_state=None, **kwargs):
        super().__init__(**kwargs)
        self.n_timesteps = _check_count(
            "n_timesteps", n_timesteps, 2, "the task needs at least 2 steps (x[0] and x[-1]); set n_timesteps >= 2."
        )
        self.batch_size = _check_count("batch_size", batch_size, 1, "set batch_size to at least 1 series per batch.")
        self.n_batches = _check_count("n_batches", n_batches, 1, "set n_batches to at least 1 batch per epoch.")
        if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
            if random_state < 0:
                raise ValueError(f"random_state={random_state}: NumPy seeds are non-negative; use an int >= 0.")
            self.seed = int(random_state)
        else:
            # Drawn once, so that every batch and epoch of this stream is fixed
            # from now on, even when random_state is None.
            self.seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
        self.epoch = 0

    def __len__(self):
        return self.n_batches

    def batch(self, index, epoch=None):
        """Batch ``index`` of ``epoch`` (default: the current epoch) as ``(X, y)``."""
        if not -self.n_batches <= index < self.n_batches:
            raise IndexError(f"batch {index} out of range for a stream of {self.n_batches} batches")
        index %= self.n_batches
        epoch = self.epoch if epoch is None else epoch
        # A generator per (seed, epoch, index), not one shared generator that
        # advances: batches do not depend on the order in which Keras (or its
        # worker threads and processes) asks for them.
        rng = np.random.default_rng([self.seed, epoch, index])
        X = rng.standard_normal((self.batch_size, self.n_timesteps), dtype=np.float32)
        return X, X[:, 0] + X[:, -1]

    def __getitem__(self, index):
        return self.batch(index)

    def on_epoch_end(self):
        self.epoch += 1


def make_first_plus_last_stream(n_timesteps=70, batch_size=64, n_batches=100, random_state=None, **kwargs):
    """``y = x[0] + x[-1]`` streamed: fresh series in every batch of every epoch.

    The function form of :class:`FirstPlusLastStream`, as ``make_first_plus_last``
    is of the fixed data set; the parameters are the class's, described there.
    Fit an estimator on the stream with ``est.fit(stream)``.

    Returns
    -------
    stream : FirstPlusLastStream
        Items ``(X, y)``: ``X`` of shape ``(batch_size, n_timesteps)`` and ``y``
        of shape ``(batch_size,)``, both float32.

    Examples
    --------
    >>> from sktcn import TCNRegressor
    >>> from sktcn.datasets import make_first_plus_last_stream
    >>> stream = make_first_plus_last_stream(n_timesteps=8, batch_size=16, n_batches=4, random_state=0)
    >>> reg = TCNRegressor(nb_filters=4, epochs=2, random_state=0).fit(stream)
    >>> reg.predict(stream[0][0]).shape
    (16,)
    """
    return FirstPlusLastStream(n_timesteps, batch_size, n_batches, random_state, **kwargs)


def load_sequential_digits():
    """scikit-learn's bundled 8x8 digits read as 64-step pixel sequences.

    The offline stand-in for sequential MNIST: each image is read row by row
    as one univariate series of 64 pixels scaled to ``[0, 1]``.

    Returns
    -------
    X : ndarray of shape (1797, 64, 1), float32
    y : ndarray of shape (1797,), int

    Examples
    --------
    >>> from sktcn.datasets import load_sequential_digits
    >>> X, y = load_sequential_digits()
    >>> X.shape, sorted(set(y.tolist())) == list(range(10))
    ((1797, 64, 1), True)
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.data / 16.0).astype(np.float32)[..., None], digits.target
