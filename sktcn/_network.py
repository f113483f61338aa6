"""Build the Keras model behind every sktcn estimator.

This is the only module that imports keras-tcn (``tcn``). The estimators hand it
hyperparameters and shapes; it hands back an uncompiled ``keras.Model``.
"""

import inspect
import math
import numbers
import warnings

import keras
import numpy as np
from keras import layers, ops
from sklearn.utils._param_validation import Interval, validate_parameter_constraints
from tcn import TCN

from sktcn._caller import caller_stacklevel
from sktcn._compat import channels_last_convolutions
from sktcn._distribute import MIXED_POLICY, dtype_policy_scope, global_mixed_policy, unmixed_policy_scope
from sktcn._ensemble import FUSED_MODEL_NAME, StackMembers
from sktcn._keras_backend import check_tcn_layer
from sktcn._validation import feature_words
from sktcn._window_scaling import varies_beyond_rounding

# keras-tcn builds its layer on tensorflow.keras, which TF_USE_LEGACY_KERAS can
# turn into Keras 2 (tf_keras); say so at import rather than fail in every fit.
check_tcn_layer(TCN, layers.Layer)

# The module whose Conv1D name keras-tcn creates its convolutions by (see SkTCN.build).
_TCN_MODULE = inspect.getmodule(TCN)

__all__ = ["receptive_field", "auto_dilations", "build_network"]

# keras-tcn's own default, used when no sequence length is known.
DEFAULT_DILATIONS = (1, 2, 4, 8, 16, 32)

# How the network reduces the TCN's output over time to one vector per series:
# the last step (keras-tcn's return_sequences=False), or a mean or maximum over
# every step.
POOLINGS = ("last", "mean", "max")
_POOLING_LAYERS = {"mean": layers.GlobalAveragePooling1D, "max": layers.GlobalMaxPooling1D}

# sktcn's series are (samples, time steps, features) whatever Keras' global
# image_data_format says (keras.json, keras.config.set_image_data_format, which
# image work may set to "channels_first"). Layers created with data_format=None
# follow that global setting, so sktcn names the layout of every layer with a
# data_format; a pooling layer saves the resolved value either way, so files
# stay as they were.
DATA_FORMAT = "channels_last"


# The arguments of receptive_field, constrained as the estimators' parameters of the same names.
_FIELD_CONSTRAINTS = {
    "kernel_size": [Interval(numbers.Integral, 1, None, closed="left")],
    "dilations": [list, tuple, np.ndarray],
    "nb_stacks": [Interval(numbers.Integral, 1, None, closed="left")],
}


def check_dilations(dilations, alternative=""):
    """ValueError unless ``dilations`` (a sequence) holds one or more positive integers.

    ``alternative`` ends the message for an empty sequence (an estimator's ", or None").
    """
    values = list(dilations)
    if not values:
        raise ValueError(f"dilations is empty; give at least one dilation, e.g. (1, 2, 4, 8){alternative}.")
    if not all(isinstance(d, numbers.Integral) and not isinstance(d, bool) and d >= 1 for d in values):
        raise ValueError(f"dilations must be positive integers, got {dilations!r}.")


def receptive_field(kernel_size, dilations, nb_stacks=1):
    """Number of past time steps a TCN's last output can see.

    keras-tcn's residual blocks hold two dilated convolutions each, so the
    receptive field is ``1 + 2 * (kernel_size - 1) * nb_stacks * sum(dilations)``.
    Anything further back than this cannot influence the prediction.

    Parameters
    ----------
    kernel_size : int
        Size of the convolution kernels.
    dilations : sequence of int
        Dilation rate of each residual block of one stack.
    nb_stacks : int, default=1
        Number of stacks of residual blocks.

    Returns
    -------
    int
        The receptive field in time steps.

    Raises
    ------
    ValueError
        If ``kernel_size`` or ``nb_stacks`` is not an integer of at least 1,
        or ``dilations`` is not a non-empty sequence of positive integers, as
        the estimators refuse them.

    Examples
    --------
    >>> from sktcn import receptive_field
    >>> receptive_field(kernel_size=3, dilations=(1, 2, 4, 8, 16, 32))
    253
    >>> receptive_field(kernel_size=8, dilations=[2 ** i for i in range(9)])
    7155
    """
    validate_parameter_constraints(_FIELD_CONSTRAINTS, dict(kernel_size=kernel_size, dilations=dilations,
                                                            nb_stacks=nb_stacks), caller_name="receptive_field")
    check_dilations(dilations)
    return 1 + 2 * (int(kernel_size) - 1) * int(nb_stacks) * int(sum(dilations))


def auto_dilations(n_timesteps, kernel_size, nb_stacks=1):
    """Smallest run of powers of two whose receptive field covers ``n_timesteps``.

    The keras-tcn author advises a receptive field at least as long as the
    sequences; this picks ``(1, 2, 4, ..., 2**k)`` with the smallest ``k`` that
    achieves it. A kernel of size 1 sees no past at all, so it gets ``(1,)``.

    Examples
    --------
    >>> from sktcn._network import auto_dilations
    >>> auto_dilations(100, kernel_size=3)
    (1, 2, 4, 8, 16)
    >>> auto_dilations(5, kernel_size=3)
    (1,)
    """
    if n_timesteps is None:
        return DEFAULT_DILATIONS
    if kernel_size <= 1:
        return (1,)
    dilations = [1]
    while receptive_field(kernel_size, dilations, nb_stacks) < n_timesteps:
        dilations.append(dilations[-1] * 2)
    return tuple(dilations)


