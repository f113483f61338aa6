"""LSTM baselines with the same scikit-learn interface as the TCN estimators.

The source documents compare TCNs with LSTMs of similar size (the keras-tcn
README on sequential MNIST and PTB, the memory study on ``y = x[0] + x[-1]``).
``LSTMRegressor`` and ``LSTMClassifier`` make that comparison a one-line swap:
they share with ``TCNRegressor`` and ``TCNClassifier`` the input validation,
target encoding, seeding, training parameters, ``history_`` and pickling. Their
network is a single Keras ``LSTM`` layer of ``units`` cells, and they do not
take these parameters of the TCN estimators (passing one raises a TypeError
that names it):

- ``input_scaling``: the LSTM sees its inputs as given, unscaled, where the TCN
  estimators standardise every feature but 0/1 indicators and those near
  unit scale (``input_scaling="auto"``, their default). On data in raw
  units the LSTM then trains on a harder problem than the TCN, and a comparison
  measures the scaling as much as the networks: standardise the inputs first
  (each feature with its mean and standard deviation over the training
  series and steps, as ``input_scaling="standard"`` does) and give both
  models the same scaled data.
- ``input_noise``: the baselines train on their inputs without noise, as the
  TCN estimators do by default (``input_noise=0.0``).
- ``n_networks``: a baseline is one network; compare it with a TCN estimator
  of ``n_networks=1``, their default.
- ``pooling``: the LSTM predicts from its last state, as ``pooling="last"``
  does; ``TCNClassifier`` pools every step's features by default
  (``"mean"``).
- ``subsequence_length`` and ``subsequence_sampling``: the baselines train on
  whole sequences (an LSTM carries its state across the sequence).
- the TCN's network parameters ``nb_filters``, ``kernel_size``,
  ``dilations``, ``nb_stacks``, ``padding``, ``use_skip_connections``,
  ``dropout_rate``, ``activation``, ``kernel_initializer``,
  ``use_batch_norm``, ``use_layer_norm``, ``use_weight_norm`` and
  ``go_backwards``: ``units`` sizes the LSTM.

One default differs: the training parameters' defaults are
``TCNEstimatorBase``'s, so ``LSTMRegressor`` holds nothing out by default
(``validation_split=0.0``, where ``TCNRegressor`` has ``"auto"``, which it
also takes). And ``save`` refuses: sktcn's file format stores TCN networks
only, so pickle or joblib stores a baseline. ``mixed_precision=True``
computes the LSTM layer in float16 as it does the TCN (float32 weights and
output head, loss scaling), so that a GPU comparison compares like with like.
"""

import inspect
import numbers

import keras
from sklearn.utils._param_validation import Interval

from sktcn import _docs
from sktcn._base import (
    _TCN_PARAMS,
    ESTIMATOR_PARAMS,
    TCNEstimatorBase,
    extend_signature,
)
from sktcn._distribute import unmixed_policy_scope
from sktcn._network import output_head, precision_dtypes
from sktcn._param_checks import check_constraints, check_keras_names, check_routed_params
from sktcn._validation import python_ints
from sktcn.classifier import TCNClassifier
from sktcn.regressor import TCNRegressor

__all__ = ["LSTMRegressor", "LSTMClassifier"]

# TCN-only parameters of the base estimator and of TCNClassifier/TCNRegressor
# (``pooling``: an LSTM here reads its last state; ``n_networks``: a baseline is one network); everything else (training,
# optimizer, seeding) the LSTM baselines share unchanged.
_TCN_ONLY = (set(_TCN_PARAMS) | {"dilations"} | set(ESTIMATOR_PARAMS)) - {"return_sequences"}

# Why a baseline does not take a TCN-only parameter, for the TypeError that refuses
# it (the module docstring, the README and the user guide list them all).
_NOT_TAKEN = {
    "input_scaling": "the LSTM sees its inputs as given, unscaled; standardise them first (for a fair comparison, "
                     "give the TCN estimator the same scaled data)",
    "input_noise": "the baselines train on their inputs without noise, as the TCN estimators do by default",
    "n_networks": "a baseline is one network",
    "pooling": 'the LSTM predicts from its last state, as pooling="last" does',
    "subsequence_length": "the baselines train on whole sequences",
    "subsequence_sampling": "the baselines train on whole sequences",
}

_SHARED = [
    p
    for p in inspect.signature(TCNEstimatorBase.__init__).parameters.values()
    if p.name not in _TCN_ONLY and p.kind is p.KEYWORD_ONLY
]


def _lstm_constraints(tcn_constraints):
    constraints = {k: v for k, v in tcn_constraints.items() if k not in _TCN_ONLY}
    constraints["units"] = [Interval(numbers.Integral, 1, None, closed="left")]
    return constraints


