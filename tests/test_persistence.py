"""est.save / sktcn.load: exact round trips, and refusal of altered or foreign files."""

import errno
import json
import os
import pickle
import random
import shutil
import sys
import warnings
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sktime.base import load as sktime_load
from sktime.datasets import load_airline

import sktcn
from sktcn import TCNClassifier, TCNForecaster, TCNRegressor, persistence
from sktcn._codec import to_json
from sktcn.persistence import ModelFileError, _sha256

from conftest import TINY, global_policy


@pytest.fixture(scope="module")
def regressor():
    rng = np.random.RandomState(1)
    # DataFrame input: feature names must survive too; weight norm: its raw variables must.
    X = pd.DataFrame(rng.normal(size=(40, 10)), columns=[f"t{i}" for i in range(10)])
    y = X["t0"].to_numpy() + X["t9"].to_numpy()
    reg = TCNRegressor(**TINY, dilations=(1, 2), use_weight_norm=True, random_state=0).fit(X, y)
    return reg, X, y


@pytest.fixture
def saved_regressor(regressor, tmp_path):
    return regressor[0].save(tmp_path / "model")


def test_a_loaded_estimator_warm_starts_with_the_parameters_it_was_saved_with(regressor, tmp_path):
    # As a fitted one does (tests/test_estimators.py): a changed architecture is refused, a new rate applies.
    reg, X, y = regressor
    loaded = sktcn.load(reg.save(tmp_path / "model")).set_params(warm_start=True, nb_filters=reg.nb_filters + 1)
    with pytest.raises(ValueError, match=rf"Changed since the network was built: nb_filters from {reg.nb_filters} "):
        loaded.fit(X, y)
    loaded.set_params(nb_filters=reg.nb_filters, learning_rate=1e-4, epochs=1).fit(X, y)
    assert np.isclose(float(loaded.model_.optimizer.learning_rate), 1e-4)


def test_regressor_round_trip_is_exact(regressor, tmp_path):
    reg, X, y = regressor
    loaded = sktcn.load(reg.save(tmp_path / "model"))
    assert type(loaded) is TCNRegressor
    assert loaded.get_params() == reg.get_params()  # dilations stay a tuple
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    assert loaded.score(X, y) == reg.score(X, y)
    assert list(loaded.feature_names_in_) == list(X.columns)
    assert (loaded.dilations_, loaded.receptive_field_) == (reg.dilations_, reg.receptive_field_)
    assert loaded.history_ == reg.history_
    with pytest.raises(ValueError, match="feature names"):
        loaded.predict(X.rename(columns={"t0": "other"}))


def test_classifier_round_trip_is_exact_and_keeps_training(series_3d, tmp_path):
    X, labels = series_3d
    clf = TCNClassifier(**TINY, class_weight={"neg": 1.0, "pos": 2.0}, random_state=0).fit(X, labels)
    loaded = sktcn.load(clf.save(tmp_path / "clf"))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    assert loaded.classes_.tolist() == ["neg", "pos"] and loaded.get_params() == clf.get_params()
    # The optimizer state travels in the .keras file: training can continue.
    loaded.set_params(warm_start=True).fit(X, labels)
    assert len(loaded.history_["loss"]) == 2 * TINY["epochs"]
    # A loaded estimator still pickles, for scikit-learn's and joblib's tools.
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(loaded)).predict(X), loaded.predict(X))


def test_series_scaling_round_trips_through_save_load_and_pickle(rng, tmp_path):
    # Each series with its own level, and series of different lengths: the padding stays out.
    X = [rng.normal(loc=rng.normal(scale=100), size=(n, 2)).astype(np.float32) for n in rng.randint(5, 13, size=30)]
    y = np.array([x[:, 0].std() > 1 for x in X]).astype(int)
    clf = TCNClassifier(**TINY, input_scaling="series", random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert np.ptp(proba[:, 0]) > 1e-4  # the network tells the series apart: the comparison could fail
    loaded = sktcn.load(clf.save(tmp_path / "clf"))  # sktcn's own file check, then Keras' safe_mode
    assert type(loaded.model_.get_layer("input_scaling")).__name__ == "SeriesStandardization"
    assert loaded.get_params() == clf.get_params()
    np.testing.assert_array_equal(loaded.predict_proba(X), proba)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X), proba)


def test_classifier_keeps_the_classes_partial_fit_declared(series_3d, tmp_path):
    X, labels = series_3d
    clf = TCNClassifier(**TINY, random_state=0).partial_fit(X, labels, classes=["neg", "pos", "other"])
    loaded = sktcn.load(clf.save(tmp_path / "clf"))
    # A later call's labels are checked against the declared classes, as on the saved estimator.
    with pytest.raises(ValueError, match=r"not in the declared classes: \['new'\]"):
        loaded.partial_fit(X, np.where(labels == "pos", "new", labels))
    loaded.partial_fit(X, np.where(labels == "pos", "other", labels))
    assert loaded.classes_.tolist() == ["neg", "other", "pos"]


def test_classifier_with_category_codes_as_labels_round_trips(series_3d, tmp_path):
    X, labels = series_3d
    codes = pd.Series(labels).astype("category").cat.codes.to_numpy()  # int8
    clf = TCNClassifier(**TINY, random_state=0).fit(X, codes)
    loaded = sktcn.load(clf.save(tmp_path / "codes"))
    assert loaded.classes_.dtype == np.int8
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def test_forecaster_round_trip_is_exact_after_update(tmp_path):
    y = load_airline()
    forecaster = TCNForecaster(**TINY, random_state=0).fit(y.iloc[:-6], fh=[1, 2, 3])
    forecaster.update(y.iloc[-6:], update_params=False)  # moves the cutoff: the stored data must follow
    loaded = sktcn.load(forecaster.save(tmp_path / "forecaster"))
    assert loaded.cutoff.equals(forecaster.cutoff)
    pd.testing.assert_series_equal(loaded.predict(), forecaster.predict(), check_exact=True)
    pd.testing.assert_frame_equal(
        loaded.predict_interval(coverage=[0.5, 0.9]), forecaster.predict_interval(coverage=[0.5, 0.9]), check_exact=True
    )
    assert loaded.get_params() == forecaster.get_params()
    assert loaded.interval_calibration_ == forecaster.interval_calibration_ == "backtest"
    # sktime's own in-memory serialization, which its tools call, is still there.
    pd.testing.assert_series_equal(sktime_load(forecaster.save()).predict(), forecaster.predict())


@pytest.mark.parametrize("kind", ["regressor", "classifier", "forecaster"])
def test_a_loaded_ensemble_predicts_as_the_saved_one_did_after_tracing(series_3d, kind, tmp_path):
    # A loaded ensemble predicts eagerly at first; the saved one had traced its
    # forward pass by its third prediction, whose averaging then differed in
    # the last bits. The round trip must be exact whatever came before the save.
    X, labels = series_3d
    if kind == "forecaster":
        y = pd.Series(np.sin(np.arange(60) / 3.0) + 5.0)
        estimator = TCNForecaster(**TINY, random_state=0, n_networks=3, calibration_size=0.0).fit(y, fh=[1, 2])
    elif kind == "classifier":
        estimator = TCNClassifier(**TINY, random_state=0, n_networks=3).fit(X, labels)
    else:
        estimator = TCNRegressor(**TINY, random_state=0, n_networks=3).fit(X, X[:, 0, 0] - X[:, -1, 1])

    def predict(model):
        if kind == "forecaster":
            return model.predict().to_numpy()
        return model.predict_proba(X) if kind == "classifier" else model.predict(X)

    for _ in range(3):
        before = predict(estimator)
    np.testing.assert_array_equal(predict(sktcn.load(estimator.save(tmp_path / "model"))), before)