@keras.saving.register_keras_serializable(package="sktcn")
class WeightNormConv1D(layers.Conv1D):
    """Conv1D whose kernel is reparametrised as ``g * v / ||v||`` (weight normalisation).

    Salimans & Kingma's weight normalisation, which the TCN paper applies to its
    dilated convolutions. keras-tcn 3.5 dropped its ``use_weight_norm`` option
    (it relied on TensorFlow Addons, which does not support Keras 3); this puts
    it back. ``v`` is the ordinary ``kernel`` variable, ``g`` holds one gain per
    output filter, initialised to the norm of the initial kernel so the layer
    starts out computing exactly what the plain convolution would.
    """

    def add_weight_norm(self):
        """Create the gain variable ``g`` on an already built layer."""
        # Keras locks a layer's variable tracker after build(); adding a
        # variable afterwards needs it unlocked, as Keras' own LoRA support does.
        self._tracker.unlock()
        self.weight_norm_g = self.add_weight(
            name="weight_norm_g",
            shape=(self.filters,),
            initializer=keras.initializers.Constant(
                np.linalg.norm(
                    self._kernel.numpy().reshape(-1, self.filters), axis=0
                )
            ),
            trainable=True,
        )
        self._tracker.lock()

    def build(self, input_shape):
        super().build(input_shape)
        self.add_weight_norm()

    # Keras' Conv layers save their effective kernel; a weight-normalised layer
    # must save its raw variables (direction, bias, gain) to reload exactly.
    def save_own_variables(self, store):
        layers.Layer.save_own_variables(self, store)

    def load_own_variables(self, store):
        layers.Layer.load_own_variables(self, store)

    @property
    def kernel(self):
        direction = self._kernel
        norm = ops.sqrt(ops.sum(ops.square(direction), axis=(0, 1), keepdims=True) + 1e-12)
        return direction * (self.weight_norm_g / norm)


@keras.saving.register_keras_serializable(package="sktcn")
class BlockDiagonalConv1D(layers.Conv1D):
    """Conv1D that computes ``n_blocks`` independent convolutions side by side.

    Input channel block ``j`` feeds only output channel block ``j``: the kernel
    is multiplied by a block-diagonal 0/1 mask wherever it is used, so the
    entries off the diagonal neither act nor receive a gradient (and Adam,
    which updates each entry from its own gradient, never moves them). The
    fused ensembles of ``sktcn._ensemble`` build their members' convolutions as
    one such layer: one kernel call per layer and step instead of one per member.
    """

    def set_blocks(self, n_blocks):
        """Mask an already built layer into ``n_blocks`` diagonal blocks.

        The raw kernel keeps its values: the mask applies wherever the kernel
        is used, and ``sktcn._ensemble.load_members`` writes zeros off the
        diagonal when it copies the members in.
        """
        self._block_mask = block_diagonal_mask(*self._kernel.shape, n_blocks)

    @property
    def kernel(self):
        # The mask is float32; under a mixed dtype policy (Keras' global one
        # included) the layer computes in float16 or bfloat16, and a float32
        # product would meet the float16 input in the convolution. Cast to the
        # compute dtype, a no-op under the default float32 policy.
        return self._kernel * ops.cast(self._block_mask, self.compute_dtype)


def block_diagonal_mask(size, width_in, width_out, n_blocks):
    """A ``(size, width_in, width_out)`` float32 mask with ones on ``n_blocks`` diagonal blocks.

    Examples
    --------
    >>> from sktcn._network import block_diagonal_mask
    >>> block_diagonal_mask(1, 4, 2, 2)[0]
    array([[1., 0.],
           [1., 0.],
           [0., 1.],
           [0., 1.]], dtype=float32)
    """
    if width_in % n_blocks or width_out % n_blocks:
        raise ValueError(f"widths {width_in} and {width_out} do not split into {n_blocks} equal blocks")
    rows, cols = width_in // n_blocks, width_out // n_blocks
    mask = np.zeros((size, width_in, width_out), np.float32)
    for block in range(n_blocks):
        mask[:, block * rows:(block + 1) * rows, block * cols:(block + 1) * cols] = 1.0
    return mask


# Momentum of the moving statistics of batch normalisation (see SkTCN._build_blocks).
BATCH_NORM_MOMENTUM = 0.9


