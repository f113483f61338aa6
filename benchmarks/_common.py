"""What the benchmark scripts share.

Every script: a timer (:func:`timed`) and the airline split of the forecasting
figures (:func:`airline_split`). benchmarks/ucr.py and benchmarks/regression.py
also share their command-line options, the header naming date, machine and
commit, and the TCN runs: one network per seed, fitted once and cached, so that
``--seeds`` and ``--n-networks`` together never fit the same seed twice.

The scripts run as ``python benchmarks/NAME.py``, so Python finds this module
beside them without any ``sys.path`` edit.
"""

import argparse
import json
import os
import platform
import re
import subprocess
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# The airline figures hold out the last three years.
AIRLINE_TEST_MONTHS = 36


def timed(function, *args):
    """(``function(*args)``, wall seconds it took)."""
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def epoch_timer():
    """A Keras callback that records each epoch's wall seconds, and the list it records them in.

    The list lives outside the callback (the class closes over it): an estimator
    may copy the callbacks it is given, and the copies must still report here.
    """
    import keras

    seconds = []

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self._start)

    return EpochTimer(), seconds


def airline_split():
    """sktime's airline series as (train, test, fh): all but the last 36 months, those months, and 1..36."""
    from sktime.datasets import load_airline

    y = load_airline()
    return y.iloc[:-AIRLINE_TEST_MONTHS], y.iloc[-AIRLINE_TEST_MONTHS:], np.arange(1, AIRLINE_TEST_MONTHS + 1)


# --quick: networks that fit in a second or two; the tests check the plumbing, not accuracy.
QUICK_TCN = dict(nb_filters=4, epochs=2)


def shipped_data_dir(name):
    """sktime's own data folder, after checking that it holds both splits of the set ``name``.

    sktime's ``load_UCR_UEA_dataset`` downloads a set it does not find there;
    the benchmarks must not, so a missing file is an error instead.
    """
    import sktime.datasets

    data_dir = os.path.join(os.path.dirname(sktime.datasets.__file__), "data")
    for split in ("TRAIN", "TEST"):
        path = os.path.join(data_dir, name, f"{name}_{split}.ts")
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path} is missing: this sktime does not ship {name}")
    return data_dir


def add_common_options(parser, choices_name, choices, method_choices):
    parser.add_argument(f"--{choices_name}", nargs="+", choices=choices, metavar=choices_name.upper().rstrip("S"),
                        help=f"run only these (default all): {', '.join(choices)}")
    parser.add_argument("--methods", nargs="+", choices=method_choices, metavar="METHOD",
                        help=f"run only these methods (default all): {', '.join(method_choices)}")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0],
                        help="random_state of the TCN (default 0); with several, the table reports the mean")
    parser.add_argument("--tcn", type=json.loads, default={}, metavar="JSON",
                        help="extra TCN parameters, e.g. '{\"epochs\": 500}' (for tuning experiments)")
    parser.add_argument("--n-networks", nargs="+", type=int, default=[1], metavar="N",
                        help="also report ensembles averaging N networks fitted with random_state, random_state+1, "
                             "... (e.g. 1 3 5: the largest is fitted once, the others are its first networks)")
    parser.add_argument("--json", metavar="PATH", help="write every figure to this JSON file")
    parser.add_argument("--quick", action="store_true", help="tiny sizes and networks, seconds (for the tests)")


def check_common_options(parser, args):
    if any(n < 1 for n in args.n_networks):
        parser.error("--n-networks must be positive")
    if not isinstance(args.tcn, dict):
        parser.error("--tcn must be a JSON object")
    args.n_networks = sorted(set(args.n_networks))


# What `git archive` writes here (.gitattributes, export-subst): the exported
# commit's short hash. In a checkout it stays the unexpanded placeholder.
EXPORT_STAMP = os.path.join(HERE, "_export_commit.txt")


def commit():
    """The checked-out commit, marked dirty when the working tree differs from it.

    Outside a git checkout (a copy made with ``git archive``, as benchmarks run
    beside ongoing work), the commit the export was made from, read from
    ``EXPORT_STAMP`` and marked ``(export)``; "unknown" when neither says.
    """
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=HERE,
                               capture_output=True, text=True, check=True).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return exported_commit(EXPORT_STAMP)


