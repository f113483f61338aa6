"""Save and load fitted sktcn estimators without pickle.

Unpickling runs whatever code the file names, so a pickle is only as safe as its
source. :func:`save` writes a directory that holds nothing executable:

``manifest.json``
    The format version, the sktcn and Keras versions that wrote it, the
    estimator's class (one of sktcn's three), its ``get_params()`` and its
    fitted state (classes, target scaling, shapes, the forecaster's data and
    residuals), all as plain JSON, and the SHA-256 digest of every other file.
``model.keras`` (``regressor_0.keras``, ``regressor_1.keras``, ... for a forecaster)
    The network (a forecaster's networks), in Keras' native format.

:func:`load` parses the manifest as JSON, accepts only the names, types and
versions it expects, checks the digests, and loads the network with Keras'
``safe_mode=True``, which refuses to deserialize Python code (``Lambda``
layers, pickled functions). Predictions after a round trip equal those before it
exactly.

What the digests do and do not do: they detect a network file that was
corrupted, swapped or edited after saving. They are not a signature: someone
who can edit the files can also rewrite the digests. What such a person cannot
do is make :func:`load` execute code. Pickling (``pickle``, ``joblib``) keeps
working for scikit-learn's own tools; use :func:`save` to share models.
"""

import hashlib
import inspect
import json
import os
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

import keras
import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

__all__ = ["save", "save_archive", "load", "FORMAT_VERSION"]

# sktime's ``load`` opens a zip file and unpickles its ``_metadata`` entry to find
# the class; TCNForecaster.save writes that layout around the model files, and
# sktcn.load ignores the entry rather than unpickling it.
_SKTIME_METADATA = "_metadata"

#: Version of the layout of the saved directory; a file with another version is refused.
FORMAT_VERSION = 1
_FORMAT_NAME = "sktcn-model"
_MANIFEST = "manifest.json"

# Fitted attributes of TCNClassifier/TCNRegressor that are not the network or the
# encoders, and the fitted attributes of each target encoder. Anything else in a
# manifest is refused, so a manifest cannot set arbitrary attributes.
_ESTIMATOR_STATE = (
    "n_features_in_",
    "n_timesteps_in_",
    "feature_names_in_",
    "dilations_",
    "receptive_field_",
    "pooling_",
    "history_",
    "epochs_",
    "_configured_learning_rate",
    "_n_channels",
    "_fit_timesteps",
    "_random_state",
    "_output_shape",
)
_ENCODER_STATE = {
    "LabelEncoder": ("classes_",),
    "StandardTargetEncoder": ("ndim_", "mean_", "scale_"),
}
# dtypes an array in a manifest may have; "O" holds JSON scalars (labels of mixed type).
_ARRAY_DTYPES = {"bool", "int32", "int64", "uint8", "float32", "float64", "O"}


class ModelFileError(ValueError):
    """A saved model that :func:`load` refuses: missing, altered, or from an incompatible version."""


def _estimator_classes():
    # Imported here: sktime (for the forecaster) is only needed when it is used.
    from sktcn.classifier import TCNClassifier
    from sktcn.forecasting import TCNForecaster
    from sktcn.regressor import TCNRegressor

    return {cls.__name__: cls for cls in (TCNClassifier, TCNRegressor, TCNForecaster)}


