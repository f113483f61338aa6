"""TCNClassifier's class weights and partial_fit's classes, as scikit-learn defines them."""

import numpy as np
import pytest
from conftest import TINY
from sklearn.utils.class_weight import compute_class_weight

from sktcn import TCNClassifier
from sktcn._streaming import RowBatches

ONE_EPOCH = dict(TINY, epochs=1, random_state=0)


@pytest.fixture
def rare_class(rng):
    """30 series of 16 steps; "c" is rare, and absent from the first 16 rows (one batch)."""
    X = rng.normal(size=(30, 16, 2)).astype(np.float32)
    return X, np.array(["a", "b"] * 14 + ["c", "c"])


@pytest.fixture
def applied_weights(monkeypatch):
    """Every ``(encoded y, weights)`` pair that training is given, batch by batch for streamed X."""
    applied = []
    original = TCNClassifier._training_weights

    def recording(self, y, sample_weight):
        weights = original(self, y, sample_weight)
        applied.append((y, weights))
        return weights

    monkeypatch.setattr(TCNClassifier, "_training_weights", recording)
    return applied


def balanced(y):
    """scikit-learn's balanced weight of each sample of ``y``."""
    classes = np.unique(y)
    return compute_class_weight("balanced", classes=classes, y=y)[np.searchsorted(classes, y)]


def assert_weights_follow(applied, classes, per_label):
    """Each weight given to training is ``per_label``'s for its sample's label."""
    assert applied
    for y, weights in applied:
        expected = np.array([per_label[label] for label in classes[y]], np.float32)
        np.testing.assert_allclose(weights, expected, rtol=1e-6)


@pytest.mark.parametrize(
    "class_weight, match",
    [
        ({"a": -1.0, "b": 1.0}, "class_weight gives class 'a' the weight -1.0; .* finite and non-negative"),
        ({"b": np.nan}, "class_weight gives class 'b' the weight nan"),
        ({"c": np.inf}, "class_weight gives class 'c' the weight inf"),
        ({"a": 0, "b": 0.0, "c": np.float32(0)}, r"class_weight gives every class \('a', 'b', 'c'\) the weight 0"),
    ],
)
def test_class_weights_are_checked_as_sample_weights_are(rare_class, class_weight, match):
    # They multiply sample_weight: a negative one trained the network away from its class, all zero
    # trained nothing, and NaN or inf were reported as a diverged training.
    X, y = rare_class
    clf = TCNClassifier(**ONE_EPOCH, class_weight=class_weight)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")
    with pytest.raises(ValueError, match=match):
        clf.partial_fit(X, y)
    # Zero for some classes leaves them out of the loss, as a zero sample weight does.
    clf.set_params(class_weight={"a": 0.0, "b": np.float32(2.0)}).fit(X, y)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_weight_messages_name_the_product_with_class_weights(rare_class, method):
    # They gave the product, 1.5e308, as "Sample weights of up to", where the largest is 1e308.
    X, y = rare_class
    clf = TCNClassifier(**ONE_EPOCH, class_weight={"a": 1.5})
    classes = {"classes": ["a", "b", "c"]} if method == "partial_fit" else {}
    with pytest.raises(ValueError, match=r"^Sample weights times class weights of up to 1\.5e\+308 "):
        getattr(clf, method)(X, y, sample_weight=np.full(len(y), 1e308), **classes)


@pytest.mark.parametrize("streamed", [False, True])
def test_weight_messages_name_class_weights_alone_without_sample_weights(rare_class, streamed):
    # They said "Sample weights times class weights" where no sample weights were given.
    X, y = rare_class
    data = (RowBatches(X, y, batch_size=TINY["batch_size"]), None) if streamed else (X, y)
    clf = TCNClassifier(**ONE_EPOCH, class_weight={"a": 1e-50, "b": 1e-50, "c": 1e-50})
    with pytest.raises(ValueError, match=r"(^|: )Class weights of at most 1e-50 all round to 0 in float32"):
        clf.partial_fit(*data, classes=["a", "b", "c"])
    kept = np.isin(y, ["a", "b"])
    clf = TCNClassifier(**ONE_EPOCH, class_weight={"a": 0.0, "b": 0.0})
    with pytest.raises(ValueError, match=r"^class_weight's zeros give every sample of this fit the weight 0") as error:
        clf.partial_fit(X[kept], y[kept], classes=["a", "b", "c"])
    assert "sample_weight" not in str(error.value)


def test_class_and_sample_weights_that_leave_no_sample_weighing_are_refused(rare_class):
    # Each had a positive entry, so each passed its own check, and the fit "trained" on a loss of 0.
    X, y = rare_class
    clf = TCNClassifier(**ONE_EPOCH, class_weight={"a": 0.0})
    with pytest.raises(ValueError, match="class_weight and sample_weight together give every sample"):
        clf.fit(X, y, sample_weight=(y == "a").astype(float))
    assert not hasattr(clf, "model_")
    # Zero for the only classes this call's y holds, the others declared.
    clf = TCNClassifier(**ONE_EPOCH, class_weight={"a": 0.0, "b": 0.0})
    kept = np.isin(y, ["a", "b"])
    with pytest.raises(ValueError, match="give every sample of this fit the weight 0"):
        clf.partial_fit(X[kept], y[kept], classes=["a", "b", "c"])
    assert not hasattr(clf, "model_")


