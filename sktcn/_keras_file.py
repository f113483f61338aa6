"""sktcn's own check of a ``.keras`` file, before Keras reads any of it.

``sktcn.load`` promises that loading a shared model never runs code. Keras'
safe mode has had holes (CVE-2025-1550, CVE-2025-8747, CVE-2025-9906,
CVE-2026-1462 let a crafted ``config.json`` call functions of the attacker's
choice), so sktcn does not rely on it alone. :func:`check_keras_file` opens the
archive itself and accepts only what sktcn's own builder writes:

- a zip archive holding exactly ``metadata.json``, ``config.json`` and
  ``model.weights.h5``, each no larger than its limit (the weights' limit
  follows from the shapes in the config), checked on the declared size before
  reading and on the bytes actually inflated while reading, in chunks;
- a config whose every object (any JSON object with a ``class_name``) is one
  of the layers, initializers, optimizers, metrics, losses or dtype policies
  in the allow-lists below, with only the config keys sktcn's layers write; no
  ``function`` or ``__lambda__`` entries (but the one Keras writes for a loss
  given by name: the compiled loss, naming one of Keras' own loss functions),
  no ``module`` outside the list, no name of a callable given as a dotted path.

Anything else is refused with :class:`FileCheckError`, naming the entry.
"""

import inspect
import json
import math
import zipfile

import keras

from sktcn._version import __version__

MEMBERS = ("metadata.json", "config.json", "model.weights.h5")
MAX_METADATA_BYTES = 64 * 2**10
MAX_CONFIG_BYTES = 4 * 2**20
# JSON nesting deeper than this is refused (sktcn's deepest config: an ensemble's
# nested models, about 15 levels).
MAX_JSON_DEPTH = 64
_CHUNK = 2**20


class FileCheckError(ValueError):
    """A ``.keras`` file or JSON document that sktcn's own check refuses."""


# Layers sktcn's builder uses (sktcn._network.build_network, output_head, and
# sktcn._ensemble.average_model), with the config keys each writes.
_COMMON = {"name", "trainable", "dtype"}
LAYERS = {
    ("keras.layers", "InputLayer"): {"batch_shape", "dtype", "name", "optional", "ragged", "sparse"},
    ("keras.layers", "Normalization"): _COMMON | {"axis", "invert", "mean", "variance"},
    ("keras.layers", "Dense"): _COMMON | {
        "units", "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
        "bias_regularizer", "kernel_constraint", "bias_constraint", "quantization_config", "lora_rank",
        "lora_alpha", "activity_regularizer",
    },
    ("keras.layers", "Reshape"): _COMMON | {"target_shape"},
    ("keras.layers", "Softmax"): _COMMON | {"axis"},
    ("keras.layers", "GlobalAveragePooling1D"): _COMMON | {"data_format", "keepdims"},
    ("keras.layers", "GlobalMaxPooling1D"): _COMMON | {"data_format", "keepdims"},
    ("keras.layers", "Average"): _COMMON,
    ("keras.src.models.functional", "Functional"): {"name", "trainable", "layers", "input_layers", "output_layers"},
    ("sktcn._network", "SkTCN"): _COMMON | {
        "nb_filters", "kernel_size", "nb_stacks", "dilations", "padding", "use_skip_connections", "dropout_rate",
        "return_sequences", "activation", "kernel_initializer", "use_batch_norm", "use_layer_norm",
        "go_backwards", "return_state", "use_weight_norm",
    },
    # input_scaling="series": no weights and no settings of its own, only
    # those Keras' base Layer writes for a layer class of a library.
    ("sktcn._network", "SeriesStandardization"): _COMMON | {"activity_regularizer", "autocast"},
    # input_noise: the standard deviation of each feature's noise (identity in predict).
    ("sktcn._network", "InputNoise"): _COMMON | {"stddev"},
}
# The registered names each layer class may carry (None: a Keras built-in). Keras
# writes ">Functional" for a model once anything in the process registered the
# Functional class itself (scikeras does, to pickle models), "Functional" otherwise.
REGISTERED = {
    ("sktcn._network", "SkTCN"): {"sktcn>SkTCN"},
    ("sktcn._network", "SeriesStandardization"): {"sktcn>SeriesStandardization"},
    ("sktcn._network", "InputNoise"): {"sktcn>InputNoise"},
    ("keras.src.models.functional", "Functional"): {"Functional", ">Functional"},
}

