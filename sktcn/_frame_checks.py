"""Checks and repairs of the frames TCNForecaster is given: values it cannot scale, byte order, update's columns.

Each takes sktime's inner frame (``y`` or ``X``; series, then time), or
one series' values of it, and either returns what the windows can read or
raises a ValueError that names the problem and the fix.
"""

import numpy as np
import pandas as pd

from sktcn._windows import series_of
from sktcn.regressor import finite_statistics


def check_finite(y, name="y"):
    """ValueError naming where ``y`` (sktime's inner frame) holds infinite values, which no window can scale.

    sktime's missing-data check lets infinity through; a window holding it
    scales to NaN, which Keras or scikit-learn then reports as missing data.
    ``name`` is the argument's name in the message: ``"X"`` for the exogenous
    frame, whose non-numeric columns (static keys) are not read here.
    """
    if y is None:
        return
    infinite = np.isinf(y.select_dtypes("number").to_numpy(np.float64)).any(axis=1)
    if infinite.any():
        count = int(infinite.sum())
        raise ValueError(
            f"{name} holds infinite values (in {count} row{'s' if count > 1 else ''}, the first at "
            f"{y.index[infinite][0]!r}); TCNForecaster needs "
            "finite numbers. Replace them first (a dropped row leaves a gap in the steps). A log "
            "transform of zeros gives -inf: give sktime's LogTransformer an offset (LogTransformer(offset=1)), "
            "or use a transform defined at 0."
        )


def native_byte_order(frame):
    """``frame`` (sktime's inner ``y`` or ``X``) with its columns of non-native byte order in native order.

    Data read from a file written on a big-endian machine come as ``'>f8'``,
    which pandas cannot reindex or combine ("Big-endian buffer not supported
    on little-endian compiler"): fit's row lookups and sktime's pooling of
    update's data would fail. The values are the same; a frame without such
    columns is returned as it is.
    """
    if not isinstance(frame, pd.DataFrame):
        return frame
    swapped = [position for position, dtype in enumerate(frame.dtypes) if not getattr(dtype, "isnative", True)]
    if not swapped:
        return frame
    frame = frame.copy()
    for position in swapped:
        column = frame.iloc[:, position]
        frame.isetitem(position, column.astype(column.dtype.newbyteorder("=")))
    return frame


def pooled_columns(new, stored, name="y", static=()):
    """``new`` (update's ``y`` or ``X``, sktime's inner frame) with the columns of ``stored``, fit's and updates' data.

    sktime pools update's data into the stored frame by column name: a column
    of another name comes in beside fit's, each half NaN, and the next refit or
    forecast fails on them. A univariate ``y`` is the same series whatever its
    name (sktime's ``pd.Series``-based forecasters pool it by its index alone,
    and a new point is usually written as an unnamed Series): it takes the
    stored name. Other columns must be those of fit, in any order (``X``'s are
    looked up by name, as in predict): ValueError otherwise. ``X`` may leave
    out its ``static`` columns, as predict's may: they take each series'
    stored value.
    """
    if not isinstance(new, pd.DataFrame) or stored is None or new.columns.equals(stored.columns):
        return new
    if name == "y" and len(new.columns) == len(stored.columns) == 1:
        return new.set_axis(stored.columns, axis=1)
    left_out = [column for column in stored.columns if column in set(static) and column not in new.columns]
    if left_out and set(new.columns) | set(left_out) == set(stored.columns):
        new = new.copy()
        for column, values in _stored_static(stored[left_out], new.index).items():
            new[column] = values
    if set(new.columns) != set(stored.columns):
        single = " (a univariate y may have any name)" if name == "y" and len(stored.columns) == 1 else ""
        raise ValueError(
            f"update's {name} has the columns {list(new.columns)}, but the forecaster was fit on {name} with the "
            f"columns {list(stored.columns)}; give update {name} with the same columns{single}."
        )
    return new[stored.columns]


def _stored_static(stored, index):
    """The stored static columns' values (``stored``: fit's X of those columns) at the rows of ``index``, by series."""
    if not isinstance(stored.index, pd.MultiIndex):
        return {column: stored[column].iloc[0] for column in stored.columns}
    keys = index.droplevel(-1)
    first = stored.groupby(level=list(range(stored.index.nlevels - 1)), sort=False).first()
    return {column: first[column].reindex(keys).to_numpy() for column in stored.columns}


def check_scalable(y, scaling, name="y"):
    """ValueError where a series of ``y`` (sktime's inner frame) is too large for ``scaling="standard"``.

    Each window is standardised by its mean and standard deviation; beyond
    about 1e154 in magnitude the squares overflow float64, every window scales
    to 0 and every forecast comes back NaN. The message is the regressor's
    (:func:`sktcn.regressor.finite_statistics`). Values below the bound at
    which no squared deviation, nor their sum, can overflow skip the per-series
    statistics; the other scalings take no squares. ``name``: ``"X"`` for the
    windows' exogenous columns, always standardised (whose windows would
    otherwise read zeros); None is no data.
    """
    if scaling != "standard" or y is None:
        return
    if _below_overflow(y.to_numpy(np.float64)):
        return  # no series can overflow: y need not be split into them
    for _, part in series_of(y):
        check_spread(part.to_numpy(np.float64), name)


def _below_overflow(values):
    """Whether ``values`` ``(T, C)`` are too small for any squared deviation, or their sum, to overflow float64."""
    # A NaN (sktime refuses missing values) fails the comparison: finite_statistics names it.
    return not values.size or np.abs(values).max() < np.sqrt(np.finfo(np.float64).max / (4 * len(values)))


def check_spread(values, name):
    """:func:`sktcn.regressor.finite_statistics` of ``values`` ``(T, C)``, one series or window of ``name``.

    Values below the bound at which nothing can overflow (:func:`_below_overflow`) are not read.
    """
    if _below_overflow(values):
        return
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused by finite_statistics
        finite_statistics(values.mean(axis=0), values.std(axis=0), values, name)