def exported_commit(stamp):
    """The commit ``git archive`` wrote into ``stamp`` as ``"<hash> (export)"``, or "unknown"."""
    try:
        with open(stamp, encoding="utf-8") as file:
            text = file.read().strip()
    except OSError:
        return "unknown"
    # Unexpanded ("$Format:...$"): the file was copied, not exported.
    return f"{text} (export)" if re.fullmatch(r"[0-9a-f]{4,40}", text) else "unknown"


def header(title, args):
    import keras
    import sklearn
    import sktime
    import tensorflow as tf

    meta = dict(
        date=time.strftime("%Y-%m-%d"), machine=platform.node() or "unknown", cpus=os.cpu_count(), commit=commit(),
        run="quick run" if args.quick else "full run", python=platform.python_version(), tensorflow=tf.__version__,
        keras=keras.__version__, sklearn=sklearn.__version__, sktime=sktime.__version__,
        gpus=len(tf.config.list_physical_devices("GPU")),
    )
    print(f"# {title}, {meta['machine']} ({meta['cpus']} CPUs, {meta['gpus']} GPUs), {meta['run']}, "
          f"{meta['date']}, commit {meta['commit']}")
    print(f"TensorFlow {meta['tensorflow']}, Keras {meta['keras']}, scikit-learn {meta['sklearn']}, "
          f"sktime {meta['sktime']}, Python {meta['python']}")
    return meta


def tcn_params(args, seed):
    params = dict(QUICK_TCN) if args.quick else {}
    params.update(args.tcn)  # --tcn wins over --quick's sizes
    params["random_state"] = seed
    return params


def tcn_label(name, args, n):
    extra = {k: v for k, v in tcn_params(args, None).items() if k != "random_state"}
    label = f"{name} ({'defaults' if not extra else json.dumps(extra, sort_keys=True)})"
    return label if n == 1 else f"{label}, mean of {n} networks"


class TCNRuns:
    """Fits one TCN per seed on one data set, once, and scores ensembles of consecutive seeds.

    ``output(estimator, X)`` gives what is averaged over networks
    (``predict_proba`` for the classifier, ``predict`` for the regressor) and
    ``score(averaged_output)`` the figures of one ensemble.
    """

    def __init__(self, make, X_train, y_train, X_test, output, args):
        self.make, self.X_train, self.y_train, self.X_test = make, X_train, y_train, X_test
        self.output, self.args = output, args
        self.fits = {}

    def network(self, seed):
        if seed not in self.fits:
            estimator = self.make(**tcn_params(self.args, seed))
            start = time.perf_counter()
            estimator.fit(self.X_train, self.y_train)
            fit_seconds = time.perf_counter() - start
            start = time.perf_counter()
            out = self.output(estimator, self.X_test)
            predict_seconds = time.perf_counter() - start
            history = getattr(estimator, "history_", None) or {}
            self.fits[seed] = dict(
                output=out, fit_seconds=fit_seconds, predict_seconds=predict_seconds,
                # epochs_: the epochs a future sktcn picks itself; None until it exists.
                epochs_=getattr(estimator, "epochs_", None), epochs_run=len(history.get("loss", [])),
                classes=getattr(estimator, "classes_", None),
            )
        return self.fits[seed]

    def ensembles(self, score):
        """{n: figures averaged over ``--seeds``} for every ``--n-networks`` n."""
        results = {}
        for n in self.args.n_networks:
            per_seed = []
            for seed in self.args.seeds:
                members = [self.network(seed + k) for k in range(n)]
                if any(m["classes"] is not None for m in members):
                    # Averaging probabilities column by column needs one class order.
                    assert all(np.array_equal(m["classes"], members[0]["classes"]) for m in members)
                figures = score(np.mean([m["output"] for m in members], axis=0), members[0]["classes"])
                figures.update(
                    seed=seed,
                    fit_seconds=sum(m["fit_seconds"] for m in members),
                    predict_seconds=sum(m["predict_seconds"] for m in members),
                    epochs_=[m["epochs_"] for m in members],
                    epochs_run=[m["epochs_run"] for m in members],
                )
                per_seed.append(figures)
            results[n] = mean_over_seeds(per_seed)
        return results


def partial_note(args, n_run, n_all, what):
    """Said beside the goals when the run is not the issue's measurement."""
    if args.quick:
        return " [quick run, tiny sizes and networks: not the issue's measurement]"
    if n_run < n_all:
        return f" [{n_run} of {n_all} {what} only: not the issue's measurement]"
    return ""


