import pickle
import threading
import time

import keras
import numpy as np
import pytest
import scikeras  # noqa: F401  (makes Keras models picklable)
import tcn.tcn

from sktcn import receptive_field
from sktcn._network import DEFAULT_DILATIONS, SkTCN, WeightNormConv1D, auto_dilations, build_network


def test_receptive_field_matches_keras_tcn_formula():
    # 1 + 2 * (K - 1) * N_stacks * sum(dilations), and keras-tcn's own property.
    assert receptive_field(3, (1, 2, 4, 8, 16, 32)) == 1 + 2 * 2 * 63
    assert receptive_field(2, (1, 2, 4), nb_stacks=2) == 1 + 2 * 1 * 2 * 7
    layer = SkTCN(kernel_size=5, dilations=[1, 2, 4, 8], nb_stacks=3)
    assert layer.receptive_field == receptive_field(5, [1, 2, 4, 8], 3)


@pytest.mark.parametrize("args, message", [
    (dict(kernel_size=0, dilations=(1, 2)), "'kernel_size' parameter of receptive_field"),
    (dict(kernel_size=2.9, dilations=(1, 2)), "'kernel_size' parameter of receptive_field"),
    (dict(kernel_size="3", dilations=(1,)), "'kernel_size' parameter of receptive_field"),
    (dict(kernel_size=2, dilations=(1, 2), nb_stacks=-1), "'nb_stacks' parameter of receptive_field"),
    (dict(kernel_size=2, dilations=()), "dilations is empty"),
    (dict(kernel_size=2, dilations=(0,)), "dilations must be positive integers"),
    (dict(kernel_size=2, dilations=(1.5, 2)), "dilations must be positive integers"),
    (dict(kernel_size=2, dilations=4), "'dilations' parameter of receptive_field"),
])
def test_receptive_field_refuses_what_the_estimators_refuse(args, message):
    # It returned -5 for kernel_size=0, 1 for no dilations, and truncated 2.9 to 2.
    with pytest.raises(ValueError, match=message):
        receptive_field(**args)


@pytest.mark.parametrize("length", [1, 2, 5, 13, 14, 100, 600, 1000])
@pytest.mark.parametrize("kernel_size", [2, 3, 8])
def test_auto_dilations_cover_the_sequence_and_are_minimal(length, kernel_size):
    dilations = auto_dilations(length, kernel_size)
    assert dilations == tuple(2**i for i in range(len(dilations)))
    assert receptive_field(kernel_size, dilations) >= length
    if len(dilations) > 1:
        assert receptive_field(kernel_size, dilations[:-1]) < length


def test_auto_dilations_without_a_length_fall_back_to_keras_tcn_default():
    assert auto_dilations(None, 3) == DEFAULT_DILATIONS == (1, 2, 4, 8, 16, 32)


def test_weight_norm_kernel_is_gain_times_unit_direction():
    layer = WeightNormConv1D(filters=5, kernel_size=3)
    layer.build((None, 7, 2))
    direction = keras.ops.convert_to_numpy(layer._kernel)
    # Starts equal to the plain kernel: g is initialised to ||v||.
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer.kernel), direction, rtol=1e-5, atol=1e-6)
    layer.weight_norm_g.assign(np.arange(1, 6, dtype="float32"))
    kernel = keras.ops.convert_to_numpy(layer.kernel)
    norms = np.linalg.norm(kernel.reshape(-1, 5), axis=0)
    np.testing.assert_allclose(norms, np.arange(1, 6), rtol=1e-5)


def test_weight_norm_applies_to_every_dilated_convolution_and_trains():
    model = build_network(
        n_channels=2, n_timesteps=None, output_shape=(1,),
        tcn_params=dict(nb_filters=4, dilations=[1, 2], use_weight_norm=True),
    )
    tcn = model.get_layer("tcn")
    convs = [layer for block in tcn.residual_blocks for layer in block.layers if isinstance(layer, keras.layers.Conv1D)]
    assert len(convs) == 4 and all(isinstance(c, WeightNormConv1D) for c in convs)
    gains = [w for w in model.trainable_weights if "weight_norm_g" in w.path]
    assert len(gains) == 4
    before = [keras.ops.convert_to_numpy(g).copy() for g in gains]
    model.compile("adam", "mse")
    x = np.random.RandomState(0).normal(size=(16, 9, 2)).astype("float32")
    model.fit(x, x[:, -1, :1], epochs=3, verbose=0)
    assert any(not np.allclose(b, keras.ops.convert_to_numpy(g)) for b, g in zip(before, gains))


