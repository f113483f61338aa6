"""The default training regime, ``epochs="auto"``: how long to train, and how.

A fixed number of epochs means very different amounts of optimisation on
different data: 50 epochs are ~100 gradient steps on a UCR training set of 50
series and ~8,000 on 5,000 series. ``epochs="auto"`` instead plans a budget of
gradient steps, bounded by the compute it costs, and lets the data decide
within it:

* the learning rate halves whenever the monitored loss stalls
  (reduce-on-plateau, as ResNet and InceptionTime train on the UCR archive);
* training stops once the loss has stalled for longer than the schedule
  can help, so large data sets do not pay for the whole plan;
* the weights of the epoch with the lowest monitored loss are kept.

The numbers below were chosen by the measurements in ``benchmarks/RESULTS.md``
("Defaults that learn"). Everything here is a pure function of sizes, so tests
reach it without training a network.
"""

import math
from dataclasses import dataclass, field

import keras
import numpy as np

# Gradient steps the plan aims for: enough for a network of the default size to
# converge on a UCR training set of a few dozen series. Counted as passes batched
# one at a time take them; small sets run fewer, fuller ones (see plan_training).
TARGET_STEPS = 4000

# Bounds on the planned passes over the training data. The floor keeps large
# data sets at a few passes (each already holds thousands of steps).
MIN_PASSES = 10
MAX_PASSES = 2000

# What the passes of a plan may cost in all, counted in the time of one series
# x time step through one residual block of the default width (64 filters,
# kernel 3), see network_time: 2-3 minutes of training on a 2-core CPU when it
# was set (1.5-2.0 us each, measured on ACSF1 on different days), 1-1.5 minutes
# since the fits lost their overheads (0.9-1.2 us: ACSF1 in 74-92 s). Kept:
# twice the bound took ACSF1 past 3 minutes for about one test series in a
# hundred (benchmarks/RESULTS.md). Long series reach this bound before the
# step budget.
MAX_COST = 80_000_000

# A residual block's time per series-step grows with its filters f as
# f^2 x kernel_size (the convolutions' multiply-adds) plus PER_FILTER_COST x f:
# the work done once per channel (activations, normalisation, residual sums,
# moving the activations through memory). Measured per block and series-step
# on ACSF1 with batch normalisation (benchmarks/RESULTS.md, eighth session):
# 2.0 us with 64 filters, 1.4 with 48, 0.78 with 32 and 0.42 with 16 (kernel
# 3), 1.0 with 24 filters of kernel 8. The convolutions alone would put 32
# filters at a quarter of 64's time; they took 0.35-0.55 of it (ACSF1 and
# OSULeaf); this model says 0.42.
PER_FILTER_COST = 381

# What each gradient step costs besides its series-steps (the optimizer's
# update, Keras' dispatch), in the same unit: ~15 ms, as long as 7,500
# series-steps through a default block. Measured on OSULeaf with 32 filters:
# a pass of 7 steps took 0.42 s where its series-steps account for 0.28 s, and
# halving the batch (twice the steps) added 15-28 ms per added step. Without
# it a 32-filter classifier planned 565 passes there and took 237 s.
STEP_COST = 7_500

# Keras pays for every epoch (callbacks, logs, a validation pass) whatever its
# size: 2,000 passes over 50 series would spend minutes on it. Small training
# sets therefore run several passes per Keras epoch, each pass in a new order
# (sktcn._epoch_batches: no copies of the data), as many as would make at least
# this many batches one pass at a time. The epoch cuts its passes into batches
# together, fewer and fuller ones (see plan_training).
MIN_STEPS_PER_EPOCH = 32

# Reduce-on-plateau: halve the learning rate after this fraction of the planned
# epochs without improvement (at least MIN_PATIENCE epochs), down to
# MIN_LR_FACTOR times the initial rate.
PATIENCE_FRACTION = 0.05
MIN_PATIENCE = 5
LR_FACTOR = 0.5
MIN_LR_FACTOR = 0.01

