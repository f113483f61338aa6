"""Adam's update as one flat tensor (sktcn._adam) against Keras' per-tensor update: fit seconds, same predictions.

Each fit runs in a fresh Python process after a small warm-up fit there (so
that TensorFlow's one-off start-up is not timed), with Keras' update restored
in the ``keras`` runs by making ``sktcn._compat.flatten_adam_update`` do
nothing. The two alternate (keras, flat, keras, flat, ...) so that a load
change on the machine hits both alike. Each process also hashes its
predictions: the table says whether the two updates gave the same ones, bit
for bit.

* ``forecaster``: ``TCNForecaster()`` on airline (all but the last 36 months,
  fh 1..36): three averaged networks, mostly tracing.
* ``forecaster-one``: the same with ``calibration_size=0, n_networks=1``.
* ``regressor``: ``TCNRegressor(nb_filters=16, epochs=20)`` on 1,000
  adding-problem series of 64 steps: mostly steps.

Usage: python benchmarks/flat_update.py [--quick] [--repeats 3] [--cases forecaster forecaster-one regressor]
"""

import json
import os
import statistics
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

CASES = ("forecaster", "forecaster-one", "regressor")
UPDATES = ("keras", "flat")
# Full and --quick sizes: the forecaster's extra parameters, the regressor's (series, steps, epochs).
SIZES = {
    False: dict(forecaster={}, regressor=(1000, 64, 20)),
    True: dict(forecaster=dict(epochs=2, nb_filters=4), regressor=(64, 16, 2)),
}


def fit_and_predict(case, quick):
    """(fit seconds, predictions) of one fit of ``case``."""
    from _common import timed

    sizes = SIZES[quick]
    if case.startswith("forecaster"):
        from _common import airline_split

        from sktcn import TCNForecaster

        train, _, fh = airline_split()
        single = dict(calibration_size=0, n_networks=1) if case == "forecaster-one" else {}
        forecaster = TCNForecaster(random_state=0, **single, **sizes["forecaster"])
        _, seconds = timed(forecaster.fit, train, None, fh)
        return seconds, forecaster.predict().to_numpy()
    from sktcn import TCNRegressor
    from sktcn.datasets import make_adding_problem

    n_samples, n_timesteps, epochs = sizes["regressor"]
    X, y = make_adding_problem(n_samples=n_samples, n_timesteps=n_timesteps, random_state=0)
    regressor = TCNRegressor(nb_filters=16, epochs=epochs, random_state=0)
    _, seconds = timed(regressor.fit, X, y)
    return seconds, regressor.predict(X)


def child(case, quick, update):
    """One timed fit with ``update``, in this process: prints JSON with its seconds and its predictions' hash."""
    from _common import airline_split, digest

    from sktcn import TCNForecaster, _compat

    if update == "keras":
        _compat.flatten_adam_update = lambda optimizer: None
    train, _, fh = airline_split()
    TCNForecaster(random_state=1, epochs=1, nb_filters=2, n_networks=1, calibration_size=0).fit(train, fh=fh)
    seconds, predictions = fit_and_predict(case, quick)
    print(json.dumps({"fit_seconds": seconds, "predictions": digest(predictions)}))


def main(argv=None):
    import _common

    args = _common.ab_parser(__doc__, CASES).parse_args(argv)
    if _common.run_as_child(args, child):
        return 0

    _common.header("Adam's update: one flat tensor against Keras' per-tensor update", args)
    repeats = 1 if args.quick else args.repeats
    print("| case | fit s, Keras' update (median) | fit s, flat update (median) | flat / Keras | "
          "same predictions |")
    print("|---|---|---|---|---|")
    for case in args.cases:
        runs = _common.alternating_children(__file__, case, args.quick, UPDATES, repeats)
        fit = {update: statistics.median(r["fit_seconds"] for r in runs[update]) for update in UPDATES}
        print(f"| {case} | {fit['keras']:.2f} | {fit['flat']:.2f} | {fit['flat'] / fit['keras']:.2f} | "
              f"{_common.same_in_all(runs, 'predictions')} |", flush=True)
        print(f"<!-- {case} fit seconds, keras: {[round(r['fit_seconds'], 2) for r in runs['keras']]}; "
              f"flat: {[round(r['fit_seconds'], 2) for r in runs['flat']]} -->", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
