"""A short tour of sktcn on data that ships with the installed packages.

1. Time-series classification on GunPoint (a UCR data set bundled with sktime),
   next to the classic 1-nearest-neighbour baseline and the majority class.
2. Regression on the adding problem (a memory task from the TCN paper),
   next to predicting the mean and a ridge regression on the whole window.

Run it with ``make demo`` or ``python examples/demo.py``.
"""

import time

from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.linear_model import RidgeCV
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.neighbors import KNeighborsClassifier
from sktime.datasets import load_gunpoint

from sktcn import TCNClassifier, TCNRegressor
from sktcn.datasets import make_adding_problem


def report(task, rows):
    print(f"\n{task}")
    width = max(len(name) for name, _, _ in rows)
    for name, score, seconds in rows:
        print(f"  {name:<{width}}  {score:8.4f}   ({seconds:5.1f} s)")


def timed(score, model, X_fit, y_fit, X_eval, y_eval):
    """Fit, predict and score one model; return the score and the seconds it took."""
    start = time.perf_counter()
    result = score(y_eval, model.fit(X_fit, y_fit).predict(X_eval))
    return result, time.perf_counter() - start


def gunpoint():
    # sktime's 3D layout is (n, channels, time); Keras' (and sktcn's) is (n, time, channels).
    X_train, y_train = load_gunpoint(split="train", return_type="numpy3D")
    X_test, y_test = load_gunpoint(split="test", return_type="numpy3D")
    X_train, X_test = X_train.transpose(0, 2, 1), X_test.transpose(0, 2, 1)
    tcn = TCNClassifier(nb_filters=32, kernel_size=4, epochs=100, batch_size=16, random_state=0)
    rows = []
    for name, model, X_fit, X_eval in [
        ("TCNClassifier", tcn, X_train, X_test),
        ("1-NN, Euclidean", KNeighborsClassifier(1), X_train[..., 0], X_test[..., 0]),
        ("majority class", DummyClassifier(), X_train[..., 0], X_test[..., 0]),
    ]:
        accuracy, seconds = timed(accuracy_score, model, X_fit, y_train, X_eval, y_test)
        rows.append((name, accuracy, seconds))
    report(f"GunPoint classification, test accuracy (higher is better); TCN receptive field "
           f"{tcn.receptive_field_} >= {X_train.shape[1]} steps", rows)


def adding_problem():
    X, y = make_adding_problem(n_samples=3000, n_timesteps=100, random_state=0)
    X_train, X_test, y_train, y_test = X[:2500], X[2500:], y[:2500], y[2500:]
    tcn = TCNRegressor(nb_filters=24, kernel_size=4, epochs=15, learning_rate=0.005, random_state=0)
    flat_train, flat_test = X_train.reshape(len(X_train), -1), X_test.reshape(len(X_test), -1)
    rows = []
    for name, model, X_fit, X_eval in [
        ("TCNRegressor", tcn, X_train, X_test),
        ("ridge on the window", RidgeCV(), flat_train, flat_test),
        ("predict the mean", DummyRegressor(), flat_train, flat_test),
    ]:
        mse, seconds = timed(mean_squared_error, model, X_fit, y_train, X_eval, y_test)
        rows.append((name, mse, seconds))
    report("Adding problem, 100 steps, test MSE (lower is better)", rows)


if __name__ == "__main__":
    gunpoint()
    adding_problem()
