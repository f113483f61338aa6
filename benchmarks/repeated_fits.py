"""Fits of equal estimators in one process, with and without the pool of training networks (sktcn._network_pool).

A backtest or a search fits clones of one estimator again and again. sktcn
keeps the training networks that no user holds (an ensemble's training model,
the forecaster's calibration network) between those fits, so that the later
fits skip building and tracing them. This script times whole workflows with
the pool (``pool``) and without it (``no-pool``: ``POOL.max_idle = 0``, every
fit builds, as before the pool), each in a fresh Python process after a small
warm-up fit there, the two taking turns. Each process hashes its predictions:
the table says whether the two gave the same ones, bit for bit.

* ``evaluate-12``: sktime's ``evaluate`` of ``TCNForecaster()`` on airline,
  expanding window from 96 months, a fold every 12 months, fh 1..12 (4
  folds). Each fit runs the calibration backtest's network and then trains
  three averaged networks, fused; the window (36 months) is the same in every
  fold.
* ``evaluate-36``: the same with fh 1..36 from 72 months (4 folds). The
  automatic window grows with the training months here (5, 17, 29, 41), and
  with it the dilations: only folds whose networks are the same share one.
* ``cross-val``: scikit-learn's ``cross_validate`` of ``TCNRegressor(n_networks=3,
  nb_filters=16, epochs=10)`` on 300 adding-problem series of 32 steps, 5 folds.

Usage: python benchmarks/repeated_fits.py [--quick] [--repeats 3] [--cases evaluate-12 evaluate-36 cross-val]
"""

import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

CASES = ("evaluate-12", "evaluate-36", "cross-val")
VARIANTS = ("no-pool", "pool")
# --quick: tiny networks, so that a test can run the script in seconds.
QUICK = dict(nb_filters=4, epochs=2)


def evaluate_forecaster(horizon, initial, quick):
    """(seconds, each fold's fit seconds, the folds' forecasts) of sktime's evaluate on airline."""
    import numpy as np
    from sktime.datasets import load_airline
    from sktime.forecasting.model_evaluation import evaluate
    from sktime.split import ExpandingWindowSplitter

    from sktcn import TCNForecaster

    y = load_airline()
    splitter = ExpandingWindowSplitter(fh=list(range(1, horizon + 1)), initial_window=initial, step_length=12)
    forecaster = TCNForecaster(random_state=0, **(QUICK if quick else {}))
    start = time.perf_counter()
    results = evaluate(forecaster, splitter, y, return_data=True)
    seconds = time.perf_counter() - start
    forecasts = np.concatenate([forecast.to_numpy() for forecast in results["y_pred"]])
    return seconds, list(results["fit_time"]), forecasts


def cross_validate_regressor(quick):
    """(seconds, each fold's fit seconds, the folds' scores) of cross_validate on the adding problem."""
    import numpy as np
    from sklearn.model_selection import cross_validate

    from sktcn import TCNRegressor
    from sktcn.datasets import make_adding_problem

    X, y = make_adding_problem(n_samples=300, n_timesteps=32, random_state=0)
    params = {**dict(n_networks=3, nb_filters=16, epochs=10, random_state=0), **(QUICK if quick else {})}
    start = time.perf_counter()
    results = cross_validate(TCNRegressor(**params), X, y, cv=5)
    seconds = time.perf_counter() - start
    return seconds, list(results["fit_time"]), np.asarray(results["test_score"])


def child(case, quick, variant):
    """One timed workflow in this process: prints JSON with its seconds and its results' hash."""
    from _common import airline_split, digest

    from sktcn import TCNForecaster, _network_pool

    if variant == "no-pool":
        _network_pool.POOL.max_idle = 0
    train, _, fh = airline_split()
    TCNForecaster(random_state=1, epochs=1, nb_filters=2, n_networks=1, calibration_size=0).fit(train, fh=fh)
    if case == "cross-val":
        seconds, fits, results = cross_validate_regressor(quick)
    else:
        horizon, initial = (36, 72) if case == "evaluate-36" else (12, 96)
        seconds, fits, results = evaluate_forecaster(horizon, initial, quick)
    print(json.dumps({"seconds": seconds, "fits": fits, "results": digest(results)}))


def main(argv=None):
    import _common

    args = _common.ab_parser(__doc__, CASES).parse_args(argv)
    if _common.run_as_child(args, child):
        return 0

    _common.header("Repeated fits: the pool of training networks against building every fit", args)
    repeats = 1 if args.quick else args.repeats
    print("| case | s without the pool (median) | s with the pool | pool / none | "
          "first fit / later fits, s without | with | same results |")
    print("|---|---|---|---|---|---|---|")
    for case in args.cases:
        runs = _common.alternating_children(__file__, case, args.quick, VARIANTS, repeats)
        total = {variant: statistics.median(r["seconds"] for r in runs[variant]) for variant in VARIANTS}
        # The first fit of a process builds in either variant; the later ones show the pool.
        first = {variant: statistics.median(r["fits"][0] for r in runs[variant]) for variant in VARIANTS}
        later = {variant: statistics.median(statistics.mean(r["fits"][1:]) for r in runs[variant])
                 for variant in VARIANTS}
        print(f"| {case} | {total['no-pool']:.1f} | {total['pool']:.1f} | {total['pool'] / total['no-pool']:.2f} | "
              f"{first['no-pool']:.2f} / {later['no-pool']:.2f} | {first['pool']:.2f} / {later['pool']:.2f} | "
              f"{_common.same_in_all(runs, 'results')} |", flush=True)
        print(f"<!-- {case} seconds, no pool: {[round(r['seconds'], 1) for r in runs['no-pool']]}; "
              f"pool: {[round(r['seconds'], 1) for r in runs['pool']]} -->", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
