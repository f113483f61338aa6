"""sktcn.plotting draws what it is given and refuses what it cannot draw."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from sktcn.plotting import plot_effective_memory, plot_history, plot_predictions, save  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


class Fitted:
    history_ = {"loss": [2.0, 1.0, 0.5], "val_loss": [2.5, 1.5, 1.0], "mae": [1.0, 0.8, 0.7]}


def test_history_from_estimator_draws_loss_curves_only():
    ax = plot_history(Fitted())
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"loss", "val_loss"}
    np.testing.assert_array_equal(lines["loss"].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines["val_loss"].get_ydata(), [2.5, 1.5, 1.0])
    assert ax.get_yscale() == "log"


def test_history_without_loss_is_an_error():
    with pytest.raises(ValueError, match="no loss curve"):
        plot_history({"accuracy": [0.5, 0.6]})


@pytest.mark.parametrize("history", [[1.0, 0.5], "loss", np.array([1.0, 0.5])], ids=["list", "str", "array"])
def test_history_that_is_not_a_dict_of_curves_is_a_type_error(history):
    # Was dict()'s "cannot convert dictionary update sequence element #0 to a sequence".
    with pytest.raises(TypeError, match=r"give a dict of loss curves such as an estimator's history_"):
        plot_history(history)


def test_history_returned_by_a_keras_fit_is_drawn():
    import keras

    history = keras.callbacks.History()
    history.history = {"loss": [1.0, 0.5]}
    assert [line.get_label() for line in plot_history(history).get_lines()] == ["loss"]


def test_predictions_of_nothing_are_an_error():
    # Was NumPy's "zero-size array to reduction operation minimum which has no identity".
    with pytest.raises(ValueError, match="y_true and y_pred are empty"):
        plot_predictions([], [])


def test_history_of_an_unfitted_estimator_is_a_not_fitted_error():
    from sklearn.exceptions import NotFittedError

    from sktcn import TCNRegressor

    with pytest.raises(NotFittedError, match="TCNRegressor is not fitted yet"):
        plot_history(TCNRegressor())


def test_history_of_a_fitted_pipeline_or_search_points_to_the_estimator_inside(series_2d):
    # Both said "not fitted yet" though they were fitted: they keep no history_ themselves.
    from sklearn.exceptions import NotFittedError
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from conftest import TINY
    from sktcn import TCNRegressor

    X, y = series_2d
    pipeline = make_pipeline(FunctionTransformer(), TCNRegressor(**TINY, random_state=0))
    search = GridSearchCV(TCNRegressor(**TINY, random_state=0), {"kernel_size": [2]}, cv=2)
    for estimator in (pipeline, search):
        with pytest.raises(NotFittedError, match=f"{type(estimator).__name__} is not fitted yet"):
            plot_history(estimator)
        estimator.fit(X, y)
        with pytest.raises(TypeError, match=rf"{type(estimator).__name__} is fitted but has no history_: pass the "
                                            r"sktcn estimator itself, e.g. pipeline\[-1\] .* search.best_estimator_"):
            plot_history(estimator)
    assert [line.get_label() for line in plot_history(pipeline[-1]).get_lines()] == ["loss"]
    assert [line.get_label() for line in plot_history(search.best_estimator_).get_lines()] == ["loss"]


def test_history_of_a_forecaster_is_its_networks():
    from sklearn.exceptions import NotFittedError
    from sktime.datasets import load_airline

    from conftest import TINY_FORECASTER
    from sktcn import TCNForecaster

    with pytest.raises(NotFittedError, match="TCNForecaster is not fitted yet"):
        plot_history(TCNForecaster())
    forecaster = TCNForecaster(**dict(TINY_FORECASTER, calibration_size=0.0)).fit(load_airline(), fh=[1, 2])
    lines = plot_history(forecaster).get_lines()
    assert [line.get_label() for line in lines] == ["loss"]
    np.testing.assert_array_equal(lines[0].get_ydata(), forecaster.regressor_.history_["loss"])


def test_history_with_non_positive_loss_stays_linear():
    assert plot_history({"loss": [1.0, -0.5]}).get_yscale() == "linear"


def test_effective_memory_marks_the_receptive_field():
    ax = plot_effective_memory({"TCN": [1.0, 0.5, 0.0, 0.0], "LSTM": [1.0, 0.1, 0.1, 0.1]}, receptive_field=3)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["TCN", "LSTM", "receptive field (3)"]
    assert ax.get_lines()[-1].get_xdata()[0] == 2  # lag receptive_field - 1 is the furthest seen


def test_predictions_and_save(tmp_path):
    ax = plot_predictions(np.array([0.0, 1.0, 2.0]), np.array([0.5, 1.0, 1.5]))
    np.testing.assert_array_equal(ax.collections[0].get_offsets()[:, 1], [0.5, 1.0, 1.5])
    path = save(ax, tmp_path / "p.png")
    assert open(path, "rb").read(4) == b"\x89PNG"
    with pytest.raises(ValueError, match="one prediction per target"):
        plot_predictions([1.0, 2.0], [1.0])


def test_history_of_an_estimator_draws_each_curve_at_its_epochs(series_2d, tmp_path):
    import pickle

    import sktcn
    from conftest import TINY
    from sktcn import TCNRegressor

    def x_of(estimator):
        return {line.get_label(): list(line.get_xdata()) for line in plot_history(estimator).get_lines()}

    X, y = series_2d
    # Validated every second epoch: val_loss belongs to epochs 2 and 4.
    reg = TCNRegressor(**dict(TINY, epochs=4), validation_split=0.25, fit__validation_freq=2, random_state=0).fit(X, y)
    assert x_of(reg) == {"loss": [1, 2, 3, 4], "val_loss": [2, 4]}
    # A warm start that adds a validation split: its val_loss belongs to its own epochs, 3 and 4.
    reg = TCNRegressor(**TINY, warm_start=True, random_state=0).fit(X, y)
    reg.set_params(validation_split=0.25).fit(X, y)
    assert x_of(reg) == {"loss": [1, 2, 3, 4], "val_loss": [3, 4]}
    # Pickled and saved estimators keep them.
    assert x_of(pickle.loads(pickle.dumps(reg))) == x_of(sktcn.load(reg.save(tmp_path / "reg"))) == x_of(reg)
