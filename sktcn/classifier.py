"""TCNClassifier: a scikit-learn classifier over keras-tcn."""

import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from sktcn import _docs
from sktcn._caller import caller_stacklevel
from sktcn._base import (
    ESTIMATOR_CONSTRAINTS,
    ESTIMATOR_PARAMS,
    POOLED_FIELD,
    TCNEstimatorBase,
    extend_signature,
    own_params,
)
from sktcn._param_checks import check_loss_targets
from sktcn._rollback import unchanged_on_failure
from sktcn._streaming import StreamedData, is_streamed
from sktcn._training import float32_precision
from sktcn._validation import refuse_missing_labels, target_array


class LabelEncoder:
    """Map labels of any type to class indices and the network's probabilities back to labels.

    The network has one softmax over the labels of every output (``network_classes``), so
    multi-output and per-time-step targets (the copy-memory task) train the
    same way as plain labels. ``classes`` declares them up front, as
    ``partial_fit`` allows. ``classes_`` follows scikit-learn: one array, or
    for several labels per sample (``y`` of shape ``(n_samples, n_outputs)``,
    not per time step) a list of one array per output, the labels seen in that
    output (all declared classes, when declared). An output's probabilities
    and predictions are over its own classes.
    """

    def __init__(self, classes=None, sequence=False):
        self.classes = classes
        self.sequence = sequence

    def fit(self, y):
        network_classes = np.unique(y if self.classes is None else self.classes)
        if len(network_classes) < 2:
            if self.classes is not None:
                raise ValueError(self._too_few_declared(y, network_classes))
            raise ValueError(
                f"y holds one class only ({network_classes.tolist()}); a classifier needs at least 2 classes."
            )
        if y.ndim == 2 and not self.sequence:
            self.classes_ = [network_classes if self.classes is not None else np.unique(labels) for labels in y.T]
        else:
            self.classes_ = network_classes
        return self

    @staticmethod
    def _too_few_declared(y, declared):
        """The message for ``classes`` that declare fewer than 2 classes; it names y's labels they miss."""
        missing = np.setdiff1d(np.unique(y), declared)
        return (
            f"classes={declared.tolist()} declares one class only; a classifier needs at least 2. "
            + (f"y also holds {missing[:5].tolist()}, missing from classes. " if missing.size else "")
            + "Declare in classes every label the data will ever hold."
        )

    def output_shape(self, y_shape):
        """The shape of one sample's encoded targets, for targets of shape ``y_shape``: one class index per label."""
        return tuple(y_shape[1:])

    @property
    def network_classes(self):
        """The classes of the network's softmax, in its order: every output's labels."""
        if isinstance(self.classes_, list):
            # Derived, not stored: a saved model keeps classes_ only.
            return np.unique(np.concatenate(self.classes_))
        return self.classes_

    def transform(self, y):
        classes = self.network_classes
        indices = np.searchsorted(classes, y).clip(0, len(classes) - 1)
        unseen = classes[indices] != y
        if isinstance(self.classes_, list) and y.ndim == 2 and y.shape[1] == len(self.classes_):
            # An output trains only towards its own classes: predict_proba leaves out the others.
            unseen |= np.column_stack([~np.isin(labels, output) for labels, output in zip(y.T, self.classes_)])
        if np.any(unseen):
            labels = np.unique(np.asarray(y)[unseen])[:5]
            if self.classes is not None:
                raise ValueError(
                    f"y contains labels not in the declared classes: {labels}; the first partial_fit's classes "
                    "must hold every label the data will ever hold."
                )
            raise ValueError(
                f"y contains labels not seen in the first fit (in that output): {labels}; fit again without "
                "warm_start to learn the new classes."
            )
        return indices.astype(np.int32)

    def probabilities(self, raw):
        """The network's softmax outputs ``raw`` as ``predict_proba`` returns them.

        float64 rows that sum to 1: renormalised after the cast, as float32
        rows miss 1 by up to ~1e-7, which scikit-learn's log_loss warns about.
        Several outputs: a list of ``(n_samples, n_classes)`` arrays, each over
        its output's classes.
        """
        if isinstance(self.classes_, list):
            return [_normalised(column) for column in self._output_columns(raw)]
        return _normalised(raw)

    def inverse_transform(self, probabilities, return_proba=False):
        if return_proba:
            return probabilities
        if isinstance(self.classes_, list):
            return np.column_stack([output[np.argmax(column, axis=-1)]
                                    for output, column in zip(self.classes_, self._output_columns(probabilities))])
        return self.classes_[np.argmax(probabilities, axis=-1)]

    def _output_columns(self, raw):
        """Each output's probabilities from ``raw`` (n_samples, n_outputs, n_network_classes), over its classes."""
        network_classes = self.network_classes
        return [raw[:, k, np.searchsorted(network_classes, output)] for k, output in enumerate(self.classes_)]

    def get_metadata(self):
        if isinstance(self.classes_, list):
            return {"classes_": self.classes_, "n_classes_": [len(output) for output in self.classes_]}
        return {"classes_": self.classes_, "n_classes_": len(self.classes_)}


