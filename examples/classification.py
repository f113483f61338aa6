"""
Time-series classification on GunPoint and BasicMotions (bundled with sktime)
=============================================================================

TCNClassifier against sktime's CNNClassifier (Zhao et al.'s time-series CNN) trained
for the same number of epochs, in the same run: test accuracy and fit time. Saves
the TCN's loss curves. ``run(poolings=("mean", "last"))`` also fits the TCN with
each ``pooling`` given (the default, "auto", is mean pooling for a classifier).

    python examples/classification.py [--quick] [--out DIR]
"""

import matplotlib.pyplot as plt
from sktime.classification.deep_learning.cnn import CNNClassifier
from sktime.datasets import load_basic_motions, load_gunpoint

from _common import Timer, main, png
from sktcn import TCNClassifier
from sktcn.plotting import plot_history, save

FULL = dict(epochs=100, nb_filters=32, kernel_size=4)
QUICK = dict(epochs=2, nb_filters=4, kernel_size=2, datasets=("GunPoint",))

LOADERS = {"GunPoint": load_gunpoint, "BasicMotions": load_basic_motions}


def load(name):
    """Train and test splits in sktcn's layout (sktime's numpy3D is (n, channels, time))."""
    X_train, y_train = LOADERS[name](split="train", return_type="numpy3D")
    X_test, y_test = LOADERS[name](split="test", return_type="numpy3D")
    return X_train.transpose(0, 2, 1), y_train, X_test.transpose(0, 2, 1), y_test


def fit_score(model, X_train, y_train, X_test, y_test):
    with Timer() as fit:
        model.fit(X_train, y_train)
    return float((model.predict(X_test) == y_test).mean()), fit.seconds


def run(out, epochs, nb_filters, kernel_size, datasets=tuple(LOADERS), random_state=0, poolings=("auto",)):
    figures = {}
    _, axes = plt.subplots(1, len(datasets), figsize=(5 * len(datasets), 4), squeeze=False)
    for ax, name in zip(axes[0], datasets):
        X_train, y_train, X_test, y_test = load(name)
        for pooling in poolings:
            label = "TCN" if pooling == "auto" else f"TCN pooling={pooling}"
            tcn = TCNClassifier(nb_filters=nb_filters, kernel_size=kernel_size, epochs=epochs, batch_size=16,
                                pooling=pooling, random_state=random_state)
            figures[f"{name} {label} accuracy"], figures[f"{name} {label} fit seconds"] = fit_score(
                tcn, X_train, y_train, X_test, y_test)
            figures[f"{name} {label} training accuracy"] = float((tcn.predict(X_train) == y_train).mean())
            plot_history({f"{label} loss": tcn.history_["loss"]}, ax=ax, title=f"{name}: TCN training loss")
        # sktime's estimators take its own (n, channels, time) layout.
        cnn = CNNClassifier(n_epochs=epochs, batch_size=16, random_state=random_state)
        figures[f"{name} CNNClassifier accuracy"], figures[f"{name} CNNClassifier fit seconds"] = fit_score(
            cnn, X_train.transpose(0, 2, 1), y_train, X_test.transpose(0, 2, 1), y_test)
    figures["epochs (both models)"] = epochs
    save(axes[0, 0], png(out, "classification_history.png"))
    return figures


if __name__ == "__main__":
    main(run, FULL, QUICK, "Classification on GunPoint and BasicMotions, TCN vs sktime CNNClassifier")
