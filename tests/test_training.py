"""The training regime of ``epochs="auto"``: its plan as pure functions, and how fits follow it."""

import warnings

import keras
import numpy as np
import pytest
from conftest import TINY

from sktcn import TCNClassifier, TCNForecaster, TCNRegressor
from sktcn import _training
from sktcn._training import (
    TrainingPlan,
    network_cost,
    network_time,
    plan_training,
    plateau_patience,
    regime_callbacks,
    validation_fraction,
)


# ------------------------------------------------------------ pure planning
def test_small_training_sets_get_the_step_budget_in_repeated_epochs():
    # 50 series of 150 steps (GunPoint), 2 batches of 32 per pass, 4 blocks of 32 filters.
    plan = plan_training(steps_per_pass=2, cost_per_pass=50 * 150 * network_cost((4, 32, 3)),
                         repeatable=True, time_per_pass=50 * 150 * network_time((4, 32, 3)))
    assert plan.passes * 2 >= _training.TARGET_STEPS
    assert plan.repeats * 2 >= _training.MIN_STEPS_PER_EPOCH and plan.scheduled
    assert plan.passes <= _training.MAX_PASSES


def test_large_training_sets_get_few_passes_and_no_repetition():
    plan = plan_training(steps_per_pass=157, cost_per_pass=5000 * 200 * 0.5, repeatable=True)
    assert plan.repeats == 1
    pass_time = 5000 * 200 * 0.5 + 157 * _training.STEP_COST
    assert plan.epochs == max(_training.MIN_PASSES, min(-(-_training.TARGET_STEPS // 157),
                                                        _training.MAX_COST // pass_time))
    huge = plan_training(steps_per_pass=10_000, cost_per_pass=320_000 * 50, repeatable=False)
    assert huge.epochs == _training.MIN_PASSES  # the floor, not the budget of steps


def test_long_series_are_capped_by_compute():
    # ACSF1: 100 series of 1,460 steps through 4 blocks.
    plan = plan_training(steps_per_pass=4, cost_per_pass=100 * 1460 * 4.0, repeatable=False)
    pass_time = 100 * 1460 * 4.0 + 4 * _training.STEP_COST
    assert plan.passes == _training.MAX_COST // pass_time
    assert plan.passes * pass_time <= _training.MAX_COST < (plan.passes + 1) * pass_time


def test_each_step_costs_time_besides_its_series_steps():
    # The same series-steps in more, smaller batches: fewer passes fit the bound.
    few = plan_training(steps_per_pass=4, cost_per_pass=100 * 1460 * 4.0)
    many = plan_training(steps_per_pass=16, cost_per_pass=100 * 1460 * 4.0)
    assert many.passes < few.passes


def test_repetition_fills_an_epoch_and_streamed_data_is_never_repeated():
    # Passes over arrays cost no copies (sktcn._epoch_batches): an epoch of one-step passes gets
    # MIN_STEPS_PER_EPOCH of them, however large the data.
    small = plan_training(steps_per_pass=1, cost_per_pass=10, repeatable=True)
    assert small.repeats == _training.MIN_STEPS_PER_EPOCH
    assert small.epochs * small.repeats >= small.passes > (small.epochs - 1) * small.repeats
    streamed = plan_training(steps_per_pass=1, cost_per_pass=10, repeatable=False)
    assert streamed.repeats == 1 and streamed.epochs == streamed.passes


def test_whole_epochs_of_repeated_passes_stay_within_the_caps():
    # 20 series make one batch a pass: 2,000 passes in epochs of 32 once rounded up to 2,016.
    capped = plan_training(steps_per_pass=1, cost_per_pass=10, repeatable=True)
    assert capped.repeats == 32 and capped.passes == 1984 <= _training.MAX_PASSES
    # Below the most, whole epochs still round up: 10 passes in epochs of 3 make 12.
    floor = plan_training(steps_per_pass=11, cost_per_pass=_training.MAX_COST, repeatable=True)
    assert floor.repeats == 3 and floor.passes == 12


@pytest.mark.parametrize("steps, cost", [(0, 10), (5, 0)])
def test_an_empty_pass_is_refused(steps, cost):
    with pytest.raises(ValueError, match="no batch"):
        plan_training(steps, cost)


def test_the_cost_counts_blocks_width_and_kernel():
    assert network_cost((1, 64, 3)) == 1.0
    assert network_cost((4, 64, 3)) == 4 * network_cost((1, 64, 3))
    assert network_cost((1, 128, 3)) == 4.0 and network_cost((1, 64, 6)) == 2.0
    assert network_cost((1, 4, 3)) == network_cost((1, 16, 3))  # overhead-bound below 16 filters


def test_the_time_counts_work_per_filter_besides_the_arithmetic():
    assert network_time((4, 64, 3)) == network_cost((4, 64, 3)) == 4.0
    # Narrow networks take longer than their arithmetic: 32 filters 0.42 of 64's time, not 0.25.
    assert 0.35 < network_time((1, 32, 3)) < 0.45 and network_cost((1, 32, 3)) == 0.25
    assert network_time((1, 128, 3)) > network_time((1, 64, 3)) > network_time((1, 64, 2))
    assert network_time((1, 4, 3)) == network_time((1, 16, 3))


def test_the_compute_bound_reads_the_time_and_the_plan_carries_the_arithmetic():
    # ACSF1 with 32 filters: the time bounds the passes; fusing reads the arithmetic (plan.cost).
    steps = 100 * 1460
    plan = plan_training(steps_per_pass=4, cost_per_pass=steps * network_cost((4, 32, 3)),
                         time_per_pass=steps * network_time((4, 32, 3)))
    assert plan.passes == _training.MAX_COST // (steps * network_time((4, 32, 3)) + 4 * _training.STEP_COST)
    assert plan.cost == plan.passes * steps * network_cost((4, 32, 3))
    assert plan_training(4, 1000.0).passes == plan_training(4, 1000.0, time_per_pass=1000.0).passes


def test_schedule_callbacks_scale_with_the_plan():
    assert plateau_patience(10) == _training.MIN_PATIENCE
    assert plateau_patience(1000) == round(_training.PATIENCE_FRACTION * 1000)
    reduce, stop = regime_callbacks(400, "val_loss", 0.01)
    assert isinstance(reduce, keras.callbacks.ReduceLROnPlateau) and reduce.monitor == "val_loss"
    assert reduce.patience == plateau_patience(400) and reduce.min_lr == pytest.approx(0.01 * _training.MIN_LR_FACTOR)
    assert isinstance(stop, keras.callbacks.EarlyStopping) and stop.restore_best_weights
    assert stop.patience == _training.STOP_PATIENCES * reduce.patience


def test_a_converged_training_loss_stops_the_fit():
    converged, reduce, stop = regime_callbacks(400, "loss", 0.01)
    assert isinstance(converged, _training.StopWhenConverged) and converged.monitor == "loss"

    class Model:
        stop_training = False

    converged.set_model(Model())
    converged.on_epoch_end(0, {"loss": 2 * _training.CONVERGED_LOSS})
    assert not converged.model.stop_training
    converged.on_epoch_end(1, {"loss": 0.5 * _training.CONVERGED_LOSS})
    assert converged.model.stop_training


# --------------------------------------------------------- fits under a plan
class WeightsPerEpoch(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(self.model.get_weights())


@pytest.fixture
def small_budget(monkeypatch):
    """A budget of a few steps, so that fits under epochs="auto" take a second."""
    monkeypatch.setattr(_training, "TARGET_STEPS", 24)
    monkeypatch.setattr(_training, "MIN_STEPS_PER_EPOCH", 4)
    monkeypatch.setattr(_training, "MIN_PASSES", 2)


def test_auto_is_the_default_and_follows_its_plan(series_2d, small_budget):
    X, y = series_2d  # 40 series: 3 batches of 16 per pass
    reg = TCNRegressor(nb_filters=4, batch_size=16, random_state=0)
    assert reg.epochs == "auto"
    reg.fit(X, y)
    plan = plan_training(3, 40 * 12, 1)  # affordable at any cost: the budget of steps decides
    assert reg.epochs_ == plan.passes == 8 and plan.repeats == 2
    assert len(reg.history_["loss"]) <= plan.epochs
    assert len(reg.history_["learning_rate"]) == len(reg.history_["loss"])


def test_an_explicit_number_of_epochs_means_exactly_that(series_2d):
    X, y = series_2d
    reg = TCNRegressor(**dict(TINY, epochs=3), random_state=0).fit(X, y)
    assert reg.epochs_ == 3 and len(reg.history_["loss"]) == 3
    assert "learning_rate" not in reg.history_  # a constant learning rate, no schedule


@pytest.fixture
def quick_plateaus(monkeypatch):
    """epochs="auto" with a budget of 3 x ``steps`` steps, one-step epochs and a patience of 1."""
    def use(steps):
        monkeypatch.setattr(_training, "TARGET_STEPS", 3 * steps)
        monkeypatch.setattr(_training, "MIN_STEPS_PER_EPOCH", 1)
        monkeypatch.setattr(_training, "MIN_PATIENCE", 1)

    return use


def test_the_schedule_lowers_the_learning_rate_on_a_plateau(series_2d, quick_plateaus):
    X, y = series_2d
    quick_plateaus(30)
    weights = WeightsPerEpoch()
    # A learning rate far too large: the loss stalls and the schedule halves it.
    # Given to fit, the callback runs for this fit only.
    reg = TCNRegressor(nb_filters=4, batch_size=16, learning_rate=5.0, random_state=0).fit(X, y, callbacks=[weights])
    rates = reg.history_["learning_rate"]
    assert min(rates) < 5.0 and min(rates) >= 5.0 * _training.MIN_LR_FACTOR - 1e-6
    assert all(later <= earlier for earlier, later in zip(rates, rates[1:]))
    # The kept weights are those of the epoch with the lowest loss, not the last.
    best = int(np.argmin(reg.history_["loss"]))
    assert best < len(rates) - 1
    for kept, at_best in zip(reg.model_.get_weights(), weights.seen[best]):
        np.testing.assert_array_equal(kept, at_best)


def test_the_schedule_reads_the_learning_rate_without_numpys_deprecated_array_copy(series_2d, quick_plateaus):
    # np.array(variable) warns under NumPy 2 (its __array__ takes no copy): once
    # per fit from sktcn, once per epoch from Keras' ReduceLROnPlateau. The
    # test sets its own filters: setup.cfg ignores DeprecationWarnings from keras.
    X, y = series_2d
    quick_plateaus(20)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reg = TCNRegressor(nb_filters=4, batch_size=16, learning_rate=5.0, warm_start=True, random_state=0).fit(X, y)
        reg.fit(X, y)
    assert min(reg.history_["learning_rate"]) < 5.0  # the schedule ran, and lowered the rate
    assert not [w for w in caught if "__array__" in str(w.message)]


@pytest.mark.skipif(np.lib.NumpyVersion(np.__version__) < "2.0.0",
                    reason="NumPy 1 has no copy keyword in __array__, so no such warning to keep")
def test_a_users_callback_keeps_its_own_array_copy_warning(series_2d):
    # The fit ignores that warning from Keras' code only, not from the user's.
    X, y = series_2d

    class ReadsTheRate(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            np.array(self.model.optimizer.learning_rate)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        TCNRegressor(nb_filters=4, epochs=2, callbacks=[ReadsTheRate()], random_state=0).fit(X, y)
    assert len([w for w in caught if "__array__" in str(w.message)]) == 2


def test_a_warm_start_restarts_the_schedule_from_the_configured_rate(series_2d, quick_plateaus):
    X, y = series_2d
    quick_plateaus(20)
    reg = TCNRegressor(nb_filters=4, batch_size=16, learning_rate=5.0, warm_start=True, random_state=0).fit(X, y)
    assert min(reg.history_["learning_rate"]) < 5.0
    n_first = len(reg.history_["loss"])
    reg.fit(X, y)
    assert reg.history_["learning_rate"][n_first] == pytest.approx(5.0)


class Interrupt(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        raise KeyboardInterrupt


def test_a_failed_warm_start_leaves_the_learning_rate_as_it_found_it(series_2d, quick_plateaus):
    X, y = series_2d
    quick_plateaus(20)
    reg = TCNRegressor(nb_filters=4, batch_size=16, learning_rate=5.0, warm_start=True, random_state=0).fit(X, y)
    lowered = float(reg.model_.optimizer.learning_rate.numpy())
    assert lowered < 5.0  # the schedule lowered it; a warm fit starts again from 5.0
    with pytest.raises(KeyboardInterrupt):
        reg.fit(X, y, callbacks=[Interrupt()])
    assert float(reg.model_.optimizer.learning_rate.numpy()) == lowered


@pytest.mark.parametrize("how", ["instance", "routed"])
def test_an_optimizer_with_its_own_schedule_keeps_it_under_auto(series_2d, small_budget, how):
    X, y = series_2d
    schedule = keras.optimizers.schedules.CosineDecay(0.01, decay_steps=50)
    given = (dict(optimizer=keras.optimizers.Adam(learning_rate=schedule)) if how == "instance"
             else dict(optimizer__learning_rate=schedule))
    reg = TCNRegressor(nb_filters=4, batch_size=16, random_state=0, **given).fit(X, y)
    # Trained on the schedule: no rate set, none lowered (no learning_rate curve), the stops kept.
    assert isinstance(reg.model_.optimizer._learning_rate, keras.optimizers.schedules.CosineDecay)
    assert "learning_rate" not in reg.history_ and 1 <= len(reg.history_["loss"]) <= reg.epochs_
    # The regime's callbacks for such an optimizer: stops and best weights, no plateau schedule.
    callbacks = regime_callbacks(400, "loss", None)
    assert not any(isinstance(c, keras.callbacks.ReduceLROnPlateau) for c in callbacks)
    assert isinstance(callbacks[-1], keras.callbacks.EarlyStopping) and callbacks[-1].restore_best_weights
    # A learning_rate cannot set a schedule's rate: a ValueError that names it.
    with pytest.raises(ValueError, match="learning_rate=0.1 cannot set the rate"):
        TCNRegressor(**TINY, learning_rate=0.1, **given).fit(X, y)


def test_a_routed_validation_freq_is_refused_where_val_loss_is_watched(series_2d, small_budget):
    X, y = series_2d
    for params in (dict(), dict(epochs=2, early_stopping=True)):
        reg = TCNRegressor(nb_filters=4, batch_size=16, validation_split=0.25, fit__validation_freq=2,
                           random_state=0, **params)
        with pytest.raises(ValueError, match="validation_freq=2 computes val_loss on some epochs only"):
            reg.fit(X, y)
        assert not hasattr(reg, "model_")
    # With nothing that watches it, validation every second epoch stays the user's choice.
    reg = TCNRegressor(**TINY, validation_split=0.25, fit__validation_freq=2, random_state=0).fit(X, y)
    assert len(reg.history_["val_loss"]) == 1


def test_small_sets_batch_the_passes_of_an_epoch_together():
    # What the user guide says of 50 and 10 series with batches of 32 (plan_training's Notes).
    from sktcn._epoch_batches import batch_sizes

    fifty, ten = plan_training(2, 50 * 10, repeatable=True), plan_training(1, 10 * 10, repeatable=True)
    assert (fifty.repeats, len(batch_sizes(50, 32, fifty.repeats))) == (16, 25)
    assert (ten.repeats, len(batch_sizes(10, 32, ten.repeats))) == (32, 10)
    assert (fifty.passes, fifty.epochs * 25) == (2000, 3125) and (ten.passes, ten.epochs * 10) == (1984, 620)


def test_early_stopping_replaces_the_regimes_stop(series_3d, small_budget):
    X, y = series_3d
    clf = TCNClassifier(nb_filters=4, batch_size=16, validation_split=0.25, early_stopping=True, patience=1,
                        random_state=0).fit(X, y)
    assert "val_loss" in clf.history_ and "learning_rate" in clf.history_
    assert len(clf.history_["loss"]) <= plan_training(2, 30 * 10 * 4, 1).epochs


def test_a_constant_weight_trains_as_no_weight(series_2d, small_budget):
    # Keras' weighted loss is sum(w * loss) / n, compared by the regime with absolute thresholds:
    # weights of 1e-4 put the first epoch below CONVERGED_LOSS and stopped the fit there (1e-30
    # trained nothing: Adam's epsilon swamped the gradients), and 1e30 "diverged", blaming X and y.
    # A fit now divides its weights by their mean: a constant weight trains as no weight, bit for bit.
    X, y = series_2d
    plain = TCNRegressor(nb_filters=4, batch_size=16, random_state=0).fit(X, y)
    for weight in (1e-4, 1e30):
        weighted = TCNRegressor(nb_filters=4, batch_size=16, random_state=0).fit(X, y, sample_weight=weight)
        assert weighted.history_["loss"] == plain.history_["loss"], weight
        np.testing.assert_array_equal(weighted.predict(X), plain.predict(X))


def test_only_the_ratios_of_the_weights_count_in_a_fit(series_2d, series_3d, small_budget):
    # Weights scaled by a power of two (exactly, in float32 too) train identically.
    X, y = series_2d
    weights = np.linspace(0.5, 3.0, len(y))
    a = TCNRegressor(nb_filters=4, batch_size=16, random_state=0).fit(X, y, sample_weight=weights)
    b = TCNRegressor(nb_filters=4, batch_size=16, random_state=0).fit(X, y, sample_weight=weights * 2.0**-20)
    assert a.history_["loss"] == b.history_["loss"]
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    # The classifier's class weights times the sample weights, alike.
    X, labels = series_3d
    plain = TCNClassifier(nb_filters=4, batch_size=16, random_state=0).fit(X, labels)
    weighted = TCNClassifier(nb_filters=4, batch_size=16, random_state=0,
                             class_weight={"pos": 1e-4, "neg": 1e-4}).fit(X, labels)
    assert weighted.history_["loss"] == plain.history_["loss"]
    np.testing.assert_array_equal(weighted.predict_proba(X), plain.predict_proba(X))


def test_weights_below_float32s_range_train_as_their_ratios_say(series_2d, tmp_path):
    # They were cast to float32 before being divided by their mean: weights of 1e-50 became 0, and
    # were refused as "Sample weights must contain at least one non-zero number".
    X, y = series_2d
    plain = TCNRegressor(**TINY, random_state=0).fit(X, y)
    constant = TCNRegressor(**TINY, random_state=0).fit(X, y, sample_weight=1e-50)
    assert constant.history_["loss"] == plain.history_["loss"]
    weights = np.where(np.arange(len(y)) % 2, 1.0, 2.0)
    varied = TCNRegressor(**TINY, random_state=0).fit(X, y, sample_weight=weights)
    tiny = TCNRegressor(**TINY, random_state=0).fit(X, y, sample_weight=weights * 1e-50)
    assert tiny.history_["loss"] == varied.history_["loss"] != plain.history_["loss"]
    # A memory map's weights, checked whole, alike.
    mapped = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+", dtype=X.dtype, shape=X.shape)
    mapped[:] = X
    streamed = TCNRegressor(**TINY, random_state=0).fit(mapped, y, sample_weight=weights * 1e-50)
    assert streamed.history_["loss"] == TCNRegressor(**TINY, random_state=0).fit(
        mapped, y, sample_weight=weights).history_["loss"]
    # partial_fit uses them as given, where float32 has them all 0: it says so.
    with pytest.raises(ValueError, match=r"Sample weights of at most 2e-50 all round to 0 in float32.* 1e50"):
        TCNRegressor(**TINY, random_state=0).partial_fit(X, y, sample_weight=weights * 1e-50)
    with pytest.raises(ValueError, match="Sample weights must contain at least one non-zero number"):
        TCNRegressor(**TINY, random_state=0).fit(X, y, sample_weight=np.zeros(len(y)))


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_a_weight_that_float32_rounds_to_0_is_dropped_as_a_zero_weight(series_2d, method):
    # Samples of weight 0 were dropped before the cast to float32: 1e-50 among ones was kept with
    # the weight 0, taking places in the batches, and trained otherwise than a weight of 0.
    X, y = series_2d
    tiny, zero = np.ones(len(y)), np.ones(len(y))
    tiny[::2], zero[::2] = 1e-50, 0.0
    fits = [getattr(TCNRegressor(**TINY, random_state=0, shuffle=False), method)(X, y, sample_weight=w)
            for w in (tiny, zero)]
    assert fits[0].history_["loss"] == fits[1].history_["loss"]
    np.testing.assert_array_equal(fits[0].predict(X), fits[1].predict(X))


def test_partial_fit_keeps_the_weights_of_each_call_as_given(series_2d):
    # One call sees one batch of the data: the calls weigh relative to each other.
    X, y = series_2d
    plain = TCNRegressor(**TINY, random_state=0).partial_fit(X, y)
    doubled = TCNRegressor(**TINY, random_state=0).partial_fit(X, y, sample_weight=2.0)
    assert doubled.history_["loss"][0] == pytest.approx(2 * plain.history_["loss"][0], rel=1e-3)
    assert not hasattr(doubled, "_weights_as_given")
    # Such weights may be what diverges: the message says so, not only "scale X and y".
    with pytest.raises(ValueError, match=r"Training diverged.*partial_fit call, used as given, average 1e\+30"):
        TCNRegressor(**TINY, random_state=0).partial_fit(X, y, sample_weight=1e30)
    assert TCNRegressor(**TINY, random_state=0).fit(X, y, sample_weight=2.0).history_["loss"] == \
        TCNRegressor(**TINY, random_state=0).fit(X, y).history_["loss"]


def test_weights_beyond_float32s_range_fit_without_overflow_warnings(series_2d):
    # is_unit_mean compared the mean with float32's eps in float32 (NumPy 2's promotion): 1e50 overflowed there.
    X, y = series_2d
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(y)) * 1e50
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert not _training.is_unit_mean(1e50)
        TCNRegressor(**TINY, random_state=0).fit(X, y, sample_weight=weights)


def test_weights_at_float64s_largest_number_stay_finite(series_2d):
    # Rounded to float32's precision they became 2**1024, infinite: partial_fit's message then raised
    # OverflowError, and a fit with one such weight said "Sample weights of at most inf".
    X, y = series_2d
    top = np.finfo(np.float64).max
    with warnings.catch_warnings():  # nor does any overflow warn
        warnings.simplefilter("error", RuntimeWarning)
        assert _training.float32_precision(np.array([top, -top])).tolist() == [top, -top]
        with pytest.raises(ValueError, match=r"up to 1\.8e\+308 exceed float32's largest number.*e\.g\. 1e308\."):
            TCNRegressor(**TINY, random_state=0).partial_fit(X, y, sample_weight=np.full(len(y), top))
        # Their ratios train where their sum stays finite; where it does not the message gives the true weights.
        TCNRegressor(**TINY, random_state=0).fit(X, y, sample_weight=np.r_[top, np.ones(len(y) - 1)])
        with pytest.raises(ValueError, match=r"up to 1\.8e\+308 sum beyond float64's range"):
            TCNRegressor(**TINY, random_state=0).fit(X, y, sample_weight=np.r_[top, top, np.ones(len(y) - 2)])
        # Class weights times sample weights may overflow where neither does.
        with pytest.raises(ValueError, match=r"class weights \(some of them infinite in float64\) exceed float32's"):
            _training.given_weights(np.array([1.0, np.inf]))


@pytest.mark.parametrize(
    "split, n_samples, scheduled, in_memory, expected",
    [
        ("auto", _training.AUTO_VALIDATION_MIN_SERIES, True, True, _training.AUTO_VALIDATION_FRACTION),
        ("auto", _training.AUTO_VALIDATION_MIN_SERIES - 1, True, True, 0.0),  # too few series to spare
        ("auto", 10_000, False, True, 0.0),  # explicit epochs: nothing uses a held-out loss
        ("auto", 10_000, True, False, 0.0),  # streamed: no series to draw from
        (0.3, 10, False, True, 0.3),  # a number is kept as given
        (0.0, 10_000, True, True, 0.0),
    ],
)
def test_validation_fraction_resolves_auto(split, n_samples, scheduled, in_memory, expected):
    assert validation_fraction(split, n_samples, scheduled, in_memory) == expected


def test_the_regressor_validates_on_a_fifth_of_enough_series(rng, small_budget, monkeypatch):
    monkeypatch.setattr(_training, "AUTO_VALIDATION_MIN_SERIES", 50)
    X = rng.normal(size=(60, 8)).astype(np.float32)
    y = X[:, 0] + X[:, -1]
    reg = TCNRegressor(nb_filters=4, batch_size=16, random_state=0)
    assert reg.validation_split == "auto" and TCNClassifier().validation_split == 0.0
    reg.fit(X, y)
    assert "val_loss" in reg.history_ and reg.validation_split == "auto"  # the parameter stays verbatim
    # 48 of the 60 series train: 3 batches of 16 per pass, as the plan counts them.
    assert reg.epochs_ == plan_training(3, 48 * 8, 1).passes
    # Below the threshold, and with explicit epochs, every series trains.
    assert "val_loss" not in TCNRegressor(nb_filters=4, batch_size=16, random_state=0).fit(X[:49], y[:49]).history_
    assert "val_loss" not in TCNRegressor(**TINY, random_state=0).fit(X, y).history_


def test_auto_validation_is_not_the_forecasters():
    # Its windows overlap: a random split would validate on what it trained on.
    with pytest.raises(ValueError, match="validation_split"):
        TCNForecaster(validation_split="auto").fit(np.arange(40.0), fh=[1])


def test_epochs_must_be_a_positive_integer_or_auto(series_2d):
    X, y = series_2d
    for bad in (0, "many", 2.5):
        with pytest.raises((ValueError, TypeError), match="epochs"):
            TCNRegressor(epochs=bad).fit(X, y)
    assert not hasattr(TCNRegressor(epochs=0), "model_")


def test_a_fitted_plan_is_a_dataclass():
    assert TrainingPlan(epochs=3).passes == 3 and not TrainingPlan(epochs=3).scheduled
    assert np.isclose(TrainingPlan(epochs=3, repeats=4, scheduled=True).passes, 12)


def test_partial_fit_refuses_weights_that_float32_cannot_hold():
    # partial_fit casts its weights as given: nothing brings them into float32's range first.
    given_weights = _training.given_weights
    with pytest.raises(ValueError, match=r"up to 1e\+50 exceed float32's largest number.*divide them"):
        given_weights(np.array([1.0, 1e50]))
    with pytest.raises(ValueError, match=r"at most 2e-50 all round to 0 in float32.*1e50"):
        given_weights(np.array([0.0, 2e-50]))
    assert given_weights(np.zeros(2)).tolist() == [0.0, 0.0]  # one streamed batch may weigh nothing


def test_a_fit_under_a_bfloat16_floatx_records_its_history_as_floats(series_2d, keras_globals):
    # Keras' History then holds scalar bfloat16 tensors, which NumPy cannot read:
    # the convergence check raised "object __array__ method not producing an array".
    X, y = series_2d
    keras_globals("bfloat16")
    reg = TCNRegressor(nb_filters=4, epochs=2, random_state=0).fit(X, y)
    assert reg.history_["loss"] and all(type(value) is float for value in reg.history_["loss"])
    assert np.isfinite(reg.predict(X)).all()
