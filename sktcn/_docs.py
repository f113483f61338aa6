"""The parameter and attribute docs of sktcn's estimators: one table, rendered per estimator.

Each entry is written once, in numpydoc form, and every estimator's
docstring is assembled from the entries of its own parameters, so a shared
parameter reads the same everywhere. Estimators that document shared
parameters as a group ("As in TCNRegressor") get the group's names from their
signature (:func:`grouped`), so the list cannot drift from what they accept;
``tests/test_docstring_parameters.py`` checks signature, ``get_params`` and
docs against each other.
"""

import textwrap


def _table(text):
    """{name: entry} from numpydoc entries (a ``name : type`` line, then its indented description)."""
    entries = {}
    for line in textwrap.dedent(text).strip("\n").splitlines():
        if line and not line[0].isspace():
            name = line.split(" :")[0].strip()
            entries[name] = []
        entries[name].append(line)
    # Rendered as a class docstring's section: names at 4 spaces, descriptions at 8.
    return {name: "".join(f"    {line}\n" if line.strip() else "\n" for line in lines)
            for name, lines in entries.items()}


PARAMETERS = _table("""
    nb_filters : int or list of int, default=64
        Number of convolution filters in every residual block, or one number per
        dilation (then ``use_skip_connections`` needs them all equal).
    kernel_size : int, default=3
        Size of the convolution kernels. With ``1`` every convolution sees a
        single step, so the receptive field is one step whatever
        ``dilations`` and ``nb_stacks`` are.
    nb_stacks : int, default=1
        Number of stacks of residual blocks.
    dilations : sequence of int or None, default=None
        Dilation rate of each residual block. ``None`` picks powers of two,
        ``(1, 2, 4, ...)``, the fewest whose receptive field covers the
        training sequences (see ``dilations_``; sequences of different lengths
        are padded to the longest, whose length counts), or, for a pooled
        network (``pooling_`` "mean" or "max"), the fewest whose field covers
        60 steps, or the sequences when shorter: at least 60 steps, so 61 with
        ``kernel_size=3`` and 99 with ``kernel_size=8``. This is the one default
        that differs from keras-tcn, whose ``(1, 2, 4, 8, 16, 32)`` is fixed
        whatever the data.
    padding : {"causal", "same"}, default="causal"
        ``"causal"``: each output sees only the past. ``"same"``: a non-causal TCN.
        keras-tcn reads one step of a non-causal TCN from the middle of the
        series, not its end, so ``"same"`` is refused with ``pooling="last"``
        (pool with ``"mean"`` or ``"max"``, or keep ``"causal"``), and
        ``pooling="auto"`` pools with ``"mean"`` there. A forecaster refuses
        ``"same"``: its training steps would see the values they learn to
        forecast, which at the forecast origin are not there.
    use_skip_connections : bool, default=True
        Add the output of every residual block to the TCN's output.
    dropout_rate : float, default=0.0
        Spatial dropout rate inside the residual blocks, in ``[0, 1)``.
    return_sequences : bool, default=False
        Predict one target per time step; ``y`` then has shape
        ``(n_samples, n_timesteps)`` or ``(n_samples, n_timesteps, n_outputs)``.
    activation : str or callable, default="relu"
        Activation of the residual blocks: a name ``keras.activations.get``
        knows (another is a ValueError), or a function.
    kernel_initializer : str or keras.initializers.Initializer, default="he_normal"
        Initializer of the convolution kernels: a name
        ``keras.initializers.get`` knows (another is a ValueError), or an
        initializer.
    use_batch_norm : bool{batch_norm_type}, default={batch_norm}
        Batch normalisation in the residual blocks (its moving statistics with
        momentum 0.9, which suits fits of a few hundred steps).{batch_norm_why}
    use_layer_norm : bool, default=False
        Layer normalisation in the residual blocks.
    use_weight_norm : bool, default=False
        Weight normalisation of the dilated convolutions (keras-tcn 3.5 dropped
        this option; sktcn implements it for Keras 3). At most one of the three
        normalisations may be on.
    go_backwards : bool, default=False
        Process the sequences backwards.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        Optimizer, by Keras name, class or instance (another value is a
        ValueError).
    learning_rate : float or None, default=None
        Learning rate of the optimizer; ``None`` keeps the optimizer's default.
        A schedule (a ``keras.optimizers.schedules.LearningRateSchedule``)
        goes in the optimizer instead,
        ``optimizer=keras.optimizers.Adam(learning_rate=schedule)``; given
        here it is refused with a TypeError that says so.
    loss : str, keras loss or None, default=None
        ``None`` picks the estimator's natural loss. A classifier trains on
        class indices (sparse labels): Keras' losses and metrics for one-hot
        targets (``"categorical_crossentropy"``, ``"binary_crossentropy"``,
        ``"categorical_accuracy"``, ``AUC``, ...) are refused with a
        ValueError; use their ``sparse_`` versions. Keras' losses for the
        other task are refused too, by name, class or instance: a regression
        loss (``"mse"``, ``"mae"``, ``"huber"``, ...) by a classifier, a
        classification loss (a cross-entropy, ``"hinge"``,
        ``"kl_divergence"``, ``"dice"``, ...) by a regressor or forecaster.
        So are, by a regressor or forecaster, the losses for positive
        numbers in their own units (``"mape"``, ``"msle"``, ``"poisson"``):
        these train on standardised targets, half of them negative, where
        such a loss learns nothing; score the predictions, in ``y``'s
        units, with scikit-learn's or sktime's metrics instead. So is
        ``"cosine_similarity"``, which compares only the direction of the
        outputs: for one output it sees only signs and learns nothing. A
        loss of your own is not checked. A loss with settings is an instance
        (``keras.losses.Huber(delta=0.1)``), which clones, copies, pickles
        and grid searches keep whole, or, for the classifier and the
        regressor, its class with routed settings (``loss=keras.losses.Huber,
        loss__delta=0.1``); a name (``"huber"``) takes no settings. A
        forecaster saved by an earlier sktcn with a loss or metric refused
        since loads with a warning and forecasts as before; it refuses only
        to train again.
    metrics : list or None, default=None
        Keras metrics recorded in ``history_``. A metric of Keras for the
        other task (``"mse"`` or ``"r2_score"`` for a classifier,
        ``"accuracy"``, ``"auc"``, a cross-entropy or ``"mape"`` for a
        regressor or forecaster) is refused, as such a loss is. The string
        ``"accuracy"`` (or ``"acc"``) is a classifier's sparse accuracy;
        the class ``keras.metrics.Accuracy``, which compares the outputs
        with the labels for equality, and ``IoU`` or ``MeanIoU`` with
        ``sparse_y_pred=True`` (their default), which read the outputs as
        labels, are refused by a classifier, whose outputs are
        probabilities.
    epochs : int or "auto", default="auto"
        Number of passes over the training data. ``"auto"`` plans a budget
        of about 4,000 gradient steps (at least 10 and at most 2,000 passes
        over the data, fewer for long series or wide networks so that a fit's
        compute stays bounded, 1-2 minutes on a 2-core CPU; a small training
        set, whose passes are batched several together, runs them in fewer,
        fuller batches), halves the learning rate whenever the loss stalls
        (unless the optimizer has a ``LearningRateSchedule`` of its own),
        stops once it has stalled for long, and keeps the weights of the
        epoch with the lowest loss (the validation loss with a
        ``validation_split``); ``epochs_`` holds the plan and ``history_``
        the epochs run and their ``learning_rate``. An integer trains exactly
        that many epochs at a constant learning rate (fewer only with
        ``early_stopping=True``). See the user guide, "Training regime".
    batch_size : int, default=32
        The most samples per gradient update. Training arrays are split into
        as few batches as that allows, of equal size to within one sample (35
        series make batches of 18 and 17, not 32 and 3); a streamed ``X``
        keeps its own batches.
    validation_split : float{validation_type}, default={validation}
        Fraction of the training data, drawn at random with ``random_state``,
        held out to compute ``val_loss`` (and to drive early stopping).{validation_why}
    early_stopping : bool, default=False
        Stop when the monitored loss (``val_loss`` with a validation split,
        the training loss otherwise) has not improved for ``patience`` epochs,
        and keep the best weights seen.
    patience : int, default=10
        Epochs without improvement before early stopping stops.
    callbacks : list of keras.callbacks.Callback or None, default=None
        Extra Keras callbacks for training, run as given (their attributes,
        such as ``EarlyStopping.stopped_epoch``, show what happened). A fit
        that trains a new network builds them from the parameters; a warm
        start or ``partial_fit`` continues with the same ones, or builds them
        again where ``set_params`` changed ``callbacks`` or a routed
        ``callbacks__...`` since. Keras gives them the model it trains for
        the fit only: after it, ``callback.model`` is None, so the estimator
        clones, copies and pickles (``model_`` holds the network).
    shuffle : bool, default=True
        Visit the training samples in a new random order on every pass over
        them (drawn from ``random_state``). A ``tf.data.Dataset`` given as
        ``X`` keeps its own order.
    warm_start : bool, default=False
        Keep training the fitted network on the next call to ``fit``. It
        goes on with the optimizer it was built with and that optimizer's
        state, as ``partial_fit`` does (scikit-learn's ``MLPRegressor`` makes
        a new optimizer on a warm start, and keeps it in ``partial_fit``).
        A ``learning_rate`` set in between applies to it, to fine-tune at a
        lower rate; ``epochs="auto"`` restarts its schedule from the rate
        the network was built with, or from that new one. The parameters
        the network is built or optimised with (``nb_filters``,
        ``dilations``, ``dropout_rate``, ``pooling``, ``optimizer`` and its
        routed settings, ``loss``, ``metrics``, ...) cannot change under a
        warm start (nor after ``sktcn.load``, from those saved): ``fit``
        refuses a change, naming it, rather than ignore it; fit with
        ``warm_start=False`` to build a new network.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, shuffling and the validation
        split. With a seed, fits on the CPU are repeatable exactly (under a
        distribution strategy only with ``shuffle=False``). The global
        random state of Python, NumPy and TensorFlow is restored afterwards and
        TensorFlow's process-wide determinism switch is left alone, so unseeded
        fits in the same process keep working. Only TensorFlow's op-seeded
        random ops, ``tf.random.*`` given a ``seed=`` of their own
        (``tf.random.uniform(shape, seed=3)``), start their sequences again
        after a seeded fit: TensorFlow cannot restore where they stood.
    verbose : int, default=0
        Keras' verbosity during training.
    distribution_strategy : {"default", "mirrored", "auto"}, tf.distribute.Strategy or None, default=None
        Where the network trains. ``None`` or ``"default"``: one device, the
        first GPU if there is one, else the CPU. ``"mirrored"``: a copy of the
        network on every visible GPU, each batch split between them
        (``batch_size`` is the global batch; sktcn splits the batches of
        in-memory arrays itself, past a crash in TensorFlow's own split,
        see the user guide). ``"auto"``: ``"mirrored"`` when
        more than one GPU is visible. A ``tf.distribute.Strategy`` object
        (e.g. ``MultiWorkerMirroredStrategy``) is used as given; pickling
        stores it by name (see the user guide, "Parallel and distributed training").
    mixed_precision : bool, default=False
        Train and predict with Keras' ``mixed_float16`` policy in the TCN
        (float16 computation, float32 weights, loss scaling) and a float32
        output head. Faster on GPUs with tensor cores; slow on CPUs. Keras'
        own global mixed policy, set before ``fit``, has the same effect
        (the TCN follows it, the input scaling and head stay float32).
    **kwargs
        Routed parameters in scikeras' style, for example
        ``optimizer__momentum=0.9``, ``compile__jit_compile=True`` or
        ``callbacks__0__patience=3``; their names start with ``model__``,
        ``fit__``, ``predict__``, ``compile__``, ``optimizer__``, ``loss__``,
        ``metrics__`` or ``callbacks__``, and any other name is a TypeError.
        ``fit__epochs``, ``fit__batch_size``, ``fit__shuffle``,
        ``fit__verbose`` and ``fit__validation_split`` override the
        parameters of those names for ``fit``, checked as they are, and
        keyword arguments of ``fit`` override both (scikeras' order;
        ``fit(X, y, callbacks=[...])`` replaces ``callbacks`` for that
        call); other ``fit__`` names go to Keras' ``Model.fit``.
    pooling : {"auto", "last", "mean", "max"}, default="auto"
        How the network turns the TCN's output, one feature vector per time
        step, into one prediction per series. ``"last"``: read the last step
        only (keras-tcn's ``return_sequences=False``). ``"mean"`` or
        ``"max"``: average, or take the maximum of, every step's features
        (global average or max pooling) before the output layer. ``"auto"``:
        {auto}; ``pooling_`` holds the choice made.

        Pooling suits labels that depend on the whole series (a gesture, a
        fault, a sleep stage): every step contributes to the prediction and
        its gradient, so the network learns a pattern wherever it occurs,
        and it generalised from few training series much better than one
        that routes everything through the last step (measured figures on
        the user guide's classification page). ``"last"`` is right when the answer
        depends on the end of the series or on the order of distant steps:
        the adding problem, ``y = x[0] + x[-1]``, the next value of a series.
        Each step's features see the ``receptive_field_`` steps up to it:
        with ``dilations=None`` a pooled network's field is the smallest that
        covers 60 steps (61 with ``kernel_size=3``: local patterns, as the UCR
        archive's convolutional classifiers use; the series when shorter),
        an unpooled one's covers the whole training series; no
        feature relates steps further apart than ``receptive_field_``. Series of
        different lengths are padded with zeros in front (each to the longest
        training series, or its own length if longer), and pooling counts
        those steps too. With ``return_sequences=True`` there is no time axis
        to pool: leave ``pooling="auto"``.
    n_networks : int, default=1
        Number of networks trained from the seeds ``random_state``,
        ``random_state + 1``, ... on the same data; predictions (class
        probabilities for the classifier) are their average, as InceptionTime
        averages five networks. The networks train together as one Keras
        model, on the same batches (in small fits fused into one TCN with
        block-diagonal convolutions); ``predict_members`` gives each one's
        predictions. Costs and measured effect of 1, 3 and 5 networks: the
        user guide's page "Training regime" (its ensemble table).
    input_noise : float >= 0, default=0.0
        Gaussian noise added to the inputs in training only (the network's
        layer ``"input_noise"``, after the input scaling), of a standard
        deviation of ``input_noise`` times each feature's over all training
        series and time steps (of the first batch, for streamed data) as
        the scaling leaves them; constant features get none. A regulariser
        for small training sets of short series; ``predict`` never adds
        noise. A trade-off, so off by default: 0.2 raised ItalyPowerDemand's
        test accuracy (24 steps) from 0.9575 to 0.9675 over seeds 0-4, but
        cost synthetic short-series tasks whose signal is finer than the
        noise (a step of 0.1 standard deviations: 0.983 to 0.911) or whose
        spread spikes inflate (0.728 to 0.605), and the longer UCR sets,
        which train with batch normalisation (the user guide's page
        "Training regime"). A warm start keeps the noise the network was
        built with, as it keeps its input scaling. With ``n_networks > 1``
        the members of a fused model draw the same noise for a batch:
        member ``k`` then differs from a network trained alone with seed
        ``random_state + k``.
    input_scaling : {"auto", "standard", "series", None}, default="auto"
        ``"standard"``: the network's first layer standardises each input
        feature with the mean and standard deviation it had over all
        training series and time steps (of the first batch, for streamed
        data), so series in any units (case counts, accelerations) train
        with the default learning rate. ``"auto"``: every feature but 0/1
        indicators and those near unit scale (largest magnitude from 0.1 to
        10, mean within 10 standard deviations of zero), which go in as
        given. Standardising a 0/1 marker hurt: on the adding problem
        (length 100, 15 epochs) test R² fell from 0.889 to -0.311, while raw
        case counts (Covid3Month) need it, and so do tiny units and levels
        that dwarf their variation: fed as given at a scale of 1e-4, or as
        5 ± 0.1, a classification that scores 1.0 standardised fell to
        chance (``benchmarks/input_units.py``). The statistics are part of
        ``model_``. ``"series"``: the first layer standardises each series,
        feature by feature, by its own mean and standard deviation over its
        steps, in ``fit`` and ``predict`` alike (the z-normalisation the UCR
        archive ships its series in), for series that each carry a level or
        scale of their own (raw sensor data) that says nothing of the
        target. It discards each series' level and scale: where they are the
        target, keep ``"auto"``. A constant feature of a series becomes
        zeros. The zeros padded in front of shorter series stay out of a
        series' statistics (and so do all-zero steps a series starts with);
        with ``subsequence_length`` each training crop is standardised on its
        own, and ``predict`` each whole sequence; per-step outputs then
        depend on the whole sequence, not only on the steps up to theirs.
        ``None``: every feature goes in as given. The scaling
        layer (Keras' ``Normalization``) divides by at least ``1e-7``: a
        feature with a smaller standard deviation is centred, not scaled, and
        ``fit`` warns, naming it; multiply it by a constant first. ``X`` is read in
        float32: ``fit`` warns where the cast rounds away much of a float64
        feature's variation, over all series or within most series (a level
        such as 1e8 next to variation of a few units; centre ``X``, or each
        series, first), and refuses ``X`` when nothing of its variation is
        left.
    subsequence_length : int or None, default=None
        Train on crops of this many steps instead of whole sequences (with
        ``return_sequences=True``), for recordings too long to train on in
        one piece. Each crop also reads the ``receptive_field_ - 1`` steps
        before it, whose outputs get no loss, so every trained output saw a
        full receptive field or the true start of its recording; an epoch
        draws ``ceil(n_timesteps / subsequence_length)`` crops per recording.
        ``dilations=None`` then covers ``subsequence_length`` steps.
        ``predict`` reads whole sequences either way, in chunks that overlap
        by the receptive field, with the outputs of one pass (in one pass
        under ``input_scaling="series"``, which scales by the whole
        sequence's statistics). ``None``: whole
        sequences. A hyperparameter to search, as the source on long
        sequences advises.
    subsequence_sampling : {"random", "stride"}, default="random"
        Where the crops lie: ``"random"`` draws fresh uniform offsets every
        epoch (seeded by ``random_state``), ``"stride"`` tiles each recording
        with the same crops every epoch.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn; multiplies
        ``sample_weight``. A dict's weights must be, as ``sample_weight``'s,
        finite and non-negative, and not 0 for every class (a class it leaves
        out weighs 1). ``"balanced"`` weighs each class by ``n_labels /
        (n_classes * count)``, counted once over all the targets of the
        ``fit`` (those of zero ``sample_weight`` included), also for streamed
        ``X``: a memory map's ``y``, or the targets of a PyDataset or
        tf.data.Dataset, read in one extra pass before training. ``partial_fit``
        refuses ``"balanced"``, as scikit-learn's ``SGDClassifier`` does: one
        batch does not tell the class frequencies; pass a dict of the weights
        that ``sklearn.utils.class_weight.compute_class_weight("balanced",
        classes=classes, y=y)`` gives on all the targets (or a large sample).
""")

