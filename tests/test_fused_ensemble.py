"""Fused ensembles: n networks as one TCN with block-diagonal convolutions (sktcn._ensemble)."""

import keras
import numpy as np
import pytest
from conftest import TINY

import sktcn._ensemble
from sktcn import TCNClassifier, TCNRegressor
from sktcn._ensemble import fuses_members, load_members, member_block, store_members
from sktcn._network import BlockDiagonalConv1D, block_diagonal_mask, build_network
from sktcn._random import seeded


def _members_and_fused(n_members, **kwargs):
    """``n_members`` networks seeded 0, 1, ... and their fused training model, all untrained."""
    args = dict(n_channels=2, n_timesteps=None, **{"output_shape": (1,), **kwargs})
    members = []
    for seed in range(n_members):
        with seeded(seed):
            members.append(build_network(**args))
    return members, build_network(**args, n_members=n_members)


TCN = dict(nb_filters=4, kernel_size=2, dilations=[1, 2], return_sequences=False)


@pytest.mark.parametrize(
    "tcn, extra",
    [
        (TCN, {}),
        (dict(TCN, use_batch_norm=True, use_skip_connections=False), {}),
        (dict(TCN, nb_filters=[3, 5], nb_stacks=2, use_skip_connections=False), {}),
        (TCN, {"pooling": "mean", "n_classes": 3}),
        (dict(TCN, return_sequences=True), {"output_shape": (None, 2)}),
    ],
    ids=["plain", "batch-norm", "filters-per-block", "pooled-classifier", "sequences"],
)
def test_the_fused_model_computes_each_members_output(rng, tcn, extra):
    # Random heads (the estimators' start at zero) so that every layer shows.
    members, fused = _members_and_fused(3, tcn_params=tcn, head_initializer="glorot_uniform", **extra)
    load_members(fused, members)
    X = rng.normal(size=(5, 12, 2)).astype("float32")
    together = keras.ops.convert_to_numpy(fused(X))
    assert together.shape[1] == 3
    for k, member in enumerate(members):
        np.testing.assert_allclose(together[:, k], keras.ops.convert_to_numpy(member(X)), rtol=1e-5, atol=1e-6)
    # Blocks off the diagonal hold zeros and do not act.
    convs = [layer for layer in fused.get_layer("tcn")._flatten_layers() if isinstance(layer, BlockDiagonalConv1D)]
    assert convs
    for conv in convs:
        kernel = keras.ops.convert_to_numpy(conv._kernel)
        mask = block_diagonal_mask(*kernel.shape, 3)
        assert np.all(kernel[mask == 0] == 0)


def test_members_go_back_from_the_fused_model_unchanged(rng):
    members, fused = _members_and_fused(2, tcn_params=TCN)
    load_members(fused, members)
    copies, _ = _members_and_fused(2, tcn_params=TCN)
    for copy in copies:  # other weights, to be overwritten
        for variable in copy.weights:
            variable.assign(np.full(variable.shape, 7.0, "float32"))
    store_members(fused, copies)
    for member, copy in zip(members, copies):
        for a, b in zip(member.weights, copy.weights):
            np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))


def test_member_block_refuses_shapes_that_do_not_split():
    assert member_block((4,), (12,), 2, 3) == (slice(8, 12),)
    with pytest.raises(ValueError, match="cannot hold 3"):
        member_block((4,), (10,), 0, 3)
    with pytest.raises(ValueError, match="equal blocks"):
        block_diagonal_mask(1, 4, 5, 2)


def test_only_small_fits_fuse(series_2d):
    limit = sktcn._ensemble.FUSED_MAX_COST
    assert fuses_members(3, limit) and not fuses_members(3, limit + 1)
    assert not fuses_members(1, 1)
    # The fit's cost: series-steps per pass x passes x network_cost (blocks of
    # the default width); four filters count as 16.
    X, y = series_2d
    reg = TCNRegressor(**TINY, n_networks=2, random_state=0).fit(X, y)
    blocks = len(reg.dilations_)
    plan = reg._plan(TINY["epochs"], 1, X.shape[0] * X.shape[1], None)
    assert plan.cost == pytest.approx(X.shape[0] * X.shape[1] * TINY["epochs"] * blocks * 16**2 * 3 / (64**2 * 3))
    assert reg._trainer.name == "sktcn_fused"


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "side-by-side"])
def test_member_k_trains_as_a_single_network_either_way(series_2d, monkeypatch, fused):
    monkeypatch.setattr(sktcn._ensemble, "FUSED_MAX_COST", 10**12 if fused else 0)
    X, y = series_2d
    params = dict(TINY, shuffle=False)
    ensemble = TCNRegressor(**params, n_networks=2, random_state=5).fit(X, y)
    assert ensemble._trainer.name == ("sktcn_fused" if fused else "sktcn_members")
    singles = [TCNRegressor(**params, random_state=seed).fit(X, y) for seed in (5, 6)]
    for member, single in zip(ensemble.predict_members(X), singles):
        assert np.std(member) > 0
        np.testing.assert_allclose(member, single.predict(X), rtol=1e-4, atol=1e-5)
    # A warm start continues from the members (copied into the fused model again).
    before = ensemble.predict_members(X)
    ensemble.partial_fit(X, y)
    assert all(not np.allclose(b, a) for b, a in zip(before, ensemble.predict_members(X)))


def test_channel_mixing_layers_train_side_by_side(series_3d):
    X, y = series_3d
    layer_norm = TCNClassifier(**TINY, n_networks=2, use_layer_norm=True, random_state=0).fit(X, y)
    assert layer_norm._trainer.name == "sktcn_members"
    batch_norm = TCNClassifier(**TINY, n_networks=2, use_batch_norm=True, random_state=0).fit(X, y)  # channel-wise
    assert batch_norm._trainer.name == "sktcn_fused"
    np.testing.assert_allclose(batch_norm.predict_proba(X), np.mean(batch_norm.predict_members(X), axis=0),
                               atol=1e-6)


def test_input_as_wide_as_the_members_trains_side_by_side(rng):
    # Four channels and two members of two filters: keras-tcn would give the
    # fused TCN no matching convolution where each member has one.
    X = rng.normal(size=(40, 8, 4)).astype("float32")
    reg = TCNRegressor(**dict(TINY, nb_filters=2), n_networks=2, random_state=0).fit(X, X[:, -1, 0])
    assert reg._trainer.name == "sktcn_members"


def test_ensembles_fuse_under_keras_global_mixed_policy(series_2d, keras_globals):
    # The block-diagonal mask (float32) must not turn the float16 kernel back
    # into float32, which the convolution's float16 input would not match.
    keras.mixed_precision.set_global_policy("mixed_float16")
    X, y = series_2d
    reg = TCNRegressor(**TINY, n_networks=2, random_state=0).fit(X, y)
    assert reg._trainer.name == "sktcn_fused"
    convs = [layer for layer in reg._trainer.get_layer("tcn")._flatten_layers()
             if isinstance(layer, BlockDiagonalConv1D)]
    assert convs and {conv.compute_dtype for conv in convs} == {"float16"}
    predictions = reg.predict(X)
    assert np.isfinite(predictions).all() and np.std(predictions) > 0
