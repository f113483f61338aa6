import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Tiny networks and few epochs: the tests check behaviour, not accuracy.
TINY = dict(nb_filters=4, epochs=2, batch_size=16)


@pytest.fixture
def rng():
    return np.random.RandomState(0)


@pytest.fixture
def series_2d(rng):
    X = rng.normal(size=(40, 12)).astype(np.float32)
    return X, X[:, 0] + X[:, -1]


@pytest.fixture
def series_3d(rng):
    X = rng.normal(size=(40, 10, 3)).astype(np.float32)
    labels = np.where(X[:, :, 0].sum(axis=1) > 0, "pos", "neg")
    return X, labels
