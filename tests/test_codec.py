"""The JSON codec of model files, without any estimator: values come back exactly, with their types."""

import datetime
import json
import zoneinfo

import dateutil.tz
import numpy as np
import pandas as pd
import pytest

import sktcn._codec
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
    pd.to_timedelta(["1D", "3D"]),  # a relative fh of timedeltas
    # A datetime level's values lose its frequency; inferred from them, "7D" would come back "W-MON".
    pd.MultiIndex.from_product([["a", "b"], pd.date_range("2020-01-06", periods=3, freq="7D")], names=["unit", "t"]),
], ids=["period", "utc", "paris-dst", "fixed-offset", "range", "str", "int32", "uint64", "categorical", "multi",
        "timedelta", "multi-datetime"])
def test_indexes_keep_kind_names_and_frequency(index):
    back = index_from_json(json.loads(json.dumps(index_to_json(index))))
    pd.testing.assert_index_equal(back, index)
    if isinstance(index, pd.MultiIndex):
        assert back.levels[1].freqstr == index.levels[1].freqstr
    elif hasattr(index, "freqstr"):
        assert back.freqstr == index.freqstr


@pytest.mark.parametrize("tz", [dateutil.tz.tzoffset(None, 3600), dateutil.tz.tzoffset("EST", -5 * 3600),
                                dateutil.tz.tzutc()], ids=["tzoffset", "named-tzoffset", "tzutc"])
def test_a_fixed_offset_zone_of_any_kind_reads_back_as_that_offset(tz):
    # dateutil.parser gives a tzoffset, whose str (its repr) no time zone parser reads: load refused the file.
    index = pd.date_range("2021-03-27", periods=48, freq="h", tz=tz, name="t")
    spec = json.loads(json.dumps(index_to_json(index)))
    assert spec["tz"] == str(datetime.timezone(tz.utcoffset(None)))  # "UTC+01:00", "UTC-05:00", "UTC"
    back = index_from_json(spec)
    assert back.name == "t" and back.freq == index.freq
    np.testing.assert_array_equal(back.asi8, index.asi8)  # the same instants
    assert [t.utcoffset() for t in back] == [t.utcoffset() for t in index]  # at the same offsets
    later = pd.Timedelta(days=200)  # and so beyond them: a fixed offset has no daylight saving time
    assert (back[-1] + later).utcoffset() == (index[-1] + later).utcoffset()


def test_named_zones_are_stored_by_their_iana_name():
    assert sktcn._codec._tz_to_json(zoneinfo.ZoneInfo("Europe/Berlin")) == "Europe/Berlin"
    assert sktcn._codec._tz_to_json(datetime.timezone(datetime.timedelta(hours=-3))) == "UTC-03:00"
    berlin = dateutil.tz.gettz("Europe/Berlin")  # from the system's tz database, or dateutil's own copy
    if berlin is not None:
        assert sktcn._codec._tz_to_json(berlin) == "Europe/Berlin"


def test_an_index_that_would_not_read_back_as_it_is_is_refused(monkeypatch):
    # Stands for a time zone whose name no pandas reads, or reads as another zone.
    index = pd.date_range("2021-03-27", periods=48, freq="h", tz="Europe/Berlin")
    monkeypatch.setattr(sktcn._codec, "_tz_to_json", lambda tz: "Mars/Olympus_Mons")
    # The reader's own error is named: zoneinfo's under pandas 3, pytz's under pandas 2 (its default zones).
    with pytest.raises(TypeError, match=r"cannot store a DatetimeIndex with the time zone .*Europe/Berlin.* so that it "
                                        r"reads back as it is \((ZoneInfoNotFoundError|UnknownTimeZoneError): "
                                        r".*Mars/Olympus_Mons.*give the index a zone pandas"):
        index_to_json(index)
    monkeypatch.setattr(sktcn._codec, "_tz_to_json", lambda tz: "UTC")  # the same instants, other wall-clock times
    with pytest.raises(TypeError, match=r"reads back as it is: give the index a zone pandas names"):
        index_to_json(pd.MultiIndex.from_product([["a"], index]))


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


@pytest.mark.parametrize("name", [("date", "utc"), np.int64(3)])
def test_an_index_name_json_cannot_give_back_is_refused_at_save(name):
    # A tuple name was written (a list in JSON) and then refused by load; a NumPy one failed in json.dumps,
    # with a message that named neither the index nor the fix.
    index = pd.date_range("2020-01-01", periods=3, freq="D", name=name)
    with pytest.raises(TypeError, match=r"cannot store a DatetimeIndex so that it reads back .* a name of str or None"):
        index_to_json(index)
    assert index_from_json(index_to_json(index.rename("date"))).name == "date"


def test_an_index_whose_frequency_would_not_read_back_is_refused():
    # Business days with a holiday after the data are written "C", which reads back without the holiday.
    index = pd.date_range("2021-01-04", periods=6, freq=pd.offsets.CustomBusinessDay(holidays=["2021-03-01"]))
    with pytest.raises(TypeError, match="cannot store a DatetimeIndex so that it reads back as it is"):
        index_to_json(index)
