"""TCNForecaster's lazy training windows: made batch by batch, never all at once."""

import numpy as np
import pandas as pd
import pytest

import sktcn.forecasting as forecasting
from sktcn._windows import WindowBatches
from sktcn import TCNForecaster, TCNRegressor
from sktcn.regressor import StandardTargetEncoder
from conftest import TINY_FORECASTER

TINY = TINY_FORECASTER


def _series(n=90, seed=0):
    rng = np.random.RandomState(seed)
    return pd.Series(np.sin(np.arange(n) / 4.0) + 0.1 * rng.normal(size=n) + 3.0)


def _panel():
    rng = np.random.RandomState(1)
    index = pd.MultiIndex.from_product([["a", "b", "c"], pd.RangeIndex(50)], names=["unit", "time"])
    y = pd.DataFrame({"y": np.tile(np.sin(np.arange(50) / 3.0), 3) + rng.normal(scale=0.1, size=150) + 2.0},
                     index=index)
    X = pd.DataFrame({"x": rng.normal(size=150)}, index=index)
    return y, X


@pytest.fixture
def spies(monkeypatch):
    """Records the rows of every window build and what each regressor fit was given."""
    built, fitted = [], []
    make, fit = TCNForecaster._windows_at, TCNRegressor.fit

    def windows_at(self, arrays, rows, fit_targets=True):
        built.append(rows.copy())
        return make(self, arrays, rows, fit_targets)

    def regressor_fit(self, X, y=None, **kwargs):
        fitted.append(X)
        return fit(self, X, y, **kwargs)

    monkeypatch.setattr(TCNForecaster, "_windows_at", windows_at)
    monkeypatch.setattr(TCNRegressor, "fit", regressor_fit)
    return built, fitted


def test_lazy_windows_build_one_batch_at_a_time(spies, monkeypatch):
    built, fitted = spies
    monkeypatch.setattr(forecasting, "_SCORED_WINDOWS", 5)
    y = _series()
    f = TCNForecaster(**dict(TINY, batch_size=8), lazy_windows=True, calibration_size=0.2).fit(y, fh=[1, 2, 3])
    n_windows = len(y) - f.window_length_ - f.horizon_ + 1
    # Four networks (three calibration folds and the final one), all trained on batches.
    assert len(fitted) == 4 and all(isinstance(x, WindowBatches) for x in fitted)
    assert len(fitted[-1].rows) == n_windows
    assert max(len(rows) for rows in built) <= 8
    # Every window is made at some point: training covers them all.
    assert {tuple(r) for rows in built for r in rows} == {(0, s) for s in range(n_windows)}
    assert f.predict_interval(coverage=0.9).notna().all().all()


def test_lazy_and_in_memory_windows_train_the_same_network():
    # Without shuffling both feed the same batches in the same order, so the
    # trained networks agree: lazy windows change where the windows are made, not what.
    y = _series()
    params = dict(TINY, calibration_size=0.0, shuffle=False, batch_size=16)
    lazy = TCNForecaster(**params, lazy_windows=True).fit(y, fh=[1, 2, 3])
    eager = TCNForecaster(**params, lazy_windows=False).fit(y, fh=[1, 2, 3])
    np.testing.assert_allclose(lazy.predict().to_numpy(), eager.predict().to_numpy(), rtol=1e-4)
    np.testing.assert_allclose(lazy.residual_quantile_source_, eager.residual_quantile_source_, rtol=1e-3, atol=1e-4)


def test_lazy_windows_shuffle_and_repeat_with_a_seed():
    y = _series()
    params = dict(TINY, calibration_size=0.0, batch_size=8, lazy_windows=True)
    a = TCNForecaster(**params).fit(y, fh=[1, 2]).predict()
    b = TCNForecaster(**params).fit(y, fh=[1, 2]).predict()
    pd.testing.assert_series_equal(a, b)
    batches = WindowBatches(lambda rows: (rows, None, rows), np.arange(40)[:, None], 8, True, 0)
    first = np.concatenate([batches[i][0] for i in range(len(batches))]).ravel()
    batches.on_epoch_end()
    second = np.concatenate([batches[i][0] for i in range(len(batches))]).ravel()
    assert sorted(first) == sorted(second) == list(range(40)) and list(first) != list(second)


