"""GPU benchmark: keras-tcn's README adding problem, trained through TCNRegressor.

The keras-tcn README trains its adding-problem TCN (``tasks/adding_problem``:
24 filters, kernel 8, dilations 1..256, one stack, no skip connections, a
linear ``Dense(1)`` head, Adam with learning rate 0.002, batch 256) on 200 000
series of 600 steps, validating on 40 000, and prints 782 steps and **154 s per
epoch** on the GPU it used (not named). This script trains the same network
with ``TCNRegressor`` on the same sizes (``validation_split`` holds out the
40 000; sktcn's adding problem puts one marker in each half of the series, the
README's anywhere, which changes nothing in the cost) and reports, for each of

* float32 and ``mixed_precision=True`` (float16 compute, float32 head),
* ``jit_compile=False`` (sktcn's default) and ``True`` (XLA, routed to Keras'
  ``compile`` as ``compile__jit_compile=True``),

and of 1, 3 and 5 networks trained as one ensemble (``fp32``, ``fp32x3``,
``fp32x5``: ``n_networks``, float32, no XLA),

the seconds per epoch (training plus validation, as in the README's log),
training samples per second and the ratio to the README's 154 s. The first
epoch traces (and with XLA compiles) the graph and is reported apart; the
per-epoch figure is the median of the later epochs.

Without a GPU the script says so and exits with status 0, unless ``--allow-cpu``
is given, which runs the tiny ``--dry-run`` configuration on the CPU to show
that the script works. ``--dry-run`` alone (tiny sizes, 1 epoch) also works on
a GPU machine.

Usage: python benchmarks/gpu.py [--epochs 3] [--dry-run] [--allow-cpu]
                                [--configs fp32 fp32+xla mixed mixed+xla fp32x3 fp32x5] [--json PATH]
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from _common import epoch_timer  # noqa: E402

from sktcn import TCNRegressor  # noqa: E402
from sktcn.datasets import make_adding_problem  # noqa: E402

README_SECONDS_PER_EPOCH = 154.0
README_ARCH = dict(
    nb_filters=24,
    kernel_size=8,
    dilations=(1, 2, 4, 8, 16, 32, 64, 128, 256),
    nb_stacks=1,
    use_skip_connections=False,
    dropout_rate=0.0,
    learning_rate=0.002,
)
FULL = dict(n_train=200_000, n_validation=40_000, n_timesteps=600, batch_size=256)
DRY = dict(n_train=512, n_validation=128, n_timesteps=64, batch_size=64)
CONFIGS = {
    "fp32": dict(mixed_precision=False, jit_compile=False),
    "fp32+xla": dict(mixed_precision=False, jit_compile=True),
    "mixed": dict(mixed_precision=True, jit_compile=False),
    "mixed+xla": dict(mixed_precision=True, jit_compile=True),
    # Ensembles trained as one Keras model (issue 18): on a GPU one small
    # member rarely fills the device, so n members should cost less than n fits.
    "fp32x3": dict(mixed_precision=False, jit_compile=False, n_networks=3),
    "fp32x5": dict(mixed_precision=False, jit_compile=False, n_networks=5),
}

def gpu_names():
    names = []
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            names.append(tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name))
        except (ValueError, RuntimeError):
            names.append(gpu.name)
    return names


def run_config(name, X, y, sizes, epochs):
    config = CONFIGS[name]
    timer, epoch_seconds = epoch_timer()
    reg = TCNRegressor(
        **README_ARCH,
        epochs=epochs,
        batch_size=sizes["batch_size"],
        validation_split=sizes["n_validation"] / (sizes["n_train"] + sizes["n_validation"]),
        mixed_precision=config["mixed_precision"],
        compile__jit_compile=config["jit_compile"],
        n_networks=config.get("n_networks", 1),
        callbacks=[timer],
        random_state=0,
    )
    start = time.perf_counter()
    reg.fit(X, y)
    total = time.perf_counter() - start
    # What Keras really compiled with: the routed parameter must have arrived.
    assert bool(reg.model_.jit_compile) == config["jit_compile"], (reg.model_.jit_compile, config)
    later = epoch_seconds[1:]
    per_epoch = statistics.median(later) if later else epoch_seconds[0]
    return {
        "config": name,
        "n_networks": 1,
        **config,
        "first_epoch_s": epoch_seconds[0],
        "later_epochs_s": later,
        "seconds_per_epoch": per_epoch,
        "per_epoch_includes_tracing": not later,
        "train_samples_per_s": sizes["n_train"] / per_epoch,
        "readme_ratio": per_epoch / README_SECONDS_PER_EPOCH,
        "fit_seconds": total,
        "val_loss_last": float(reg.history_["val_loss"][-1]),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs per configuration (default 3)")
    parser.add_argument("--dry-run", action="store_true", help="tiny sizes and 1 epoch: checks that the script runs")
    parser.add_argument("--allow-cpu", action="store_true",
                        help="without a GPU, run the --dry-run configuration on the CPU instead of exiting")
    parser.add_argument("--configs", nargs="+", choices=list(CONFIGS), default=list(CONFIGS))
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args()

    gpus = gpu_names()
    if not gpus:
        if not args.allow_cpu:
            print("benchmarks/gpu.py: no GPU is visible to TensorFlow "
                  f"(tf.config.list_physical_devices('GPU') is empty; TF {tf.__version__}). "
                  "Nothing was measured. Run it on a machine with a GPU and TensorFlow's CUDA build "
                  '(pip install "sktcn[gpu]"), or pass --allow-cpu to run the tiny --dry-run '
                  "configuration on the CPU.")
            return 0
        args.dry_run = True
    sizes = DRY if args.dry_run else FULL
    epochs = 1 if args.dry_run else args.epochs

    device = ", ".join(gpus) if gpus else "CPU only (--allow-cpu)"
    print(f"# sktcn GPU benchmark, {platform.node()}: {device}; {os.cpu_count()} CPUs; TF {tf.__version__}, "
          f"Keras {keras.__version__}, Python {platform.python_version()}")
    print(f"# {'DRY RUN, tiny sizes: these figures mean nothing; ' if args.dry_run else ''}"
          f"adding problem, {sizes['n_train']} training + {sizes['n_validation']} validation series x "
          f"{sizes['n_timesteps']} steps, batch {sizes['batch_size']}, {epochs} epoch(s) per configuration, "
          f"TCN {README_ARCH}")
    X, y = make_adding_problem(n_samples=sizes["n_train"] + sizes["n_validation"],
                               n_timesteps=sizes["n_timesteps"], random_state=0)
    results = []
    for name in args.configs:
        result = run_config(name, X, y, sizes, epochs)
        results.append(result)
        later = ", ".join(f"{t:.1f} s" for t in result["later_epochs_s"]) or "none"
        print(f"  {name:<10} first epoch {result['first_epoch_s']:.1f} s, later epochs {later}, "
              f"val_loss (standardised y) {result['val_loss_last']:.4g}", flush=True)

    steps = -(-sizes["n_train"] // sizes["batch_size"])
    note = " (one epoch only: includes tracing)" if epochs == 1 else " (median of epochs 2..n)"
    print(f"\n| configuration | networks | mixed precision | XLA | s/epoch{note} | training samples/s | ms/step "
          f"({steps} steps) | / README's 154 s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(f"| {r['config']} | {r['n_networks']} | {r['mixed_precision']} | {r['jit_compile']} "
              f"| {r['seconds_per_epoch']:.2f} "
              f"| {r['train_samples_per_s']:.0f} | {1000 * r['seconds_per_epoch'] / steps:.1f} "
              f"| {'n/a (dry run)' if args.dry_run else format(r['readme_ratio'], '.3f')} |")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"device": device, "sizes": sizes, "epochs": epochs, "dry_run": args.dry_run,
                       "tensorflow": tf.__version__, "keras": keras.__version__, "results": results},
                      handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
