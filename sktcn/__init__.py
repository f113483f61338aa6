"""sktcn: Temporal Convolutional Networks (keras-tcn) as scikit-learn and sktime estimators."""

import os

# TensorFlow's C++ start-up chatter (INFO lines such as the CPU instruction
# notes) is noise for scikit-learn users: level 1 hides INFO only and keeps
# TensorFlow's WARNING lines, which include GPU diagnostics (libraries that fail
# to load, allocator out-of-memory notes); level 2 would hide those too. An
# explicit setting by the user still wins. The variable is process-wide, so child
# processes inherit it (getting_started.rst says so). Since TensorFlow 2.19 the
# lines its libraries log while loading, before their logging is initialised (the
# oneDNN note, CUDA probing), ignore the setting and still appear
# (tensorflow/tensorflow#100442); sktcn leaves stderr alone rather than hide them,
# since on a machine with a GPU they are the diagnostics.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

# Before any module imports Keras: a clear ImportError when Keras runs on
# another backend than TensorFlow (KERAS_BACKEND, keras.json).
from sktcn._keras_backend import require_tensorflow_backend  # noqa: E402

require_tensorflow_backend()

from sktcn._distribute import apply_thread_setting  # noqa: E402
from sktcn._network import receptive_field  # noqa: E402
from sktcn.classifier import TCNClassifier  # noqa: E402
from sktcn.persistence import load  # noqa: E402
from sktcn.regressor import TCNRegressor  # noqa: E402

from sktcn._version import __version__  # noqa: E402

# SKTCN_TF_THREADS=n caps TensorFlow's thread pools of this process (and of the
# worker processes of a search, which inherit the environment); see the user guide.
apply_thread_setting()

__all__ = ["TCNClassifier", "TCNRegressor", "TCNForecaster", "receptive_field", "load", "__version__"]


def __getattr__(name):
    # sktime is imported only by those who use the forecaster (measured: 0.3 s
    # more on `import sktcn`, which scikit-learn-only users need not pay).
    if name == "TCNForecaster":
        from sktcn.forecasting import TCNForecaster

        return TCNForecaster
    raise AttributeError(f"module 'sktcn' has no attribute {name!r}")


def __dir__():
    # PEP 562: dir() (and so tab completion in IPython and Jupyter) lists the lazy
    # TCNForecaster too, without importing sktime to find it.
    return sorted(set(globals()) | {"TCNForecaster"})