def test_losses_given_by_name_round_trip(series_3d, tmp_path):
    # Keras writes a loss given by name as the function it names; sktcn's check of
    # the network file accepts Keras' own loss functions there.
    X, labels = series_3d
    reg = TCNRegressor(**TINY, loss="mae", random_state=0).fit(X, X[:, 0, 0])
    loaded = sktcn.load(reg.save(tmp_path / "reg"))
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    # The same loss comes back: training continues exactly as the saved estimator's.
    for estimator in (loaded, reg):
        estimator.set_params(warm_start=True).fit(X, X[:, 0, 0])
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    clf = TCNClassifier(**TINY, loss="sparse_categorical_crossentropy", random_state=0).fit(X, labels)
    np.testing.assert_array_equal(sktcn.load(clf.save(tmp_path / "clf")).predict_proba(X), clf.predict_proba(X))
    forecaster = TCNForecaster(**TINY, n_networks=1, loss="huber", random_state=0).fit(load_airline(), fh=[1, 2])
    path = forecaster.save(tmp_path / "forecaster")
    for loaded in (sktcn.load(path), sktime_load(str(path)[:-4])):
        pd.testing.assert_series_equal(loaded.predict(), forecaster.predict(), check_exact=True)


class _WritesAFile:
    """Unpickling this creates ``path``: a stand-in for code in a hostile pickle."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def test_forecaster_archive_is_read_by_sktime_and_by_sktcn_without_unpickling(tmp_path):
    import zipfile

    y = load_airline()
    forecaster = TCNForecaster(**TINY, calibration_size=0.0, n_networks=1, random_state=0).fit(y, fh=[1, 2])
    path = forecaster.save(tmp_path / "airline")
    assert path == tmp_path / "airline.zip" and not (tmp_path / "airline").exists()  # sktime's naming
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["_metadata", "manifest.json", "regressor_0.keras"]
    # sktime's own load, as its test_save_estimators_to_file calls it, and sktcn's.
    from_sktime = sktime_load(str(tmp_path / "airline"))
    assert type(from_sktime) is TCNForecaster
    pd.testing.assert_series_equal(from_sktime.predict(), forecaster.predict(), check_exact=True)
    pd.testing.assert_series_equal(sktcn.load(tmp_path / "airline").predict(), forecaster.predict(), check_exact=True)
    # sktime's pickle formats still round-trip through sktime.
    pickled = forecaster.save(tmp_path / "pickled", serialization_format="pickle")
    pd.testing.assert_series_equal(sktime_load(pickled.filename[:-4]).predict(), forecaster.predict())

    # sktcn.load never unpickles the _metadata entry sktime needs: a hostile one is inert.
    marker = tmp_path / "code-ran"
    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(path) as good, zipfile.ZipFile(hostile, "w") as bad:
        for name in good.namelist():
            data = pickle.dumps(_WritesAFile(marker)) if name == "_metadata" else good.read(name)
            bad.writestr(name, data)
    pd.testing.assert_series_equal(sktcn.load(hostile).predict(), forecaster.predict(), check_exact=True)
    assert not marker.exists()
    # Entries sktcn does not write, or paths out of the folder, are refused.
    with zipfile.ZipFile(hostile, "a") as bad:
        bad.writestr("../escape.keras", b"")
    with pytest.raises(ModelFileError, match="escape.keras"):
        sktcn.load(hostile)
    (tmp_path / "text.zip").write_text("not a zip")
    with pytest.raises(ModelFileError, match="not a zip archive"):
        sktcn.load(tmp_path / "text.zip")


@pytest.mark.parametrize("levels, index_type", [((2,), "datetime"), ((2, 2), "datetime"), ((2,), "period")],
                         ids=["panel", "hierarchy", "period-panel"])
def test_global_forecaster_round_trip_keeps_the_time_frequency(levels, index_type, tmp_path):
    # A MultiIndex's time level carries the frequency sktime gives the cutoff. The level's
    # values alone lose it; load's fit then infers one from the dates, which may name the
    # same steps otherwise ("W-MON" for "7D", which the stored horizon's "7D" refuses).
    # (A period level keeps it in its dtype; restoring it the datetime way failed.)
    from sktime.utils._testing.hierarchical import _make_hierarchical

    y = _make_hierarchical(hierarchy_levels=levels, min_timepoints=12, max_timepoints=12, n_columns=1,
                           random_state=0, index_type=index_type)
    forecaster = TCNForecaster(**TINY, window_length=3, calibration_size=0.0, n_networks=1, random_state=0)
    forecaster.fit(y, fh=[1, 2, 3])
    loaded = sktcn.load(forecaster.save(tmp_path / "global"))
    assert loaded.cutoff.freqstr == forecaster.cutoff.freqstr == ("D" if index_type == "datetime" else "M")
    pd.testing.assert_frame_equal(loaded.predict(), forecaster.predict(), check_exact=True)


def test_forecaster_fit_on_a_nested_panel_forecasts_in_that_type_after_loading(tmp_path):
    # sktime returns forecasts in the type y was given in; the file stores the
    # inner pandas form, so the loaded forecaster must convert back.
    from sktime.utils._testing.panel import _make_panel_X

    y = _make_panel_X(n_instances=3, n_timepoints=10, n_columns=1, random_state=0, all_positive=True)
    forecaster = TCNForecaster(**TINY, window_length=3, calibration_size=0.0, n_networks=1, random_state=0)
    expected = forecaster.fit(y, fh=[1, 2, 3]).predict()
    loaded = sktcn.load(forecaster.save(tmp_path / "nested"))
    assert loaded._y_mtype_last_seen == "nested_univ"
    forecast = loaded.predict()
    assert forecast.shape == expected.shape == (3, 1)
    for row in range(3):
        pd.testing.assert_series_equal(forecast.iloc[row, 0], expected.iloc[row, 0], check_exact=True)


def test_forecaster_series_scaling_is_stored(tmp_path):
    # After update(update_params=False) the network still uses the statistics of
    # the data it was fit on; the file must carry them, not recompute them.
    y = load_airline()
    forecaster = TCNForecaster(**TINY, scaling="series", calibration_size=0.0, random_state=0)
    forecaster.fit(y.iloc[:-12], fh=[1, 2])
    forecaster.update(y.iloc[-12:], update_params=False)
    loaded = sktcn.load(forecaster.save(tmp_path / "series"))
    np.testing.assert_array_equal(loaded.series_scale_[0][1], forecaster.series_scale_[0][1])
    pd.testing.assert_series_equal(loaded.predict(), forecaster.predict(), check_exact=True)


def test_forecaster_with_exogenous_data_and_datetime_index(tmp_path):
    index = pd.date_range("2024-01-01", periods=60, freq="D")
    t = np.arange(60)
    X = pd.DataFrame({"driver": np.sin(t / 4.0)}, index=index)
    y = pd.DataFrame({"a": 2 * X["driver"] + t / 30.0, "b": np.cos(t / 5.0)}, index=index)
    forecaster = TCNForecaster(**TINY, window_length=8, calibration_size=0.0, random_state=0)
    forecaster.fit(y.iloc[:-2], X=X.iloc[:-2], fh=[1, 2])
    loaded = sktcn.load(forecaster.save(tmp_path / "exog"))
    future = X.iloc[-2:]
    pd.testing.assert_frame_equal(loaded.predict(X=future), forecaster.predict(X=future), check_exact=True)


def test_a_model_fit_in_float64_loads(series_2d, keras_globals, tmp_path):
    # Networks follow floatx: a float64 network is one sktcn writes, and loads.
    keras_globals("float64")
    X, y = series_2d
    reg = TCNRegressor(**TINY, random_state=0).fit(X, y)
    assert reg.model_.get_layer("head").kernel.dtype == "float64"
    path = reg.save(tmp_path / "model")
    keras_globals("float32")
    loaded = sktcn.load(path)
    assert loaded.model_.get_layer("head").kernel.dtype == "float64"
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))


@pytest.mark.parametrize("fit_policy, load_policy", [(None, "mixed_float16"), ("mixed_float16", None)])
def test_load_and_unpickle_rebuild_the_network_under_its_own_dtype_policy(series_2d, tmp_path, fit_policy,
                                                                          load_policy):
    # Keras rebuilds a loaded model under the loading thread's global policy: a
    # float32 network loaded where it is mixed_float16 predicted differently and
    # wrapped its optimizer in loss scaling, whose saved state then did not fit
    # ("Skipping variable loading for optimizer"); and the reverse.
    X, y = series_2d
    with global_policy(fit_policy):
        reg = TCNRegressor(**TINY, random_state=0).fit(X, y)
    expected, iterations = reg.predict(X), int(reg.model_.optimizer.iterations.numpy())
    path, blob = reg.save(tmp_path / "model"), pickle.dumps(reg)
    with global_policy(load_policy):
        before = keras.config.dtype_policy().name
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loaded = [sktcn.load(path), pickle.loads(blob)]
        assert keras.config.dtype_policy().name == before  # put back after the load
        for est in loaded:
            np.testing.assert_array_equal(est.predict(X), expected)
            assert est.model_.dtype_policy.name == "float32"
            assert int(est.model_.optimizer.iterations.numpy()) == iterations
    assert not [w for w in caught if "Skipping variable loading" in str(w.message)]


def test_a_process_set_to_channels_first_fits_loads_and_unpickles_alike(series_3d, image_data_format, tmp_path):
    # Image work often sets Keras' global layout to channels_first (keras.json or
    # keras.config); sktcn's series stay (samples, time steps, features): the
    # convolutions must not read time steps as channels, nor the pooling average
    # over features.
    X, labels = series_3d
    params = dict(TINY, dilations=(1, 2), pooling="mean", random_state=0)
    clf = TCNClassifier(**params).fit(X, labels)
    path, blob = clf.save(tmp_path / "before"), pickle.dumps(clf)
    expected = clf.predict_proba(X)
    image_data_format("channels_first")
    np.testing.assert_array_equal(sktcn.load(path).predict_proba(X), expected)
    np.testing.assert_array_equal(pickle.loads(blob).predict_proba(X), expected)
    refit = TCNClassifier(**params).fit(X, labels)
    np.testing.assert_array_equal(refit.predict_proba(X), expected)
    np.testing.assert_array_equal(sktcn.load(refit.save(tmp_path / "after")).predict_proba(X), expected)
    assert keras.config.image_data_format() == "channels_first"


def test_loading_and_unpickling_leave_the_global_random_streams_alone(regressor, tmp_path):
    # Keras draws the rebuilt layers' seeds from Python's random (sktcn._random.python_random_kept).
    reg, X, _ = regressor
    path, blob = reg.save(tmp_path / "model"), pickle.dumps(reg)

    def next_draws(load):
        """The next draws of Python and NumPy after ``load``, the streams then put back."""
        python, numpy = random.getstate(), np.random.get_state()
        load()
        draws = random.random(), np.random.rand()
        random.setstate(python)
        np.random.set_state(numpy)
        return draws

    expected = next_draws(lambda: None)
    assert next_draws(lambda: sktcn.load(path)) == expected
    assert next_draws(lambda: pickle.loads(blob)) == expected


def test_forecaster_on_a_time_zone_across_a_dst_change_loads_and_forecasts_alike(tmp_path):
    # The stored times carry offsets +01:00 and +02:00; the file must give back Europe/Paris.
    index = pd.date_range("2021-02-01", periods=60, freq="D", tz="Europe/Paris")
    y = pd.Series(np.sin(np.arange(60) / 3.0) + 5, index=index)
    forecaster = TCNForecaster(**TINY, window_length=5, calibration_size=0.0, n_networks=1, random_state=0)
    forecaster.fit(y, fh=[1, 2])
    loaded = sktcn.load(forecaster.save(tmp_path / "paris"))
    assert loaded.cutoff.tz == forecaster.cutoff.tz
    pd.testing.assert_series_equal(loaded.predict(), forecaster.predict(), check_exact=True)
    # The time unit is pandas' default (ns on pandas 2, us on pandas 3), the zone the named one.
    dtype = loaded.predict().index.dtype
    assert dtype == forecaster.predict().index.dtype and str(dtype.tz) == "Europe/Paris"


def test_a_stored_frequency_this_pandas_cannot_read_is_named_not_blamed_on_the_file(tmp_path):
    # A file saved where pandas was older than 2.2 may hold "M" for month end, which pandas 3 refuses.
    y = pd.Series(np.sin(np.arange(30) / 3.0), index=pd.date_range("2020-01-31", periods=30, freq="ME"))
    forecaster = TCNForecaster(**TINY, window_length=4, calibration_size=0.0, n_networks=1, random_state=0)
    path = persistence.save(forecaster.fit(y, fh=[1, 2]), tmp_path / "monthly")
    _edit_manifest(path, lambda manifest: manifest["state"]["y"]["index"].update(freq="XE"))
    with pytest.raises(ModelFileError, match=f"frequency 'XE', which pandas {pd.__version__} cannot read") as error:
        sktcn.load(path)
    assert "valid fitted estimator" not in str(error.value)


def test_unfitted_estimators_are_refused(tmp_path):
    with pytest.raises(NotFittedError):
        TCNRegressor().save(tmp_path / "a")
    with pytest.raises(NotFittedError):
        TCNForecaster().save(tmp_path / "b")
    assert not (tmp_path / "a").exists() and not list(tmp_path.iterdir())  # no half-written model


def test_parameters_that_are_not_plain_values_are_refused(regressor, tmp_path):
    reg = pickle.loads(pickle.dumps(regressor[0]))
    reg.set_params(callbacks=[keras.callbacks.TerminateOnNaN()])
    with pytest.raises(TypeError, match="parameter 'callbacks' holds a TerminateOnNaN"):
        reg.save(tmp_path / "m")


def test_refusals_name_the_save_and_load_that_exist(regressor, tmp_path):
    # They named sktcn.save, which does not exist: the API is est.save(path) and sktcn.load.
    assert not hasattr(sktcn, "save")
    reg = pickle.loads(pickle.dumps(regressor[0])).set_params(activation=lambda x: keras.activations.relu(x))
    messages = []
    with pytest.raises(TypeError, match=r"function object, which the estimator's save\(\) cannot store") as raised:
        reg.save(tmp_path / "m")
    messages.append(str(raised.value))
    with pytest.raises(TypeError, match=r"^sktcn\.persistence\.save stores TCNClassifier") as raised:
        persistence.save(object(), tmp_path / "m")
    messages.append(str(raised.value))
    with pytest.raises(ModelFileError, match=r"not a model saved by an sktcn estimator's save\(\)") as raised:
        sktcn.load(tmp_path)
    messages.append(str(raised.value))
    (tmp_path / "model.zip").write_text("not a zip")
    with pytest.raises(ModelFileError, match=r"the directory that TCNClassifier\.save\(\) and TCNRegressor\.save\(\) "
                                             r"write, or the zip file TCNForecaster\.save\(\) writes") as raised:
        sktcn.load(tmp_path / "model.zip")
    messages.append(str(raised.value))
    assert not any("sktcn.save" in message for message in messages)
    assert not (tmp_path / "m").exists()
    # Nor does any other message of the package.
    sources = Path(sktcn.__file__).parent.glob("*.py")
    assert [path.name for path in sources if "sktcn.save" in path.read_text(encoding="utf-8")] == []


@pytest.mark.parametrize("save", [persistence.save, persistence.save_archive], ids=["directory", "archive"])
def test_a_path_through_a_dangling_link_is_refused_naming_it(regressor, tmp_path, save):
    # It was a bare "[Errno 17] File exists" from the folder creation.
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    with pytest.raises(FileNotFoundError, match="dangling is a link to .*gone, which does not exist"):
        save(regressor[0], tmp_path / "dangling" / "m")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling"]


@pytest.mark.parametrize("save", [persistence.save, persistence.save_archive], ids=["directory", "archive"])
def test_a_failed_save_removes_the_folders_it_created_and_no_others(regressor, tmp_path, monkeypatch, save):
    # It created the missing folders above the model first, and left them empty.
    reg = pickle.loads(pickle.dumps(regressor[0]))
    reg.set_params(callbacks=[keras.callbacks.TerminateOnNaN()])
    (tmp_path / "runs").mkdir()
    with pytest.raises(TypeError, match="parameter 'callbacks' holds a TerminateOnNaN"):
        save(reg, tmp_path / "runs" / "2024" / "05" / "model")
    assert [p.relative_to(tmp_path) for p in tmp_path.rglob("*")] == [Path("runs")]

    # A folder it created but something else wrote in meanwhile stays.
    def failing(estimator, files):
        (tmp_path / "runs" / "2024" / "notes.txt").write_text("not the save's")
        raise OSError("disk full")

    monkeypatch.setattr(TCNRegressor, "_saved_state", failing)
    with pytest.raises(OSError, match="disk full"):
        save(reg, tmp_path / "runs" / "2024" / "05" / "model")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "runs", "runs/2024", "runs/2024/notes.txt"]


@pytest.mark.parametrize("folder", ["model", "empty"])
def test_saving_over_the_working_directory_is_refused(regressor, tmp_path, monkeypatch, folder):
    # save(".") replaced the folder the process worked in: getcwd(), relative paths and a second save then failed.
    reg, X, _ = regressor
    model = reg.save(tmp_path / "model")
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path / folder)
    for save in (persistence.save_target, reg.save):
        with pytest.raises(ValueError, match=f"{folder} is the working directory: replacing it would delete the "
                                             "folder this process works in. Save to a new name"):
            save(".")
    assert os.getcwd() == str(tmp_path / folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "model"]
    np.testing.assert_allclose(sktcn.load(model).predict(X), reg.predict(X), rtol=1e-6)
    assert reg.save("../saved") == tmp_path / "saved"  # a new name works


def test_a_failed_replacement_keeps_the_previous_model(regressor, tmp_path, monkeypatch):
    reg, X, _ = regressor
    model = reg.save(tmp_path / "m")
    real_replace = persistence.os.replace

    def failing(source, target):
        if Path(target) == model and ".sktcn-" in Path(source).name and "previous" not in Path(source).name:
            raise OSError("disk full")
        return real_replace(source, target)

    monkeypatch.setattr(persistence.os, "replace", failing)
    with pytest.raises(OSError, match="disk full"):
        reg.save(model)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
    np.testing.assert_allclose(sktcn.load(model).predict(X), reg.predict(X), rtol=1e-6)


def _is_writable_after_chmod(folder):
    """Whether this process writes in ``folder`` whatever its mode (root with its capabilities): then skip."""
    return os.access(folder, os.W_OK)


def test_a_name_that_could_mean_two_models_is_refused(regressor, tmp_path):
    # A forecaster's save("x") writes x.zip, but sktcn.load("x") read an older model directory x: the wrong model.
    reg, X, _ = regressor
    old = persistence.save(reg, tmp_path / "airline")  # what TCNForecaster.save wrote before it wrote archives
    for save in (lambda path: persistence.save_target(path, archive=True),
                 lambda path: persistence.save_archive(reg, path)):
        for name in ("airline", "airline.zip"):
            with pytest.raises(FileExistsError, match=f"{old} holds another sktcn model, which sktcn.load.* would "
                                                      f"read instead of {old}.zip. Save to another name, or rename"):
                save(tmp_path / name)
    # The other way round: a directory beside an archive of that name.
    archive = persistence.save_archive(reg, tmp_path / "fc")
    for save in (persistence.save_target, lambda path: reg.save(path)):
        with pytest.raises(FileExistsError, match=f"{archive} holds another sktcn model, and sktcn.load.* could mean "
                                                  f"it or the model saved to {tmp_path / 'fc'}"):
            save(tmp_path / "fc")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["airline", "fc.zip"]
    # Another file or folder of that name is no model: saving beside it goes on.
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me")
    persistence.save_archive(reg, tmp_path / "notes")
    # Made some other way, the pair is not loaded by the name both answer to.
    shutil.copy(archive, tmp_path / "airline.zip")
    with pytest.raises(ModelFileError, match=f"both {old} and {old}.zip hold sktcn models, and {old} could name either"
                                             ".*refusing to guess"):
        sktcn.load(tmp_path / "airline")
    np.testing.assert_allclose(sktcn.load(tmp_path / "airline.zip").predict(X), reg.predict(X), rtol=1e-6)


def test_a_new_model_directory_gets_the_permissions_of_mkdir_and_a_replaced_one_keeps_its_own(regressor, tmp_path):
    # The staging folder of tempfile.mkdtemp became the model directory: 0700 whatever the umask, so another
    # account could not load a model saved to share, and a re-save undid a chmod.
    import stat

    reg = regressor[0]

    def mode(path):
        return stat.S_IMODE(os.stat(path).st_mode)

    umask = os.umask(0o027)
    try:
        model = reg.save(tmp_path / "shared" / "m")
        (tmp_path / "plain").mkdir()
        assert mode(model) == mode(tmp_path / "plain") == mode(tmp_path / "shared") == 0o750
        assert {mode(file) for file in model.iterdir()} == {0o640}
        archive = persistence.save_archive(reg, tmp_path / "a")
        assert mode(archive) == 0o640
        os.chmod(model, 0o755)
        os.chmod(archive, 0o644)
        (tmp_path / "group").mkdir(mode=0o775)
        os.chmod(tmp_path / "group", 0o2775)  # an empty folder made for a group's model
        assert mode(reg.save(model)) == 0o755 and mode(persistence.save_archive(reg, archive)) == 0o644
        assert mode(reg.save(tmp_path / "group")) == 0o2775
    finally:
        os.umask(umask)


def _replace_busy(monkeypatch, source=None, target=None):
    """Make persistence's os.replace fail with EBUSY when moving ``source`` or onto ``target``, as a mount does."""
    real_replace = persistence.os.replace

    def busy(src, dst):
        if Path(src) == source or Path(dst) == target:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(src if Path(src) == source else dst))
        return real_replace(src, dst)

    monkeypatch.setattr(persistence.os, "replace", busy)