def _wrong_targets(owner):
    """What ``owner``, a classifier, says of Keras' losses and metrics for other targets (``check_loss_targets``).

    A classifier trains on class indices: regression losses and metrics,
    those for one-hot targets and those that take the outputs for labels,
    fail inside TensorFlow's graph or record a meaningless number
    (``KERAS_TARGETS``).
    """
    return [
        (
            {"numbers", "numbers in their own units", "directions"},
            f"is a regression loss, but {owner} predicts class probabilities from class indices: use a "
            'classification loss, "sparse_categorical_crossentropy" (the default, loss=None), or a regressor '
            "(TCNRegressor) for numeric targets.",
            f"are regression metrics, but {owner} predicts class probabilities from class indices: use "
            'classification metrics ("accuracy", "sparse_categorical_crossentropy"), or leave metrics out.',
        ),
        (
            {"predicted labels"},
            f"compares predicted labels with the targets element by element, but {owner}'s network outputs "
            'class probabilities: use a classification loss, "sparse_categorical_crossentropy" (the default, '
            "loss=None).",
            f"compare predicted labels with the targets element by element, but {owner}'s network outputs class "
            "probabilities (Accuracy compares them with the labels for equality; IoU and MeanIoU read them as "
            'class indices, with sparse_y_pred=True): use the string "accuracy" (Keras then picks the sparse '
            "accuracy) or keras.metrics.SparseCategoricalAccuracy, and for IoU or MeanIoU set "
            "sparse_y_pred=False.",
        ),
        (
            {"one-hot"},
            f"compares the probabilities with one-hot targets, but {owner} trains on class indices (sparse "
            'labels): use a sparse-label loss, "sparse_categorical_crossentropy" (the default, loss=None) or '
            "keras.losses.SparseCategoricalCrossentropy, or a loss of your own that takes class indices.",
            f"compare the probabilities with one-hot targets, but {owner} trains on class indices (sparse "
            'labels): use sparse-label metrics ("accuracy", "sparse_categorical_accuracy", '
            '"sparse_top_k_categorical_accuracy", "sparse_categorical_crossentropy"), or score predict_proba '
            "after the fit (e.g. sklearn.metrics.roc_auc_score for AUC).",
        ),
    ]


def _check_class_weight_values(class_weight):
    """Refuse a ``class_weight`` dict whose weights ``sample_weight`` could not hold either.

    Class weights multiply ``sample_weight``, which must be finite and
    non-negative: a negative weight rewards the loss of its class, so training
    pushes the network away from it, and NaN or infinity make the loss NaN,
    which the fit would then blame on unscaled data.
    """
    for label, weight in class_weight.items():
        try:
            valid = np.isfinite(float(weight)) and float(weight) >= 0
        except (TypeError, ValueError):  # not a number
            valid = False
        if not valid:
            raise ValueError(
                f"class_weight gives class {label!r} the weight {weight!r}; class weights multiply sample_weight "
                "and, like it, must be finite and non-negative. Give every class a finite weight >= 0 (0 leaves "
                "the class out of the loss), or leave it out of class_weight (weight 1)."
            )


def _normalised(probabilities):
    """``probabilities`` in float64, each row divided by its sum (the order within a row is kept)."""
    probabilities = probabilities.astype(np.float64)
    return probabilities / probabilities.sum(axis=-1, keepdims=True)


