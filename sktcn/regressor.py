"""TCNRegressor: a scikit-learn regressor over keras-tcn."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score

from sktcn import _docs
from sktcn._base import (
    ESTIMATOR_CONSTRAINTS,
    ESTIMATOR_PARAMS,
    TCNEstimatorBase,
    extend_signature,
    own_params,
)
from sktcn._param_checks import check_loss_targets
from sktcn._validation import float32_lost_spread, target_array


class StandardTargetEncoder:
    """Standardise regression targets for training and undo it on predictions.

    The network then learns targets of unit scale whatever units ``y`` is in,
    so the same learning rate works for every data set. With sequence targets
    the statistics pool all time steps of each output.
    """

    def __init__(self, sequence=False):
        self.sequence = sequence

    def fit(self, y):
        # The statistics keep y's dtype: float32, or float64 where float32 would
        # lose the targets' spread (see TCNRegressor._as_target_array).
        axes = (0, 1) if self.sequence else (0,)
        with np.errstate(over="ignore"):  # an overflow is refused by finite_statistics
            mean = y.mean(axis=axes, dtype=np.float64)
            scale = y.std(axis=axes, dtype=np.float64)
        finite_statistics(mean, scale, y)
        scale = unless_underflowed(scale, y, axes)
        self.ndim_ = y.ndim
        self.mean_ = mean.astype(y.dtype)
        self.scale_ = np.where(scale > 0, scale, 1.0).astype(y.dtype)
        return self

    def partial_fit(self, y):
        """Update the statistics with one batch of targets (Chan et al.'s pairwise update)."""
        axes = (0, 1) if self.sequence else (0,)
        count = int(np.prod([y.shape[a] for a in axes]))
        if count == 0:
            return self
        with np.errstate(over="ignore"):  # an overflow is refused by finite_statistics
            mean = y.mean(axis=axes, dtype=np.float64)
            m2 = np.square(y - mean).sum(axis=axes, dtype=np.float64)
            if not hasattr(self, "_count"):
                self._count, self._mean, self._m2 = 0, np.zeros_like(mean), np.zeros_like(m2)
            total = self._count + count
            delta = mean - self._mean
            self._m2 = self._m2 + m2 + np.square(delta) * self._count * count / total
            self._mean = self._mean + delta * count / total
            self._count = total
            scale = np.sqrt(self._m2 / total)
            # The range seen so far, to tell constant targets from targets whose spread underflowed.
            self._low = np.minimum(getattr(self, "_low", np.inf), y.min(axis=axes))
            self._high = np.maximum(getattr(self, "_high", -np.inf), y.max(axis=axes))
        finite_statistics(self._mean, scale, y)
        self.ndim_ = y.ndim
        dtype = np.promote_types(y.dtype, getattr(self, "mean_", y).dtype)  # float64 once any batch needs it
        self.mean_ = self._mean.astype(dtype)
        self.scale_ = np.where(scale > 0, scale, 1.0).astype(dtype)
        return self

    def check_spread(self):
        """Refuse the targets ``partial_fit`` saw if their spread underflowed; call it after the last batch.

        Batch by batch, the spread is held as a sum of squares, which
        underflows for targets below about 1e-154: unlike fit's, it cannot be
        recomputed from all of y, and the scale would fall back to 1 (every
        prediction the mean). Checked once over the whole stream: a batch of
        tiny targets alone (zeros and 1e-170) has no spread to hold, while
        later batches may bring one. Constant targets pass.
        """
        if not hasattr(self, "_count"):
            return self
        if np.any((np.sqrt(self._m2 / self._count) == 0) & (self._high > self._low)):
            top = np.maximum(np.abs(self._low), np.abs(self._high)).max()
            raise ValueError(
                f"y holds values of at most {top:.3g} in magnitude, too small for sktcn to standardise batch by "
                "batch: their squares underflow float64, so their standard deviation comes out 0 although they "
                f"vary (streamed targets must reach above about 1e-154). Rescale y, e.g. multiply it by "
                f"1e{-int(np.log10(top))}, and divide the predictions by the same factor."
            )
        return self

    def _adds_output_axis(self, ndim):
        """Whether targets of ``ndim`` dimensions get an output axis (they have none)."""
        return ndim == (2 if self.sequence else 1)

    def output_shape(self, y_shape):
        """The shape of one sample's encoded targets, for targets of shape ``y_shape`` (see ``transform``)."""
        return tuple(y_shape[1:]) + ((1,) if self._adds_output_axis(len(y_shape)) else ())

    def transform(self, y):
        with np.errstate(over="ignore"):  # refused below
            scaled = ((y - self.mean_) / self.scale_).astype(np.float32)
        if not np.isfinite(scaled).all():
            # y is finite (checked); only targets far off the fitted scale (a warm start's) get here.
            raise ValueError(
                f"y holds values up to {np.abs(y).max():.3g} in magnitude, which standardised with the mean_ and "
                "scale_ of the targets the network was first fit on go beyond float32's range (3.4e38): a warm "
                "start's targets must be on the scale of the first fit's. Fit again with warm_start=False, or "
                "rescale y."
            )
        # Always an output axis last: Keras' regression losses average over it, so
        # per-step targets then get a loss (and a loss weight) per time step.
        return scaled[..., None] if self._adds_output_axis(scaled.ndim) else scaled

    def inverse_transform(self, y):
        # float64, as scikit-learn's regressors return.
        y = np.asarray(y, dtype=np.float64) * self.scale_ + self.mean_
        if self.ndim_ == (2 if self.sequence else 1):
            return y.reshape(y.shape[: self.ndim_])
        return y

    def get_metadata(self):
        return {}


def finite_statistics(mean, scale, y, name="y"):
    """Refuse targets ``y`` whose ``mean`` or standard deviation ``scale`` (float64) overflowed.

    Values beyond about 1e154 in magnitude, finite in float64, have squares
    that are not: their spread cannot be computed, so the targets cannot be
    standardised for the network. Statistics made NaN by NaN or infinite
    targets, which callers refuse first, get a ValueError that says so.
    ``name`` is the argument's name in the message: ``"X"`` for the
    forecaster's exogenous series, standardised per window as ``y`` is.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn.regressor import finite_statistics
    >>> y = np.array([1.0, -1.0]) * 1e200
    >>> with np.errstate(over="ignore"):
    ...     finite_statistics(y.mean(), y.std(), y)
    Traceback (most recent call last):
    ...
    ValueError: y holds values up to 1e+200 in magnitude, beyond what sktcn can standardise: ...
    """
    if np.isfinite(mean).all() and np.isfinite(scale).all():
        return
    if not np.isfinite(y).all():
        # Callers refuse missing and infinite targets first; should one get
        # here, it is named rather than taken for an overflow (log10 of NaN).
        raise ValueError(
            f"{name} holds NaN or infinite values, which sktcn cannot standardise; drop or impute them first."
        )
    top = np.abs(y).max()
    undo = "multiply the predictions by the same factor" if name == "y" else "predict's X by the same factor"
    raise ValueError(
        f"{name} holds values up to {top:.3g} in magnitude, beyond what sktcn can standardise: their standard "
        f"deviation overflows float64 ({'targets' if name == 'y' else 'values'} must stay below about 1e154). "
        f"Rescale {name}, e.g. divide it by 1e{int(np.log10(top))}, and {undo}."
    )


def unless_underflowed(scale, y, axes):
    """``scale``, the float64 standard deviations of ``y`` over ``axes``, with those that underflowed recomputed.

    Targets below about 1e-162 in magnitude have squares below float64's
    smallest number: their standard deviation comes out 0, as for constant
    targets, which then keep a scale of 1 and standardise to nothing but
    rounding noise. Where a standard deviation is 0, it is computed again
    from ``y / max|y|`` and multiplied back, as scikit-learn's scale-robust
    statistics do; constant targets keep 0. The others are returned as they
    were computed.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn.regressor import unless_underflowed
    >>> y = np.array([1.0, -1.0]) * 1e-200
    >>> float(y.std()), float(unless_underflowed(y.std(), y, (0,)))
    (0.0, 1e-200)
    """
    if np.all(scale != 0) or y.size == 0:
        return scale
    top = np.abs(y).max(axis=axes).astype(np.float64)
    unit = np.where(top > 0, top, 1.0)
    unit_shape = tuple(1 if axis in axes else size for axis, size in enumerate(y.shape))
    robust = (y / unit.reshape(unit_shape)).std(axis=axes, dtype=np.float64) * unit
    return np.where(scale != 0, scale, robust)


# The largest float32 rounding error, as a fraction of the targets' standard
# deviation, that leaves their standardised values intact to about 4 digits.
_FLOAT32_TOLERANCE = 1e-4


def float32_keeps_spread(y, single):
    """Whether ``single``, ``y`` cast to float32, keeps the spread of every output of ``y`` (float64).

    float32 holds about 7 significant digits: plenty for targets whose spread
    is not dwarfed by their level, but targets such as ``1e9 + x`` with ``x``
    of a few units become one repeated value. Those are standardised in
    float64 (``StandardTargetEncoder``) before the network sees float32.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn.regressor import float32_keeps_spread
    >>> small, offset = np.linspace(0.0, 10.0, 5), 1e9 + np.linspace(0.0, 10.0, 5)
    >>> float32_keeps_spread(small, small.astype(np.float32)), float32_keeps_spread(offset, offset.astype(np.float32))
    (True, False)
    """
    if y.size == 0:
        return True
    if not np.isfinite(single).all():
        return False  # y reaches beyond float32's range (3.4e38): only float64 holds it
    columns = y.reshape(len(y), -1)
    return not float32_lost_spread(columns, single.reshape(columns.shape), _FLOAT32_TOLERANCE).any()


# Why the regressor holds out a validation set by default (the classifier does not).
_VALIDATION_WHY = """
        ``"auto"``: with ``epochs="auto"`` and at least 100 training series,
        a fifth of them is held out, and the training regime schedules the
        learning rate, stops, and keeps the weights by the held-out loss;
        otherwise nothing is held out. On the regression panel of
        ``benchmarks/regression.py``, when it was introduced (fifth session),
        it lowered Covid3Month's test RMSE from 0.0584 to 0.0425 (three
        seeds; ridge 0.0431, random forest 0.0427) and the adding problem's
        from 0.0527 to 0.0365, and cost first + last a little (R² 0.994 to
        0.986). Since every pass over the series draws a new order (eleventh
        session), Covid3Month's is 0.0431, level with ridge, the adding
        problem's 0.0307 and first + last's R² 0.989
        (``benchmarks/RESULTS.md``)."""


def check_numeric_target_losses(loss, metrics, owner):
    """Refuse a classification loss or metric of Keras given to ``owner``, whose networks predict numbers.

    Keras' losses and metrics for one-hot targets or class indices
    (``KERAS_TARGETS``), by name, class or instance: on standardised numeric
    targets the cross-entropies fail inside TensorFlow's graph, with a message
    that names neither the parameter nor the fix, and the others train on or
    record a meaningless number (hinge stays at 1, accuracy and AUC at 0).
    Those for positive numbers in their own units (percentage error,
    logarithmic error, Poisson) learn nothing from standardised targets, half
    of them negative, and cosine similarity, which compares directions alone,
    learns nothing from one output. A loss or metric of the user's own may
    take numbers: it passes.
    """
    classification = (
        f"is a classification loss, but {owner} predicts numbers, with a linear output trained on standardised "
        'targets: use a regression loss, "mse" (the default, loss=None), "mae" or "huber"'
        + (", or a classifier (TCNClassifier) for class labels." if owner != "TCNForecaster" else "."),
        f"are classification metrics, but {owner} predicts numbers: use regression metrics "
        '("mae", "mse", "root_mean_squared_error"), or leave metrics out.',
    )
    own_units = (
        f"needs targets in their own units (positive ones), but {owner} trains on standardised targets (mean 0, "
        'half of them negative), where it learns nothing: use "mse" (the default, loss=None), "mae" or "huber", '
        "and score the predictions, which are in y's units, with scikit-learn's or sktime's metrics "
        "(e.g. mean_absolute_percentage_error).",
        f"compare targets in their own units (positive ones), but {owner} records them on its standardised "
        'targets (mean 0), where they mean nothing: use "mae", "mse" or "root_mean_squared_error", or score the '
        "predictions after the fit with scikit-learn's or sktime's metrics (e.g. mean_absolute_percentage_error).",
    )
    directions = (
        "compares only the direction of each sample's outputs, not their size: for one output (per step) it "
        "sees only the sign of the standardised target and learns nothing, and for several it leaves their "
        'scale free. Use "mse" (the default, loss=None), "mae" or "huber".',
        "compare only the direction of the outputs, not their size: for one output (per step) they record "
        'whether the signs agree. Use regression metrics ("mae", "mse", "root_mean_squared_error"), or leave '
        "metrics out.",
    )
    check_loss_targets(loss, metrics, [
        ({"one-hot", "class indices", "predicted labels"}, *classification),
        ({"numbers in their own units"}, *own_units),
        ({"directions"}, *directions),
    ])


class TCNRegressor(RegressorMixin, TCNEstimatorBase):
    __doc__ = f"""Temporal Convolutional Network regressor (keras-tcn) for scikit-learn.

    Predicts one value, several values, or (with ``return_sequences=True``) one
    value per time step from each input series. Targets are standardised for
    training and predictions returned in the units of ``y``.

    Parameters
    ----------
{_docs.parameters(_docs.TCN_PARAMETERS + _docs.ESTIMATOR_PARAMETERS, auto='``"last"`` (``"mean"`` with ``padding="same"``)',
                  validation='"auto"', validation_why=_VALIDATION_WHY,
                  validation_type=' or "auto"')}
    Attributes
    ----------
{_docs.attributes(_docs.TCN_ATTRIBUTES)}    target_encoder_ : StandardTargetEncoder
        The standardisation of ``y`` the network trains on: its ``mean_`` and
        ``scale_`` (one per output) map the network's outputs back to the
        units of ``y``, ``out * scale_ + mean_`` (see ``export_onnx``).

    See Also
    --------
    TCNClassifier : the same network with a softmax head.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn import TCNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(64, 12))              # 64 univariate series of 12 steps
    >>> y = X[:, 0] + X[:, -1]                     # first plus last value
    >>> reg = TCNRegressor(nb_filters=8, epochs=5, random_state=0).fit(X, y)
    >>> reg.dilations_, reg.receptive_field_
    ((1, 2), 13)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _default_loss = "mse"
    _parameter_constraints = {**TCNEstimatorBase._parameter_constraints, **ESTIMATOR_CONSTRAINTS}

    def __init__(self, *, validation_split="auto", **kwargs):
        own = own_params(kwargs)
        super().__init__(validation_split=validation_split, **kwargs)
        vars(self).update(own)

    __init__ = extend_signature(__init__, **ESTIMATOR_PARAMS, validation_split="auto")

    @property
    def target_encoder(self):
        return StandardTargetEncoder(sequence=self.return_sequences)

    def _check_loss(self):
        check_numeric_target_losses(self.loss, self.metrics, type(self).__name__)

    def _loss_shape(self, y):
        # Keras' regression losses average over the last axis of the target.
        return y.shape[:-1]

    def _decode_member(self, raw):
        return self.target_encoder_.inverse_transform(raw)

    def _as_target_array(self, y):
        if type(y) is np.ndarray and y.dtype == np.float32:
            # float32 keeps its own spread: no float64 copy to check it, which for
            # the forecaster's forking targets took 6.6 times their size at peak.
            # The dtype marks them as numbers, so that a NaN or an infinity gets
            # a regressor's advice (np.isfinite), not a classifier's (pandas.notna).
            return target_array(y, np.float32)
        y = target_array(y, np.float64)
        with np.errstate(over="ignore"):  # float32_keeps_spread sees the overflow
            single = y.astype(np.float32)
        return single if float32_keeps_spread(y, single) else y

    def predict(self, X):
        return super().predict(X)

    predict.__doc__ = _docs.method(
        "Predicted targets for the series ``X``, in the units of ``y``.", _docs.arguments("X:predict"),
        _docs.returns("ndarray of float64", f"{_docs.PREDICTION_SHAPES}, one prediction per time step."))

    def score(self, X, y, sample_weight=None):
        # Read as fit reads y: np.asarray would make a frame of nullable columns
        # (Float64) an object array, which the rescaling below would skip.
        y = target_array(y, np.float64)
        y_pred = self.predict(X)
        y, y_pred = y.reshape(len(y), -1), y_pred.reshape(len(y_pred), -1)
        if y.shape == y_pred.shape:
            # R^2 does not depend on the units of y, but r2_score's sums of
            # squares underflow to 0 for targets below about 1e-154, which then
            # scored 1.0 whatever the predictions. Each column is brought to
            # a magnitude near 1 by a power of two, which scales exactly: any
            # other targets get the very same score.
            exponent = np.frexp(np.abs(y).max(axis=0))[1]
            y, y_pred = np.ldexp(y, -exponent), np.ldexp(y_pred, -exponent)
        return r2_score(y, y_pred, sample_weight=sample_weight)

    score.__doc__ = _docs.method(
        "Coefficient of determination R^2 of the predictions, averaged over outputs.",
        _docs.arguments("X:score", "y:score", "sample_weight:score"),
        _docs.returns("float", "R^2, 1.0 for perfect predictions (scikit-learn's ``r2_score``)."),
        description="""Multi-output and per-time-step targets are scored as columns of
    ``y.reshape(n_samples, -1)``, each weighing the same.""")
