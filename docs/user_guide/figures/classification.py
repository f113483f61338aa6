"""BasicMotions with a tiny TCNClassifier: its training loss and its test confusion matrix.

A quick illustration drawn by the documentation build (seconds on a CPU); the
full-size results are in benchmarks/RESULTS.md.
"""

import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay
from sktime.datasets import load_basic_motions

from sktcn import TCNClassifier
from sktcn.plotting import plot_history

# sktime's numpy3D layout is (series, channels, time); sktcn reads (series, time, channels).
X_train, y_train = load_basic_motions(split="train", return_type="numpy3D")
X_test, y_test = load_basic_motions(split="test", return_type="numpy3D")
X_train, X_test = X_train.transpose(0, 2, 1), X_test.transpose(0, 2, 1)

# 8 filters and 20 epochs at a raised learning rate: enough for these 40 series, and
# seconds to train (the default epochs="auto" plans minutes).
clf = TCNClassifier(nb_filters=8, kernel_size=4, epochs=20, batch_size=16, learning_rate=0.01, random_state=0)
clf.fit(X_train, y_train)

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
plot_history(clf, ax=left, title="Training loss")
ConfusionMatrixDisplay.from_predictions(y_test, clf.predict(X_test), ax=right, colorbar=False)
right.set_title(f"{len(y_test)} test series: accuracy {clf.score(X_test, y_test):.2f}")
fig.tight_layout()