_BATCH_NORM_WHY = """
        ``"auto"``: on for one label per series (``return_sequences=False``)
        longer than 60 steps (``POOLED_FIELD``, the span a pooled network's
        default receptive field is sized to cover), unless ``use_layer_norm`` or
        ``use_weight_norm`` is set; off otherwise. On the five UCR/UEA sets of
        ``benchmarks/ucr.py`` it raised OSULeaf's test accuracy from 0.851 to
        0.984, ACSF1's from 0.76 to 0.80 and GunPoint's from 0.993 to 1.000,
        and lowered ItalyPowerDemand's (24 steps) from 0.962 to 0.931, a loss
        of about 0.03 in every variant tried; hence the length. No set between
        24 and 100 steps was measured, so where in that range the switch
        belongs is not known. The regressor and the forecaster leave it off:
        their tasks were not measured with it (``benchmarks/RESULTS.md``)."""

# Why the classifier, unlike TCNRegressor, holds nothing out by default.
_VALIDATION_WHY = """
        ``"auto"`` resolves as in :class:`TCNRegressor` (a fifth of the series
        held out with ``epochs="auto"`` and at least 100 of them). It is not
        the default here: on the two UCR/UEA sets of ``benchmarks/ucr.py``
        large enough for it, holding out a fifth lowered test accuracy from
        0.79 to 0.66 (ACSF1, 100 series of 10 classes) and from 0.984 to 0.971
        (OSULeaf) (``benchmarks/RESULTS.md``)."""


