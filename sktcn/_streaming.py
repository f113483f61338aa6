"""Training data that is not one array in memory: Keras PyDatasets, tf.data, memory maps.

The estimators accept three kinds of streamed ``X``:

* a ``keras.utils.PyDataset`` whose items are batches ``(x, y)`` or ``(x, y, w)``;
* a finite ``tf.data.Dataset`` whose elements are such batches;
* a memory-mapped NumPy array (``np.load(path, mmap_mode="r")`` or
  ``np.memmap``) with ``y`` (and ``sample_weight``) as ordinary arrays.

None of them is read into memory whole. Batches go through the same
validation and target encoding as in-memory data, one batch at a time, just
before Keras trains on them. What sktcn must know before building the network
(the classes, the scale of the targets, the shape of the series) comes from
the targets, which are small: for a memory map they are given, for the other
two sktcn reads them in one pass over the data, keeping ``y`` and discarding
``x``, before training starts.
"""

import contextlib
import inspect
import math
import re
import weakref

import keras
import numpy as np
import tensorflow as tf

from sktcn._validation import checked_sample_weight

__all__ = ["is_streamed", "RowBatches", "StreamedData", "WeightTally", "joined_targets", "predict_inputs",
           "releasing_generator_functions", "worker_error"]

NO_BATCHES = "The streamed X holds no batches, hence no series: give it at least one batch."


def _batch_hint(source):
    """How the streamed X ``source``, which gave a single series, is made to give batches of series."""
    if isinstance(source, tf.data.Dataset):
        return "A tf.data.Dataset of single series (from_tensor_slices) needs .batch(batch_size) to give batches."
    # A PyDataset has no .batch: its __getitem__ itself must cut the batches.
    return (f"A {type(source).__name__} (a keras.utils.PyDataset) must return a whole batch from __getitem__(i), "
            "e.g. the rows i * batch_size to (i + 1) * batch_size of X (and of y), and give the number of "
            "batches as its length.")


def is_streamed(X):
    """True for input that sktcn trains on batch by batch rather than as one array."""
    return isinstance(X, (np.memmap, keras.utils.PyDataset, tf.data.Dataset))


