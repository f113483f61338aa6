"""The ``sktcn`` command line: ``sktcn demo``, ``sktcn fit``, ``sktcn predict``."""

import argparse
import contextlib
import inspect
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sktcn import _demo, persistence
from sktcn._base import POOLED_FIELD
from sktcn._version import __version__
from sktcn.classifier import TCNClassifier
from sktcn.forecasting import _CALIBRATION_FOLDS, _MIN_WINDOWS, TCNForecaster
from sktcn.regressor import TCNRegressor

# The CSV layouts, which ``sktcn fit --help`` shows and this module's
# documentation includes: a constant, since ``python -OO`` strips docstrings.
CSV_LAYOUTS = """\
The CSV layouts:

classify, regress
    One row per series (wide format). ``--target`` names the label column;
    every other column is one time step, in file order, of a univariate series
    (the column names are remembered, and ``predict`` needs the same ones).
    ``--id`` names a column to leave out of the series and copy to the
    predictions. Values must be numbers, without gaps.
forecast
    One row per time point (long format), oldest first. ``--target`` names the
    column(s) to forecast (comma-separated for several); ``--time`` optionally
    names a column of evenly spaced dates or times, or of whole numbers that go
    up by 1 (years, period numbers), otherwise rows are steps 0, 1, 2, ...
    Forecasts continue from the last row.
"""

if __doc__ is not None:  # None under python -OO
    __doc__ += "\n\n" + CSV_LAYOUTS + """
Predictions are written as CSV (to ``--output``, or standard output): classify
gives ``prediction`` and one ``proba_<class>`` column per class; regress gives
``prediction``; forecast gives the time (a column named after ``--time``, or
``time``) and one column per target, plus ``<target>_lower``/``_upper`` with
``--coverage``. A classifier or regressor fit from Python to predict several
outputs per series, or one value per time step (``return_sequences=True``),
is refused: predict with it from Python (``sktcn.load(path).predict(X)``).

Exit status: 0 on success, also when the reader of standard output closes it early
(``sktcn predict ... | head``), which ends the command quietly; 1 when a data or model
file is missing or unusable, or training fails; 2 for a wrong command line (unknown
option, bad option value, or an option of another task than ``fit --task`` or the saved
model's).
Messages go to standard error; training progress too (one line per epoch).
"""

EXIT_DATA_ERROR = 1
EXIT_USAGE_ERROR = 2


class CommandError(Exception):
    """A problem with the user's files or options, reported without a traceback."""

    def __init__(self, message, status=EXIT_DATA_ERROR):
        super().__init__(message)
        self.status = status