def test_a_mount_point_is_refused_before_saving(regressor, tmp_path, monkeypatch):
    # A volume mounted at the target (docker run -v $PWD/out:/model ... --model /model) failed after the training
    # with "[Errno 16] Device or resource busy", naming a hidden folder.
    reg, X, _ = regressor
    (tmp_path / "volume").mkdir()
    # os.path.ismount misses a bind mount of a folder of the same file system; mountinfo lists it (escaped).
    table = tmp_path / "mountinfo"
    table.write_bytes(b"36 35 98:0 / / rw - ext4 /dev/root rw\n"
                      b"99 36 98:0 /src " + str(tmp_path).encode() + b"/volume rw - ext4 /dev/root rw\n")
    monkeypatch.setattr(persistence, "_MOUNT_TABLE", str(table))
    for save in (persistence.save_target, reg.save):
        with pytest.raises(ValueError, match="volume is a mount point .*, which saving cannot replace.* save to a "
                                             "subfolder of it"):
            save(tmp_path / "volume")
    assert not persistence._is_mount_point(str(tmp_path / "other"))
    (tmp_path / "with space").mkdir()
    table.write_bytes(b"99 36 98:0 /src " + str(tmp_path).encode() + b"/with\\040space rw - ext4 /dev/root rw\n")
    with pytest.raises(ValueError, match="with space is a mount point"):
        persistence.save_target(tmp_path / "with space")
    monkeypatch.undo()
    assert persistence._is_mount_point("/")
    reg.save(tmp_path / "volume" / "model")  # the subfolder it suggests
    # One it did not see (or a folder in use) gives the same advice, and leaves the previous model.
    model = reg.save(tmp_path / "m")
    _replace_busy(monkeypatch, source=model)
    with pytest.raises(ValueError, match=r"m cannot be replaced \(Device or resource busy\): it is a mount point or in "
                                         "use; save to a subfolder"):
        reg.save(model)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m", "mountinfo", "volume", "with space"]
    np.testing.assert_allclose(sktcn.load(model).predict(X), reg.predict(X), rtol=1e-6)