ATTRIBUTES = _table("""
    model_ : keras.Model
        The trained network.
    dilations_ : tuple of int
        The dilations used, chosen automatically when ``dilations=None``.
    receptive_field_ : int
        Number of past time steps each output step of the TCN sees
        (keras-tcn's formula): all the last step sees, the widest span a
        pooled feature covers.
    history_ : dict
        Loss (and metric) per epoch, ``val_``-prefixed for the validation
        split; with ``epochs="auto"`` also the ``learning_rate`` of each epoch.
        ``len(history_["loss"])`` is the number of epochs run. A curve
        measured on some epochs only (``val_loss`` with
        ``fit__validation_freq`` above 1, or from a warm start that added a
        validation split) holds those epochs' values;
        :func:`sktcn.plotting.plot_history` draws each at its epoch.
    epochs_ : int
        Passes over the training data planned for the last fit: ``epochs``,
        or its resolution when ``epochs="auto"`` (training may stop earlier).
        With ``"auto"`` a small training set is repeated within each Keras
        epoch (as many passes as would make 32 batches one pass at a time,
        batched together), so ``history_`` then holds one entry per several
        passes.
    n_features_in_ : int
        For 2D ``X``, the number of columns (time steps), as scikit-learn
        defines it; for 3D ``X`` or lists of series, features per time step.
    n_timesteps_in_ : int or None
        Sequence length a 2D ``X`` fixed at fit time (``predict`` requires it);
        ``None`` when fit on 3D input, which may be predicted at any length.
    ragged_fit_length_ : int or None
        For a fit on series of different lengths, the steps of the longest:
        ``predict`` pads a shorter series in front with zeros to this length
        (as the fit padded it), so pad so before running an exported ONNX
        network (:meth:`export_onnx`); ``None`` after a fit on series of one
        length (3D or 2D ``X``), which are predicted as given. Read-only.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names:
        the time steps' for a table, the features' for sktime's nested
        DataFrame (``nested_univ``); ``predict`` checks them.
    pooling_ : {"last", "mean", "max"} or None
        The pooling used, ``pooling="auto"`` resolved; ``None`` with
        ``return_sequences=True``.
""")


