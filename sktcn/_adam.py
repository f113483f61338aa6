"""Adam's update of all of a network's weights as one flat tensor.

Keras' TensorFlow optimizer updates each weight tensor on its own: a dozen
operations per tensor in the traced train step, each traced in Python and run
as a separate kernel every step. sktcn's networks hold a few dozen small
tensors (four per residual block), so on a CPU that bookkeeping, not the
arithmetic, is what the update costs, and tracing it is a good part of what a
small fit spends before its first step (``benchmarks/RESULTS.md``).
:func:`adam_update` does Keras' arithmetic once on the concatenated weights.
The operations are elementwise, with the same constants in the same order, so
every element gets exactly the value Keras' per-tensor update gives it: the
fits are bit for bit the same (``tests/test_adam.py``).
:func:`sktcn._compat.flatten_adam_update` hands it to a Keras ``Adam``.
"""

import tensorflow as tf


def adam_update(gradient, m, v, *, learning_rate, beta_1, beta_2, epsilon, step):
    """One Adam step on flat tensors: the new first and second moments and the amount to subtract.

    Keras' ``Adam.update_step`` element by element: ``step`` is the number of
    the step being taken (``iterations + 1``), ``beta_1``, ``beta_2`` and
    ``epsilon`` the optimizer's Python floats (``1 - beta_1`` is taken in
    Python, as Keras takes it).

    Examples
    --------
    >>> import numpy as np
    >>> m, v, delta = adam_update(np.float32([0.5, -2.0]), np.float32([0, 0]), np.float32([0, 0]),
    ...                           learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, step=1.0)
    >>> np.round(delta.numpy(), 6)  # the first step moves each weight by about the learning rate
    array([ 0.001, -0.001], dtype=float32)
    """
    dtype = tf.float32 if not hasattr(gradient, "dtype") else tf.as_dtype(gradient.dtype)
    gradient, m, v = (tf.convert_to_tensor(t, dtype) for t in (gradient, m, v))
    step = tf.cast(step, dtype)
    beta_1_power = tf.pow(tf.cast(beta_1, dtype), step)
    beta_2_power = tf.pow(tf.cast(beta_2, dtype), step)
    alpha = tf.cast(learning_rate, dtype) * tf.sqrt(1 - beta_2_power) / (1 - beta_1_power)
    m = m + (gradient - m) * (1 - beta_1)
    v = v + (tf.square(gradient) - v) * (1 - beta_2)
    return m, v, (m * alpha) / (tf.sqrt(v) + epsilon)
