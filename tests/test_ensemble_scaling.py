"""n_networks (averaged networks from consecutive seeds) and input_scaling of TCNClassifier/TCNRegressor."""

import pickle
import warnings

import numpy as np
import pytest
from conftest import TINY, global_policy, run_in_own_process

import sktcn
from sktcn import TCNClassifier, TCNRegressor
from sktcn._ensemble import member_networks
from sktcn._network import (
    SMALL_RANGE,
    UNIT_RANGE,
    SeriesStandardization,
    build_network,
    channel_statistics,
    near_unit_scale,
    scaling_statistics,
)
from sktcn._validation import pad_ragged


def test_member_k_trains_as_a_single_network_seeded_random_state_plus_k(series_2d):
    # One Keras model trains both members on the same batches (shuffle=False:
    # the same batches a single network sees), each from its own seed.
    X, y = series_2d
    params = dict(TINY, shuffle=False)
    ensemble = TCNRegressor(**params, n_networks=2, random_state=5).fit(X, y)
    singles = [TCNRegressor(**params, random_state=seed).fit(X, y) for seed in (5, 6)]
    members = ensemble.predict_members(X)
    assert len(members) == 2
    for member, single in zip(members, singles):
        assert np.std(member) > 0  # the zero head has trained: the comparison can fail
        np.testing.assert_allclose(member, single.predict(X), rtol=1e-4, atol=1e-5)
    assert not np.allclose(members[0], members[1])
    np.testing.assert_allclose(ensemble.predict(X), np.mean(members, axis=0), atol=1e-5)
    # The ensemble's loss is the sum of its members'.
    np.testing.assert_allclose(ensemble.history_["loss"], np.sum([s.history_["loss"] for s in singles], axis=0),
                               rtol=1e-4)


def test_an_ensemble_warns_of_a_short_receptive_field_once_per_fit(series_2d):
    # Each member's build warned, so one fit gave the same warning n_networks times.
    X, y = series_2d
    reg = TCNRegressor(**TINY, dilations=(1,), n_networks=3)
    for _ in range(2):  # a refit warns again
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            reg.fit(X, y)
        field = [w for w in caught if "receptive field (5 steps)" in str(w.message)]
        assert len(field) == 1 and field[0].filename == __file__


def test_a_classifier_ensemble_averages_probabilities_and_keeps_training(series_3d):
    X, y = series_3d
    ensemble = TCNClassifier(**TINY, n_networks=2, random_state=0).fit(X, y)
    proba = np.mean(ensemble.predict_members(X), axis=0)
    np.testing.assert_allclose(ensemble.predict_proba(X), proba, atol=1e-6)
    np.testing.assert_array_equal(ensemble.predict(X), ensemble.classes_[proba.argmax(axis=1)])
    before = ensemble.predict_members(X)
    ensemble.partial_fit(X, y)  # one more epoch for every member
    assert len(ensemble.history_["loss"]) == TINY["epochs"] + 1
    after = ensemble.predict_members(X)
    assert all(not np.allclose(b, a) for b, a in zip(before, after))
    np.testing.assert_allclose(ensemble.predict_proba(X), np.mean(after, axis=0), atol=1e-6)


def test_a_single_network_is_its_only_member(series_2d):
    X, y = series_2d
    single = TCNRegressor(**TINY, random_state=0).fit(X, y)
    (member,) = single.predict_members(X)
    np.testing.assert_array_equal(member, single.predict(X))


def test_a_warm_start_cannot_change_the_number_of_networks(series_2d):
    X, y = series_2d
    ensemble = TCNRegressor(**TINY, n_networks=2, warm_start=True, random_state=0).fit(X, y)
    expected = ensemble.predict(X)
    ensemble.set_params(n_networks=3)
    with pytest.raises(ValueError, match="n_networks=3 but the fitted model holds 2"):
        ensemble.fit(X, y)
    np.testing.assert_array_equal(ensemble.predict(X), expected)  # the failed fit changed nothing


