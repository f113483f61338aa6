"""The JSON codec of model files, without any estimator: values come back exactly, with their types."""

import json

import numpy as np
import pandas as pd
import pytest

from sktcn._codec import (
    CodecError,
    frame_from_json,
    frame_to_json,
    freq_from_json,
    from_json,
    index_from_json,
    index_to_json,
    to_json,
)


def _round_trip(value):
    # Through a JSON string, as a manifest on disk.
    return from_json(json.loads(json.dumps(to_json(value, "value"))))


@pytest.mark.parametrize(
    "value",
    [None, True, 3, 2.5, "text", [1, (2, 3)], (1, 2, 4), {"a": 1, 2: "b", (1, 2): [3]}],
    ids=["none", "bool", "int", "float", "str", "list", "tuple", "dict"],
)
def test_plain_values_keep_their_types(value):
    back = _round_trip(value)
    assert back == value and type(back) is type(value)


@pytest.mark.parametrize("array", [
    np.arange(6, dtype=np.int64).reshape(2, 3),
    np.array([[0.5, -1.0]], dtype=np.float32),
    np.array([True, False]),
    np.array(["up", "down"]),
    np.array(["a", 1, 2.5], dtype=object),
    *(np.array([0, 3, 7], dtype=dtype) for dtype in ("int8", "int16", "uint16", "uint32")),
    np.array([0, 2**64 - 1], dtype=np.uint64),
])
def test_arrays_keep_dtype_and_shape(array):
    back = _round_trip(array)
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_missing_numbers_in_float_arrays_round_trip_through_strict_json(dtype):
    # The forecaster marks residuals of series that never vary NaN; manifests are strict JSON.
    array = np.array([[1.5, np.nan], [np.nan, -2.0]], dtype=dtype)
    back = from_json(json.loads(json.dumps(to_json(array, "value"), allow_nan=False)))
    assert back.dtype == array.dtype
    np.testing.assert_array_equal(back, array)


def test_numpy_scalars_become_python_numbers():
    assert _round_trip(np.float64(1.5)) == 1.5 and _round_trip(np.int32(7)) == 7


def test_what_json_cannot_hold_is_refused_with_the_fix():
    with pytest.raises(TypeError, match="holds a builtin_function_or_method object.*plain value"):
        to_json(len, "parameter 'callbacks'")
    with pytest.raises(TypeError, match="dtype complex128"):
        to_json(np.zeros(2, dtype=complex), "x")


@pytest.mark.parametrize("spec, message", [
    ({"__array__": [1], "shape": [1], "dtype": "V8"}, "dtype 'V8'"),
    ({"__class__": "os.system"}, "keys \\['__class__'\\]"),
])
def test_decoding_refuses_what_the_encoder_never_writes(spec, message):
    with pytest.raises(CodecError, match=message):
        from_json(spec)


@pytest.mark.parametrize("index", [
    pd.period_range("2000-01", periods=4, freq="M", name="month"),
    pd.date_range("2020-01-01", periods=3, freq="D", tz="UTC"),
    # A named zone across a change to summer time: offsets +01:00 and +02:00.
    pd.date_range("2021-03-26", periods=5, freq="D", tz="Europe/Paris"),
    pd.DatetimeIndex(["2020-01-01T00:00+05:30", "2020-01-02T00:00+05:30"]),  # a fixed offset
    pd.RangeIndex(2, 10, 2, name="t"),
    pd.Index(["a", "b"], name="unit"),
    pd.Index(np.array([3, 1], dtype=np.int32)),
    pd.Index(np.array([2**63 + 5, 1], dtype=np.uint64)),
    pd.CategoricalIndex(["b", "a", "b"], categories=["b", "a", "c"], ordered=True, name="kind"),
    pd.MultiIndex.from_product([["a", "b"], pd.period_range("2000", periods=2, freq="Y")], names=["unit", "year"]),
], ids=["period", "utc", "paris-dst", "fixed-offset", "range", "str", "int32", "uint64", "categorical", "multi"])
def test_indexes_keep_kind_names_and_frequency(index):
    back = index_from_json(json.loads(json.dumps(index_to_json(index))))
    pd.testing.assert_index_equal(back, index)
    if isinstance(index, pd.MultiIndex):
        assert back.levels[1].freqstr == index.levels[1].freqstr
    elif hasattr(index, "freqstr"):
        assert back.freqstr == index.freqstr


@pytest.mark.parametrize("freq, period", [
    ("ME", False), ("QE-DEC", False), ("h", False), ("15min", False), ("W-SUN", False), (None, False),
    ("M", True), ("Y-DEC", True), ("2M", True),
])
def test_frequencies_pandas_writes_are_read_unchanged(freq, period):
    assert freq_from_json(freq, period=period) == freq


def test_a_frequency_this_pandas_cannot_read_is_named_with_the_pandas_version():
    # pandas 3 refuses pandas 2.1's month end "M" alike; "XE" no pandas reads.
    spec = index_to_json(pd.date_range("2020-01-31", periods=3, freq="ME"))
    spec["freq"] = "XE"
    for read in (lambda: freq_from_json("XE"), lambda: index_from_json(spec)):
        with pytest.raises(CodecError, match=f"frequency 'XE', which pandas {pd.__version__} cannot read"):
            read()
    with pytest.raises(CodecError, match="frequency 'ME'"):
        freq_from_json("ME", period=True)  # month end is no period frequency


def test_frames_round_trip_and_none_stays_none():
    frame = pd.DataFrame({"y": [1.0, 2.5], "x": [0.0, -1.0]}, index=pd.period_range("2001-01", periods=2, freq="M"))
    pd.testing.assert_frame_equal(frame_from_json(json.loads(json.dumps(frame_to_json(frame)))), frame)
    assert frame_to_json(None) is None and frame_from_json(None) is None
