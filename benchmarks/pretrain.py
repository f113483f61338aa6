"""What ``TCNForecaster.pretrain`` gives a series with a short history: a cold-start backtest.

Two data sets that ship with sktime, each a handful of series:

* ``macro``: the 12 quarterly US macroeconomic series of ``load_macroeconomic``
  (203 quarters; GDP, consumption, prices, rates, unemployment...: different
  quantities); target history 40 quarters, fh 1..8, seasonal period 4;
* ``sales``: the 4 product groups of ``load_hierarchical_sales_toydata``
  (60 months of sales of related products); target history 24 months, fh
  1..6, seasonal period 12.

Each series in turn is the target: it keeps only its last ``history`` steps
before each origin (a short history, as a new product or a new region has),
and is forecast from the last ``--origins`` origins, one horizon apart. The
other series of the set, every step up to the same origin (nothing after it:
the series move together, and later values would leak what is forecast), form
the panel. Four forecasts:

* ``scratch``: ``TCNForecaster()`` (its defaults) fit on the target's short history;
* ``pretrained``: the same, first pretrained on the panel, then fit on the
  target's short history (its networks start from the pretrained ones);
* ``global``: the same forecaster fit on the panel plus the target's history
  as one panel (no fine-tuning: one global model), forecasting the target;
* seasonal naive and Theta on the target's short history, for scale.

Each row prints the target's MAE per method over the origins and seeds, the
fit seconds (pretraining included), and the simple forecast the scratch and the
pretrained forecasters correct ("alone" where their backtest dropped the
networks' correction, "untested" where too few windows left no backtest, which
keeps it) and their window length. Two macro series (unemployment, inflation) are also in
the forecaster's tuning set; no parameter of the forecaster was chosen on
these figures.

Usage: python benchmarks/pretrain.py [--quick] [--data macro sales] [--history N] [--horizon N]
       [--origins 2] [--seeds 0] [--params '{"window_length": 8}'] [--targets NAME ...]

``--quick``: tiny networks without the calibration backtest, one origin, the first three series of each set.
"""

import argparse
import json
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from _common import header  # noqa: E402

QUICK = dict(nb_filters=4, epochs=1, n_networks=1, calibration_size=0)


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny networks, no calibration, one origin, three targets")
    parser.add_argument("--data", choices=sorted(DATA), nargs="+", default=sorted(DATA), help="data sets")
    parser.add_argument("--history", type=int, help="steps of the target's history (default: the data set's)")
    parser.add_argument("--horizon", type=int, help="steps forecast (default: the data set's)")
    parser.add_argument("--origins", type=int, default=2, help="last origins, one horizon apart")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="random_state of the TCN forecasters")
    parser.add_argument("--params", type=json.loads, default={},
                        help='parameters of every TCN forecaster, as JSON (e.g. \'{"window_length": 8}\')')
    parser.add_argument("--targets", nargs="+", help="only these series as targets")
    return parser.parse_args(argv)


def macro_series():
    """The 12 series of sktime's macroeconomic data, each a float Series on a quarterly PeriodIndex."""
    from sktime.datasets import load_macroeconomic

    data = load_macroeconomic()
    return {name: data[name].astype(np.float64) for name in data.columns}


def sales_series():
    """The 4 product groups of sktime's hierarchical sales toy data, each a float Series of 60 months."""
    from sktime.datasets import load_hierarchical_sales_toydata

    data = load_hierarchical_sales_toydata()["Sales"].astype(np.float64)
    return {group: part.droplevel([0, 1]) for (_, group), part in data.groupby(level=[0, 1])}


# name: (loader, season, default history, default horizon) of each data set.
DATA = {
    "macro": (macro_series, 4, 40, 8),
    "sales": (sales_series, 12, 24, 6),
}


def as_panel(series):
    """A ``pd-multiindex`` DataFrame of ``{name: Series}``, one column ``y``."""
    return pd.concat({name: part.to_frame("y") for name, part in series.items()}, names=["series", "time"])


