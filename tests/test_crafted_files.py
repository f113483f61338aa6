"""Crafted model files, as an attacker would send them, with digests recomputed.

Each is refused by sktcn's own checks (for the config cases, before Keras'
loader is even called), and the "payload" (writing a marker file in a
temporary directory) never runs. Nothing here reaches the network.
"""

import base64
import io
import json
import marshal
import shutil
import tracemalloc
import warnings
import zipfile

import h5py
import keras
import numpy as np
import pytest
from conftest import TINY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sktcn
from sktcn import TCNRegressor
from sktcn.persistence import ModelFileError, _sha256


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    X = np.random.RandomState(0).normal(size=(24, 8, 2)).astype(np.float32)
    reg = TCNRegressor(**TINY, random_state=0).fit(X, X[:, 0, 0])
    return reg.save(tmp_path_factory.mktemp("saved") / "reg"), X


@pytest.fixture
def model_dir(saved, tmp_path):
    return shutil.copytree(saved[0], tmp_path / "copy")


@pytest.fixture
def keras_not_called(monkeypatch):
    calls = []
    monkeypatch.setattr(keras.saving, "load_model", lambda *a, **k: calls.append(a))
    yield calls
    assert not calls, "Keras' loader was called on a file sktcn's own check should refuse"


def _rewrite_keras(directory, config_edit=None, members=None):
    """Rebuild model.keras with an edited config (and/or members replaced), and fix the manifest's digest."""
    path = directory / "model.keras"
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    if config_edit is not None:
        config = json.loads(contents["config.json"])
        config_edit(config)
        contents["config.json"] = json.dumps(config).encode()
    contents.update(members or {})
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    _redigest(directory)


def _redigest(directory):
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["files"] = {name: _sha256(directory / name) for name in manifest["files"]}
    (directory / "manifest.json").write_text(json.dumps(manifest))


def _layer(config, class_name):
    return next(layer for layer in config["config"]["layers"] if layer["class_name"] == class_name)


def _marker_payload(marker):
    # Stand-in for an attacker's code: it would write the marker file.
    return f"lambda x: (open({str(marker)!r}, 'w').close(), x)[1]"


# ----------------------------------------------------------------- config cases
def test_lambda_gadget_naming_load_model_is_refused(model_dir, keras_not_called):
    def edit(config):
        dense = _layer(config, "Dense")
        dense.update(module="keras.layers", class_name="Lambda")
        dense["config"] = {"name": "head", "function": {
            "module": "keras.models", "class_name": "function", "config": "load_model", "registered_name": "function"}}
    _rewrite_keras(model_dir, edit)
    with pytest.raises(ModelFileError, match=r"keras.layers.Lambda, which sktcn never writes"):
        sktcn.load(model_dir)


def test_layer_naming_a_non_keras_callable_is_refused(model_dir, keras_not_called):
    def edit(config):
        _layer(config, "Dense").update(module="os", class_name="system")
    _rewrite_keras(model_dir, edit)
    with pytest.raises(ModelFileError, match=r"os.system, which sktcn never writes"):
        sktcn.load(model_dir)


def _with_marshalled_lambda(model_dir, marker):
    """Make the saved network's head a Lambda whose marshalled bytecode would write ``marker``."""
    code = base64.b64encode(marshal.dumps(eval(_marker_payload(marker)).__code__)).decode()

    def edit(config):
        dense = _layer(config, "Dense")
        dense.update(module="keras.layers", class_name="Lambda")
        dense["config"] = {"name": "head", "function": {"class_name": "__lambda__", "config": {
            "code": code, "defaults": None, "closure": None}}}
    _rewrite_keras(model_dir, edit)


def test_lambda_with_marshalled_bytecode_is_refused(model_dir, keras_not_called, tmp_path):
    _with_marshalled_lambda(model_dir, tmp_path / "ran")
    with pytest.raises(ModelFileError, match="Lambda, which sktcn never writes"):
        sktcn.load(model_dir)
    assert not (tmp_path / "ran").exists()


