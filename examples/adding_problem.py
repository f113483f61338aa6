"""
The adding problem (keras-tcn README): sum the two values a marker channel points at
====================================================================================

Prints the test MSE against predicting the mean (about 0.167), the epochs and the
fit time; saves the loss curve and predicted-vs-true plots.

    python examples/adding_problem.py [--quick] [--out DIR]
"""

from sklearn.metrics import mean_squared_error

from _common import Timer, main, png
from sktcn import TCNRegressor
from sktcn.datasets import make_adding_problem
from sktcn.plotting import plot_history, plot_predictions, save

FULL = dict(n_samples=3000, n_timesteps=200, nb_filters=24, kernel_size=4, epochs=15, learning_rate=0.005)
QUICK = dict(n_samples=160, n_timesteps=24, nb_filters=4, kernel_size=2, epochs=2, learning_rate=0.005)


def run(out, n_samples, n_timesteps, epochs, random_state=0, test_size=0.2, **network):
    X, y = make_adding_problem(n_samples=n_samples, n_timesteps=n_timesteps, random_state=random_state)
    n_test = int(n_samples * test_size)
    X_train, X_test, y_train, y_test = X[n_test:], X[:n_test], y[n_test:], y[:n_test]
    reg = TCNRegressor(epochs=epochs, random_state=random_state, **network)
    with Timer() as fit:
        reg.fit(X_train, y_train)
    y_pred = reg.predict(X_test)
    save(plot_history(reg, title=f"Adding problem, T={n_timesteps}: training loss"), png(out, "adding_history.png"))
    save(plot_predictions(y_test, y_pred, title=f"Adding problem, T={n_timesteps}: test set"),
         png(out, "adding_predictions.png"))
    return {
        "n_timesteps": n_timesteps,
        "receptive_field": reg.receptive_field_,
        "epochs": len(reg.history_["loss"]),
        "test MSE": float(mean_squared_error(y_test, y_pred)),
        "test MSE of the mean": float(mean_squared_error(y_test, y_test * 0 + y_train.mean())),
        "fit seconds": fit.seconds,
    }


if __name__ == "__main__":
    main(run, FULL, QUICK, "Adding problem, TCNRegressor")
