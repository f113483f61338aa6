"""The LSTM baselines behave as scikit-learn estimators with the TCN estimators' interface."""

import pickle

import keras
import numpy as np
import pytest
from sklearn.base import clone

from sktcn import TCNRegressor
from sktcn.baselines import LSTMClassifier, LSTMRegressor
from conftest import TINY_LSTM, global_policy

FAST = TINY_LSTM


def test_regressor_fit_predict_score(series_2d):
    X, y = series_2d
    reg = LSTMRegressor(**FAST).fit(X, y)
    assert reg.predict(X).shape == (len(X),)
    assert np.isfinite(reg.score(X, y))
    assert len(reg.history_["loss"]) == 2
    assert [layer.name for layer in reg.model_.layers if layer.name == "lstm"] == ["lstm"]
    assert not hasattr(reg, "receptive_field_")


def test_classifier_labels_and_probabilities(series_3d):
    X, y = series_3d
    clf = LSTMClassifier(**FAST).fit(X, y)
    assert list(clf.classes_) == ["neg", "pos"]
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    assert set(clf.predict(X)) <= {"neg", "pos"}
    assert 0 <= clf.score(X, y) <= 1


def test_params_clone_and_repr():
    clf = LSTMClassifier(units=7, class_weight="balanced", optimizer__momentum=0.9)
    params = clf.get_params()
    assert params["units"] == 7 and params["class_weight"] == "balanced" and params["optimizer__momentum"] == 0.9
    assert "nb_filters" not in params and "dilations" not in params
    assert set(TCNRegressor().get_params()) - set(params) >= {"nb_filters", "kernel_size", "dilations"}
    twin = clone(clf)
    assert twin.get_params() == params and twin is not clf
    assert repr(LSTMRegressor(units=3)) == "LSTMRegressor(units=3)"
    assert clf.set_params(units=2).units == 2


def test_same_seed_same_model_and_pickle(series_2d):
    X, y = series_2d
    first, second = LSTMRegressor(**FAST).fit(X, y), LSTMRegressor(**FAST).fit(X, y)
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    restored = pickle.loads(pickle.dumps(first))
    np.testing.assert_allclose(restored.predict(X), first.predict(X), rtol=1e-6)


def test_sequence_targets(rng):
    X = rng.normal(size=(24, 6, 1)).astype(np.float32)
    y = np.cumsum(X[:, :, 0], axis=1)
    reg = LSTMRegressor(return_sequences=True, **FAST).fit(X, y)
    assert reg.predict(X).shape == (24, 6)


@pytest.mark.parametrize("cls", [LSTMRegressor, LSTMClassifier])
def test_numpy_integer_units_build_the_network(cls, series_2d):
    # GridSearchCV passes np.arange's numpy integers; Keras' LSTM failed on them.
    X, y = series_2d
    y = y if cls is LSTMRegressor else y > 0
    est = cls(**dict(FAST, units=np.int64(3))).fit(X, y)
    assert est.get_params()["units"] == np.int64(3) and est.model_.get_layer("lstm").units == 3
    np.testing.assert_array_equal(est.predict(X), cls(**dict(FAST, units=3)).fit(X, y).predict(X))


@pytest.mark.parametrize("cls", [LSTMRegressor, LSTMClassifier])
def test_mixed_precision_float16_lstm_float32_head(cls, series_2d):
    # mixed_precision=True was taken and ignored: the LSTM computed in float32 beside the
    # loss-scaling optimizer, so a GPU comparison set float16 TCNs against float32 LSTMs.
    X, y = series_2d
    y = y if cls is LSTMRegressor else y > 0
    est = cls(**FAST, mixed_precision=True).fit(X, y)
    lstm = est.model_.get_layer("lstm")
    assert lstm.compute_dtype == "float16" and lstm.variable_dtype == "float32"
    assert est.model_.get_layer("head").compute_dtype == "float32" and est.model_.output.dtype == "float32"
    assert isinstance(est.model_.optimizer, keras.optimizers.LossScaleOptimizer)
    assert np.isfinite(est.predict(X)).all()
    # Only this model was mixed: the global policy and later models are untouched.
    assert keras.config.dtype_policy().name == "float32"
    assert cls(**FAST).fit(X, y).model_.get_layer("lstm").compute_dtype == "float32"


