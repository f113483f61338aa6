"""TCNForecaster.pretrain: networks trained on a panel, from which a later fit starts (sktcn._pretrained)."""

import pickle
import warnings

import keras
import numpy as np
import pandas as pd
import pytest
import sktime
from packaging.version import Version

from conftest import TINY_FORECASTER
from sktcn import TCNForecaster, _pretrained, load
from sktcn.persistence import save

FH = [1, 2, 3]


def _panel(n_series, length=40, seed=0):
    rng = np.random.default_rng(seed)
    index = pd.MultiIndex.from_product([[f"s{k}" for k in range(n_series)], pd.RangeIndex(length)])
    steps = np.tile(np.arange(length), n_series)
    return pd.DataFrame({"y": np.sin(steps / 3.0) + 0.1 * rng.normal(size=len(steps)) + 5.0}, index=index)


@pytest.fixture
def target():
    rng = np.random.default_rng(1)
    return pd.Series(np.sin(np.arange(50) / 3.0) + 0.1 * rng.normal(size=50) + 5.0)


def _pretrained_forecaster(**params):
    return TCNForecaster(**dict(TINY_FORECASTER, **params)).pretrain(_panel(3), fh=FH)


def _member_weights(forecaster):
    return _pretrained.starting_point(forecaster.regressor_).member_weights


def _frozen(forecaster):
    # No step moves a weight: a fit's networks keep the weights they start from.
    # Set as an attribute, as set_params would reset the forecaster (sktime's rule).
    forecaster.optimizer = keras.optimizers.SGD(learning_rate=0.0)
    return forecaster


def _equal_weights(a, b):
    return all(np.array_equal(x, y) for wa, wb in zip(a, b, strict=True) for x, y in zip(wa, wb, strict=True))


@pytest.mark.parametrize("n_networks", [1, 2])
def test_fit_after_pretrain_starts_from_the_pretrained_networks_and_their_target_scaling(target, n_networks):
    forecaster = _pretrained_forecaster(n_networks=n_networks)
    pretrained = forecaster.pretrained_
    assert forecaster.state == "pretrained" and pretrained.n_networks == n_networks
    _frozen(forecaster).fit(target, fh=FH)
    assert _equal_weights(_member_weights(forecaster), pretrained.start.member_weights)
    encoder = forecaster.regressor_.target_encoder_
    np.testing.assert_array_equal(encoder.mean_, pretrained.start.target_encoder.mean_)
    np.testing.assert_array_equal(encoder.scale_, pretrained.start.target_encoder.scale_)
    # The frame the networks were pretrained in, not the one the target series would choose.
    assert (forecaster.window_length_, forecaster.horizon_) == (pretrained.window_length, pretrained.horizon)
    # Without pretraining, the same frozen fit keeps its random initial weights: others.
    alone = _frozen(TCNForecaster(**dict(TINY_FORECASTER, n_networks=n_networks))).fit(target, fh=FH)
    assert not _equal_weights(_member_weights(alone), pretrained.start.member_weights)
    # The fit leaves the pretrained weights as they were, for the next fit.
    assert forecaster.state == "fitted" and forecaster.pretrained_ is pretrained


def test_every_network_a_fit_trains_starts_from_the_pretrained_ones(target, monkeypatch):
    # The calibration backtest's single networks start from member 0, the
    # member that shares their seed; the forecast's ensemble from all members.
    forecaster = _pretrained_forecaster(n_networks=2, calibration_size=0.3)
    started = []
    load_starting_point = _pretrained.load_starting_point

    def record(model, start):
        started.append(len(start.member_weights))
        load_starting_point(model, start)

    monkeypatch.setattr("sktcn._base.load_starting_point", record)
    forecaster.fit(target, fh=FH)
    assert forecaster.interval_calibration_ == "backtest"
    assert started == [1, 1, 1, 2]
    started.clear()
    forecaster.update(target.iloc[-5:] + 0.1, update_params=True)  # a refit starts from them too
    assert started == [1, 1, 1, 2]


def test_a_second_pretrain_continues_the_pretrained_networks(target):
    forecaster = _pretrained_forecaster()
    first = forecaster.pretrained_
    _frozen(forecaster).pretrain(_panel(2, seed=3))  # fh: the first call's
    second = forecaster.pretrained_
    assert _equal_weights(second.start.member_weights, first.start.member_weights)
    assert (second.n_series, second.n_observations) == (5, 200)
    assert (second.horizon, second.window_length) == (first.horizon, first.window_length)


def test_pretrain_needs_fh_first_and_a_panel():
    with pytest.raises(ValueError, match=r"pretrain needs fh on its first call.*pretrain\(y, fh=\[1, 2, 3\]\)"):
        TCNForecaster(**TINY_FORECASTER).pretrain(_panel(3))
    with pytest.raises(TypeError, match="requires Panel or Hierarchical data"):
        TCNForecaster(**TINY_FORECASTER).pretrain(_panel(1).droplevel(0))


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(fh=[1, 2, 3, 4]), r"fh reaches 4 steps ahead, but the pretrained networks forecast 3"),
        (dict(y=lambda y: pd.DataFrame({"a": y, "b": y})), r"y has 2 variables, but the networks were pretrained on 1"),
        (dict(y=lambda y: y.iloc[:8]), r"The shortest series has 8 observations; the pretrained networks read"),
        (dict(X=lambda y: pd.DataFrame({"x": np.arange(len(y), dtype=float)}, index=y.index)),
         r"The networks built for these data differ from the pretrained ones"),
        (dict(n_networks=2), r"The pretrained networks are 1, too few to start 2"),
    ],
)
def test_a_fit_the_pretrained_networks_cannot_start_is_refused_and_leaves_them(target, change, message):
    forecaster = _pretrained_forecaster()
    pretrained = forecaster.pretrained_
    if "n_networks" in change:
        forecaster.n_networks = change["n_networks"]
    y = change.get("y", lambda y: y)(target)
    X = change["X"](y) if "X" in change else None
    with pytest.raises(ValueError, match=message):
        forecaster.fit(y, X=X, fh=change.get("fh", FH))
    assert forecaster.state == "pretrained" and forecaster.pretrained_ is pretrained
    forecaster.n_networks = 1
    forecaster.fit(target, fh=FH)  # still ready for a fit that fits them
    assert forecaster.state == "fitted"


