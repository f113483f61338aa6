"""Synthetic sequence tasks from the TCN literature, with seeds and documented shapes."""

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["make_adding_problem"]


def make_adding_problem(n_samples=1000, n_timesteps=200, random_state=None):
    """The adding problem: sum the two values that the marker channel points at.

    Each series has two features per time step: a value drawn uniformly from
    ``[0, 1)`` and a marker that is 1 at exactly two steps (one in each half of
    the series) and 0 elsewhere. The target is the sum of the two marked values,
    so a model must remember a value from up to ``n_timesteps`` steps back.
    Predicting the mean scores an MSE of about 0.167 (the variance of the sum).

    Parameters
    ----------
    n_samples : int, default=1000
        Number of series.
    n_timesteps : int, default=200
        Length of each series (keras-tcn's README uses 600).
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, 2), float32
        Values in ``X[..., 0]``, markers in ``X[..., 1]``.
    y : ndarray of shape (n_samples,), float32
        Sum of the two marked values.

    Examples
    --------
    >>> from sktcn.datasets import make_adding_problem
    >>> X, y = make_adding_problem(n_samples=4, n_timesteps=10, random_state=0)
    >>> X.shape, y.shape
    ((4, 10, 2), (4,))
    >>> bool(((X[..., 0] * X[..., 1]).sum(axis=1) == y).all())
    True
    """
    if n_timesteps < 2:
        raise ValueError(f"n_timesteps={n_timesteps}: the adding problem needs at least 2 steps.")
    rng = check_random_state(random_state)
    values = rng.uniform(size=(n_samples, n_timesteps)).astype(np.float32)
    markers = np.zeros((n_samples, n_timesteps), dtype=np.float32)
    half = n_timesteps // 2
    rows = np.arange(n_samples)
    markers[rows, rng.randint(0, half, size=n_samples)] = 1.0
    markers[rows, rng.randint(half, n_timesteps, size=n_samples)] = 1.0
    X = np.stack([values, markers], axis=-1)
    y = (values * markers).sum(axis=1)
    return X, y
