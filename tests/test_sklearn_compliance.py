"""scikit-learn's own estimator checks, and the workflows users put estimators in.

`make test` runs the full check suite on compact networks (16 filters, 15 epochs)
so that it fits the CI budget; `make test-full` (SKTCN_FULL_CHECKS=1) runs it on
the default estimators, which is what `check_estimator(TCNRegressor())` does.
"""

import os
import pickle

import numpy as np
import pytest
from conftest import TINY
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks

from sktcn import TCNClassifier, TCNRegressor
from sktcn.testing import expected_failed_checks

if os.environ.get("SKTCN_FULL_CHECKS"):
    CHECKED = [TCNClassifier(), TCNRegressor()]
else:
    CHECKED = [TCNClassifier(nb_filters=16, epochs=15), TCNRegressor(nb_filters=16, epochs=15)]


@parametrize_with_checks(CHECKED, expected_failed_checks=expected_failed_checks)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_estimator_types_and_tags():
    assert is_classifier(TCNClassifier()) and not is_regressor(TCNClassifier())
    assert is_regressor(TCNRegressor()) and not is_classifier(TCNRegressor())
    for est in (TCNClassifier(), TCNRegressor()):
        tags = get_tags(est)
        assert tags.input_tags.three_d_array and tags.target_tags.multi_output and tags.target_tags.required
        assert not tags.input_tags.sparse and not tags.input_tags.allow_nan
    assert get_tags(TCNClassifier()).estimator_type == "classifier"
    # Multilabel-indicator y fits (test_multi_output_classification_...): the tag
    # declares it, so that scikit-learn's multi-label checks run above.
    assert get_tags(TCNClassifier()).classifier_tags.multi_label
    assert get_tags(TCNRegressor()).estimator_type == "regressor"


def test_get_set_params_and_clone_keep_tuple_dilations():
    est = TCNRegressor(dilations=(1, 2, 4), optimizer__momentum=0.9)
    params = est.get_params()
    assert params["dilations"] == (1, 2, 4) and params["optimizer__momentum"] == 0.9
    assert "class_weight" not in params and "class_weight" in TCNClassifier().get_params()
    est.set_params(dilations=(1, 2, 4, 8), kernel_size=5)
    copy = clone(est)
    assert copy.get_params() == est.get_params() and copy.dilations == (1, 2, 4, 8)
    assert repr(TCNClassifier(kernel_size=5)) == "TCNClassifier(kernel_size=5)"


def test_repr_wraps_as_scikit_learns_alone_and_inside_composites():
    # scikit-learn's printer wraps only estimators whose class's __repr__ is
    # BaseEstimator's own: a TCN's was one line of 200 columns in a pipeline.
    params = dict(batch_size=16, dilations=(1, 2, 4), epochs=2, kernel_size=2, learning_rate=0.01, nb_filters=4,
                  random_state=0, validation_split=0.1)
    for estimator in (TCNClassifier(**params), TCNRegressor(**params)):
        lines = repr(make_pipeline(StandardScaler(), estimator)).splitlines()
        assert len(lines) > 3 and max(map(len, lines)) <= 80
        assert " ".join(repr(estimator).split()) == (
            f"{type(estimator).__name__}(batch_size=16, dilations=(1, 2, 4), epochs=2, kernel_size=2, "
            "learning_rate=0.01, nb_filters=4, random_state=0, validation_split=0.1)")


def test_grid_search_over_dilations_and_kernel_size_in_a_pipeline(rng):
    X = rng.normal(size=(60, 16))
    y = X[:, :4].sum(axis=1) + X[:, -4:].sum(axis=1)
    grid = {"tcn__dilations": [(1, 2), (1, 2, 4, 8)], "tcn__kernel_size": [2, 3]}
    pipe = Pipeline([("scale", StandardScaler()), ("tcn", TCNRegressor(**TINY, random_state=0))])
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_["tcn__dilations"] in grid["tcn__dilations"]
    best = search.best_estimator_.named_steps["tcn"]
    assert best.dilations_ == search.best_params_["tcn__dilations"]
    assert search.predict(X).shape == (60,)


def test_stratified_cross_val_score(series_3d):
    X, y = series_3d
    scores = cross_val_score(TCNClassifier(**TINY, random_state=0), X, y, cv=StratifiedKFold(3))
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))


def test_fitted_pipeline_pickles(series_2d):
    X, y = series_2d
    pipe = Pipeline([("scale", StandardScaler()), ("tcn", TCNRegressor(**TINY))]).fit(X, y)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(pipe)).predict(X), pipe.predict(X))


def test_multi_output_classification_follows_sklearn_conventions(rng):
    X = rng.normal(size=(30, 8))
    Y = np.column_stack([X[:, 0] > 0, X[:, -1] > 0, X.sum(axis=1) > 0]).astype(int)
    clf = TCNClassifier(**TINY).fit(X, Y)
    assert clf.predict(X).shape == (30, 3)
    proba = clf.predict_proba(X)
    assert isinstance(proba, list) and len(proba) == 3 and all(p.shape == (30, 2) for p in proba)


def test_partial_fit_with_declared_classes(rng):
    X = rng.normal(size=(20, 6))
    clf = TCNClassifier(**TINY).partial_fit(X, np.zeros(20, int) + (X[:, 0] > 0), classes=[0, 1, 2])
    assert list(clf.classes_) == [0, 1, 2] and clf.predict_proba(X).shape == (20, 3)
    clf.partial_fit(X, np.full(20, 2))
    assert len(clf.history_["loss"]) == 2
    with pytest.raises(ValueError, match="not in the declared classes"):
        clf.partial_fit(X, np.full(20, 7))


def test_single_class_is_a_clear_error():
    with pytest.raises(ValueError, match="one class only"):
        TCNClassifier(**TINY).fit(np.ones((6, 4)), ["a"] * 6)
