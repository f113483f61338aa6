"""Plain values, numpy arrays and pandas frames as JSON, exactly, and nothing else.

The codec of sktcn's model files (:mod:`sktcn.persistence`): parameters and
fitted state go through :func:`to_json` and come back through
:func:`from_json` with their types (tuples, arrays with their dtype and shape,
dicts with non-string keys); pandas indexes and frames keep their kind, names
and frequency. Decoding builds plain data only: anything the encoder never
writes is a :class:`CodecError`. It imports nothing from sktcn, so every
module may use it.
"""

import datetime
import json
import warnings

import dateutil.tz
import numpy as np
import pandas as pd

# dtypes an array in a manifest may have; "O" holds JSON scalars (labels of mixed type).
# Every integer width: labels often come as pandas' category codes (int8) or other small ints.
ARRAY_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64",
                "O"}


class CodecError(ValueError):
    """JSON that :func:`from_json` refuses: it holds something the encoder never writes, or this pandas cannot read."""


# ------------------------------------------------------------------ JSON values
def to_json(value, where):
    """Encode a parameter or fitted value as JSON, keeping tuples, arrays and dict keys exact."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, np.ndarray):
        dtype = "O" if value.dtype.kind in "OU" else value.dtype.name
        if dtype not in ARRAY_DTYPES:
            raise TypeError(f"{where} is an array of dtype {value.dtype}, which sktcn cannot store as JSON.")
        items = value.ravel().tolist()
        if value.dtype.kind == "f":
            # JSON has no NaN (the manifest is strict JSON): a missing number is
            # written null, which numpy reads back as NaN in a float array.
            items = [None if item != item else item for item in items]
        if dtype == "O":
            items = [to_json(item, f"an element of {where}") for item in items]
        # Unicode labels come back as object arrays of str; remember the dtype to restore it.
        return {"__array__": items, "shape": list(value.shape), "dtype": value.dtype.str if value.dtype.kind == "U" else dtype}
    if isinstance(value, tuple):
        return {"__tuple__": [to_json(v, where) for v in value]}
    if isinstance(value, list):
        return [to_json(v, where) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[to_json(k, f"a key of {where}"), to_json(v, where)] for k, v in value.items()]}
    raise TypeError(
        f"{where} holds a {type(value).__name__} object, which the estimator's save() cannot store as JSON "
        "(only numbers, strings, booleans, None, lists, tuples, dicts and arrays of those). "
        "Set it to a plain value before saving, or use pickle/joblib for this estimator."
    )


def from_json(value):
    """Inverse of :func:`to_json`; only builds plain data."""
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"__tuple__"}:
        return tuple(from_json(v) for v in value["__tuple__"])
    if set(value) == {"__dict__"}:
        return {from_json(k): from_json(v) for k, v in value["__dict__"]}
    if set(value) == {"__array__", "shape", "dtype"}:
        dtype = value["dtype"]
        if not (dtype in ARRAY_DTYPES or (isinstance(dtype, str) and dtype.startswith("<U") and dtype[2:].isdigit())):
            raise CodecError(f"the manifest holds an array of dtype {dtype!r}, which sktcn never writes.")
        items = [from_json(v) for v in value["__array__"]]
        if dtype == "O":
            array = np.empty(len(items), dtype=object)
            array[:] = items
        else:
            array = np.asarray(items, dtype=dtype)
        return array.reshape(value["shape"])
    raise CodecError(f"the manifest holds an object with keys {sorted(value)}, which sktcn never writes.")


# ------------------------------------------------------------ pandas indexes
def index_to_json(index):
    """A pandas index as JSON: values plus what restores its type and frequency.

    What it writes is read back (:func:`index_from_json`) before it is
    returned: an index that would not come back as it is (the same values,
    names and frequency; a DatetimeIndex the same instants at the same UTC
    offsets) is a TypeError, so that :func:`sktcn.persistence.save` never writes a file that
    ``sktcn.load`` refuses or reads differently.

    Examples
    --------
    >>> import dateutil.tz
    >>> import pandas as pd
    >>> from sktcn._codec import index_to_json
    >>> index_to_json(pd.date_range("2021-03-01", periods=2, freq="h", tz=dateutil.tz.tzoffset(None, 3600)))["tz"]
    'UTC+01:00'
    """
    spec = _index_spec(index)
    try:
        with warnings.catch_warnings():
            # pandas' deprecation notes on the index's type (business-day periods) are load's to give.
            warnings.simplefilter("ignore", FutureWarning)
            # Through JSON text, as the file holds it: a tuple name comes back a list, a NumPy one not at all.
            same = _same_index(index_from_json(json.loads(json.dumps(spec))), index)
    except Exception as error:  # whatever stops the read here would stop load too
        same, problem = False, f" ({type(error).__name__}: {error})"
    else:
        problem = ""
    if not same:
        levels = index.levels if isinstance(index, pd.MultiIndex) else [index]
        tz = next((level.tz for level in levels if getattr(level, "tz", None) is not None), None)
        fix = ("give the index a zone pandas names (index.tz_convert('Europe/Berlin')) or a fixed UTC offset "
               "('UTC', '+01:00')" if tz is not None else "give it plain labels and names (numbers, strings, dates; "
               "a name of str or None, e.g. index.rename('date'))")
        zone = f" with the time zone {tz!r}" if tz is not None else ""
        raise TypeError(
            f"The estimator's save() cannot store a {type(index).__name__}{zone} so that it reads back as it is"
            f"{problem}: {fix}, or use pickle/joblib for this estimator."
        )
    return spec


def _tz_to_json(tz):
    """The name of the time zone ``tz`` that pandas reads back as the same zone.

    zoneinfo's and pytz's zones by their IANA key, ``datetime.timezone`` as
    its str ("UTC", "UTC+01:00"), a dateutil zone from the tz database by its
    IANA key too, and any other zone of one fixed UTC offset (dateutil's
    ``tzoffset``, which ``dateutil.parser`` gives, and ``tzutc``; pytz's
    ``FixedOffset``) as that offset: their str is a repr that no time zone
    parser reads. Others keep their str, which :func:`index_to_json` checks.
    """
    key = getattr(tz, "key", None) or getattr(tz, "zone", None)
    if isinstance(key, str):
        return key
    if isinstance(tz, datetime.timezone):
        return str(tz)
    filename = getattr(tz, "_filename", None) if isinstance(tz, dateutil.tz.tzfile) else None
    if isinstance(filename, str) and ("zoneinfo/" in filename or not filename.startswith("/")):
        # gettz("Europe/Berlin") reads /usr/share/zoneinfo/Europe/Berlin, or its own copy named "Europe/Berlin".
        return filename.rpartition("zoneinfo/")[2]
    offset = None if isinstance(tz, dateutil.tz.tzlocal) else tz.utcoffset(None)  # None for zones with DST
    return str(datetime.timezone(offset)) if offset is not None else str(tz)


def _same_index(back, index):
    """Whether ``back``, read from what :func:`index_to_json` wrote for ``index``, is ``index`` again."""
    if list(back.names) != list(index.names) or len(back) != len(index):
        return False
    if isinstance(index, pd.MultiIndex):
        return isinstance(back, pd.MultiIndex) and all(
            _same_index(back.get_level_values(i), index.get_level_values(i)) for i in range(index.nlevels))
    if isinstance(index, pd.DatetimeIndex):
        # The zone may come back as another object of the same rules (tzoffset as datetime.timezone):
        # the same instants, at the same wall-clock times, are the same index.
        return (isinstance(back, pd.DatetimeIndex) and (back.tz is None) == (index.tz is None)
                and back.freq == index.freq and back.unit == index.unit and np.array_equal(back.asi8, index.asi8)
                and np.array_equal(back.tz_localize(None).asi8, index.tz_localize(None).asi8))
    return back.equals(index)


def _index_spec(index):
    """:func:`index_to_json` without the check (also of a MultiIndex's levels, checked with it)."""
    if isinstance(index, pd.MultiIndex):
        return {
            "kind": "multi",
            "names": list(index.names),
            "levels": [_index_spec(index.get_level_values(i)) for i in range(index.nlevels)],
            # The values of a level lose its frequency, and sktime reads the cutoff's
            # frequency from the time level of a panel or hierarchy: one inferred from the
            # dates may name the same steps otherwise ("W-MON" for "7D"), which a stored
            # horizon of "7D" refuses.
            "level_freqs": [getattr(level, "freqstr", None) for level in index.levels],
        }
    name = index.name
    if isinstance(index, pd.PeriodIndex):
        return {"kind": "period", "name": name, "values": index.astype(str).tolist(), "freq": index.freqstr}
    if isinstance(index, pd.DatetimeIndex):
        return {
            "kind": "datetime",
            "name": name,
            "values": [t.isoformat() for t in index],
            "freq": index.freqstr,
            "tz": None if index.tz is None else _tz_to_json(index.tz),
            "unit": index.unit,
        }
    if isinstance(index, pd.TimedeltaIndex):
        # A relative fh of timedeltas: whole numbers of the index's unit.
        return {"kind": "timedelta", "name": name, "values": index.asi8.tolist(), "unit": index.unit,
                "freq": index.freqstr}
    if isinstance(index, pd.CategoricalIndex):
        return {"kind": "categorical", "name": name, "values": to_json(index.tolist(), "the index of the stored data"),
                "categories": _index_spec(index.categories), "ordered": bool(index.ordered)}
    if isinstance(index, pd.RangeIndex):
        return {"kind": "range", "name": name, "start": index.start, "stop": index.stop, "step": index.step}
    values = index.tolist()
    return {"kind": "values", "name": name, "values": to_json(values, "the index of the stored data"), "dtype": str(index.dtype)}


def freq_from_json(freq, period=False):
    """A stored frequency (a ``DatetimeIndex``'s, or with ``period`` a ``PeriodIndex``'s), checked against this pandas.

    Returns ``freq`` unchanged. pandas 2.2 renamed several frequencies (month
    end ``"M"`` became ``"ME"``, hourly ``"H"`` became ``"h"``, ...) and
    pandas 3 reads only the new names. Every pandas sktcn supports (2.2 on)
    writes and reads the new ones, but a file saved where pandas was older may
    hold an old name: the CodecError then says so, rather than calling the
    file invalid.

    Examples
    --------
    >>> from sktcn._codec import freq_from_json
    >>> freq_from_json("ME"), freq_from_json("M", period=True), freq_from_json(None)
    ('ME', 'M', None)
    """
    if freq is None:
        return None
    try:
        pd.PeriodDtype(freq) if period else pd.tseries.frequencies.to_offset(freq)
    except ValueError as error:
        raise CodecError(
            f"the file stores the time frequency {freq!r}, which pandas {pd.__version__} cannot read ({error}). "
            "pandas before 2.2 wrote some frequencies under older names (month end 'M' for 'ME', hourly 'H' for "
            "'h', ...), which pandas 3 refuses: load the file with pandas 2.2, which reads both, and save it again."
        ) from error
    return freq


def index_from_json(spec):
    kind = spec["kind"]
    if kind == "multi":
        levels = [index_from_json(level) for level in spec["levels"]]
        index = pd.MultiIndex.from_arrays(levels, names=spec["names"])
        for number, freq in enumerate(spec["level_freqs"]):
            # A period level carries its frequency in its dtype (and refuses a new one);
            # a datetime level loses it with its values.
            if freq is not None and isinstance(index.levels[number], pd.DatetimeIndex):
                level = index.levels[number].copy()
                level.freq = freq_from_json(freq)
                index = index.set_levels(level, level=number, verify_integrity=False)
        return index
    if kind == "period":
        return pd.PeriodIndex(spec["values"], freq=freq_from_json(spec["freq"], period=True), name=spec["name"])
    if kind == "datetime":
        if spec["tz"] is None:
            index = pd.DatetimeIndex(spec["values"], name=spec["name"])
        else:
            # The values carry their UTC offsets, which a named zone changes at DST
            # (+01:00 then +02:00 for Europe/Paris): read them as instants, then
            # in the stored zone (a fixed offset's name, "UTC+01:00", reads too).
            index = pd.DatetimeIndex(pd.to_datetime(spec["values"], utc=True), name=spec["name"]).tz_convert(spec["tz"])
        index = index.as_unit(spec["unit"])
        if spec["freq"] is not None:
            index.freq = freq_from_json(spec["freq"])
        return index
    if kind == "timedelta":
        index = pd.TimedeltaIndex(np.array(spec["values"], dtype=f"m8[{spec['unit']}]"), name=spec["name"])
        if spec["freq"] is not None:
            index.freq = freq_from_json(spec["freq"])
        return index
    if kind == "categorical":
        return pd.CategoricalIndex(from_json(spec["values"]), categories=index_from_json(spec["categories"]),
                                   ordered=spec["ordered"], name=spec["name"])
    if kind == "range":
        return pd.RangeIndex(spec["start"], spec["stop"], spec["step"], name=spec["name"])
    if kind == "values":
        values = from_json(spec["values"])
        # Every numeric width an array may have (int32 and uint64 indexes would otherwise come back int64).
        dtype = spec["dtype"] if spec["dtype"] in (ARRAY_DTYPES - {"O"}) | {"object", "str"} else None
        return pd.Index(values, dtype=dtype, name=spec["name"])
    raise CodecError(f"the manifest holds an index of kind {kind!r}, which sktcn never writes.")


def frame_to_json(frame):
    if frame is None:
        return None
    return {
        "index": index_to_json(frame.index),
        "columns": index_to_json(frame.columns),
        "values": frame.to_numpy(np.float64).tolist(),
    }


def frame_from_json(spec):
    if spec is None:
        return None
    values = np.asarray(spec["values"], dtype=np.float64)
    return pd.DataFrame(values, index=index_from_json(spec["index"]), columns=index_from_json(spec["columns"]))
