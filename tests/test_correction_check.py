"""TCNForecaster's correction="backtest": the backtest's choice, its pure rule, and how a fit carries it."""

import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from sktime.datasets import load_airline

import sktcn
from sktcn import TCNForecaster, forecasting
from sktcn._conformal import correction_weight
from sktcn._simple_forecasts import forecast_at
from sktcn.persistence import ModelFileError
from conftest import TINY_FORECASTER


def test_correction_weight_keeps_what_lowers_the_mean_absolute_error():
    rng = np.random.default_rng(0)
    errors = rng.normal(size=(20, 3, 1))
    assert correction_weight(errors, 0.8 * errors) == 1.0  # removes most of each error
    assert correction_weight(errors, errors) == 1.0
    assert correction_weight(errors, np.zeros_like(errors)) == 1.0  # a tie keeps it (it changes nothing)
    assert correction_weight(errors, -errors) == 0.0  # doubles each error
    assert correction_weight(errors, errors + 3.0) == 0.0  # a constant offset the baseline did not need
    assert correction_weight(np.zeros((4, 2, 1)), np.full((4, 2, 1), 0.1)) == 0.0


@pytest.fixture(scope="module")
def series():
    # Monthly, long enough for the calibration backtest of a 6-step horizon.
    return load_airline()


def _dropping(monkeypatch):
    """Make the backtest find every correction harmful, to check what a fit does with that choice."""
    monkeypatch.setattr(forecasting, "correction_weight", lambda errors, corrections: 0.0)


def test_a_dropped_correction_forecasts_the_baseline(series, monkeypatch):
    _dropping(monkeypatch)
    f = TCNForecaster(**TINY_FORECASTER, baseline="seasonal_naive").fit(series, fh=[1, 2, 6])
    assert f.correction_weight_ == 0.0
    y = series.to_numpy(np.float64)[:, None]
    expected = forecast_at("seasonal_naive", y, [len(y) - 1], 6, 12)[0, [0, 1, 5], 0]
    np.testing.assert_allclose(f.predict().to_numpy(), expected, rtol=1e-5)
    # The intervals come from the baseline's own held-out errors (the networks' targets).
    assert f.residual_quantile_source_.shape[1:] == (6, 1)
    interval = f.predict_interval(coverage=0.9)
    assert (interval.iloc[:, 0].to_numpy() <= expected + 1e-6).all()
    assert (interval.iloc[:, 1].to_numpy() >= expected - 1e-6).all()


@pytest.mark.parametrize("params", [
    dict(correction="always"),
    dict(baseline=None),  # the networks' output is the whole forecast
    dict(calibration_size=0.0),  # no backtest to judge by
])
def test_the_correction_stays_where_it_cannot_be_judged_or_is_wanted(series, monkeypatch, params):
    _dropping(monkeypatch)
    f = TCNForecaster(**dict(TINY_FORECASTER, **params)).fit(series, fh=[1, 2])
    assert f.correction_weight_ == 1.0


def test_the_backtest_choice_is_what_the_rule_says(series):
    # Unpatched: the fitted weight is the rule applied to the same backtest's errors.
    seen = []

    def spy(errors, corrections):
        seen.append(correction_weight(errors, corrections))
        return seen[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(forecasting, "correction_weight", spy)
        f = TCNForecaster(**TINY_FORECASTER).fit(series, fh=[1, 2])
    assert seen == [f.correction_weight_]


def test_a_dropped_correction_is_saved_and_restored(series, monkeypatch, tmp_path):
    _dropping(monkeypatch)
    f = TCNForecaster(**TINY_FORECASTER).fit(series, fh=[1, 2])
    loaded = sktcn.load(f.save(tmp_path / "dropped"))
    assert loaded.correction_weight_ == 0.0
    pd.testing.assert_series_equal(loaded.predict(), f.predict())


def _rewrite_state(path, edit):
    """A copy of the archive at ``path`` whose manifest's fitted state went through ``edit``."""
    altered = path.with_name("altered.zip")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(altered, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                edit(manifest["state"])
                data = json.dumps(manifest).encode()
            target.writestr(item, data)
    return altered


@pytest.mark.parametrize("changes, message", [
    (dict(correction_weight_=0.5), "correction_weight_ 0.5"),
    (dict(baseline_="holt_winters"), "baseline 'holt_winters'"),
    (dict(sp_=0), "season 0"),
    (dict(interval_calibration_="oracle"), "interval_calibration_ 'oracle'"),
])
def test_an_altered_forecaster_state_is_refused(series, tmp_path, changes, message):
    f = TCNForecaster(**dict(TINY_FORECASTER, calibration_size=0.0)).fit(series, fh=[1])
    with pytest.raises(ModelFileError, match=message):
        sktcn.load(_rewrite_state(f.save(tmp_path / "f"), lambda state: state.update(changes)))


def test_files_from_before_the_check_apply_the_correction(series, tmp_path):
    f = TCNForecaster(**dict(TINY_FORECASTER, calibration_size=0.0)).fit(series, fh=[1])
    old = _rewrite_state(f.save(tmp_path / "old"), lambda state: state.pop("correction_weight_"))
    loaded = sktcn.load(old)
    assert loaded.correction_weight_ == 1.0
    pd.testing.assert_series_equal(loaded.predict(), f.predict())


def test_files_from_before_interval_calibration_was_kept_load_without_it(series, tmp_path):
    f = TCNForecaster(**dict(TINY_FORECASTER, calibration_size=0.0)).fit(series, fh=[1])
    assert f.interval_calibration_ == "in-sample"
    old = _rewrite_state(f.save(tmp_path / "old"), lambda state: state.pop("interval_calibration_"))
    loaded = sktcn.load(old)
    assert loaded.interval_calibration_ is None
    pd.testing.assert_frame_equal(loaded.predict_interval(coverage=0.8), f.predict_interval(coverage=0.8))
