"""What estimators saved or pickled by an earlier sktcn lack, and the values that stand in for it: one table.

Format 1 of sktcn's files began with ``sktcn.load`` (commit ca4fc1c, 2026-11-22).
Parameters and fitted attributes added since are missing from the files and
the pickles written before them. Each entry of :data:`ADDED` gives the value
under which today's code does what the code that wrote them did: not
necessarily today's default (a forecaster from before forking sequences needs
``forking_sequences=False``, not ``True``).

Both ways in read this table, so that they cannot drift apart:
:func:`sktcn.persistence.migrate` fills a manifest's gaps from it, and the
estimators' ``__setstate__`` a pickle's (:func:`fill_pickled_state`).
Parameters whose default changed but which existed in format 1 need no entry:
every file and pickle holds them.
"""

import inspect
from typing import NamedTuple


def _pooling(params):
    # Before pooling (e64a8e4) the network read the last step, or every step with return_sequences.
    return "auto" if params.get("return_sequences") else "last"


def _resolved_pooling(params):
    return None if params.get("return_sequences") else "last"


class Added(NamedTuple):
    """An estimator's parameters and fitted attributes added after format 1 began, with their stand-ins.

    A value may be a function of the estimator's parameters (all of them, the
    stand-ins included), for what depended on another parameter then.
    """

    params: dict
    # Fitted attributes saved in the manifest's state under the same name, and pickled.
    state: dict
    # Fitted attributes that a pickle must give but a file need not: loading
    # a file recomputes them (a forecaster's fit of its stored data, say).
    pickled: dict = {}
    # Entries of a manifest's state that are no attribute of the estimator.
    saved: dict = {}
    # Fitted attributes added together with a parameter (attribute: parameter):
    # whatever holds the parameter held them too, so they are filled only
    # where the parameter was, and never for an estimator that does not take it.
    came_with: dict = {}


# TCNClassifier and TCNRegressor (a forecaster's networks too).
_NETWORK = Added(
    params={
        "distribution_strategy": None,  # 2c6e711: one device
        "mixed_precision": False,  # 2c6e711: float32
        "pooling": _pooling,  # e64a8e4
        "n_networks": 1,  # 4ce62a2: one network
        "input_scaling": None,  # feaeae6: the inputs as given (a refit would otherwise scale them)
        "input_noise": 0.0,  # 2026-12-06: no noise in training (as the default)
        "subsequence_length": None,  # bad86c0: whole sequences
        "subsequence_sampling": "random",  # bad86c0: unused without subsequence_length
    },
    state={
        "pooling_": _resolved_pooling,  # e64a8e4
        "_ragged_fit_length": None,  # 7230de8: each series padded to the longest of its call, none cut
    },
    came_with={"pooling_": "pooling"},
)

_FORECASTER = Added(
    params={
        "forking_sequences": False,  # 3dbaba2: each window learnt its horizon from its last step alone
        "lazy_windows": False,  # ac92e5b: windows cut once into arrays
        "n_networks": 1,  # 8eaa0b7: one network
        "baseline": None,  # 8f2a6d1: the networks forecast the series itself
        "sp": "auto",  # 8f2a6d1: read by baselines and calendar features only, which they lacked
        "calendar_features": False,  # 6837e97
        "static_features": None,  # 6837e97
        "correction": "always",  # 911bccf: the networks' correction always applied
        "max_windows_per_series": None,  # every training window of every series
        "distribution_strategy": None,  # as _NETWORK's
        "mixed_precision": False,
    },
    state={
        "series_scale_": None,  # 3dbaba2: no per-series scaling
        "baseline_": None,  # 8f2a6d1
        "sp_": 1,  # 8f2a6d1
        # 892317f: the networks corrected seasonal_drift's slope from the first observation to the origin.
        "baseline_revision_": 1,
        "correction_weight_": 1.0,  # 911bccf
        "interval_calibration_": None,  # 706fcbb: where the residuals came from was not kept
    },
    pickled={
        "covariates_": None,  # 6837e97: no calendar or static channels
        "_static_statistics": None,  # 117bd42
        "_series_ends": None,  # 3274a33: every series' cutoff is its last stored time
        "_freq_problem": None,  # f34bb7d
    },
    saved={
        "static_statistics": None,  # 117bd42
        "calendar_local_clock": False,  # older files' calendar phases counted steps from the first local hour
        # 3274a33: every series' cutoff at its end. Today's files lack it too where no update moved one back
        # (with "cutoff", read only where it is given).
        "series_rows": None,
    },
)

ADDED = {"TCNClassifier": _NETWORK, "TCNRegressor": _NETWORK, "TCNForecaster": _FORECASTER}


def added_for(cls):
    """The :class:`Added` entry of ``cls`` or of the sktcn estimator it derives from; None for others."""
    for base in cls.__mro__:
        if base.__module__.startswith("sktcn.") and base.__name__ in ADDED:
            return ADDED[base.__name__]
    return None


def fill(values, table, params):
    """Add to the dict ``values`` each entry of ``table`` that it lacks, as the code before it behaved."""
    for name, value in table.items():
        if name not in values:
            values[name] = value(params) if callable(value) else value


def fill_params(params, added, names=None):
    """Add to ``params`` the parameters of ``added`` it lacks (of those in ``names``, where given); the names added."""
    missing = {name: value for name, value in added.params.items()
               if name not in params and (names is None or name in names)}
    fill(params, missing, params)
    return set(missing)


def without_unfilled(table, added, filled):
    """``table`` less the fitted attributes that came with a parameter not among ``filled``, the parameters added."""
    return {name: value for name, value in table.items() if name not in added.came_with or added.came_with[name] in filled}


def parameter_names(cls):
    """The names of ``cls``'s constructor parameters (scikeras' routed ``**kwargs`` left out)."""
    return set(inspect.signature(cls.__init__).parameters) - {"self", "kwargs"}


def fill_pickled_state(cls, state, fitted):
    """Fill a pickled ``cls``'s ``__dict__`` where an earlier sktcn pickled less; ``state`` is changed in place.

    A pickle holds the attributes that ``__init__`` set then, so it lacks the
    parameters added since; only those ``cls`` takes are added (the LSTM
    baselines take no ``pooling``). Fitted attributes are added to a fitted
    estimator's state only, where their absence would make it look unfitted,
    and those that came with a parameter (``Added.came_with``) only where that
    parameter was added too (an LSTM baseline has no ``pooling_``).
    """
    added = added_for(cls)
    if added is None:
        return state
    filled = fill_params(state, added, parameter_names(cls))
    if fitted:
        fill(state, without_unfilled({**added.state, **added.pickled}, added, filled), state)
    return state
