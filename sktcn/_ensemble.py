"""Ensembles of networks from consecutive seeds: the model that averages them.

InceptionTime averages five networks; sktcn's forecaster averages three. A
network's accuracy on a small training set depends on its initialisation and
batch order, and the average of several is steadier than any one of them.
"""

import keras


def average_model(members, n_channels):
    """One Keras model whose output is the mean of the ``members``' outputs.

    The members' layers are shared, not copied: training a member changes the
    average too. Each member is wrapped under a unique name, as Keras requires
    of the layers of one model.
    """
    inputs = keras.Input(shape=(None, n_channels), dtype="float32", name="series")
    outputs = [
        keras.Model(member.input, member.output, name=f"network_{k}")(inputs) for k, member in enumerate(members)
    ]
    return keras.Model(inputs, keras.layers.Average(name="average")(outputs), name="sktcn_ensemble")
