import contextlib
import json
import os
import signal
import subprocess
import sys
import warnings

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


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_in_own_process(script, timeout=300, **env):
    """Run the Python source ``script`` in a fresh interpreter; return what its last line of output printed, as JSON.

    For fits under a ``MirroredStrategy``: one sometimes ends in a
    segmentation fault inside TensorFlow (2.21). It came in the test process
    (twice on 2026-12-06, one under fresh-check: it took the pytest-xdist
    worker down and left the run waiting), then in a process of its own
    (CI on 2026-12-06; 1 of 45 runs of the strategy-pickling script in a
    loop here), in Keras' ``fit``, as it drops the first iterator over the
    distributed batches (``EpochIterator.reset``) while TensorFlow's
    ``MultiDeviceIterator`` still fetches from it. sktcn now splits in-memory
    arrays itself (``sktcn._distribute.replica_batches``); streamed data still
    takes that path. So the script runs in a process of its own, the timeout ends a hang, Python's fault handler
    prints where a crash happened, and a script killed by SIGSEGV runs once
    more (with a warning): twice in a row fails the test. ``env``: extra
    environment variables; the repository is on its path. A script that
    prints nothing returns None.
    """
    env = dict(os.environ, **env, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    command = [sys.executable, "-X", "faulthandler", "-c", script]
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    if run.returncode == -signal.SIGSEGV:
        warnings.warn(f"TensorFlow crashed a script (SIGSEGV), run again:\n{_crash_report(run.stderr)}")
        run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    assert run.returncode == 0, _crash_report(run.stderr)
    lines = run.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else None


def _crash_report(stderr):
    """The end of a script's ``stderr``, without the fault handler's list of extension modules, which buries the traceback."""
    lines = [line for line in stderr.splitlines() if not line.startswith("Extension modules:")]
    return "\n".join(lines)[-3000:]


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
def keras_globals():
    """Keras' floatx and global dtype policy, which the test may set, put back as they were when it ends.

    Gives a function that sets floatx as a process that begins with
    ``keras.config.set_floatx(dtype)`` has it: Keras pins its global dtype
    policy when the first layer is built, and floatx alone would no longer
    change the layers of the tests' process.
    """
    import keras
    from keras.src.backend.common import global_state

    def use_floatx(dtype):
        keras.config.set_floatx(dtype)
        keras.config.set_dtype_policy(dtype)

    floatx, policy = keras.config.floatx(), global_state.get_global_attribute("dtype_policy")
    yield use_floatx
    keras.config.set_floatx(floatx)
    global_state.set_global_attribute("dtype_policy", policy)


@contextlib.contextmanager
def global_policy(name):
    """Keras' global dtype policy set to ``name`` (``None``: left as it is) for the block, then put back as it was."""
    import keras
    from keras.src.backend.common import global_state

    previous = global_state.get_global_attribute("dtype_policy")
    try:
        if name is not None:
            keras.mixed_precision.set_global_policy(name)
        yield
    finally:
        global_state.set_global_attribute("dtype_policy", previous)


@pytest.fixture
def image_data_format():
    """Keras' global image_data_format, which the test may set, put back as it was when it ends."""
    import keras

    previous = keras.config.image_data_format()
    yield keras.config.set_image_data_format
    keras.config.set_image_data_format(previous)


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