def mean_over_seeds(per_seed):
    """The mean of every numeric figure over seeds, with the per-seed figures kept for the JSON."""
    keys = [k for k, v in per_seed[0].items() if isinstance(v, (int, float, np.floating)) and k != "seed"]
    summary = {k: float(np.mean([figures[k] for figures in per_seed])) for k in keys}
    summary["per_seed"] = per_seed
    return summary


def timed_fit_predict(estimator, X_train, y_train, X_test, output="predict"):
    """(test output, fit seconds, predict seconds) of a baseline."""
    start = time.perf_counter()
    estimator.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    out = getattr(estimator, output)(X_test)
    return out, fit_seconds, time.perf_counter() - start


def epochs_note(results):
    """One line on how many epochs each TCN network trained (all networks of the largest ensemble)."""
    largest = results[max(results)]["per_seed"]
    run = sorted({e for figures in largest for e in figures["epochs_run"]})
    chosen = sorted({str(e) for figures in largest for e in figures["epochs_"]})
    return f"TCN epochs: len(history_['loss']) {', '.join(map(str, run))}; epochs_ {', '.join(chosen)}"


def print_row(label, figures, columns, n_seeds=1):
    """One markdown table row: the label, then ``figures[key]`` formatted by ``fmt`` for each (key, fmt)."""
    over = f" (mean of {n_seeds} seeds)" if n_seeds > 1 else ""
    print(f"| {label}{over} | " + " | ".join(format(figures[key], fmt) for key, fmt in columns) + " |")


def method_rows(results, method, n_networks=None):
    """{data set: that method's row, or None where it was not run}; TCN rows are picked by ``n_networks``."""
    def matches(row):
        return row["method"] == method and (n_networks is None or row.get("n_networks") == n_networks)

    return {name: next((row for row in result["methods"].values() if matches(row)), None)
            for name, result in results.items()}


def print_goals(lines, partial):
    print("\n## goals" + partial)
    for line in lines:
        print(f"- {line}")


def dump_json(path, payload):
    def default(value):
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, np.generic):
            return value.item()
        raise TypeError(f"not JSON serialisable: {type(value).__name__}")

    with open(path, "w") as out:
        json.dump(payload, out, indent=1, default=default)
    print(f"\nwrote {path}")


def run_child(script, *args):
    """Run ``script`` (a path) with ``args`` in a fresh Python process; its last stdout line, as JSON."""
    import sys

    done = subprocess.run([sys.executable, script, *args], capture_output=True, text=True, check=True, cwd=HERE)
    return json.loads(done.stdout.strip().splitlines()[-1])


def ab_parser(doc, cases):
    """The command line of an A/B script: --quick, --repeats, --cases, and the hidden --child CASE QUICK VARIANT."""
    parser = parser_with_doc(doc)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat: checks that the script runs")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per variant (default 3)")
    parser.add_argument("--cases", nargs="+", choices=cases, default=list(cases))
    parser.add_argument("--child", nargs=3, metavar=("CASE", "QUICK", "VARIANT"), help=argparse.SUPPRESS)
    return parser


def run_as_child(args, child):
    """Call ``child(case, quick, variant)`` when this process is an A/B script's child; whether it was."""
    if not args.child:
        return False
    case, quick, variant = args.child
    child(case, quick == "quick", variant)
    return True


def alternating_children(script, case, quick, variants, repeats):
    """``{variant: [result, ...]}`` of ``repeats`` fresh processes per variant, the variants taking turns.

    Each process runs ``script --child CASE QUICK VARIANT`` and prints its
    result as JSON on its last line. Taking turns, a change of the machine's
    load hits every variant alike.
    """
    runs = {variant: [] for variant in variants}
    for _ in range(repeats):
        for variant in variants:
            runs[variant].append(run_child(script, "--child", case, "quick" if quick else "full", variant))
    return runs


def same_in_all(runs, field):
    """Whether every run of every variant has the same ``field`` (a digest): "yes, bit for bit" or "NO"."""
    return "yes, bit for bit" if len({run[field] for done in runs.values() for run in done}) == 1 else "NO"


def digest(array):
    """A short hash of ``array``'s values: equal only for bit-for-bit equal results."""
    import hashlib

    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def parser_with_doc(doc):
    first, _, rest = doc.partition("\n\n")
    return argparse.ArgumentParser(description=first, epilog=rest,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