@pytest.mark.parametrize("use_weight_norm", [False, True])
def test_models_pickle_with_identical_outputs(use_weight_norm):
    model = build_network(
        n_channels=2, n_timesteps=None, output_shape=(3,), n_classes=4,
        tcn_params=dict(nb_filters=4, dilations=[1, 2, 4], use_weight_norm=use_weight_norm),
    )
    # The head starts at zero (every model would then give uniform
    # probabilities): give it weights so that the outputs depend on all layers.
    head = model.get_layer("head")
    head.kernel.assign(np.random.RandomState(0).normal(size=head.kernel.shape).astype("float32"))
    x = np.random.RandomState(1).normal(size=(5, 20, 2)).astype("float32")
    copy = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(copy(x)), keras.ops.convert_to_numpy(model(x)))


def test_building_networks_leaves_other_threads_image_data_format_alone(image_data_format):
    # sktcn's convolutions are channels_last whatever Keras' global image_data_format;
    # the build set that global to channels_last, and another thread's image layers,
    # made meanwhile, took it instead of the user's channels_first.
    image_data_format("channels_first")
    seen, started, stop = set(), threading.Event(), threading.Event()

    def image_work():
        while not stop.is_set():
            seen.update({keras.config.image_data_format(), keras.layers.Conv2D(2, 3).data_format})
            started.set()
            time.sleep(0.001)  # lets the builds run

    thread = threading.Thread(target=image_work)
    thread.start()
    try:
        started.wait()
        for _ in range(3):
            layer = SkTCN(nb_filters=4, kernel_size=2, dilations=[1, 2, 4, 8], nb_stacks=2)
            layer.build((None, 12, 3))
            convolutions = [c for block in layer.residual_blocks for c in [*block.layers, block.shape_match_conv]
                            if isinstance(c, keras.layers.Conv1D)]
            assert {c.data_format for c in convolutions} == {"channels_last"}
            assert len(convolutions) == 8 * 2 + 1  # and the 1x1 one that matches 3 features to 4
    finally:
        stop.set()
        thread.join()
    assert seen == {"channels_first"}
    # keras-tcn's module makes its own convolutions again, by Keras' class itself.
    assert tcn.tcn.Conv1D is keras.layers.Conv1D


@pytest.mark.parametrize(
    "output_shape, n_classes, return_sequences, expected",
    [
        ((1,), None, False, (5, 1)),
        ((3,), None, False, (5, 3)),
        ((), 4, False, (5, 4)),
        ((2,), 4, False, (5, 2, 4)),
        ((20,), None, True, (5, 20)),
        ((20, 2), None, True, (5, 20, 2)),
        ((20,), 3, True, (5, 20, 3)),
        ((20, 2), 3, True, (5, 20, 2, 3)),
    ],
)
def test_head_shapes(output_shape, n_classes, return_sequences, expected):
    model = build_network(
        n_channels=1, n_timesteps=None, output_shape=output_shape, n_classes=n_classes,
        tcn_params=dict(nb_filters=4, dilations=[1, 2], return_sequences=return_sequences),
    )
    out = keras.ops.convert_to_numpy(model(np.zeros((5, 20, 1), "float32")))
    assert out.shape == expected
    if n_classes:
        np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("n_classes, return_sequences", [(None, False), (3, False), (None, True)])
def test_untrained_networks_predict_the_target_mean_or_uniform_probabilities(n_classes, return_sequences):
    # A random head would read random features of the whole receptive field:
    # on first + last (length 300) a regressor's mean training loss over its
    # first epoch was 25.8 on targets of unit variance.
    model = build_network(
        n_channels=1, n_timesteps=None, output_shape=(30,) if return_sequences else (1,), n_classes=n_classes,
        tcn_params=dict(nb_filters=8, dilations=[1, 2, 4], return_sequences=return_sequences),
    )
    x = np.random.RandomState(0).normal(scale=5.0, size=(6, 30, 1)).astype("float32")
    out = keras.ops.convert_to_numpy(model(x))
    np.testing.assert_allclose(out, 1.0 / n_classes if n_classes else 0.0, atol=1e-6)
    # Only the head starts at zero: the features it reads vary with the input.
    features = keras.ops.convert_to_numpy(model.get_layer("tcn")(x))
    assert features.std() > 0


@pytest.mark.parametrize("shape", [(7, 50, 1), (3, 333, 1), (6, 90, 3), (1, 500, 2)])
def test_channel_statistics_in_blocks_are_those_of_a_float64_copy(monkeypatch, shape):
    # A float64 copy of X set fit's peak memory (+2 GiB for 500 MiB of float32): large X is
    # read in blocks, with the statistics (kept in the model) bit for bit the copy's.
    import sktcn._network as network

    X = (np.random.default_rng(0).normal(size=shape) * 3 + 1e3).astype(np.float32)
    copy = np.asarray(X, dtype=np.float64)
    expected = copy.mean(axis=(0, 1)), copy.var(axis=(0, 1))
    monkeypatch.setattr(network, "_STATISTICS_BLOCK_BYTES", 64)  # blocks of 128 rows
    mean, variance = network.channel_statistics(X)
    assert mean.tobytes() == expected[0].tobytes() and variance.tobytes() == expected[1].tobytes()