def test_an_archive_whose_device_differs_from_its_folders_is_replaced(regressor, tmp_path, monkeypatch):
    # In an overlay whose layers lie on different file systems (a live system, Apptainer's image with a writable
    # overlay) a file has its layer's device, not the overlay's: os.path.ismount said True for every file, and an
    # archive saved there could never be saved again ("is a mount point").
    reg, X, _ = regressor
    archive = persistence.save_archive(reg, tmp_path / "a")
    real_ismount = os.path.ismount
    monkeypatch.setattr(persistence.os.path, "ismount", lambda path: os.path.isfile(path) or real_ismount(path))
    assert persistence.save_archive(reg, tmp_path / "a") == archive
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip"]
    np.testing.assert_allclose(sktcn.load(archive).predict(X), reg.predict(X), rtol=1e-6)


def test_a_mounted_archive_is_refused_with_advice_for_a_file(regressor, tmp_path, monkeypatch):
    # A file mounted at the archive's path (docker run -v ./m.zip:/app/m.zip) was refused with advice to save to
    # "a subfolder of it", which then failed with "m.zip is a file, not a folder".
    reg, X, _ = regressor
    archive = persistence.save_archive(reg, tmp_path / "a")
    table = tmp_path / "mountinfo"
    table.write_bytes(b"99 36 98:0 /host.zip " + str(archive).encode() + b" rw - ext4 /dev/root rw\n")
    monkeypatch.setattr(persistence, "_MOUNT_TABLE", str(table))
    for check in (lambda: persistence.save_target(tmp_path / "a", archive=True),
                  lambda: persistence.save_archive(reg, tmp_path / "a")):
        with pytest.raises(ValueError, match=r"a.zip is a mount point .*, which saving cannot replace, as it replaces "
                                             r"the whole archive; save to another name, or in another folder\.$"):
            check()
    # One it did not see gives the same advice.
    monkeypatch.setattr(persistence, "_MOUNT_TABLE", str(tmp_path / "none"))
    _replace_busy(monkeypatch, target=archive)
    with pytest.raises(ValueError, match=r"a.zip cannot be replaced \(Device or resource busy\): it is a mount point "
                                         r"or in use; save to another name, or in another folder\.$"):
        persistence.save_archive(reg, tmp_path / "a")
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip", "mountinfo"]
    np.testing.assert_allclose(sktcn.load(archive).predict(X), reg.predict(X), rtol=1e-6)