# Other objects a config holds: any class of these Keras modules that derives
# from the given base (all Keras' own, resolved by Keras without importing
# anything else), the dtype policies, and the placeholders of inbound tensors.
_KINDS = {
    "keras.initializers": (keras.initializers, keras.initializers.Initializer),
    "keras.optimizers": (keras.optimizers, keras.optimizers.Optimizer),
    "keras.metrics": (keras.metrics, keras.metrics.Metric),
    "keras.losses": (keras.losses, keras.losses.Loss),
    "keras.regularizers": (keras.regularizers, keras.regularizers.Regularizer),
    "keras.constraints": (keras.constraints, keras.constraints.Constraint),
}
# Networks follow keras.config.floatx() or Keras' global dtype policy, float64
# included (weights_limit, twice what float32 needs, covers float64 weights and
# their two optimizer slots); mixed_precision=True writes mixed_float16.
_POLICIES = {"float32", "float64", "float16", "bfloat16", "mixed_float16", "mixed_bfloat16"}
_ENTRY_KEYS = {"module", "class_name", "config", "registered_name", "build_config", "compile_config", "name",
               "inbound_nodes", "shared_object_id"}
# Keys whose string values Keras resolves to a callable or class by name: only
# plain identifiers ("relu", "adam", "mse"), never a dotted path or a registered name.
_NAMED = {"activation", "kernel_initializer", "bias_initializer", "loss", "optimizer", "metrics",
          "weighted_metrics"}


# A loss given by name ("mae") reaches Keras as the function it names (scikeras
# resolves it with keras.losses.get), and Keras writes that function into the
# compile config as {"module": "builtins", "class_name": "function", "config":
# "mean_absolute_error"}. On loading, Keras looks the name up in the modules
# below, in no fixed order. Accepted there only: the name of a function of
# keras.losses that keras.losses.get itself returns, and that no other of these
# modules exports as something else.
_LOSS_PATH = ("compile_config", "loss")
_BUILTIN_MODULES = ("activations", "constraints", "initializers", "losses", "metrics", "optimizers", "regularizers")


def _keras_loss_function(name):
    """Whether Keras resolves ``name`` (from a ``builtins.function`` entry) to one of its own loss functions."""
    function = getattr(keras.losses, name, None) if isinstance(name, str) and name.isidentifier() else None
    if not inspect.isfunction(function):
        return False
    try:
        if keras.losses.get(name) is not function:  # not a loss: "get", "serialize", ...
            return False
    except (ValueError, TypeError):
        return False
    return all(getattr(getattr(keras, module), name, function) is function for module in _BUILTIN_MODULES)


def _check_loss_function(entry, path):
    """Refuse a ``function`` entry unless it is the compiled loss, named as Keras writes a built-in loss."""
    name = entry.get("config")
    if not (path == _LOSS_PATH and entry.get("module") == "builtins" and entry.get("registered_name") == "function"
            and set(entry) == {"module", "class_name", "config", "registered_name"} and _keras_loss_function(name)):
        where = f"the function {name!r}" if isinstance(name, str) else "a function"
        raise FileCheckError(
            f"{_where(path)} holds {entry.get('module') or '(no module)'}.function naming {where}, which sktcn never "
            "writes (only the compiled loss may name one of Keras' loss functions)."
        )


# What a file naming sktcn layers, or settings of them, unknown here may be.
_NEWER_OR_ALTERED = ("the file may come from a newer sktcn (upgrade sktcn to load it), or have been altered "
                     "since sktcn wrote it.")
# A setting of an sktcn layer may also be one a newer Keras writes for every layer.
_NEWER_SETTING_OR_ALTERED = ("the file may come from a newer sktcn or Keras (upgrade them to load it), or have been "
                             "altered since sktcn wrote it.")


def _is_sktcn(module):
    """Whether ``module`` (a config entry's) is sktcn's own, whose classes and settings grow with its versions."""
    return isinstance(module, str) and (module == "sktcn" or module.startswith("sktcn."))


def _where(path):
    return "config.json" + "".join(f"[{p!r}]" for p in path)


def _allowed_object(module, class_name):
    if (module, class_name) in LAYERS:
        return True
    if (module, class_name) == (None, "__keras_tensor__") or (module, class_name) == ("keras", "DTypePolicy"):
        return True
    if module not in _KINDS:
        return False
    namespace, base = _KINDS[module]
    candidate = getattr(namespace, class_name, None) if class_name.isidentifier() else None
    return isinstance(candidate, type) and issubclass(candidate, base)


