"""One Keras network trained afresh by several fits in turn, built and traced once.

The forecaster's calibration backtest (``TCNForecaster.calibration_size``)
trains one network per held-out block: the same architecture and seed on a
longer prefix of the windows each time. Built anew for every block, each
network pays Keras' model building and, above all, the trace of its train
step, which on airline's short windows cost more than the training itself
(``benchmarks/RESULTS.md``). Here the first fit builds the network, and each
later fit restores the state the network had when it was built (weights,
batch-normalisation statistics, random-seed states, and the optimizer's step
counter, learning rate and moments) on the same Keras model, whose traced train
step Keras keeps. Each fit thus starts exactly where a newly built network of
that seed would, and only the state moves, never the graph.

Only fits of estimators with equal parameters may share one
:class:`ReusedNetwork`, and only one at a time: a later fit overwrites the
network an earlier one trained, so the earlier estimator must be done with it
(the backtest scores each block's network before training the next).
"""

from sktcn import _compat


class ReusedNetwork:
    """The Keras model that successive fits share, and the state it was built with.

    ``inputs`` names what the network's build depends on besides the
    estimator's parameters, as a hashable value (the estimators pass their
    channels, series length, output shape and input statistics); a fit whose
    ``inputs`` differ builds a new network instead.

    Examples
    --------
    >>> import keras
    >>> from sktcn._network_reuse import ReusedNetwork
    >>> def build():
    ...     model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    ...     model.compile(optimizer="adam", loss="mse")
    ...     return model
    >>> reuse = ReusedNetwork()
    >>> first = reuse.model_for(build, inputs=(2,))
    >>> built_with = first.get_weights()
    >>> _ = first.layers[0].kernel.assign(first.layers[0].kernel + 1.0)  # "training"
    >>> again = reuse.model_for(build, inputs=(2,))
    >>> again is first, all((a == b).all() for a, b in zip(again.get_weights(), built_with))
    (True, True)
    """

    def __init__(self):
        self.model = None
        self.inputs = None
        self._initial = None

    def model_for(self, build, inputs):
        """The network a fit trains: ``build()`` on the first call (or new ``inputs``), else the same one reset.

        ``build()`` may return None (no network for these inputs); so does this call then.
        """
        if self.model is None or self.inputs != inputs:
            model = build()
            if model is None:  # the builder found nothing to build: nothing to keep
                return None
            # The optimizer's variables exist from here on, so that their
            # initial values (zeros, the configured learning rate) are kept too.
            _compat.build_optimizer(model)
            self.model, self.inputs, self._initial = model, inputs, _state_values(model)
            return model
        for variable, value in zip(_state(self.model), self._initial, strict=True):
            variable.assign(value)
        return self.model


def _state(model):
    """Every variable whose value a fit changes: the model's (seed states included) and the optimizer's."""
    optimizer_variables = model.optimizer.variables if model.optimizer is not None else []
    return list(model.variables) + list(optimizer_variables)


def _state_values(model):
    return [variable.numpy().copy() for variable in _state(model)]