# ------------------------------------------------------------------ options
def _int_between(minimum, maximum=None):
    """An argparse type: a whole number in [``minimum``, ``maximum``] (None: no maximum), or a message why not."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"{text!r} must be at most {maximum}")
        return value

    return parse


_positive_int = _int_between(1)
_non_negative_int = _int_between(0)
# The seeds NumPy accepts; checked here so that a bad one is a usage error, not a failure after "Training ...".
_seed = _int_between(0, 2**32 - 1)


def _epochs(text):
    return "auto" if text == "auto" else _positive_int(text)


def _float_where(accepts, rule):
    """An argparse type: a number for which ``accepts`` holds, or a message that it must be ``rule``."""

    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not accepts(value):  # NaN fails every rule
            raise argparse.ArgumentTypeError(f"{text!r} must be {rule}")
        return value

    return parse


_positive_float = _float_where(lambda value: value > 0, "greater than 0")
_fraction = _float_where(lambda value: 0 <= value < 1, "in [0, 1)")
_coverage = _float_where(lambda value: 0 < value < 1, "in the open interval (0, 1)")


def _int_list(text):
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers, e.g. 1,2,4,8") from None
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: dilations must be at least 1")
    return values


# Options that map one-to-one onto estimator parameters: (option, parameter, type, help).
# Their defaults are the estimators' own, read from the signature, never repeated here.
_PARAMETER_OPTIONS = [
    ("--nb-filters", "nb_filters", _positive_int, "convolution filters per residual block"),
    ("--kernel-size", "kernel_size", _positive_int, "size of the convolution kernels"),
    ("--nb-stacks", "nb_stacks", _positive_int, "stacks of residual blocks"),
    ("--dilations", "dilations", _int_list, "comma-separated dilations, e.g. 1,2,4,8 (default: chosen so the "
     f"receptive field covers the series, or {POOLED_FIELD} steps of them when the network pools, as classify "
     "does by default)"),
    ("--padding", "padding", str, "causal (sees only the past) or same"),
    ("--dropout-rate", "dropout_rate", _fraction, "dropout rate in the residual blocks"),
    ("--epochs", "epochs", _epochs, "passes over the training data, or auto (a budget of gradient steps "
     "with a learning-rate schedule)"),
    ("--batch-size", "batch_size", _positive_int, "samples per gradient step"),
    ("--learning-rate", "learning_rate", _positive_float, "learning rate (default: the optimizer's)"),
    ("--validation-split", "validation_split", _fraction, "fraction held out to report val_loss (auto: a fifth "
     "with --epochs auto and at least 100 series, else none)"),
    ("--patience", "patience", _non_negative_int, "epochs without improvement before --early-stopping stops"),
    ("--random-state", "random_state", _seed, "seed: the same seed repeats the fit exactly on a CPU"),
]
_NORMALISATIONS = {"batch": "use_batch_norm", "layer": "use_layer_norm", "weight": "use_weight_norm"}
# Options that mean something for some tasks only, by argparse destination (the option is --dest-with-dashes).
# Given for another task they are refused, not ignored: a user who expects them to act must learn that they do not.
_TASK_OPTIONS = {
    "id": ("classify", "regress"),
    "time": ("forecast",),
    "class_weight": ("classify",),
    "pooling": ("classify", "regress"),
    "fh": ("forecast",),
    "window_length": ("forecast",),
    "calibration_size": ("forecast",),
    "coverage": ("forecast",),
}


# The estimator each task trains, whose signature holds that task's defaults.
_TASK_ESTIMATORS = {"classify": TCNClassifier, "regress": TCNRegressor, "forecast": TCNForecaster}


def _shown_default(name):
    """``name``'s default as help shows it: one value, or one per task where the estimators differ."""
    defaults = {task: inspect.signature(estimator.__init__).parameters[name].default
                for task, estimator in _TASK_ESTIMATORS.items()}
    tasks_by_value = {}
    for task, value in defaults.items():
        tasks_by_value.setdefault(repr(value), (value, []))[1].append(task)
    if len(tasks_by_value) == 1:
        return f"default: {defaults['classify']}"
    return "default: " + ", ".join(f"{value} for {' and '.join(tasks)}" for value, tasks in tasks_by_value.values())


def _add_parameter_options(parser):
    group = parser.add_argument_group("network and training (defaults: the estimators')")
    for option, name, kind, text in _PARAMETER_OPTIONS:
        choices = ["causal", "same"] if name == "padding" else None
        shown = "" if "default:" in text else f" ({_shown_default(name)})"
        group.add_argument(option, dest=name, type=kind, choices=choices, default=None, help=text + shown)
    group.add_argument("--norm", choices=sorted(_NORMALISATIONS) + ["none"],
                       help=f"normalisation in the residual blocks (default: for classify, batch for series longer "
                       f"than {POOLED_FIELD} steps and none for shorter ones; none for regress and forecast)")
    group.add_argument("--no-skip-connections", dest="use_skip_connections", action="store_false", default=None,
                       help="do not add every block's output to the TCN's output")
    group.add_argument("--early-stopping", dest="early_stopping", action="store_true", default=None,
                       help="stop when the loss stops improving and keep the best weights")
    tasks = parser.add_argument_group("task-specific")
    tasks.add_argument("--class-weight", choices=["balanced"], help="classify: weigh classes inversely to their frequency")
    tasks.add_argument("--pooling", choices=["auto", "last", "mean", "max"],
                       help="classify/regress: read the network's last time step, or the mean or maximum over all "
                       "steps (default: auto, which is mean for classify and last for regress)")
    tasks.add_argument("--fh", type=_positive_int, help="forecast: how many steps ahead to forecast (required)")
    tasks.add_argument("--window-length", type=_positive_int, help="forecast: past steps the network reads "
                       f"(default: 3 x fh, at least 10, shortened where the data would give fewer than "
                       f"{_MIN_WINDOWS} training windows)")
    tasks.add_argument("--calibration-size", type=_fraction, help="forecast: fraction of windows held out to "
                       "calibrate intervals (default: 0.2)")