def forecasts(target, others, fh, sp, params):
    """{method: (forecast values, fit seconds)} for the target's short history ``target``."""
    from sktime.forecasting.naive import NaiveForecaster
    from sktime.forecasting.theta import ThetaForecaster

    from sktcn import TCNForecaster

    positive = bool((target > 0).all())
    baselines = {"snaive": lambda: NaiveForecaster(strategy="last", sp=sp),
                 "theta": lambda: ThetaForecaster(sp=sp, deseasonalize=positive)}
    out = {}
    for name, make in baselines.items():
        # sktime (1.2) turns FutureWarnings back on for the whole process whenever a
        # horizon's frequency is set, and its forecasters' fit re-runs their
        # constructor, which warns of a change of default: each in a filter of its own.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[name] = make().fit(target, fh=fh).predict().to_numpy()
    start = time.perf_counter()
    scratch = TCNForecaster(**params).fit(target, fh=fh)
    out["scratch"] = scratch.predict().to_numpy().ravel()
    seconds = {"scratch": time.perf_counter() - start}

    start = time.perf_counter()
    pretrained = TCNForecaster(**params).pretrain(as_panel(others), fh=fh)
    out["pretrained"] = pretrained.fit(target, fh=fh).predict().to_numpy().ravel()
    seconds["pretrained"] = time.perf_counter() - start
    # The simple forecast each corrects, and whether the backtest kept the correction.
    out["chosen"] = {name: f"{model.baseline_}{'' if model.correction_weight_ else ' alone'}"
                           f"{' untested' if model.interval_calibration_ != 'backtest' else ''} w{model.window_length_}"
                     for name, model in (("scratch", scratch), ("pretrained", pretrained))}

    start = time.perf_counter()
    joint = TCNForecaster(**params).fit(as_panel({**others, "target": target}), fh=fh)
    out["global"] = joint.predict().xs("target", level=0).to_numpy().ravel()
    seconds["global"] = time.perf_counter() - start

    return out, seconds


def main(argv=None):
    args = parse(argv)
    header("TCNForecaster.pretrain: cold start", args)
    for data in args.data:
        cold_start(data, args)


def cold_start(data, args):
    """Print the table of data set ``data``: each of its series the target in turn."""
    load, sp, history, horizon = DATA[data]
    history, horizon = args.history or history, args.horizon or horizon
    series = load()
    names = list(series)[:3] if args.quick else [name for name in series if name in (args.targets or series)]
    n_origins = 1 if args.quick else args.origins
    fh = np.arange(1, horizon + 1)
    methods = ("scratch", "pretrained", "global", "snaive", "theta")
    print(f"\n## {data}: target history {history} steps, fh 1..{horizon}, last {n_origins} origins, "
          f"seeds {args.seeds}; MAE per method (mean over origins and seeds), TCN fit seconds (mean)")
    print("| target | scratch | pretrained | global | seasonal naive | Theta | pretrained / scratch | "
          "global / scratch | s scratch / pretrained / global | baseline scratch / pretrained, per fit |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ratios = {"pretrained": [], "global": []}
    wins = {"pretrained": 0, "global": 0}
    for name in names:
        y = series[name]
        errors = {method: [] for method in methods}
        seconds = {method: [] for method in ("scratch", "pretrained", "global")}
        chosen = []
        for origin in [len(y) - horizon * k for k in range(n_origins, 0, -1)]:
            target = y.iloc[origin - history:origin]
            test = y.iloc[origin:origin + horizon].to_numpy()
            others = {other: part.iloc[:origin] for other, part in series.items() if other != name}
            for seed in args.seeds:
                params = dict(QUICK if args.quick else {}, **args.params, random_state=seed)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    predicted, took = forecasts(target, others, fh, sp, params)
                for method in methods:
                    errors[method].append(np.mean(np.abs(predicted[method] - test)))
                for method, value in took.items():
                    seconds[method].append(value)
                chosen.append(" / ".join(predicted["chosen"].values()))
        mae = {method: float(np.mean(value)) for method, value in errors.items()}
        for method in ratios:
            ratios[method].append(mae[method] / mae["scratch"])
            wins[method] += mae[method] < mae["scratch"]
        print(f"| {name} | " + " | ".join(f"{mae[m]:.4g}" for m in methods)
              + f" | {ratios['pretrained'][-1]:.3f} | {ratios['global'][-1]:.3f} | "
              + " / ".join(f"{np.mean(seconds[m]):.1f}" for m in ("scratch", "pretrained", "global"))
              + f" | {'; '.join(chosen)} |")
    for method, values in ratios.items():
        print(f"\n{data}: {method} / scratch MAE, geometric mean over the {len(values)} targets: "
              f"{np.exp(np.mean(np.log(values))):.3f}; below scratch on {wins[method]} of {len(values)}")


if __name__ == "__main__":
    main()