# ------------------------------------------------------------------ JSON values
def _to_json(value, where):
    """Encode a parameter or fitted value as JSON, keeping tuples, arrays and dict keys exact."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, np.ndarray):
        dtype = "O" if value.dtype.kind in "OU" else value.dtype.name
        if dtype not in _ARRAY_DTYPES:
            raise TypeError(f"{where} is an array of dtype {value.dtype}, which sktcn cannot store as JSON.")
        items = value.ravel().tolist()
        if dtype == "O":
            items = [_to_json(item, f"an element of {where}") for item in items]
        # Unicode labels come back as object arrays of str; remember the dtype to restore it.
        return {"__array__": items, "shape": list(value.shape), "dtype": value.dtype.str if value.dtype.kind == "U" else dtype}
    if isinstance(value, tuple):
        return {"__tuple__": [_to_json(v, where) for v in value]}
    if isinstance(value, list):
        return [_to_json(v, where) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[_to_json(k, f"a key of {where}"), _to_json(v, where)] for k, v in value.items()]}
    raise TypeError(
        f"{where} holds a {type(value).__name__} object, which sktcn.save cannot store as JSON "
        "(only numbers, strings, booleans, None, lists, tuples, dicts and arrays of those). "
        "Set it to a plain value before saving, or use pickle/joblib for this estimator."
    )


def _from_json(value):
    """Inverse of :func:`_to_json`; only builds plain data."""
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"__tuple__"}:
        return tuple(_from_json(v) for v in value["__tuple__"])
    if set(value) == {"__dict__"}:
        return {_hashable(_from_json(k)): _from_json(v) for k, v in value["__dict__"]}
    if set(value) == {"__array__", "shape", "dtype"}:
        dtype = value["dtype"]
        if not (dtype in _ARRAY_DTYPES or (isinstance(dtype, str) and dtype.startswith("<U") and dtype[2:].isdigit())):
            raise ModelFileError(f"the manifest holds an array of dtype {dtype!r}, which sktcn never writes.")
        items = [_from_json(v) for v in value["__array__"]]
        if dtype == "O":
            array = np.empty(len(items), dtype=object)
            array[:] = items
        else:
            array = np.asarray(items, dtype=dtype)
        return array.reshape(value["shape"])
    raise ModelFileError(f"the manifest holds an object with keys {sorted(value)}, which sktcn never writes.")


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key


# ------------------------------------------------------------ pandas indexes
def _index_to_json(index):
    """A pandas index as JSON: values plus what restores its type and frequency."""
    if isinstance(index, pd.MultiIndex):
        return {
            "kind": "multi",
            "names": list(index.names),
            "levels": [_index_to_json(index.get_level_values(i)) for i in range(index.nlevels)],
            # The values of a level lose its frequency, and sktime reads the cutoff's
            # frequency from the time level of a panel or hierarchy.
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
            "tz": None if index.tz is None else str(index.tz),
            "unit": index.unit,
        }
    if isinstance(index, pd.RangeIndex):
        return {"kind": "range", "name": name, "start": index.start, "stop": index.stop, "step": index.step}
    values = index.tolist()
    return {"kind": "values", "name": name, "values": _to_json(values, "the index of the stored data"), "dtype": str(index.dtype)}


def _index_from_json(spec):
    kind = spec["kind"]
    if kind == "multi":
        levels = [_index_from_json(level) for level in spec["levels"]]
        index = pd.MultiIndex.from_arrays(levels, names=spec["names"])
        for number, freq in enumerate(spec.get("level_freqs") or []):  # absent in older files
            if freq is not None:
                level = index.levels[number].copy()
                level.freq = freq
                index = index.set_levels(level, level=number, verify_integrity=False)
        return index
    if kind == "period":
        return pd.PeriodIndex(spec["values"], freq=spec["freq"], name=spec["name"])
    if kind == "datetime":
        index = pd.DatetimeIndex(spec["values"], name=spec["name"]).as_unit(spec["unit"])
        if spec["freq"] is not None:
            index.freq = spec["freq"]
        return index
    if kind == "range":
        return pd.RangeIndex(spec["start"], spec["stop"], spec["step"], name=spec["name"])
    if kind == "values":
        values = _from_json(spec["values"])
        dtype = spec["dtype"] if spec["dtype"] in {"int64", "float64", "object", "str"} else None
        return pd.Index(values, dtype=dtype, name=spec["name"])
    raise ModelFileError(f"the manifest holds an index of kind {kind!r}, which sktcn never writes.")


def _frame_to_json(frame):
    if frame is None:
        return None
    return {
        "index": _index_to_json(frame.index),
        "columns": _index_to_json(frame.columns),
        "values": frame.to_numpy(np.float64).tolist(),
    }


def _frame_from_json(spec):
    if spec is None:
        return None
    values = np.asarray(spec["values"], dtype=np.float64)
    return pd.DataFrame(values, index=_index_from_json(spec["index"]), columns=_index_from_json(spec["columns"]))


# ----------------------------------------------------------- estimator state
def _dump_estimator(estimator, directory, keras_file):
    """The JSON description of a fitted classifier or regressor; writes its network."""
    check_is_fitted(estimator, "model_")
    encoder = estimator.target_encoder_
    state = {name: _to_json(getattr(estimator, name), name) for name in _ESTIMATOR_STATE if hasattr(estimator, name)}
    state["history_"] = _to_json(dict(estimator.history_), "history_")
    estimator.model_.save(directory / keras_file)
    return {
        "estimator": type(estimator).__name__,
        "params": _params_to_json(estimator),
        "state": state,
        "target_encoder": {
            name: _to_json(getattr(encoder, name), f"target_encoder_.{name}")
            for name in _ENCODER_STATE[type(encoder).__name__]
        },
        "model_file": keras_file,
    }


def _params_to_json(estimator):
    return {name: _to_json(value, f"parameter {name!r}") for name, value in estimator.get_params(deep=False).items()}


def _load_estimator(description, directory, allowed_classes):
    """Rebuild a fitted classifier or regressor from its JSON description."""
    cls = _class_of(description, allowed_classes)
    estimator = _construct(cls, description)
    state = _expect(description, "state", dict)
    unknown = set(state) - set(_ESTIMATOR_STATE)
    if unknown:
        raise ModelFileError(f"the manifest sets attributes {sorted(unknown)}, which sktcn never saves.")
    for name, value in state.items():
        setattr(estimator, name, _from_json(value))
    if "pooling_" not in state:  # written before sktcn had ``pooling``; _construct set it
        estimator.pooling_ = estimator._resolve_pooling()
    estimator.history_ = defaultdict(list, estimator.history_)

    encoder = estimator.target_encoder  # a fresh encoder of the estimator's own kind
    encoder_state = _expect(description, "target_encoder", dict)
    if set(encoder_state) != set(_ENCODER_STATE[type(encoder).__name__]):
        raise ModelFileError(f"the manifest's target encoder state {sorted(encoder_state)} does not fit {cls.__name__}.")
    for name, value in encoder_state.items():
        setattr(encoder, name, _from_json(value))
    estimator.target_encoder_ = encoder
    vars(estimator).update(encoder.get_metadata())
    estimator.feature_encoder_ = estimator.feature_encoder.fit(
        np.zeros((1, estimator._fit_timesteps, estimator._n_channels), np.float32)
    )

    model_file = _expect(description, "model_file", str)
    estimator.model_ = _load_keras(directory / model_file)
    if estimator.model_.input_shape[-1] != estimator._n_channels:
        raise ModelFileError(
            f"the network expects {estimator.model_.input_shape[-1]} features per step but the manifest "
            f"says {estimator._n_channels}: the files do not belong together."
        )
    estimator._initialize_callbacks()
    estimator._make_predict_function()
    return estimator


def _load_keras(path):
    from sktcn._network import SkTCN, WeightNormConv1D

    try:
        # safe_mode refuses Lambda layers and anything else that would unpickle Python code.
        return keras.saving.load_model(
            path,
            custom_objects={"SkTCN": SkTCN, "WeightNormConv1D": WeightNormConv1D},
            compile=True,
            safe_mode=True,
        )
    except Exception as error:
        raise ModelFileError(f"Keras refused the network file {path.name}: {error}") from error


def _dump_forecaster(forecaster, directory):
    if not forecaster.is_fitted:
        # scikit-learn's exception, as for the other estimators (sktime has its own class).
        raise NotFittedError("This TCNForecaster is not fitted yet; call fit before saving it.")
    if forecaster._is_vectorized:
        raise TypeError("sktcn.save cannot store a TCNForecaster that sktime vectorized over series or columns.")
    store = forecaster._converter_store_y or {}
    fh = forecaster._fh
    return {
        "estimator": type(forecaster).__name__,
        "params": _params_to_json(forecaster),
        "state": {
            "window_length_": forecaster.window_length_,
            "horizon_": forecaster.horizon_,
            "residual_quantile_source_": _to_json(forecaster.residual_quantile_source_, "residual_quantile_source_"),
            # scaling="series": the statistics the network was trained with, in the series' order.
            "series_scale_": None if forecaster.series_scale_ is None else [
                [_to_json(mean, "series_scale_"), _to_json(scale, "series_scale_")]
                for _, mean, scale in forecaster.series_scale_
            ],
            # The data sktime remembers: forecasts start from its end.
            "y": _frame_to_json(forecaster._y),
            "X": _frame_to_json(forecaster._X),
            "y_mtype": forecaster._y_mtype_last_seen,
            "y_name": _to_json(store.get("name"), "the name of y"),
            "fh": {"values": _index_to_json(fh.to_pandas()), "is_relative": fh.is_relative, "freq": fh.freq},
        },
        "regressors": [
            _dump_estimator(regressor, directory, f"regressor_{number}.keras")
            for number, regressor in enumerate(forecaster.regressors_)
        ],
    }


def _load_forecaster(description, directory, allowed_classes):
    from sktime.forecasting.base import ForecastingHorizon

    from sktcn.forecasting import restoring

    cls = _class_of(description, allowed_classes)
    forecaster = _construct(cls, description)
    state = _expect(description, "state", dict)
    if "regressors" in description:
        regressors = [_load_estimator(part, directory, {"TCNRegressor"}) for part in _expect(description, "regressors", list)]
    else:  # written before TCNForecaster averaged several networks
        regressors = [_load_estimator(_expect(description, "regressor", dict), directory, {"TCNRegressor"})]
    if len(regressors) != forecaster.n_networks:
        raise ModelFileError(
            f"the manifest holds {len(regressors)} networks but n_networks={forecaster.n_networks}: it was altered."
        )
    residuals = np.asarray(_from_json(state["residual_quantile_source_"]), dtype=np.float64)
    y = _frame_from_json(state["y"])
    X = _frame_from_json(state["X"])
    if state["y_mtype"] == "pd.Series":
        y = y.iloc[:, 0].rename(state["y_name"])
    else:
        y = _as_mtype(y, state["y_mtype"])
    fh_spec = state["fh"]
    fh = ForecastingHorizon(_index_from_json(fh_spec["values"]), is_relative=fh_spec["is_relative"], freq=fh_spec["freq"])
    # sktime's own fit rebuilds its bookkeeping (cutoff, stored data, horizon);
    # the restored network and residuals stand in for training.
    stored_scale = state.get("series_scale_")
    if stored_scale is not None:
        stored_scale = [tuple(np.asarray(_from_json(v), dtype=np.float64) for v in pair) for pair in stored_scale]
    with restoring(regressors, residuals, stored_scale):
        forecaster.fit(y, X=X, fh=fh)
    if (forecaster.window_length_, forecaster.horizon_) != (state["window_length_"], state["horizon_"]):
        raise ModelFileError("the stored data and the network's window do not match: the manifest was altered.")
    return forecaster


def _as_mtype(y, mtype):
    """``y`` in the container the forecaster was fit with (its forecasts come back in it).

    The file stores sktime's inner pandas form; sktime converts forecasts back to
    the type ``y`` last had (a nested DataFrame, a 3D array, ...), so the loaded
    forecaster must see that type too.
    """
    from sktime.datatypes import MTYPE_LIST_HIERARCHICAL, MTYPE_LIST_PANEL, MTYPE_LIST_SERIES, convert_to

    if mtype in ("pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"):
        return y
    if mtype not in set(MTYPE_LIST_SERIES) | set(MTYPE_LIST_PANEL) | set(MTYPE_LIST_HIERARCHICAL):
        raise ModelFileError(f"the manifest names the data type {mtype!r}, which sktime does not know.")
    return convert_to(y, to_type=mtype)


# --------------------------------------------------------------- manifest
def _class_of(description, allowed):
    name = _expect(description, "estimator", str)
    if name not in allowed:
        raise ModelFileError(f"the manifest names the class {name!r}; sktcn loads only {sorted(allowed)}.")
    return _estimator_classes()[name]


def _construct(cls, description):
    params = {name: _from_json(value) for name, value in _expect(description, "params", dict).items()}
    if "pooling" in inspect.signature(cls.__init__).parameters and "pooling" not in params:
        # Written before sktcn had ``pooling``: the network reads the last step
        # (now "auto" for TCNRegressor, but not for TCNClassifier).
        params["pooling"] = "auto" if params.get("return_sequences") else "last"
    if "n_networks" in inspect.signature(cls.__init__).parameters and "n_networks" not in params:
        params["n_networks"] = 1  # written before TCNForecaster averaged several networks
    # Besides its own parameters an estimator accepts only scikeras' routed ones
    # (``optimizer__momentum``); anything else would become an arbitrary attribute.
    own = set(inspect.signature(cls.__init__).parameters) - {"self", "kwargs"}
    unknown = sorted(name for name in params if name not in own and "__" not in name)
    if unknown:
        raise ModelFileError(f"the manifest gives {cls.__name__} parameters it does not have: {unknown}.")
    try:
        return cls(**params)
    except TypeError as error:
        raise ModelFileError(f"the manifest's parameters do not fit {cls.__name__}: {error}") from error


def _expect(mapping, key, kind):
    if not isinstance(mapping, dict) or key not in mapping or not isinstance(mapping[key], kind):
        raise ModelFileError(f"the manifest lacks {key!r} (a {kind.__name__}): it is damaged or not an sktcn manifest.")
    return mapping[key]


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _versions():
    import sktcn

    return {"sktcn": sktcn.__version__, "keras": keras.__version__}


def save(estimator, path):
    """Save a fitted sktcn estimator to the directory ``path``, without pickle.

    The directory receives ``manifest.json`` (parameters and fitted state as
    JSON, versions, SHA-256 digests) and the network in Keras' ``.keras``
    format. An existing sktcn model directory at ``path`` is replaced; any other
    existing file or non-empty directory is left alone and an error raised.

    Parameters
    ----------
    estimator : TCNClassifier, TCNRegressor or TCNForecaster
        A fitted estimator. Its parameters must be plain values (numbers,
        strings, lists, tuples, dicts, None): callbacks or optimizer objects
        cannot be saved this way (use pickle or joblib for those).
    path : str or os.PathLike
        Directory to write.

    Returns
    -------
    pathlib.Path
        The directory written.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.
    TypeError
        If the estimator is not an sktcn estimator, or a parameter is not a
        plain value.

    See Also
    --------
    load : the inverse.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> import sktcn
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(32, 8)), rng.normal(size=32)
    >>> reg = sktcn.TCNRegressor(nb_filters=4, epochs=1, random_state=0).fit(X, y)
    >>> folder = os.path.join(tempfile.mkdtemp(), "my-model")
    >>> path = reg.save(folder)
    >>> sorted(os.listdir(path))
    ['manifest.json', 'model.keras']
    >>> again = sktcn.load(path)
    >>> bool(np.array_equal(again.predict(X), reg.predict(X)))
    True
    """
    classes = _estimator_classes()
    if type(estimator).__name__ not in classes or not isinstance(estimator, classes[type(estimator).__name__]):
        raise TypeError(f"sktcn.save stores TCNClassifier, TCNRegressor and TCNForecaster, not {type(estimator).__name__}.")
    path = Path(path)
    if path.exists() and not (path.is_dir() and (not any(path.iterdir()) or (path / _MANIFEST).is_file())):
        raise FileExistsError(
            f"{path} exists and is not an sktcn model directory; choose a new path or remove it first."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written next to the target and moved into place at the end, so a failed
    # save never leaves half a model (or destroys the previous one) at ``path``.
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
    try:
        if type(estimator).__name__ == "TCNForecaster":
            description = _dump_forecaster(estimator, staging)
        else:
            description = _dump_estimator(estimator, staging, "model.keras")
        files = sorted(p.name for p in staging.iterdir())
        manifest = {
            "format": _FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "versions": _versions(),
            **description,
            "files": {name: _sha256(staging / name) for name in files},
        }
        (staging / _MANIFEST).write_text(json.dumps(manifest, indent=1, allow_nan=False))
        if path.exists():
            shutil.rmtree(path)
        os.replace(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return path


def save_archive(estimator, path):
    """Save a fitted estimator as one zip file, the layout sktime's ``load`` reads.

    The archive holds the files :func:`save` writes, plus sktime's ``_metadata``
    entry (the pickled class, a reference to sktcn's class and nothing else), so
    that both ``sktime.base.load(path)`` and :func:`load` read it. As sktime does,
    ``"name"`` becomes ``"name.zip"``.

    Parameters
    ----------
    estimator : TCNClassifier, TCNRegressor or TCNForecaster
        A fitted estimator.
    path : str or os.PathLike
        The file to write; ``.zip`` is appended unless the name ends with it.

    Returns
    -------
    pathlib.Path
        The zip file written.
    """
    import pickle
    import zipfile

    path = Path(path)
    target = path if path.suffix == ".zip" else path.with_name(path.name + ".zip")
    if target.exists() and not (target.is_file() and _is_model_archive(target)):
        raise FileExistsError(f"{target} exists and is not an sktcn model archive; choose a new path or remove it first.")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Built beside the target and moved into place, so a failed save leaves nothing
    # behind and never destroys the previous archive.
    with tempfile.TemporaryDirectory(prefix=f".{target.name}-", dir=target.parent) as staging:
        directory = save(estimator, Path(staging) / "model")
        archive = Path(staging) / "model.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
            out.writestr(_SKTIME_METADATA, pickle.dumps(type(estimator)))
            for file in sorted(directory.iterdir()):
                out.write(file, file.name)
        os.replace(archive, target)
    return target


def _is_model_archive(path):
    import zipfile

    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return _MANIFEST in archive.namelist()


def _archive_path(path):
    """The zip file ``path`` names (``name`` may stand for ``name.zip``, as in sktime), or None."""
    if path.is_file():
        return path
    if not path.exists() and path.with_name(path.name + ".zip").is_file():
        return path.with_name(path.name + ".zip")
    return None


def _extract_archive(archive, directory):
    """Copy the model files out of ``archive``: flat names only, ``_metadata`` skipped."""
    import zipfile

    if not zipfile.is_zipfile(archive):
        raise ModelFileError(
            f"{archive} is a file but not a zip archive: sktcn.load reads the directory sktcn.save() writes "
            "or the zip file TCNForecaster.save() writes."
        )
    with zipfile.ZipFile(archive) as zipped:
        for name in zipped.namelist():
            if name == _SKTIME_METADATA:
                continue  # never unpickled here: the manifest names the class
            if name != Path(name).name or name.startswith(".") or not (name == _MANIFEST or name.endswith(".keras")):
                raise ModelFileError(f"{archive} holds {name!r}, which sktcn does not write. Refusing to load it.")
            (directory / name).write_bytes(zipped.read(name))


def _read_manifest(path):
    manifest_path = path / _MANIFEST
    if not manifest_path.is_file():
        raise ModelFileError(f"{path} holds no {_MANIFEST}: it is not a model saved by sktcn.save().")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"{manifest_path} is not valid JSON ({error}).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT_NAME:
        raise ModelFileError(f"{manifest_path} is not an sktcn manifest.")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(
            f"{path} was saved in sktcn model format {version!r} (by sktcn "
            f"{manifest.get('versions', {}).get('sktcn', '?')}); this sktcn reads format {FORMAT_VERSION}. "
            "Load it with the sktcn version that saved it."
        )
    saved_keras = str(_expect(manifest, "versions", dict).get("keras", ""))
    if saved_keras.split(".")[0] != keras.__version__.split(".")[0]:
        raise ModelFileError(
            f"{path} holds a network saved by Keras {saved_keras}; this Keras is {keras.__version__} "
            "and reads Keras 3 files only."
        )
    return manifest


def _check_files(path, manifest):
    files = _expect(manifest, "files", dict)
    if manifest.get("estimator") != "TCNForecaster":
        expected = {"model.keras"}
    elif "regressors" in manifest:
        expected = {f"regressor_{number}.keras" for number in range(len(_expect(manifest, "regressors", list)))}
    else:  # written before TCNForecaster averaged several networks
        expected = {"regressor.keras"}
    if set(files) != expected:
        raise ModelFileError(f"the manifest lists files {sorted(files)}; expected {sorted(expected)}.")
    for name, digest in files.items():
        file = path / name
        if not file.is_file():
            raise ModelFileError(f"{file} is missing.")
        if _sha256(file) != digest:
            raise ModelFileError(
                f"{file} does not match the SHA-256 digest recorded when it was saved: it was altered or "
                "corrupted after saving. Refusing to load it."
            )


def load(path):
    """Load an estimator saved by :func:`save`, without executing code from the files.

    Parameters
    ----------
    path : str or os.PathLike
        Directory written by :func:`save` or an estimator's ``save`` method, or
        the zip file written by ``TCNForecaster.save`` (``"name"`` finds
        ``"name.zip"``, as in sktime).

    Returns
    -------
    TCNClassifier, TCNRegressor or TCNForecaster
        The fitted estimator; its predictions equal those of the saved one.

    Raises
    ------
    ModelFileError
        (a ``ValueError``) If the directory is not an sktcn model, its format
        version or Keras major version differs, a file's digest does not match,
        the manifest holds anything sktcn does not write, or Keras' safe mode
        refuses the network.

    Examples
    --------
    >>> import sktcn
    >>> sktcn.load("no/such/folder")
    Traceback (most recent call last):
    ...
    sktcn.persistence.ModelFileError: no/such/folder holds no manifest.json: it is not a model saved by sktcn.save().
    """
    path = Path(path)
    archive = _archive_path(path)
    if archive is not None:
        with tempfile.TemporaryDirectory(prefix="sktcn-load-") as directory:
            _extract_archive(archive, Path(directory))
            # Keras reads each network fully into memory, so the files can go afterwards.
            return load(directory)
    manifest = _read_manifest(path)
    _check_files(path, manifest)
    classes = set(_estimator_classes())
    try:
        if manifest.get("estimator") == "TCNForecaster":
            return _load_forecaster(manifest, path, classes)
        return _load_estimator(manifest, path, classes - {"TCNForecaster"})
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        raise ModelFileError(f"{path}: the manifest does not describe a valid fitted estimator ({error!r}).") from error

