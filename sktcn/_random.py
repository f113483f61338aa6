"""Seeds: one int for Keras from a scikit-learn ``random_state``, and one per network of an ensemble."""

import numbers

from sklearn.utils import check_random_state


def seed_from(random_state):
    """An int seed for Keras from ``random_state`` (None stays None)."""
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(2**31 - 1))


def member_seeds(random_state, n_networks):
    """One seed per network: ``random_state``, ``random_state + 1``, ... (``None``: all unseeded).

    Examples
    --------
    >>> from sktcn._random import member_seeds
    >>> member_seeds(7, 3), member_seeds(None, 2)
    ([7, 8, 9], [None, None])
    """
    base = seed_from(random_state)
    return [None if base is None else base + k for k in range(n_networks)]