@keras.saving.register_keras_serializable(package="sktcn")
class SkTCN(TCN):
    """keras-tcn's ``TCN`` layer plus the ``use_weight_norm`` option it documents.

    Batch normalisation's moving statistics follow the newest batches faster
    than keras-tcn's (``BATCH_NORM_MOMENTUM``).

    With ``use_weight_norm=True`` every dilated convolution of every residual
    block becomes a :class:`WeightNormConv1D` right after keras-tcn builds it;
    the 1x1 shape-matching convolutions stay plain, as in the TCN paper.

    With ``n_members=k`` (``nb_filters`` already ``k`` times a member's) the
    layer holds ``k`` independent TCNs side by side: every convolution that
    reads other convolutions' channels becomes a :class:`BlockDiagonalConv1D`,
    so member ``j``'s channels (block ``j`` of every layer) see only member
    ``j``'s. Batch normalisation, activations, dropout, additions and skip
    connections act channel by channel and need nothing more; layer and weight
    normalisation mix channels and are refused.
    """

    def __init__(self, use_weight_norm=False, n_members=1, **kwargs):
        self.use_weight_norm = use_weight_norm
        self.n_members = n_members
        if n_members > 1 and (use_weight_norm or kwargs.get("use_layer_norm")):
            raise ValueError("n_members > 1 needs channel-wise layers: not with layer or weight normalisation")
        super().__init__(**kwargs)

    def build(self, input_shape):
        # keras-tcn creates its sublayers here without a dtype, so they would
        # follow Keras' global policy rather than this layer's; building under
        # this layer's policy makes ``SkTCN(dtype="mixed_float16")`` mixed
        # throughout, also when a saved model is loaded again. Its Conv1D
        # layers have no data_format either: they get "channels_last"
        # (DATA_FORMAT), whatever Keras' global image_data_format, which stays
        # as the user set it.
        with dtype_policy_scope(self.dtype_policy), channels_last_convolutions(_TCN_MODULE):
            self._build_blocks(input_shape)

    def call(self, inputs, training=None, **kwargs):
        # keras-tcn's call adds the residual and skip connections with
        # layers.add, a new Add layer each call, which follows the global
        # policy of the calling thread: the network's arithmetic would depend
        # on the policy of the process that predicts, not on the network's.
        with dtype_policy_scope(self.dtype_policy):
            return super().call(inputs, training=training, **kwargs)

    def _build_blocks(self, input_shape):
        super().build(input_shape)
        if self.use_batch_norm:
            for block in self.residual_blocks:
                for layer in block.layers:
                    if isinstance(layer, layers.BatchNormalization):
                        # keras-tcn keeps Keras' momentum of 0.99: the moving
                        # statistics that predict uses then average the last
                        # ~100 batches, and a fit of a few hundred steps ends
                        # with statistics of weights long gone. On ACSF1 the
                        # classifier fit its training series in training mode
                        # (loss 0.41) but predicted only 0.65 of them; with
                        # 0.9 it predicted 0.81 of them, and 0.80 of the test
                        # series against 0.63 (benchmarks/RESULTS.md).
                        layer.momentum = BATCH_NORM_MOMENTUM
        if self.use_weight_norm:
            for block in self.residual_blocks:
                for layer in block.layers:
                    if type(layer) is layers.Conv1D:
                        # keras-tcn creates its Conv1D layers inside its own
                        # build(), with no hook to choose the class; switching
                        # the class of the built layer keeps its variables and
                        # Keras' tracking of them intact.
                        layer.__class__ = WeightNormConv1D
                        layer.add_weight_norm()
        if self.n_members > 1:
            self._split_members(input_shape[-1])

    def _split_members(self, n_inputs):
        """Make every convolution that reads the members' channels block-diagonal (see the class)."""
        for index, block in enumerate(self.residual_blocks):
            for layer in [*block.layers, block.shape_match_conv]:
                if type(layer) is not layers.Conv1D:
                    continue
                # The first block's convolutions that read the TCN's input
                # serve every member alike and stay dense.
                if index == 0 and layer._kernel.shape[1] == n_inputs:
                    continue
                layer.__class__ = BlockDiagonalConv1D
                layer.set_blocks(self.n_members)

    def get_config(self):
        config = super().get_config()
        config["use_weight_norm"] = self.use_weight_norm
        # Saved files hold single networks only (an ensemble saves its
        # members); their configs stay as before fused ensembles existed, which
        # is what sktcn's check of model files (sktcn._keras_file) accepts.
        if self.n_members > 1:
            config["n_members"] = self.n_members
        return config


def build_network(
    *,
    n_channels,
    n_timesteps,
    tcn_params,
    output_shape,
    n_classes=None,
    mixed_precision=False,
    pooling="last",
    input_statistics=None,
    head_initializer="zeros",
    n_members=1,
    input_noise=None,
):
    """Stack a keras-tcn TCN and an output head into an uncompiled Keras model.

    Parameters
    ----------
    n_channels : int
        Number of input features per time step.
    n_timesteps : int or None
        Length of the input sequences; ``None`` accepts any length.
    tcn_params : dict
        Keyword arguments of :class:`SkTCN` (keras-tcn's names).
    output_shape : tuple of int
        Shape of one sample's target, without the batch axis. With
        ``return_sequences=True`` its first entry is the time axis.
    n_classes : int or None
        ``None`` builds a linear regression head; an int builds a softmax over
        that many classes for every entry of ``output_shape``.
    mixed_precision : bool, default=False
        Compute the TCN in float16 (``mixed_float16``, float32 weights) and
        keep the output head in float32. The caller adds loss scaling to the
        optimizer (``keras.optimizers.LossScaleOptimizer``). Under a mixed
        global policy of Keras the TCN computes in that policy and the other
        layers stay float32 alike (see :func:`precision_dtypes`).
    pooling : {"last", "mean", "max"}, default="last"
        How the TCN's output over time becomes one feature vector per series:
        keras-tcn's last step, or the mean or maximum over all steps (a
        ``GlobalAveragePooling1D`` or ``GlobalMaxPooling1D`` layer named
        ``"pooling"``). With ``return_sequences=True`` there is nothing to
        pool: only ``"last"`` (ignored) is accepted.
    input_statistics : (mean, variance), "series" or None, default=None
        Per-feature statistics (see :func:`channel_statistics`): the first
        layer, a ``Normalization`` named ``"input_scaling"`` that is not
        trained, standardises the inputs with them. The statistics then live
        in the model, so predict, saved files and ensembles apply them alike.
        ``"series"`` (``SERIES_SCALING``): the first layer, a
        :class:`SeriesStandardization` named ``"input_scaling"``, standardises
        each series by its own statistics.
    head_initializer : str, default="zeros"
        Initializer of the output head's kernel (see :func:`output_head`).
    input_noise : list of float or None, default=None
        The standard deviation, per input feature, of the Gaussian noise
        added to the (scaled) inputs in training only (an
        :class:`InputNoise` layer named ``"input_noise"``, see
        :func:`noise_stddev`); None, or all zeros, adds no layer.
    n_members : int, default=1
        Build that many independent networks side by side in one TCN (see
        :class:`SkTCN`), each with its own head; the output then stacks the
        members' outputs along axis 1: ``(batch, n_members, ...)``. This is the
        training form of a fused ensemble (``sktcn._ensemble``).

    Returns
    -------
    keras.Model
    """
    if pooling not in POOLINGS:
        raise ValueError(f"pooling={pooling!r} is not one of {list(POOLINGS)}.")
    sequence = bool(tcn_params.get("return_sequences"))
    if sequence and pooling != "last":
        raise ValueError(
            f"pooling={pooling!r} reduces the time axis, which return_sequences=True keeps; "
            "use one or the other."
        )
    encoder_dtype, head_dtype = precision_dtypes(mixed_precision)
    if pooling != "last":
        tcn_params = {**tcn_params, "return_sequences": True}
    # The encoder's dtype is explicit; the other layers are float32 under a mixed global policy.
    with unmixed_policy_scope():
        inputs = keras.Input(shape=(n_timesteps, n_channels), dtype="float32")
        series = inputs
        if isinstance(input_statistics, str):
            series = SeriesStandardization(name="input_scaling")(inputs)
        elif input_statistics is not None:
            mean, variance = input_statistics
            series = keras.layers.Normalization(axis=-1, mean=list(mean), variance=list(variance),
                                                name="input_scaling")(inputs)
        if input_noise is not None and any(input_noise):
            series = InputNoise(input_noise, name="input_noise")(series)
        if n_members > 1:
            tcn_params = {**tcn_params, "n_members": n_members,
                          "nb_filters": _times(tcn_params["nb_filters"], n_members)}
        features = SkTCN(**tcn_params, name="tcn", dtype=encoder_dtype)(series)
        if pooling != "last":
            features = _POOLING_LAYERS[pooling](name="pooling", data_format=DATA_FORMAT,
                                                **({"dtype": head_dtype} if head_dtype else {}))(features)
        head = dict(sequence=sequence, output_shape=output_shape, n_classes=n_classes, dtype=head_dtype,
                    kernel_initializer=head_initializer)
        if n_members == 1:
            return keras.Model(inputs, output_head(features, **head), name="sktcn")
        outputs = [
            output_head(MemberChannels(member, n_members, name=f"channels_{member}")(features), **head,
                        name_suffix=f"_{member}")
            for member in range(n_members)
        ]
        return keras.Model(inputs, StackMembers(name="members", dtype="float32")(outputs), name=FUSED_MODEL_NAME)


