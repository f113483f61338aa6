"""Export a fitted sktcn network to an ONNX file, for inference without TensorFlow.

Why tf2onnx's graph route and not Keras' ``model.export(path, format="onnx")``
or ``tf2onnx.convert.from_function``: both of those (Keras' export calls
tf2onnx's ``from_function``) list every tensor a traced function captures as
a graph input. sktcn's networks start with a ``Normalization`` layer built
from fixed statistics, which holds them as captured constants, not variables;
with TensorFlow 2.21, Keras 3.15.1 and tf2onnx 1.17 the exported files then
demand the mean and variance as two extra inputs at run time. Freezing the
traced function first (TensorFlow's ``convert_variables_to_constants_v2``,
which turns captured variables *and* constants into graph constants) and
converting the frozen graph (``tf2onnx.convert.from_graph_def``) gives a
model with the series as its one input.

tf2onnx, onnx and onnxruntime are optional (``pip install sktcn[onnx]``): they
are imported when an export runs, never when sktcn is imported.
"""

import contextlib
import importlib
import os
import pathlib

import numpy as np
import tensorflow as tf

__all__ = ["export_onnx", "INPUT_NAME", "OUTPUT_NAME"]

# Names of the exported model's input and output, stable across sktcn versions
# so that serving code can feed them by name.
INPUT_NAME = "series"
OUTPUT_NAME = "output"

_INSTALL_HINT = "pip install sktcn[onnx]"

# The self-check's tolerance (rtol, atol) between ONNX Runtime and TensorFlow,
# which compute the same operations in different orders: in float32, and in
# float16 for a network trained with mixed_precision=True (the file computes in
# float16 too; the default regressor's outputs of about 40 then differed by 0.06).
_TOLERANCE = {"float32": (1e-4, 1e-5), "float16": (1e-2, 1e-2)}


def _optional(module):
    """Import an optional dependency of the export, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"ONNX export needs {module}, which is not installed: {_INSTALL_HINT}") from error


def checked_path(path):
    """``path`` as a ``pathlib.Path`` that a new ``.onnx`` file can be written to; ValueError otherwise."""
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"path must be a file name (str or os.PathLike), got {type(path).__name__}.")
    path = pathlib.Path(path)
    if path.suffix != ".onnx":
        raise ValueError(f"path {str(path)!r} must end with '.onnx', the suffix ONNX runtimes and tools expect.")
    if path.is_dir():
        raise ValueError(f"path {str(path)!r} is a directory; give the name of the .onnx file to write.")
    if not path.parent.is_dir():
        raise ValueError(f"the directory {str(path.parent)!r} does not exist; create it first.")
    return path


@contextlib.contextmanager
def _quiet_tensorflow_logger():
    """TensorFlow's Python logger at ERROR within the block.

    tf2onnx's graph import runs TensorFlow 1 functions, each of which logs a
    deprecation warning the user can do nothing about.
    """
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)


def _check_dtype(model):
    """Refuse a network with float64 weights, or that computes in bfloat16, which ONNX Runtime could not run."""
    # Networks follow keras.config.floatx(). ONNX Runtime has no float64
    # convolution: the converted file would fail its self-check, or when served.
    if any(weight.dtype == "float64" for weight in model.weights):
        raise ValueError(
            "The network computes in float64 (it was built while keras.config.floatx(), or Keras' dtype "
            "policy, was 'float64'), and ONNX Runtime has no float64 convolution. To export it, fit the "
            "estimator with keras.config.floatx() 'float32', Keras' default."
        )
    # Under Keras' 'mixed_bfloat16' policy the weights are float32 but the
    # layers compute in bfloat16: tf2onnx converts it, after pages of
    # warnings, into a file whose bfloat16 Conv ONNX Runtime cannot run.
    if any(layer.compute_dtype == "bfloat16" for layer in model._flatten_layers(include_self=True)):
        raise ValueError(
            "The network computes in bfloat16 (it was built under Keras' 'mixed_bfloat16' dtype policy), and "
            "ONNX Runtime has no bfloat16 convolution. To export it, fit the estimator without that policy "
            "(keras.mixed_precision.set_global_policy('float32')), or under 'mixed_float16', which exports."
        )


def _frozen_graph(model, n_timesteps):
    """The inference graph of ``model`` with its weights as constants: (GraphDef, input name, output name)."""
    # TensorFlow's own freezing: no public API does it, and tf2onnx uses the same function.
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    spec = tf.TensorSpec((None, n_timesteps, model.input_shape[-1]), tf.float32, name=INPUT_NAME)
    forward = tf.function(lambda series: model(series, training=False), input_signature=[spec])
    frozen = convert_variables_to_constants_v2(forward.get_concrete_function(), lower_control_flow=False,
                                               aggressive_inlining=True)
    # A frozen function has no captures left: its one input is the series.
    (inputs,), (outputs,) = frozen.inputs, frozen.outputs
    return frozen.graph.as_graph_def(), inputs.name, outputs.name


def _name_dynamic_axes(model_proto, n_timesteps, sequence_output):
    """Name the exported model's free axes "batch" and "time" (tf2onnx calls them unk__N)."""
    time = "time" if n_timesteps is None else None
    named = [(model_proto.graph.input[0], ["batch", time]),
             (model_proto.graph.output[0], ["batch", time] if sequence_output else ["batch"])]
    for value, names in named:
        for dim, name in zip(value.type.tensor_type.shape.dim, names):
            if name is not None and not dim.HasField("dim_value"):
                dim.dim_param = name


