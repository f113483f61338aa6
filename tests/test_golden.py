"""Refactors keep behaviour: the same seeds give the same predictions as the code of 2026-12-02.

``tests/data/golden_predictions.npz`` holds predictions written by this module's
``main`` on commit 1417407, before the layout refactor (issue 19), and rewritten
since for two intended changes: the zero-initialised output head of the classifier
and regressor (issue 16; the forecaster keeps Keras' random head, and its
single-network entries are 1417407's to the last bit) and ensembles trained as one
Keras model, whose members share the first seed's batch order (issue 18: the
``*_ensemble`` and ``forecast_standard`` entries). The forecasters are built with
``baseline=None``, the forecaster before baselines (issue 17), whose networks forecast
the series itself; their ``*_interval`` entries, and ``saved_forecaster``, were
rewritten (and nothing else) when intervals became symmetric about the point forecast
(issue 17). Every entry trained from arrays was rewritten when each pass of a fit
began to draw a new batch order, in batches of equal size (``sktcn._epoch_batches``;
Keras' own pipeline, seeded, had repeated one order in every epoch), and
``forecast_series_lazy*`` when the lazy windows took the same equal batch sizes.
The ``*_interval`` entries and ``saved_forecaster`` were rewritten (and nothing
else) when each horizon step's error scale began to lean on all steps'
(``sktcn._conformal.residual_scale``), and again when the half-width became the
k-th smallest calibration error, split conformal's, where it had been the (k+1)-th,
and the two ends of an interval the same rank (``sktcn._conformal.conformal_rank``).
The classifier is built with
``use_batch_norm=False``, its network before batch normalisation became its
default (issue 16). The files saved in format 1 are still 1417407's, and so are
their predictions except the forecaster's intervals. A difference
beyond float32 rounding means a refactor changed what the estimators compute.
Rewrite the file (``python tests/test_golden.py``) only for an intended change
of behaviour, and say so in the commit message.
"""

import os
import sys

import numpy as np
import pandas as pd
import pytest

from sktcn import TCNClassifier, TCNForecaster, TCNRegressor

GOLDEN = os.path.join(os.path.dirname(__file__), "data", "golden_predictions.npz")
NET = dict(nb_filters=4, epochs=2, batch_size=16, random_state=3)


def _panel():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 16, 2)).astype(np.float32)
    return X, X[:, 0, 0] + X[:, -1, 1], np.where(X[:, :, 0].mean(axis=1) > 0, "up", "down")


def _airline():
    from sktime.datasets import load_airline

    return load_airline().iloc[:84]


def _exogenous(y):
    rng = np.random.RandomState(1)
    return pd.DataFrame({"promo": rng.normal(size=len(y) + 6)}, index=pd.period_range(y.index[0], periods=len(y) + 6,
                                                                                      freq=y.index.freq))


def _forecasts():
    """name -> forecaster predictions (point and 80% interval) on airline, one per forecaster path."""
    y = _airline()
    X = _exogenous(y)
    cases = {
        "forecast_standard": dict(scaling="standard", n_networks=2, calibration_size=0.2),
        "forecast_mean": dict(scaling="mean", n_networks=1, calibration_size=0.0, forking_sequences=False),
        "forecast_series_lazy": dict(scaling="series", n_networks=1, calibration_size=0.2, lazy_windows=True),
    }
    out = {}
    for name, params in cases.items():
        f = TCNForecaster(**NET, window_length=12, baseline=None, **params).fit(y, fh=[1, 2, 3])
        out[name] = f.predict().to_numpy()
        out[name + "_interval"] = f.predict_interval(coverage=0.8).to_numpy()
    f = TCNForecaster(**NET, window_length=12, n_networks=1, calibration_size=0.0, baseline=None).fit(
        y, X=X.iloc[: len(y)], fh=[1, 2, 3])
    out["forecast_exogenous"] = f.predict(X=X.iloc[len(y): len(y) + 3]).to_numpy()
    return out


def golden_predictions():
    X, y_reg, y_clf = _panel()
    out = {
        "regressor": TCNRegressor(**NET).fit(X, y_reg).predict(X),
        "regressor_ensemble": TCNRegressor(**NET, n_networks=2).fit(X, y_reg).predict(X),
        # The classifier as before batch normalisation became its default (issue 16).
        "classifier_proba": TCNClassifier(**NET, use_batch_norm=False).fit(X, y_clf).predict_proba(X),
    }
    out.update(_forecasts())
    return {k: np.asarray(v, dtype=np.float64) for k, v in out.items()}


SAVED = os.path.join(os.path.dirname(__file__), "data", "format1")


def write_saved_models():
    """Models saved by the reference commit's ``save`` (format 1), and their predictions."""
    X, y_reg, _ = _panel()
    reg = TCNRegressor(**NET).fit(X, y_reg)
    reg.save(os.path.join(SAVED, "regressor"))
    forecaster = TCNForecaster(**NET, window_length=12, n_networks=1, calibration_size=0.2).fit(_airline(), fh=[1, 2])
    forecaster.save(os.path.join(SAVED, "forecaster"))
    return {"saved_regressor": reg.predict(X), "saved_forecaster": forecaster.predict_interval(coverage=0.8).to_numpy()}


@pytest.fixture(scope="module")
def golden():
    if not os.path.exists(GOLDEN):
        pytest.fail(f"{GOLDEN} is missing; it is written by `python tests/test_golden.py` on the reference commit.")
    with np.load(GOLDEN) as stored:
        return dict(stored)


def test_same_seeds_give_the_reference_predictions(golden):
    now = golden_predictions()
    assert set(golden) - set(now) == {"saved_regressor", "saved_forecaster"}
    for name, expected in now.items():
        np.testing.assert_allclose(expected, golden[name], rtol=1e-5, atol=1e-5, err_msg=name)


def test_files_saved_by_the_reference_commit_still_load(golden):
    import sktcn

    X, _, _ = _panel()
    np.testing.assert_allclose(sktcn.load(os.path.join(SAVED, "regressor")).predict(X), golden["saved_regressor"],
                               rtol=1e-5, atol=1e-5)
    forecaster = sktcn.load(os.path.join(SAVED, "forecaster.zip"))
    np.testing.assert_allclose(forecaster.predict_interval(coverage=0.8).to_numpy(), golden["saved_forecaster"],
                               rtol=1e-5, atol=1e-5)


if __name__ == "__main__":
    os.makedirs(SAVED, exist_ok=True)
    np.savez(GOLDEN, **golden_predictions(), **write_saved_models())
    print(f"wrote {GOLDEN}", file=sys.stderr)