def test_an_empty_folder_in_a_folder_that_is_not_writable_is_refused_suggesting_a_subfolder(regressor, tmp_path):
    (tmp_path / "parent" / "slot").mkdir(parents=True)
    os.chmod(tmp_path / "parent", 0o555)
    try:
        if _is_writable_after_chmod(tmp_path / "parent"):
            pytest.skip("this process writes in folders whatever their permissions (root)")
        with pytest.raises(PermissionError, match="slot cannot be replaced: .*parent is not writable, and saving "
                                                  "replaces the whole slot. Save to a subfolder of it"):
            regressor[0].save(tmp_path / "parent" / "slot")
        assert regressor[0].save(tmp_path / "parent" / "slot" / "model").is_dir()
    finally:
        os.chmod(tmp_path / "parent", 0o755)


def test_a_link_at_the_target_is_replaced_itself(regressor, series_3d, tmp_path):
    # The link was renamed to a hidden ".current-xxxx-previous" and left there.
    reg, X, _ = regressor
    version = reg.save(tmp_path / "store" / "v1")
    (tmp_path / "current").symlink_to(version)
    X3, labels = series_3d
    clf = TCNClassifier(**TINY, random_state=0).fit(X3, labels)
    assert clf.save(tmp_path / "current") == tmp_path / "current"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["current", "store"]
    assert not (tmp_path / "current").is_symlink() and isinstance(sktcn.load(tmp_path / "current"), TCNClassifier)
    np.testing.assert_allclose(sktcn.load(version).predict(X), reg.predict(X), rtol=1e-6)


@pytest.mark.parametrize("save", [persistence.save, persistence.save_archive], ids=["directory", "archive"])
def test_a_dangling_link_at_the_target_is_refused_naming_it(regressor, tmp_path, save):
    # A directory's save failed after the training with "[Errno 20] Not a directory" naming a hidden folder.
    name = "m" if save is persistence.save else "m.zip"
    (tmp_path / name).symlink_to(tmp_path / "gone")
    for check in (lambda path: persistence.save_target(path, archive=save is not persistence.save),
                  lambda path: save(regressor[0], path)):
        with pytest.raises(FileExistsError, match=f"{name} is a symbolic link to .*gone, which does not exist; remove "
                                                  "the link"):
            check(tmp_path / "m")
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize("save", [persistence.save, persistence.save_archive], ids=["directory", "archive"])
def test_a_write_protected_model_is_not_replaced(regressor, tmp_path, save):
    # A directory was replaced, and the old model was left as a hidden ".ro-xxxx-previous" that rmtree could not
    # empty; an archive (chmod 444) was replaced silently, keeping its read-only mode.
    reg, X, _ = regressor
    archive = save is persistence.save_archive
    model = save(reg, tmp_path / "ro")
    os.chmod(model, 0o444 if archive else 0o555)
    inode = os.stat(model).st_ino
    try:
        if _is_writable_after_chmod(model):
            pytest.skip("this process writes in files and folders whatever their permissions (root)")
        for check in (lambda: persistence.save_target(tmp_path / "ro", archive=archive),
                      lambda: save(reg, tmp_path / "ro")):
            with pytest.raises(PermissionError, match=rf"{model.name} is write-protected, and saving would replace "
                                                      r"it. Make it writable \(chmod u\+w"):
                check()
        assert sorted(p.name for p in tmp_path.iterdir()) == [model.name] and os.stat(model).st_ino == inode
    finally:
        os.chmod(model, 0o644 if archive else 0o755)
    np.testing.assert_allclose(sktcn.load(model).predict(X), reg.predict(X), rtol=1e-6)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="no sticky bit (Windows)")
@pytest.mark.parametrize("save", [persistence.save, persistence.save_archive], ids=["directory", "archive"])
def test_another_users_model_in_a_sticky_folder_is_refused_before_saving(regressor, tmp_path, monkeypatch, save):
    # In /tmp or a shared scratch folder (mode 1777) only a file's owner or the folder's may rename it: sktcn fit
    # trained, then failed with "[Errno 1] Operation not permitted" naming a hidden "-previous" folder.
    reg, X, _ = regressor
    archive = save is persistence.save_archive
    (tmp_path / "scratch").mkdir()
    model = save(reg, tmp_path / "scratch" / "m")
    os.chmod(tmp_path / "scratch", 0o1777)
    owner = os.stat(model).st_uid
    # This process owns both the model and the folder: it passes as another user without CAP_FOWNER (not root).
    with monkeypatch.context() as patch:
        patch.setattr(persistence.os, "geteuid", lambda: owner + 1)
        patch.setattr(persistence, "_overrides_sticky_bit", lambda: False, raising=False)
        for check in (lambda: persistence.save_target(tmp_path / "scratch" / "m", archive=archive),
                      lambda: save(reg, tmp_path / "scratch" / "m")):
            with pytest.raises(PermissionError, match=rf"{model.name} cannot be replaced: it belongs to .*uid "
                                                      rf"{owner}\)?, and .*scratch is a shared folder \(its sticky bit "
                                                      r"is set, as /tmp's is\) .* Save to a new name, or ask .* to "
                                                      r"remove it first\."):
                check()
        assert sorted(p.name for p in (tmp_path / "scratch").iterdir()) == [model.name]
        # Root (CAP_FOWNER) may replace it.
        patch.setattr(persistence, "_overrides_sticky_bit", lambda: True)
        assert persistence.save_target(tmp_path / "scratch" / "m", archive=archive) == model
    assert save(reg, model) == model  # its owner may
    np.testing.assert_allclose(sktcn.load(model).predict(X), reg.predict(X), rtol=1e-6)


def _another_group(path):
    """A group this process may give ``path`` other than the one it has, or None."""
    current = os.stat(path).st_gid
    for gid in [*os.getgroups(), 4242]:  # root may give any group, one without a name too
        if gid != current:
            try:
                os.chown(path, -1, gid)
            except PermissionError:
                continue
            os.chown(path, -1, current)
            return gid
    return None


