"""What ``TCNForecaster.pretrain`` gives a series with a short history: a cold-start backtest.

sktime's US macroeconomic data (``load_macroeconomic``) hold 12 quarterly
series of 203 quarters. Each series in turn is the target: it keeps only its
last ``--history`` quarters before each origin (a short history, as a new
product or a new region has), and is forecast ``--horizon`` quarters ahead from
the last ``--origins`` origins. The other 11 series, every quarter up to the
same origin (nothing after it: the series move together, and later values would
leak the shocks being forecast), form the panel. Four forecasts:

* ``scratch``: ``TCNForecaster()`` (its defaults) fit on the target's short history;
* ``pretrained``: the same, first pretrained on the panel, then fit on the
  target's short history (its networks start from the pretrained ones);
* ``global``: the same forecaster fit on the panel plus the target's history
  as one panel (no fine-tuning: one global model), forecasting the target;
* seasonal naive (sp=4) and Theta on the target's short history, for scale.

Each row prints the target's MAE per method over the origins, and the fit
seconds (pretraining included). Two of the 12 series (unemployment,
inflation) are also in the forecaster's tuning set; no parameter here was
chosen on these figures.

Usage: python benchmarks/pretrain.py [--quick] [--history 40] [--horizon 8] [--origins 2] [--seeds 0]
"""

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from _common import header  # noqa: E402

QUICK = dict(nb_filters=4, epochs=1, n_networks=1)


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny networks, one origin, three targets")
    parser.add_argument("--history", type=int, default=40, help="quarters of the target's history")
    parser.add_argument("--horizon", type=int, default=8, help="quarters forecast")
    parser.add_argument("--origins", type=int, default=2, help="last origins, one horizon apart")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="random_state of the TCN forecasters")
    return parser.parse_args(argv)


def macro_series():
    """The 12 series of sktime's macroeconomic data, each a float Series on a quarterly PeriodIndex."""
    from sktime.datasets import load_macroeconomic

    data = load_macroeconomic()
    return {name: data[name].astype(np.float64) for name in data.columns}


def as_panel(series):
    """A ``pd-multiindex`` DataFrame of ``{name: Series}``, one column ``y``."""
    return pd.concat({name: part.to_frame("y") for name, part in series.items()}, names=["series", "time"])


def forecasts(target, others, fh, params):
    """{method: (forecast values, fit seconds)} for the target's short history ``target``."""
    from sktime.forecasting.naive import NaiveForecaster
    from sktime.forecasting.theta import ThetaForecaster

    from sktcn import TCNForecaster

    # sktime's own forecasters first: sktime (1.2) turns FutureWarnings back on
    # globally whenever a horizon's frequency is set, as the fits below do, and
    # these constructors warn of a change of default.
    positive = bool((target > 0).all())
    baselines = {"snaive": NaiveForecaster(strategy="last", sp=4),
                 "theta": ThetaForecaster(sp=4, deseasonalize=positive)}
    out = {}
    start = time.perf_counter()
    out["scratch"] = TCNForecaster(**params).fit(target, fh=fh).predict().to_numpy().ravel()
    seconds = {"scratch": time.perf_counter() - start}

    start = time.perf_counter()
    pretrained = TCNForecaster(**params).pretrain(as_panel(others), fh=fh)
    out["pretrained"] = pretrained.fit(target, fh=fh).predict().to_numpy().ravel()
    seconds["pretrained"] = time.perf_counter() - start

    start = time.perf_counter()
    joint = TCNForecaster(**params).fit(as_panel({**others, "target": target}), fh=fh)
    out["global"] = joint.predict().xs("target", level=0).to_numpy().ravel()
    seconds["global"] = time.perf_counter() - start

    for name, baseline in baselines.items():
        out[name] = baseline.fit(target, fh=fh).predict().to_numpy()
    return out, seconds


def main(argv=None):
    args = parse(argv)
    header("TCNForecaster.pretrain: cold start on the macroeconomic series", args)
    series = macro_series()
    names = list(series)[:3] if args.quick else list(series)
    n_origins = 1 if args.quick else args.origins
    fh = np.arange(1, args.horizon + 1)
    methods = ("scratch", "pretrained", "global", "snaive", "theta")
    print(f"\nTarget history {args.history} quarters, fh 1..{args.horizon}, last {n_origins} origins, "
          f"seeds {args.seeds}; MAE per method (mean over origins and seeds), TCN fit seconds (mean)")
    print("| target | scratch | pretrained | global | seasonal naive | Theta | pretrained / scratch | "
          "global / scratch | s scratch / pretrained / global |")
    print("|---|---|---|---|---|---|---|---|---|")
    ratios = {"pretrained": [], "global": []}
    wins = {"pretrained": 0, "global": 0}
    for name in names:
        y = series[name]
        errors = {method: [] for method in methods}
        seconds = {method: [] for method in ("scratch", "pretrained", "global")}
        for origin in [len(y) - args.horizon * k for k in range(n_origins, 0, -1)]:
            target = y.iloc[origin - args.history:origin]
            test = y.iloc[origin:origin + args.horizon].to_numpy()
            others = {other: part.iloc[:origin] for other, part in series.items() if other != name}
            for seed in args.seeds:
                params = dict(QUICK if args.quick else {}, random_state=seed)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    predicted, took = forecasts(target, others, fh, params)
                for method in methods:
                    errors[method].append(np.mean(np.abs(predicted[method] - test)))
                for method, value in took.items():
                    seconds[method].append(value)
        mae = {method: float(np.mean(value)) for method, value in errors.items()}
        for method in ratios:
            ratios[method].append(mae[method] / mae["scratch"])
            wins[method] += mae[method] < mae["scratch"]
        print(f"| {name} | " + " | ".join(f"{mae[m]:.4g}" for m in methods)
              + f" | {ratios['pretrained'][-1]:.3f} | {ratios['global'][-1]:.3f} | "
              + " / ".join(f"{np.mean(seconds[m]):.1f}" for m in ("scratch", "pretrained", "global")) + " |")
    for method, values in ratios.items():
        print(f"\n{method} / scratch MAE, geometric mean over the {len(values)} targets: "
              f"{np.exp(np.mean(np.log(values))):.3f}; below scratch on {wins[method]} of {len(values)}")


if __name__ == "__main__":
    main()
