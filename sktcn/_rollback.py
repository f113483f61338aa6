"""A failed call leaves an estimator as it was: its attributes and its networks' variables come back.

scikit-learn's contract is that a failed ``fit`` leaves no half-fitted
estimator behind; Keras trains variables in place, so putting the attributes
back is not enough for a warm start.
"""

import contextlib

import numpy as np


@contextlib.contextmanager
def unchanged_on_failure(obj):
    """Within the block, an exception puts back ``obj``'s attributes as they were at its start.

    A failed fit must leave no half-fitted estimator: attributes it set before
    failing (``horizon_``, a new network, ...) are dropped, replaced ones return.
    """
    before = dict(vars(obj))
    try:
        yield
    except BaseException:
        vars(obj).clear()
        vars(obj).update(before)
        raise


@contextlib.contextmanager
def weights_restored_on_failure(*models):
    """Within the block, an exception puts back the values of the ``models``' weights and optimizer variables.

    Keras trains a model's variables in place, so restoring an estimator's
    attributes (:func:`unchanged_on_failure`) does not undo a failed warm start.
    ``model.variables`` rather than ``model.weights``: the dropout layers'
    seed-generator states, which advance with every training step, come back
    too, so the next warm fit draws the masks it would have drawn.
    """
    variables = {}
    for model in models:
        optimizer = getattr(model, "optimizer", None)
        for variable in [*model.variables, *(optimizer.variables if optimizer is not None else [])]:
            variables.setdefault(id(variable), variable)
    saved = [(variable, np.array(variable.numpy())) for variable in variables.values()]
    try:
        yield
    except BaseException:
        for variable, value in saved:
            variable.assign(value)
        raise


@contextlib.contextmanager
def fit_restored_on_failure(*estimators):
    """Within the block, an exception puts back each fitted estimator of ``estimators`` as it was at its start.

    Its attributes (:func:`unchanged_on_failure`) and the values of its
    networks' variables (:func:`weights_restored_on_failure`): ``model_``'s,
    and an ensemble's training model's, optimizers included. For a caller
    that warm-starts estimators and then goes on: each one's own fit undoes
    only a failure of that fit, not one of the caller's after it.
    """
    models = [model for estimator in estimators
              for model in (estimator.model_, getattr(estimator, "_trainer", None)) if model is not None]
    with contextlib.ExitStack() as stack:
        for estimator in estimators:
            stack.enter_context(unchanged_on_failure(estimator))
        stack.enter_context(weights_restored_on_failure(*models))
        yield