# The parameters of TCNEstimatorBase, in its signature's order (with the routed
# ``**kwargs`` last), and the attributes every fitted TCN estimator has.
# TCNClassifier's and TCNRegressor's own parameters (sktcn._base.ESTIMATOR_PARAMS).
ESTIMATOR_PARAMETERS = ("pooling", "n_networks", "input_scaling", "input_noise", "subsequence_length",
                        "subsequence_sampling")
TCN_PARAMETERS = tuple(name for name in PARAMETERS if name not in ESTIMATOR_PARAMETERS + ("class_weight",))
TCN_ATTRIBUTES = tuple(ATTRIBUTES)


def parameters(names, **fill):
    """The entries of ``names``, in that order; ``fill`` replaces ``{field}`` in an entry (pooling's ``{auto}``)."""
    text = "".join(PARAMETERS[name] for name in names)
    fill = {"batch_norm": "False", "batch_norm_why": "", "batch_norm_type": "",
            "validation": "0.0", "validation_why": "", "validation_type": "", **fill}
    for field, value in fill.items():
        text = text.replace("{" + field + "}", value)
    return text


def attributes(names):
    """The attribute entries of ``names``, in that order."""
    return "".join(ATTRIBUTES[name] for name in names)


def grouped(names, description):
    """One numpydoc entry documenting ``names`` together, wrapped, with an indented ``description``."""
    head = textwrap.fill(", ".join(names), width=88, initial_indent="    ", subsequent_indent="    ")
    body = textwrap.fill(" ".join(description.split()), width=80, initial_indent="        ",
                         subsequent_indent="        ")
    return f"{head}\n{body}\n"


