"""Training batches from in-memory arrays, in a new order on every pass.

Keras' own pipeline for NumPy arrays (TensorFlow backend, Keras 3.15) draws its
permutation inside a ``tf.data`` map and starts a new iterator every epoch. A
new iterator restarts a seeded random op, so once a seed is set (sktcn seeds
every fit that has a ``random_state``) every epoch visits the same batches in
the same order: ``shuffle=True`` shuffled once. Starting that iterator also
costs time every epoch: a ``TCNForecaster(n_networks=1)`` fit on airline, 15
epochs of one batch, took 2.6 s with it and 2.0 s without
(``benchmarks/RESULTS.md``).

:func:`epoch_batches` builds one endless pipeline instead: each pass over the
data is a fresh permutation (``Dataset.shuffle`` with
``reshuffle_each_iteration``, seeded, so a fit stays reproducible), ``passes``
of them make a Keras epoch, and Keras keeps the one iterator for the whole fit
because it is given the steps per epoch.
"""

import math

import numpy as np
import tensorflow as tf

from sktcn._random import tensorflow_seed_unset


class TooFewSamples(ValueError):
    """A fit refused because its samples are too few for a setting (a validation split, a strategy's replicas).

    A ValueError; its own class so that a caller that chose the samples (the
    forecaster's spaced windows) can name its own remedy beside the message's.
    """


def batch_sizes(n_samples, batch_size, passes=1, replicas=1, samples=None):
    """Sizes of the batches of one Keras epoch of ``passes`` passes over ``n_samples`` samples.

    As few batches as ``batch_size`` allows, of equal size to within one
    sample: 35 samples in batches of at most 32 make batches of 18 and 17, not
    32 and 3. A remainder batch of a few samples would weigh as much in the
    optimisation as a full one and, reshuffled every pass, add a noisy step
    to every epoch; batch normalisation would take its statistics from those
    few. On the rolling-origin forecasts of lynx (19 to 65 training windows) it
    nearly doubled the error relative to seasonal naive on two seeds of three
    (``benchmarks/RESULTS.md``). The passes of an epoch follow each other
    without a gap, so a batch may hold the end of one pass and the start of
    the next.

    Under a distribution strategy of ``replicas`` replicas the first batch
    holds a multiple of ``replicas`` samples, the others as equal as that
    leaves them (to within ``replicas`` where possible): Keras (3.15) builds
    the model from the first batch of a fit averaged over the replicas, which
    needs equal shares; later batches may split unevenly, but every batch
    holds at least ``replicas`` samples, as a replica given none fails. A
    remainder too small for that is folded into the batches before it, so a
    batch may then exceed ``batch_size`` by fewer than ``replicas`` samples.
    One replica: the sizes above.

    ``samples``: the samples as that error names them, with their count
    (default ``"<n_samples> samples"``), e.g. the ones a validation split
    holds out.

    Raises
    ------
    ValueError
        If the replicas outnumber ``batch_size``, or the samples cannot make
        batches of at least ``replicas`` each whose first is a multiple of
        ``replicas``: they must number exactly ``replicas`` or at least twice
        as many (over the ``passes``).

    Examples
    --------
    >>> from sktcn._epoch_batches import batch_sizes
    >>> batch_sizes(35, 32), batch_sizes(64, 32), batch_sizes(67, 32, passes=3)
    ([18, 17], [32, 32], [29, 29, 29, 29, 29, 28, 28])
    >>> batch_sizes(33, 32), batch_sizes(33, 32, replicas=2), batch_sizes(34, 64, replicas=4)
    ([17, 16], [16, 17], [16, 18])
    >>> batch_sizes(5, 2), batch_sizes(5, 2, replicas=2)
    ([2, 2, 1], [2, 3])
    """
    if n_samples < 1 or batch_size < 1 or passes < 1 or replicas < 1:
        raise ValueError(
            f"n_samples={n_samples}, batch_size={batch_size}, passes={passes} and replicas={replicas} must all be "
            "at least 1."
        )
    total = passes * n_samples
    problems, remedies = [], []
    if batch_size < replicas:
        problems.append(f"batch_size={batch_size} cannot give each replica one")
        remedies.append(f"a batch_size of at least {replicas}")
    # Exactly ``replicas`` make one batch shared evenly; from twice as many,
    # batches of at least ``replicas`` the first of them a multiple; between,
    # one batch is not shared evenly and two leave one too small.
    too_few = bool(total % replicas) and total < 2 * replicas
    if too_few:
        counted = samples or samples_text(n_samples)
        if passes > 1:
            counted += f" ({passes} passes over them: {total})"
        problems.append(f"{counted} cannot give each replica one" if total < replicas else
                        f"{counted} cannot make batches of at least {replicas}, the first shared evenly "
                        f"(a multiple of {replicas})")
        remedies.append(f"exactly {replicas} or at least {2 * replicas} samples"
                        f"{f' in the {passes} passes' if passes > 1 else ''}")
    if problems:
        # TooFewSamples where the samples' count is among the problems, not batch_size alone.
        raise (TooFewSamples if too_few else ValueError)(
            f"A distribution strategy of {replicas} replicas splits every batch between them, but "
            f"{' and '.join(problems)}: {' and '.join(remedies)} would do, or fewer replicas."
        )
    n_batches = math.ceil(total / batch_size)
    sizes = _even(total, n_batches)
    while sizes is None or sizes[0] % replicas:
        sizes = _first_shared(total, n_batches, batch_size, replicas)
        n_batches += 1
    if min(sizes) < replicas:
        sizes = _folded(total, sizes[0], replicas)
    return sizes


