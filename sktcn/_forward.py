"""The compiled predict path: a fitted network's inference-mode forward pass, traced on demand.

Keras' ``model.predict`` costs tens of milliseconds per call in its own
machinery; a ``tf.function`` around the network costs microseconds once
traced, and tracing is paid only by estimators that predict more than a
couple of times (see ``TracedOnDemand``).
"""

import tensorflow as tf

from sktcn._ensemble import mean_of_members, member_networks


class Forward:
    """Inference-mode call of a model, as an object rather than a closure.

    TensorFlow's retracing detector keys on a function's ``__code__``; every
    estimator's closure would share one and trigger false retracing warnings.

    For an ensemble's model (``average_model``) it returns the list of its
    members' outputs, not their average: see ``TracedOnDemand``.
    """

    def __init__(self, model):
        self.model = model
        self.members = member_networks(model)

    def outputs(self, x):
        """The model's outputs for ``x``, or the list of its members' outputs for an ensemble."""
        if self.members:
            return [member(x, training=False) for member in self.members]
        return self.model(x, training=False)

    def __call__(self, x):
        return self.outputs(x)


# Calls of a model's forward pass that run eagerly before it is traced (see TracedOnDemand).
EAGER_CALLS = 2


class TracedOnDemand:
    """A model's inference-mode forward pass: eager for its first ``EAGER_CALLS`` calls, then traced.

    A traced graph runs a call in microseconds of overhead, but tracing it
    costs about as much as ten eager calls (airline's forecaster: 0.35-0.5 s
    for one network against ~50 ms eagerly, 1.4-1.6 s for three against
    ~140 ms). Many fits are followed by only a call or two (a search's score,
    a backtest's fold, the forecaster's residuals of its own fit); those pay
    no trace. Repeated predictions pay at most ``EAGER_CALLS`` eager calls on
    top of the trace they would have paid anyway.

    Thread-safe (threads serving one fitted estimator, joblib's threading
    backend in ``permutation_importance``): keras-tcn's ``TCN.call`` keeps its
    working lists on the layer, so two eager calls at once add up each other's
    skip connections, and a trace made while another thread calls eagerly
    captures that thread's tensors as constants of the graph, which then
    serves every later call. ``lock``, shared by the forward passes of one
    estimator (an ensemble's members share their layers with its model), is
    held for the eager calls and while the graph is made and traced; calls of
    the finished graph touch no Python state and take no lock.

    Calls return an ndarray. An ensemble's calls, eager and traced alike,
    compute its members' outputs and average them with ``mean_of_members``,
    in NumPy, outside the graph: the
    model's ``Average`` layer divides by the number of members, which a traced
    graph does as a multiplication by its reciprocal, so its predictions
    would change in the last bit from the first traced call on, and a saved
    and loaded ensemble (eager again) would not predict bit for bit as the
    one saved.
    """

    def __init__(self, model, n_channels, lock):
        self.model = model
        self.forward = Forward(model)
        self.spec = tf.TensorSpec((None, None, n_channels), tf.float32)
        self.lock = lock
        self.eager_calls = 0
        self.traced = None

    def __call__(self, x):
        outputs = self._outputs(x)
        if self.forward.members:
            return mean_of_members([output.numpy() for output in outputs])
        return outputs.numpy()

    def _outputs(self, x):
        """The outputs of ``forward`` for ``x``: eagerly for the first ``EAGER_CALLS`` calls, then traced."""
        traced = self.traced
        if traced is None:
            with self.lock:
                if self.traced is None:
                    if self.eager_calls < EAGER_CALLS:
                        self.eager_calls += 1
                        return self.forward.outputs(tf.convert_to_tensor(x, tf.float32))
                    # One graph for every batch size and sequence length, traced
                    # here, under the lock, before other threads can call it.
                    function = tf.function(self.forward, input_signature=[self.spec])
                    function.get_concrete_function()
                    self.traced = function
                traced = self.traced
        return traced(x)
