"""What an ensemble trained as one Keras model costs: ``n_networks=3`` against 1.

Each fit runs in a fresh Python process, so that its peak resident memory is
its own; the settings alternate (1, 3, 1, 3, ...) so that a load change on the
machine hits both alike, and the ratio is the ratio of the medians.

* ``forecaster``: ``TCNForecaster`` with its defaults on airline (all but the
  last 36 months), ``n_networks`` 1 against 3. With 72 training months and a
  36-month horizon there is no room for a calibration backtest, so neither fit
  trains calibration networks (the intervals come from in-sample residuals):
  the ratio is that of the averaged networks alone.
* ``regressor``: ``TCNRegressor(nb_filters=16, epochs=20)`` on 1,000 adding-problem
  series of 64 steps: a small network on short series, where per-step overhead
  was expected to dominate.
* ``adding``: the adding problem at 200 steps with 32 filters (kernel 8, no skip
  connections, as keras-tcn's README), 1,000 series, 3 epochs: a compute-bound
  case. Besides the ratio, it prints the arithmetic the training did per second
  (GFLOP/s, counted from the convolutions' sizes) against what the machine's
  float32 matrix product reaches (numpy, all cores), its practical peak.

Usage: python benchmarks/ensemble_cost.py [--quick] [--repeats 3] [--cases forecaster regressor adding]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

CASES = ("forecaster", "regressor", "adding")
ADDING = dict(nb_filters=32, kernel_size=8, use_skip_connections=False)
# Full and --quick sizes: (series, steps, epochs) of the regressor and adding cases.
SIZES = {
    False: dict(regressor=(1000, 64, 20), adding=(1000, 200, 3), forecaster_epochs=None),
    True: dict(regressor=(64, 16, 2), adding=(32, 20, 1), forecaster_epochs=2),
}


def conv_flops_per_sample(n_channels, n_timesteps, nb_filters, kernel_size, dilations, use_skip_connections):
    """Floating-point operations of one training sample through a keras-tcn TCN's convolutions.

    Two dilated convolutions per residual block (the first block's first one
    reads the input channels) and the first block's 1x1 matching convolution
    (when the input has another width than the filters; with skip connections
    the last block's matching convolution runs too). A multiply-add counts 2;
    training costs ~3 forward passes (forward, gradients of inputs and weights).
    """
    macs = 0
    for block, _ in enumerate(dilations):
        width_in = n_channels if block == 0 else nb_filters
        macs += kernel_size * width_in * nb_filters + kernel_size * nb_filters * nb_filters
        if width_in != nb_filters:
            macs += width_in * nb_filters
    return 3 * 2 * macs * n_timesteps


def matmul_gflops(n=2048, repeats=5):
    """float32 GFLOP/s of numpy's matrix product on all cores: the machine's practical peak."""
    a = np.random.RandomState(0).standard_normal((n, n)).astype(np.float32)
    a @ a  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ a
        times.append(time.perf_counter() - start)
    return 2 * n**3 / min(times) / 1e9


def child(case, n_networks, quick):
    """One fit, in this process: prints JSON with its seconds and peak memory."""
    from _common import epoch_timer, timed

    sizes = SIZES[quick]
    result = {}
    if case == "forecaster":
        from _common import airline_split

        from sktcn import TCNForecaster

        train, _, fh = airline_split()
        extra = {} if sizes["forecaster_epochs"] is None else dict(epochs=sizes["forecaster_epochs"], nb_filters=4)
        forecaster = TCNForecaster(n_networks=n_networks, random_state=0, **extra)
        _, result["fit_seconds"] = timed(forecaster.fit, train, None, fh)
    else:
        from sktcn import TCNRegressor
        from sktcn.datasets import make_adding_problem

        n_samples, n_timesteps, epochs = sizes[case]
        X, y = make_adding_problem(n_samples=n_samples, n_timesteps=n_timesteps, random_state=0)
        params = dict(nb_filters=16) if case == "regressor" else dict(ADDING)
        timer, epoch_seconds = epoch_timer()
        reg = TCNRegressor(**params, epochs=epochs, n_networks=n_networks, random_state=0, callbacks=[timer])
        _, result["fit_seconds"] = timed(reg.fit, X, y)
        later = epoch_seconds[1:] or epoch_seconds
        result["epoch_seconds"] = statistics.median(later)
        result["flops_per_epoch"] = n_networks * n_samples * conv_flops_per_sample(
            X.shape[-1] if X.ndim == 3 else 1, n_timesteps, params["nb_filters"], params.get("kernel_size", 3),
            reg.dilations_, params.get("use_skip_connections", True))
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run_child(case, n_networks, quick):
    command = [sys.executable, __file__, "--child", case, str(n_networks)] + (["--quick"] if quick else [])
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=os.path.dirname(__file__))
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    import _common

    parser = _common.parser_with_doc(__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat: checks that the script runs")
    parser.add_argument("--repeats", type=int, default=3, help="fits per setting (default 3)")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--child", nargs=2, metavar=("CASE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]), args.quick)
        return 0

    _common.header("Ensembles trained as one Keras model: n_networks=3 against 1", args)
    repeats = 1 if args.quick else args.repeats
    peak = matmul_gflops(512 if args.quick else 2048)
    print(f"float32 matrix product (numpy, {os.cpu_count()} cores): {peak:.0f} GFLOP/s, the practical peak below\n")
    print("| case | fit s, 1 network (median) | fit s, 3 networks (median) | ratio 3/1 | peak RSS MiB, 1 | "
          "peak RSS MiB, 3 | RSS ratio | GFLOP/s 1 / 3 (share of peak) |")
    print("|---|---|---|---|---|---|---|---|")
    for case in args.cases:
        runs = {1: [], 3: []}
        for _ in range(repeats):
            for n in (1, 3):
                runs[n].append(run_child(case, n, args.quick))
        fit = {n: statistics.median(r["fit_seconds"] for r in runs[n]) for n in runs}
        rss = {n: max(r["peak_rss_mib"] for r in runs[n]) for n in runs}
        compute = "-"
        if "flops_per_epoch" in runs[1][0]:
            rates = {n: statistics.median(r["flops_per_epoch"] / r["epoch_seconds"] for r in runs[n]) / 1e9
                     for n in runs}
            compute = f"{rates[1]:.1f} ({rates[1] / peak:.0%}) / {rates[3]:.1f} ({rates[3] / peak:.0%})"
        print(f"| {case} | {fit[1]:.1f} | {fit[3]:.1f} | {fit[3] / fit[1]:.2f} | {rss[1]:.0f} | {rss[3]:.0f} | "
              f"{rss[3] / rss[1]:.2f} | {compute} |", flush=True)
        print(f"<!-- {case} fit seconds, 1: {[round(r['fit_seconds'], 1) for r in runs[1]]}; "
              f"3: {[round(r['fit_seconds'], 1) for r in runs[3]]} -->", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