def _refuse_other_tasks_options(args, task, context=""):
    """Raise a usage error naming every option in ``args`` that belongs to tasks other than ``task``.

    All of them at once, so that a command line is not refused once per option.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line; options its command does not have are skipped.
    task : {"classify", "regress", "forecast"}
        The task the command performs.
    context : str, default=""
        Appended to the message, e.g. to say where the task came from.
    """
    wrong = [
        f"--{name.replace('_', '-')} is for {' and '.join(tasks)}"
        for name, tasks in _TASK_OPTIONS.items()
        if task not in tasks and getattr(args, name, None) is not None
    ]
    if wrong:
        raise CommandError(f"{'; '.join(wrong)}, not {task}{context}.", EXIT_USAGE_ERROR)


def _estimator_params(args):
    params = {name: getattr(args, name) for _, name, _, _ in _PARAMETER_OPTIONS}
    params["use_skip_connections"] = args.use_skip_connections
    params["early_stopping"] = args.early_stopping
    if args.norm == "none":
        params["use_batch_norm"] = False
    elif args.norm:
        params[_NORMALISATIONS[args.norm]] = True
    params = {name: value for name, value in params.items() if value is not None}
    params["verbose"] = 0 if args.quiet else 2  # Keras: one line per epoch
    return params


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="sktcn",
        description="Temporal Convolutional Networks for scikit-learn and sktime, from the command line.",
        epilog="Exit status: 0 success, 1 unusable data or model file or failed training, 2 wrong command line. "
        "See 'sktcn fit --help' for the CSV layouts.",
    )
    parser.add_argument("--version", action="version", version=f"sktcn {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{demo,fit,predict}", required=True)

    demo = commands.add_parser("demo", help="a short tour on bundled data: scores against baselines, and plots")
    demo.add_argument("--quick", action="store_true", help="tiny data and training, to check the installation")
    demo.add_argument("--plots", default="demo-plots", metavar="DIR", help="folder for the plots (default: demo-plots)")
    demo.add_argument("--no-plots", action="store_true", help="write no plots")

    fit = commands.add_parser(
        "fit",
        help="train on a CSV file and save the model",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=CSV_LAYOUTS,
    )
    fit.add_argument("--task", required=True, choices=["classify", "regress", "forecast"])
    fit.add_argument("--data", required=True, type=Path, metavar="CSV", help="training data")
    fit.add_argument("--target", required=True, metavar="COL", help="target column (forecast: comma-separated list)")
    fit.add_argument("--id", metavar="COL", help="classify/regress: identifier column, not part of the series")
    fit.add_argument("--time", metavar="COL", help="forecast: column of evenly spaced dates/times, or of whole "
                     "numbers that go up by 1 (years, period numbers)")
    fit.add_argument("--model", required=True, type=Path, metavar="DIR", help="directory to save the model in")
    fit.add_argument("--quiet", action="store_true", help="no progress output")
    _add_parameter_options(fit)

    predict = commands.add_parser("predict", help="predict with a saved model, write a CSV file")
    predict.add_argument("--model", required=True, type=Path, metavar="DIR", help="directory written by 'sktcn fit'")
    predict.add_argument("--data", type=Path, metavar="CSV", help="classify/regress: series to predict (not for forecast)")
    predict.add_argument("--id", metavar="COL", help="classify/regress: identifier column to copy to the predictions")
    predict.add_argument("--output", default="-", metavar="CSV", help="where to write predictions (default: standard output)")
    predict.add_argument("--coverage", type=_coverage,
                         help="forecast: add prediction intervals of this coverage, e.g. 0.9")
    return parser


# --------------------------------------------------------------------- data
def _read_csv(path):
    if not path.is_file():
        raise CommandError(f"{path}: no such file.")
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise CommandError(f"{path} is not a readable CSV file ({error}).") from None
    if frame.empty:
        raise CommandError(f"{path} has a header but no rows.")
    return frame


def _require_columns(frame, columns, path, option):
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        shown = ", ".join(map(str, list(frame.columns)[:8])) + (", ..." if frame.shape[1] > 8 else "")
        raise CommandError(
            f"{path} has no column {missing[0]!r} ({option}); its columns are: {shown}.{_separator_hint(frame)}"
        )


