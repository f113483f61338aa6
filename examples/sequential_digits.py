"""
Sequential digits: 8x8 digit images read pixel by pixel, TCN against an LSTM
============================================================================

The offline stand-in for the README's sequential MNIST (784 steps): each of
scikit-learn's 1797 digits is one 64-step series. Prints each model's test
accuracy, parameter count and fit time; saves the loss curves.
``run(poolings=("mean", "last"))`` fits the TCN once per ``pooling`` given (the
default, "auto", is mean pooling for a classifier).

    python examples/sequential_digits.py [--quick] [--out DIR]
"""

import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split

from _common import Timer, main, png
from sktcn import TCNClassifier
from sktcn.baselines import LSTMClassifier
from sktcn.datasets import load_sequential_digits
from sktcn.plotting import plot_history, save

FULL = dict(n_samples=None, epochs=30, nb_filters=24, units=48)
QUICK = dict(n_samples=200, epochs=2, nb_filters=4, units=4)


def run(out, n_samples, epochs, nb_filters, units, random_state=0, poolings=("auto",)):
    X, y = load_sequential_digits()
    X, y = X[:n_samples], y[:n_samples]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=random_state)
    models = {
        "TCN" if pooling == "auto" else f"TCN pooling={pooling}": TCNClassifier(
            nb_filters=nb_filters, kernel_size=3, epochs=epochs, pooling=pooling, random_state=random_state)
        for pooling in poolings
    }
    models["LSTM"] = LSTMClassifier(units=units, epochs=epochs, random_state=random_state)
    figures = {}
    _, axes = plt.subplots(1, len(models), figsize=(5 * len(models), 4))
    for ax, (name, model) in zip(axes, models.items()):
        with Timer() as fit:
            model.fit(X_train, y_train)
        figures[f"{name} test accuracy"] = float(model.score(X_test, y_test))
        figures[f"{name} parameters"] = model.model_.count_params()
        figures[f"{name} fit seconds"] = fit.seconds
        plot_history(model, ax=ax, title=f"{name} training loss")
    save(axes[0], png(out, "sequential_digits_history.png"))
    return figures


if __name__ == "__main__":
    main(run, FULL, QUICK, "Sequential digits (64 steps), TCN vs LSTM")