def test_an_ensemble_survives_pickling_and_saving(series_2d, tmp_path):
    X, y = series_2d
    ensemble = TCNRegressor(**TINY, n_networks=2, random_state=0).fit(X, y)
    expected = ensemble.predict(X)
    ensemble.save(tmp_path / "model")
    with warnings.catch_warnings():
        # Keras warned on every load of an ensemble ("Skipping variable loading
        # for optimizer") while the average's optimizer was saved unbuilt.
        warnings.simplefilter("error", UserWarning)
        unpickled = pickle.loads(pickle.dumps(ensemble))
        loaded = sktcn.load(tmp_path / "model")
    np.testing.assert_array_equal(unpickled.predict(X), expected)
    np.testing.assert_array_equal(loaded.predict(X), expected)
    # A loaded (or unpickled) ensemble rebuilds its joint model to train on.
    loaded.set_params(warm_start=True).fit(X, y)
    assert len(loaded.history_["loss"]) == 2 * TINY["epochs"]
    assert not np.allclose(loaded.predict(X), expected)


def test_a_loaded_ensemble_warm_starts_with_its_input_scaling(rng, tmp_path):
    # Series in raw units: the networks standardise their inputs. Keras keeps
    # those statistics as constants, so the fused training model that a warm
    # start builds must read them from the loaded network (it once left the
    # scaling out and trained the members on unscaled inputs).
    X = (rng.normal(size=(40, 12, 1)) * 50 + 100).astype(np.float32)
    y = X[:, 0, 0] + X[:, -1, 0]
    ensemble = TCNRegressor(**TINY, n_networks=2, random_state=0).fit(X, y)
    ensemble.save(tmp_path / "model")
    unpickled = pickle.loads(pickle.dumps(ensemble))
    loaded = sktcn.load(tmp_path / "model")
    for copy in (unpickled, loaded):
        copy.set_params(warm_start=True).fit(X, y)
        assert copy._trainer.name == "sktcn_fused"
    np.testing.assert_array_equal(loaded.predict(X), unpickled.predict(X))


@pytest.mark.parametrize("bad", [0, 1.5, "3"])
def test_n_networks_must_be_a_positive_integer(series_2d, bad):
    X, y = series_2d
    with pytest.raises((ValueError, TypeError), match="n_networks"):
        TCNRegressor(**TINY, n_networks=bad).fit(X, y)


def test_channel_statistics_are_per_feature_and_never_zero():
    X = np.zeros((4, 5, 2))
    X[..., 1] = np.arange(20).reshape(4, 5)
    mean, variance = channel_statistics(X)
    np.testing.assert_allclose(mean, [0.0, 9.5])
    np.testing.assert_allclose(variance, [1.0, np.var(np.arange(20))])


def test_input_scaling_makes_the_fit_independent_of_the_units(rng):
    X = rng.normal(size=(48, 10, 2)).astype(np.float32)
    y = X[:, 0, 0] + X[:, -1, 1]
    in_units = X * np.float32([2e4, 1e-3]) + np.float32([1e5, -3.0])
    params = dict(TINY, epochs=3, random_state=0, input_scaling="standard")
    standard = TCNRegressor(**params).fit(X, y)
    scaled = TCNRegressor(**params).fit(in_units, y)
    np.testing.assert_allclose(scaled.predict(in_units), standard.predict(X), rtol=1e-3, atol=1e-3)
    raw = TCNRegressor(**dict(params, input_scaling=None)).fit(in_units, y)
    assert "input_scaling" not in [layer.name for layer in raw.model_.layers]
    assert "input_scaling" in [layer.name for layer in scaled.model_.layers]


def test_input_scaling_is_checked(series_2d):
    X, y = series_2d
    with pytest.raises(ValueError, match="input_scaling"):
        TCNRegressor(**TINY, input_scaling="minmax").fit(X, y)