def _computes_in_float16(model_proto):
    """Whether the converted graph casts to float16 (a mixed-precision network)."""
    onnx = _optional("onnx")
    return any(attribute.name == "to" and attribute.i == onnx.TensorProto.FLOAT16
               for node in model_proto.graph.node if node.op_type == "Cast" for attribute in node.attribute)


def _self_check(model_proto, model, n_timesteps):
    """Raise RuntimeError unless ONNX Runtime reproduces the Keras model on random series.

    tf2onnx converts what it can and leaves the rest as TensorFlow operations
    (``continue_on_error``): such a file would only fail when it is served.
    """
    onnxruntime = _optional("onnxruntime")
    series = np.random.default_rng(0).normal(size=(2, n_timesteps or 16, model.input_shape[-1])).astype(np.float32)
    try:
        session = onnxruntime.InferenceSession(model_proto.SerializeToString(), providers=["CPUExecutionProvider"])
        (got,) = session.run([OUTPUT_NAME], {INPUT_NAME: series})
    except Exception as error:
        raise RuntimeError(f"ONNX Runtime cannot run the converted network: {error}") from error
    expected = model(series, training=False).numpy()
    rtol, atol = _TOLERANCE["float16" if _computes_in_float16(model_proto) else "float32"]
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=rtol, atol=atol):
        raise RuntimeError(
            "The converted network's outputs differ from TensorFlow's (largest difference "
            f"{np.max(np.abs(got - expected)) if got.shape == expected.shape else 'in shape'}); "
            "the file was not written."
        )


def export_onnx(model, path, *, n_timesteps=None, opset=None, check=True):
    """Write the inference graph of a Keras ``model`` to the ONNX file ``path``.

    Parameters
    ----------
    model : keras.Model
        A model taking float32 ``(n, time, features)``; one with float64
        weights is refused (ValueError).
    path : str or os.PathLike
        File to write; must end with ``.onnx``, in an existing directory.
    n_timesteps : int or None, default=None
        Fix the time axis to this length; ``None`` keeps it free.
    opset : int or None, default=None
        ONNX opset; ``None`` is tf2onnx's default (15 in tf2onnx 1.17).
    check : bool, default=True
        Run the converted model with ONNX Runtime on random series and raise
        ``RuntimeError`` (writing nothing) unless it matches TensorFlow.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = checked_path(path)
    _check_dtype(model)
    tf2onnx_convert = _optional("tf2onnx.convert")
    _optional("onnx")
    if check:
        _optional("onnxruntime")
    with _quiet_tensorflow_logger():
        graph_def, input_name, output_name = _frozen_graph(model, n_timesteps)
        model_proto, _ = tf2onnx_convert.from_graph_def(
            graph_def, input_names=[input_name], output_names=[output_name], opset=opset,
            tensors_to_rename={input_name: INPUT_NAME, output_name: OUTPUT_NAME},
        )
    # Outputs per time step (return_sequences=True) keep the input's time axis, of unknown length.
    sequence_output = len(model.output_shape) > 2 and model.output_shape[1] is None
    _name_dynamic_axes(model_proto, n_timesteps, sequence_output)
    model_proto.doc_string = (f"sktcn network: input {INPUT_NAME!r} float32 (batch, time, features), "
                              f"output {OUTPUT_NAME!r}: the network's output before the estimator decodes it.")
    if check:
        _self_check(model_proto, model, n_timesteps)
    path.write_bytes(model_proto.SerializeToString())
    return path