class TCNClassifier(ClassifierMixin, TCNEstimatorBase):
    __doc__ = f"""Temporal Convolutional Network classifier (keras-tcn) for scikit-learn.

    Labels may be of any type (strings included). ``y`` may also hold several
    labels per sample (``classes_`` then lists each output's labels, as in
    scikit-learn's multi-output classifiers), or one label per time step with
    ``return_sequences=True`` (all steps share the classes in ``classes_``).

    Parameters
    ----------
{_docs.parameters(_docs.TCN_PARAMETERS + _docs.ESTIMATOR_PARAMETERS + ("class_weight",), auto='``"mean"``',
                  batch_norm='"auto"', batch_norm_why=_BATCH_NORM_WHY,
                  batch_norm_type=' or "auto"', validation_why=_VALIDATION_WHY,
                  validation_type=' or "auto"')}
    Attributes
    ----------
{_docs.attributes(_docs.TCN_ATTRIBUTES)}    classes_ : ndarray of shape (n_classes,) or list of ndarray
        The class labels. For several labels per sample (``y`` of shape
        ``(n_samples, n_outputs)``), scikit-learn's multi-output convention: a
        list with the labels of each output.
    n_classes_ : int or list of int
        Number of classes (of each output).

    See Also
    --------
    TCNRegressor : the same network with a linear head.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn import TCNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 16, 2))           # 60 series, 16 steps, 2 features
    >>> y = np.where(X[:, :, 0].mean(axis=1) > 0, "up", "down")
    >>> clf = TCNClassifier(nb_filters=8, epochs=5, random_state=0).fit(X, y)
    >>> clf.classes_
    array(['down', 'up'], dtype='<U4')
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _default_loss = "sparse_categorical_crossentropy"
    _parameter_constraints = {
        **TCNEstimatorBase._parameter_constraints,
        **ESTIMATOR_CONSTRAINTS,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    _auto_pooling = "mean"

    # Keras' class_weight, which fit refuses, is this estimator's parameter.
    _class_weight_advice = "use the estimator's class_weight parameter (set_params(class_weight=...))"

    # The classes partial_fit(classes=...) declared: a loaded classifier checks
    # later calls' labels against them, as the saved one does.
    _SAVED_STATE = TCNEstimatorBase._SAVED_STATE + ("_declared_classes",)

    def __init__(self, *, class_weight=None, use_batch_norm="auto", **kwargs):
        own = own_params(kwargs)
        super().__init__(use_batch_norm=use_batch_norm, **kwargs)
        vars(self).update(own)
        self.class_weight = class_weight

    __init__ = extend_signature(__init__, **ESTIMATOR_PARAMS, class_weight=None, use_batch_norm="auto")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A multilabel-indicator y is several labels per sample: it fits, and
        # predicts (n_samples, n_labels), as scikit-learn's multi-output
        # classifiers do; the tag lets its multi-label checks and code that
        # dispatches on it see that.
        tags.classifier_tags.multi_label = True
        return tags

    def _check_loss(self):
        check_loss_targets(self.loss, self.metrics, _wrong_targets(type(self).__name__))

    def _batch_norm_by_default(self):
        # Batch normalisation where it was measured to help: one label per
        # series longer than the pooled field (the five UCR/UEA sets of
        # benchmarks/ucr.py: OSULeaf 0.851 -> 0.984, ACSF1 0.76 -> 0.80,
        # GunPoint 0.993 -> 1.000). ItalyPowerDemand, 24 steps, lost 0.03 with
        # it in every variant tried (benchmarks/RESULTS.md). Labels per time
        # step learned nothing with it: run ad hoc with use_batch_norm=True,
        # the copy-memory fit of tests/test_estimators.py
        # (test_copy_memory_task_through_the_classifier, which leaves it off)
        # got none of the copied digits right after its 30 epochs, against
        # 0.65 of them without. Before a fit the length is not known yet.
        n_timesteps = getattr(self, "_fit_timesteps", None)
        return not self.return_sequences and (n_timesteps is None or n_timesteps > POOLED_FIELD)

    @property
    def target_encoder(self):
        return LabelEncoder(classes=getattr(self, "_declared_classes", None), sequence=self.return_sequences)

    def fit(self, X, y=None, sample_weight=None, **kwargs):
        with unchanged_on_failure(self):
            vars(self).pop("_declared_classes", None)
            return super().fit(X, y, sample_weight=sample_weight, **kwargs)

    fit.__doc__ = TCNEstimatorBase.fit.__doc__

    def initialize(self, X, y=None):
        # A new network, as fit builds: its classes come from y, not from the
        # classes an earlier partial_fit declared for the network it replaces.
        with unchanged_on_failure(self):
            vars(self).pop("_declared_classes", None)
            return super().initialize(X, y)

    initialize.__doc__ = TCNEstimatorBase.initialize.__doc__

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        if self.class_weight == "balanced":
            # As scikit-learn's SGDClassifier: one call sees one batch, not the class frequencies of the data.
            raise ValueError(
                'class_weight="balanced" is not supported by partial_fit: one call sees one batch, not the class '
                "frequencies of all the data. Compute the weights from all the targets (or a large enough sample "
                'of them) with sklearn.utils.class_weight.compute_class_weight("balanced", classes=classes, y=y) '
                "and pass them as a dict: class_weight=dict(zip(classes, weights))."
            )
        # A failed call leaves no declared classes behind.
        with unchanged_on_failure(self):
            if classes is not None:
                self._declare_classes(classes)
            return super().partial_fit(X, y, sample_weight=sample_weight)

    partial_fit.__doc__ = _docs.method(
        "Train for one more epoch on ``(X, y)``, keeping the network.",
        _docs.arguments("X", "y") + """    classes : array-like, default=None
        All classes that will ever appear, needed on the first call when
        the first ``y`` does not hold every class: at least 2, and every
        label of ``y``. Later calls may repeat
        them, not change them (as in scikit-learn).