@pytest.mark.skipif(not hasattr(os, "chown"), reason="no groups (Windows)")
def test_a_replaced_model_keeps_its_group(regressor, tmp_path):
    # A model shared with a team (chgrp team m; chmod 2770 m) kept its mode but came back with the saver's group:
    # the team could no longer read it. An archive lost its group too.
    import stat

    reg, X, _ = regressor
    model, archive = reg.save(tmp_path / "m"), persistence.save_archive(reg, tmp_path / "a")
    team = _another_group(model)
    if team is None:
        pytest.skip("this process may give its files no other group")
    for path, mode in [(model, 0o2770), (archive, 0o660)]:
        os.chown(path, -1, team)
        os.chmod(path, mode)
    assert reg.save(model) == model and persistence.save_archive(reg, archive) == archive
    for path, mode in [(model, 0o2770), (archive, 0o660)]:
        assert (stat.S_IMODE(os.stat(path).st_mode), os.stat(path).st_gid) == (mode, team)
    # Written in a set-group-ID folder, its files would have had its group: they have.
    assert {os.stat(file).st_gid for file in model.iterdir()} == {team}
    np.testing.assert_allclose(sktcn.load(model).predict(X), reg.predict(X), rtol=1e-6)
    np.testing.assert_allclose(sktcn.load(archive).predict(X), reg.predict(X), rtol=1e-6)


def test_a_replaced_model_that_cannot_be_deleted_is_named_in_a_warning(regressor, tmp_path, monkeypatch):
    reg, X, _ = regressor
    model = reg.save(tmp_path / "m")
    real_rmtree = persistence.shutil.rmtree

    def failing(path, *args, **kwargs):
        if str(path).endswith("-previous"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(persistence.shutil, "rmtree", failing)
    with pytest.warns(UserWarning, match=r"m was saved, but the model it replaced could not be deleted and is left "
                                         r"at .*\.sktcn-\w+-previous \(.*Permission denied.*\); delete it"):
        reg.save(model)
    monkeypatch.undo()
    np.testing.assert_allclose(sktcn.load(model).predict(X), reg.predict(X), rtol=1e-6)


def test_long_names_save_and_save_again_and_a_name_too_long_is_refused_first(regressor, tmp_path):
    # The staging names grew with the target's: a valid name of 250 bytes never saved, and one of 240 only once,
    # with "[Errno 36] File name too long" naming a hidden path (after the training, in sktcn fit).
    reg, X, _ = regressor
    longest = os.pathconf(tmp_path, "PC_NAME_MAX")
    for save, name in [(persistence.save, "m" * longest), (persistence.save_archive, "a" * (longest - 4))]:
        saved = save(reg, tmp_path / name)
        assert save(reg, tmp_path / name) == saved
        np.testing.assert_allclose(sktcn.load(saved).predict(X), reg.predict(X), rtol=1e-6)
    too_long = "é" * (longest // 2 + 1)
    for path in (tmp_path / too_long, tmp_path / too_long / "m", tmp_path / "new" / too_long):
        for check in (persistence.save_target, lambda path: reg.save(path)):
            with pytest.raises(ValueError, match=f"the name '{too_long}' has {len(too_long.encode())} bytes, more "
                                                 f"than the {longest} this file system allows in a name"):
                check(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["m" * longest, "a" * (longest - 4) + ".zip"])


def test_a_failed_keras_save_leaves_no_temporary_folder(regressor, tmp_path, monkeypatch):
    # Keras removes its assets' temporary folder only after closing the weights' file: a full disk or a
    # file-size limit there left one in TMPDIR per failed save.
    import tempfile

    from keras.src.saving import saving_lib

    reg, X, _ = regressor
    saved = {persistence.save: reg.save(tmp_path / "m"),
             persistence.save_archive: persistence.save_archive(reg, tmp_path / "a")}
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))

    def full_disk(store):
        raise OSError(errno.EFBIG, "File too large")

    monkeypatch.setattr(saving_lib.H5IOStore, "close", full_disk)
    for save, path in saved.items():
        with pytest.raises(OSError, match="File too large"):
            save(reg, path)
        assert list((tmp_path / "tmp").iterdir()) == []
    monkeypatch.undo()
    assert keras.config.is_traceback_filtering_enabled()  # as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip", "m", "tmp"]
    for path in saved.values():
        np.testing.assert_allclose(sktcn.load(path).predict(X), reg.predict(X), rtol=1e-6)


def test_a_zipped_model_folder_is_refused_saying_how_to_zip_it_and_finders_files_are_skipped(regressor, tmp_path):
    # "zr.zip holds 'm/', which sktcn does not write" said neither why nor what to do; a .DS_Store at the root of
    # an archive was refused, although a model directory's is not.
    import zipfile

    reg, X, _ = regressor
    model = reg.save(tmp_path / "m")
    files = {path.name: path.read_bytes() for path in model.iterdir()}
    for name, extra in [("zip-r", {"m/": b""}), ("finder", {"__MACOSX/m/._manifest.json": b"x"})]:
        with zipfile.ZipFile(tmp_path / f"{name}.zip", "w") as archive:
            for member, data in {**extra, **{f"m/{file}": data for file, data in files.items()}}.items():
                archive.writestr(member, data)
        with pytest.raises(ModelFileError, match=f"{name}.zip holds the model inside the folder 'm' .*, but sktcn "
                                                 r"reads the model's files at the archive's root. Unzip it and load "
                                                 r"the folder m, or zip the files themselves into a new archive "
                                                 r"\(cd m && rm -f ../m.zip && zip ../m.zip \*\)\.$"):
            sktcn.load(tmp_path / f"{name}.zip")
    _follow_the_advice_for_a_zipped_folder(tmp_path / "zip-r.zip", reg, X)
    with zipfile.ZipFile(tmp_path / "flat.zip", "w") as archive:
        for member, data in {**files, ".DS_Store": b"x", "__MACOSX/._manifest.json": b"x"}.items():
            archive.writestr(member, data)
    (model / ".DS_Store").write_bytes(b"x")
    for path in (tmp_path / "flat.zip", model):
        np.testing.assert_allclose(sktcn.load(path).predict(X), reg.predict(X), rtol=1e-6)


def _follow_the_advice_for_a_zipped_folder(zipped, reg, X):
    """Run the command the message gives for ``zipped`` (the model in its folder m), received as m.zip."""
    import re
    import subprocess
    import zipfile

    if shutil.which("zip") is None or shutil.which("sh") is None:
        return
    received = zipped.parent / "received"
    received.mkdir()
    shutil.copy(zipped, received / "m.zip")
    with pytest.raises(ModelFileError) as refused:
        sktcn.load(received / "m.zip")
    command = re.search(r"\((cd .*)\)\.$", str(refused.value)).group(1)
    # Before unzipping, it fails and leaves the archive alone.
    assert subprocess.run(command, shell=True, cwd=received, capture_output=True).returncode != 0
    assert (received / "m.zip").read_bytes() == zipped.read_bytes()
    with zipfile.ZipFile(received / "m.zip") as archive:
        archive.extractall(received)
    # Info-ZIP's zip adds to an archive that exists: the old advice ("cd m && zip ../m.zip *") gave one holding
    # both m/ and the files, which neither sktcn.load("m.zip") nor sktcn.load("m") would then read.
    subprocess.run(command, shell=True, cwd=received, check=True, capture_output=True)
    np.testing.assert_allclose(sktcn.load(received / "m.zip").predict(X), reg.predict(X), rtol=1e-6)
    shutil.rmtree(received)


def test_archives_of_every_estimator_are_read_by_sktime(regressor, series_3d, tmp_path):
    reg, X, _ = regressor
    loaded = sktime_load(str(persistence.save_archive(reg, tmp_path / "reg"))[:-4])
    np.testing.assert_allclose(loaded.predict(X), reg.predict(X), rtol=1e-6)
    X3, labels = series_3d
    clf = TCNClassifier(**TINY, random_state=0).fit(X3, labels)
    archive = persistence.save_archive(clf, tmp_path / "clf")
    np.testing.assert_allclose(sktime_load(str(archive)[:-4]).predict_proba(X3), clf.predict_proba(X3), rtol=1e-6)
    with pytest.raises(ModelFileError, match="holds a TCNClassifier, not a TCNRegressor"):
        TCNRegressor.load_from_path(archive)
    # What sktime's load calls for an archive whose _metadata names TCNForecaster.
    with pytest.raises(ModelFileError, match="holds a TCNClassifier, not a TCNForecaster"):
        TCNForecaster.load_from_path(archive)


