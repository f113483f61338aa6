"""Who called sktcn: the user's line that its warnings point at, and sktime's pipelines that flatten panels.

A fixed ``stacklevel`` is right for one call path only; the same check is
reached from ``fit``, a search, a pipeline or sktime's interface through
different numbers of frames (:func:`caller_stacklevel`). sktime's pipelines
of a transformer and a scikit-learn estimator hand it a panel flattened to
one row per series, whose channels the estimator cannot see
(:func:`flattened_panel_channels`).
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
_SKTIME_DIR = os.path.dirname(importlib.util.find_spec("sktime").origin) + os.sep
_LIBRARY_DIRS = tuple(
    os.path.dirname(path) + os.sep for path in (__file__, scikeras.__file__, sklearn.__file__, joblib.__file__)
) + (_SKTIME_DIR,)

# sktime's pipelines of series transformers and a scikit-learn classifier or
# regressor (what ``transformer * TCNClassifier()`` builds): their ``_fit``
# transforms the panel into ``Xt``, then flattens it to one row per series,
# channel after channel (sktime's "numpyflat").
_FLATTENING_PIPELINES = ("SklearnClassifierPipeline", "SklearnRegressorPipeline")


def caller_stacklevel():
    """The ``stacklevel`` that points a warning raised by its caller at the first frame outside the libraries.

    A warning names the user's line that called, whichever path (fit, a
    search, a pipeline, sktime's ``predict_interval``) led from there to it.
    """
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARY_DIRS):
        frame, level = frame.f_back, level + 1
    return level


def flattened_panel_channels():
    """The number of channels of the panel that an sktime pipeline flattened for the ``fit`` calling; else None.

    sktime's ``SklearnClassifierPipeline`` and ``SklearnRegressorPipeline``
    give a scikit-learn estimator each series as one row, its channels one
    after another: the estimator gets a 2D array, which sktcn reads as
    univariate series. Found in the pipeline's ``_fit`` frame on the stack:
    its transformed panel ``Xt`` before the flattening, where its transformers
    output series (not features, which a table rightly holds).
    """
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "_fit" and code.co_filename.startswith(_SKTIME_DIR):
            pipeline = frame.f_locals.get("self")
            if type(pipeline).__name__ in _FLATTENING_PIPELINES:
                transformers = getattr(pipeline, "transformers_", None)
                if transformers is None or transformers.get_tag("scitype:transform-output", None) != "Series":
                    return None
                return _channels(frame.f_locals.get("Xt"))
        frame = frame.f_back
    return None


def _channels(panel):
    """The number of channels of an sktime panel: a numpy3D array's axis 1, a DataFrame's columns; else None."""
    if getattr(panel, "ndim", None) == 3:
        return panel.shape[1]
    columns = getattr(panel, "columns", None)
    return None if columns is None else len(columns)
