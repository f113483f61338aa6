"""Input series: validation and conversion of 2D, 3D, DataFrame and ragged ``X`` to one float32 array.

Pure functions of the input; the estimators keep their own bookkeeping (feature
counts, column names) in ``TCNEstimatorBase._check_X``.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_array


def as_array_like(X, owner="the estimator"):
    """``X`` itself, or as an ndarray when it is an array-like without a shape; sparse input is a TypeError."""
    if sp.issparse(X):
        raise TypeError(
            f"{owner} does not accept sparse input (a TCN convolves dense series); convert it with X.toarray()."
        )
    if not hasattr(X, "shape") and not isinstance(X, (list, tuple)):
        X = np.asarray(X)  # other array-likes (objects with __array__)
    return X


def as_series_array(X, owner="the estimator"):
    """``X`` as float32 ``(n_samples, n_timesteps, n_features)``, and whether it came as 2D.

    2D ``X`` is read as univariate series, one per row; a list of series of
    different lengths is padded with zeros in front (:func:`pad_ragged`).
    Sparse, empty or wrongly shaped input is an error that says what to give.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._validation import as_series_array
    >>> X, from_2d = as_series_array(np.zeros((4, 6)))
    >>> X.shape, X.dtype, from_2d
    ((4, 6, 1), dtype('float32'), True)
    >>> as_series_array([[1.0, 2.0, 3.0], [4.0]])[0][:, :, 0].tolist()
    [[1.0, 2.0, 3.0], [0.0, 0.0, 4.0]]
    """
    X = as_array_like(X, owner)
    from_2d = False
    if is_ragged(X):
        X = pad_ragged(X)
    elif ndim(X) == 2:
        from_2d = True
        X = as_float32(X)[:, :, None]
    else:
        X = as_float32(X, allow_nd=True)
        if X.ndim != 3:
            raise ValueError(
                f"X has {X.ndim} dimensions; give 2D (n_samples, n_timesteps) for univariate series "
                "or 3D (n_samples, n_timesteps, n_features)."
            )
    if X.shape[1] == 0 or X.shape[2] == 0:
        raise ValueError(f"X has shape {X.shape}: it needs at least one time step and one feature.")
    return X, from_2d


def is_ragged(X):
    """True for a list or tuple of series whose lengths differ."""
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    shapes = [np.shape(x) for x in X if hasattr(x, "__len__") and not isinstance(x, str)]
    if len(shapes) != len(X) or any(len(s) == 0 for s in shapes):
        return False
    return len({s[0] for s in shapes}) > 1


def ndim(X):
    """Number of dimensions of an array-like, -1 when it has no regular shape."""
    if hasattr(X, "shape"):
        return len(X.shape)
    try:
        return np.ndim(X)
    except ValueError:  # nested lists of uneven shape: check_array reports it
        return -1


def as_float32(X, **check_array_params):
    """check_array(X, dtype=float32), with a fast path for finite float ndarrays.

    scikit-learn's check_array costs ~90 us a call, most of a single-series
    predict; a plain finite float array needs none of its conversions. Anything
    else, including arrays with NaN or inf, gets check_array and its messages.
    """
    if (
        type(X) is np.ndarray
        and X.dtype.kind == "f"
        and X.ndim in (2, 3)
        and X.size
        and np.isfinite(X).all()
        and np.abs(X).max() < np.finfo(np.float32).max
    ):
        return X.astype(np.float32, copy=False)
    return check_array(X, dtype=np.float32, **check_array_params)


def pad_ragged(X):
    """Stack series of different lengths into (n, T_max, F), zeros in front.

    Padding in front keeps every series' last real step at the last position,
    which is where a causal TCN reads its prediction.
    """
    series = []
    for i, x in enumerate(X):
        x = check_array(x, ensure_2d=False, dtype=np.float32, input_name=f"X[{i}]")
        if x.ndim == 1:
            x = x[:, None]
        if x.ndim != 2:
            raise ValueError(
                f"X[{i}] has {x.ndim} dimensions; each series in a list must be 1D "
                "(n_timesteps,) or 2D (n_timesteps, n_features)."
            )
        series.append(x)
    n_features = {x.shape[1] for x in series}
    if len(n_features) > 1:
        raise ValueError(
            f"The series in X have different numbers of features {sorted(n_features)}; "
            "every series needs the same features per time step."
        )
    longest = max(len(x) for x in series)
    padded = np.zeros((len(series), longest, series[0].shape[1]), dtype=np.float32)
    for i, x in enumerate(series):
        padded[i, longest - len(x) :] = x
    return padded