def test_auto_scaling_standardises_only_features_beyond_unit_range(rng):
    counts = rng.poisson(500, size=(30, 8)).astype(np.float32)
    marker = (rng.uniform(size=(30, 8)) < 0.1).astype(np.float32)
    X = np.stack([counts, marker], axis=-1)
    mean, variance = scaling_statistics(X, "auto")
    assert mean[0] == pytest.approx(counts.mean(), rel=1e-6) and variance[0] == pytest.approx(counts.var(), rel=1e-5)
    assert (mean[1], variance[1]) == (0.0, 1.0)  # the marker goes in as given
    assert scaling_statistics(-X, "auto")[0][0] == pytest.approx(-counts.mean(), rel=1e-6)  # magnitude, not sign
    assert np.abs(X[..., 1]).max() <= UNIT_RANGE < np.abs(X[..., 0]).max()
    standard_mean, _ = scaling_statistics(X, "standard")
    assert standard_mean[1] == pytest.approx(marker.mean())
    assert scaling_statistics(X, None) is None
    reg = TCNRegressor(**TINY, random_state=0).fit(X, counts[:, -1])
    assert reg.input_scaling == "auto"
    layer = reg.model_.get_layer("input_scaling")
    np.testing.assert_allclose(np.ravel(layer.mean), mean, rtol=1e-5)


def test_auto_scaling_standardises_small_units_and_levels_that_dwarf_their_variation(rng):
    # "auto" fed every feature within +-10 as given: a signal at a scale of 1e-4, or riding on
    # a level of 5 with variation of 0.1, reached the network in a form it learnt nothing
    # from, and a default classifier fell to chance on it silently
    # (benchmarks/input_units.py), where the same data standardised scored 1.0.
    signal = rng.normal(size=(30, 8))
    marker = np.zeros((30, 8))
    marker[0, 0] = marker[5, 3] = 1.0  # two ones in 240 steps, as sparse as the adding problem's
    uniform = rng.uniform(size=(30, 8))  # the adding problem's values: near unit scale
    X = np.stack([signal * 1e-4, marker, signal / np.abs(signal).max() * SMALL_RANGE * 0.99, 5 + signal / 20, uniform,
                  3 + signal, np.full((30, 8), 5.0), np.ones((30, 8))], axis=-1)
    mean, variance = scaling_statistics(X, "auto")
    standard_mean, standard_variance = scaling_statistics(X, "standard")
    for feature in (0, 2, 3):  # standardised: values within SMALL_RANGE, a level of 100 standard deviations
        assert np.abs(X[..., feature]).max() <= UNIT_RANGE and np.std(X[..., feature]) < SMALL_RANGE
        assert (mean[feature], variance[feature]) == (standard_mean[feature], standard_variance[feature])
    assert mean[6] == 5.0  # a constant: centred
    # As given: a sparse 0/1 marker (a level of 0.1 std), U(0, 1), a level of 3 with unit variation, ones.
    for feature in (1, 4, 5, 7):
        assert (mean[feature], variance[feature]) == (0.0, 1.0)
    lo, hi = X.min(axis=(0, 1)), X.max(axis=(0, 1))
    np.testing.assert_array_equal(near_unit_scale(standard_mean, standard_variance, lo, hi),
                                  [False, True, False, False, True, True, False, True])


@pytest.mark.parametrize("level, scale", [(0.0, 1e-4), (5.0, 0.05)])
def test_auto_scaling_makes_other_units_train_as_unit_ones(rng, level, scale):
    # The network sees the same standardised inputs whatever the units of such a feature.
    X = rng.normal(size=(40, 12))
    y = (X[:, -1] > 0).astype(int)
    other = TCNClassifier(**TINY, random_state=0).fit(level + scale * X, y)
    unit = TCNClassifier(**TINY, random_state=0, input_scaling="standard").fit(X, y)
    assert other.model_.get_layer("input_scaling").variance.numpy().ravel()[0] == pytest.approx(scale**2, rel=0.5)
    np.testing.assert_allclose(other.predict_proba(level + scale * X), unit.predict_proba(X), atol=1e-4)