def test_keras_safe_mode_stays_on_where_the_user_enabled_unsafe_deserialization(model_dir, tmp_path, monkeypatch):
    # keras.config.enable_unsafe_deserialization() overrode load_model's safe_mode=True: with
    # a hole in sktcn's own check (stood in for here), Keras loaded the Lambda, whose code
    # would then run on the first predict.
    from keras.src.backend.common import global_state

    _with_marshalled_lambda(model_dir, tmp_path / "ran")
    monkeypatch.setattr(sktcn.persistence, "check_keras_file", lambda path: {})
    before = global_state.get_global_attribute("safe_mode_saving")
    keras.config.enable_unsafe_deserialization()
    try:
        with pytest.raises(ModelFileError, match="Keras refused the network file"):
            sktcn.load(model_dir)
        assert global_state.get_global_attribute("safe_mode_saving") is False  # the user's setting, put back
    finally:
        global_state.set_global_attribute("safe_mode_saving", before)
    assert not (tmp_path / "ran").exists()


def test_tfsm_layer_is_refused(model_dir, keras_not_called):
    def edit(config):
        dense = _layer(config, "Dense")
        dense.update(module="keras.layers", class_name="TFSMLayer")
        dense["config"] = {"name": "head", "filepath": "/tmp/saved_model", "call_endpoint": "serve"}
    _rewrite_keras(model_dir, edit)
    with pytest.raises(ModelFileError, match="TFSMLayer, which sktcn never writes"):
        sktcn.load(model_dir)


@pytest.mark.parametrize("edit, named, newer", [
    (lambda c: _layer(c, "Dense").update(module="sktcn._network", class_name="SeasonalScaling"),
     r"holds sktcn\._network\.SeasonalScaling, which this sktcn \(.+\) does not know",
     "may come from a newer sktcn (upgrade sktcn to load it), or have been altered"),
    # A layer setting may also be one a newer Keras writes for every layer.
    (lambda c: _layer(c, "SkTCN")["config"].update(stride=2),
     r"\(SkTCN\) has config keys \['stride'\], which this sktcn",
     "may come from a newer sktcn or Keras (upgrade them to load it), or have been altered"),
])
def test_sktcn_layers_and_settings_unknown_here_point_to_a_newer_sktcn(model_dir, keras_not_called, edit, named,
                                                                       newer):
    # As a file a newer sktcn would write: "which sktcn never writes" told those who had it the wrong cause.
    _rewrite_keras(model_dir, edit)
    with pytest.raises(ModelFileError, match=named) as error:
        sktcn.load(model_dir)
    assert newer in str(error.value)
    assert "never writes" not in str(error.value)


@pytest.mark.parametrize("edit, message", [
    (lambda c: _layer(c, "SkTCN")["config"].update(callback="os.system"), r"config keys \['callback'\]"),
    (lambda c: _layer(c, "Dense")["config"].update(activation="keras.models.load_model"), "plain names only"),
    (lambda c: _layer(c, "SkTCN").update(registered_name="evil>SkTCN"), "registered name 'evil>SkTCN'"),
    (lambda c: _layer(c, "Dense")["config"].update(
        kernel_initializer={"module": "keras.initializers", "class_name": "get_file", "config": {}}),
     "keras.initializers.get_file"),
])
def test_unexpected_config_entries_are_refused(model_dir, keras_not_called, edit, message):
    _rewrite_keras(model_dir, edit)
    with pytest.raises(ModelFileError, match=message):
        sktcn.load(model_dir)


def _function(name, module="builtins"):
    return {"module": module, "class_name": "function", "config": name, "registered_name": "function"}


def _set_loss(entry):
    return lambda config: config["compile_config"].update(loss=entry)


