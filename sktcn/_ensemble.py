"""Ensembles of networks from consecutive seeds, trained together as one Keras model.

InceptionTime averages five networks; sktcn's forecaster averages three. A
network's accuracy on a small training set depends on its initialisation and
batch order, and the average of several is steadier than any one of them.

The members share no weights. For prediction, :func:`average_model` averages
their outputs: that model is what files hold, and sktcn's predictions do its
arithmetic with :func:`mean_of_members`, outside TensorFlow's graph. For
training, :func:`joint_model` stacks their outputs along a
new axis and :class:`MemberLoss` adds up the members' losses, so one Keras
``fit`` steps every member on the same batch: the small networks sktcn trains
are dominated by per-step overhead on a CPU, which the members then share, and
on a GPU the members fill the device together. Because no weight is shared, the
gradient of the summed loss with respect to a member's weights is that member's
own gradient, and Adam's update of each weight depends only on that weight's
gradients: each member trains exactly as it would alone on the same batches.

Small networks can train *fused* instead: :func:`sktcn._network.build_network`
with ``n_members=k`` builds one TCN ``k`` times as wide whose convolutions are
block-diagonal, so each member's channels see only its own, and one head per
member. Each layer then runs one kernel per step for all members, instead of
one per member: on a CPU, where small networks spend their time in the
per-operation overhead, that is what makes an ensemble cheap. The members stay
the canonical form (prediction, files, ``predict_members``):
:func:`load_members` copies them into the fused model before a fit and
:func:`store_members` copies the result back.
"""

import keras
import numpy as np

from sktcn._distribute import unmixed_policy_scope

# The axis of the members in the joint model's output: (batch, member, ...).
MEMBER_AXIS = 1

# The name of a fused ensemble's training model (build_network(n_members=k)).
FUSED_MODEL_NAME = "sktcn_fused"

# The most arithmetic a fit may do to train its ensemble fused: one member's
# series-steps times passes times sktcn._training.network_cost (blocks of the
# default width), see fuses_members.
FUSED_MAX_COST = 1_000_000


def fuses_members(n_members, fit_cost):
    """Whether ``n_members`` networks train fused, for a fit that costs ``fit_cost`` per member.

    ``fit_cost`` is one member's arithmetic over the whole fit: series-steps
    per pass, times passes, times :func:`sktcn._training.network_cost`. A
    fused layer does ``n_members`` times the members' own arithmetic (its
    blocks off the diagonal multiply zeros) in one kernel call instead of
    ``n_members``, and the fit traces one network's graph instead of
    ``n_members``: that pays where tracing and per-step overhead, not
    arithmetic, make up the fit. Measured on the 2-core machine
    (``benchmarks/RESULTS.md``, "Fused ensembles"): fused was faster for
    ``TCNForecaster()`` on airline (cost 0.08 million) and for 16-filter
    regressors on 1,000 series of 64 steps, 20 epochs (0.4 million), and
    slower for the adding problem with 32 filters, kernel 8, 200 steps, 3
    epochs (1.6 million) and far slower for GunPoint's default classifiers
    (249 s against 100 s side by side; their cost, 60 million in the plan of
    the code measured then, is about 54 million in today's). The bound,
    1 million, lies between them.

    Examples
    --------
    >>> from sktcn._ensemble import fuses_members
    >>> fuses_members(3, 200_000), fuses_members(3, 54_000_000), fuses_members(1, 200_000)
    (True, False, False)
    """
    return n_members > 1 and fit_cost <= FUSED_MAX_COST


def _named_members(members, inputs):
    """Each member applied to ``inputs`` under a unique name, as Keras requires of one model's layers."""
    return [keras.Model(member.input, member.output, name=f"network_{k}")(inputs) for k, member in enumerate(members)]


def average_model(members, n_channels):
    """One Keras model whose output is the mean of the ``members``' outputs.

    The members' layers are shared, not copied: training a member changes the
    average too.
    """
    # The average of float32 outputs (probabilities) stays float32 under a mixed global policy.
    with unmixed_policy_scope():
        inputs = keras.Input(shape=(None, n_channels), dtype="float32", name="series")
        outputs = _named_members(members, inputs)
        return keras.Model(inputs, keras.layers.Average(name="average")(outputs), name="sktcn_ensemble")


def mean_of_members(outputs):
    """The mean of the members' ``outputs`` as ``average_model``'s ``Average`` layer computes it eagerly.

    Summed in order, left to right, then divided by their number: Keras'
    ``Average`` arithmetic. Call it eagerly, outside any ``tf.function``: in a
    traced graph TensorFlow's optimiser turns the division by the constant
    number of members into a multiplication by its reciprocal, which rounds
    differently in the last bit. That is why sktcn's traced forward pass of an
    ensemble returns the members' outputs and averages them here
    (``sktcn._forward.TracedOnDemand``): predictions are then bit for bit the
    same whether the forward pass ran eagerly or traced, before or after a
    save and load.

    Parameters
    ----------
    outputs : list of ndarray
        The members' outputs, in member order, of one shape and floating dtype.

    Returns
    -------
    ndarray
        Their mean, of the same shape and dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._ensemble import mean_of_members
    >>> a, b, c = (np.array([x], np.float32) for x in (0.1, 0.7, 1.3))
    >>> bool(mean_of_members([a, b, c])[0] == ((a + b) + c)[0] / np.float32(3))
    True
    """
    total = outputs[0]
    for output in outputs[1:]:
        total = total + output
    # NumPy's float32 addition and division round as TensorFlow's eager kernels
    # do (IEEE 754), at a few microseconds per call instead of eager ops' ~0.2 ms.
    return total / total.dtype.type(len(outputs))