def _separator_hint(frame):
    """A sentence for a file read as one column whose header holds another separator (semicolons, tabs), or ''."""
    if frame.shape[1] != 1:
        return ""
    header = str(frame.columns[0])
    separator = next((name for mark, name in ((";", "semicolons"), ("\t", "tabs")) if mark in header), None)
    return (f" The file seems separated by {separator}: sktcn reads comma-separated files (decimal points, "
            "not commas).") if separator else ""


def _numeric(frame, path, role):
    bad = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if bad:
        raise CommandError(
            f"{path}: column {bad[0]!r} is not numeric, but {role} must be numbers. "
            "Remove it, or name it with --id if it identifies the rows."
        )
    if frame.isna().any().any():
        row = int(np.flatnonzero(frame.isna().any(axis=1).to_numpy())[0])
        raise CommandError(f"{path}: data row {row + 1} has an empty or missing value; sktcn needs complete series.")
    return frame


def _series_frame(frame, path, exclude):
    """The time-step columns of a wide CSV: all but the target and id columns."""
    steps = frame.drop(columns=[c for c in exclude if c is not None and c in frame.columns])
    if steps.shape[1] == 0:
        raise CommandError(f"{path} has no time-step columns besides the target and id columns.")
    return _numeric(steps, path, "the time-step columns")


def _time_series(frame, path, targets, time_column):
    _require_columns(frame, targets + ([time_column] if time_column else []), path, "--target/--time")
    y = _numeric(frame[targets], path, "the target columns")
    if time_column is None:
        return y.set_axis(pd.RangeIndex(len(y), name="time"))
    column = frame[time_column]
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return y.set_axis(_period_index(column, path))
    return y.set_axis(_date_index(column, path))


def _period_index(column, path):
    """The integer index of a numeric ``--time`` column, which must count periods (years, period numbers) by 1.

    Any other numbers are refused: pandas would read them as nanoseconds since 1970, and a
    forecast stamped 1970-01-01 00:00:00.000002020 is of no use.
    """
    values = column.to_numpy()
    whole = np.isfinite(values).all() and (values == np.round(values)).all()
    if not whole or (np.diff(values) != 1).any():
        raise CommandError(
            f"{path}: column {column.name!r} (--time) holds numbers, which are times only as whole numbers that go "
            "up by 1 from row to row (years, period numbers), and these do not; write the times as dates "
            "(e.g. 2024-01-31 or 2024-01-31 12:00), or leave out --time to use row numbers."
        )
    start = int(values[0])
    return pd.RangeIndex(start, start + len(values), name=column.name)


def _date_index(column, path):
    """The index of a ``--time`` column of dates or times, which must be evenly spaced."""
    try:
        with warnings.catch_warnings():
            # pandas warns when it parses dates one by one; the spacing check below
            # is what tells the user whether the result is usable.
            warnings.filterwarnings("ignore", message="Could not infer format")
            times = pd.DatetimeIndex(pd.to_datetime(column), name=column.name)
    except (ValueError, TypeError) as error:
        raise CommandError(f"{path}: column {column.name!r} (--time) does not hold dates or times ({error}).") from None
    if len(times) >= 2 and times.is_monotonic_decreasing and times.is_unique:  # strictly: not repeated times
        # pandas infers a negative frequency ("-1MS") for such times, and sktime refuses
        # the series with pages of its own: say what is wrong, as for numeric times.
        raise CommandError(
            f"{path}: the times in {column.name!r} go down from row to row (newest first); forecasts continue "
            "from the last row, so sort the file oldest first."
        )
    freq = pd.infer_freq(times) if len(times) >= 3 else None
    if freq is None:
        raise CommandError(
            f"{path}: the times in {column.name!r} are not evenly spaced and increasing (or too few to tell); "
            "forecasting needs a regular series. Leave out --time to use row numbers."
        )
    times.freq = freq
    return times