# A loss given by name is written as a "builtins.function" entry naming a function
# of keras.losses (test_persistence.py loads those); any other function entry is refused.
@pytest.mark.parametrize("edit, message", [
    (_set_loss(_function("load_model")), "function 'load_model'"),  # not a loss (keras.saving's)
    (_set_loss(_function("relu")), "function 'relu'"),  # an activation, not a loss
    (_set_loss(_function("deserialize")), "function 'deserialize'"),  # in keras.losses, but not a loss
    (_set_loss(_function("mean_absolute_error", module="os")), "os.function"),
    (_set_loss(dict(_function("mean_absolute_error"), registered_name="evil>mae")), "builtins.function"),
    (_set_loss([_function("mean_absolute_error")]), r"\['loss'\]\[0\] holds builtins.function"),
    (lambda c: _layer(c, "Dense")["config"].update(activation=_function("mean_absolute_error")),
     r"\['activation'\] holds builtins.function"),  # a loss function, but not as the loss
])
def test_function_entries_other_than_a_keras_loss_are_refused(model_dir, keras_not_called, edit, message):
    _rewrite_keras(model_dir, edit)
    with pytest.raises(ModelFileError, match=message):
        sktcn.load(model_dir)


def test_deeply_nested_config_is_refused(model_dir, keras_not_called):
    deep = "[" * 100_000 + "]" * 100_000
    _rewrite_keras(model_dir, members={"config.json": deep.encode()})
    with pytest.raises(ModelFileError, match="nested too deeply"):
        sktcn.load(model_dir)


# ------------------------------------------------------------------ file cases
def test_hdf5_file_under_a_keras_name_is_refused(model_dir, keras_not_called):
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        h5.attrs["model_config"] = json.dumps({"class_name": "Sequential"})
    (model_dir / "model.keras").write_bytes(buffer.getvalue())
    _redigest(model_dir)
    with pytest.raises(ModelFileError, match="not a Keras archive"):
        sktcn.load(model_dir)


def _zeros_entry(archive, name, n_bytes):
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as entry:
        block = bytes(2**22)
        for _ in range(n_bytes // len(block)):
            entry.write(block)


def test_zip_bomb_weights_are_refused_in_constant_memory(model_dir, keras_not_called):
    # 3 GiB of zeros as the weights, compressed to a few MB.
    path = model_dir / "model.keras"
    with zipfile.ZipFile(path) as archive:
        keep = {name: archive.read(name) for name in ("metadata.json", "config.json")}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in keep.items():
            archive.writestr(name, data)
        _zeros_entry(archive, "model.weights.h5", 3 * 2**30)
    assert path.stat().st_size < 20 * 2**20
    _redigest(model_dir)
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="declares 3221225472 bytes"):
            sktcn.load(model_dir)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20


def test_zip_bomb_in_an_archive_is_refused_while_inflating(saved, tmp_path, monkeypatch):
    # A member whose declared size is within the limit is still refused once
    # more than the limit comes out of it (here a 40 MB entry against a 16 MB limit).
    import sktcn.persistence as persistence

    monkeypatch.setattr(persistence, "MAX_NETWORK_FILE_BYTES", 16 * 2**20)
    archive_path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(saved[0] / "manifest.json", "manifest.json")
        _zeros_entry(archive, "model.keras", 40 * 2**20)
    with pytest.raises(ModelFileError, match="reads at most 16777216"):
        sktcn.load(archive_path)


@pytest.mark.parametrize("name", ["../model.keras", "/abs/model.keras", "sub/model.keras"])
def test_archive_member_paths_are_refused(saved, tmp_path, name):
    archive_path = tmp_path / "paths.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.write(saved[0] / "manifest.json", "manifest.json")
        archive.writestr(name, b"x")
    with pytest.raises(ModelFileError, match="which sktcn does not write"):
        sktcn.load(archive_path)
    assert not (tmp_path / "model.keras").exists()


def test_symbolic_links_are_refused(saved, model_dir, tmp_path):
    # In an archive: an entry marked as a link.
    archive_path = tmp_path / "link.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.write(saved[0] / "manifest.json", "manifest.json")
        info = zipfile.ZipInfo("model.keras")
        info.external_attr = (0o120777 << 16)
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(ModelFileError, match="symbolic link"):
        sktcn.load(archive_path)
    # In a directory: the network file replaced by a link to a good copy (same digest).
    shutil.copy(model_dir / "model.keras", tmp_path / "elsewhere.keras")
    (model_dir / "model.keras").unlink()
    (model_dir / "model.keras").symlink_to(tmp_path / "elsewhere.keras")
    with pytest.raises(ModelFileError, match="symbolic link"):
        sktcn.load(model_dir)


