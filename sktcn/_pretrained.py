"""Networks that start a fit from trained weights: what sktime's ``pretrain`` leaves a forecaster.

``TCNForecaster.pretrain`` trains the forecaster's networks on a panel, one
global model, and keeps their weights (:class:`Pretrained`). A later ``fit``
on other series then starts every network it trains from those weights instead
of a random initialisation, and trains them further on the new data: the
networks of the forecast start from all the pretrained members, the
calibration backtest's single networks from the first, the member that shares
their seed. The target standardisation stays the pretrained one, since the
networks' outputs are in its units.
"""

import copy
from typing import NamedTuple

import numpy as np

from sktcn._ensemble import member_networks


class StartingPoint(NamedTuple):
    """The weights a regressor's new network starts from, and the target standardisation they were trained with.

    ``member_weights``: one list of arrays (Keras ``get_weights`` order) per
    member network, in member order. ``target_encoder``: the fitted encoder
    whose units the networks' outputs are in.
    """

    member_weights: list
    target_encoder: object

    def first(self, n_members):
        """The starting point of an ensemble of the first ``n_members`` members (ValueError where there are fewer)."""
        if n_members > len(self.member_weights):
            raise ValueError(
                f"The pretrained networks are {len(self.member_weights)}, too few to start {n_members}: set "
                f"n_networks to at most {len(self.member_weights)}, or pretrain again with n_networks={n_members}."
            )
        return self._replace(member_weights=self.member_weights[:n_members])


def starting_point(regressor):
    """The :class:`StartingPoint` of a fitted sktcn regressor: copies of its members' weights and target encoder.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn import TCNRegressor
    >>> from sktcn._pretrained import starting_point
    >>> X = np.random.default_rng(0).normal(size=(8, 6))
    >>> reg = TCNRegressor(nb_filters=2, kernel_size=2, dilations=(1, 2), epochs=1, verbose=0).fit(X, X[:, -1])
    >>> start = starting_point(reg)
    >>> len(start.member_weights), type(start.target_encoder).__name__
    (1, 'StandardTargetEncoder')
    """
    return StartingPoint(
        [[np.array(value) for value in network.get_weights()] for network in _networks(regressor.model_)],
        copy.deepcopy(regressor.target_encoder_),
    )


def load_starting_point(model, start):
    """Set the weights of ``model``'s member networks to those of ``start`` (a :class:`StartingPoint`).

    A ValueError where the networks' shapes differ from the pretrained ones:
    other data (variables, exogenous columns, features) or other parameters
    than the pretraining's build other networks.
    """
    networks = _networks(model)
    shapes = [[tuple(weight.shape) for weight in network.weights] for network in networks]
    pretrained = [[value.shape for value in weights] for weights in start.member_weights]
    if shapes != pretrained:
        raise ValueError(
            "The networks built for these data differ from the pretrained ones (other numbers of variables, "
            "exogenous columns or features, or other network parameters than those of the pretraining): fit "
            "data of the pretraining's form with its parameters, or pretrain again."
        )
    for network, weights in zip(networks, start.member_weights, strict=True):
        network.set_weights(weights)


def _networks(model):
    """The member networks of a regressor's ``model_``: the members of an ensemble, or the model itself."""
    return member_networks(model) or [model]


class Pretrained(NamedTuple):
    """What ``TCNForecaster.pretrain`` keeps (``pretrained_``): the networks' starting point and their frame.

    The frame is what shapes the networks and what they learnt to correct:
    the horizon they forecast, the window they read, the baseline forecast
    and its season. A fit that starts from the networks keeps all four.
    """

    start: StartingPoint
    horizon: int
    window_length: int
    baseline: str
    sp: int
    baseline_revision: int
    # The variables of y the networks forecast: fit's y must have as many.
    n_variables: int
    # The number of series and of observations the networks were pretrained on, over every call.
    n_series: int
    n_observations: int

    @property
    def n_networks(self):
        return len(self.start.member_weights)
