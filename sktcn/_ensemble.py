"""Ensembles of networks from consecutive seeds, trained together as one Keras model.

InceptionTime averages five networks; sktcn's forecaster averages three. A
network's accuracy on a small training set depends on its initialisation and
batch order, and the average of several is steadier than any one of them.

The members share no weights. For prediction, :func:`average_model` averages
their outputs. For training, :func:`joint_model` stacks their outputs along a
new axis and :class:`MemberLoss` adds up the members' losses, so one Keras
``fit`` steps every member on the same batch: the small networks sktcn trains
are dominated by per-step overhead on a CPU, which the members then share, and
on a GPU the members fill the device together. Because no weight is shared, the
gradient of the summed loss with respect to a member's weights is that member's
own gradient, and Adam's update of each weight depends only on that weight's
gradients: each member trains exactly as it would alone on the same batches.
"""

import keras

# The axis of the members in the joint model's output: (batch, member, ...).
MEMBER_AXIS = 1


def _named_members(members, inputs):
    """Each member applied to ``inputs`` under a unique name, as Keras requires of one model's layers."""
    return [keras.Model(member.input, member.output, name=f"network_{k}")(inputs) for k, member in enumerate(members)]


def average_model(members, n_channels):
    """One Keras model whose output is the mean of the ``members``' outputs.

    The members' layers are shared, not copied: training a member changes the
    average too.
    """
    inputs = keras.Input(shape=(None, n_channels), dtype="float32", name="series")
    outputs = _named_members(members, inputs)
    return keras.Model(inputs, keras.layers.Average(name="average")(outputs), name="sktcn_ensemble")


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