""" + _docs.arguments("sample_weight"), "    self\n", description="The first call builds the network, as ``fit`` does.")

    def _declare_classes(self, classes):
        """Keep ``classes`` for the first call; on later ones, check that they are ``classes_``.

        scikit-learn's convention (``_check_partial_fit_first_call``): the
        classes are declared once, then only repeated.
        """
        if isinstance(classes, (str, bytes)) or not (isinstance(classes, Sequence) or hasattr(classes, "__array__")):
            # np.unique would read a set or a dict view as one object, one
            # class: refused as scikit-learn's unique_labels refuses them.
            raise ValueError(
                f"classes should be an array-like of labels (a list, tuple or array), got a "
                f"{type(classes).__name__}. Pass the labels as a list, e.g. classes=sorted(labels)."
            )
        classes = np.unique(classes)
        if not self.initialized_:
            self._declared_classes = classes
            return
        fitted = self.target_encoder_.network_classes
        if not np.array_equal(classes, fitted):
            raise ValueError(
                f"classes={classes.tolist()} differs from classes_={fitted.tolist()}, the classes of the "
                "first call; fit again (not partial_fit) to train on other classes."
            )

    def _n_network_classes(self):
        return len(self.target_encoder_.network_classes)

    def _upgrade_fitted_state(self):
        # sktcn before per-output classes_ kept one array of classes for every
        # output of a multi-output network (a network with an outputs axis, not
        # return_sequences): each output gets all of them, as declared classes
        # give today, so that predict_proba returns one array per output again.
        super()._upgrade_fitted_state()
        encoder = self.target_encoder_
        if self._fit_on_outputs_axis() and not isinstance(encoder.classes_, list):
            encoder.classes_ = [encoder.classes_] * self._output_shape[0]
            vars(self).update(encoder.get_metadata())

    def _fit_on_outputs_axis(self):
        """Whether the network has an outputs axis: several labels per sample (not per time step)."""
        return not self.return_sequences and len(getattr(self, "_output_shape", ())) == 1

    def _check_outputs(self, y):
        if self._fit_on_outputs_axis() and tuple(self._output_shape) == (1,):
            # Today a column-vector y is one label per sample, for a network without an outputs axis.
            raise ValueError(
                f"This {type(self).__name__} was saved from a column-vector y (n_samples, 1) by an earlier "
                "version of sktcn, which gave its network an outputs axis that no y has today: partial_fit and "
                "warm_start=True cannot train it further. Fit it again (warm_start=False), or fit a new estimator."
            )
        super()._check_outputs(y)

    def _as_target_array(self, y):
        y = target_array(y)
        refuse_missing_labels(y)
        if y.ndim == 2 and y.shape[1] == 1 and not self.return_sequences:
            # A column vector (df[["label"]]) is one label per sample, as scikit-learn's
            # classifiers read it (column_or_1d(y, warn=True)), not one output of a
            # multi-output model. Warned here, at the caller's line.
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. Please change the shape of y to "
                "(n_samples, ), for example using ravel().",
                DataConversionWarning,
                stacklevel=caller_stacklevel(),
            )
            y = y.ravel()
        check_classification_targets(y if y.ndim < 3 else y.reshape(len(y), -1))
        return y

    def _loss_shape(self, y):
        # Sparse cross-entropy yields one loss per label.
        return y.shape

    def _fit(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        self._fit_class_weight = self._resolved_class_weight(X, y)
        try:
            super()._fit(X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs)
        finally:
            del self._fit_class_weight

    def _resolved_class_weight(self, X, y):
        """``class_weight`` as one training call applies it: a dict, None, or for "balanced" ``(labels, weights)``.

        The balanced weights, scikit-learn's ``n_labels / (n_classes * count)``
        for each class present, come from all the call's targets, as in
        scikit-learn: not from the samples left after scikeras drops those of
        zero weight, nor from one batch of a stream (they would change from
        batch to batch, and a batch without a class could not give them). For a
        PyDataset or tf.data source, reading its targets takes one pass over it.
        """
        if isinstance(self.class_weight, dict):
            _check_class_weight_values(self.class_weight)
        if self.class_weight != "balanced":
            return self.class_weight
        if is_streamed(X):
            targets = StreamedData(X, y, None, self.batch_size).targets(per_step=self.return_sequences)
        else:
            targets = y
        if targets is None:
            return self.class_weight  # the fit refuses the missing y
        targets = self._as_target_array(targets).ravel()
        labels = np.unique(targets)
        return labels, compute_class_weight("balanced", classes=labels, y=targets)

    def _training_weights(self, y, sample_weight):
        weights = super()._training_weights(y, sample_weight)
        if self._fit_class_weight is None:
            return weights
        return float32_precision(self._per_class_weights()[y] * weights)

    def _training_weights_name(self, sample_weighted):
        # Their product, not the user's sample weights, is what may overflow or round to 0.
        if self._fit_class_weight is None:
            return super()._training_weights_name(sample_weighted)
        return "Sample weights times class weights" if sample_weighted else "Class weights"

    def _weighs_classes(self):
        # Balanced weights average 1 over the targets they were counted on,
        # every target of the call; a dict's need not.
        return isinstance(self._fit_class_weight, dict)

    def _weightless_fit(self, sample_weighted):
        # Each factor may have a positive entry and still leave no sample
        # weighing anything (class_weight's zero on the only classes that
        # sample_weight keeps, or on all the classes this call's y holds).
        if not sample_weighted:
            return (
                "class_weight's zeros give every sample of this fit the weight 0 (every class that y holds here has "
                "class weight 0), so no sample would count in the loss and the network would not train. Give a "
                "positive class weight to a class that y holds here."
            )
        return (
            "class_weight and sample_weight together give every sample of this fit the weight 0, so no sample "
            "would count in the loss and the network would not train. Give a positive class weight to a class "
            "that has samples of positive sample_weight here."
        )

    def _per_class_weights(self):
        """The weight of each class of the network (``target_encoder_.network_classes``) in this training call."""
        if isinstance(self._fit_class_weight, dict):
            # A dict's weights need no targets: y=classes_ only satisfies the signature.
            classes = self.target_encoder_.network_classes
            weights = compute_class_weight(self._fit_class_weight, classes=classes, y=classes)
            if not weights.any():
                # As an all-zero sample_weight: every sample would weigh 0, and the network would not train.
                raise ValueError(
                    f"class_weight gives every class ({', '.join(map(repr, classes.tolist()))}) the weight 0, so no "
                    "sample would count in the loss and the network would not train. Give at least one class a "
                    "positive weight (a class left out of class_weight weighs 1)."
                )
            return weights
        labels, label_weights = self._fit_class_weight
        # A class absent from this call's targets (a warm start) is never weighed: 1 stands in.
        per_class = np.ones(self._n_network_classes())
        per_class[self.target_encoder_.transform(labels)] = label_weights
        return per_class

    def predict(self, X):
        return super().predict(X)

    predict.__doc__ = _docs.method(
        "Predicted class labels for the series ``X``, from ``classes_``.", _docs.arguments("X:predict"),
        _docs.returns("ndarray", f"{_docs.PREDICTION_SHAPES}, one label per time step."))

    def predict_proba(self, X):
        return self._decode_member(self._predict_raw(X))

    predict_proba.__doc__ = _docs.method(
        "Class probabilities over ``classes_``.", _docs.arguments("X:predict"),
        """    ndarray or list of ndarray
        ``(n_samples, n_classes)`` for one label per sample; for
        ``n_outputs`` labels per sample, scikit-learn's multi-output
        convention: a list of ``n_outputs`` arrays ``(n_samples,
        n_classes_[k])``, over the classes ``classes_[k]`` of each output;
        with ``return_sequences=True``, one array ``(n_samples,
        n_timesteps[, n_outputs], n_classes)``. Rows sum to 1 in float64.
