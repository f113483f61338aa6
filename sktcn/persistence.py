"""Save and load fitted sktcn estimators without pickle.

Unpickling runs whatever code the file names, so a pickle is only as safe as its
source. :func:`save` writes a directory that holds nothing executable:

``manifest.json``
    The format version, the sktcn and Keras versions that wrote it, the
    estimator's class (one of sktcn's three), its ``get_params()`` and its
    fitted state (classes, target scaling, shapes, the dropout layers' seed
    states, the forecaster's data and residuals), all as plain JSON, and the SHA-256 digest of every other file.
``model.keras`` (``regressor_0.keras`` for a forecaster)
    The network (a forecaster's networks, which train as one regressor), in
    Keras' native format; forecasters saved before their networks trained
    together have one file per network, ``regressor_1.keras`` and on.

:func:`load` parses the manifest as JSON, accepts only the names, types and
versions it expects, checks the digests, then checks each network file itself
(:mod:`sktcn._keras_file`: only the layers and config keys sktcn's builder
writes, sizes bounded before and while reading) before Keras loads it with
``safe_mode=True``. Predictions after a round trip equal those before it
exactly.

What the digests do and do not do: they detect a network file that was
corrupted, swapped or edited after saving. They are not a signature: someone
who can edit the files can also rewrite the digests. What such a person cannot
do is make :func:`load` execute code. Pickling (``pickle``, ``joblib``) keeps
working for scikit-learn's own tools; use :func:`save` to share models.
"""

import contextlib
import errno
import hashlib
import importlib
import json
import os
import pickle
import re
import secrets
import shlex
import shutil
import stat
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path

import keras

from sktcn import _compat, _earlier_versions
from sktcn._codec import CodecError, from_json, to_json
from sktcn._distribute import built_policy, dtype_policy_scope
from sktcn._keras_file import (
    FileCheckError,
    check_keras_file,
    check_weights,
    dtype_policy_names,
    parse_json,
    read_member,
)
from sktcn._network import SkTCN, WeightNormConv1D
from sktcn._random import python_random_kept
from sktcn._version import __version__

__all__ = ["save", "save_archive", "load", "FORMAT_VERSION", "ModelFileError"]

# sktime's ``load`` opens a zip file and unpickles its ``_metadata`` entry to find
# the class; TCNForecaster.save writes that layout around the model files, and
# sktcn.load ignores the entry rather than unpickling it.
_SKTIME_METADATA = "_metadata"
# Where sktime's own save (its pickle and cloudpickle formats) writes the pickled
# object; sktcn's archives never hold it.
_SKTIME_OBJECT = "_obj"

#: Version of the layout of the saved directory; a file with another version is refused.
FORMAT_VERSION = 1
_FORMAT_NAME = "sktcn-model"
_MANIFEST = "manifest.json"

#: Largest ``manifest.json`` that :func:`load` reads, in bytes. A forecaster's
#: manifest holds its training data (about 25 bytes per value), so a series of
#: millions of points needs more: raise it for files you trust.
MAX_MANIFEST_BYTES = 64 * 2**20
#: Largest network file (``.keras``) :func:`load` takes out of an archive, in
#: bytes; within it, the weights may not exceed what the network's shapes imply.
MAX_NETWORK_FILE_BYTES = 2**30

# The classes a manifest may name, and the module of each. The estimators own
# their state (``_saved_state`` / ``_restore_saved_state``); this module knows
# only the file format, so it imports none of them: the class a manifest names
# is imported from this fixed table when a file is loaded (the forecaster's
# module needs sktime, which scikit-learn-only users never import).
_LOADABLE = {
    "TCNClassifier": "sktcn.classifier",
    "TCNRegressor": "sktcn.regressor",
    "TCNForecaster": "sktcn.forecasting",
}


class ModelFileError(ValueError):
    """A saved model that :func:`load` refuses: missing, altered, or from an incompatible version."""


# ------------------------------------------------------ helpers for estimators
def params_to_json(estimator):
    """An estimator's ``get_params(deep=False)`` as JSON."""
    return {name: to_json(value, f"parameter {name!r}") for name, value in estimator.get_params(deep=False).items()}


def expect(mapping, key, kind):
    """``mapping[key]``, which must be a ``kind``; ModelFileError otherwise."""
    if not isinstance(mapping, dict) or key not in mapping or not isinstance(mapping[key], kind):
        raise ModelFileError(f"the manifest lacks {key!r} (a {kind.__name__}): it is damaged or not an sktcn manifest.")
    return mapping[key]


def construct(description, allowed):
    """A new estimator of the class a description names, with its parameters; only classes in ``allowed``.

    Besides its own parameters an estimator accepts only scikeras' routed ones
    (``optimizer__momentum``); anything else would become an arbitrary attribute.
    """
    name = expect(description, "estimator", str)
    if name not in allowed or name not in _LOADABLE:
        raise ModelFileError(f"the manifest names the class {name!r}; sktcn loads only {sorted(allowed)}.")
    cls = getattr(importlib.import_module(_LOADABLE[name]), name)
    params = {key: from_json(value) for key, value in expect(description, "params", dict).items()}
    own = _earlier_versions.parameter_names(cls)
    unknown = sorted(key for key in params if key not in own and "__" not in key)
    if unknown:
        # Format 1 gains parameters without a new version number: a newer sktcn's file is the likely cause.
        raise ModelFileError(
            f"the manifest gives {cls.__name__} parameters it does not have: {unknown}. The model may have been "
            f"saved by a newer sktcn than this one ({__version__}): upgrade sktcn to load it."
        )
    try:
        return cls(**params)
    except TypeError as error:
        raise ModelFileError(f"the manifest's parameters do not fit {cls.__name__}: {error}") from error


