"""Seed spread of TCNClassifier's pooling on sequential digits.

The sizes of ``tasks.py sequential_digits`` (24 filters, kernel 3, 60 epochs), the
split of ``random_state=0``, network seeds 1 and 2 (seed 0 is tasks.py's run).

    python benchmarks/pooling_seeds.py
"""

import time

from sklearn.model_selection import train_test_split

from sktcn import TCNClassifier
from sktcn.datasets import load_sequential_digits


def main():
    X, y = load_sequential_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    for seed in (1, 2):
        for pooling in ("mean", "last", "max"):
            start = time.perf_counter()
            model = TCNClassifier(nb_filters=24, kernel_size=3, epochs=60, pooling=pooling, random_state=seed)
            model.fit(X_train, y_train)
            print(f"seed {seed} pooling={pooling}: test accuracy {model.score(X_test, y_test):.4f}, "
                  f"{time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