# ----------------------------------------------------------------- commands
def _fit(args, err):
    _refuse_other_tasks_options(args, args.task)
    # Before training, which can take minutes: the model could not be saved there.
    # A forecaster saves a zip archive, as sktime's save does; the others a directory.
    persistence.save_target(args.model, archive=args.task == "forecast")
    params = _estimator_params(args)
    frame = _read_csv(args.data)
    if args.task == "forecast":
        if args.fh is None:
            raise CommandError("forecast needs --fh, the number of steps ahead to forecast.", EXIT_USAGE_ERROR)
        params.update({k: getattr(args, k) for k in ("window_length", "calibration_size") if getattr(args, k) is not None})
        targets = args.target.split(",")
        y = _time_series(frame, args.data, targets, args.time)
        estimator = TCNForecaster(**params)
        calibrating = f"up to {_CALIBRATION_FOLDS} networks to calibrate intervals, then "
        print(
            f"Training TCNForecaster on {len(y)} time points of {', '.join(targets)}, {args.fh} steps ahead "
            f"({calibrating if estimator.calibration_size else ''}the forecasting networks)",
            file=err,
        )
        with contextlib.redirect_stdout(err):  # Keras prints progress to standard output
            estimator.fit(y.iloc[:, 0] if len(targets) == 1 else y, fh=np.arange(1, args.fh + 1))
    else:
        _require_columns(frame, [args.target] + ([args.id] if args.id else []), args.data, "--target/--id")
        X = _series_frame(frame, args.data, [args.target, args.id])
        if args.pooling is not None:
            params["pooling"] = args.pooling
        if args.task == "regress":
            y = _numeric(frame[[args.target]], args.data, "regression targets")[args.target].to_numpy(np.float64)
            estimator = TCNRegressor(**params)
        else:
            if frame[args.target].isna().any():
                raise CommandError(f"{args.data}: the target column {args.target!r} has missing labels.")
            y = frame[args.target].to_numpy()
            estimator = TCNClassifier(**params, **({"class_weight": args.class_weight} if args.class_weight else {}))
        print(f"Training {type(estimator).__name__} on {X.shape[0]} series of {X.shape[1]} steps", file=err)
        with contextlib.redirect_stdout(err):
            estimator.fit(X, y)
    # Progress was for this command; the saved model should predict silently.
    # Assigned, not set_params: sktime's set_params would discard the fit.
    estimator.verbose = 0
    for regressor in getattr(estimator, "regressors_", []):
        regressor.verbose = 0
    path = estimator.save(args.model)
    print(f"Model saved to {path}", file=err)


def _predict(args, out, err):
    model = persistence.load(args.model)
    task = _task_of(model)
    _refuse_other_tasks_options(args, task, f" (the model in {args.model} is a {type(model).__name__})")
    if task == "forecast":
        if args.data is not None:
            raise CommandError(
                "a forecaster predicts from the end of its training data; it takes no --data "
                "(fit again with the newer data).",
                EXIT_USAGE_ERROR,
            )
        predictions = _forecast_table(model, args.coverage)
    else:
        predictions = _series_table(model, args)
    _write_predictions(predictions, args.output, out, err, index=task == "forecast")


def _series_table(model, args):
    """A classifier's or regressor's predictions for the series of ``args.data``, one row each.

    The ``prediction`` column, a classifier's ``proba_<class>`` columns, and
    the ``--id`` column first where one is named.
    """
    if args.data is None:
        raise CommandError(f"predicting with a {type(model).__name__} needs --data, the series to predict.", EXIT_USAGE_ERROR)
    # Fit on a nested DataFrame, the names are its features', not time steps'.
    if not hasattr(model, "feature_names_in_") or model.n_timesteps_in_ is None:
        raise CommandError(
            f"{args.model} was not fit on named columns of time steps (as 'sktcn fit' does), so the columns "
            "of a CSV file cannot be matched to its time steps; use it from Python."
        )
    several = _several_predictions_per_series(model)
    if several:
        raise CommandError(
            f"{args.model} predicts {several}, but 'sktcn predict' writes one prediction per series (and for a "
            "classifier its proba_<class> columns); use it from Python: sktcn.load(path).predict(X)."
        )
    frame = _read_csv(args.data)
    columns = list(model.feature_names_in_)
    if args.id:
        _require_columns(frame, [args.id], args.data, "--id")
    _require_columns(frame, columns, args.data, "a time step the model was fit on")
    X = _numeric(frame[columns], args.data, "the time-step columns")
    # One value per series; a regressor fit on a column y (n_samples, 1) predicts it as a column.
    predictions = pd.DataFrame({"prediction": model.predict(X).reshape(len(X))})
    if hasattr(model, "classes_"):
        classes, proba = model.classes_, model.predict_proba(X)
        if isinstance(proba, list):
            # One output (several were refused above) that a classifier an earlier sktcn
            # fit on a column-vector y gives as multi-output ones do: a list of one.
            (classes,), (proba,) = classes, proba
        for label, column in zip(classes, proba.T):
            predictions[f"proba_{label}"] = column
    if args.id:
        predictions.insert(0, args.id, frame[args.id].to_numpy())
    return predictions