def precision_dtypes(mixed_precision):
    """The ``dtype`` arguments of a network's sequence encoder and of its pooling and head, as ``(encoder, head)``.

    ``(None, None)`` leaves both to Keras' dtype policy. Under mixed precision
    the encoder (the TCN, or a baseline's LSTM) computes in float16 with
    float32 weights, and the pooling and the head stay float32: float16
    outputs lose precision and overflow in softmax and the loss. Mixed
    precision is ``mixed_precision=True`` (``mixed_float16``) or, without it,
    a mixed global policy of Keras (``keras.mixed_precision.set_global_policy``),
    which the encoder then follows. Callers build every layer but the encoder
    under :func:`sktcn._distribute.unmixed_policy_scope`, which keeps the
    others (the input scaling among them) float32 under such a policy too.

    Examples
    --------
    >>> from sktcn._network import precision_dtypes
    >>> precision_dtypes(True), precision_dtypes(False)
    (('mixed_float16', 'float32'), (None, None))
    """
    if mixed_precision:
        return MIXED_POLICY, "float32"
    mixed = global_mixed_policy()
    return (mixed, "float32") if mixed else (None, None)


# input_scaling="series": each series standardised by its own statistics, in
# the network (SeriesStandardization). build_network's input_statistics and
# scaling_statistics' result take this name for it.
SERIES_SCALING = "series"

# What SeriesStandardization divides a series' channel by at least, once the
# channel is brought to a peak of 1. A constant channel has a standard deviation
# of exactly 0 (the layer centres on the first step's values, so no rounding
# residue is left): without a floor it would be 0 / 0, NaN, where its centred
# values, all zero, are the answer. Any other channel, at a peak of 1 and with a
# 0 (its first step), has a standard deviation of at least 1 / sqrt(2 * steps),
# far above the floor: the floor never leaves such a channel unscaled.
SERIES_STD_FLOOR = 1e-7