# The arguments of the estimators' methods, written once: ``fit``,
# ``partial_fit``, ``predict``, ``predict_proba`` and ``score`` of every sktcn
# estimator document their arguments from here (scikeras' own docstrings,
# which sktcn would otherwise inherit, describe Keras' predict and sparse input,
# neither of which applies).
ARGUMENTS = _table("""
    X : array-like, list of array-like, memory map, PyDataset or tf.data.Dataset
        2D ``(n_samples, n_timesteps)`` univariate series, 3D ``(n_samples,
        n_timesteps, n_features)``, a DataFrame (one row per series), sktime's
        nested DataFrame (``nested_univ``), or a list (or 1D object array,
        or ``tf.RaggedTensor``) of 1D/2D series of different lengths,
        padded with zeros in front so each series ends on the last step a
        causal TCN reads: to the longest here, and at predict each series
        to that length or its own if longer, so that its prediction does
        not depend on the series predicted with it. Any other DataFrame is a table, whatever
        its row index: convert sktime's ``pd-multiindex`` panels first.
        Data larger than memory: a memory-mapped array (read ``batch_size``
        rows at a time), or a ``keras.utils.PyDataset`` or finite
        ``tf.data.Dataset`` of batches ``(x, y)`` or ``(x, y, w)`` with raw
        labels or targets in ``y``; sktcn reads their targets in one pass
        before training (see the user guide, "Parallel and distributed training").
        Sparse matrices are refused (TypeError).
    y : array-like or None
        Targets, ``(n_samples,)`` or ``(n_samples, n_outputs)``; with
        ``return_sequences=True``, ``(n_samples, n_timesteps[, n_outputs])``.
        ``None`` when ``X`` is a PyDataset or tf.data.Dataset. A warm start
        (``warm_start=True``, ``partial_fit``) needs the outputs of the
        first fit.
    sample_weight : array-like of shape (n_samples,) or float, default=None
        Weight of each sample in the loss: finite, non-negative, not all
        zero; a number weighs every sample the same. A PyDataset's or
        tf.data's batches carry their own, checked batch by batch. Only
        their ratios count in ``fit``: the weights of the loss (times
        ``class_weight``'s for TCNClassifier) are divided by their mean over
        the fit, so that the loss, ``history_`` and the thresholds of
        ``epochs="auto"`` are on the scale of an unweighted fit (a streamed
        fit reads its weights in one more pass before training). Weights
        all below float32's range (about 1e-38), in which the network
        trains, are divided by their mean in float64 first.
        ``partial_fit`` uses each call's weights as given, so that calls
        weigh relative to each other (a call, or a whole stream, whose
        weights all round to 0 in float32 is refused there). X in memory
        leaves its samples of weight 0 out of training, and those whose
        weight (in ``fit`` divided by the mean) rounds to 0 in float32.
    **kwargs
        Arguments of Keras' ``Model.fit`` for this call only, outside
        scikit-learn's API (set parameters instead): ``epochs``,
        ``batch_size``, ``shuffle``, ``verbose`` and ``validation_split``
        override the parameters of those names (checked as they are), and
        ``callbacks`` (a list of ``keras.callbacks.Callback``) replaces the
        estimator's callbacks; others (``validation_freq``, ...) go to Keras'
        fit as they are. Those
        sktcn computes itself (``x``, ``y``, ``sample_weight``,
        ``class_weight``, ``validation_data``, ``steps_per_epoch``,
        ``initial_epoch``) and names Keras' fit does not take are refused
        with TypeError.
    X:predict : array-like, list of array-like, memory map, PyDataset or tf.data.Dataset
        Series in any form ``fit`` takes, with the features of the fit: 2D
        ``X`` of the fit's length (``n_timesteps_in_``); 3D ``X`` and lists
        of series of any length. A memory map is read in chunks; a PyDataset
        or tf.data.Dataset may yield ``x``, ``(x,)``, ``(x, y)`` or ``(x, y,
        w)`` batches (only ``x`` is read), whose series may differ in length
        from batch to batch. Sparse matrices are refused (TypeError).
    X:score : array-like or list of array-like
        Series, as for ``predict``.
    y:score : array-like
        True targets, shaped as ``predict`` returns them.
    sample_weight:score : array-like of shape (n_samples,), default=None
        Weight of each sample in the score.
""")