def test_saving_replaces_a_model_but_not_other_files(regressor, tmp_path):
    reg = regressor[0]
    reg.save(tmp_path / "m")
    reg.save(tmp_path / "m")  # a model directory is replaced
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="not an sktcn model directory"):
        reg.save(tmp_path / "notes")
    assert (tmp_path / "notes" / "todo.txt").read_text() == "keep me"


def test_saving_replaces_only_what_names_itself_an_sktcn_model(regressor, tmp_path):
    # Any folder or zip holding a file named manifest.json was taken for a model and replaced.
    import zipfile

    reg = regressor[0]
    extension = tmp_path / "my-extension"
    extension.mkdir()
    for manifest in ['{"name": "my browser extension", "manifest_version": 3}', '{"format": "other"}', "not JSON"]:
        (extension / "manifest.json").write_text(manifest)
        (extension / "background.js").write_text("// weeks of work")
        with pytest.raises(FileExistsError, match="my-extension exists and is not an sktcn model directory"):
            reg.save(extension)
        assert (extension / "background.js").read_text() == "// weeks of work"
        packed = tmp_path / "extension.zip"
        with zipfile.ZipFile(packed, "w") as archive:
            archive.writestr("manifest.json", manifest)
            archive.writestr("background.js", "// weeks of work")
        assert persistence._unsaved_members(packed) is None  # no sktcn model in it
        with pytest.raises(FileExistsError, match="extension.zip exists and is not an sktcn model archive"):
            persistence.save_archive(reg, packed)
        assert zipfile.ZipFile(packed).namelist() == ["manifest.json", "background.js"]
    # Models written by earlier versions (format 1) are models, and are replaced.
    old_model = shutil.copytree(Path(__file__).parent / "data" / "format1" / "regressor", tmp_path / "old")
    old_archive = shutil.copy(Path(__file__).parent / "data" / "format1" / "forecaster.zip", tmp_path / "older.zip")
    assert persistence._unsaved_members(old_archive) == []  # a model and nothing else
    reg.save(old_model)
    persistence.save_archive(reg, old_archive)
    assert isinstance(sktcn.load(old_model), TCNRegressor) and isinstance(sktcn.load(old_archive), TCNRegressor)
    # sktime's load of a forecaster's archive whose manifest is damaged still gets sktcn's reason, not sktime's
    # "no item named '_obj'" (the archive is not sktime's pickle either).
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(Path(__file__).parent / "data" / "format1" / "forecaster.zip") as good:
        with zipfile.ZipFile(damaged, "w") as bad:
            for name in good.namelist():
                bad.writestr(name, good.read(name)[:-5] if name == "manifest.json" else good.read(name))
    with pytest.raises(ModelFileError, match="manifest.json is not valid JSON"):
        sktime_load(str(damaged)[:-4])


def test_a_model_whose_manifest_load_would_refuse_as_too_large_is_still_replaced(regressor, tmp_path, monkeypatch):
    # Whether a path held a model was decided by reading its manifest within MAX_MANIFEST_BYTES: a forecaster's
    # manifest over it (millions of stored points, with the limit raised to load it) could be saved once and then
    # never again to the same path ("exists and is not an sktcn model archive").
    import zipfile

    reg, X, _ = regressor
    folder, archive = reg.save(tmp_path / "m"), persistence.save_archive(reg, tmp_path / "a")
    monkeypatch.setattr(persistence, "MAX_MANIFEST_BYTES", 100)  # the manifests now exceed it (94 MB in the report)
    with pytest.raises(ModelFileError, match="more than MAX_MANIFEST_BYTES"):
        sktcn.load(folder)
    assert persistence._unsaved_members(archive) == []
    assert reg.save(folder) == folder and persistence.save_archive(reg, archive) == archive
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip", "m"]
    monkeypatch.undo()
    np.testing.assert_allclose(sktcn.load(folder).predict(X), reg.predict(X), rtol=1e-6)
    assert sorted(zipfile.ZipFile(archive).namelist()) == ["_metadata", "manifest.json", "model.keras"]
    # Only the manifest's two ends are read: "format" first, the files it lists last.
    text = (folder / "manifest.json").read_text()
    assert text.startswith('{\n "format": "sktcn-model",') and text.rstrip().endswith("}\n}")


def test_saving_keeps_files_of_yours_beside_a_model(regressor, tmp_path):
    # save replaced the whole folder once its manifest was sktcn's: notes, predictions and plots kept in it went too.
    import zipfile

    reg, X, _ = regressor
    experiment = reg.save(tmp_path / "experiment")
    (experiment / "notes.txt").write_text("results of run 1")
    (experiment / "plots").mkdir()
    (experiment / "plots" / "loss.png").write_bytes(b"png")
    with pytest.raises(FileExistsError, match="holds an sktcn model but also 'notes.txt', 'plots', which sktcn did "
                                              "not write: saving replaces the whole directory"):
        reg.save(experiment)
    assert sorted(p.name for p in experiment.iterdir()) == ["manifest.json", "model.keras", "notes.txt", "plots"]
    assert (experiment / "plots" / "loss.png").read_bytes() == b"png"
    np.testing.assert_allclose(sktcn.load(experiment).predict(X), reg.predict(X), rtol=1e-6)
    # A project folder into which a model's files were copied, beside the code.
    project = tmp_path / "project"
    shutil.copytree(experiment, project, ignore=shutil.ignore_patterns("notes.txt", "plots"))
    (project / "train.py").write_text("print('weeks of work')")
    with pytest.raises(FileExistsError, match="also 'train.py'"):
        reg.save(project)
    assert (project / "train.py").read_text() == "print('weeks of work')"
    # Moved out, the rest is the model's: replaced.
    shutil.rmtree(experiment / "plots")
    (experiment / "notes.txt").unlink()
    reg.save(experiment)
    # An archive holding a member sktcn did not write is not replaced either.
    archive = persistence.save_archive(reg, tmp_path / "packed")
    with zipfile.ZipFile(archive, "a") as packed:
        packed.writestr("notes.txt", "results of run 1")
    assert persistence._unsaved_members(archive) == ["notes.txt"]
    with pytest.raises(FileExistsError, match="also 'notes.txt'.*the whole archive"):
        persistence.save_archive(reg, archive)
    assert zipfile.ZipFile(archive).read("notes.txt") == b"results of run 1"


def test_altered_network_file_is_refused(saved_regressor):
    weights = saved_regressor / "model.keras"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="SHA-256"):
        sktcn.load(saved_regressor)


def _damage(path, offset):
    data = bytearray(path.read_bytes())
    data[offset:offset + 8] = bytes(range(1, 9))
    path.write_bytes(bytes(data))