@keras.saving.register_keras_serializable(package="sktcn")
class SeriesStandardization(layers.Layer):
    """Standardise each series, channel by channel, by its own mean and standard deviation over its steps.

    ``input_scaling="series"``: the first layer of the network, so predict,
    saved files, pickles and ONNX exports apply it as they apply any layer.
    It has no weights and no fitted state.

    - Padding: sktcn pads series of different lengths with zeros in front
      (``sktcn._validation.pad_ragged``), and treats a series padded so as the
      series itself. The steps before a series' first step with any non-zero
      channel are taken for padding: they stay out of its statistics and stay
      zero. A series that really starts with all-zero steps has them treated
      so too (add any constant to ``X``, which this scaling discards anyway,
      to make them count).
    - Constant channels become zeros (see ``SERIES_STD_FLOOR``); a series of
      zeros only stays zeros.
    - Scale: a series and the same series times any factor give the same
      outputs (to float32 rounding) while their values are normal float32
      numbers, from about 1e-38 to 3e38 in size: each channel is brought to a
      peak of 1 before its squares are summed, so they neither overflow nor
      fall below the floor. Values below that (float32's subnormal numbers,
      which TensorFlow flushes to 0) count as 0.
    - The statistics are computed in float32 (float64 in a float64 network),
      from the float32 inputs as given: under a float16 policy of the layer's
      own its inputs are not cast (``autocast=False``), as float16 holds 1e4
      to within 8 and its sums of squares overflow from values of a few
      hundred; only the result is cast. In sktcn's networks the layer is
      float32 anyway, as all but the encoder (see :func:`precision_dtypes`).

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._network import SeriesStandardization
    >>> x = np.array([[[0.0], [0.0], [10.0], [20.0], [30.0]]], np.float32)  # two steps of padding
    >>> np.round(SeriesStandardization()(x).numpy()[0, :, 0].astype(float), 4).tolist()
    [0.0, 0.0, -1.2247, 0.0, 1.2247]
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("autocast", False)
        super().__init__(**kwargs)

    def call(self, inputs):
        dtype = "float64" if self.compute_dtype == "float64" else "float32"
        x = ops.cast(inputs, dtype)
        # 1 from a series' first step with any non-zero channel on (the padding before it: 0).
        nonzero = ops.cast(ops.any(ops.not_equal(x, 0), axis=-1, keepdims=True), dtype)
        steps = ops.cumsum(nonzero, axis=1)
        valid = ops.cast(steps > 0, dtype)
        # Centred on the first valid step (the "shifted data" variance): an
        # exactly constant channel leaves exact zeros, where a mean computed in
        # float32 would leave rounding residue to be divided by a tiny deviation.
        # steps == 1 from the first valid step up to the next step with a
        # non-zero channel: the steps between are zeros, so the sum over them
        # is the first valid step's values.
        first = ops.cast(ops.equal(steps, 1), dtype)
        x = x * _exact_rescaling(x, dtype)
        shifted = (x - ops.sum(x * first, axis=1, keepdims=True)) * valid
        # At a peak of 1, whatever the series' scale: its sums of squares
        # neither overflow nor fall below SERIES_STD_FLOOR. A constant channel's
        # peak is 0 (its shifted values are exact zeros): it stays zeros.
        peak = ops.max(ops.abs(shifted), axis=1, keepdims=True)
        shifted = shifted / ops.maximum(peak, float(np.finfo(dtype).tiny))
        count = ops.maximum(ops.sum(valid, axis=1, keepdims=True), 1)
        # Padding stays zero (a product with 0 would give -0.0 below a positive mean).
        centred = ops.where(steps > 0, shifted - ops.sum(shifted, axis=1, keepdims=True) / count, 0)
        variance = ops.sum(ops.square(centred), axis=1, keepdims=True) / count
        scaled = centred / ops.maximum(ops.sqrt(variance), SERIES_STD_FLOOR)
        return ops.cast(scaled, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape


def _exact_rescaling(x, dtype):
    """A power of two per series and channel of ``x`` (n, T, F) that keeps the differences of its values normal numbers.

    Halves series whose values pass half the dtype's largest (their
    differences could overflow) and multiplies series whose values all stay
    below 2**-60 by 2**64 (their differences could fall to subnormal numbers,
    which TensorFlow flushes to 0); 1 for the others. A power of
    two rescales normal numbers exactly, and SeriesStandardization divides it
    out again with each series' peak.
    """
    peak = ops.max(ops.abs(x), axis=1, keepdims=True)
    factor = ops.where(peak > np.finfo(dtype).max / 2, 0.5, ops.where(peak < 2.0**-60, 2.0**64, 1.0))
    return ops.cast(factor, dtype)


@keras.saving.register_keras_serializable(package="sktcn")
class InputNoise(layers.Layer):
    """Add Gaussian noise of a standard deviation per feature to the inputs, in training only.

    ``input_noise``: the layer after the input scaling. A regulariser for
    small training sets: the network sees each training series a little
    differently every pass. ``predict`` (``training=False``), saved files,
    pickles and ONNX exports pass the inputs through unchanged. Its draws
    follow a seed generator of its own, which the estimators' seeded fits
    seed and their files keep, as they keep the dropout layers'.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._network import InputNoise
    >>> layer = InputNoise([0.5, 0.0])
    >>> x = np.ones((2000, 3, 2), np.float32)
    >>> bool(np.all(layer(x).numpy() == x))
    True
    >>> noisy = layer(x, training=True).numpy()
    >>> round(float(noisy[..., 0].std()), 1), bool(np.all(noisy[..., 1] == 1.0))
    (0.5, True)
    """

    def __init__(self, stddev, **kwargs):
        super().__init__(**kwargs)
        self.stddev = [float(value) for value in stddev]
        self.seed_generator = keras.random.SeedGenerator()

    def call(self, inputs, training=False):
        if not training:
            return inputs
        noise = keras.random.normal(ops.shape(inputs), dtype=self.compute_dtype, seed=self.seed_generator)
        return inputs + noise * ops.convert_to_tensor(self.stddev, dtype=self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev}


def noise_stddev(X, level, input_statistics):
    """The standard deviation per feature of the noise ``input_noise=level`` adds to the inputs (n, T, F) ``X``.

    ``level`` times each feature's standard deviation over all series and
    steps of ``X`` as the network's first layers pass it on: after the input
    scaling of ``input_statistics`` (:func:`scaling_statistics`; under
    ``SERIES_SCALING`` every feature's is 1). A feature that is constant over
    ``X`` gets none, and under ``SERIES_SCALING`` one constant within every
    series (which that scaling turns into zeros). None where ``level`` is 0.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._network import noise_stddev
    >>> X = np.stack([np.arange(6.0).reshape(2, 3) * 10, np.full((2, 3), 7.0)], axis=-1)  # std 17.1, constant
    >>> np.round(noise_stddev(X, 0.2, None), 3).tolist()
    [3.416, 0.0]
    >>> np.round(noise_stddev(X, 0.2, ([25.0, 0.0], [291.67, 1.0])), 3).tolist()  # after standardising
    [0.2, 0.0]
    >>> noise_stddev(X, 0.0, None) is None
    True
    """
    if not level:
        return None
    X = np.asarray(X)
    if isinstance(input_statistics, str):
        # SERIES_SCALING: every feature's spread is 1, and a feature constant
        # within every series is zeros.
        variance = np.ones(X.shape[-1])
        constant = np.all(X.max(axis=1) == X.min(axis=1), axis=0)
    else:
        _, variance = channel_statistics(X)
        constant = X.max(axis=(0, 1)) == X.min(axis=(0, 1))
        if input_statistics is not None:
            variance = variance / np.asarray(input_statistics[1], np.float64)
    return np.where(constant, 0.0, level * np.sqrt(variance)).tolist()


def input_noise_of(network):
    """The per-feature standard deviations of a network's :class:`InputNoise` layer, or None without one.

    A network read from a file carries them only in its layer, and a network
    built again for it (an ensemble's fused training model) needs them.
    """
    try:
        return list(network.get_layer("input_noise").stddev)
    except ValueError:
        return None


def network_signature(**args):
    """A hashable value, equal for arguments of :func:`build_network` that build the same network.

    Networks that return sequences accept any length and ignore the time axis
    of ``output_shape``, so it does not count: fits on windows of another
    length, with the same dilations, build the same network.

    Examples
    --------
    >>> from sktcn._network import network_signature
    >>> args = dict(n_channels=1, n_timesteps=None, tcn_params=dict(dilations=[1, 2], return_sequences=True),
    ...             input_statistics=None)
    >>> network_signature(**args, output_shape=(20, 3)) == network_signature(**args, output_shape=(30, 3))
    True
    >>> network_signature(**args, output_shape=(20, 3)) == network_signature(**args, output_shape=(20, 4))
    False
    """
    args = dict(args)
    if args["tcn_params"].get("return_sequences"):
        args["output_shape"] = tuple(args["output_shape"][1:])
    statistics = args.pop("input_statistics")
    if statistics is not None and not isinstance(statistics, str):
        statistics = tuple(np.asarray(part, np.float64).tobytes() for part in statistics)
    return _hashable(args), statistics


def _hashable(value):
    """``value`` with its dicts and lists as (sorted) tuples."""
    if isinstance(value, dict):
        return tuple(sorted((key, _hashable(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(item) for item in value)
    return value


def _times(nb_filters, factor):
    """keras-tcn's ``nb_filters`` (an int or one per block) multiplied by ``factor``."""
    return [n * factor for n in nb_filters] if isinstance(nb_filters, list) else nb_filters * factor


@keras.saving.register_keras_serializable(package="sktcn")
class MemberChannels(layers.Layer):
    """Member ``member``'s block of the last axis, out of ``n_members`` equal blocks."""

    def __init__(self, member, n_members, **kwargs):
        super().__init__(**kwargs)
        self.member = member
        self.n_members = n_members

    def call(self, features):
        width = features.shape[-1] // self.n_members
        return features[..., self.member * width:(self.member + 1) * width]

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] // self.n_members)

    def get_config(self):
        return {**super().get_config(), "member": self.member, "n_members": self.n_members}


def output_head(features, *, sequence, output_shape, n_classes=None, dtype=None, kernel_initializer="zeros",
                name_suffix=""):
    """The estimators' output layers on top of a sequence encoder's features.

    ``features`` is ``(batch, units)``, or ``(batch, time, units)`` when
    ``sequence`` is true; ``output_shape`` and ``n_classes`` are as for
    :func:`build_network`; ``dtype`` (e.g. ``"float32"`` under mixed precision)
    is given to every head layer. Returns the output tensor.

    ``kernel_initializer`` is the dense layer's. ``"zeros"`` (the default) starts
    every estimator at the target mean or uniform probabilities; the
    forecaster with ``baseline=None`` keeps Keras' ``"glorot_uniform"``, see
    ``TCNForecaster._regressor``. ``name_suffix`` is appended to the layers'
    names (a fused ensemble has one head per member).
    """
    head = {"dtype": dtype} if dtype else {}
    # Per time step when the encoder returns sequences, per sample otherwise.
    value_shape = tuple(output_shape[1:] if sequence else output_shape)
    units_per_value = n_classes if n_classes is not None else 1
    # The head starts at zero, so an untrained network predicts the (standardised)
    # target mean or uniform probabilities. A random head instead reads the
    # random features of the whole receptive field: on first + last (300 steps,
    # 2,500 fixed series) a 32-filter regressor's mean training loss over its first
    # epoch was 25.8 on targets of unit variance, and training never undid that
    # noise (test R^2 -0.87 after 5 epochs, 0.94 with a zero head; the default
    # regressor -0.91 and 0.99; benchmarks/RESULTS.md).
    dense = layers.Dense(
        math.prod(value_shape) * units_per_value, kernel_initializer=kernel_initializer, name="head" + name_suffix, **head
    )(features)
    target_shape = value_shape + ((n_classes,) if n_classes is not None else ())
    outputs = dense
    if sequence:
        # The time axis stays unknown so the model accepts any sequence length.
        outputs = layers.Reshape((-1,) + target_shape, name="head_shape" + name_suffix, **head)(dense)
    elif tuple(dense.shape[1:]) != target_shape:
        outputs = layers.Reshape(target_shape, name="head_shape" + name_suffix, **head)(dense)
    if n_classes is not None:
        outputs = layers.Softmax(axis=-1, name="probabilities" + name_suffix, **head)(outputs)
    return outputs


# input_scaling="auto" feeds as given the features that a network reads well
# unscaled, and standardises the rest (near_unit_scale), each rule a decade
# from unit scale: values beyond UNIT_RANGE (raw counts, accelerations), values
# all within SMALL_RANGE (strain, volts of a microvolt signal), and a level
# more than LEVEL_RATIO standard deviations from zero (a voltage of 5 +- 0.1).
# Fed as given, the last two failed silently (benchmarks/input_units.py): a
# two-frequency classification that scores 1.0 fell to chance at a scale of
# 1e-4 and as 5 +- 0.1, and a nonlinear regression (R^2 0.48) fell below 0 at
# a scale of 0.01. 0/1 indicators always go in as given: standardising the
# adding problem's sparse marker took its test R^2 from 0.889 to -0.311. The
# bounds stop a decade out, not nearer, because the held-out sets did worse
# with milder features standardised: Tecator's absorbances (3.3 +- 0.6, a
# level of 5.5 standard deviations) raised the default regressor's test RMSE
# from 1.54 to 1.89, and JapaneseVowels' channel of standard deviation 0.08
# (values to 0.43) lowered the classifier's accuracy from 0.936 to 0.921.
UNIT_RANGE = 10.0
SMALL_RANGE = 1 / UNIT_RANGE
LEVEL_RATIO = UNIT_RANGE


def scaling_statistics(X, mode):
    """Per-feature (mean, variance) that input scaling ``mode`` applies to ``X``; None for no scaling.

    ``"standard"`` standardises every feature; ``"auto"`` all but those
    :func:`near_unit_scale` finds (which get mean 0 and variance 1, leaving
    them as they are). ``"series"`` has no training
    statistics (each series is standardised by its own): it returns
    ``SERIES_SCALING``, which :func:`build_network` takes for its layer.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._network import scaling_statistics
    >>> X = np.stack([np.full((2, 3), 500.0), np.eye(2, 3), np.eye(2, 3) / 100], axis=-1)  # counts, a 0/1 marker
    >>> mean, variance = scaling_statistics(X, "auto")  # ... and a 0/0.01 one, far below unit scale
    >>> mean.round(4).tolist(), variance.round(6).tolist()
    ([500.0, 0.0, 0.0033], [1.0, 1.0, 2.2e-05])
    """
    if mode is None:
        return None
    if mode == SERIES_SCALING:
        return SERIES_SCALING
    mean, variance = channel_statistics(X)
    unit_scale = None
    if mode == "auto":
        # Each feature's range from max and min: no float64 or abs() copy of X.
        X = np.asarray(X)
        unit_scale = near_unit_scale(mean, variance, X.min(axis=(0, 1)), X.max(axis=(0, 1)))
        scaled = np.where(unit_scale, 0.0, mean), np.where(unit_scale, 1.0, variance)
    else:
        scaled = mean, variance
    check_scaling_variance(scaled[1])
    warn_below_scaling_floor(mean, variance, mode, unit_scale)
    return scaled


def near_unit_scale(mean, variance, low, high):
    """Which features ``input_scaling="auto"`` feeds as given: 0/1 indicators, and those near unit scale.

    Near unit scale: a largest magnitude from ``SMALL_RANGE`` to
    ``UNIT_RANGE``, and a mean within ``LEVEL_RATIO`` standard deviations of
    zero. Indicators are the features whose values are all 0 or 1, read
    from the statistics: for values in [0, 1], the mean of ``x * (1 - x)``,
    ``mean - mean**2 - variance``, is 0 only when each is 0 or 1. A constant
    feature other than 0 or 1 is centred (standardised:
    :func:`channel_statistics` gives it variance 1).

    Parameters
    ----------
    mean, variance : ndarray of shape (n_features,)
        Each feature's statistics over the training X (:func:`channel_statistics`).
    low, high : ndarray of shape (n_features,)
        Each feature's least and greatest training value.

    Returns
    -------
    ndarray of bool of shape (n_features,)

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._network import channel_statistics, near_unit_scale
    >>> rng = np.random.default_rng(0)
    >>> unit, marker = rng.normal(size=(50, 20)), (rng.uniform(size=(50, 20)) < 0.01) * 1.0
    >>> X = np.stack([unit, marker, 500 + unit, unit / 100, 5 + unit / 20, 3 + unit / 2], axis=-1)
    >>> near_unit_scale(*channel_statistics(X), X.min(axis=(0, 1)), X.max(axis=(0, 1))).tolist()
    [True, True, False, False, False, True]
    """
    mean, variance = np.asarray(mean, np.float64), np.asarray(variance, np.float64)
    constant = low == high
    std = np.sqrt(variance)
    indicator = (low >= 0) & (high <= 1) & (
        constant & ((high == 0) | (high == 1)) | ~constant & np.isclose(mean - mean**2, variance, rtol=1e-9, atol=0)
    )
    magnitude = np.maximum(high, -low)
    unit_like = (
        (magnitude <= UNIT_RANGE) & (magnitude >= SMALL_RANGE) & ~constant & (np.abs(mean) <= LEVEL_RATIO * std)
    )
    return indicator | unit_like


def check_scaling_variance(variance):
    """Refuse per-feature variances (float64) that the network's float32 scaling layer cannot hold.

    Keras' ``Normalization`` keeps the variance in float32: beyond 3.4e38 (a
    standard deviation beyond about 1.8e19) it becomes inf, and every input
    is scaled to 0, silently.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._network import check_scaling_variance
    >>> check_scaling_variance(np.array([1.0, 1e38]))
    >>> check_scaling_variance(np.array([1.0, 1e40]))
    Traceback (most recent call last):
    ...
    ValueError: X's feature 1 has a standard deviation of 1e+20, too large for the input scaling, ...
    """
    too_large = np.flatnonzero(variance > np.finfo(np.float32).max)
    if too_large.size:
        feature = too_large[0]
        std = np.sqrt(variance[feature])
        raise ValueError(
            f"X's feature {feature} has a standard deviation of {std:.3g}, too large for the input scaling, which "
            f"holds its square in float32 (at most 3.4e38, a standard deviation of about 1.8e19). Rescale X, e.g. "
            f"divide it by 1e{int(np.log10(std))}."
        )


def warn_below_scaling_floor(mean, variance, mode, as_given=None):
    """Warn about the features that the network's scaling layer cannot bring to unit scale.

    Keras' ``Normalization`` divides by ``max(sqrt(variance), epsilon)``,
    epsilon ``1e-7`` (``keras.config.epsilon()``), both in float32: a feature
    with a smaller standard deviation (strain of 1e-21, concentrations in
    mol/L, seconds written as 1e-9) is centred but not scaled, and reaches
    the network far below unit scale, too small to learn from. The layer is
    kept as it is (saved models hold it); rescaling the feature is the fix.
    Constant features (variance 1, :func:`channel_statistics`), rounding
    residue about a constant
    (:func:`sktcn._window_scaling.varies_beyond_rounding`) and the features
    ``"auto"`` leaves as given (near unit scale, so never this small) are
    left alone.

    Parameters
    ----------
    mean, variance : ndarray of shape (n_features,)
        Each feature's statistics over the training X (:func:`channel_statistics`).
    mode : {"standard", "auto"}
        The input scaling, named in the warning.
    as_given : ndarray of bool of shape (n_features,), default=None
        Under ``"auto"``, the features that go in as given; None: none do.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sktcn._network import warn_below_scaling_floor
    >>> warn_below_scaling_floor(np.zeros(2), np.array([1.0, 1e-12]), "standard")  # a std of 1e-6: divided by
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_below_scaling_floor(np.zeros(2), np.array([1.0, 1e-20]), "auto")
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    input_scaling='auto' cannot standardise X's feature [1]: its standard deviation (1e-10) is below 1e-07, ...
    """
    floor = np.float32(keras.config.epsilon())
    std = np.sqrt(np.asarray(variance, np.float64))
    small = (np.sqrt(np.asarray(variance, np.float32)) < floor) & varies_beyond_rounding(std, mean)
    if as_given is not None:
        small &= ~as_given
    features = np.flatnonzero(small)
    if not features.size:
        return
    words = feature_words(features)
    smallest = float(std[features].min())
    warnings.warn(
        "input_scaling={mode!r} cannot standardise {what}: {their} standard deviation{s} ({smallest}) {are} below "
        "{floor}, the least the network's scaling layer (Keras' Normalization) divides by, so {they} reach{verb_es} "
        "the network at a fraction of unit scale, too small to learn from. Multiply {them} by a constant (e.g. "
        "1e{factor}) in fit and predict.".format(
            **words, mode=mode, floor=f"{floor:.0e}", factor=-int(np.floor(np.log10(smallest))),
            smallest=f"{'the smallest ' if features.size > 1 else ''}{smallest:.3g}",
        ),
        UserWarning,
        stacklevel=caller_stacklevel(),
    )


def input_statistics_of(network):
    """The (mean, variance) that a network of :func:`build_network` standardises its inputs with, or None.

    ``SERIES_SCALING`` for a network that standardises each series by its own.

    Keras keeps a ``Normalization`` layer's statistics as constants, not
    weights: a network read from a file carries them only in its
    ``input_scaling`` layer, and a network built again for it (an ensemble's
    fused training model) needs them from there.

    Examples
    --------
    >>> from sktcn._network import build_network, input_statistics_of
    >>> args = dict(n_channels=1, n_timesteps=None, output_shape=(1,),
    ...             tcn_params=dict(nb_filters=2, kernel_size=2, dilations=[1]))
    >>> network = build_network(**args, input_statistics=([5.0], [4.0]))
    >>> [part.tolist() for part in input_statistics_of(network)]
    [[5.0], [4.0]]
    >>> input_statistics_of(build_network(**args)) is None
    True
    """
    try:
        layer = network.get_layer("input_scaling")
    except ValueError:
        return None
    if isinstance(layer, SeriesStandardization):
        return SERIES_SCALING
    return np.asarray(layer.input_mean, np.float64), np.asarray(layer.input_variance, np.float64)


def channel_statistics(X):
    """Mean and variance of each feature over all series and time steps of ``X`` (n, T, F).

    A constant feature gets variance 1, so that scaling leaves it centred
    instead of dividing by zero.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._network import channel_statistics
    >>> X = np.stack([np.full((2, 3), 5.0), np.arange(6.0).reshape(2, 3)], axis=-1)
    >>> mean, variance = channel_statistics(X)
    >>> mean.tolist(), variance.tolist()
    ([5.0, 2.5], [1.0, 2.9166666666666665])
    """
    X = np.asarray(X)
    if not X.flags.c_contiguous or X.nbytes < _STATISTICS_BLOCK_BYTES:
        X = np.asarray(X, dtype=np.float64)
        mean = X.mean(axis=(0, 1))
        variance = X.var(axis=(0, 1))
    else:
        # A float64 copy of X would set fit's peak memory: the same sums over
        # float64 blocks, added in the order NumPy adds the whole copy's, so
        # the statistics (kept in the model) stay bit for bit what they were.
        count = X.shape[0] * X.shape[1]
        rows = X.reshape(count, X.shape[2])
        mean = _float64_sum(rows, lambda values: values) / count
        variance = _float64_sum(rows, lambda values: _squared(np.subtract(values, mean, out=values))) / count
    return mean, np.where(variance > 0, variance, 1.0)


# Above this many bytes, channel_statistics reads X in float64 blocks of this size.
_STATISTICS_BLOCK_BYTES = 64 * 2**20


def _squared(values):
    """``values * values``, in place."""
    return np.multiply(values, values, out=values)


def _float64_sum(rows, term):
    """``np.add.reduce(term(rows as float64), axis=0)`` of C-contiguous ``rows`` (m, F), bit for bit, in blocks.

    ``term`` changes a float64 block in place. NumPy sums a C-contiguous
    float64 array over its rows one row after the other where a row has
    several values (F > 1), and pairwise over the whole column where it has
    one: blocks continue the first with the running sum as their first row,
    and follow the second's halving down to blocks small enough to copy.
    """
    n_rows, n_features = rows.shape
    # Whole multiples of 8 values, and above 128: NumPy halves a longer column only.
    block = max(128, _STATISTICS_BLOCK_BYTES // (8 * n_features) // 8 * 8)
    if n_features == 1:
        return np.array([_pairwise_sum(rows[:, 0], term, block)])
    buffer = np.empty((min(block, n_rows) + 1, n_features))
    total = None
    for start in range(0, n_rows, block):
        chunk = rows[start : start + block]
        values = buffer[: len(chunk) + 1]
        values[1:] = chunk
        term(values[1:])
        if total is None:
            values = values[1:]
        else:
            values[0] = total
        total = np.add.reduce(values, axis=0)
    return total


def _pairwise_sum(column, term, block):
    """NumPy's pairwise sum of ``term(column as float64)`` (1D, contiguous), halved as NumPy halves it, in blocks."""
    if len(column) <= block:
        return np.add.reduce(term(column.astype(np.float64)))
    half = len(column) // 2
    half -= half % 8
    return _pairwise_sum(column[:half], term, block) + _pairwise_sum(column[half:], term, block)

