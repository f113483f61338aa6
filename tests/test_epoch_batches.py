"""Training batches from arrays: a new order every pass, reproducible under a seed (sktcn._epoch_batches)."""

import numpy as np
import pytest

from sktcn import TCNRegressor, _epoch_batches
from sktcn._epoch_batches import batch_sizes, epoch_batches, evaluation_batches


def _batches(n, batch_size, passes, shuffle=True, seed=0, epochs=3):
    dataset, steps = epoch_batches((np.arange(n), np.arange(n) * 10.0), batch_size, passes, shuffle, seed)
    taken = [(a.numpy(), b.numpy()) for a, b in dataset.take(steps * epochs)]
    return steps, [taken[e * steps:(e + 1) * steps] for e in range(epochs)]


def test_batches_are_as_few_as_batch_size_allows_and_equal_to_within_one():
    assert batch_sizes(35, 32) == [18, 17]  # not 32 and a remainder of 3
    assert batch_sizes(64, 32) == [32, 32]
    assert batch_sizes(5, 32) == [5]
    for n, size, passes in [(67, 32, 3), (1000, 7, 1), (33, 32, 2)]:
        sizes = batch_sizes(n, size, passes)
        assert sum(sizes) == n * passes and len(sizes) == -(-n * passes // size)
        assert max(sizes) <= size and max(sizes) - min(sizes) <= 1
    with pytest.raises(ValueError, match="at least 1"):
        batch_sizes(0, 32)


def test_under_several_replicas_the_first_batch_is_shared_evenly():
    # Keras builds a distributed model from the first batch averaged over the
    # replicas; the sizes stay equal to within the replicas, one replica as ever.
    for replicas in (1, 2, 3, 4, 8):
        for batch_size in range(replicas, 40):
            for n_samples in range(replicas, 90):
                sizes = batch_sizes(n_samples, batch_size, 2, replicas)
                # A remainder too small for the replicas is folded in (see test_no_batch_is_smaller_than_the_replicas).
                assert sum(sizes) == 2 * n_samples and max(sizes) < batch_size + replicas and sizes[0] % replicas == 0
                if replicas == 1:
                    assert sizes == batch_sizes(n_samples, batch_size, 2)
                else:
                    assert max(sizes) - min(sizes) <= replicas
                    assert len(sizes) <= len(batch_sizes(n_samples, batch_size, 2)) + 1
    assert batch_sizes(33, 32, replicas=2) == [16, 17]
    with pytest.raises(ValueError, match="batch_size=1 cannot give each replica one") as refused:
        batch_sizes(33, 1, replicas=2)
    assert not isinstance(refused.value, _epoch_batches.TooFewSamples)  # more samples would not help
    with pytest.raises(_epoch_batches.TooFewSamples, match="3 samples cannot give each replica one"):
        batch_sizes(3, 32, replicas=4)
    with pytest.raises(_epoch_batches.TooFewSamples, match="batch_size=1 cannot give each replica one and 3"):
        batch_sizes(3, 1, replicas=4)
    batches = _epoch_batches.evaluation_batches((np.arange(7),), batch_size=32, replicas=2)
    assert [x.numpy().tolist() for (x,) in batches] == [[0, 1, 2, 3], [4, 5, 6]]


def test_no_batch_is_smaller_than_the_replicas():
    # A replica given an empty share of a batch fails in TensorFlow; one replica as ever.
    for n_samples in range(1, 140):
        for batch_size in range(1, 70):
            assert batch_sizes(n_samples, batch_size, replicas=1) == _epoch_batches._even(
                n_samples, -(-n_samples // batch_size))
            for replicas in (2, 3, 4):
                try:
                    sizes = batch_sizes(n_samples, batch_size, replicas=replicas)
                except ValueError:
                    assert batch_size < replicas or (n_samples % replicas and n_samples < 2 * replicas)
                    continue
                assert min(sizes) >= replicas and sizes[0] % replicas == 0 and sum(sizes) == n_samples
                assert max(sizes) < batch_size + replicas
    assert batch_sizes(5, 2, replicas=2) == [2, 3] and batch_sizes(9, 4, replicas=4) == [4, 5]
    with pytest.raises(ValueError, match="3 samples cannot make batches of at least 2, the first shared evenly"):
        batch_sizes(3, 32, replicas=2)
    with pytest.raises(ValueError, match="but 1 sample cannot give each replica one"):
        batch_sizes(1, 32, replicas=2)
    with pytest.raises(ValueError, match="3 samples cannot make batches"):
        _epoch_batches.evaluation_batches((np.arange(3),), batch_size=32, replicas=2)
    batches = _epoch_batches.evaluation_batches((np.arange(5),), batch_size=2, replicas=2)
    assert [x.numpy().tolist() for (x,) in batches] == [[0, 1], [2, 3, 4]]


def test_too_many_replicas_is_refused_with_only_the_remedies_that_apply():
    # Too few samples for 2 replicas: exactly 2 or at least 4 would do; a batch_size is no remedy.
    with pytest.raises(ValueError, match="but 3 samples cannot make batches") as caught:
        batch_sizes(3, 4, replicas=2)
    assert "exactly 2 or at least 4 samples would do, or fewer replicas" in str(caught.value)
    assert "batch_size" not in str(caught.value)
    # A batch_size smaller than the replicas: that alone is the remedy.
    with pytest.raises(ValueError, match="batch_size=1 cannot give each replica one: a batch_size of at least 2 would "
                                         "do, or fewer replicas"):
        batch_sizes(9, 1, replicas=2)
    # Both at once: both remedies.
    with pytest.raises(ValueError, match="batch_size=1 cannot give each replica one and 1 sample cannot give each "
                                         "replica one: a batch_size of at least 2 and exactly 2 or at least 4"):
        batch_sizes(1, 1, replicas=2)
    # The caller names the samples (e.g. the held-out ones).
    with pytest.raises(ValueError, match="but the 3 samples held out cannot make batches"):
        _epoch_batches.evaluation_batches((np.arange(3),), batch_size=4, replicas=2, samples="the 3 samples held out")


@pytest.mark.parametrize("passes", [1, 3])
def test_every_pass_visits_every_sample_once_in_a_new_order(passes):
    n, batch_size = 11, 4
    steps, epochs = _batches(n, batch_size, passes)
    orders = []
    for epoch in epochs:
        samples = np.concatenate([a for a, _ in epoch])
        assert [len(a) for a, _ in epoch] == batch_sizes(n, batch_size, passes) and len(samples) == n * passes
        for a, b in epoch:
            np.testing.assert_array_equal(b, a * 10.0)  # the arrays stay aligned
        for k in range(passes):
            one_pass = samples[k * n:(k + 1) * n]
            np.testing.assert_array_equal(np.sort(one_pass), np.arange(n))
            orders.append(tuple(one_pass))
    # Keras' own pipeline, seeded, repeats one order in every epoch; here each pass draws anew.
    assert len(set(orders)) == len(orders)


def test_the_orders_repeat_under_the_same_seed_only():
    first = _batches(9, 4, 1, seed=5)[1]
    again = _batches(9, 4, 1, seed=5)[1]
    other = _batches(9, 4, 1, seed=6)[1]
    flat = [np.concatenate([a for a, _ in epoch]) for epoch in first]
    assert all(np.array_equal(x, y) for x, y in zip(flat, [np.concatenate([a for a, _ in e]) for e in again]))
    assert not all(np.array_equal(x, y) for x, y in zip(flat, [np.concatenate([a for a, _ in e]) for e in other]))


def test_without_shuffling_every_pass_runs_in_order():
    _, epochs = _batches(5, 2, 2, shuffle=False, epochs=2)
    for epoch in epochs:
        np.testing.assert_array_equal(np.concatenate([a for a, _ in epoch]), np.tile(np.arange(5), 2))


def test_arrays_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="different numbers of samples"):
        epoch_batches((np.arange(3), np.arange(4)), 2)


def test_fits_on_arrays_train_through_it(monkeypatch):
    """TCNRegressor hands its arrays to epoch_batches (not to Keras' pipeline), one pass per epoch here."""
    calls = []
    original = _epoch_batches.epoch_batches

    def spy(arrays, batch_size, passes, shuffle, seed, replicas):
        calls.append((len(arrays[0]), batch_size, passes, shuffle, seed, replicas))
        return original(arrays, batch_size, passes, shuffle, seed, replicas)

    monkeypatch.setattr("sktcn._base.epoch_batches", spy)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(24, 8, 1)).astype(np.float32)
    reg = TCNRegressor(nb_filters=2, dilations=(1, 2), epochs=2, batch_size=8, validation_split=0.0,
                       random_state=4).fit(X, X[:, 0, 0])
    assert calls == [(24, 8, 1, True, 4, 1)]  # one replica: the default strategy
    assert len(reg.history_["loss"]) == 2
    again = TCNRegressor(**reg.get_params()).fit(X, X[:, 0, 0])
    np.testing.assert_array_equal(reg.predict(X), again.predict(X))


def test_the_pipelines_do_not_autotune():
    """tf.data's autotuning stays off in sktcn's own pipelines.

    Destroying an iterator whose autotuning had run stalled the end of about
    one fit in four for 0.6-3.5 seconds (benchmarks/RESULTS.md); a fit's
    batches are gathers of arrays in memory, which need no tuning.
    """
    arrays = (np.arange(10), np.arange(10) * 1.0)
    training, _ = epoch_batches(arrays, 4, seed=0)
    held_out = evaluation_batches(arrays, 4, replicas=1)
    for dataset in (training, held_out):
        assert dataset.options().autotune.enabled is False
        # The options that were there before stay.
        assert dataset.options().experimental_optimization.apply_default_optimizations is False