def test_keras_members_beyond_the_three_are_refused(model_dir, keras_not_called):
    _rewrite_keras(model_dir, members={"../evil.py": b"import os"})
    with pytest.raises(ModelFileError, match="sktcn writes exactly"):
        sktcn.load(model_dir)


def test_huge_and_deeply_nested_manifests_are_refused(model_dir):
    manifest = model_dir / "manifest.json"
    good = manifest.read_text()
    manifest.write_text(good[:-1] + ', "padding": "' + "x" * (100 * 2**20) + '"}')
    with pytest.raises(ModelFileError, match="more than MAX_MANIFEST_BYTES"):
        sktcn.load(model_dir)
    manifest.write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(ModelFileError, match="nested too deeply"):
        sktcn.load(model_dir)
    manifest.write_text(good.replace('"format_version": 1', '"format_version": 1, "x": NaN'))
    with pytest.raises(ModelFileError, match="never writes"):
        sktcn.load(model_dir)


@pytest.mark.parametrize("section, field, missing", [
    ("state", "pooling_", "the fitted 'pooling_'"),
    ("params", "pooling", "the parameter 'pooling'"),
])
def test_a_manifest_with_pooling_or_pooling_alone_is_refused(model_dir, section, field, missing):
    # sktcn saves both or (before pooling) neither: with one deleted, the other's stand-in
    # loaded pooling_="last" beside pooling="mean" (or the reverse).
    manifest = json.loads((model_dir / "manifest.json").read_text())
    del manifest[section][field]
    (model_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match=f"not {missing}, which sktcn always saves together"):
        sktcn.load(model_dir)


# --------------------------------------------------------------- any mutation
@settings(max_examples=16, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_mutated_byte_is_refused_or_loads_a_model_with_finite_predictions(saved, tmp_path_factory, data):
    # The manifest, the network file's bytes, or a member inside it (re-zipped, so
    # the zip's checksums hold and the mutation reaches Keras and HDF5).
    source, X = saved
    directory = shutil.copytree(source, tmp_path_factory.mktemp("mutated") / "m")
    target = data.draw(st.sampled_from(["manifest.json", "model.keras", "config.json", "model.weights.h5"]))
    if target in ("manifest.json", "model.keras"):
        raw = bytearray((directory / target).read_bytes())
    else:
        with zipfile.ZipFile(directory / "model.keras") as archive:
            raw = bytearray(archive.read(target))
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    if target in ("manifest.json", "model.keras"):
        (directory / target).write_bytes(bytes(raw))
        if target == "model.keras":
            _redigest(directory)  # an attacker recomputes the digest
    else:
        _rewrite_keras(directory, members={target: bytes(raw)})
    try:
        model = sktcn.load(directory)
    except ModelFileError:
        return
    assert np.isfinite(model.predict(X)).all()


@pytest.fixture(params=["float32", "float16"])
def floatx_regressor(request, keras_globals):
    """A regressor fit under ``keras.config.floatx()`` float32 or float16 (then set back), and its data."""
    keras_globals(request.param)
    X = np.random.RandomState(0).normal(size=(24, 8)).astype(np.float32)
    reg = TCNRegressor(**TINY, random_state=0).fit(X, X[:, -1])
    keras_globals("float32")
    return reg, X


def test_infinite_weights_are_refused_in_any_float_dtype(floatx_regressor, tmp_path):
    # float16(1e15) is inf: the check compares in float64, or an infinite float16 weight would pass.
    reg, _ = floatx_regressor
    head = reg.model_.get_layer("head")
    head.kernel.assign(np.full(head.kernel.shape, np.inf, dtype=head.kernel.dtype))
    with pytest.raises(ModelFileError, match="head/kernel holds values that are not finite"):
        sktcn.load(reg.save(tmp_path / "inf"))


def test_finite_weights_load_without_warnings(floatx_regressor, tmp_path):
    reg, X = floatx_regressor
    path = reg.save(tmp_path / "model")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = sktcn.load(path)
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
