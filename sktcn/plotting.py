"""Plots for fitted sktcn models: loss curves, effective memory, predictions.

Each function draws on a matplotlib ``Axes`` (a new figure when ``ax`` is None)
and returns it, so the figures can be combined or saved with
``ax.figure.savefig(path)``. matplotlib is an optional dependency
(``pip install sktcn[plot]``).
"""

from collections.abc import Mapping

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

__all__ = ["plot_history", "plot_effective_memory", "plot_predictions", "save"]


def _axes(ax, title):
    if ax is None:
        try:
            import matplotlib.pyplot as plt
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError(
                "sktcn.plotting needs matplotlib; install it with `pip install matplotlib` "
                "(or `pip install sktcn[plot]`)."
            ) from error
        _, ax = plt.subplots(figsize=(6, 4))
    if title:
        ax.set_title(title)
    return ax


def _is_fitted(estimator):
    if hasattr(estimator, "is_fitted"):  # sktime's objects, which scikit-learn's check cannot read
        return bool(estimator.is_fitted)
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


def plot_history(history, ax=None, title="Training loss", log_scale=True):
    """Loss curves per epoch from a fitted estimator's ``history_`` (or that dict).

    Parameters
    ----------
    history : dict or fitted estimator
        ``{"loss": [...], "val_loss": [...], ...}``, or an estimator's
        ``history_`` (or the ``History`` a Keras ``fit`` returns); every key
        holding ``loss`` is drawn. A fitted
        ``TCNForecaster`` gives the history of its forecasting networks
        (its ``regressor_``). A fitted Pipeline or search has no
        ``history_`` (TypeError): pass the sktcn estimator inside it
        (``pipeline[-1]``, ``search.best_estimator_``). A fitted
        estimator's curves are drawn at the epochs they were measured, a
        dict's from epoch 1 on: pass the estimator where ``val_loss`` misses
        epochs (``fit__validation_freq`` above 1, a warm start that added a
        validation split).
    ax : matplotlib Axes, default=None
    title : str, default="Training loss"
    log_scale : bool, default=True
        Logarithmic loss axis (losses often fall by orders of magnitude).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktcn.plotting import plot_history
    >>> ax = plot_history({"loss": [1.0, 0.5, 0.2], "val_loss": [1.1, 0.6, 0.4]})
    >>> [line.get_label() for line in ax.get_lines()]
    ['loss', 'val_loss']
    """
    if not hasattr(history, "history_") and hasattr(history, "regressor_"):
        # A fitted forecaster keeps no history itself: its networks train in a TCNRegressor.
        history = history.regressor_
    if hasattr(history, "get_params") and not hasattr(history, "history_"):
        name = type(history).__name__
        if not _is_fitted(history):
            raise NotFittedError(f"This {name} is not fitted yet: call fit before plotting its history.")
        # A fitted Pipeline or search keeps no history_: the sktcn estimator inside it does.
        raise TypeError(f"This {name} is fitted but has no history_: pass the sktcn estimator itself, e.g. "
                        "pipeline[-1] for a Pipeline or search.best_estimator_ for a search.")
    # The epochs of each curve's values, as the estimator recorded them (sktcn._base).
    epochs = getattr(history, "_history_epochs", {})
    history = getattr(history, "history_", history)
    if isinstance(getattr(history, "history", None), Mapping):  # the History a Keras fit returns
        history = history.history
    if not isinstance(history, Mapping):
        raise TypeError(
            f"history is a {type(history).__name__}; give a dict of loss curves such as an estimator's "
            "history_ ({'loss': [...], 'val_loss': [...]}), or the fitted estimator itself."
        )
    curves = {key: values for key, values in dict(history).items() if "loss" in key}
    if not curves:
        raise ValueError(f"history has no loss curve to plot; its keys are {sorted(history)}.")
    ax = _axes(ax, title)
    for key, values in curves.items():
        x = epochs.get(key)
        if x is None or len(x) != len(values):
            x = np.arange(1, len(values) + 1)
        ax.plot(x, values, marker=".", label=key)
    if log_scale and all(np.min(v) > 0 for v in curves.values()):
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    return ax


def plot_effective_memory(curves, receptive_field=None, ax=None, title="Effective memory"):
    """Response of the predictions to each past step, against the receptive field.

    Parameters
    ----------
    curves : array-like or dict of str to array-like
        Output of :func:`sktcn.inspection.effective_memory` (entry ``k`` is the
        step ``k`` steps before the last), or several such curves by name.
    receptive_field : int, default=None
        Drawn as a vertical line: a TCN cannot respond beyond it.
    ax : matplotlib Axes, default=None
    title : str, default="Effective memory"

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktcn.plotting import plot_effective_memory
    >>> ax = plot_effective_memory({"TCN": [1.0, 0.5, 0.0]}, receptive_field=2)
    >>> ax.get_xlabel()
    'steps before the last'
    """
    if not isinstance(curves, dict):
        curves = {"model": curves}
    ax = _axes(ax, title)
    for name, curve in curves.items():
        curve = np.asarray(curve, dtype=float)
        ax.plot(np.arange(len(curve)), curve, label=name)
    if receptive_field is not None:
        # The last output sees receptive_field steps: lags 0 .. receptive_field - 1.
        ax.axvline(receptive_field - 1, color="grey", linestyle="--", label=f"receptive field ({receptive_field})")
    ax.set_xlabel("steps before the last")
    ax.set_ylabel("mean |change of prediction| per unit")
    ax.legend()
    return ax


def plot_predictions(y_true, y_pred, ax=None, title="Predicted vs true"):
    """Scatter of predictions against targets, with the diagonal of perfect ones.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    ax : matplotlib Axes, default=None
    title : str, default="Predicted vs true"

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktcn.plotting import plot_predictions
    >>> ax = plot_predictions([0.0, 1.0, 2.0], [0.1, 0.9, 2.2])
    >>> len(ax.collections[0].get_offsets())
    3
    """
    y_true = np.ravel(np.asarray(y_true, dtype=float))
    y_pred = np.ravel(np.asarray(y_pred, dtype=float))
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} values but y_pred has {y_pred.size}; give one prediction per target.")
    if not y_true.size:
        raise ValueError("y_true and y_pred are empty: give at least one target and its prediction.")
    ax = _axes(ax, title)
    ax.scatter(y_true, y_pred, s=8, alpha=0.6)
    low, high = min(y_true.min(), y_pred.min()), max(y_true.max(), y_pred.max())
    ax.plot([low, high], [low, high], color="grey", linestyle="--", label="perfect")
    ax.set_xlabel("true")
    ax.set_ylabel("predicted")
    ax.legend()
    return ax


def save(ax, path):
    """Save the figure of ``ax`` as ``path`` and close it.

    The layout is tightened first (``tight_layout``), so that titles and axis
    labels are not cut off, and the figure is written at 100 dpi; closing it
    frees its memory, which matters in scripts that draw many figures.

    Parameters
    ----------
    ax : matplotlib Axes
        An Axes of the figure to save, such as the plotting functions return.
    path : str or path-like
        Where to write the figure; its extension picks the format (``.png``,
        ``.pdf``, ``.svg``, ...), as matplotlib's ``savefig`` reads it.

    Returns
    -------
    str or path-like
        ``path``, as given.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import os, tempfile
    >>> from sktcn.plotting import plot_predictions, save
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save(plot_predictions([0.0, 1.0], [0.1, 0.9]), os.path.join(folder, "fit.png"))
    ...     os.path.getsize(path) > 0
    True
    """
    import matplotlib.pyplot as plt

    figure = ax.figure
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