def test_lazy_windows_on_a_panel_with_exogenous_data(spies):
    built, fitted = spies
    y, X = _panel()
    f = TCNForecaster(**TINY, lazy_windows=True, calibration_size=0.0).fit(y, X=X, fh=[1, 2])
    assert isinstance(fitted[-1], WindowBatches)
    assert {int(r[0]) for rows in built for r in rows} == {0, 1, 2}  # every series' windows
    future = pd.DataFrame(
        {"x": 0.0}, index=pd.MultiIndex.from_product([["a", "b", "c"], [50, 51]], names=["unit", "time"])
    )
    pred = f.predict(X=future)
    assert pred.shape == (6, 1) and np.isfinite(pred.to_numpy()).all()


def test_auto_streams_only_windows_larger_than_the_limit(spies, monkeypatch):
    _, fitted = spies
    y = _series()
    TCNForecaster(**TINY, calibration_size=0.0).fit(y, fh=[1, 2])
    assert isinstance(fitted[-1], np.ndarray)  # small data: arrays in memory
    monkeypatch.setattr(forecasting, "_LAZY_WINDOW_BYTES", 1000)
    TCNForecaster(**TINY, calibration_size=0.0).fit(y, fh=[1, 2])
    assert isinstance(fitted[-1], WindowBatches)
    # A validation split is drawn from arrays, so "auto" keeps them in memory.
    TCNForecaster(**TINY, calibration_size=0.0, validation_split=0.2).fit(y, fh=[1, 2])
    assert isinstance(fitted[-1], np.ndarray)


def test_scoring_bounds_the_bytes_of_each_network_call_and_decodes_the_last_step(monkeypatch):
    # With forking sequences the network outputs window_length x horizon values
    # per window, of which scoring reads the last step: its chunks are bounded in
    # bytes (not windows), and only that step is decoded to float64. Before, a
    # chunk was 1024 windows whatever their size, every step decoded.
    y, fh = _series(), [1, 2, 3, 4]
    params = dict(TINY, window_length=12, calibration_size=0.0)
    unbounded = TCNForecaster(**params).fit(y, fh=fh)
    outputs, decoded = [], []
    predict_raw, decode = TCNRegressor._predict_raw, StandardTargetEncoder.inverse_transform

    def spied_predict_raw(self, X, forward=None):
        raw = predict_raw(self, X, forward)
        outputs.append(raw.nbytes)
        return raw

    def spied_decode(self, y):
        decoded.append(np.ndim(y))
        return decode(self, y)

    monkeypatch.setattr(TCNRegressor, "_predict_raw", spied_predict_raw)
    monkeypatch.setattr(StandardTargetEncoder, "inverse_transform", spied_decode)
    # Ten windows' network outputs (12 steps x 4 horizons of float32).
    limit = 10 * 12 * 4 * 4
    monkeypatch.setattr(forecasting, "_SCORED_BYTES", limit, raising=False)
    f = TCNForecaster(**params).fit(y, fh=fh)
    n_windows = len(y) - 12 - 4 + 1
    assert len(outputs) >= n_windows // 10 and max(outputs) <= limit
    assert decoded and all(ndim == 2 for ndim in decoded)  # (windows, horizon): the last step only
    # The same residuals and forecasts as in one chunk.
    np.testing.assert_allclose(f.residual_quantile_source_, unbounded.residual_quantile_source_, rtol=1e-6)
    pd.testing.assert_series_equal(f.predict(), unbounded.predict())


@pytest.mark.parametrize(
    "params, error, match",
    [
        (dict(lazy_windows="yes"), ValueError, "'lazy_windows' parameter of TCNForecaster"),
        (dict(lazy_windows=True, validation_split=0.2), ValueError, "set validation_split=0"),
        # numpy's bool, which the "boolean" constraint takes: the inner regressor refused it, about streamed X.
        (dict(lazy_windows=np.True_, validation_split=0.2), ValueError, "lazy_windows=True set validation_split=0"),
    ],
)
def test_bad_lazy_windows_settings_leave_nothing_fitted(params, error, match):
    f = TCNForecaster(**TINY, **params)
    with pytest.raises(error, match=match):
        f.fit(_series(), fh=[1, 2])
    assert not f.is_fitted and not hasattr(f, "regressor_")