""")

    def predict_log_proba(self, X):
        proba = self.predict_proba(X)
        # A probability of exactly 0 is -inf, as in scikit-learn's classifiers.
        with np.errstate(divide="ignore"):
            return [np.log(p) for p in proba] if isinstance(proba, list) else np.log(proba)

    predict_log_proba.__doc__ = _docs.method(
        "Logarithms of the class probabilities of :meth:`predict_proba`, in its shapes.",
        _docs.arguments("X:predict"),
        """    ndarray or list of ndarray
        The natural logarithm of each probability that :meth:`predict_proba`
        returns, in the same arrangement (a list for several labels per sample).
""")

    def _decode_member(self, raw):
        return self.target_encoder_.probabilities(raw)

    def score(self, X, y, sample_weight=None):
        check_is_fitted(self, "model_")
        # Read as fit reads y (target_array): np.asarray would make a frame of nullable
        # or pyarrow columns an object array, which accuracy_score cannot classify.
        y = target_array(y)
        y_pred = self.predict(X)
        labels_per_sample = int(np.prod(y.shape[1:], dtype=int))
        if sample_weight is not None:
            sample_weight = np.repeat(np.asarray(sample_weight), labels_per_sample)
        return accuracy_score(y.ravel(), y_pred.ravel(), sample_weight=sample_weight)

    score.__doc__ = _docs.method(
        "Mean accuracy over every predicted label (per output and time step).",
        _docs.arguments("X:score", "y:score", "sample_weight:score"),
        _docs.returns("float", "The fraction of labels predicted right (each sample's weight on each of its labels)."))