def test_keras_global_mixed_policy_keeps_the_lstm_head_float32(series_2d):
    # The head followed Keras' global mixed policy: float16 probabilities, and no loss scaling.
    X, y = series_2d
    with global_policy("mixed_float16"):
        est = LSTMClassifier(**FAST).fit(X, y > 0)
    assert est.model_.get_layer("lstm").compute_dtype == "float16"
    assert est.model_.get_layer("head").compute_dtype == "float32" and est.model_.output.dtype == "float32"
    assert isinstance(est.model_.optimizer, keras.optimizers.LossScaleOptimizer)
    assert np.isfinite(est.predict_proba(X)).all()


def test_bad_parameters_are_named(series_2d):
    X, y = series_2d
    with pytest.raises(TypeError, match="nb_filters"):
        LSTMRegressor(nb_filters=8)
    with pytest.raises(ValueError, match="'units' parameter of LSTMRegressor"):
        LSTMRegressor(units=0).fit(X, y)
    with pytest.raises(ValueError, match="'epochs'"):
        LSTMClassifier(epochs=0).fit(X, y > 0)


@pytest.mark.parametrize("cls, params, match", [
    (LSTMRegressor, dict(optimizer="adamm"), r"optimizer='adamm' is not a name Keras knows .* Did you mean 'adam'\?"),
    (LSTMRegressor, dict(loss="msee"), r"loss='msee' is not a name Keras knows .* Did you mean 'mse'\?"),
    (LSTMClassifier, dict(loss="sparse_categorical_crossentropyy"),
     r"loss='sparse_categorical_crossentropyy' .* Did you mean 'sparse_categorical_crossentropy'\?"),
    (LSTMRegressor, dict(loss="Loss"), r"loss='Loss' names Keras' abstract base class keras.losses.Loss"),
])
def test_keras_names_are_checked_as_the_tcn_estimators_check_them(series_2d, cls, params, match):
    # They got Keras' bare "Could not interpret optimizer identifier", naming neither parameter nor name.
    X, y = series_2d
    estimator = cls(**TINY_LSTM, **params)
    with pytest.raises(ValueError, match=match):
        estimator.fit(X, y if cls is LSTMRegressor else y > 0)
    assert not hasattr(estimator, "model_")


def test_tcn_only_parameters_are_refused_and_documented():
    # input_scaling and the others were refused as an "unexpected keyword argument", and the
    # docs promised the TCN's interface: nothing said the LSTM sees its inputs unscaled.
    import pathlib

    import sktcn.baselines
    from sktcn.baselines import _TCN_ONLY

    assert {"input_scaling", "n_networks", "pooling", "subsequence_length", "subsequence_sampling"} <= _TCN_ONLY
    for name in _TCN_ONLY:
        for cls in (LSTMRegressor, LSTMClassifier):
            with pytest.raises(TypeError, match=f"{cls.__name__} does not take '{name}', a parameter of the TCN"):
                cls(**{name: None})
    with pytest.raises(TypeError, match="unscaled; standardise them first"):
        LSTMRegressor(input_scaling="standard")
    root = pathlib.Path(__file__).resolve().parents[1]
    docs = {"sktcn.baselines": sktcn.baselines.__doc__,
            "README.md": (root / "README.md").read_text(encoding="utf-8"),
            "docs/user_guide.md": (root / "docs" / "user_guide.md").read_text(encoding="utf-8")}
    for where, text in docs.items():
        assert "unscaled" in text, where
        missing = sorted(name for name in _TCN_ONLY if f"`{name}`" not in text)
        assert not missing, f"{where} does not list {missing} among what the baselines do not take"


@pytest.mark.parametrize("cls", [LSTMRegressor, LSTMClassifier])
def test_save_points_to_pickle(cls, series_2d, tmp_path):
    # sktcn's loader accepts TCN networks only; pickling keeps a baseline whole.
    X, y = series_2d
    est = cls(**FAST).fit(X, y if cls is LSTMRegressor else y > 0)
    with pytest.raises(TypeError, match="pickle or joblib"):
        est.save(tmp_path / "model")
    assert not (tmp_path / "model").exists()