def _check_object(entry, path):
    module, class_name = entry.get("module"), entry.get("class_name")
    if not isinstance(class_name, str) or not (module is None or isinstance(module, str)):
        raise FileCheckError(f"{_where(path)} names a class that is not a plain name.")
    if class_name == "function":
        _check_loss_function(entry, path)
        return
    if class_name == "__lambda__" or not _allowed_object(module, class_name):
        if _is_sktcn(module) and class_name != "__lambda__":
            raise FileCheckError(f"{_where(path)} holds {module}.{class_name}, which this sktcn ({__version__}) "
                                 f"does not know: {_NEWER_OR_ALTERED}")
        raise FileCheckError(
            f"{_where(path)} holds {module or '(no module)'}.{class_name}, which sktcn never writes."
        )
    unknown = set(entry) - _ENTRY_KEYS
    if unknown:
        raise FileCheckError(f"{_where(path)} has keys {sorted(unknown)}, which sktcn never writes.")
    key = (module, class_name)
    if key in LAYERS:
        config = entry.get("config")
        if not isinstance(config, dict):
            raise FileCheckError(f"{_where(path)} has no config.")
        extra = set(config) - LAYERS[key]
        if extra and _is_sktcn(module):
            raise FileCheckError(f"{_where(path)} ({class_name}) has config keys {sorted(extra)}, which this sktcn "
                                 f"({__version__}) does not know: {_NEWER_SETTING_OR_ALTERED}")
        if extra:
            raise FileCheckError(f"{_where(path)} ({class_name}) has config keys {sorted(extra)}, "
                                 "which sktcn never writes.")
        if entry.get("registered_name") not in REGISTERED.get(key, {None}):
            raise FileCheckError(f"{_where(path)} ({class_name}) has the registered name "
                                 f"{entry.get('registered_name')!r}, which sktcn never writes.")
    if key == ("keras", "DTypePolicy"):
        name = (entry.get("config") or {}).get("name")
        if name not in _POLICIES:
            raise FileCheckError(f"{_where(path)} is a dtype policy {name!r}, which sktcn never writes.")


def check_config(config, path=(), depth=0):
    """Walk a parsed ``config.json``; FileCheckError at the first entry sktcn's builder never writes."""
    if depth > MAX_JSON_DEPTH:
        raise FileCheckError(f"{_where(path)} is nested deeper than {MAX_JSON_DEPTH} levels.")
    if isinstance(config, dict):
        if "class_name" in config:
            _check_object(config, path)
        for key, value in config.items():
            if key in _NAMED and isinstance(value, str) and not value.isidentifier():
                raise FileCheckError(f"{_where(path + (key,))} names {value!r}; sktcn writes plain names only.")
            check_config(value, path + (key,), depth + 1)
    elif isinstance(config, list):
        for number, value in enumerate(config):
            check_config(value, path + (number,), depth + 1)
    elif not (config is None or isinstance(config, (str, int, float, bool))):
        raise FileCheckError(f"{_where(path)} holds a {type(config).__name__}.")


def parameter_bound(config):
    """An upper bound on the number of weights the networks in ``config`` hold, from their shapes.

    Every ``SkTCN`` block counts two dilated convolutions of the widest
    filters plus a 1x1 shortcut and normalisation and weight-norm gains; each
    ``Dense`` its kernel and bias from the widest features; each
    ``Normalization`` three values per input feature.
    """
    layers = []

    def collect(node):
        if isinstance(node, dict):
            if node.get("class_name") in ("SkTCN", "Dense", "InputLayer", "Normalization"):
                layers.append(node)
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(config)
    try:
        channels = max(int(n["config"]["batch_shape"][-1]) for n in layers if n["class_name"] == "InputLayer")
        widths = [channels]
        total = 0
        for node in layers:
            c = node["config"]
            if node["class_name"] == "SkTCN":
                filters = c["nb_filters"] if isinstance(c["nb_filters"], list) else [c["nb_filters"]]
                width = max(int(f) for f in filters)
                widths.append(width)
                m = max(channels, width)
                blocks = int(c["nb_stacks"]) * len(c["dilations"])
                total += blocks * (2 * int(c["kernel_size"]) * m * width + m * width + 10 * width)
        features = max(widths)
        for node in layers:
            if node["class_name"] == "Dense":
                total += int(node["config"]["units"]) * (features + 1)
            elif node["class_name"] == "Normalization":
                total += 3 * channels
    except (KeyError, TypeError, ValueError) as error:
        raise FileCheckError(f"config.json does not give the shapes of its layers ({error!r}).") from error
    return total