# Smallest decrease of the monitored loss that counts as an improvement (the
# losses are of standardised targets or cross-entropies, so one scale suits all;
# sample and class weights are brought to a mean of 1, see unit_mean_weights).
MIN_DELTA = 1e-4

# Training stops after this many plateau patiences without improvement: by
# then the learning rate has been halved several times to no avail.
STOP_PATIENCES = 4

# A training loss below this leaves little to learn from the training data: a
# classifier's mean cross-entropy of 1e-3 gives its training series ~0.999 of
# the probability on average, a regressor's MSE on standardised targets explains
# 99.9 % of their variance. Training on would only sharpen that: on GunPoint the
# test accuracy did not move over the last 34 of 46 epochs, which took 60 % of
# the fit (benchmarks/RESULTS.md). Applies when the training loss is monitored.
CONVERGED_LOSS = 1e-3


# validation_split="auto" (TCNRegressor's default): the share of the training
# series held out for the regime to monitor, and the fewest series for which it
# is held out. Below AUTO_VALIDATION_MIN_SERIES a fifth is fewer than 20 series:
# too few to pick an epoch by, and each one is missed in training. On
# Covid3Month (140 noisy series) the held-out loss stopped the fit before it
# memorised the training set: RMSE 0.0425 against 0.0584 over three seeds,
# then below ridge and the random forest; 0.0431, level with ridge, since every
# pass draws a new order (benchmarks/RESULTS.md).
AUTO_VALIDATION_FRACTION = 0.2
AUTO_VALIDATION_MIN_SERIES = 100


@dataclass(frozen=True)
class TrainingPlan:
    """Keras epochs to run, each holding ``repeats`` passes over the training data.

    ``scheduled``: the plan of ``epochs="auto"``, trained with the regime's
    callbacks; an explicit number of epochs runs at a constant learning rate.
    ``cost_per_pass``: one network's arithmetic in a pass (see
    :func:`plan_training`); infinite where not known.
    """

    epochs: int
    repeats: int = 1
    scheduled: bool = False
    cost_per_pass: float = field(default=math.inf, repr=False, compare=False)

    @property
    def passes(self):
        return self.epochs * self.repeats

    @property
    def cost(self):
        """One network's arithmetic over the whole fit: ``passes x cost_per_pass``."""
        return self.passes * self.cost_per_pass


def network_cost(network_shape):
    """Cost of one series-step through a network, in blocks of the default width.

    ``network_shape`` is (residual blocks, filters, kernel size). A block's two
    convolutions cost ~ filters^2 x kernel size; below 16 filters Keras'
    per-step overhead dominates, so smaller widths count as 16.

    Examples
    --------
    >>> from sktcn._training import network_cost
    >>> network_cost((4, 64, 3)), network_cost((5, 32, 3))
    (4.0, 1.25)
    """
    blocks, filters, kernel_size = network_shape
    return blocks * max(filters, 16) ** 2 * kernel_size / (64**2 * 3)


def network_time(network_shape):
    """Time of one series-step through a network, in blocks of the default width.

    What bounds ``epochs="auto"`` (``MAX_COST``). Unlike :func:`network_cost`,
    which counts the convolutions' arithmetic, it also counts the work per
    filter that narrow networks spend most of their time on
    (``PER_FILTER_COST``). Below 16 filters per-step overhead dominates, so
    smaller widths count as 16.

    Examples
    --------
    >>> from sktcn._training import network_time
    >>> network_time((4, 64, 3)), round(network_time((4, 32, 3)), 3)
    (4.0, 1.665)
    """
    blocks, filters, _ = network_shape
    # Both terms in network_cost's unit (one default block's multiply-adds),
    # then rescaled so that one default block still counts 1.
    per_filter = blocks * PER_FILTER_COST * max(filters, 16) / (64**2 * 3)
    default_block = 1 + PER_FILTER_COST * 64 / (64**2 * 3)
    return (network_cost(network_shape) + per_filter) / default_block


