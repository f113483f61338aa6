"""Input series: validation and conversion of 2D, 3D, DataFrame and ragged ``X`` to float32 arrays.

sktime's nested DataFrame panels (``nested_univ``) are read as the series they
hold; any other DataFrame is a table, one series per row, a multi-level row index
included (a fit whose ``y`` then counts that index's instances, not its rows, says
how to convert the panel: :func:`panel_rows_advice`).

Pure functions of the input; the estimators keep their own bookkeeping (feature
counts, column names, the length ragged training data were padded to) in
``TCNEstimatorBase._read_X``.
"""

import functools
import inspect
import math
import numbers
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn import config_context
from sklearn.utils.validation import _check_sample_weight, check_array

from sktcn._caller import caller_stacklevel
from sktcn._window_scaling import varies_beyond_rounding

# Appended to messages about 3D X whose time steps and features look swapped.
CHANNELS_FIRST_HINT = (
    "sktcn reads 3D X as (n_samples, n_timesteps, n_features); sktime's and aeon's numpy3D "
    "layout is (n_samples, n_channels, n_timesteps). If X comes in that layout, pass X.transpose(0, 2, 1)."
)


def python_ints(value):
    """``value`` with its integers (alone, or the entries of a list or tuple) as Python ints; others as they are.

    Integer parameters are checked as ``numbers.Integral``, which numpy's
    integers are too (``GridSearchCV`` passes them for a grid made with
    ``np.arange``), but Keras' layers accept Python ints only. The estimators
    keep their parameters as given and convert them where a fit uses them.

    Examples
    --------
    >>> python_ints(np.int64(4)), python_ints((np.int64(1), 2)), python_ints("auto"), python_ints(True)
    (4, (1, 2), 'auto', True)
    """
    if isinstance(value, (list, tuple)):
        return type(value)(python_ints(item) for item in value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    return value


def as_array_like(X, owner="the estimator"):
    """``X`` itself, or as an ndarray when it is an array-like without a shape; sparse input is a TypeError.

    A 1D object array (or Series) whose elements are series is the list of
    those series: what ``pd.Series(list_of_arrays).to_numpy()`` gives for
    series of different lengths. A ``tf.RaggedTensor`` is the list of its
    rows, as ``list(X.numpy())`` gives them.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._validation import as_array_like
    >>> series = np.empty(2, dtype=object)
    >>> series[:] = [np.ones(3), np.ones(5)]
    >>> [len(x) for x in as_array_like(series)]
    [3, 5]
    """
    if sp.issparse(X):
        raise TypeError(
            f"{owner} does not accept sparse input (a TCN convolves dense series); convert it with X.toarray()."
        )
    if _is_array_of_series(X):
        return list(X)
    if _is_ragged_tensor(X):
        # Its shape has None for the ragged axis: read as a regular array it
        # would fail in NumPy ("setting an array element with a sequence").
        return list(X.numpy())
    if not hasattr(X, "shape") and not isinstance(X, (list, tuple)):
        X = np.asarray(X)  # other array-likes (objects with __array__)
    return X


def _is_ragged_tensor(X):
    """Whether ``X`` is a ``tf.RaggedTensor`` (not imported here): a tensor whose shape has a None axis."""
    shape = getattr(X, "shape", None)
    return hasattr(X, "numpy") and shape is not None and not isinstance(X, np.ndarray) and None in tuple(shape)


def _is_array_of_series(X):
    """Whether ``X`` is a 1D object array or Series whose every element is a series (has a length)."""
    if not isinstance(X, (np.ndarray, pd.Series)) or X.dtype != object or X.ndim != 1 or len(X) == 0:
        return False
    return all(np.ndim(x) >= 1 and not isinstance(x, (str, bytes)) for x in X)


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
    elif ndim(X) == 1 and np.asarray(X).dtype.kind in "biuf":
        raise ValueError(one_series_hint(len(X), owner))
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


def one_series_hint(n_values, owner):
    """The message for a 1D ``X`` of ``n_values`` numbers: most likely one series, to be given as a row.

    scikit-learn's own message suggests ``reshape(-1, 1)`` first, which here
    would make every value a series of one time step. "Reshape your data"
    stays, as scikit-learn's checks look for it.

    >>> one_series_hint(3, "TCNRegressor")[:60]
    'X is one-dimensional (3 values), but TCNRegressor takes a 2D'
    """
    return (
        f"X is one-dimensional ({n_values} values), but {owner} takes a 2D X (n_samples, n_timesteps), one "
        "univariate series per row, or a 3D X (n_samples, n_timesteps, n_features). Reshape your data: for one "
        f"series use X.reshape(1, -1) (or [X]); X.reshape(-1, 1) would read it as {n_values} series of one time "
        "step each."
    )


def from_panel_frame(X):
    """The series of an sktime nested DataFrame as (n, T, F), or a list where lengths differ; other ``X`` as it is.

    sktime's loaders return panels as ``nested_univ`` DataFrames: a row per
    series, a column per feature, each cell that feature's series (a
    ``pd.Series`` or array). Read as a table, such a frame would fail with an
    unclear error. Any other DataFrame stays a table, one series per row and
    one time step per column, whatever its index: a frame indexed by (series,
    time), sktime's ``pd-multiindex``, cannot be told from a table whose rows
    carry a two-level index, and sktime's own reductions (``make_reduction``
    with ``pooling="global"``) hand their regressor exactly such tables, so
    it is read as the table it also is (the docs say to convert a panel).

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


# How to read an sktime pd-multiindex panel: appended where a frame under a MultiIndex looks like one.
PANEL_CONVERSION = (
    "If X is an sktime panel (pd-multiindex: instances, then time steps), convert it to its series first: "
    "sktime.datatypes.convert_to(X, to_type='nested_univ')."
)


def panel_rows_advice(X, n_targets):
    """What to do where ``X`` looks like an sktime ``pd-multiindex`` panel whose instances ``y`` labels; else None.

    Such a frame has one row per (instance, time step) and is read as a table
    (:func:`from_panel_frame`), so scikit-learn's length check names the rows
    and targets only ("inconsistent numbers of samples: [4000, 40]"). Where
    ``y`` has one target per instance of the index, the fix is a conversion.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._validation import panel_rows_advice
    >>> index = pd.MultiIndex.from_product([range(2), range(3)], names=["instance", "time"])
    >>> panel = pd.DataFrame({"x": range(6)}, index=index)
    >>> panel_rows_advice(panel, 2)[:60]
    'X is a DataFrame of 6 rows under a MultiIndex, read as a tab'
    >>> panel_rows_advice(panel, 6) is None  # a table of 6 rows, as its 6 targets say
    True
    """
    if not _has_multiindex_rows(X) or len(X) == n_targets or X.index.droplevel(-1).nunique() != n_targets:
        return None
    return (
        f"X is a DataFrame of {len(X)} rows under a MultiIndex, read as a table of {len(X)} samples (one per row), "
        f"but y has {n_targets} targets, one per instance of X's index. " + PANEL_CONVERSION
    )


def flattened_panel_hint(n_channels, n_values, estimator):
    """A warning's text for a panel of ``n_channels`` that sktime flattened into rows of ``n_values`` for ``estimator``.

    >>> flattened_panel_hint(6, 600, "TCNClassifier")[:72]
    "sktime's pipeline of a transformer and TCNClassifier (what transformer *"
    """
    return (
        f"sktime's pipeline of a transformer and {estimator} (what transformer * {estimator}() builds) "
        f"flattened a panel of {n_channels} channels into one row of {n_values} values per series, channel after "
        f"channel, which the network reads as a single series of {n_values} steps: it cannot see which values "
        "were recorded together, and trains on longer series than it needs to. To keep the channels, transform "
        f"X first (Xt = transformer.fit_transform(X)) and fit {estimator} on Xt, or give the network its channels "
        "as sktime's nested_univ DataFrame or a (n_samples, n_timesteps, n_channels) array. Series of one "
        "channel lose nothing in such a pipeline."
    )


def panel_rows_hint(X):
    """A warning's text where a predict's ``X`` is a DataFrame under a MultiIndex, read as a table; else None.

    A network fit on series reads a 2D ``X`` as univariate series, one per
    row: an sktime ``pd-multiindex`` panel would silently get a prediction
    per time step of every instance.

    >>> import pandas as pd
    >>> index = pd.MultiIndex.from_product([range(2), range(3)])
    >>> panel_rows_hint(pd.DataFrame({"x": range(6)}, index=index))[:56]
    'X is a DataFrame of 6 rows under a MultiIndex, read as 6'
    >>> panel_rows_hint(pd.DataFrame({"x": range(6)})) is None
    True
    """
    if not _has_multiindex_rows(X):
        return None
    return (
        f"X is a DataFrame of {len(X)} rows under a MultiIndex, read as {len(X)} series of {X.shape[1]} "
        "step(s), one per row, which is what a table is. " + PANEL_CONVERSION
    )


def _has_multiindex_rows(X):
    return isinstance(X, pd.DataFrame) and isinstance(X.index, pd.MultiIndex)


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


def target_array(y, dtype=None):
    """``y`` as an ndarray, read as scikit-learn reads targets (``check_array``): what ``fit`` and ``score`` read.

    A pandas frame of nullable or pyarrow columns (``Int64``, ``Float64``,
    ``int64[pyarrow]``, ``boolean``) becomes an array of their values, not
    an object array of pandas scalars (as ``np.asarray`` makes it).
    ``dtype``: None keeps the values' own (a classifier's labels), ``np.float64``
    makes them numbers (a regressor's targets).

    Examples
    --------
    >>> import pandas as pd
    >>> from sktcn._validation import target_array
    >>> frame = pd.DataFrame({"a": [1.5, 2.0], "b": [0.5, 1.0]}).astype("Float64")
    >>> np.asarray(frame).dtype, target_array(frame, np.float64).dtype
    (dtype('O'), dtype('float64'))
    """
    # Plain finite numbers need none of check_array's conversions, which cost ~70 us, most of a small score.
    if type(y) is np.ndarray and y.dtype.kind in "biuf" and y.ndim and y.size:
        # A longdouble beyond float64's range becomes inf, refused below by check_array, which warns of the overflow.
        with np.errstate(over="ignore"):
            values = y if dtype is None else y.astype(dtype, copy=False)
        if values.dtype.kind != "f" or np.isfinite(values).all():
            return values
    try:
        with finiteness_checked():
            return check_array(y, ensure_2d=False, allow_nd=True, dtype=dtype, input_name="y")
    except ValueError as error:
        advice = _missing_targets_advice(str(error), numeric=dtype is not None)
        if advice:
            raise ValueError(advice) from None
        raise


def _missing_targets_advice(message, numeric):
    """check_array's ``message`` about NaN or infinity in y with the fix appended; None for other messages.

    ``numeric``: a regressor's targets (NaN and infinity), else a classifier's labels (missing ones).

    >>> _missing_targets_advice("Input contains NaN", numeric=False)[:45]
    'Input y contains NaN. The estimators need a l'
    >>> _missing_targets_advice("Found array with 0 sample(s)", numeric=True) is None
    True
    """
    problem = _non_finite_problem(message)
    if problem is None:
        return None
    # pandas.notna keeps an infinity, so infinite labels get np.isfinite too.
    fix = _targets_fix(numeric, infinite="infinity" in problem)
    return f"{problem.replace('Input contains', 'Input y contains').rstrip('.')}. {fix}"


def _targets_fix(numeric, infinite=False):
    """What to do about series without a target: a regressor's (``numeric``) finite one, or a classifier's label.

    ``infinite``: y holds an infinity, which ``pandas.notna`` would keep.
    """
    if numeric:
        need, keep = "a finite target", "np.isfinite(y)"
    else:
        need, keep = ("a finite label", "np.isfinite(y)") if infinite else ("a label", "pandas.notna(y)")
    return (
        f"The estimators need {need} for every series: leave the others out of X and y "
        f"(for example keep = {keep}, then X[keep] and y[keep])."
    )


def refuse_missing_labels(y):
    """ValueError naming the samples whose label is missing (None or NaN) in an object ``y``; nothing otherwise.

    scikit-learn sorts the labels to find the classes, and a None among strings
    fails there with "'<' not supported between instances of 'NoneType' and 'str'".

    >>> import numpy as np
    >>> refuse_missing_labels(np.array(["a", None, "b"], dtype=object))
    Traceback (most recent call last):
    ...
    ValueError: y has no label (None or NaN) for sample(s) [1]. The estimators need a label for every series: ...
    """
    if y.dtype != object:
        return
    missing = np.flatnonzero(pd.isna(y).reshape(len(y), -1).any(axis=1))
    if missing.size:
        shown = ", ".join(map(str, missing[:5])) + (", ..." if missing.size > 5 else "")
        raise ValueError(f"y has no label (None or NaN) for sample(s) [{shown}]. {_targets_fix(numeric=False)}")


def checked_sample_weight(sample_weight, X, allow_all_zero=False):
    """``sample_weight`` for the samples of ``X`` as float64, checked as scikit-learn checks it.

    One check for every kind of input, in memory or streamed: scikit-learn's
    ``_check_sample_weight`` (1-D, one weight per sample of ``X``, finite, a
    scalar broadcast to every sample) and non-negative, since a
    negative weight rewards a larger loss and training then diverges, and
    not all zero unless ``allow_all_zero`` (checked here, with scikit-learn's
    message: its ``allow_all_zero_weights`` keyword is new in 1.8, and sktcn
    supports 1.6 on). Only the length of ``X`` is read, so a memory-mapped
    ``X`` stays on disk.

    In float64, where the weights are what they were given as: the network
    trains in float32, where weights of 1e-50 are 0 and weights of 1e50
    infinite, but a fit counts only their ratios and casts them after
    dividing them by their mean (``sktcn._training.unit_mean_weights``);
    ``partial_fit`` casts them as given (``sktcn._training.given_weights``).

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
    ndarray of shape (n_samples,), float64

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
    check = _check_sample_weight
    keywords = {"allow_all_zero_weights": True} if _takes_all_zero_keyword(check) else {}
    with finiteness_checked():
        weights = check(sample_weight, X, dtype=np.float64, ensure_non_negative=True, **keywords)
    if not allow_all_zero and not np.any(weights):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return weights


@functools.cache
def _takes_all_zero_keyword(check):
    """Whether scikit-learn's ``_check_sample_weight`` has ``allow_all_zero_weights`` (1.8 on; 1.6 and 1.7 not)."""
    return "allow_all_zero_weights" in inspect.signature(check).parameters


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
    """True for a list or tuple of series whose lengths differ (see :func:`as_array_like` for object arrays)."""
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


def finiteness_checked():
    """A context in which scikit-learn's checks refuse NaN and infinity, whatever ``assume_finite`` says.

    ``sklearn.set_config(assume_finite=True)`` lets check_array pass them on
    to save a pass over the data, but no network here can take them: a fit
    on them failed later as "Training diverged", which sends the user to
    scaling instead of to the missing values. The check costs one pass over
    the data, against a fit's many.
    """
    return config_context(assume_finite=False)


def as_float32(X, **check_array_params):
    """check_array(X, dtype=float32), with a fast path for finite float ndarrays.

    scikit-learn's check_array costs ~90 us a call, most of a single-series
    predict; a plain finite float array needs none of its conversions. Anything
    else, including arrays with NaN or inf, gets check_array and its messages;
    finite values beyond float32's range get a message of their own
    (:func:`_refuse_beyond_float32`).
    """
    if (
        type(X) is np.ndarray
        and X.dtype.kind == "f"
        and X.ndim in (2, 3)
        and X.size
        and np.isfinite(X).all()
        # The largest magnitude from max and min: no abs() copy of X.
        and max(X.max(), -X.min()) < np.finfo(np.float32).max
    ):
        return X.astype(np.float32, copy=False)
    return _checked_float32(X, "X", **{"input_name": "X", **check_array_params})


def _checked_float32(X, name, **check_array_params):
    """check_array(X, dtype=float32); values beyond float32's range refused by name (:func:`_refuse_beyond_float32`).

    Missing and infinite values keep check_array's message, which names the
    input, and gain what to do about them (:func:`_non_finite_advice`).
    """
    _refuse_time_values(X, name)
    # The cast of values beyond float32's range overflows to inf, which
    # check_array refuses; NumPy's warnings about it would come with the error.
    with np.errstate(over="ignore", invalid="ignore"), finiteness_checked():
        try:
            return check_array(X, dtype=np.float32, **check_array_params)
        except ValueError as error:
            _refuse_beyond_float32(X, name)
            advice = _non_finite_advice(str(error), name)
            if advice:
                raise ValueError(advice) from None
            raise


def _refuse_time_values(X, name):
    """A TypeError where ``X`` holds dates, times or durations (datetime64, timedelta64) instead of numbers.

    check_array would read an array of them as nanoseconds (since 1970, or
    long) and fit on those silently, and fail on a frame with such a column
    with NumPy's DTypePromotionError, which names no column.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sktcn._validation import _refuse_time_values
    >>> _refuse_time_values(pd.DataFrame({"date": pd.date_range("2024", periods=2), "t0": [1.0, 2.0]}), "X")
    Traceback (most recent call last):
    ...
    TypeError: X holds dates or times (datetime64[...]) in column 'date': ...
    """
    if isinstance(X, pd.DataFrame):
        column, dtype = next(((column, dtype) for column, dtype in X.dtypes.items() if dtype.kind in "mM"),
                             (None, None))
        if column is None:
            return
        where = f" in column {column!r}"
    else:
        dtype, where = getattr(X, "dtype", None), ""
        if not isinstance(dtype, np.dtype) or dtype.kind not in "mM":
            return
    if dtype.kind == "M":
        raise TypeError(
            f"{name} holds dates or times ({dtype}){where}: the networks read numbers. Leave time stamps out "
            f"of {name} (the order of a series' steps is its time axis), or convert them to numbers first."
        )
    raise TypeError(
        f"{name} holds durations ({dtype}){where}: the networks read numbers. Convert them in the unit you "
        f"mean, e.g. {name} / np.timedelta64(1, 's') for seconds."
    )


def _non_finite_advice(message, name):
    """check_array's ``message`` about NaN or infinity in ``name`` with the fix appended; None for other messages.

    Its own advice (when it gets an estimator) points to estimators that take
    missing values natively, and no network here does.

    >>> _non_finite_advice("Input X contains NaN.", "X")[:80]
    'Input X contains NaN. The networks take no missing or infinite values in X: fill'
    >>> _non_finite_advice("Found array with 0 sample(s)", "X") is None
    True
    """
    first_line = _non_finite_problem(message)
    if first_line is None:
        return None
    return (
        f"{first_line} The networks take no missing or infinite values in {name}: fill the gaps first "
        "(for example with sktime's Imputer in a pipeline, or pandas' interpolate or ffill), "
        "or leave those series out."
    )


def _non_finite_problem(message):
    """The first line of check_array's ``message`` where it is about NaN or infinity; None for other messages."""
    if "contains NaN" not in message and "contains infinity" not in message:
        return None
    return message.splitlines()[0]


def _refuse_beyond_float32(X, name="X"):
    """ValueError naming ``X`` (``name``) where its values are finite but beyond float32's range; nothing otherwise.

    scikit-learn's message ("Input contains infinity or a value too large for
    dtype('float32')") names neither ``X`` nor the fix, and reads as if ``X``
    held infinity.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._validation import _refuse_beyond_float32
    >>> _refuse_beyond_float32(np.array([[np.inf, 1.0]]))  # infinite: check_array's message stands
    >>> _refuse_beyond_float32(np.array([[1e39, 1.0]]))
    Traceback (most recent call last):
    ...
    ValueError: X holds values up to 1e+39 in magnitude, beyond float32's range: ...
    """
    try:
        values = np.asarray(X)
    except (TypeError, ValueError):
        return  # not an array (series of different shapes): check_array's message says what is wrong
    if values.dtype.kind != "f" or not values.size or not np.isfinite(values).all():
        return  # integers fit float32's range; complex, text, objects, NaN and inf get check_array's messages
    top = np.abs(values).max()
    if top > np.finfo(np.float32).max:
        raise ValueError(
            f"{name} holds values up to {top:.3g} in magnitude, beyond float32's range: the network computes in "
            f"float32, so X's values must fit it (at most about 3.4e38 in magnitude). Rescale X, e.g. divide it "
            f"by 1e{int(np.log10(top)) - 1}, and predict's X by the same factor."
        ) from None


def ragged_series(X):
    """The series of a list as float32 ``(n_timesteps_i, n_features)`` arrays, checked."""
    series = _plain_float32_series(X)
    if series is None:
        series = _checked_series(X)
    n_features = {x.shape[1] for x in series}
    if len(n_features) > 1:
        raise ValueError(
            f"The series in X have different numbers of features {sorted(n_features)}; "
            "every series needs the same features per time step."
        )
    return series


# Values checked for finiteness at a time by _plain_float32_series.
_FINITE_CHECK_VALUES = 2**22


def _plain_float32_series(X):
    """The series of ``X`` cast to float32, as :func:`_checked_series` gives them, where all are plain and finite; else None.

    scikit-learn's ``check_array`` costs ~100 us a series, seconds for a list
    of 100,000 short ones, at every fit and predict. For numeric ndarrays of
    1 or 2 dimensions and at least one value it does what a cast and one
    finiteness check over all series do; anything else (None here) goes
    through it, one series at a time, and gets its messages.
    """
    if not all(
        type(x) is np.ndarray and x.dtype.kind in "fiu" and x.ndim in (1, 2) and x.size for x in X
    ):
        return None
    # Values beyond float32's range become inf, refused below by check_array's path, with its message.
    with np.errstate(over="ignore", invalid="ignore"):
        series = [np.asarray(x, dtype=np.float32) for x in X]
    start = 0
    while start < len(series):
        stop, size = start, 0
        while stop < len(series) and (size == 0 or size + series[stop].size <= _FINITE_CHECK_VALUES):
            size += series[stop].size
            stop += 1
        if not np.isfinite(np.concatenate([x.ravel() for x in series[start:stop]])).all():
            return None
        start = stop
    return [x[:, None] if x.ndim == 1 else x for x in series]


def _checked_series(X):
    """The series of a list as float32 ``(n_timesteps_i, n_features)`` arrays, each checked by ``check_array``."""
    series = []
    for i, x in enumerate(X):
        x = _checked_float32(x, f"X[{i}]", ensure_2d=False, input_name=f"X[{i}]")
        if x.ndim == 1:
            x = x[:, None]
        if x.ndim != 2:
            raise ValueError(
                f"X[{i}] has {x.ndim} dimensions; each series in a list must be 1D "
                "(n_timesteps,) or 2D (n_timesteps, n_features)."
            )
        series.append(x)
    return series


def stack_padded(series, length):
    """Checked series of at most ``length`` steps stacked into (n, length, F), zeros in front.

    Padding in front keeps every series' last real step at the last position,
    which is where a causal TCN reads its prediction.
    """
    padded = np.zeros((len(series), length, series[0].shape[1]), dtype=np.float32)
    for i, x in enumerate(series):
        padded[i, length - len(x) :] = x
    return padded


def pad_ragged(X, length=0):
    """Stack series of different lengths into (n, max(T_max, length), F), zeros in front.

    Examples
    --------
    >>> from sktcn._validation import pad_ragged
    >>> pad_ragged([[1.0, 2.0], [3.0]], length=3)[:, :, 0].tolist()
    [[0.0, 1.0, 2.0], [0.0, 0.0, 3.0]]
    """
    series = ragged_series(X)
    return stack_padded(series, max(length, max(len(x) for x in series)))


def pad_front(X, length):
    """3D ``X`` padded in front with zeros to ``length`` steps; ``X`` itself when it has as many or more."""
    if X.shape[1] >= length:
        return X
    return np.concatenate([np.zeros((len(X), length - X.shape[1], X.shape[2]), X.dtype), X], axis=1)


def padded_groups(lengths, length):
    """Series of ``lengths`` grouped by the length a prediction pads them to: ``[(padded_length, rows), ...]``.

    Each series is padded in front to ``max(its own length, length)``, so its
    prediction never depends on the other series of the call; those padded to
    the same length run through the network together. ``rows`` are positions
    in the input, in input order; groups come shortest first.

    Examples
    --------
    >>> from sktcn._validation import padded_groups
    >>> [(n, rows.tolist()) for n, rows in padded_groups([3, 9, 2, 9, 7], length=5)]
    [(5, [0, 2]), (7, [4]), (9, [1, 3])]
    """
    padded = np.maximum(np.asarray(lengths), length)
    return [(int(n), np.flatnonzero(padded == n)) for n in np.unique(padded)]


def in_input_order(groups, lengths, per_step=False, zero_outputs=None):
    """The outputs of :func:`padded_groups`' groups, ``[(rows, outputs), ...]``, as one array in input order.

    ``lengths`` holds each input series' own number of steps. Per-step
    outputs (``per_step``) get the steps of the longest series, each series'
    on its last steps (cut from the front where it was padded to more); at
    the ``k`` steps before a shorter series starts they are
    ``zero_outputs(k)``, the network's outputs for ``k`` steps of zeros,
    which (for a causal network) is what padding the series with zeros to
    the longest gives there.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._validation import in_input_order
    >>> groups = [(np.array([0, 2]), np.array([[1.0], [3.0]])), (np.array([1]), np.array([[2.0]]))]
    >>> in_input_order(groups, [4, 9, 4])[:, 0].tolist()
    [1.0, 2.0, 3.0]
    >>> per_step = [(np.array([0]), np.array([[4.0, 5.0, 6.0]])), (np.array([1]), np.array([[7.0, 8.0, 9.0]]))]
    >>> in_input_order(per_step, [2, 3], per_step=True, zero_outputs=lambda k: np.full(k, -1.0)).tolist()
    [[-1.0, 5.0, 6.0], [7.0, 8.0, 9.0]]
    """
    lengths = np.asarray(lengths)
    first = groups[0][1]
    n_timesteps = int(lengths.max())
    shape = (n_timesteps,) + first.shape[2:] if per_step else first.shape[1:]
    merged = np.empty((len(lengths),) + shape, first.dtype)
    for rows, outputs in groups:
        if per_step:
            kept = min(outputs.shape[1], n_timesteps)
            merged[rows, n_timesteps - kept :] = outputs[:, outputs.shape[1] - kept :]
        else:
            merged[rows] = outputs
    if per_step:
        for missing in np.unique(n_timesteps - lengths):
            if missing > 0:
                merged[n_timesteps - lengths == missing, :missing] = zero_outputs(int(missing))
    return merged


def float32_lost_spread(values, single, tolerance):
    """Whether casting each column of ``values`` ``(n, k)`` to float32 (``single``) rounds away its spread, ``(k,)``.

    A column loses it where the cast's largest rounding error exceeds
    ``tolerance`` times the column's standard deviation: float32 holds about
    7 significant digits, so values such as ``1e8 + x``, with ``x`` of a few
    units, become one repeated value.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._validation import float32_lost_spread
    >>> values = np.column_stack([np.linspace(0.0, 10.0, 5), 1e9 + np.linspace(0.0, 10.0, 5)])
    >>> float32_lost_spread(values, values.astype(np.float32), tolerance=1e-4)
    array([False,  True])
    """
    return _beyond_tolerance(np.abs(single - values).max(axis=0), values.std(axis=0), tolerance)


def _beyond_tolerance(error, std, tolerance):
    """Where the rounding ``error`` exceeds ``tolerance`` times the standard deviation ``std``: the spread is lost.

    Written as "not within" so that a NaN error or deviation counts as lost,
    not as kept.

    Examples
    --------
    >>> import numpy as np
    >>> _beyond_tolerance(np.array([0.1, 2.0, np.nan]), np.array([1.0, 1.0, 1.0]), tolerance=1.0)
    array([False,  True,  True])
    """
    return ~(error <= tolerance * std)


# The rounding error, as a fraction of a feature's standard deviation, above
# which X's float32 cast is said to lose the feature's spread: rounding adds
# noise of about 6 % of its standard deviation there. At 0.5 (randn on a level of
# 1e7, float32's step 1) a regressor's R^2 fell from 0.74 to 0.69, at 1e8 (step
# 8: one repeated value) to 0. Looser than y's (regressor._FLOAT32_TOLERANCE):
# y is then standardised in float64, at no cost, while X is only warned about.
_X_FLOAT32_TOLERANCE = 0.1


def check_float32_spread(given, single):
    """Warn where ``single``, X cast to float32, rounds away much of a feature's spread in ``given``, X as given.

    ``given`` is X as the estimator received it (an array, a DataFrame, a
    list of series), ``single`` its float32 ``(n, T, F)`` array or list of
    ``(T_i, F)`` series. The network computes in float32, and so does the
    input scaling's first step: a float64 (or 64-bit integer) feature on a
    level large next to its variation (:func:`float32_lost_spread`) reaches it
    rounded to a few values, or one. Only features whose dtype float32 does
    not hold exactly are read (pandas' nullable Float64 and Int64 as
    float64). A ValueError where no feature that varies is left varying: the
    network would learn nothing from X.

    The spread is read over all series, and within each series: with a level
    of its own per series (a device's offset, an absolute position) the
    spread over all series is the levels', and the variation within the
    series is what the cast rounds away. What differs by float64 rounding
    only (2.99 * units / units) does not vary
    (:func:`sktcn._window_scaling.varies_beyond_rounding`).
    """
    ragged = isinstance(single, list)
    givens, singles = (given, single) if ragged else ([given], [single])
    values = [_float64_values(x) for x in givens]
    if not all(x.dtype.kind in "iuf" and not np.can_cast(x.dtype, np.float32) for x in values):
        return  # float32 holds it exactly (float32, float16, small integers, bool), or not numbers
    if not ragged:  # one array, a series per row
        series = values[0].reshape(single.shape)
        lengths = np.full(len(series), series.shape[1])
    else:  # a list of series of different lengths
        series = [x.reshape(s.shape) for x, s in zip(values, singles)]
        lengths = np.array([len(x) for x in series])
    blocks = functools.partial(_series_blocks, series, single)
    shape, dtypes = (len(lengths), singles[0].shape[-1]), [x.dtype for x in values]
    if _float32_surely_keeps_spread(blocks, lengths, shape, dtypes):
        return
    # An array's statistics take the layout of its reductions over time, in which the sums below add.
    like = np.empty(shape) if ragged else series[:, 0]
    error, within_mean, within_std = _within_series_statistics(blocks, like, dtypes)
    # Over all series from the series' own: the variance within them plus that of their means about the mean.
    weights = lengths[:, None] / lengths.sum()
    mean = (weights * within_mean).sum(axis=0)
    std = np.sqrt((weights * (within_std**2 + (within_mean - mean) ** 2)).sum(axis=0))
    varies = varies_beyond_rounding(std, mean)  # residue about a constant has no spread to lose
    lost = varies & _beyond_tolerance(error.max(axis=0), std, _X_FLOAT32_TOLERANCE)
    if lost.any():
        low = np.min([s.min(axis=tuple(range(s.ndim - 1))) for s in singles], axis=0)
        high = np.max([s.max(axis=tuple(range(s.ndim - 1))) for s in singles], axis=0)
        left = high != low
        _warn_lost_spread(np.flatnonzero(lost), mean, std, refuse=not left[varies].any())
    # Within the series: lost where the cast rounds away the spread of most of the series that vary.
    series_varies = varies_beyond_rounding(within_std, within_mean)
    series_lost = series_varies & _beyond_tolerance(error, within_std, _X_FLOAT32_TOLERANCE)
    lost_within = ~lost & (2 * series_lost.sum(axis=0) > series_varies.sum(axis=0))
    if lost_within.any():
        _warn_lost_within_series(np.flatnonzero(lost_within), within_mean, within_std, series_varies)


# Series read at a time by check_float32_spread: its temporaries (float64
# differences and deviations) stay a few of these blocks, whatever X's size.
_SPREAD_BLOCK = 64


def _series_blocks(series, single):
    """``(rows, values, cast)`` blocks of ``series`` and their float32 ``single``, each ``(b, T, F)``.

    An array's series come in slices of it; a list's in stacks of series of
    one length, dtype and C-contiguous layout, or one by one. Each series'
    sums over its time steps are then those NumPy makes over the series alone
    (or the whole array): it adds in an order set by the strides, which
    slicing and stacking like series keep; a slice of one series of an array
    could drop the axis NumPy adds along, so none has one where the array has
    several.
    """
    if not isinstance(single, list):
        starts = list(range(0, len(series), _SPREAD_BLOCK))
        if len(starts) > 1 and len(series) - starts[-1] == 1:
            starts.pop()  # the last series joins the block before
        for start, stop in zip(starts, starts[1:] + [len(series)]):
            yield slice(start, stop), series[start:stop], single[start:stop]
        return
    groups = {}
    for i, x in enumerate(series):
        key = (x.shape, x.dtype) if x.flags.c_contiguous else i
        groups.setdefault(key, []).append(i)
    for key, rows in groups.items():
        if not isinstance(key, tuple):
            yield rows, series[rows[0]][None], single[rows[0]][None]
            continue
        for start in range(0, len(rows), _SPREAD_BLOCK):
            block = rows[start : start + _SPREAD_BLOCK]
            yield block, np.stack([series[i] for i in block]), np.stack([single[i] for i in block])


def _float32_surely_keeps_spread(blocks, lengths, shape, dtypes):
    """Whether X's float32 cast provably loses no feature's spread, overall or within any series, from min and max.

    The cast's rounding error is at most half a float32 step at the value,
    2**-24 of its magnitude (2**-150 in the subnormal range), bounded here by
    twice that; a feature of ``n`` values with range ``r`` has a standard
    deviation of at least ``r / sqrt(2 n)`` (two values at the ends, the rest
    at the mean), halved here for the float64 rounding of the computed one. A
    constant that float32 holds exactly has no error at all. Where this
    cannot clear every feature, and every series, the exact check runs.
    ``blocks``: :func:`_series_blocks`' generator; ``shape``: (n_series, n_features).
    """
    if np.result_type(np.float32, *dtypes) != np.float64:
        return False  # wider than float64 (longdouble): its bounds would be rounded
    low = np.empty(shape)
    high = np.empty_like(low)
    for rows, x, _ in blocks():
        low[rows], high[rows] = _extremes_over_time(x)

    def cleared(low, high, count):
        error = 2.0**-23 * np.maximum(high, -low) + 2.0**-149
        spread = (high - low) / np.sqrt(2.0 * count)
        exact_constant = (high == low) & (low.astype(np.float32) == low)
        return (error <= _X_FLOAT32_TOLERANCE * spread / 2) | exact_constant

    overall = cleared(low.min(axis=0), high.max(axis=0), lengths.sum())
    return bool(overall.all() and cleared(low, high, lengths[:, None]).all())


def _extremes_over_time(x):
    """Each series' min and max per feature of ``x`` (b, T, F), as ``x.min(axis=1), x.max(axis=1)``.

    Over axis 1 NumPy's inner loop runs over the F features only, a few values
    a call; a C-contiguous ``x`` is read with up to 64 steps folded into it.
    Not one feature, whose steps are already the inner loop (folded, up to
    30 times slower), nor all of its steps (a copy, the same inner loop).
    """
    n_series, n_steps, n_features = x.shape
    folded = math.gcd(n_steps, 64) if x.flags.c_contiguous and n_features > 1 else 1
    if folded == n_steps:
        folded = 1
    rows = x.reshape(n_series, n_steps // folded, folded * n_features)
    low = rows.min(axis=1).reshape(n_series, folded, n_features).min(axis=1)
    high = rows.max(axis=1).reshape(n_series, folded, n_features).max(axis=1)
    return low, high


def _within_series_statistics(blocks, like, dtypes):
    """Each series' float32 rounding error (largest), mean and standard deviation per feature, ``(n, F)`` each.

    In the shape and memory layout of ``like`` (n, F): X's sums over its
    series (the overall mean and deviation) add in an order set by it. An
    array's ``series[:, 0]`` has the layout of ``series.mean(axis=1)`` (NumPy
    orders a reduction's result as its input's axes), a list's statistics
    were stacked in C order.
    """
    dtype = np.result_type(np.float32, *dtypes)
    error, within_mean, within_std = (np.empty_like(like, dtype) for _ in range(3))
    for rows, x, cast in blocks():
        error[rows] = np.abs(cast - x).max(axis=1)
        within_mean[rows] = x.mean(axis=1)
        within_std[rows] = x.std(axis=1)
    return error, within_mean, within_std


def _float64_values(x):
    """``x`` as an ndarray; pandas' nullable numeric dtypes (Float64, Int64) as float64, where NumPy reads objects."""
    dtypes = x.dtypes if isinstance(x, pd.DataFrame) else [x.dtype] if isinstance(x, pd.Series) else []
    if any(isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iuf" for dtype in dtypes):
        return x.to_numpy(dtype=np.float64, na_value=np.nan)
    return np.asarray(x)


def feature_words(features):
    """The words of a message about X's ``features`` (indices) that agree with their number, for ``str.format``.

    ``what`` names them; ``first`` (``"the first: "``) introduces the first
    one's numbers where there are several; ``s`` ends a plural noun;
    ``their``, ``they`` and ``them`` stand for them; ``are``, ``verb_s`` and
    ``verb_es`` (a verb's ending in the present) agree with them.

    Examples
    --------
    >>> import numpy as np
    >>> template = "{what} ({first}a level of 1e9) lose{verb_s} much of {their} variation"
    >>> template.format(**feature_words(np.array([2])))
    "X's feature [2] (a level of 1e9) loses much of its variation"
    >>> template.format(**feature_words(np.array([2, 5])))
    "X's features [2, 5] (the first: a level of 1e9) lose much of their variation"
    """
    several = len(features) > 1
    return {
        "what": f"X's feature{'s' if several else ''} {np.asarray(features).tolist()}",
        "first": "the first: " if several else "",
        "s": "s" if several else "",
        "their": "their" if several else "its",
        "they": "they" if several else "it",
        "them": "them" if several else "it",
        "are": "are" if several else "is",
        "verb_s": "" if several else "s",
        "verb_es": "" if several else "es",
    }


def _warn_lost_spread(features, mean, std, refuse):
    """The warning (the ValueError where ``refuse``) about ``features`` whose spread over all series float32 loses."""
    mean, std = mean[features[0]], std[features[0]]
    if abs(mean) > std:  # a large level: float32's steps there are coarse next to the variation
        fix = (
            "Centre X in float64 first: subtract each feature's mean over the training series (X - X.mean() for "
            "2D X, X - X.mean(axis=(0, 1)) for 3D), and the same values from predict's X."
        )
    else:  # values so small that float32 holds them subnormal, or as 0
        factor = -int(np.floor(np.log10(std)))
        fix = f"Rescale X first, e.g. multiply it by 1e{factor}, and predict's X by the same factor."
    words = feature_words(features)
    what = f"{words['what']} ({words['first']}a mean of {mean:.3g} and a standard deviation of {std:.3g})"
    if refuse:
        raise ValueError(
            f"{what} become{words['verb_s']} constant when cast to float32, the precision the network computes in, "
            f"so nothing of X's variation reaches it. {fix}"
        )
    warnings.warn(
        f"{what} lose{words['verb_s']} much of {words['their']} variation when cast to float32, the precision the "
        f"network computes in: the rounding error reaches {_X_FLOAT32_TOLERANCE:g} of {words['their']} standard "
        f"deviation or more. {fix}",
        UserWarning,
        stacklevel=caller_stacklevel(),
    )


def _warn_lost_within_series(features, within_mean, within_std, series_varies):
    """The warning about ``features`` whose spread within most series float32 loses, on levels of their own."""
    first = features[0]
    varying = series_varies[:, first]
    typical = np.median(within_std[varying, first])
    levels = within_mean[varying, first]
    words = feature_words(features)
    warnings.warn(
        f"{words['what']} ({words['first']}a typical standard deviation within a series of {typical:.3g}, on levels "
        f"from {levels.min():.3g} to {levels.max():.3g}) lose{words['verb_s']} much of {words['their']} variation "
        f"within most series when cast to float32, the precision the network computes in: each series' own level "
        f"dwarfs it, and the rounding error reaches {_X_FLOAT32_TOLERANCE:g} of its standard deviation within the "
        f"series or more. Subtract each series' own level in float64 first (X - X.mean(axis=1, keepdims=True) for "
        f"2D or 3D X, x - x.mean(axis=0) for each series of a list), the same way in predict's X; give the levels "
        f"as a feature of their own if they matter.",
        UserWarning,
        stacklevel=caller_stacklevel(),
    )