_STREAMED_ENSEMBLE = """
import numpy as np
import tensorflow as tf
from sktcn import TCNRegressor
from sktcn.datasets import make_first_plus_last_stream

stream = make_first_plus_last_stream(n_timesteps=12, batch_size=16, n_batches=3, random_state=0)
extra = {{
    "streamed": {{}},
    "mirrored_strategy": {{"distribution_strategy": tf.distribute.MirroredStrategy(["/cpu:0"])}},
    "mixed_precision": {{"mixed_precision": True}},
}}["{setting}"]
ensemble = TCNRegressor(**{tiny}, n_networks=2, random_state=0, **extra).fit(stream)
X = stream[0][0]
members = ensemble.predict_members(X)
assert len(members) == 2 and all(np.all(np.isfinite(m)) for m in members)
assert not np.allclose(members[0], members[1])
np.testing.assert_allclose(ensemble.predict(X), np.mean(members, axis=0), rtol=1e-4, atol=1e-4)
assert len(ensemble.history_["loss"]) == {tiny}["epochs"]
"""


@pytest.mark.parametrize("setting", ["streamed", "mirrored_strategy", "mixed_precision"])
def test_ensembles_train_on_streams_under_strategies_and_in_mixed_precision(setting):
    script = _STREAMED_ENSEMBLE.format(setting=setting, tiny=repr(TINY))
    if setting == "mirrored_strategy":
        run_in_own_process(script)  # MirroredStrategy fits run apart (see run_in_own_process)
    else:
        exec(compile(script, f"<{setting} ensemble>", "exec"), {})


# -- input_scaling="series": each series standardised by its own statistics, in the network


def _series_scaled(X, **layer_args):
    return SeriesStandardization(**layer_args)(np.asarray(X, np.float32)).numpy()


def _per_series(X):
    """Each series and channel of X standardised by its own mean and standard deviation over its steps."""
    X = np.asarray(X, np.float64)
    return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)


def test_series_scaling_standardises_each_series_and_channel_by_its_own_statistics(rng):
    # Levels and scales differing between series and between channels.
    X = (rng.normal(size=(3, 8, 2)) * [2.0, 1e3] + rng.normal(size=(3, 1, 2)) * 100).astype(np.float32)
    X[0, 3, :] = 0.0  # a zero step after the start is a value like any other
    got = _series_scaled(X)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, _per_series(X), rtol=1e-4, atol=1e-5)
    # A series' output is its own, whatever else is in the batch.
    np.testing.assert_array_equal(_series_scaled(X[1:2]), got[1:2])


def test_series_scaling_gives_zeros_not_nan_for_constant_series_and_channels():
    X = np.zeros((3, 6, 2), np.float32)
    X[0] = 1234.567  # a level whose float32 mean would leave rounding residue
    X[1, :, 0] = np.arange(6)
    X[1, :, 1] = -3e7
    # X[2] is all zeros (all padding).
    got = _series_scaled(X)
    assert np.isfinite(got).all()
    assert (got[0] == 0).all() and (got[1, :, 1] == 0).all() and (got[2] == 0).all()
    np.testing.assert_allclose(got[1, :, 0], _per_series(X[1:2, :, :1])[0, :, 0], rtol=1e-5)


@pytest.mark.parametrize("factor", [1e-36, 1e-20, 1e20, 1e36])
def test_series_scaling_gives_the_same_outputs_for_a_series_at_any_float32_scale(rng, factor):
    # Levels and scales of their own (values of at least 0.5 in size: times 1e-36, still normal float32 numbers),
    # a series padded in front and a constant channel.
    X = pad_ragged([rng.normal(loc=[6.0, -40.0], size=(n, 2)) for n in (30, 200)])
    X[0, -30:, 1] = -40.0
    got = _series_scaled(X * factor)
    assert np.isfinite(got).all() and (got[0, :-30] == 0).all() and (got[0, :, 1] == 0).all()
    # The same as at scale 1, to the rounding of the scaled inputs to float32.
    np.testing.assert_allclose(got, _series_scaled(X), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got[1], _per_series(X[1:])[0], rtol=1e-4, atol=1e-5)