def member_networks(model):
    """The member networks of an :func:`average_model`, in order."""
    members = [layer for layer in model.layers if layer.name.startswith("network_")]
    return sorted(members, key=lambda layer: int(layer.name.split("_")[-1]))


class StackMembers(keras.layers.Layer):
    """The members' outputs stacked along ``MEMBER_AXIS``. Used for training only, never saved."""

    def call(self, outputs):
        return keras.ops.stack(outputs, axis=MEMBER_AXIS)


def joint_model(members, n_channels):
    """One Keras model that outputs every member's prediction: ``(batch, n_members, ...)``.

    It shares the members' layers, so training it trains them.
    """
    with unmixed_policy_scope():  # a float32 model, as the members are (sktcn._distribute)
        inputs = keras.Input(shape=(None, n_channels), dtype="float32", name="series")
        outputs = _named_members(members, inputs)
        return keras.Model(inputs, StackMembers(name="members", dtype="float32")(outputs), name="sktcn_members")


class MemberLoss(keras.losses.Loss):
    """The sum over members of ``loss`` between the target and each member's output.

    ``loss`` is anything ``keras.losses.get`` accepts. The per-sample values
    are summed before Keras applies sample weights and averages over the
    batch, so a weight counts alike for every member.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._ensemble import MemberLoss
    >>> y_true = np.array([[1.0], [2.0]], "float32")
    >>> y_pred = np.array([[[1.0], [0.0]], [[2.0], [4.0]]], "float32")  # (batch, member, output)
    >>> float(MemberLoss("mse")(y_true, y_pred))  # member 0 exact; member 1 errs by 1 and 2
    2.5
    """

    def __init__(self, loss, name="member_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.loss = loss
        base = keras.losses.get(loss)
        # A Loss object's call() gives the per-sample values its __call__ reduces.
        self._per_sample = base.call if isinstance(base, keras.losses.Loss) else base

    def call(self, y_true, y_pred):
        n_members = y_pred.shape[MEMBER_AXIS]
        total = 0.0
        for k in range(n_members):
            total = total + self._per_sample(y_true, keras.ops.take(y_pred, k, axis=MEMBER_AXIS))
        return total

    def get_config(self):
        return {**super().get_config(), "loss": keras.losses.serialize(keras.losses.get(self.loss))}


def member_block(member_shape, fused_shape, member, n_members):
    """The index of member ``member``'s part of a fused variable.

    An axis as long in the member as in the fused variable is shared (the
    input channels of the first convolution, a kernel's width); an axis
    ``n_members`` times longer is sliced to the member's block.

    Examples
    --------
    >>> from sktcn._ensemble import member_block
    >>> member_block((3, 2, 4), (3, 2, 12), 1, 3)  # reads the input: output channels sliced
    (slice(None, None, None), slice(None, None, None), slice(4, 8, None))
    >>> member_block((3, 4, 4), (3, 12, 12), 2, 3)  # reads members' channels: a diagonal block
    (slice(None, None, None), slice(8, 12, None), slice(8, 12, None))
    """
    index = []
    for size, fused_size in zip(member_shape, fused_shape, strict=True):
        if fused_size == size:
            index.append(slice(None))
        elif fused_size == size * n_members:
            index.append(slice(member * size, (member + 1) * size))
        else:
            raise ValueError(f"a variable of shape {tuple(fused_shape)} cannot hold {n_members} of shape "
                             f"{tuple(member_shape)}")
    return tuple(index)


def _paired_variables(fused, members):
    """``(fused variable, [each member's variable])`` for every variable of a fused model.

    A member's layer ``name`` is the fused model's ``name_k`` where each member
    has its own (the heads), else its ``name`` (the TCN, the input scaling).
    """
    fused_layers = {layer.name: layer for layer in fused.layers}
    pairs = {}
    for k, member in enumerate(members):
        for layer in member.layers:
            if not layer.weights:
                continue
            target = fused_layers.get(f"{layer.name}_{k}", fused_layers.get(layer.name))
            if target is None or len(target.weights) != len(layer.weights):
                raise ValueError(f"the fused model has no counterpart of the members' layer {layer.name!r}")
            for fused_var, member_var in zip(target.weights, layer.weights):
                pairs.setdefault(id(fused_var), (fused_var, []))[1].append(member_var)
    return list(pairs.values())


def load_members(fused, members):
    """Copy the ``members``' weights (and statistics) into their blocks of the ``fused`` model."""
    for fused_var, member_vars in _paired_variables(fused, members):
        # Entries outside every member's block (off the diagonal) stay zero.
        value = np.zeros(fused_var.shape, keras.backend.standardize_dtype(fused_var.dtype))
        for k, member_var in enumerate(member_vars):
            value[member_block(member_var.shape, fused_var.shape, k, len(member_vars))] = (
                member_var.numpy()
            )
        fused_var.assign(value)


def store_members(fused, members):
    """Copy each member's block of the ``fused`` model back into the ``members``."""
    for fused_var, member_vars in _paired_variables(fused, members):
        value = fused_var.numpy()
        for k, member_var in enumerate(member_vars):
            member_var.assign(value[member_block(member_var.shape, fused_var.shape, k, len(member_vars))])


def is_fused(model):
    """Whether ``model`` is a fused ensemble's training model (``build_network(n_members=k)``)."""
    return model.name == FUSED_MODEL_NAME
