import numpy as np
import pytest

from sktcn import TCNRegressor
from sktcn.datasets import (
    load_sequential_digits,
    make_adding_problem,
    make_copy_memory,
    make_first_plus_last,
    make_two_sines,
)
from sktcn.inspection import blinding_probe, change_probe, effective_memory


@pytest.mark.parametrize(
    "make, kwargs",
    [
        (make_adding_problem, dict(n_samples=20, n_timesteps=30)),
        (make_copy_memory, dict(n_samples=20, n_blanks=7, n_digits=4)),
        (make_first_plus_last, dict(n_samples=20, n_timesteps=9)),
        (make_two_sines, dict(n_series=20)),
    ],
)
def test_generators_are_seeded(make, kwargs):
    a, b = make(**kwargs, random_state=3), make(**kwargs, random_state=3)
    c = make(**kwargs, random_state=4)
    for left, right in zip(a, b):
        np.testing.assert_array_equal(left, right)
    assert not np.array_equal(a[0], c[0])


def test_shapes_and_targets():
    X, y = make_adding_problem(n_samples=50, n_timesteps=30, random_state=0)
    assert X.shape == (50, 30, 2) and y.shape == (50,)
    assert (X[..., 1].sum(axis=1) == 2).all()
    first_half, second_half = X[:, :15, 1].sum(axis=1), X[:, 15:, 1].sum(axis=1)
    assert (first_half == 1).all() and (second_half == 1).all()
    X, y = make_copy_memory(n_samples=5, n_blanks=7, n_digits=4, random_state=0)
    assert X.shape == (5, 16, 1) and y.shape == (5, 16)
    assert (X[:, 11, 0] == 9).all() and (y[:, :-4] == 0).all() and set(np.unique(y[:, -4:])) <= set(range(1, 9))
    X, future = make_two_sines(n_series=4, n_timesteps=50, horizon=10, random_state=0)
    assert X.shape == (4, 50) and future.shape == (4, 10) and np.abs(X).max() < 0.8
    X, y = load_sequential_digits()
    assert X.shape == (1797, 64, 1) and 0 <= X.min() and X.max() <= 1 and y.shape == (1797,)


@pytest.fixture(scope="module")
def first_plus_last():
    X, y = make_first_plus_last(n_samples=600, n_timesteps=16, random_state=0)
    remembers = TCNRegressor(nb_filters=16, epochs=20, learning_rate=0.005, random_state=0).fit(X, y)
    forgets = TCNRegressor(nb_filters=16, epochs=20, learning_rate=0.005, dilations=(1, 2), random_state=0)
    with pytest.warns(UserWarning, match="receptive field"):
        forgets.fit(X, y)  # receptive field 13 < 16: x[0] is out of reach
    return X, remembers, forgets


def test_change_probe_tells_a_model_that_remembers_from_one_that_cannot(first_plus_last):
    X, remembers, forgets = first_plus_last
    assert change_probe(forgets, X, step=0) == 0.0
    assert change_probe(remembers, X, step=0) > 0.5
    assert change_probe(forgets, X, step=-1) > 0.5


def test_blinding_probe(first_plus_last):
    X, remembers, forgets = first_plus_last
    remembered, forgotten = blinding_probe(remembers, X), blinding_probe(forgets, X)
    assert remembered < 0.3 < forgotten


def test_effective_memory_is_zero_beyond_the_receptive_field(first_plus_last):
    X, _, forgets = first_plus_last
    curve = effective_memory(forgets, X[:50])
    assert curve.shape == (16,)
    assert np.all(curve[forgets.receptive_field_:] == 0) and curve[0] > 0


def test_probes_reject_bad_shapes(first_plus_last):
    _, remembers, _ = first_plus_last
    with pytest.raises(ValueError, match="dimensions"):
        change_probe(remembers, np.ones(5))