def test_a_damaged_archive_is_refused_naming_it(regressor, tmp_path):
    import zipfile

    archive = persistence.save_archive(regressor[0], tmp_path / "reg.zip")
    with zipfile.ZipFile(archive) as zipped:
        manifest = zipped.getinfo("manifest.json")
        start = zipped.start_dir
    # Bytes damaged in the compressed manifest (a bad checksum or deflate stream)
    # and in the archive's directory: ModelFileError, as for any altered file.
    for offset in (manifest.header_offset + 30 + len("manifest.json") + manifest.compress_size // 2, start):
        damaged = tmp_path / "damaged.zip"
        damaged.write_bytes(archive.read_bytes())
        _damage(damaged, offset)
        with pytest.raises(ModelFileError, match=f"{damaged} is damaged"):
            sktcn.load(damaged)
    # Cut short, as a download that stopped: its end record is gone, and zipfile.is_zipfile says no zip.
    damaged.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(ModelFileError, match=f"{damaged} is damaged"):
        sktcn.load(damaged)
    # A network file altered inside an archive whose checksums hold: the message
    # names the archive and its member, not the temporary folder it was read from.
    with zipfile.ZipFile(archive) as zipped, zipfile.ZipFile(tmp_path / "altered.zip", "w") as out:
        for info in zipped.infolist():
            data = zipped.read(info)
            out.writestr(info, data[:-100] + bytes(100) if info.filename == "model.keras" else data)
    with pytest.raises(ModelFileError, match="altered.zip: model.keras does not match the SHA-256") as error:
        sktcn.load(tmp_path / "altered.zip")
    assert "sktcn-load" not in str(error.value)


def _edit_manifest(directory, edit):
    manifest = json.loads((directory / "manifest.json").read_text())
    edit(manifest)
    (directory / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda m: m.update(format_version=2), "format 2"),
        (lambda m: m["versions"].update(keras="2.15.0"), "Keras 2.15.0"),
        (lambda m: m.update(estimator="Pipeline"), "class 'Pipeline'"),
        (lambda m: m["state"].update(_predict_function=1), "never saves"),
        (lambda m: m["state"].update(_n_channels=3), "do not belong together"),
        (lambda m: m["files"].update({"../model.keras": "0" * 64}), "expected"),
        (lambda m: m["params"].update(nb_filters={"__array__": [1], "shape": [1], "dtype": "V8"}), "dtype 'V8'"),
        (lambda m: m.pop("state"), "lacks 'state'"),
        (lambda m: m["params"].update(model_=1), "parameters it does not have: \\['model_'\\]"),
        (lambda m: m["state"].update(_seed_states=to_json(np.zeros((3, 2), np.int64), "")), "do not fit the network"),
    ],
)
def test_altered_manifest_is_refused(saved_regressor, edit, message):
    _edit_manifest(saved_regressor, edit)
    with pytest.raises(ModelFileError, match=message):
        sktcn.load(saved_regressor)


def test_not_a_model_is_refused(tmp_path):
    with pytest.raises(ModelFileError, match="no manifest.json"):
        sktcn.load(tmp_path)
    # A mistyped path said "holds no manifest.json: it is not a model", as if something were there.
    with pytest.raises(ModelFileError, match=r"typo does not exist \(nor does typo.zip beside it\): give the "
                                             r"directory that an estimator's save\(\) wrote"):
        sktcn.load(tmp_path / "typo")
    with pytest.raises(ModelFileError, match="does not exist"):
        sktcn.load(tmp_path / ("x" * 300))  # a name too long to exist
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="not valid JSON"):
        sktcn.load(tmp_path)


def test_code_in_a_network_file_is_not_executed(saved_regressor, tmp_path):
    # An attacker's model whose Lambda layer writes a file when Keras rebuilds it,
    # with the digest recomputed so that only safe mode stands in the way.
    marker = tmp_path / "code-ran"
    inputs = keras.Input((None, 1))
    # Built from source so the path is a constant of the function's code, as in a real attack.
    payload = eval(f"lambda x: (open({str(marker)!r}, 'w').close(), x)[1]")
    outputs = keras.layers.Lambda(payload)(inputs)
    evil = tmp_path / "evil.keras"
    keras.Model(inputs, outputs).save(evil)
    marker.unlink()  # building the model above ran the function once
    shutil.copy(evil, saved_regressor / "model.keras")
    _edit_manifest(saved_regressor, lambda m: m["files"].update({"model.keras": _sha256(evil)}))
    # sktcn's own check refuses it before Keras reads it ...
    with pytest.raises(ModelFileError, match="keras.layers.Lambda, which sktcn never writes"):
        sktcn.load(saved_regressor)
    assert not marker.exists()
    # ... and without that check, Keras' safe mode still would: two layers of defence.
    import sktcn.persistence as persistence

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(persistence, "check_keras_file", lambda path: None)
        with pytest.raises(ModelFileError, match="safe_mode"):
            sktcn.load(saved_regressor)
    assert not marker.exists()
    # The control: without safe mode, loading this file does run its code.
    keras.saving.load_model(evil, safe_mode=False)
    assert marker.exists()


def _as_before_per_output_classes(clf):
    """``clf`` as sktcn before per-output ``classes_`` left a multi-output classifier: one array for all outputs."""
    encoder = clf.target_encoder_
    encoder.classes_ = encoder.network_classes
    vars(clf).update(encoder.get_metadata())
    return clf


def test_multi_output_classifiers_of_earlier_versions_give_a_probability_array_per_output(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 8))
    y = np.column_stack([rng.randint(0, 2, 30), rng.randint(0, 3, 30)])
    clf = TCNClassifier(**TINY, random_state=0).fit(X, y)
    raw = clf._predict_raw(X).astype(np.float64)  # (30, 2 outputs, 3 classes)
    path = clf.save(tmp_path / "model")
    union = to_json(np.array([0, 1, 2]), "classes_")
    _edit_manifest(path, lambda m: m["target_encoder"].update(classes_=union))
    old = _as_before_per_output_classes(clf)
    for loaded in (sktcn.load(path), pickle.loads(pickle.dumps(old))):
        # As before: each output over all the classes, as declared classes give.
        assert [c.tolist() for c in loaded.classes_] == [[0, 1, 2]] * 2 and loaded.n_classes_ == [3, 3]
        proba = loaded.predict_proba(X)
        assert isinstance(proba, list) and len(proba) == 2
        for k in range(2):
            np.testing.assert_allclose(proba[k], raw[:, k] / raw[:, k].sum(-1, keepdims=True), rtol=1e-6)
        np.testing.assert_array_equal(loaded.predict(X), raw.argmax(-1))
        loaded.partial_fit(X, y)  # and trains on


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")
def test_classifiers_fit_on_a_column_vector_by_earlier_versions_must_be_fit_again(monkeypatch):
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(30, 8)), rng.randint(0, 2, (30, 1))
    with monkeypatch.context() as patch:  # earlier versions kept a column-vector y as one output column
        patch.setattr(TCNClassifier, "_as_target_array", lambda self, y: np.asarray(y))
        clf = TCNClassifier(**TINY, random_state=0).fit(X, y)
    loaded = pickle.loads(pickle.dumps(_as_before_per_output_classes(clf)))
    assert loaded._output_shape == (1,)
    assert loaded.predict(X).shape == (30, 1) and [p.shape for p in loaded.predict_proba(X)] == [(30, 2)]
    for targets in (y, y.ravel()):
        with pytest.raises(ValueError, match="saved from a column-vector y .* by an earlier version.*Fit it again"):
            loaded.partial_fit(X, targets)
    loaded.set_params(warm_start=False).fit(X, y.ravel())  # fit again: a network of today
    loaded.partial_fit(X, y.ravel())


def test_a_zip_whose_directory_is_damaged_is_not_taken_for_a_model_archive(tmp_path):
    # zipfile.is_zipfile reads only the end record before Python 3.14; the directory itself was read unguarded.
    import zipfile

    from sktcn.persistence import _unsaved_members, save_target

    path = tmp_path / "notes.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "keep me")
    data = bytearray(path.read_bytes())
    start = data.rindex(b"PK\x01\x02")  # the directory's first entry
    data[start:start + 4] = b"XXXX"
    path.write_bytes(bytes(data))
    assert zipfile.is_zipfile(path) == (sys.version_info < (3, 14))  # 3.14 reads the directory too
    assert persistence._is_zip(path) and _unsaved_members(path) is None
    with pytest.raises(FileExistsError, match="notes.zip exists and is not an sktcn model archive"):
        save_target(tmp_path / "notes", archive=True)



def test_saving_and_pickling_raise_no_numpy_array_copy_warning(regressor, tmp_path):
    # Keras reads each weight with np.array(variable), which NumPy 2 deprecates:
    # under filterwarnings = error every save and pickle failed.
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        loaded = sktcn.load(persistence.save(regressor[0], tmp_path / "m"))
        pickle.loads(pickle.dumps(regressor[0]))
    assert loaded.n_features_in_ == regressor[0].n_features_in_
