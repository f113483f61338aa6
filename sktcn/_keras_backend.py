"""Refuse, when sktcn is imported, a Keras that is not running on TensorFlow.

sktcn trains through Keras' TensorFlow backend (``tf.data``, ``tf.distribute``,
TensorFlow's graph functions) and keras-tcn imports ``tensorflow.keras``. Two
settings outside sktcn's reach select something else:

- Keras' backend: the ``KERAS_BACKEND`` environment variable, or else the
  ``"backend"`` entry of ``keras.json`` in Keras' home folder (``$KERAS_HOME``,
  or ``~/.keras``), which users set for other work (JAX, PyTorch). Under any
  other backend ``import sktcn`` would succeed and the first fit fail with an
  AttributeError deep in Keras; without that backend's package installed,
  ``import keras`` fails with a bare ModuleNotFoundError (``No module named
  'jax'``).
- ``TF_USE_LEGACY_KERAS``: with the ``tf_keras`` package installed it makes
  ``tensorflow.keras`` the legacy Keras 2, so keras-tcn's TCN layer is a
  ``tf_keras`` layer that Keras 3 models cannot hold, and every fit fails
  with a ValueError about a dtype policy.

This module imports nothing but the standard library at its top, so that it
can run before anything imports Keras.
"""

import os
import sys

__all__ = ["require_tensorflow_backend", "check_tcn_layer"]

def require_tensorflow_backend():
    """Import Keras and return it; ImportError unless its backend is TensorFlow.

    Returns
    -------
    module
        ``keras``.

    Raises
    ------
    ImportError
        If Keras is set to another backend. When that backend's package is
        missing, the ModuleNotFoundError that ``import keras`` raised is
        chained to it; a missing package under the TensorFlow backend
        (TensorFlow itself) propagates as it is.
    """
    try:
        import keras
    except ModuleNotFoundError as error:
        backend = _requested_backend()
        if backend in (None, "tensorflow"):
            raise
        raise ImportError(_backend_message(backend)) from error
    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise ImportError(_backend_message(backend))
    return keras


def _requested_backend():
    """The backend that a failed ``import keras`` was loading, or None if unknown.

    Keras' configuration module reads ``KERAS_BACKEND`` and ``keras.json``
    before the backend's package is imported, so it is loaded even when that
    import failed; the environment variable is the fallback.
    """
    config = sys.modules.get("keras.src.backend.config")
    if config is not None and hasattr(config, "backend"):
        return config.backend()
    return os.environ.get("KERAS_BACKEND") or None


def _backend_message(backend):
    if os.environ.get("KERAS_BACKEND") == backend:
        setting = f"the environment variable KERAS_BACKEND={os.environ['KERAS_BACKEND']!r}"
    else:
        setting = 'the "backend" entry of keras.json (in $KERAS_HOME, or else ~/.keras)'
    return (
        f"sktcn needs Keras' TensorFlow backend, but Keras is set to the {backend!r} backend by {setting}. "
        "Run the processes that use sktcn with the environment variable KERAS_BACKEND=tensorflow, which "
        "takes precedence over keras.json."
    )


def check_tcn_layer(tcn_class, layer_class):
    """ImportError unless keras-tcn's ``TCN`` (``tcn_class``) is a Keras 3 layer (``layer_class``).

    Raises
    ------
    ImportError
        If keras-tcn built its layer on another Keras, which
        ``TF_USE_LEGACY_KERAS`` causes when ``tf_keras`` is installed.
    """
    if issubclass(tcn_class, layer_class):
        return
    setting = os.environ.get("TF_USE_LEGACY_KERAS")
    cause = (
        f"TF_USE_LEGACY_KERAS={setting!r} is set, which makes tensorflow.keras (what keras-tcn imports) "
        "the legacy tf_keras package"
        if setting is not None
        else "tensorflow.keras (what keras-tcn imports) is not Keras 3"
    )
    raise ImportError(
        f"keras-tcn's TCN layer is not a Keras 3 layer: {cause}, while sktcn builds its networks with Keras 3. "
        "Unset TF_USE_LEGACY_KERAS for the processes that use sktcn."
    )
