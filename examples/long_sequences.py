"""
Long recordings: train on crops, predict whole recordings in one causal pass
============================================================================

A per-step labelling task on a few long recordings: the label of step ``t`` is
the sign of the value ``lag`` steps earlier (with a share of labels flipped as
noise), so only a network whose receptive field reaches ``lag`` steps back can
learn it. ``TCNClassifier(return_sequences=True, subsequence_length=L)`` trains
on crops of ``L`` steps (with ``dilations=None`` its receptive field covers
``L``), and ``GridSearchCV`` over ``subsequence_length`` finds the crop length
whose field reaches the event, as the source on long sequences advises. Predict
reads whole recordings, chunked along time with the outputs of one pass.

Prints, for each crop length, the receptive field, the cross-validated
accuracy and the fit seconds; the best length's accuracy on held-out
recordings; the agreement of chunked and one-pass predictions; and saves the
accuracy against the receptive field.

    python examples/long_sequences.py [--quick] [--out DIR]
"""

import numpy as np
from sklearn.model_selection import GridSearchCV

from _common import Timer, main, png
from sktcn import TCNClassifier
from sktcn._network import auto_dilations, receptive_field

FULL = dict(n_recordings=6, n_timesteps=200_000, lag=100, lengths=(30, 120), nb_filters=16, epochs=8)
QUICK = dict(n_recordings=4, n_timesteps=2_000, lag=12, lengths=(4, 16), nb_filters=4, epochs=2)


def make_lagged_sign(n_recordings, n_timesteps, lag, flip=0.05, random_state=0):
    """Recordings ``(n, T, 1)`` of white noise; labels ``(n, T)``: the sign of the value ``lag`` steps back.

    A share ``flip`` of the labels is flipped, so the best accuracy is
    ``1 - flip``; the first ``lag`` steps, which have no such value, are
    labelled by a coin.
    """
    rng = np.random.default_rng(random_state)
    X = rng.normal(size=(n_recordings, n_timesteps, 1)).astype(np.float32)
    labels = np.empty((n_recordings, n_timesteps), dtype=np.int64)
    labels[:, lag:] = X[:, :-lag, 0] > 0
    labels[:, :lag] = rng.integers(0, 2, size=(n_recordings, lag))
    labels ^= rng.random(labels.shape) < flip
    return X, labels


def run(out, n_recordings, n_timesteps, lag, lengths, nb_filters, epochs, random_state=0):
    X, y = make_lagged_sign(n_recordings, n_timesteps, lag, random_state=random_state)
    X_test, y_test = make_lagged_sign(2, n_timesteps, lag, random_state=random_state + 1)
    tcn = TCNClassifier(return_sequences=True, nb_filters=nb_filters, epochs=epochs, random_state=random_state)
    search = GridSearchCV(tcn, {"subsequence_length": list(lengths)}, cv=2)
    with Timer() as searching:
        search.fit(X, y)
    figures = {"recording steps": n_timesteps, "lag of the event": lag}
    # dilations=None: the field covers the crop, whatever the recordings' length.
    fields = [receptive_field(tcn.kernel_size, auto_dilations(length, tcn.kernel_size)) for length in lengths]
    accuracies = [float(score) for score in search.cv_results_["mean_test_score"]]
    for length, field, accuracy, seconds in zip(lengths, fields, accuracies, search.cv_results_["mean_fit_time"]):
        figures[f"L={length}: receptive field"] = field
        figures[f"L={length}: CV accuracy"] = accuracy
        figures[f"L={length}: fit seconds"] = float(seconds)
    clf = search.best_estimator_
    figures["best subsequence_length"] = search.best_params_["subsequence_length"]
    figures["best: test accuracy"] = float(np.mean(clf.predict(X_test) == y_test))
    figures["search seconds"] = searching.seconds
    # The other way to draw crops: the same tiling every epoch instead of fresh offsets.
    strided = TCNClassifier(**clf.get_params()).set_params(subsequence_sampling="stride")
    with Timer() as fit:
        strided.fit(X, y)
    figures["best, stride crops: test accuracy"] = float(np.mean(strided.predict(X_test) == y_test))
    figures["best, stride crops: fit seconds"] = fit.seconds
    # Chunked along time (chunks far shorter than a recording) against one pass.
    one_pass = clf._predict_function(X_test[:1])
    chunked = clf._predict_in_time_chunks(X_test[:1], clf._causal_context(), chunk=max(1, n_timesteps // 7))
    figures["chunked vs one pass, max |difference|"] = float(np.abs(chunked - one_pass).max())
    _plot(fields, accuracies, lag, png(out, "long_sequences.png"))
    return figures


def _plot(fields, accuracies, lag, path):
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(5, 3.5))
    axis.plot(fields, accuracies, "o-")
    axis.axvline(lag + 1, color="grey", linestyle="--", label=f"field reaching the event ({lag + 1} steps)")
    axis.set_xlabel("receptive field (steps)")
    axis.set_ylabel("cross-validated accuracy per step")
    axis.set_title("Crops of long recordings: accuracy against the field")
    axis.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


if __name__ == "__main__":
    main(run, FULL, QUICK, "Long recordings, TCNClassifier trained on crops")
