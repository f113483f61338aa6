"""Where sktcn's warnings point: the user's line, not a frame inside sktcn or the libraries that call it.

A fixed ``stacklevel`` is right for one call path only; the same check is
reached from ``fit``, a search, a pipeline or sktime's interface through
different numbers of frames.
"""

import importlib.util
import os
import sys

import joblib
import scikeras
import sklearn

# Packages whose frames stand between a user's call and sktcn's checks: sktcn's
# own, scikeras' fit, scikit-learn's searches and pipelines, joblib's workers,
# sktime's forecasting interface. sktime is located, not imported: users of the
# classifier and regressor alone do not pay for its import.
_LIBRARY_DIRS = tuple(
    os.path.dirname(path) + os.sep
    for path in (
        __file__,
        scikeras.__file__,
        sklearn.__file__,
        joblib.__file__,
        importlib.util.find_spec("sktime").origin,
    )
)


def caller_stacklevel():
    """The ``stacklevel`` that points a warning raised by its caller at the first frame outside the libraries.

    A warning names the user's line that called, whichever path (fit, a
    search, a pipeline, sktime's ``predict_interval``) led from there to it.
    """
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARY_DIRS):
        frame, level = frame.f_back, level + 1
    return level