class NetworkFiles:
    """The Keras files of one saved model: written by name into its directory, read back in safe mode."""

    def __init__(self, directory):
        self.directory = Path(directory)

    def write(self, model, name):
        _compat.build_optimizer(model)  # a built optimizer loads without Keras' warning (sktcn._compat)
        with _compat.keras_array_copy_warning_ignored(), _keras_temporary_folders_removed_on_failure():
            model.save(self.directory / name)  # Keras reads each weight with np.array: its warning is ignored
        return name

    def read(self, name):
        path = self.directory / name
        try:
            # sktcn's own check first, so that a hole in Keras' safe mode is not enough.
            config = check_keras_file(path)
        except FileCheckError as error:
            raise ModelFileError(f"{path.name} refused: {error}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
            raise ModelFileError(f"{path.name} is not a readable Keras archive: {error}") from None
        try:
            # safe_mode refuses Lambda layers and anything else that would unpickle Python code.
            # Keras draws the rebuilt layers' seeds from Python's random: kept where the user had it.
            # The model is rebuilt under the policy it was built under, not the loading thread's.
            with (
                python_random_kept(),
                dtype_policy_scope(built_policy(dtype_policy_names(config))),
                _compat.keras_safe_mode(),  # also where the user enabled unsafe deserialization
            ):
                model = keras.saving.load_model(
                    path, custom_objects={"SkTCN": SkTCN, "WeightNormConv1D": WeightNormConv1D}, compile=True,
                    safe_mode=True,
                )
        except Exception as error:
            raise ModelFileError(f"Keras refused the network file {path.name}: {error}") from error
        try:
            check_weights(model)
        except FileCheckError as error:
            raise ModelFileError(f"{path.name} refused: {error}") from None
        return model


@contextlib.contextmanager
def _keras_temporary_folders_removed_on_failure():
    """Remove the temporary folders that a Keras save which fails in the block leaves behind.

    Keras writes a model's assets into a folder of ``tempfile.mkdtemp()`` and
    removes it in a ``finally`` block, but only after closing the weights'
    store: when that fails (a full disk, a quota, a file-size limit), the
    folder stays in TMPDIR, one per failed save. The store that owns it is
    still among the failed call's local variables; only such folders, made by
    this call, are removed (scanning TMPDIR could take another process's).
    """
    # Keras cuts its own frames out of the traceback, and with them the stores;
    # the setting is this thread's (Keras' global state is thread-local).
    filtering = keras.config.is_traceback_filtering_enabled()
    keras.config.disable_traceback_filtering()
    try:
        yield
    except BaseException as error:
        # Also the errors it raised while handling this one: closing the file fails last
        # when the disk is full, and the store is in the frames of the error before.
        seen = set()
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            _remove_keras_temporary_folders(error.__traceback__)
            error = error.__context__
        raise
    finally:
        if filtering:
            keras.config.enable_traceback_filtering()


def _remove_keras_temporary_folders(traceback):
    """Remove the temporary folders of the Keras asset stores among the local variables of ``traceback``'s frames."""
    while traceback is not None:
        frame = traceback.tb_frame
        if frame.f_globals.get("__name__", "").startswith("keras."):
            for value in list(frame.f_locals.values()):
                folder = getattr(value, "tmp_dir", None) if type(value).__name__ == "DiskIOStore" else None
                if isinstance(folder, str):
                    shutil.rmtree(folder, ignore_errors=True)
        traceback = traceback.tb_next


# ----------------------------------------------------------- older manifests
def migrate(manifest):
    """An older format-1 manifest brought to today's layout, in place; the one home of compatibility.

    Format 1 gained parameters and fitted state over time: those a manifest
    lacks take the values of :data:`sktcn._earlier_versions.ADDED`, which
    reproduce what the sktcn that wrote it did (a forecaster from before
    forking sequences gets ``forking_sequences=False``, not today's default);
    pickles are filled from the same table. A fitted attribute that came with
    a parameter (``pooling_`` with ``pooling``) is filled only where that
    parameter is missing too: a manifest that holds one of them but not the
    other is damaged, and refused (ModelFileError). Its layout changed too:

    - ``regressors`` (forecaster): one network, in ``regressor`` / ``regressor.keras``;
    - ``level_freqs`` (a panel's index): no stored frequency.
    """
    if manifest.get("estimator") == "TCNForecaster":
        if "regressors" not in manifest and isinstance(manifest.get("regressor"), dict):
            manifest["regressors"] = [manifest.pop("regressor")]
        state = manifest.get("state")
        if isinstance(state, dict):
            for frame in (state.get("y"), state.get("X")):
                if isinstance(frame, dict):
                    _add_level_freqs(frame.get("index"))
        for part in manifest.get("regressors") or []:
            if isinstance(part, dict):
                _fill_added(part, "TCNRegressor")
    _fill_added(manifest, manifest.get("estimator"))
    return manifest


def _fill_added(description, estimator):
    """Give an estimator's description the parameters and state it lacks, as :func:`migrate` says."""
    added = _earlier_versions.ADDED.get(estimator) if isinstance(estimator, str) else None
    params, state = description.get("params"), description.get("state")
    if added is None or not isinstance(params, dict):
        return
    filled = _earlier_versions.fill_params(params, added)
    if isinstance(state, dict):
        for name, parameter in added.came_with.items():
            if (name in state) == (parameter in filled):
                # sktcn wrote both or neither: a stand-in could contradict the other (pooling_ "last", pooling "mean").
                held, lacking = (f"the fitted {name!r}", f"the parameter {parameter!r}") if name in state else (
                    f"the parameter {parameter!r}", f"the fitted {name!r}")
                raise ModelFileError(
                    f"the manifest holds {held} but not {lacking}, which sktcn always saves together: "
                    "the file is damaged; save the model again."
                )
        _earlier_versions.fill(state, {**added.state, **added.saved}, params)


def _add_level_freqs(index):
    if isinstance(index, dict) and index.get("kind") == "multi" and "level_freqs" not in index:
        index["level_freqs"] = [None] * len(index.get("levels", []))


def _network_files(description):
    """Every network file a (migrated) manifest names: its own and its parts'."""
    names = {description["model_file"]} if isinstance(description.get("model_file"), str) else set()
    for part in description.get("regressors") or []:
        names |= _network_files(part) if isinstance(part, dict) else set()
    return names


# ----------------------------------------------------------------- the files
def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _versions():
    return {"sktcn": __version__, "keras": keras.__version__}


def save(estimator, path):
    """Save a fitted sktcn estimator to the directory ``path``, without pickle.

    The directory receives ``manifest.json`` (parameters and fitted state as
    JSON, versions, SHA-256 digests) and the network in Keras' ``.keras``
    format. An existing sktcn model directory at ``path`` (whose manifest.json
    names sktcn's format, and which holds nothing but the files it lists) is
    replaced, and keeps its permissions and group (where the process may give
    that group); a new directory gets those that ``mkdir`` gives (the
    umask's). A symbolic link there to such a directory is replaced itself,
    never the directory it points to. Any other existing
    file or non-empty directory (one holding a model and files of yours too,
    say) is left alone and an error raised, as are targets that cannot be
    replaced safely (see Raises), all before anything is written. Missing
    folders above ``path`` are created; a failed save removes them again and
    keeps the previous model, if any, as it was.

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
    FileExistsError
        If something other than an sktcn model directory exists at ``path``
        (a link that points nowhere, too), or the directory holds files or
        folders besides the model's (named in the message), or ``path + ".zip"``
        holds another sktcn model, which ``sktcn.load(path)`` could then mean too.
    PermissionError
        If a folder above ``path`` is not writable, or the model directory
        there is write-protected, or belongs to another user in a folder with
        the sticky bit (``/tmp``), where only its owner may replace it.
    ValueError
        If ``path`` is the working directory or a folder above it, or a mount
        point (replacing it would delete the folder the process works in, or
        cannot be done: save to a subfolder), or a name in it is longer than
        the file system allows.

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
    if type(estimator).__name__ not in _LOADABLE or not hasattr(estimator, "_saved_state"):
        raise TypeError(f"sktcn.persistence.save stores TCNClassifier, TCNRegressor and TCNForecaster, not "
                        f"{type(estimator).__name__}.")
    path = save_target(path)
    with _folders_removed_on_failure(path.parent):
        # Written next to the target and moved into place at the end, so a failed
        # save never leaves half a model (or destroys the previous one) at ``path``.
        staging = _staging_folder(path.parent)
        try:
            description = estimator._saved_state(NetworkFiles(staging))
            files = sorted(p.name for p in staging.iterdir())
            # "format" first and "files" last: save_target reads only the two ends
            # of an existing manifest (_saved_files) to decide what it may replace.
            manifest = {
                "format": _FORMAT_NAME,
                "format_version": FORMAT_VERSION,
                "versions": _versions(),
                **description,
                "files": {name: _sha256(staging / name) for name in files},
            }
            (staging / _MANIFEST).write_text(json.dumps(manifest, indent=1, allow_nan=False))
            _replace_directory(staging, path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return path


def save_target(path, archive=False):
    """The path :func:`save` (or, with ``archive=True``, :func:`save_archive`) would write for ``path``.

    Callers that train before saving (``sktcn fit``) check it first, so that a
    destination that cannot be written is reported before the training, not after.

    Parameters
    ----------
    path : str or os.PathLike
        The path given to :func:`save` or :func:`save_archive`.
    archive : bool, default=False
        Whether it names a zip archive (``.zip`` appended unless the name ends with it).

    Returns
    -------
    pathlib.Path
        The absolute path of the directory or archive to write.

    Raises
    ------
    FileExistsError
        If something other than an sktcn model (directory, or archive) exists there
        (a link that points nowhere, too), or it holds more than the model's files:
        saving replaces a model but nothing else. Also if another sktcn model would
        answer to the same name in :func:`load`: a directory ``name`` beside the
        archive ``name.zip``, either way round.
    NotADirectoryError, PermissionError
        If the nearest existing folder above it is a file, or not writable, or the
        model directory or archive to replace is write-protected, or belongs to
        another user in a folder with the sticky bit (``/tmp``, a shared scratch
        space), where only its owner or the folder's may rename it.
    ValueError
        If it is the working directory or a folder above it, or a mount point
        (a folder, or a file mounted at an archive's path), which saving cannot
        replace; or a name in it is longer than the file system allows.
    """
    # Absolute: "x/.." has no name to append ".zip" to, and "." names the working
    # directory, which must not be replaced (_check_file_system_allows_replacing).
    path = Path(os.path.abspath(path))
    if archive:
        path = path if path.suffix == ".zip" else path.with_name(path.name + ".zip")
    _check_name_lengths(path)
    _check_folder_above(path)
    if path.is_symlink() and not path.exists():
        raise FileExistsError(
            f"{path} is a symbolic link to {os.readlink(path)}, which does not exist; remove the link, or create "
            "what it points to, or choose a new path."
        )
    if path.exists():
        kind = "archive" if archive else "directory"
        _check_replaceable(path, kind)
        _check_file_system_allows_replacing(path, kind)
    _check_not_shadowed(path, archive)
    return path


def _check_name_lengths(path):
    """ValueError if a name that saving ``path`` would create is longer than its file system allows.

    Saving would create them only after the training, and fail there with
    "File name too long".
    """
    missing, above = _missing_up_to_existing(path)
    try:
        longest = os.pathconf(above, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):  # no pathconf (Windows), or no answer
        longest = 255
    for folder in reversed(missing):
        size = len(os.fsencode(folder.name))
        if longest is not None and longest > 0 and size > longest:
            raise ValueError(
                f"{path} cannot be saved: the name {folder.name!r} has {size} bytes, more than the {longest} this "
                "file system allows in a name; choose a shorter name."
            )


def _check_file_system_allows_replacing(path, kind):
    """An error unless saving can replace the existing model (or empty directory) ``path`` safely.

    Saving replaces it by renaming: a link there is renamed away and removed
    (the directory it points to is kept), but a directory must be movable and
    its files deletable. A write-protected model directory or archive is not
    replaced, although renaming it would work: its owner protected it.
    """
    _check_sticky_folder(path)
    if path.is_symlink():
        return
    real = Path(os.path.realpath(path))
    try:
        here = Path(os.getcwd())
    except OSError:  # the working directory is gone already
        here = None
    if here is not None and (real == here or real in here.parents):
        where = "the working directory" if real == here else f"a folder above the working directory {here}"
        raise ValueError(
            f"{path} is {where}: replacing it would delete the folder this process works in. Save to a new name "
            "(or a subfolder of it), or change to another directory first."
        )
    if _is_mount_point(real):
        raise ValueError(
            f"{path} is a mount point (a mounted volume or file, say), which saving cannot replace, as it replaces "
            f"the whole {kind}; {_instead_of_mount_point(path, kind)}."
        )
    # A directory's files must be deletable too; a file's own mode says whether it may be replaced.
    if not os.access(path, os.W_OK | os.X_OK if kind == "directory" else os.W_OK):
        raise PermissionError(
            f"{path} is write-protected, and saving would replace it. Make it writable (chmod u+w {path}) if it "
            "may be replaced, or save to a new name."
        )


def _instead_of_mount_point(path, kind):
    """What to do instead of replacing the mount point ``path``: a folder can hold the model, a file cannot."""
    if kind == "archive":
        return "save to another name, or in another folder"
    return f"save to a subfolder of it (such as {path / 'model'}) or to a new name"


@contextlib.contextmanager
def _busy_as_mount_point(path, kind):
    """Turn the "busy" error of renaming ``path`` (a mount point save_target missed, or in use) into advice."""
    try:
        yield
    except OSError as error:
        if error.errno != errno.EBUSY:
            raise
        raise ValueError(
            f"{path} cannot be replaced ({error.strerror}): it is a mount point or in use; "
            f"{_instead_of_mount_point(path, kind)}."
        ) from error


# The capability that lets a process rename anyone's entries in a folder with the sticky bit (root has it).
_CAP_FOWNER = 3


def _check_sticky_folder(path):
    """PermissionError if ``path`` lies in a shared folder whose sticky bit keeps this process from replacing it.

    In a folder with the sticky bit (/tmp, a cluster's scratch space) only an
    entry's owner, the folder's owner or a process with CAP_FOWNER may rename
    or delete the entry, whatever its own permissions: saving would fail only
    after the training, naming its hidden staging folder.
    """
    if not hasattr(os, "geteuid"):  # Windows: no sticky bit
        return
    folder, entry = os.stat(path.parent), os.lstat(path)
    if not folder.st_mode & stat.S_ISVTX or os.geteuid() in (entry.st_uid, folder.st_uid) or _overrides_sticky_bit():
        return
    owner = _user_name(entry.st_uid)
    raise PermissionError(
        f"{path} cannot be replaced: it belongs to {owner}, and {path.parent} is a shared folder (its sticky bit is "
        f"set, as /tmp's is) in which only an entry's owner or the folder's ({_user_name(folder.st_uid)}) may rename "
        f"or delete it. Save to a new name, or ask {owner} to remove it first."
    )


def _overrides_sticky_bit():
    """Whether this process may rename anyone's entries in a sticky folder: it has CAP_FOWNER (as root has)."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"CapEff:"):
                    return bool(int(line.split()[1], 16) >> _CAP_FOWNER & 1)
    except (OSError, ValueError, IndexError):
        pass
    return os.geteuid() == 0  # no Linux capabilities to read (macOS, BSD)


def _user_name(uid):
    """A user's name and uid, for a message."""
    try:
        import pwd  # POSIX only, as the sticky bit is

        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (ImportError, KeyError):
        return f"the user with uid {uid}"


# Linux's table of this process's mount points (absent elsewhere).
_MOUNT_TABLE = "/proc/self/mountinfo"


def _is_mount_point(path):
    """Whether ``path`` (a resolved path) is a mount point, bind mounts of a folder on the same file system too.

    ``os.path.ismount`` compares devices, which a bind mount within one file
    system (a container's volume, say) keeps; Linux lists them in mountinfo.
    It is asked about folders only: in an overlay whose layers lie on different
    file systems (a live system, Apptainer's) a file has its layer's device, not
    the overlay's, so every file would look mounted. A file bind-mounted
    (``docker run -v ./m.zip:/app/m.zip``) is in mountinfo.
    """
    if os.path.isdir(path) and os.path.ismount(path):
        return True
    try:
        with open(_MOUNT_TABLE, "rb") as table:
            lines = table.read().splitlines()
    except OSError:
        return False
    wanted = os.fsencode(path)
    # The fifth field is the mount point, with space, tab, newline and backslash escaped in octal.
    unescape = re.compile(rb"\\([0-7]{3})")
    return any(
        len(fields) > 4 and unescape.sub(lambda found: bytes([int(found.group(1), 8)]), fields[4]) == wanted
        for fields in (line.split(b" ") for line in lines)
    )


def _unsaved(path, kind):
    """What ``path`` holds besides an sktcn model ``kind`` (``"archive"`` or ``"directory"``); None if no model."""
    if kind == "archive":
        return _unsaved_members(path) if path.is_file() else None
    return _unsaved_entries(path) if path.is_dir() else None


def _holds_model(path, archive_only=False):
    """Whether ``path`` holds an sktcn model: an archive, or a directory but not if ``archive_only``."""
    try:
        if path.is_file():
            return _unsaved(path, "archive") is not None
        return not archive_only and _unsaved(path, "directory") is not None
    except OSError:  # a name too long to exist, or unreadable: not known to be a model
        return False


def _check_not_shadowed(path, archive):
    """FileExistsError if :func:`load` could confuse the model saved at ``path`` with another one.

    ``load("name")`` reads ``name`` where it exists and ``name.zip`` otherwise
    (sktime's ``load`` reads ``name.zip`` always): a model at ``name`` would hide
    a new archive ``name.zip`` (which a forecaster's save writes where it once
    wrote a directory), and a new directory ``name`` would make ``name`` mean two
    models. :func:`load` refuses the second case, so saving refuses both.
    """
    zipped = path.with_name(path.name + ".zip")
    if _holds_model(zipped, archive_only=True):
        raise FileExistsError(
            f"{zipped} holds another sktcn model, and sktcn.load({str(path)!r}) could mean it or the model saved to "
            f"{path}, so it refuses both. Save to another name, or rename or remove {zipped} first."
        )
    name = path.name[: -len(".zip")] if archive else ""
    unzipped = path.with_name(name) if name not in ("", ".", "..") else None
    if unzipped is not None and _holds_model(unzipped):
        raise FileExistsError(
            f"{unzipped} holds another sktcn model, which sktcn.load({str(unzipped)!r}) and 'sktcn predict --model "
            f"{unzipped}' would read instead of {path}. Save to another name, or rename or remove {unzipped} first."
        )


def _check_replaceable(path, kind):
    """FileExistsError unless saving may replace ``path``: an sktcn model ``kind`` and nothing else, or empty.

    What it holds that sktcn did not write (:func:`_unsaved`) is named: saving
    would delete it. An empty directory holds nothing to keep, although no model.
    """
    if kind == "directory" and path.is_dir() and not any(path.iterdir()):
        return
    unsaved = _unsaved(path, kind)
    if unsaved is None:
        raise FileExistsError(f"{path} exists and is not an sktcn model {kind}; choose a new path or remove it first.")
    if unsaved:
        raise FileExistsError(
            f"{path} holds an sktcn model but also {', '.join(map(repr, unsaved))}, which sktcn did not write: "
            f"saving replaces the whole {kind} and would delete them. Choose another path, or move them out first."
        )


def _unsaved_entries(path):
    """What the directory ``path`` holds besides the files of the sktcn model in it; None if it holds none.

    A file named manifest.json is not enough (a browser extension, a web app
    or a package of another tool has one): it must read as the manifest
    :func:`save` writes (:func:`_saved_files`), and a plain file (sktcn never
    writes a link). Saving replaces the whole directory, so anything else in
    it (notes, plots, a folder) is named here: the caller refuses to delete it.
    """
    manifest = path / _MANIFEST
    try:
        if manifest.is_symlink() or not manifest.is_file():
            return None
        with open(manifest, "rb") as file:
            saved = _saved_files(file)
        if saved is None:
            return None
        return sorted(entry.name for entry in path.iterdir() if entry.name != _MANIFEST and (
            entry.name not in saved or entry.is_symlink() or not entry.is_file()))
    except OSError:  # unreadable: not known to be a model
        return None


# save writes "format" first and "files" last (json.dumps keeps the dict's
# order; every sktcn version has written them so): the two ends of a manifest
# say whether it is sktcn's and which files its model holds, whatever the size
# of a forecaster's data between them, which may exceed MAX_MANIFEST_BYTES (a
# limit of load, raised for files one trusts).
_MANIFEST_START = re.compile(rb'\s*\{\s*"format"\s*:\s*"sktcn-model"\s*[,}]')
_MANIFEST_START_BYTES = 256
_FILES_KEY = re.compile(r'"files"\s*:\s*')
# The "files" entry: about 90 bytes per file, and a model has a few.
_MANIFEST_END_BYTES = 64 * 2**10


def _saved_files(manifest):
    """The names of the files an sktcn manifest lists; None if ``manifest`` (a binary file object) is not one.

    Only its first and last bytes are read (a seekable file; an archive's
    member is inflated on the way to its end, in bounded memory).
    """
    if not _MANIFEST_START.match(manifest.read(_MANIFEST_START_BYTES)):
        return None
    size = manifest.seek(0, os.SEEK_END)
    manifest.seek(max(0, size - _MANIFEST_END_BYTES))
    end = manifest.read().decode("utf-8", errors="replace")  # a character cut at the start is not in "files"
    key = end.rfind('"files"')
    found = _FILES_KEY.match(end, key) if key >= 0 else None
    if found is None:
        return None
    try:
        files, stop = json.JSONDecoder().raw_decode(end, found.end())
    except ValueError:
        return None
    if not isinstance(files, dict) or end[stop:].strip() != "}":  # the top-level object's last entry
        return None
    return set(files)


def _missing_up_to_existing(path):
    """``(missing, nearest)``: ``path`` and the folders above it that do not exist, deepest first, and the
    nearest of them that does (``path`` itself where it exists).

    A link counts as existing, even one that points nowhere (the callers
    refuse or fail on it); a name too long to look up does not.
    """
    missing = []
    while not os.path.lexists(path) and path != path.parent:
        missing.append(path)
        path = path.parent
    return missing, path


def _check_folder_above(target):
    """OSError unless the nearest existing folder above ``target`` is a folder this process may write in.

    Missing folders in between are created when saving; a file in their place,
    or a folder without write permission, would fail only then.
    """
    _, above = _missing_up_to_existing(target.parent)
    if above.is_symlink() and not above.exists():  # a link that points nowhere
        raise FileNotFoundError(
            f"{target} cannot be written: {above} is a link to {os.readlink(above)}, which does not exist; "
            "create that folder or choose another path."
        )
    if not above.is_dir():
        raise NotADirectoryError(f"{target} cannot be written: {above} is a file, not a folder; choose another path.")
    if not os.access(above, os.W_OK | os.X_OK):
        if above == target.parent and _is_empty_writable_folder(target):
            # Saving replaces the directory as a whole: that it may be written in is not enough.
            raise PermissionError(
                f"{target} cannot be replaced: {above} is not writable, and saving replaces the whole {target.name}. "
                f"Save to a subfolder of it (such as {target / 'model'}) or choose another folder."
            )
        raise PermissionError(f"{target} cannot be written: {above} is not writable; choose another folder.")


def _is_empty_writable_folder(path):
    try:
        return (path.is_dir() and not path.is_symlink() and os.access(path, os.W_OK | os.X_OK)
                and not any(path.iterdir()))
    except OSError:
        return False


@contextlib.contextmanager
def _folders_removed_on_failure(folder):
    """Create ``folder`` and the missing folders above it; an exception in the block removes those it created.

    Only folders this call created, deepest first and only while empty: a
    folder that existed before, or that something else wrote in meanwhile,
    stays. A failed save then leaves no empty folders behind.
    """
    missing, _ = _missing_up_to_existing(folder)
    created = []
    try:
        for new in reversed(missing):
            try:
                new.mkdir()
            except FileExistsError:  # made meanwhile by someone else: not ours to remove
                if not new.is_dir():
                    raise
                continue
            created.append(new)
        yield
    except BaseException:
        for new in reversed(created):
            try:
                new.rmdir()
            except FileNotFoundError:  # removed meanwhile
                continue
            except OSError:
                break  # not empty: neither are the folders above it
        raise


def _staging_folder(parent):
    """A new, empty folder in ``parent``, to stage a model in; hidden, with a short name.

    The name does not grow with the target's (a name near the file system's
    limit would not leave room), and ``mkdir`` gives it the permissions a
    folder made by the user gets (the umask's, ``tempfile.mkdtemp`` would give
    0700): it becomes the model directory.
    """
    while True:
        folder = parent / f".sktcn-{secrets.token_hex(4)}"
        try:
            folder.mkdir()
        except FileExistsError:  # another save's, by chance
            continue
        return folder


def _replace_directory(new, path):
    """Move directory ``new`` to ``path``; a directory there is deleted only once ``new`` has taken its place.

    A directory replaced keeps its permissions and group (a group's access,
    say; :func:`_keep_permissions`); a symbolic link is replaced itself, and
    what it points to is kept.
    """
    if not os.path.lexists(path):
        os.replace(new, path)
        return
    _keep_permissions(new, path)
    previous = new.with_name(new.name + "-previous")
    # save_target refuses the mount points it sees; others (and a folder in use) fail here.
    with _busy_as_mount_point(path, "directory"):
        os.replace(path, previous)
    try:
        os.replace(new, path)
    except BaseException:
        os.replace(previous, path)
        raise
    try:
        if previous.is_symlink():
            previous.unlink()
        else:
            shutil.rmtree(previous)
    except OSError as error:
        # The new model is in place; the old one is not lost, but should not stay unseen.
        warnings.warn(
            f"{path} was saved, but the model it replaced could not be deleted and is left at {previous} "
            f"({error}); delete it.",
            stacklevel=3,
        )


def _keep_permissions(new, old):
    """Give ``new`` (a staged model directory or archive) the mode and group of ``old``, which it replaces.

    Nothing where ``old`` is missing or a symbolic link: saving replaces the
    link itself, and what it points to keeps its own. The group first, as
    changing it may clear a set-group-ID bit. A group the process may not
    give (one it is not a member of) stays the process's, as with ``cp -p``.
    In a set-group-ID directory the files would have taken its
    group had they been written there: they get it too.
    """
    try:
        status = os.lstat(old)
    except FileNotFoundError:  # a new archive, or removed meanwhile by another save: nothing to keep
        return
    if stat.S_ISLNK(status.st_mode):
        return
    if os.stat(new).st_gid != status.st_gid:
        with contextlib.suppress(PermissionError):
            os.chown(new, -1, status.st_gid)
            if stat.S_ISDIR(status.st_mode) and status.st_mode & stat.S_ISGID:
                for file in os.listdir(new):
                    os.chown(os.path.join(new, file), -1, status.st_gid)
    os.chmod(new, stat.S_IMODE(status.st_mode))


def save_archive(estimator, path):
    """Save a fitted estimator as one zip file, the layout sktime's ``load`` reads.

    The archive holds the files :func:`save` writes, plus sktime's ``_metadata``
    entry (the pickled class, a reference to sktcn's class and nothing else), so
    that both ``sktime.base.load(path)`` and :func:`load` read it. As sktime does,
    ``"name"`` becomes ``"name.zip"``. An existing sktcn model archive there is
    replaced where it holds nothing but the model's files, and keeps its
    permissions and group; anything else is left alone and an error raised, as
    are archives that cannot be replaced (see :func:`save_target`). As with
    :func:`save`, a failed save leaves no files or folders behind and keeps the
    previous archive.

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

    Raises
    ------
    FileExistsError
        If something other than an sktcn model archive exists at the path.
    PermissionError
        If the archive is write-protected, or cannot be replaced (see :func:`save_target`).
    ValueError
        If the archive is a mount point (a file mounted into a container, say).
    """
    target = save_target(path, archive=True)
    # Built beside the target and moved into place, so a failed save leaves nothing
    # behind and never destroys the previous archive.
    # The staging folder's name does not grow with the target's (see _staging_folder).
    with (
        _folders_removed_on_failure(target.parent),
        tempfile.TemporaryDirectory(prefix=".sktcn-", dir=target.parent) as staging,
    ):
        directory = save(estimator, Path(staging) / "model")
        archive = Path(staging) / "model.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
            out.writestr(_SKTIME_METADATA, pickle.dumps(type(estimator)))
            for file in sorted(directory.iterdir()):
                out.write(file, file.name)
        _keep_permissions(archive, target)
        with _busy_as_mount_point(target, "archive"):
            os.replace(archive, target)
    return target


def _is_zip(path):
    """Whether the file ``path`` is a zip file, its directory damaged or not.

    ``zipfile.is_zipfile`` reads only the archive's end record before Python
    3.14, and from 3.14 its directory too: it says False for a zip whose
    directory is damaged, and for one cut short (a download that stopped),
    on every version. Such a file still begins with a member's signature,
    and is reported as a damaged archive, not as another kind of file.
    """
    if zipfile.is_zipfile(path):
        return True
    try:
        with open(path, "rb") as file:
            return file.read(4) == b"PK\x03\x04"
    except OSError:  # as is_zipfile: what cannot be read is not taken for a zip
        return False


def _unsaved_members(path):
    """The members of the zip file ``path`` besides those of the sktcn model in it; None if it holds none."""
    if not _is_zip(path):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if _MANIFEST not in names:
                return None
            with archive.open(_MANIFEST) as manifest:
                saved = _saved_files(manifest)
    except _DAMAGED_ARCHIVE:
        # A damaged directory or manifest cannot say it is a model: saving does
        # not overwrite it, and loading reports the damage where it reads the files.
        return None
    return None if saved is None else sorted(names - saved - {_MANIFEST, _SKTIME_METADATA})


def is_sktime_archive(path):
    """Whether ``path`` is a zip file of sktime's own, pickle-based ``save`` (it holds the pickled object).

    ``TCNForecaster.load_from_path`` leaves those to sktime and reads any other
    archive with :func:`load`, which says what is wrong with one that is
    damaged or not sktcn's.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return _SKTIME_OBJECT in archive.namelist()
    except _DAMAGED_ARCHIVE:
        return False


def _archive_path(path):
    """The zip file ``path`` names (``name`` may stand for ``name.zip``, as in sktime), or None.

    Where both ``name`` and ``name.zip`` hold models, ``name`` could mean either
    (sktime's ``load`` reads ``name.zip``): a ModelFileError names both rather
    than pick one.
    """
    zipped = path.with_name(path.name + ".zip")
    if os.path.exists(path):  # not Path.exists, which raises OSError for a name too long to exist
        if _holds_model(zipped, archive_only=True) and _holds_model(path):
            raise ModelFileError(
                f"both {path} and {zipped} hold sktcn models, and {path} could name either (sktcn.load reads "
                f"{path}, sktime's load {zipped}); refusing to guess. Load {zipped} by that name, or rename or "
                "remove the one you do not mean."
            )
        return path if path.is_file() else None
    with contextlib.suppress(OSError):  # a name too long to exist
        if zipped.is_file():
            return zipped
    return None


# What zipfile raises for an archive damaged on disk or in transit: a bad
# checksum, header or directory (BadZipFile; OSError where an offset points
# outside the file), a corrupted or truncated compressed stream (zlib.error,
# EOFError), or a flipped flag that asks for a compression method or an
# encryption sktcn never uses (NotImplementedError, RuntimeError).
_DAMAGED_ARCHIVE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)


def _damaged(archive, error):
    return ModelFileError(f"{archive} is damaged ({error}); save the model again or copy the file again.")


# What Finder and macOS' zip add beside the files zipped (folder settings, resource forks): skipped, as a
# model directory's .DS_Store is, never read.
_FINDER_FILE = ".DS_Store"
_FINDER_FOLDER = "__MACOSX/"


def _model_folder_in(names):
    """The one folder that ``names`` (an archive's members) put a model's manifest in, or None.

    ``zip -r m.zip m``, and compressing the folder in Finder or Explorer, put
    the model's files under ``m/``; sktcn reads them at the archive's root.
    """
    names = [name for name in names if name != _FINDER_FILE and not name.startswith(_FINDER_FOLDER)]
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1 or not all("/" in name for name in names):
        return None
    (top,) = tops
    return top if f"{top}/{_MANIFEST}" in names else None


def _extract_archive(archive, directory):
    """Copy the model files out of ``archive``: flat names only, ``_metadata`` and Finder's files skipped."""
    if not _is_zip(archive):
        raise ModelFileError(
            f"{archive} is a file but not a zip archive: sktcn.load reads the directory that TCNClassifier.save() "
            "and TCNRegressor.save() write, or the zip file TCNForecaster.save() writes."
        )
    try:
        zipped = zipfile.ZipFile(archive)
    except _DAMAGED_ARCHIVE as error:
        raise _damaged(archive, error) from None
    with zipped:
        folder = _model_folder_in(zipped.namelist())
        if folder is not None:
            # zip adds to an archive that exists (this one, often): the command removes it first, and only
            # from within the unzipped folder (cd fails where there is none, and the archive stays).
            inside, zipped_again = shlex.quote(folder), shlex.quote(f"../{folder}.zip")
            raise ModelFileError(
                f"{archive} holds the model inside the folder {folder!r} (as 'zip -r' or compressing the folder in "
                "Finder or Explorer makes it), but sktcn reads the model's files at the archive's root. Unzip it and "
                f"load the folder {folder}, or zip the files themselves into a new archive "
                f"(cd {inside} && rm -f {zipped_again} && zip {zipped_again} *)."
            )
        for info in zipped.infolist():
            name = info.filename
            if name in (_SKTIME_METADATA, _FINDER_FILE) or name.startswith(_FINDER_FOLDER):
                continue  # never read: the manifest names the class, and lists the model's files
            if name != Path(name).name or name.startswith(".") or not (name == _MANIFEST or name.endswith(".keras")):
                raise ModelFileError(f"{archive} holds {name!r}, which sktcn does not write. Refusing to load it.")
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise ModelFileError(f"{archive} holds {name!r} as a symbolic link, which sktcn never writes.")
            limit = MAX_MANIFEST_BYTES if name == _MANIFEST else MAX_NETWORK_FILE_BYTES
            try:
                # Checked against the declared and the inflated size, chunk by chunk: a
                # zip bomb is refused before it fills memory.
                data = read_member(zipped, info, limit)
            except FileCheckError as error:
                raise ModelFileError(f"{archive}: {error}") from None
            except _DAMAGED_ARCHIVE as error:
                raise _damaged(archive, error) from None
            # Outside the try: an error writing the copy (a full disk) is not the archive's.
            (directory / name).write_bytes(data)


def load_instance(path, cls):
    """:func:`load` for ``cls.load_from_path`` (sktime's ``load``): the model must be a ``cls``.

    Raises
    ------
    ModelFileError
        As :func:`load` does, and if ``path`` holds an estimator of another class.
    """
    loaded = load(path)
    if not isinstance(loaded, cls):
        raise ModelFileError(f"{path} holds a {type(loaded).__name__}, not a {cls.__name__}.")
    return loaded


def _read_manifest(path):
    manifest_path = path / _MANIFEST
    if not manifest_path.is_file():
        raise ModelFileError(f"{path} holds no {_MANIFEST}: it is not a model saved by an sktcn estimator's save().")
    _refuse_links(manifest_path)
    size = manifest_path.stat().st_size
    if size > MAX_MANIFEST_BYTES:
        raise ModelFileError(
            f"{manifest_path} has {size} bytes, more than MAX_MANIFEST_BYTES ({MAX_MANIFEST_BYTES}); "
            "raise sktcn.persistence.MAX_MANIFEST_BYTES to load a file you trust."
        )
    try:
        manifest = parse_json(manifest_path.read_bytes(), str(manifest_path))
    except FileCheckError as error:
        raise ModelFileError(str(error)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT_NAME:
        raise ModelFileError(f"{manifest_path} is not an sktcn manifest.")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(
            f"{path} was saved in sktcn model format {version!r} (by sktcn "
            f"{manifest.get('versions', {}).get('sktcn', '?')}); this sktcn reads format {FORMAT_VERSION}. "
            "Load it with the sktcn version that saved it."
        )
    saved_keras = str(expect(manifest, "versions", dict).get("keras", ""))
    if saved_keras.split(".")[0] != keras.__version__.split(".")[0]:
        raise ModelFileError(
            f"{path} holds a network saved by Keras {saved_keras}; this Keras is {keras.__version__} "
            "and reads Keras 3 files only."
        )
    return manifest


def _refuse_links(file):
    if file.is_symlink():
        raise ModelFileError(f"{file} is a symbolic link, which sktcn never writes; refusing to follow it.")


def _check_files(path, manifest):
    files = expect(manifest, "files", dict)
    expected = _network_files(manifest)
    if set(files) != expected:
        raise ModelFileError(f"the manifest lists files {sorted(files)}; expected {sorted(expected)}.")
    for name, digest in files.items():
        file = path / name
        if not file.is_file():
            raise ModelFileError(f"{file} is missing.")
        _refuse_links(file)
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
        ``"name.zip"``, as in sktime, where no ``"name"`` exists; where both hold
        models, neither is loaded). An archive may also hold the ``.DS_Store``
        and ``__MACOSX/`` entries that macOS adds; they are not read.

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
        refuses the network; or if ``path`` and ``path + ".zip"`` both hold
        models, or an archive holds the model inside a folder (``zip -r``).

    Examples
    --------
    >>> import sktcn
    >>> sktcn.load("no/such/folder")
    Traceback (most recent call last):
    ...
    sktcn.persistence.ModelFileError: no/such/folder does not exist (nor does folder.zip beside it): give the
    directory that an estimator's save() wrote, or the zip file that TCNForecaster.save() wrote.
    """
    path = Path(path)
    archive = _archive_path(path)
    # os.path.exists, not Path.exists: False, not an OSError, for a name too long to exist.
    if archive is None and not os.path.exists(path):
        raise ModelFileError(
            f"{path} does not exist (nor does {path.name}.zip beside it): give the directory that an estimator's "
            "save() wrote, or the zip file that TCNForecaster.save() wrote."
        )
    if archive is not None:
        with tempfile.TemporaryDirectory(prefix="sktcn-load-") as directory:
            _extract_archive(archive, Path(directory))
            try:
                # Keras reads each network fully into memory, so the files can go afterwards.
                return load(directory)
            except ModelFileError as error:
                # The messages name the files where they were read, a folder deleted by
                # now: name the archive the user gave, and the member within it.
                message = str(error).replace(f"{directory}{os.sep}", f"{archive}: ").replace(directory, str(archive))
                raise ModelFileError(message) from error.__cause__
    manifest = migrate(_read_manifest(path))
    _check_files(path, manifest)
    try:
        estimator = construct(manifest, set(_LOADABLE))
        return estimator._restore_saved_state(manifest, NetworkFiles(path))
    except ModelFileError:
        raise
    except CodecError as error:
        raise ModelFileError(str(error)) from error
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        raise ModelFileError(f"{path}: the manifest does not describe a valid fitted estimator ({error!r}).") from error