def plan_training(steps_per_pass, cost_per_pass, repeatable=False, time_per_pass=None):
    """What ``epochs="auto"`` plans for one training set.

    Parameters
    ----------
    steps_per_pass : int
        Gradient steps (batches) in one pass over the training data.
    cost_per_pass : float
        Series times time steps in one pass, times the :func:`network_cost`
        of the network: its arithmetic, which the plan carries (``cost``).
    repeatable : bool, default=False
        Whether a Keras epoch may hold several passes: true for arrays and
        crops, false for streamed data, whose epoch is the stream's length.
    time_per_pass : float or None
        Series times time steps in one pass, times the :func:`network_time`
        of the network. ``None``: ``cost_per_pass`` (the two agree for
        blocks of the default width). With ``STEP_COST`` for each of its
        steps, it is what ``MAX_COST`` bounds.

    Returns
    -------
    TrainingPlan
        ``ceil(TARGET_STEPS / steps_per_pass)`` passes, capped so that they
        take at most ``MAX_COST`` of time, within ``[MIN_PASSES, MAX_PASSES]``;
        grouped ``repeats`` to a Keras epoch so that its passes would make at
        least ``MIN_STEPS_PER_EPOCH`` batches one at a time. Whole epochs round
        the passes up (past ``MAX_COST`` by less than an epoch), or down where
        up would pass ``MAX_PASSES``.

    Notes
    -----
    The plan counts ``steps_per_pass`` steps per pass, as a pass batched on
    its own takes them. A Keras epoch of ``repeats`` passes over ``n``
    samples is batched as one run of ``repeats x n`` samples
    (:func:`sktcn._epoch_batches.batch_sizes`): ``ceil(repeats x n /
    batch_size)`` full batches, fewer than ``repeats x steps_per_pass`` where
    ``batch_size`` does not divide ``n``: with batches of 32, an epoch of 16
    passes over 50 series (two steps a pass) runs 25 steps where 32 are
    counted, one of 32 passes over 10 series (one step a pass) 10 steps. The
    time bound charges ``STEP_COST`` for the counted steps, so it errs on the
    safe side for such sets.

    Examples
    --------
    >>> from sktcn._training import plan_training
    >>> plan_training(steps_per_pass=2, cost_per_pass=50 * 150 * 4.0, repeatable=True)  # GunPoint
    TrainingPlan(epochs=112, repeats=16, scheduled=True)
    >>> plan_training(steps_per_pass=157, cost_per_pass=5000 * 200 * 4.0)  # 5,000 series of 200 steps
    TrainingPlan(epochs=15, repeats=1, scheduled=True)
    """
    if steps_per_pass < 1 or not cost_per_pass > 0:
        raise ValueError(
            f"steps_per_pass={steps_per_pass} and cost_per_pass={cost_per_pass} "
            "must both be positive: the training data holds no batch."
        )
    passes = math.ceil(TARGET_STEPS / steps_per_pass)
    pass_time = (cost_per_pass if time_per_pass is None else time_per_pass) + steps_per_pass * STEP_COST
    affordable = int(MAX_COST // pass_time)
    passes = int(max(MIN_PASSES, min(MAX_PASSES, passes, affordable)))
    repeats = 1
    if repeatable:
        repeats = min(math.ceil(MIN_STEPS_PER_EPOCH / steps_per_pass), passes)
    # Whole epochs of `repeats` passes: rounded up, except past MAX_PASSES, the
    # documented most (20 series would run 2,016 passes, 63 epochs of 32), where
    # they are rounded down (repeats <= MIN_STEPS_PER_EPOCH, so far above
    # MIN_PASSES). The compute bound is a budget of a minute or two: less than
    # an epoch beyond it is kept, as the benchmarked plans have it.
    epochs = math.ceil(passes / repeats)
    if epochs * repeats > MAX_PASSES:
        epochs = passes // repeats
    return TrainingPlan(epochs=epochs, repeats=repeats, scheduled=True, cost_per_pass=cost_per_pass)


def is_unit_mean(mean):
    """Whether a mean weight is 1 to float32 precision, the precision the network trains in.

    Weights of such a mean already weigh as weights of mean 1 would: dividing
    them by it would change them only by rounding, and they scale the loss by
    nothing (``unit_mean_weights``, a diverged ``partial_fit``'s message).

    Examples
    --------
    >>> from sktcn._training import is_unit_mean
    >>> is_unit_mean(1.0 + 1e-9), is_unit_mean(1.5)
    (True, False)
    """
    # In float64: NumPy 2 casts a Python float compared with float32's eps to float32, where 1e50 overflows.
    return bool(abs(float(mean) - 1.0) <= float(np.finfo(np.float32).eps))


def float32_precision(weights):
    """``weights`` rounded to float32's precision, in float64, which keeps them where float32's range ends.

    The network trains in float32: within float32's normal range (about
    1.2e-38 to 3.4e38) the values are exactly those of a cast to float32, so a
    fit's weights divided by their mean (``unit_mean_weights``) are what they
    were when the cast came first, bit for bit. Below it (1e-50, 0 in
    float32) and above it (1e50, infinite) they keep float32's precision and
    their ratios until that division; float32's subnormal numbers, below its
    normal range, hold fewer significant bits than these values keep.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._training import float32_precision
    >>> bool(float32_precision(np.array([0.1]))[0] == np.float32(0.1))
    True
    >>> bool(float32_precision(np.array([0.1 * 2.0**-200]))[0] * 2.0**200 == np.float32(0.1))
    True
    >>> bool(float32_precision(np.array([np.finfo(np.float64).max]))[0] == np.finfo(np.float64).max)
    True
    """
    # float32 rounds the significand to 24 bits; frexp's is in [0.5, 1), where float32 has no range limit.
    significand, exponent = np.frexp(weights)
    with np.errstate(over="ignore"):
        rounded = np.ldexp(significand.astype(np.float32).astype(np.float64), exponent)
    # The largest float64 numbers round up to 2**1024, beyond float64's range: they stay at its largest.
    top = np.finfo(np.float64).max
    return np.where(np.isfinite(weights), np.clip(rounded, -top, top), rounded)


def unit_mean_weights(weights, mean, name="Sample weights"):
    """A fit's training weights divided by ``mean``, their mean over the fit, in float32, so that they average 1.

    Keras averages the weighted losses, ``sum(w * loss) / n``: the weights'
    mean scales the loss that the regime compares with absolute thresholds
    (``CONVERGED_LOSS``, ``MIN_DELTA``), and the gradients to which Adam adds
    its epsilon. Weights of 1e-3 stopped ``epochs="auto"`` after one epoch,
    weights of 1e-30 trained nothing and weights of 1e30 diverged. Divided by
    their mean, weights that differ by a constant factor train alike, and a
    constant weight as no weight; only their ratios count, which the weighted
    objective keeps. The division comes before the cast to float32, in which
    weights of 1e-50 are 0 and weights of 1e50 infinite.

    Parameters
    ----------
    weights : ndarray of float64
        The weights of the loss (TCNClassifier's class weights times the
        sample weights), or some of them (one batch of a stream).
    mean : float
        Their mean over every weight of the fit (in float64), positive.
    name : str, default="Sample weights"
        What a message calls ``weights``: "Sample weights times class
        weights" where class weights take part, so that it does not give
        their product as the user's sample weights.

    Returns
    -------
    ndarray of float32
        ``weights / mean``; ``weights`` themselves where ``mean`` is 1 to
        float32 precision (ones, balanced class weights, ``is_unit_mean``):
        dividing them would change them only by rounding.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._training import unit_mean_weights
    >>> weights = np.array([0.25, 0.75]) * 1e-50
    >>> unit_mean_weights(weights, weights.mean()).tolist()
    [0.5, 1.5]
    """
    if not np.isfinite(mean):
        # Weights near float64's largest number: their sum overflows (or class weights times them do).
        raise ValueError(
            f"{_weights_reaching(weights.max(initial=0.0), name)} sum beyond float64's range, so their mean is "
            "infinite: only their ratios count in a fit, so divide them by a constant factor, e.g. their largest."
        )
    if is_unit_mean(mean):
        return weights.astype(np.float32)
    return (weights / np.float64(mean)).astype(np.float32)


def given_weights(weights, name="Sample weights", allow_all_zero=False):
    """A ``partial_fit``'s training weights in float32, the network's precision, refused where it loses them.

    ``partial_fit`` uses each call's weights as given (they weigh the calls
    relative to each other), so nothing brings them into float32's range
    first: weights that all round to 0 there would train nothing, and
    weights beyond its largest number (about 3.4e38) make the loss infinite.

    Parameters
    ----------
    weights : ndarray of float64
        The weights of the loss, non-negative (checked before).
    name : str, default="Sample weights"
        What a message calls ``weights`` (see ``unit_mean_weights``).
    allow_all_zero : bool, default=False
        Whether they may all round to 0: ``weights`` are one batch of a
        stream, which may weigh nothing, as long as the whole stream does
        not (``sktcn._streaming.WeightTally``).

    Returns
    -------
    ndarray of float32

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._training import given_weights
    >>> given_weights(np.array([0.5, 2.0])).tolist()
    [0.5, 2.0]
    >>> given_weights(np.array([1e-50]), allow_all_zero=True).tolist()
    [0.0]
    >>> given_weights(np.array([1e-50]))
    Traceback (most recent call last):
    ...
    ValueError: Sample weights of at most 1e-50 all round to 0 in float32, ...
    """
    top = weights.max(initial=0.0)
    if top > np.finfo(np.float32).max:
        # 10 ** floor(log10(top)) is at most top, so within float64's range, and brings the largest weight below 10.
        factor = f", e.g. 1e{int(np.floor(np.log10(top)))}" if np.isfinite(top) else ""
        raise ValueError(
            f"{_weights_reaching(top, name)} exceed float32's largest number (about 3.4e38), in which the network "
            f"trains, and partial_fit uses each call's weights as given: divide them by a constant factor{factor}."
        )
    cast = weights.astype(np.float32)
    if top > 0 and not allow_all_zero and not cast.any():
        raise ValueError(rounded_to_zero(top, name))
    return cast


def rounded_to_zero(top, name="Sample weights"):
    """The message for ``partial_fit`` weights, positive and at most ``top``, that all round to 0 in float32.

    Examples
    --------
    >>> from sktcn._training import rounded_to_zero
    >>> rounded_to_zero(2e-50)[:60]
    'Sample weights of at most 2e-50 all round to 0 in float32, i'
    """
    return (
        f"{name} of at most {top:.3g} all round to 0 in float32, in which the network trains "
        "(it holds nothing below about 1.4e-45), and partial_fit uses each call's weights as given: "
        f"multiply them by a constant factor, e.g. 1e{-int(np.floor(np.log10(top)))}."
    )


def _weights_reaching(top, name="Sample weights"):
    """How a message names training weights whose largest is ``top``: infinite only as a product with class weights."""
    if np.isfinite(top):
        return f"{name} of up to {top:.3g}"
    # Sample and class weights are each checked finite; their product may still overflow float64.
    return "Sample weights times class weights (some of them infinite in float64)"


def validation_fraction(validation_split, n_samples, scheduled, in_memory=True):
    """The share of the training series a fit holds out, ``validation_split="auto"`` resolved.

    Parameters
    ----------
    validation_split : float or "auto"
        The estimator's parameter. A number is kept as given.
    n_samples : int
        Series in the training data.
    scheduled : bool
        Whether the fit runs the regime of ``epochs="auto"``, the only one
        that uses the held-out loss (to schedule, stop and pick the weights).
    in_memory : bool, default=True
        False for streamed data, which has no series to draw a split from.

    Returns
    -------
    float
        ``AUTO_VALIDATION_FRACTION`` for "auto" when the fit is scheduled, in
        memory, and has at least ``AUTO_VALIDATION_MIN_SERIES`` series; 0.0
        for "auto" otherwise (an explicit ``epochs`` trains on every series).

    Examples
    --------
    >>> from sktcn._training import validation_fraction
    >>> validation_fraction("auto", 140, scheduled=True), validation_fraction("auto", 50, scheduled=True)
    (0.2, 0.0)
    >>> validation_fraction("auto", 140, scheduled=False), validation_fraction(0.1, 50, scheduled=False)
    (0.0, 0.1)
    """
    if not isinstance(validation_split, str):
        return float(validation_split)
    if scheduled and in_memory and n_samples >= AUTO_VALIDATION_MIN_SERIES:
        return AUTO_VALIDATION_FRACTION
    return 0.0


def plateau_patience(epochs):
    """Epochs without improvement before the learning rate is halved."""
    return max(MIN_PATIENCE, int(round(PATIENCE_FRACTION * epochs)))


def regime_callbacks(epochs, monitor, initial_learning_rate, n_members=1):
    """The callbacks of ``epochs="auto"``: learning-rate schedule, stops, best weights.

    Parameters
    ----------
    epochs : int
        The planned Keras epochs (``TrainingPlan.epochs``).
    monitor : {"loss", "val_loss"}
        What the schedule watches: the validation loss when there is a
        validation split, the training loss otherwise.
    initial_learning_rate : float or None
        The optimizer's learning rate at the start; the schedule never goes
        below ``MIN_LR_FACTOR`` times it. None: the optimizer computes its
        rate with a schedule of its own (a ``LearningRateSchedule``), which
        the regime leaves alone: no ``ReduceLROnPlateau``.
    n_members : int, default=1
        Networks whose losses the monitored loss adds up (an ensemble trained
        as one model): the thresholds are per network.

    Returns
    -------
    list of keras.callbacks.Callback
        A :class:`StopWhenConverged` when ``monitor`` is the training loss,
        then ``ReduceLROnPlateau`` (unless ``initial_learning_rate`` is None)
        and ``EarlyStopping`` (which restores the best weights at the end of
        any fit).
    """
    patience = plateau_patience(epochs)
    converged = [StopWhenConverged(monitor, CONVERGED_LOSS * n_members)] if monitor == "loss" else []
    reduce = [] if initial_learning_rate is None else [
        keras.callbacks.ReduceLROnPlateau(
            monitor=monitor,
            factor=LR_FACTOR,
            patience=patience,
            min_lr=initial_learning_rate * MIN_LR_FACTOR,
            min_delta=MIN_DELTA * n_members,
        ),
    ]
    return converged + reduce + [
        keras.callbacks.EarlyStopping(
            monitor=monitor,
            patience=STOP_PATIENCES * patience,
            # What counts as an improvement is the same for both callbacks:
            # a training loss creeping towards zero stops the fit.
            min_delta=MIN_DELTA * n_members,
            restore_best_weights=True,
        ),
    ]


class StopWhenConverged(keras.callbacks.Callback):
    """Stop training once the monitored loss of an epoch falls below ``threshold``."""

    def __init__(self, monitor, threshold):
        super().__init__()
        self.monitor = monitor
        self.threshold = threshold

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is not None and value < self.threshold:
            self.model.stop_training = True