def samples_text(count):
    """``count`` followed by "sample" or "samples"."""
    return f"{count} sample{'' if count == 1 else 's'}"


def _folded(total, first, replicas):
    """``total`` samples in batches of at least ``replicas``, the first ``first`` or fewer by a multiple of them.

    The samples after the first batch go to as many batches of at least
    ``replicas`` as they fill, evened out (so each holds fewer than twice
    ``replicas``); a remainder too small for one batch takes ``replicas``
    samples from the first. The caller has checked that ``total`` allows it.
    """
    while 0 < total - first < replicas:
        first -= replicas
    rest = total - first
    return [first] + (_even(rest, rest // replicas) if rest else [])


def _even(total, n_batches):
    """``total`` samples in ``n_batches`` batches of equal size to within one, the larger first."""
    small, larger = divmod(total, n_batches)
    return [small + 1] * larger + [small] * (n_batches - larger)


def _first_shared(total, n_batches, batch_size, replicas):
    """Batches as equal as possible whose first is a multiple of ``replicas``; None where ``n_batches`` cannot.

    The first batch is the multiple nearest the mean size below or above it,
    whichever leaves the sizes closer together; the rest are evened out.
    """
    if n_batches < 2:
        return None
    best = None
    mean = total / n_batches
    for first in (replicas * math.floor(mean / replicas), replicas * math.ceil(mean / replicas)):
        if not replicas <= first <= min(batch_size, total - (n_batches - 1)):
            continue
        sizes = [first] + _even(total - first, n_batches - 1)
        if sizes[1] <= batch_size and (best is None or max(sizes) - min(sizes) < max(best) - min(best)):
            best = sizes
    return best


def epoch_batches(arrays, batch_size, passes=1, shuffle=True, seed=None, replicas=1):
    """An endless ``tf.data.Dataset`` of batches of ``arrays``, and the batches per Keras epoch.

    Parameters
    ----------
    arrays : tuple of ndarray
        Arrays with the samples along their first axis, all of the same
        length, e.g. ``(X, y, sample_weight)``; each batch is the same tuple.
    batch_size : int
        The most samples in a batch (see :func:`batch_sizes`).
    passes : int, default=1
        Passes over the samples per Keras epoch.
    shuffle : bool, default=True
        Whether each pass visits the samples in a new random order.
    seed : int or None, default=None
        Seed of the orders. With a seed, the sequence of orders is the same in
        every run, whatever TensorFlow's global seed; with None it is not.
    replicas : int, default=1
        Replicas of the distribution strategy that trains on the batches.

    Returns
    -------
    dataset : tf.data.Dataset
        Batches without end, of the :func:`batch_sizes`: give Keras
        ``steps_per_epoch`` with it.
    steps : int
        Batches per Keras epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._epoch_batches import epoch_batches
    >>> data, steps = epoch_batches((np.arange(5),), batch_size=5, seed=0)
    >>> passes = [sorted(batch.numpy().tolist()) for (batch,) in data.take(2)]
    >>> steps, passes
    (1, [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4]])
    """
    n_samples = len(arrays[0])
    if any(len(array) != n_samples for array in arrays):
        raise ValueError(f"The arrays hold different numbers of samples: {[len(a) for a in arrays]}.")
    sizes = batch_sizes(n_samples, batch_size, passes, replicas)
    order = tf.data.Dataset.range(n_samples)
    if shuffle:
        # The whole pass fits in the buffer: a full permutation, drawn anew
        # each time the repeats below start the pass again (within an epoch
        # and from one epoch to the next).
        # TensorFlow pairs the seed with its global one as it is when the
        # shuffle is made (a user's, another thread's fit's): not with it.
        with tensorflow_seed_unset(seed):
            order = order.shuffle(n_samples, seed=seed, reshuffle_each_iteration=True)
    # One element per epoch: the indices of its passes, then cut into batches.
    epochs = order.repeat(passes).batch(passes * n_samples)
    ends = tf.constant(np.cumsum(sizes), tf.int64)
    cuts = tf.data.Dataset.from_tensor_slices((ends - tf.constant(sizes, tf.int64), ends))

    def cut(indices):
        batches = tf.data.Dataset.zip((tf.data.Dataset.from_tensors(indices).repeat(), cuts))
        return batches.map(lambda epoch, bounds: epoch[bounds[0]:bounds[1]])

    order = epochs.flat_map(cut).repeat()
    # One copy of the arrays inside the pipeline (not a constant per batch),
    # as Keras' own adapter holds them.
    data = tf.data.Dataset.from_tensors(tuple(arrays)).repeat()

    def gather(indices, tensors):
        return tuple(tf.gather(tensor, indices) for tensor in tensors)

    dataset = tf.data.Dataset.zip((order, data)).map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    return _as_keras_sets_arrays(dataset), len(sizes)


def evaluation_batches(arrays, batch_size, replicas, samples=None):
    """A finite ``tf.data.Dataset`` of the samples of ``arrays`` in order, in batches of :func:`batch_sizes`.

    For data a fit validates on under a strategy of several ``replicas``:
    Keras' own batches of ``batch_size`` (or fewer, the last) may start
    with one that the replicas cannot share evenly (see :func:`batch_sizes`,
    whose error names the samples ``samples``).

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._epoch_batches import evaluation_batches
    >>> [len(x) for (x,) in evaluation_batches((np.arange(7),), batch_size=32, replicas=2)]
    [4, 3]
    """
    sizes = batch_sizes(len(arrays[0]), batch_size, replicas=replicas, samples=samples)
    ends = np.cumsum(sizes)
    bounds = tf.data.Dataset.from_tensor_slices((ends - sizes, ends))
    data = tf.data.Dataset.from_tensors(tuple(arrays)).repeat()

    def cut(bound, tensors):
        return tuple(tensor[bound[0]:bound[1]] for tensor in tensors)

    return _as_keras_sets_arrays(tf.data.Dataset.zip((bounds, data)).map(cut))


def _as_keras_sets_arrays(dataset):
    """``dataset`` with the options Keras gives its own pipeline for arrays but autotuning off, prefetched."""
    options = tf.data.Options()
    # No graph rewrites to pay for on a small pipeline; split by data under a
    # distribution strategy.
    options.experimental_optimization.apply_default_optimizations = False
    # No autotuning: destroying an iterator whose autotuning had run stalled
    # the end of about one fit in four for 0.6-3.5 s (benchmarks/RESULTS.md),
    # and gathering batches of arrays needs no tuning. AUTOTUNE in the map of
    # epoch_batches and in the prefetch below then means as many parallel
    # calls as TensorFlow has threads (at most 16) and a fixed buffer.
    options.autotune.enabled = False
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options).prefetch(tf.data.AUTOTUNE)