def test_a_streamed_batch_may_weigh_nothing_if_the_stream_weighs_something(rare_class):
    # The check above ran on each batch of a stream: its first batch (16 rows, no "c") was refused.
    X, y = rare_class
    batches = TINY["batch_size"]
    clf = TCNClassifier(**ONE_EPOCH, class_weight={"a": 0.0, "b": 0.0}).fit(RowBatches(X, y, batch_size=batches))
    assert np.isfinite(clf.history_["loss"]).all()
    first_batch_unweighted = (np.arange(len(y)) >= batches).astype(np.float32)
    TCNClassifier(**ONE_EPOCH, class_weight={"a": 1.0}).fit(RowBatches(X, y, first_batch_unweighted, batches))
    # A stream in which no sample weighs anything is refused, as in memory.
    clf = TCNClassifier(**ONE_EPOCH, class_weight={"a": 0.0})
    with pytest.raises(ValueError, match="class_weight and sample_weight together give every sample"):
        clf.fit(RowBatches(X, y, (y == "a").astype(np.float32), batches))
    assert not hasattr(clf, "model_")


def test_failed_partial_fit_leaves_no_declared_classes(rare_class):
    X, y = rare_class
    clf = TCNClassifier(**ONE_EPOCH)
    with pytest.raises(ValueError, match="not in the declared classes"):
        clf.partial_fit(X, y, classes=["a", "b"])
    assert not hasattr(clf, "_declared_classes") and not clf.initialized_
    clf.partial_fit(X, y)  # the classes of this y, not those of the failed call
    assert list(clf.classes_) == ["a", "b", "c"]


def test_later_partial_fit_may_repeat_the_classes_not_change_them(rare_class):
    X, y = rare_class
    clf = TCNClassifier(**ONE_EPOCH).partial_fit(X, y, classes=["a", "b", "c"])
    clf.partial_fit(X, y, classes=["c", "b", "a"])  # the same classes, in any order
    with pytest.raises(ValueError, match="differs from classes_"):
        clf.partial_fit(X, y, classes=["a", "b", "c", "d"])
    assert len(clf.history_["loss"]) == 2 and list(clf.classes_) == ["a", "b", "c"]
    fitted = TCNClassifier(**ONE_EPOCH).fit(X, y)
    with pytest.raises(ValueError, match="differs from classes_"):
        fitted.partial_fit(X, y, classes=["a", "b"])


def test_initialize_forgets_the_classes_partial_fit_declared(rare_class):
    # initialize builds a new network, as fit does, but kept an earlier partial_fit's classes=:
    # it refused other labels as "not in the declared classes", and gave the network a
    # probability column for a declared class that its y did not hold.
    X, y = rare_class
    clf = TCNClassifier(**ONE_EPOCH).partial_fit(X, y, classes=["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clf.initialize(X, y[:5])
    assert list(clf._declared_classes) == ["a", "b", "c", "d"]  # a failed call leaves them
    assert list(clf.initialize(X, y).classes_) == ["a", "b", "c"]
    assert clf.predict_proba(X).shape == (30, 3)
    updown = np.where(y == "a", "up", "down")
    assert list(clf.initialize(X, updown).classes_) == ["down", "up"]
    clf.partial_fit(X, updown)  # trains on the classes initialize set
    assert list(clf.classes_) == ["down", "up"]


def test_partial_fit_refuses_balanced_and_names_the_fix(rare_class):
    X, y = rare_class
    clf = TCNClassifier(**ONE_EPOCH, class_weight="balanced")
    with pytest.raises(ValueError, match=r"partial_fit.*compute_class_weight\(\"balanced\".*dict"):
        clf.partial_fit(X[:28], y[:28], classes=["a", "b", "c"])
    assert not clf.initialized_
    # The fix the message names: the balanced weights of all the targets, as a dict.
    classes = np.unique(y)
    weights = dict(zip(classes, compute_class_weight("balanced", classes=classes, y=y)))
    clf.set_params(class_weight=weights).partial_fit(X[:28], y[:28], classes=classes)
    clf.partial_fit(X[28:], y[28:])
    assert len(clf.history_["loss"]) == 2


def test_balanced_weights_count_samples_of_zero_weight(rare_class, applied_weights):
    # scikeras drops samples of zero weight before training: without them "c" had no samples.
    X, y = rare_class
    clf = TCNClassifier(**ONE_EPOCH, class_weight="balanced").fit(X, y, sample_weight=(y != "c").astype(float))
    assert_weights_follow(applied_weights, clf.classes_, dict(zip(y, balanced(y))))


def test_balanced_warm_start_on_targets_without_a_class(rare_class, applied_weights):
    X, y = rare_class
    clf = TCNClassifier(**ONE_EPOCH, class_weight="balanced", warm_start=True).fit(X, y)
    applied_weights.clear()
    clf.fit(X[:28], y[:28])  # no "c": the classes present share the weight
    assert len(clf.history_["loss"]) == 2
    assert_weights_follow(applied_weights, clf.classes_, {"a": 1.0, "b": 1.0})


@pytest.mark.parametrize("source", ["memory map", "PyDataset"])
def test_streamed_balanced_weights_come_from_all_targets(rare_class, applied_weights, tmp_path, source):
    # The first batch of 16 rows holds no "c": per-batch weights differed, and crashed on it.
    X, y = rare_class
    np.save(tmp_path / "X.npy", X)
    mapped = np.load(tmp_path / "X.npy", mmap_mode="r")
    clf = TCNClassifier(**ONE_EPOCH, class_weight="balanced")
    if source == "memory map":
        clf.fit(mapped, y)
    else:
        clf.fit(RowBatches(mapped, y, batch_size=TINY["batch_size"]))
    assert len(applied_weights) >= 2  # one batch at a time
    assert_weights_follow(applied_weights, clf.classes_, dict(zip(y, balanced(y))))