def arguments(*keys):
    """The argument entries of ``keys``, in order; ``"X:predict"`` is the variant of ``X`` shown for ``predict``."""
    return "".join(ARGUMENTS[key].replace(f"    {key} :", f"    {key.split(':')[0]} :", 1) for key in keys)


# What ``predict`` returns per series, the shape ``y`` had at fit.
PREDICTION_SHAPES = ("``(n_samples,)`` or ``(n_samples, n_outputs)``, as ``y`` was at fit; with "
                     "``return_sequences=True``, ``(n_samples, n_timesteps)`` or ``(n_samples, n_timesteps, "
                     "n_outputs)``")


def returns(kind, description):
    """One numpydoc Returns entry: ``kind``, then ``description`` wrapped beneath it."""
    body = textwrap.fill(" ".join(description.split()), width=80, initial_indent="        ",
                         subsequent_indent="        ", break_on_hyphens=False)
    return f"    {kind}\n{body}\n"


def method(summary, arguments, returns, description=""):
    """A method's numpydoc docstring, at the indentation of the entries above (``cleandoc`` removes it)."""
    description = f"\n    {description}\n" if description else ""
    return (f"{summary}\n{description}\n    Parameters\n    ----------\n{arguments}"
            f"\n    Returns\n    -------\n{returns}")
