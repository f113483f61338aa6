"""Input series: validation and conversion of 2D, 3D, DataFrame and ragged ``X`` to one float32 array.

sktime's nested DataFrame panels (``nested_univ``) are read as the series they
hold; any other DataFrame is a table, one series per row.

Pure functions of the input; the estimators keep their own bookkeeping (feature
counts, column names) in ``TCNEstimatorBase._check_X``.
"""

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.validation import _check_sample_weight, check_array

# Appended to messages about 3D X whose time steps and features look swapped.
CHANNELS_FIRST_HINT = (
    "sktcn reads 3D X as (n_samples, n_timesteps, n_features); sktime's and aeon's numpy3D "
    "layout is (n_samples, n_channels, n_timesteps). If X comes in that layout, pass X.transpose(0, 2, 1)."
)


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


def from_panel_frame(X):
    """The series of an sktime nested DataFrame as (n, T, F), or a list where lengths differ; other ``X`` as it is.

    sktime's loaders return panels as ``nested_univ`` DataFrames: a row per
    series, a column per feature, each cell that feature's series (a
    ``pd.Series`` or array). Read as a table, such a frame would fail with an
    unclear error. Any other DataFrame stays a table, one series per row and
    one time step per column, whatever its index: a frame indexed by (series,
    time), sktime's ``pd-multiindex``, cannot be told from a table whose rows
    carry a two-level index, so it is read as the table it also is.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._validation import from_panel_frame
    >>> nested = pd.DataFrame({"a": [pd.Series([1.0, 2.0, 3.0])] * 2, "b": [pd.Series([0.0, 0.0, 1.0])] * 2})
    >>> from_panel_frame(nested).shape  # 2 series, 3 steps, 2 features
    (2, 3, 2)
    """
    # Numeric columns hold values, not series: a table (and no row is read).
    if (
        not isinstance(X, pd.DataFrame)
        or X.size == 0
        or not all(dtype == object for dtype in X.dtypes)
        or not all(isinstance(cell, (pd.Series, np.ndarray)) for cell in X.iloc[0])
    ):
        return X
    series = [_nested_series(row, i) for i, row in enumerate(X.itertuples(index=False))]
    if len({len(x) for x in series}) > 1:
        return series  # of different lengths: padded as any ragged list
    return np.stack(series)


def _nested_series(cells, i):
    """Row ``i`` of a nested DataFrame as one (n_timesteps, n_features) array."""
    if not all(isinstance(cell, (pd.Series, np.ndarray)) and np.ndim(cell) == 1 for cell in cells):
        raise ValueError(
            f"Row {i} of the nested DataFrame X holds something other than a 1D series in a cell; "
            "every cell of sktime's nested_univ layout holds one feature's series (a pd.Series)."
        )
    lengths = {len(cell) for cell in cells}
    if len(lengths) > 1:
        raise ValueError(
            f"Row {i} of the nested DataFrame X has features of different lengths {sorted(lengths)}; "
            "the features of one series need one value per time step each."
        )
    return np.column_stack([np.asarray(cell) for cell in cells])


def checked_sample_weight(sample_weight, X, allow_all_zero=False):
    """``sample_weight`` for the samples of ``X`` as float32, checked as scikit-learn checks it.

    One check for every kind of input, in memory or streamed: scikit-learn's
    ``_check_sample_weight`` (1-D, one weight per sample of ``X``, finite, a
    scalar broadcast to every sample, not all zero) and non-negative, since a
    negative weight rewards a larger loss and training then diverges. Only
    the length of ``X`` is read, so a memory-mapped ``X`` stays on disk.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or float
        The weights.
    X : array-like
        The samples they weigh.
    allow_all_zero : bool, default=False
        Accept weights that are all zero: one batch of a stream may weigh
        nothing, as long as the whole training set weighs something.

    Returns
    -------
    ndarray of shape (n_samples,), float32

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._validation import checked_sample_weight
    >>> checked_sample_weight(2.0, np.zeros((3, 5))).tolist()
    [2.0, 2.0, 2.0]
    >>> checked_sample_weight([1.0, -1.0, 1.0], np.zeros((3, 5)))
    Traceback (most recent call last):
    ...
    ValueError: Negative values in data passed to `sample_weight`.
    """
    if isinstance(sample_weight, np.ndarray) and sample_weight.ndim == 0:
        sample_weight = sample_weight.item()  # a 0-d array (one weight for a whole batch) is a scalar
    return _check_sample_weight(sample_weight, X, dtype=np.float32, ensure_non_negative=True,
                                allow_all_zero_weights=allow_all_zero)


def looks_channels_first(shape):
    """Whether a 3D ``X`` of this shape has fewer time steps than features, as sktime's numpy3D layout would.

    A TCN convolves along the time steps; a panel with more features per step
    than steps is far more often a (series, channels, time) array read the
    wrong way round than a real one.

    Examples
    --------
    >>> from sktcn._validation import looks_channels_first
    >>> looks_channels_first((50, 1, 150)), looks_channels_first((50, 150, 1)), looks_channels_first((8, 4, 4))
    (True, False, False)
    """
    return shape[1] < shape[2]


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