def _write_predictions(predictions, output, out, err, index):
    """Write the table ``predictions`` as CSV to the path ``output`` (``-``: to ``out``), with its index if asked."""
    if output == "-":
        predictions.to_csv(out, index=index)
        return
    output = Path(output)
    if not output.parent.is_dir():
        raise CommandError(f"cannot write {output}: folder {output.parent} does not exist.")
    predictions.to_csv(output, index=index)
    print(f"{len(predictions)} predictions written to {output}", file=err)


def _several_predictions_per_series(model):
    """What a classifier's or regressor's predictions hold beyond the CSV's one per series, or None.

    Models fit from Python may predict several outputs (``y`` of shape
    ``(n_samples, n_outputs)``) or one value per time step
    (``return_sequences=True``), which the ``prediction`` column cannot hold.
    """
    if model.return_sequences:
        return "one value per time step (return_sequences=True)"
    # The shape of one series' outputs: () or (1,) for one, (n_outputs,) for several.
    n_outputs = int(np.prod(model._output_shape))
    return f"{n_outputs} outputs per series" if n_outputs > 1 else None


def _task_of(model):
    """The ``--task`` that fits models like ``model``."""
    if type(model).__name__ == "TCNForecaster":
        return "forecast"
    return "classify" if hasattr(model, "classes_") else "regress"


def _forecast_table(forecaster, coverage):
    table = forecaster.predict()
    table = table.to_frame() if isinstance(table, pd.Series) else table
    # sktime's forecasts drop the index name; the cutoff keeps the training data's (the --time column's).
    table.index.name = forecaster.cutoff.name or "time"
    if coverage is not None:
        interval = forecaster.predict_interval(coverage=coverage)
        for variable in table.columns:
            table[f"{variable}_lower"] = interval[(variable, coverage, "lower")].to_numpy()
            table[f"{variable}_upper"] = interval[(variable, coverage, "upper")].to_numpy()
    return table


def _discard_stdout(out):
    """Send the rest of the process's standard output to devnull when ``out`` is it and its reader is gone.

    Python flushes standard output when it exits, which would raise
    BrokenPipeError again (and print "Exception ignored ...") with the pipe
    closed: the pattern the Python documentation gives for SIGPIPE.
    """
    if out is not sys.stdout:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor (a replaced sys.stdout)
        pass


def main(argv=None, out=None, err=None):
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    out, err = out or sys.stdout, err or sys.stderr
    parser = _build_parser()
    args = parser.parse_args(argv)  # exits with status 2 on a wrong command line
    try:
        if args.command == "demo":
            _demo.run(quick=args.quick, plot_dir=None if args.no_plots else args.plots, out=out)
        elif args.command == "fit":
            _fit(args, err)
        else:
            _predict(args, out, err)
        # Here, not at the interpreter's exit, where a reader gone meanwhile would
        # give a BrokenPipeError beyond the handler below.
        out.flush()
    except CommandError as error:
        print(f"sktcn {args.command}: error: {error}", file=err)
        return error.status
    except BrokenPipeError:
        if args.command == "fit":
            # A fit writes only to standard error (its progress), and its reader
            # left: training did not finish, and there is nowhere to say so.
            return EXIT_DATA_ERROR
        # The reader of the output closed it: `sktcn predict ... | head` has had
        # what it wanted, so stop quietly and succeed, as the reader did.
        _discard_stdout(out)
        return 0
    except (ValueError, OSError) as error:
        # The estimators' and loaders' own messages say what is wrong and how to fix it.
        print(f"sktcn {args.command}: error: {error}", file=err)
        return EXIT_DATA_ERROR
    return 0
