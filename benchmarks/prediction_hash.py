"""One hash of the predictions the benchmarks' working paths make, to show a change moved none of them.

A refactor or a check that must not change what the estimators learn is shown
not to by running this script on the code before and after: equal hashes mean
bit-for-bit equal predictions, so the accuracy and coverage figures measured
on the earlier code stand. It fits, with fixed seeds:

* TCNRegressor on float64, float32 and two-output targets, a 3-network one and a
  weighted one;
* TCNClassifier on string and integer labels, and with ``class_weight="balanced"``
  (predicted labels and probabilities);
* the default TCNForecaster on airline, months 1..36 ahead, with 80 % and 90 %
  intervals;
* a panel TCNForecaster with exogenous X, with quantiles.

It prints ``points <hash> intervals <hash>`` (point predictions and labels;
intervals, quantiles and probabilities) and, with ``--each``, one hash per
case. The hashes depend on the machine's arithmetic (TensorFlow's kernels),
so compare runs on one machine only. Earlier sessions ran an ad-hoc script of
the same cases (``/tmp/exp21/hash.py``, lost with that machine), whose hashes
this one does not reproduce.

Usage: python benchmarks/prediction_hash.py [--each]
"""

import argparse
import hashlib
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sktcn import TCNClassifier, TCNForecaster, TCNRegressor  # noqa: E402
from sktcn.datasets import make_adding_problem  # noqa: E402

SMALL = dict(nb_filters=8, kernel_size=3, dilations=(1, 2, 4, 8), epochs=5, random_state=0)


def regressors():
    X, y = make_adding_problem(n_samples=200, n_timesteps=32, random_state=0)
    X_test = X[:20]
    two = np.column_stack([y, 2 * y - 1])
    return {
        "regressor float64": TCNRegressor(**SMALL).fit(X, y.astype(np.float64)).predict(X_test),
        "regressor float32": TCNRegressor(**SMALL).fit(X.astype(np.float32), y.astype(np.float32)).predict(X_test),
        "regressor two outputs": TCNRegressor(**SMALL).fit(X, two).predict(X_test),
        "regressor 3 networks": TCNRegressor(**SMALL, n_networks=3).fit(X, y).predict(X_test),
        "regressor weighted": TCNRegressor(**SMALL).fit(X, y, sample_weight=np.linspace(0.5, 2, len(y))).predict(X_test),
    }


def classifiers():
    X, y = make_adding_problem(n_samples=200, n_timesteps=32, random_state=1)
    labels = np.where(y > np.median(y), "high", "low")
    X_test = X[:20]
    by_name = TCNClassifier(**SMALL).fit(X, labels)
    by_int = TCNClassifier(**SMALL).fit(X, (y > np.median(y)).astype(int))
    unbalanced = (y > np.quantile(y, 0.8)).astype(int)
    balanced = TCNClassifier(**SMALL, class_weight="balanced").fit(X, unbalanced)
    points = {"classifier strings": by_name.predict(X_test).astype("U"), "classifier ints": by_int.predict(X_test),
              "classifier balanced": balanced.predict(X_test)}
    spreads = {"classifier strings proba": by_name.predict_proba(X_test),
               "classifier ints proba": by_int.predict_proba(X_test),
               "classifier balanced proba": balanced.predict_proba(X_test)}
    return points, spreads


def forecasters():
    from sktime.datasets import load_airline

    y = load_airline()
    train = y.iloc[:-36]
    fh = np.arange(1, 37)
    default = TCNForecaster(random_state=0).fit(train, fh=fh)
    points = {"forecaster airline": default.predict().to_numpy()}
    spreads = {"forecaster airline intervals": default.predict_interval(coverage=[0.8, 0.9]).to_numpy()}

    rng = np.random.default_rng(0)
    index = pd.MultiIndex.from_product([["a", "b"], pd.period_range("2000-01", periods=60, freq="M")])
    t = np.tile(np.arange(60), 2)
    X = pd.DataFrame({"x": rng.normal(size=120)}, index=index)
    panel = pd.DataFrame({"y": 10 + np.sin(t / 3) + 0.5 * X["x"].to_numpy() + rng.normal(0, 0.1, 120)}, index=index)
    future = pd.MultiIndex.from_product([["a", "b"], pd.period_range("2005-01", periods=6, freq="M")])
    X_future = pd.DataFrame({"x": rng.normal(size=12)}, index=future)
    fitted = TCNForecaster(nb_filters=8, epochs=5, window_length=12, random_state=0).fit(panel, X=X, fh=range(1, 7))
    points["forecaster panel X"] = fitted.predict(X=X_future).to_numpy()
    spreads["forecaster panel X quantiles"] = fitted.predict_quantiles(X=X_future, alpha=[0.1, 0.5, 0.9]).to_numpy()
    return points, spreads


def digest(arrays):
    sha = hashlib.sha256()
    for name in sorted(arrays):
        sha.update(name.encode())
        sha.update(np.ascontiguousarray(arrays[name]).tobytes())
    return sha.hexdigest()[:10]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.partition("\n\n")[0])
    parser.add_argument("--each", action="store_true", help="print one hash per case too")
    args = parser.parse_args(argv)
    points = regressors()
    class_points, class_spreads = classifiers()
    forecast_points, forecast_spreads = forecasters()
    points.update(class_points)
    points.update(forecast_points)
    spreads = {**class_spreads, **forecast_spreads}
    if args.each:
        for name, values in {**points, **spreads}.items():
            print(f"{name:<32} {digest({name: values})}")
    print(f"points {digest(points)} intervals {digest(spreads)}")


if __name__ == "__main__":
    main()
