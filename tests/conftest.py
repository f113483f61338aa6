import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# The tests' one small-network configuration: tiny networks and few epochs,
# since the tests check behaviour, not accuracy. The others derive from it.
TINY = dict(nb_filters=4, epochs=2, batch_size=16)
# The LSTM baselines size their network by ``units`` instead of ``nb_filters``.
TINY_LSTM = dict({k: v for k, v in TINY.items() if k != "nb_filters"}, units=4, random_state=0)
# Seeded, and one network per fit (the forecaster's default is three).
TINY_FORECASTER = dict(TINY, random_state=0, n_networks=1)


@pytest.fixture(autouse=True)
def network_pool(monkeypatch):
    """Each test's own pool of idle training networks (sktcn._network_pool), empty at its start.

    The process's pool would carry networks from one test into another: a
    test's figures would then depend on the tests run before it.
    """
    import sktcn._network_pool

    pool = sktcn._network_pool.NetworkPool()
    monkeypatch.setattr(sktcn._network_pool, "POOL", pool)
    return pool


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