class _LSTMNetwork:
    """Swaps the TCN of an sktcn estimator for one LSTM layer."""

    def __init__(self, *, units=64, **kwargs):
        refused = sorted(_TCN_ONLY.intersection(kwargs))
        if refused:
            name = refused[0]
            reason = _NOT_TAKEN.get(name, "it shapes the TCN network, which a baseline replaces with one LSTM layer "
                                          "of `units` cells")
            raise TypeError(f"{type(self).__name__} does not take {name!r}, a parameter of the TCN estimators "
                            f"only: {reason}. The module sktcn.baselines lists what the baselines do not take.")
        self.units = units
        for param in _SHARED:
            setattr(self, param.name, kwargs.pop(param.name, param.default))
        check_routed_params(self, kwargs)
        vars(self).update(kwargs)  # routed parameters, as the TCN estimators keep them

    __init__.__signature__ = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
         inspect.Parameter("units", inspect.Parameter.KEYWORD_ONLY, default=64),
         *_SHARED,
         inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)]
    )

    def save(self, path):
        # sktcn's loader accepts the layers of sktcn's TCN builder only (sktcn._keras_file).
        raise TypeError(f"{type(self).__name__} cannot be saved with save(): sktcn's file format stores the TCN "
                        "estimators only; pickle or joblib stores it (with its network).")

    def _check_params(self):
        check_constraints(self)
        # The TCN estimators' own checks are of TCN parameters, but for these names
        # (a baseline has no activation nor kernel_initializer) and the loss.
        check_keras_names(self, ("optimizer", "loss"))
        self._check_loss()

    def _network_shape(self):
        # For the cost of an epochs="auto" plan: an LSTM step's 4 gates on input
        # and state cost about what one block of `units` filters of kernel 4 does.
        return 1, self.units, 4

    def _build_network(self):
        # Checked as numbers.Integral, which numpy's integers are too; Keras' LSTM takes Python ints only.
        units = python_ints(self.units)
        # mixed_precision (or a mixed global policy of Keras) as the TCN
        # estimators apply it (their optimizer's loss scaling is shared):
        # float16 in the LSTM, float32 in the head.
        encoder_dtype, head_dtype = precision_dtypes(self.mixed_precision)
        with unmixed_policy_scope():
            inputs = keras.Input(shape=(None, self._n_channels), dtype="float32")
            features = keras.layers.LSTM(units, return_sequences=self.return_sequences, name="lstm",
                                         dtype=encoder_dtype)(inputs)
            outputs = output_head(
                features,
                sequence=self.return_sequences,
                output_shape=self._output_shape,
                n_classes=self._n_network_classes(),
                dtype=head_dtype,
                kernel_initializer=self._head_initializer,
            )
            return keras.Model(inputs, outputs, name="sktcn_lstm")


_PARAMETERS_DOC = """
    Parameters
    ----------
    units : int, default=64
        Number of LSTM cells.
    return_sequences : bool, default=False
        Predict one target per time step.
""" + _docs.grouped([p.name for p in _SHARED if p.name != "return_sequences"] + ["**kwargs"],
                  "As for the TCN estimators, with the defaults shown in the signature: "
                  '``validation_split=0.0`` also for LSTMRegressor (TCNRegressor: ``"auto"``, which '
                  "LSTMRegressor also takes). ``mixed_precision=True`` computes the LSTM layer in float16 "
                  "(float32 weights), as it does the TCN, with a float32 output head and loss scaling.")

_NOT_TAKEN_DOC = """
    It does not take the TCN estimators' ``input_scaling`` (its inputs go in
    as given: standardise them first, and give the TCN the same data for a
    fair comparison), ``n_networks``, ``pooling``, ``subsequence_length``,
    ``subsequence_sampling`` or TCN network parameters; the module
    :mod:`sktcn.baselines` lists them.
"""

_ATTRIBUTES_DOC = """
    Attributes
    ----------
    model_ : keras.Model
    history_ : dict
        Loss (and metric) per epoch.
    n_features_in_, n_timesteps_in_, feature_names_in_
        As for the TCN estimators.
"""


class LSTMRegressor(_LSTMNetwork, TCNRegressor):
    __doc__ = f"""One-layer LSTM regressor with the interface of TCNRegressor, as a baseline.
    {_NOT_TAKEN_DOC}{_PARAMETERS_DOC}{_ATTRIBUTES_DOC}
    Examples
    --------
    >>> from sktcn.baselines import LSTMRegressor
    >>> from sktcn.datasets import make_first_plus_last
    >>> X, y = make_first_plus_last(n_samples=64, n_timesteps=10, random_state=0)
    >>> reg = LSTMRegressor(units=8, epochs=2, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints = _lstm_constraints(TCNRegressor._parameter_constraints)


class LSTMClassifier(_LSTMNetwork, TCNClassifier):
    __doc__ = f"""One-layer LSTM classifier with the interface of TCNClassifier, as a baseline.
    {_NOT_TAKEN_DOC}{_PARAMETERS_DOC}    class_weight : dict, "balanced" or None, default=None
        As for TCNClassifier.
    {_ATTRIBUTES_DOC}
    Examples
    --------
    >>> import numpy as np
    >>> from sktcn.baselines import LSTMClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 8, 2))
    >>> y = np.where(X[:, :, 0].sum(axis=1) > 0, "up", "down")
    >>> clf = LSTMClassifier(units=4, epochs=2, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints = _lstm_constraints(TCNClassifier._parameter_constraints)

    def __init__(self, *, class_weight=None, **kwargs):
        _LSTMNetwork.__init__(self, **kwargs)
        self.class_weight = class_weight

    __init__ = extend_signature(__init__, base_init=_LSTMNetwork.__init__, class_weight=None)