def weights_limit(config):
    """Bytes ``model.weights.h5`` may have: float32 weights, two optimizer slots, a spare, HDF5's overhead; x2."""
    return 2 * (16 * parameter_bound(config) + 2**20)


def _member_chunks(archive, info, limit):
    """The chunks of one zip member, refused on its declared size or once more than ``limit`` bytes come out."""
    if info.file_size > limit:
        raise FileCheckError(f"{info.filename} declares {info.file_size} bytes; sktcn reads at most {limit}.")
    total = 0
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            total += len(chunk)
            if total > limit:
                raise FileCheckError(f"{info.filename} inflates past {limit} bytes; refusing it.")
            yield chunk


def read_member(archive, info, limit):
    """The bytes of one zip member, read in bounded chunks."""
    return b"".join(_member_chunks(archive, info, limit))


def drain_member(archive, info, limit):
    """Inflate one zip member in constant memory, refusing it past ``limit`` bytes (nothing kept)."""
    for _ in _member_chunks(archive, info, limit):
        pass


def _finite(text):
    value = float(text)
    if not math.isfinite(value):
        raise FileCheckError(f"the number {text[:20]} overflows")
    return value


def _no_constant(name):
    raise FileCheckError(f"{name} is not a JSON number")


def parse_json(data, what):
    """JSON from bytes: nesting too deep for Python's parser, NaN, infinities and overflowing numbers
    (which sktcn never writes) are refused as a FileCheckError."""
    try:
        return json.loads(data.decode("utf-8"), parse_float=_finite, parse_constant=_no_constant)
    except FileCheckError as error:
        raise FileCheckError(f"{what} holds a value sktcn never writes: {error}.") from None
    except RecursionError:
        raise FileCheckError(f"{what} is nested too deeply to be an sktcn file.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FileCheckError(f"{what} is not valid JSON ({error}).") from None


# Largest weight magnitude a loaded network may hold, but for the input
# scaling's statistics (the raw inputs' mean and variance). Trained weights are
# many orders of magnitude smaller; an altered file's flipped exponent is not.
MAX_WEIGHT = 1e15


def _layers(model):
    """Every layer of a model, the layers of nested models (an ensemble's members) included."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _layers(layer)
        else:
            yield layer


def check_weights(model):
    """Refuse a loaded network whose weights are not finite or beyond MAX_WEIGHT."""
    for layer in _layers(model):
        if isinstance(layer, keras.layers.Normalization):
            continue
        for weight in layer.weights:
            # In float64: NumPy compares in the array's dtype, and MAX_WEIGHT
            # in float16 is inf, which an infinite weight would not exceed.
            values = weight.numpy().astype("float64")
            if values.size and not (abs(values) <= MAX_WEIGHT).all():
                raise FileCheckError(
                    f"the weight {weight.path} holds values that are not finite or beyond {MAX_WEIGHT:g}, "
                    "which no trained sktcn network has."
                )


def dtype_policy_names(config):
    """The names of the dtype policies in a parsed ``config.json``, in the order they appear (layer by layer).

    Examples
    --------
    >>> from sktcn._keras_file import dtype_policy_names
    >>> policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}
    >>> dtype_policy_names({"config": {"layers": [{"config": {"dtype": "float32"}}, {"config": {"dtype": policy}}]}})
    ['float32']
    """
    if isinstance(config, dict):
        if (config.get("module"), config.get("class_name")) == ("keras", "DTypePolicy"):
            return [config["config"]["name"]]
        return [name for value in config.values() for name in dtype_policy_names(value)]
    if isinstance(config, list):
        return [name for value in config for name in dtype_policy_names(value)]
    return []


def check_keras_file(path):
    """Refuse ``path`` unless it is a ``.keras`` archive of the kind sktcn writes; returns its parsed config."""
    if not zipfile.is_zipfile(path):
        raise FileCheckError(
            f"{path.name} is not a Keras archive (a zip file); an HDF5 or other file under a .keras name is refused."
        )
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if sorted(names) != sorted(MEMBERS):
            raise FileCheckError(f"{path.name} holds {sorted(names)}; sktcn writes exactly {list(MEMBERS)}.")
        info = {i.filename: i for i in infos}
        parse_json(read_member(archive, info["metadata.json"], MAX_METADATA_BYTES), "metadata.json")
        config = parse_json(read_member(archive, info["config.json"], MAX_CONFIG_BYTES), "config.json")
        check_config(config)
        drain_member(archive, info["model.weights.h5"], weights_limit(config))
    return config
