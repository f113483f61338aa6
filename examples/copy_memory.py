"""
The copy-memory task (keras-tcn README): repeat 10 digits after a long run of blanks
====================================================================================

A TCNClassifier with ``return_sequences=True`` predicts one label per step; the
figure that matters is the accuracy on the copied digits (the last ``n_digits``
steps), since every other step's label is a blank. Saves the loss curve.

    python examples/copy_memory.py [--quick] [--out DIR]
"""

import numpy as np

from _common import Timer, main, png
from sktcn import TCNClassifier
from sktcn.datasets import make_copy_memory
from sktcn.plotting import plot_history, save

FULL = dict(n_samples=3000, n_blanks=100, n_digits=10, nb_filters=16, kernel_size=8, epochs=15)
QUICK = dict(n_samples=120, n_blanks=8, n_digits=3, nb_filters=4, kernel_size=2, epochs=2)


def run(out, n_samples, n_blanks, n_digits, epochs, random_state=0, test_size=0.2, **network):
    X, y = make_copy_memory(n_samples=n_samples, n_blanks=n_blanks, n_digits=n_digits, random_state=random_state)
    n_test = int(n_samples * test_size)
    clf = TCNClassifier(return_sequences=True, epochs=epochs, random_state=random_state, **network)
    with Timer() as fit:
        clf.fit(X[n_test:], y[n_test:])
    y_pred = clf.predict(X[:n_test])
    copied = slice(-n_digits, None)
    save(plot_history(clf, title=f"Copy memory, {n_blanks} blanks: training loss"), png(out, "copy_memory_history.png"))
    return {
        "sequence length": X.shape[1],
        "receptive_field": clf.receptive_field_,
        "epochs": len(clf.history_["loss"]),
        "accuracy on copied digits": float(np.mean(y_pred[:, copied] == y[:n_test, copied])),
        "accuracy of guessing (1/8)": 1 / 8,
        "accuracy on all steps": float(np.mean(y_pred == y[:n_test])),
        "fit seconds": fit.seconds,
    }


if __name__ == "__main__":
    main(run, FULL, QUICK, "Copy memory, TCNClassifier(return_sequences=True)")
