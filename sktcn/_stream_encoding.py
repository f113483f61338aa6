"""How a streamed fit checks, weighs and encodes each batch, in this process or in Keras' worker processes.

A PyDataset with ``use_multiprocessing=True`` is read by Keras' worker
processes, and sktcn's encoding of its batches runs there with it. Under
multiprocessing's ``fork`` start method the workers inherit both; under
``spawn`` and ``forkserver`` (the default on macOS and Windows, and on Linux
from Python 3.14) they receive them by pickle. :class:`StreamEncoding` pickles
as a copy of the estimator without its network and training objects, which
encoding does not use; :func:`check_picklable` refuses, before training, a
dataset that those workers could not receive.
"""

import functools
import io
import multiprocessing
import numbers
from multiprocessing.reduction import ForkingPickler

import numpy as np

from sktcn._streaming import WeightTally
from sktcn._training import given_weights, unit_mean_weights
from sktcn._validation import checked_sample_weight

# The estimator's attributes that encoding a batch never reads: the network and what
# trains or predicts with it (heavy, or holding threads and traced graphs), and the
# callbacks built from the parameters (a user's callback may hold a lock, which does not
# pickle). Parameters that hold objects are left out by _encoding_copy's own rule.
_TRAINING_ONLY = frozenset({
    "model_", "_predict_function", "_member_functions", "_predict_lock", "_trainer", "_trainer_lease",
    "_fit_callbacks", "_predict_callbacks", "_callbacks_built_from", "_fit_args", "_network_reuse", "history_",
    # The parameters the network was built with, which may be a user's objects (see _plain).
    "_built_with",
})


def _refused_weights(check, *args, **kwargs):
    """``check(*args, **kwargs)``; its ValueError names the stream's batch as where the weights came from."""
    try:
        return check(*args, **kwargs)
    except ValueError as error:
        raise ValueError(f"A batch of the streamed X carries invalid sample weights: {error}") from None


class StreamEncoding:
    """A streamed fit's checks and encoding of one batch ``(x, y, w)``, for ``estimator`` (being fitted).

    Parameters
    ----------
    estimator : TCNEstimatorBase
        The estimator whose fitted encoders and checks apply (its network is not used).
    tally : WeightTally
        Records the weights of each batch weighed in this process.
    name : str
        What messages call the training weights.

    ``mean_weight``: what a fit divides the training weights by (the stream's
    mean, found by :func:`sktcn._streaming.stream_mean_weight` before training);
    1 until then, and for ``partial_fit``, which keeps them as given.
    """

    def __init__(self, estimator, tally, name):
        self.estimator, self.tally, self.name, self.mean_weight = estimator, tally, name, 1.0

    def weigh(self, x, y, w):
        """The checked batch: ``(x, encoded y, training weights)``, recorded in the tally."""
        estimator = self.estimator
        x, y = estimator._validate_data(x, y)
        if w is not None:
            # As in memory, batch by batch; all zero only over the whole stream (tally).
            w = _refused_weights(functools.partial(checked_sample_weight, allow_all_zero=True), w, x)
        y = estimator.target_encoder_.transform(y)
        weights = estimator._training_weights(y, w)
        if estimator._normalises_weights():
            # Divided by the stream's mean in encode, where a batch's may round to 0 in float32, but not
            # the largest of the stream (at least 1): over the stream some reach the network if any is positive.
            self.tally.record(w, weights, weights)
            return x, y, weights
        # partial_fit's reach it as given, as float32 holds them: a batch of 1e-50 weighs nothing there,
        # as an all-zero batch; the tally refuses a stream of which nothing reaches it.
        network_weights = _refused_weights(given_weights, weights, self.name, allow_all_zero=True)
        self.tally.record(w, weights, network_weights)
        return x, y, network_weights

    def encode(self, x, y, w):
        """What the network trains on for the batch: ``(encoded x, encoded y, weights)``."""
        x, y, weights = self.weigh(x, y, w)
        if self.estimator._normalises_weights():
            weights = _refused_weights(unit_mean_weights, weights, self.mean_weight, self.name)
        return self.estimator.feature_encoder_.transform(x), y, weights

    def __getstate__(self):
        # For a worker process: the estimator without what only training uses, and a tally of its own
        # (a Keras callback holds the model; what a worker tallies stays there, see WeightTally).
        state = dict(vars(self))
        state["estimator"] = _encoding_copy(self.estimator)
        state["tally"] = WeightTally(self.tally.weightless, self.tally.rounded)
        return state


def _encoding_copy(estimator):
    """A shallow copy of ``estimator`` for encoding batches elsewhere; built without ``__init__``.

    Without what only training reads (``_TRAINING_ONLY``), and without the
    parameters, routed ones included, that hold objects rather than plain
    values (a callback, a loss or a network's ``activation`` may be a user's
    function or object): those build and train the network, and the checks
    of a batch read the fitted encoders and shapes instead.
    """
    params = estimator.get_params(deep=False)
    copy = object.__new__(type(estimator))
    copy.__dict__.update((name, value) for name, value in vars(estimator).items()
                         if name not in _TRAINING_ONLY and (name not in params or _plain(value)))
    return copy


def _plain(value):
    """Whether ``value`` is None, a bool, number or string (NumPy's scalars too), or a tuple, list or dict of such.

    Examples
    --------
    >>> from sktcn._stream_encoding import _plain
    >>> import numpy as np
    >>> _plain({"a": (1, 2.5, None, np.True_)}), _plain([1, len])
    (True, False)
    """
    if value is None or isinstance(value, (bool, numbers.Number, str, np.generic)):
        return True
    if isinstance(value, (tuple, list)):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(_plain(key) and _plain(item) for key, item in value.items())
    return False


class _Discarded(io.RawIOBase):
    """A writable stream that keeps nothing: a pickle's size need not fit in memory to be tried."""

    def writable(self):
        return True

    def write(self, data):
        return len(data)


def check_picklable(dataset, encoding):
    """Refuse, with the fix, a PyDataset read by worker processes (``use_multiprocessing=True``) that does not pickle.

    Only where they receive it by pickle: under a start method other than
    ``fork``. ``encoding``, the :class:`StreamEncoding` that goes with it, is
    checked too. Keras would otherwise fail in its own thread, and the fit
    would end in TensorFlow's error about a PyFunc node.
    """
    method = multiprocessing.get_start_method()
    if method == "fork":
        return
    processes = (f"use_multiprocessing=True, whose worker processes receive it by pickle under multiprocessing's "
                 f"{method!r} start method (the default on macOS and Windows, and on Linux from Python 3.14)")
    fix = "or set use_multiprocessing=False (its workers are then threads)."
    try:
        _pickled_nowhere(dataset)
    except Exception as error:  # pickle raises PicklingError, TypeError or AttributeError, by object
        raise TypeError(
            f"X is a {type(dataset).__name__} with {processes}, but it cannot be pickled: {error}. Define its class "
            f"at the top level of a module and keep only picklable attributes, {fix}"
        ) from error
    try:
        _pickled_nowhere(encoding)
    except Exception as error:
        raise TypeError(
            f"X is a {type(dataset).__name__} with {processes}, with the estimator's checks of the batches, and a "
            f"parameter of {type(encoding.estimator).__name__} cannot be pickled: {error}. Give it picklable "
            f"values, {fix}"
        ) from error


def _pickled_nowhere(obj):
    """Pickle ``obj`` as multiprocessing does, keeping nothing; raises what pickling raises."""
    ForkingPickler(_Discarded()).dump(obj)