def test_a_shorter_fh_than_the_pretrained_one_forecasts_its_own_steps(target):
    forecaster = _pretrained_forecaster().fit(target, fh=[2])
    assert forecaster.horizon_ == 3
    assert list(forecaster.predict().index) == [51]


def test_clones_pickles_and_files_of_a_pretrained_forecaster(target, tmp_path):
    forecaster = _pretrained_forecaster()
    clone = forecaster.clone()  # sktime's clone keeps the pretrained state
    assert clone.state == "pretrained"
    assert _equal_weights(clone.pretrained_.start.member_weights, forecaster.pretrained_.start.member_weights)
    forecaster.fit(target, fh=FH)
    clone.fit(target, fh=FH)
    np.testing.assert_array_equal(clone.predict(), forecaster.predict())
    copied = pickle.loads(pickle.dumps(forecaster))
    assert copied.pretrained_.horizon == 3 and copied.regressor_._starting_point is None
    np.testing.assert_array_equal(copied.predict(), forecaster.predict())
    # A file holds the fitted forecaster, not its pretraining: its refits start afresh (docs say so).
    loaded = load(save(forecaster, tmp_path / "f.zip"))
    np.testing.assert_array_equal(loaded.predict(), forecaster.predict())
    assert not hasattr(loaded, "pretrained_")


def test_a_fit_too_short_to_test_the_pretrained_correction_warns(target):
    # The pretrained window comes from the panel's long series; 30 observations
    # give 3 windows of 25 steps plus 3, too few to hold any out for the backtest.
    forecaster = TCNForecaster(**dict(TINY_FORECASTER, window_length=25)).pretrain(_panel(3, length=60), fh=FH)
    with pytest.warns(UserWarning, match=r"give 3 windows of the pretrained window_length=25 .* kept untested"):
        forecaster.fit(target.iloc[-30:], fh=FH)
    assert forecaster.interval_calibration_ == "in-sample" and forecaster.correction_weight_ == 1.0
    # A window the series can afford leaves room for the backtest, and no warning.
    affordable = TCNForecaster(**dict(TINY_FORECASTER, window_length=4)).pretrain(_panel(3, length=60), fh=FH)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        affordable.fit(target, fh=FH)
    assert affordable.interval_calibration_ == "backtest"


def test_set_params_says_it_dropped_the_pretraining_and_tuners_say_so_too(target):
    from sktime.forecasting.model_selection import ForecastingGridSearchCV
    from sktime.split import SingleWindowSplitter

    forecaster = _pretrained_forecaster()
    pretrained_clone = forecaster.clone()
    with pytest.warns(UserWarning, match=r"set_params dropped the networks that pretrain trained .* cv_global"):
        forecaster.set_params(epochs=1)
    assert forecaster.state == "new" and not hasattr(forecaster, "pretrained_")
    # sktime's tuners set each candidate's parameters on a clone: the pretraining is dropped there too.
    assert pretrained_clone.state == "pretrained"
    search = ForecastingGridSearchCV(
        pretrained_clone, cv=SingleWindowSplitter(fh=FH, window_length=40), param_grid={"epochs": [1]}
    )
    with pytest.warns(UserWarning, match="set_params dropped the networks"):
        search.fit(target, fh=FH)
    assert not hasattr(search.best_forecaster_, "pretrained_")
    # Nothing to drop, nothing said.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        TCNForecaster(**TINY_FORECASTER).set_params(epochs=1)


@pytest.mark.skipif(Version(sktime.__version__) < Version("1.2"),
                    reason="sktime's evaluate pretrains in its global mode from 1.2 on; before, it calls "
                           "predict(y=...), which only sktime's global forecasters take")
def test_evaluate_with_cv_global_pretrains_every_fold_on_the_other_series():
    # The docs' way to backtest a pretrained forecaster.
    from sklearn.model_selection import KFold
    from sktime.forecasting.model_evaluation import evaluate
    from sktime.split import SingleWindowSplitter

    panel = _panel(4)
    results = evaluate(
        TCNForecaster(**TINY_FORECASTER), SingleWindowSplitter(fh=FH, window_length=30), panel,
        cv_global=KFold(n_splits=2), return_model=True,
    )
    fitted = list(results["fitted_forecaster"])
    assert len(fitted) == 2 and all(f.state == "fitted" for f in fitted)
    # Each fold pretrained on the two series it does not forecast.
    assert [f.pretrained_.n_series for f in fitted] == [2, 2]
    assert np.isfinite(results.iloc[:, 0]).all()