def _generator_state(func):
    """The tf.data ``_GeneratorState`` that a function registered by ``from_generator`` serves, or None."""
    func = inspect.unwrap(func)
    owner = getattr(func, "__self__", None)
    if type(owner).__name__ == "_GeneratorState":
        return owner
    for cell in getattr(func, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if type(value).__name__ == "_GeneratorState":
            return value
    return None


def _serves(func, data):
    """Whether ``func`` feeds what a fit trains on, ``data``.

    That is the generator Keras made for the PyDataset ``data``, or the batch
    encoder of the tf.data pipeline ``data`` that :meth:`StreamedData.keras_input` made.
    """
    pipeline = getattr(inspect.unwrap(func), "sktcn_pipeline", None)
    if pipeline is not None:
        return pipeline() is data
    generator = getattr(_generator_state(func), "_generator", None)
    adapter = getattr(generator, "__self__", None)  # Keras' PyDatasetAdapter._get_iterator
    return adapter is not None and getattr(adapter, "py_dataset", None) is data


@contextlib.contextmanager
def releasing_generator_functions(data):
    """Let the data pipeline of ``data``, what ``fit`` trains on, be freed after the fit.

    TensorFlow keeps the Python functions of a tf.data pipeline alive in a
    list on the global default graph, which lives as long as the process
    (tensorflow#57690). Keras trains on a PyDataset through
    ``tf.data.Dataset.from_generator``, whose functions hold the generator,
    hence the PyDataset, its arrays and the model it trained: about 13 MiB per
    fit of a small forecaster, without end. A tf.data.Dataset is trained on
    through the pipeline of :meth:`StreamedData.keras_input`, whose batch
    encoder holds the estimator and its model just the same.

    On exit, the functions that serve ``data`` (its generator's, or its
    encoder), and only those, leave that list: the functions of the user's own
    pipelines (a ``from_generator`` dataset given as ``X``, which the user may
    train on again) and those of other fits, also in other threads, are
    untouched. If TensorFlow changes these private structures, nothing is
    removed.
    """
    graph = tf.compat.v1.get_default_graph()
    try:
        yield
    finally:
        functions = getattr(graph, "_py_funcs_used_in_graph", None)
        if isinstance(data, (keras.utils.PyDataset, tf.data.Dataset)) and isinstance(functions, list):
            for func in [func for func in functions if _serves(func, data)]:
                functions.remove(func)  # one at a time: other threads may append meanwhile


def _as_batch(element, hint):
    """``(x, y, w)`` from a batch given as ``(x, y)`` or ``(x, y, w)``; ``hint``: ``_batch_hint`` of its source."""
    if not isinstance(element, (tuple, list)) or len(element) not in (2, 3):
        raise ValueError(
            "Each batch of a streamed X must be a tuple (x, y) or (x, y, sample_weight); got "
            f"{type(element).__name__}{'' if not isinstance(element, (tuple, list)) else f' of {len(element)}'}."
        )
    x, y = np.asarray(element[0]), np.asarray(element[1])
    if y.ndim == 0:
        # One target, hence one series: a dataset that was never batched.
        raise ValueError(
            "Each batch of a streamed X must hold several series, x of shape (n_samples, n_timesteps[, "
            f"n_features]) with one target per series in y; got x of shape {x.shape} and y of shape {y.shape}, "
            f"a single series. {hint}"
        )
    if y.dtype.kind in "OS" and y.size and isinstance(y.flat[0], bytes):
        # tf.string labels arrive as bytes, which scikit-learn rejects as labels.
        y = np.char.decode(y.astype(bytes), "utf-8")
    w = element[2] if len(element) == 3 else None
    return x, y, None if w is None else np.asarray(w)


def _n_batches(dataset):
    """The batches of a PyDataset, from ``num_batches`` (Keras 3's length; its default reads ``__len__``)."""
    n_batches = dataset.num_batches
    if n_batches is None:
        raise ValueError("The PyDataset has no length (num_batches is None); sktcn needs a finite dataset.")
    return n_batches


class RowBatches(keras.utils.PyDataset):
    """Consecutive rows of ``X`` (any array, memory-mapped ones included), one batch at a time.

    Indexing a memory map with a slice reads only those rows from disk, so the
    whole array is never in memory. Batches hold consecutive rows, which keeps
    the reads sequential; Keras shuffles the order of the batches every epoch
    when ``shuffle=True``, not the rows within them.
    """

    def __init__(self, X, y=None, sample_weight=None, batch_size=32):
        super().__init__()
        self.X, self.y, self.sample_weight, self.batch_size = X, y, sample_weight, int(batch_size)

    def __len__(self):
        return math.ceil(len(self.X) / self.batch_size)

    def __getitem__(self, index):
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        x = np.asarray(self.X[rows])
        if self.y is None:
            return x
        return x, self.y[rows], None if self.sample_weight is None else self.sample_weight[rows]


def _recording(failures, read):
    """``read()``, whose exception is appended to ``failures`` before it goes on (see StreamedData.keras_input)."""
    try:
        return read()
    except Exception as error:
        failures.append(error)
        raise


class _EncodedBatches(keras.utils.PyDataset):
    """A PyDataset of raw batches, each passed through ``encode`` when Keras asks for it.

    ``failures``: a list that receives what reading or encoding a batch
    raised, before TensorFlow turns it into an OpError (see :meth:`StreamedData.keras_input`).
    """

    def __init__(self, batches, encode, failures):
        # The wrapped dataset's parallelism settings carry over.
        super().__init__(
            workers=getattr(batches, "workers", 1),
            use_multiprocessing=getattr(batches, "use_multiprocessing", False),
            max_queue_size=getattr(batches, "max_queue_size", 10),
        )
        self.batches, self.encode, self.failures = batches, encode, failures

    @property
    def num_batches(self):
        return _n_batches(self.batches)

    def __getitem__(self, index):
        hint = _batch_hint(self.batches)
        return _recording(self.failures, lambda: self.encode(*_as_batch(self.batches[index], hint)))

    # Keras calls the hooks of the dataset it trains on, this one: they go on to
    # the user's, which may reshuffle, reseed or open files in them.
    def on_epoch_begin(self):
        self.batches.on_epoch_begin()

    def on_epoch_end(self):
        self.batches.on_epoch_end()


class StreamedData:
    """One streamed training set: its raw batches, and the Keras input that encodes them.

    Parameters
    ----------
    X : PyDataset, tf.data.Dataset or memory-mapped ndarray
        The streamed input.
    y, sample_weight : array-like or None
        Given with a memory-mapped ``X`` only; the other sources carry them in
        their batches.
    batch_size : int
        Rows per batch of a memory-mapped ``X``.
    """

    def __init__(self, X, y, sample_weight, batch_size):
        if isinstance(X, np.memmap):
            if y is None:
                raise ValueError("A memory-mapped X needs y as well: fit(X, y) with y an array of targets.")
            if len(y) != len(X):
                raise ValueError(f"X has {len(X)} samples but y has {len(y)}; give one target per series.")
            if sample_weight is not None:
                # Checked whole, as in memory: the weights are small, and an all-zero
                # array is only visible whole.
                sample_weight = checked_sample_weight(sample_weight, X)
            self.batches = RowBatches(X, np.asarray(y), sample_weight, batch_size)
            self.targets_given = np.asarray(y)
        else:
            if y is not None or sample_weight is not None:
                raise ValueError(
                    f"X is a {type(X).__name__}, which carries its own targets: its batches are (x, y) or "
                    "(x, y, sample_weight). Call fit(X) without y and sample_weight."
                )
            if isinstance(X, keras.utils.PyDataset):
                _n_batches(X)  # refuses an infinite one
            if isinstance(X, tf.data.Dataset) and X.cardinality() == tf.data.INFINITE_CARDINALITY:
                raise ValueError(
                    "The tf.data.Dataset is infinite (it repeats); give one epoch's worth of batches, Keras "
                    "repeats it every epoch."
                )
            self.batches = X
            self.targets_given = None

    def raw_batches(self):
        """Every batch ``(x, y, w)`` once, as NumPy arrays."""
        hint = _batch_hint(self.batches)
        if isinstance(self.batches, tf.data.Dataset):
            for element in self.batches:
                yield _as_batch(tuple(element) if isinstance(element, (tuple, list)) else element, hint)
        else:
            for index in range(_n_batches(self.batches)):
                yield _as_batch(self.batches[index], hint)

    def n_batches(self):
        """Batches in one epoch (a tf.data.Dataset of unknown cardinality is counted)."""
        if isinstance(self.batches, tf.data.Dataset):
            cardinality = int(self.batches.cardinality())
            if cardinality >= 0:
                return cardinality
            return sum(1 for _ in self.batches)
        return _n_batches(self.batches)

    def first_batch(self):
        """The first batch ``(x, y, w)`` (to learn the series' shape and declare the pipeline's types).

        An empty stream raises ValueError, not the StopIteration of its
        exhausted iterator, which would silently end any loop or ``map``
        that the fit runs in.
        """
        for batch in self.raw_batches():
            return batch
        raise ValueError(NO_BATCHES)

    def targets(self, per_step=False):
        """All targets, in batch order: given, or read in one pass over the batches (see ``joined_targets``)."""
        if self.targets_given is not None:
            return self.targets_given
        return joined_targets([y for _, y, _ in self.raw_batches()], per_step)

    def keras_input(self, encode, example, failures):
        """What to give ``model.fit``: the batches, each passed through ``encode(x, y, w)``.

        ``example`` is one encoded batch, whose dtypes and ranks declare those of
        the tf.data pipeline. ``failures``: a list that receives each exception
        raised in this process while reading (a PyDataset's ``__getitem__``) or
        encoding a batch. TensorFlow runs both inside its pipeline and raises an
        OpError in their place, from the second epoch on for the user's own
        errors too (the first reads the targets in Python): the fit raises the
        recorded original instead. Those of worker processes
        (``use_multiprocessing=True``) never reach the list (see :func:`worker_error`).
        """
        if not isinstance(self.batches, tf.data.Dataset):
            return _EncodedBatches(self.batches, encode, failures)
        dtypes = tuple(tf.as_dtype(a.dtype) for a in example)
        hint = _batch_hint(self.batches)  # a string: the function TensorFlow keeps must not hold the dataset
        ranks = tuple(a.ndim for a in example)

        def encode_numpy(*element):
            return _recording(failures, lambda: encode(*_as_batch(element if len(element) > 1 else element[0], hint)))

        def encode_tensors(*element):
            encoded = tf.numpy_function(encode_numpy, list(element), dtypes, stateful=False)
            for tensor, rank in zip(encoded, ranks):
                tensor.set_shape([None] * rank)
            return tuple(encoded)

        pipeline = self.batches.map(encode_tensors)
        # Tracing the map registered encode_numpy, which holds ``encode`` and so
        # the estimator, on TensorFlow's global graph for good: the pipeline it
        # serves (weakly: no cycle) tells releasing_generator_functions to remove it.
        encode_numpy.sktcn_pipeline = weakref.ref(pipeline)
        return pipeline


def joined_targets(targets, per_step=False):
    """The targets of several batches as one array, in batch order.

    Per-step targets (``per_step``: ``return_sequences=True``) of batches
    whose series differ in length cannot be stacked: they are laid end to
    end along time instead, as one series ``(1, total steps[, n_outputs])``.
    What is read from all the targets at once is the same either way: the
    target encoders of per-step targets pool every step of an output (the
    classes, or a mean and spread), and balanced class weights count labels.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._streaming import joined_targets
    >>> joined_targets([np.zeros((2, 3)), np.ones((1, 3))]).shape
    (3, 3)
    >>> joined_targets([np.zeros((2, 3)), np.ones((1, 5))], per_step=True).shape
    (1, 11)
    """
    if not targets:
        raise ValueError(NO_BATCHES)
    if per_step and len({y.shape[1:2] for y in targets}) > 1:
        return np.concatenate([y.reshape((1, -1) + y.shape[2:]) for y in targets], axis=1)
    return np.concatenate(targets)


def worker_error(error):
    """The ValueError or TypeError that a batch raised in a worker process, rebuilt from the OpError ``error``.

    With ``use_multiprocessing=True`` a PyDataset's batches are read and
    encoded in other processes; their error reaches the fit only as text, in
    the message of the OpError that TensorFlow raises for it: the worker's
    traceback, chained exceptions included, whose last frame is followed by
    the exception that ended it. Only that exception is rebuilt (the first
    line of its message), and only if it is a ValueError or TypeError; None
    otherwise (a KeyError raised while handling a ValueError included), for
    the OpError, which names it and holds the traceback, to be raised.

    Examples
    --------
    >>> from sktcn._streaming import worker_error
    >>> worker_error(RuntimeError('Graph execution error:\\nTraceback ...\\nValueError: Input contains NaN.\\n'))
    ValueError('Input contains NaN.')
    """
    text = getattr(error, "message", str(error))
    frames = list(re.finditer(r'^\s+File "', text, flags=re.MULTILINE))
    # After the last frame, the first line at the margin names the final exception.
    final = re.search(r"^([A-Za-z_][\w.]*): (.+)$", text[frames[-1].end():] if frames else text, flags=re.MULTILINE)
    if final is None or final.group(1) not in ("ValueError", "TypeError"):
        return None
    return (ValueError if final.group(1) == "ValueError" else TypeError)(final.group(2))


def raise_stream_failure(error, failures):
    """Raise what a streamed batch raised, where TensorFlow turned it into the OpError ``error``; return otherwise.

    tf.data reads and encodes the batches inside TensorFlow, which turns
    their errors (sktcn's ValueError, the user's PyDataset's own) into an
    OpError whose message buries them: the original is raised, the first of
    ``failures`` (what the batches raised in this process). With
    ``use_multiprocessing=True`` they run in worker processes, whose failures
    this list never sees: their error is rebuilt from the message
    (``worker_error``). Where neither applies this returns, and the caller
    raises ``error`` itself.
    """
    if failures and isinstance(failures[0], StopIteration):
        # Raised as itself it would silently end any loop or map() the
        # fit runs in (PEP 479's reason): a RuntimeError, as Python does.
        raise RuntimeError(
            "Reading a batch of the streamed X raised StopIteration (an exhausted iterator read again?): "
            "a PyDataset's __getitem__ must return its batch in every epoch."
        ) from failures[0]
    if failures:
        raise failures[0] from None
    rebuilt = worker_error(error)
    if rebuilt is not None:
        raise rebuilt from None


def stream_mean_weight(batches, weigh, tally):
    """The mean training weight over a stream's ``batches``, each weighed by ``weigh(x, y, w)`` (its third result).

    A fit divides its training weights by their mean (``unit_mean_weights``),
    which for a stream is known only after a pass over it, made before
    training. ``tally`` (a ``WeightTally``) refuses a stream none of whose
    batches weighs anything.
    """
    total, count = 0.0, 0
    for batch in batches:
        weights = weigh(*batch)[2]
        with np.errstate(over="ignore"):  # as in memory (_fit_keras_model)
            total += weights.sum(dtype=np.float64)
        count += weights.size
    if not total > 0:
        tally.on_epoch_end(0)  # every batch read, none weighs anything: raises
    return total / count


class WeightTally(keras.callbacks.Callback):
    """Whether the batches of a streamed fit weigh anything; a first epoch that weighed nothing fails the fit.

    Each batch's weights are checked as it is encoded, but one batch may
    weigh all its samples 0; only the whole stream may not (scikit-learn's
    "at least one non-zero" rule): neither its sample weights, nor the
    weights training gives the loss (a classifier's class weights times
    them), whose all-zero fit is refused with ``weightless``, the message
    the estimator gives it in memory, nor what the network gets of those in
    float32, which holds nothing below about 1.4e-45: ``partial_fit`` uses
    its weights as given, and a stream of weights of 1e-50 is refused with
    ``rounded(top)``, ``top`` its largest training weight. A stream is read
    once only while training, so the tally is made then and checked at the
    end of the first epoch, inside Keras' fit, where a failed warm start
    still restores the weights.
    """

    def __init__(self, weightless, rounded):
        super().__init__()
        self.weightless = weightless
        self.rounded = rounded
        self.positive = False  # a positive sample weight (or none given) so far
        self.top = 0.0  # the largest training weight so far
        self.trained = False  # a positive weight reaching the network so far

    def record(self, sample_weight, training_weights, network_weights):
        """Count one batch's checked weights (None: no weights, every sample weighs 1), its training weights and
        those the network gets of them (in float32 for ``partial_fit``)."""
        if not self.positive and (sample_weight is None or np.any(sample_weight > 0)):
            self.positive = True
        if not self.trained:
            self.top = max(self.top, float(training_weights.max(initial=0.0)))
            self.trained = bool(network_weights.any())

    def weigh_until_weighing(self, batches, weigh):
        """Weigh the raw ``(x, y, w)`` ``batches`` with ``weigh``, which records each here, until one weighs something.

        For a PyDataset read by worker processes (``use_multiprocessing=True``):
        the batches they encode are recorded in their own copy of the tally,
        never in this one. Reading stops at the first batch that weighs
        something in training, often the first; a stream that weighs nothing is
        read whole and refused at once, with the message of the first epoch's end.
        """
        if self.trained:
            return
        for batch in batches:
            weigh(*batch)
            if self.trained:
                return
        self.on_epoch_end(0)  # raises: nothing weighed

    def on_epoch_end(self, epoch, logs=None):
        if not self.positive:
            raise ValueError(
                "Sample weights must contain at least one non-zero number: every batch of the streamed X "
                "weighs all its samples 0, so there is nothing to train on."
            )
        if not self.trained and self.top > 0:
            raise ValueError(f"The streamed X weighs nothing in training: {self.rounded(self.top)}")
        if not self.trained:
            raise ValueError(self.weightless)


def predict_inputs(X, rows, n_features=1):
    """Inputs of a streamed ``X`` for ``predict``, in pieces of at most ``rows`` rows for arrays.

    A PyDataset or tf.data.Dataset may yield bare ``x`` batches or tuples
    ``(x,)``, ``(x, y)`` or ``(x, y, w)``, ``y`` and ``w`` possibly None; only
    ``x`` is used. ``n_features``: the fitted network's features per step, to
    tell a single series (not batched) from a batch of 2D series. A PyDataset
    or Dataset without batches raises ValueError.
    """
    if isinstance(X, np.memmap):
        for start in range(0, len(X), rows):
            yield np.asarray(X[start : start + rows])
        return
    elements = X if isinstance(X, tf.data.Dataset) else (X[i] for i in range(_n_batches(X)))
    empty = True
    for element in elements:
        # One target (a y of no dimension) marks one series, as in fit's batches;
        # a y of None is no target, as Keras reads (x, None) (a dataset in predict mode).
        single = False
        if isinstance(element, (tuple, list)):
            # As fit reads them: a list is a tuple; anything longer is not (x, y[, w]).
            if not 1 <= len(element) <= 3:
                raise ValueError(
                    "Each batch of a streamed X must be x or a tuple (x,), (x, y) or (x, y, sample_weight); got "
                    f"{type(element).__name__} of {len(element)}. Give a batch of series as one array."
                )
            single = len(element) > 1 and element[1] is not None and np.ndim(element[1]) == 0
            element = element[0]
        x = element.numpy() if hasattr(element, "numpy") else np.asarray(element)
        # A 2D batch is read as (n_samples, n_timesteps) of one feature: with as many
        # columns as the network's several features, it is one series, not batched.
        if single or x.ndim < 2 or (x.ndim == 2 and n_features > 1 and x.shape[1] == n_features):
            raise ValueError(
                "Each batch of a streamed X must hold several series, (n_samples, n_timesteps[, n_features]); "
                f"got one of shape {x.shape}, a single series. {_batch_hint(X)}"
            )
        empty = False
        yield x
    if empty:
        raise ValueError(NO_BATCHES)