def test_series_scaling_leaves_the_zeros_padded_in_front_out_of_a_series_statistics(rng):
    short = rng.normal(loc=50, scale=3, size=(5, 2)).astype(np.float32)
    padded = pad_ragged([short, rng.normal(size=(9, 2))])
    got = _series_scaled(padded)
    assert (got[0, :4] == 0).all()  # the padding stays zero
    np.testing.assert_allclose(got[0, 4:], _per_series(short[None])[0], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mixed", ["mixed_precision=True", "global policy"])
def test_series_scaling_computes_its_statistics_in_float32_in_a_mixed_precision_network(mixed):
    args = dict(n_channels=1, n_timesteps=None, output_shape=(1,), input_statistics="series",
                tcn_params=dict(nb_filters=2, kernel_size=2, dilations=[1]))
    with global_policy("mixed_float16" if mixed == "global policy" else None):
        network = build_network(**args, mixed_precision=mixed == "mixed_precision=True")
    layer = network.get_layer("input_scaling")
    assert network.get_layer("tcn").compute_dtype == "float16" and layer.compute_dtype == "float32"
    # float16 would hold 1e4 + k to within 8, and overflow on the squares (above 65504).
    X = (1e4 + np.arange(8.0)).reshape(1, 8, 1)
    np.testing.assert_allclose(layer(X.astype(np.float32)).numpy(), _per_series(X), rtol=1e-4, atol=1e-5)
    # A layer of a float16 policy of its own computes from the float32 inputs too; only its result is float16.
    got = _series_scaled(X, dtype="mixed_float16")
    assert got.dtype == np.float16
    np.testing.assert_allclose(got.astype(np.float32), _per_series(X), rtol=1e-2, atol=1e-2)


def test_series_scaling_makes_predictions_independent_of_each_series_level_and_scale(rng):
    # Fixed-length series, and series of different lengths (padded in front).
    X = rng.normal(size=(24, 10, 2)).astype(np.float32)
    ragged = [x[: n] for x, n in zip(X, rng.randint(4, 11, size=len(X)))]
    y = (X[:, :, 0].std(axis=1) > 1).astype(int)
    level = rng.normal(scale=1e3, size=(len(X), 1, 2)).astype(np.float32)
    scale = np.float32(rng.uniform(0.1, 50, size=(len(X), 1, 2)))
    for data in (X, ragged):
        clf = TCNClassifier(**TINY, random_state=0, input_scaling="series").fit(data, y)
        moved = [x * s + b for x, s, b in zip(data, scale, level)]
        proba = clf.predict_proba(data)
        assert np.ptp(proba[:, 0]) > 1e-4  # the network tells the series apart: the comparison could fail
        np.testing.assert_allclose(clf.predict_proba(moved), proba, rtol=1e-4, atol=1e-5)
    # "standard" reads the levels: the same comparison fails there.
    standard = TCNClassifier(**TINY, random_state=0, input_scaling="standard").fit(X, y)
    assert not np.allclose(standard.predict_proba(X * scale + level), standard.predict_proba(X), atol=1e-3)


def test_series_scaling_trains_on_streams_and_keeps_training_warm(rng):
    from sktcn.datasets import make_first_plus_last_stream

    stream = make_first_plus_last_stream(n_timesteps=12, batch_size=16, n_batches=3, random_state=0)
    reg = TCNRegressor(**TINY, random_state=0, input_scaling="series").fit(stream)
    assert isinstance(reg.model_.get_layer("input_scaling"), SeriesStandardization)
    X, y = stream[0][:2]
    before = reg.predict(X)
    assert np.isfinite(before).all()
    reg.partial_fit(X, y)
    assert len(reg.history_["loss"]) == TINY["epochs"] + 1
    assert not np.allclose(reg.predict(X), before)
    ensemble = TCNRegressor(**TINY, random_state=0, n_networks=2, input_scaling="series").fit(X, y)
    for network in ensemble.predict_members(X):
        assert np.isfinite(network).all()
    assert all(isinstance(member.get_layer("input_scaling"), SeriesStandardization)
               for member in member_networks(ensemble.model_))


def test_an_unknown_input_scaling_is_refused_naming_every_option(series_2d):
    X, y = series_2d
    for Estimator in (TCNClassifier, TCNRegressor):
        with pytest.raises(ValueError, match="input_scaling") as caught:
            Estimator(**TINY, input_scaling="per_series").fit(X, y)
        assert all(repr(option) in str(caught.value) for option in ("auto", "standard", "series"))
