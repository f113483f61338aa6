"""The source documents' tasks at full size, as far as this machine allows.

Runs the examples' ``run`` functions with benchmark sizes, prints each task's
figures next to the figure the source documents report, and appends them to
``benchmarks/RESULTS.md`` with the date, machine, load and command.

    python benchmarks/tasks.py [TASK ...]      # default: every task
    python benchmarks/tasks.py --list

Tasks: adding, copy_memory, copy_memory_600, sequential_digits, memory_length,
memory_length_large, classification.
Sizes are in SIZES below; where they are smaller than the source documents', the
reason is the machine (a 2-core CPU shared with other jobs), said so in NOTES.
"""

import argparse
import datetime
import os
import platform
import runpy
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(HERE), "examples")
sys.path.insert(0, EXAMPLES)

import _common  # noqa: E402  (examples/_common.py: Agg backend, figure printing)

RESULTS = os.path.join(HERE, "RESULTS.md")

SIZES = {
    # keras-tcn README's adding-problem architecture (24 filters, kernel 8, no skip
    # connections) with dilations just long enough for 200 steps instead of 1..256.
    "adding": ("adding_problem", dict(n_samples=6000, n_timesteps=200, nb_filters=24, kernel_size=8,
                                      use_skip_connections=False, epochs=30, learning_rate=0.002)),
    "copy_memory": ("copy_memory", dict(n_samples=6000, n_blanks=100, n_digits=10, nb_filters=24,
                                        kernel_size=8, epochs=20)),
    # The README's length (600 blanks), with fewer series and epochs to fit in ~10 minutes.
    "copy_memory_600": ("copy_memory", dict(n_samples=3000, n_blanks=600, n_digits=10, nb_filters=24,
                                            kernel_size=8, epochs=15)),
    # units=62 gives the LSTM about as many weights as the TCN (16.5k vs 16.2k).
    # The TCN with mean pooling (the classifier's default) and reading the last step.
    "sequential_digits": ("sequential_digits", dict(n_samples=None, epochs=60, nb_filters=24, units=62,
                                                    poolings=("mean", "last"))),
    "memory_length": ("memory_length", dict(lengths=(20, 50, 69, 100, 150, 200), n_samples=2000, epochs=20,
                                            nb_filters=16, units=32)),
    # More series, a validation split and early stopping (keeping the best epoch):
    # with 1 600 series both models overfit the noise before finding x[0].
    "memory_length_large": ("memory_length", dict(lengths=(20, 50, 69, 100, 150), n_samples=5000, epochs=20,
                                                  nb_filters=16, units=32,
                                                  training=dict(validation_split=0.1, early_stopping=True,
                                                                patience=4))),
    "classification": ("classification", dict(epochs=200, nb_filters=32, kernel_size=4,
                                              poolings=("mean", "last"))),
    # Issue 16, point 7: the seed tasks through the default training regime
    # (epochs="auto"), 5 000 training series each (6 250 with a fifth held out).
    "adding_defaults": ("adding_problem", dict(n_samples=6250, n_timesteps=200, nb_filters=24, kernel_size=8,
                                               use_skip_connections=False, epochs="auto")),
    "copy_memory_defaults": ("copy_memory", dict(n_samples=6250, n_blanks=60, n_digits=10, nb_filters=10,
                                                 kernel_size=8, epochs="auto")),
}

PUBLISHED = {
    "adding": "keras-tcn README: val MSE 3.7e-4 after ~15 epochs at length 600 (GPU)",
    "copy_memory": "keras-tcn README: val accuracy 0.9933 with 600 blanks (GPU)",
    "copy_memory_600": "keras-tcn README: val accuracy 0.9933 with 600 blanks (GPU)",
    "sequential_digits": "keras-tcn README: sequential MNIST (784 steps) val accuracy 0.9862; "
                         "TCN beats an LSTM of similar size",
    "memory_length": "memory study: an LSTM forgot x[0] at length 69; a convolution covering the "
                     "sequence kept predicting correctly",
    "memory_length_large": "memory study: an LSTM forgot x[0] at length 69; a convolution covering the "
                           "sequence kept predicting correctly",
    "classification": "no published figure; sktime CNNClassifier with the same epochs, same run",
    "adding_defaults": "issue 16 goal: test MSE < 0.01 at length 200 (50 fixed epochs gave 0.0071)",
    "copy_memory_defaults": "issue 16 goal: accuracy on the copied digits > 0.9 with 60 blanks "
                            "(50 fixed epochs gave 1.000)",
}

NOTES = {
    "adding": "Length 200 instead of 600 and 4 800 training series, on the CPU; the README's 600 "
              "needs the GPU run (not done here).",
    "copy_memory": "100 blanks instead of 600 (sequence of 121 steps instead of 621), 4 800 training series.",
    "copy_memory_600": "The README's 600 blanks (621 steps); 2 400 training series and 15 epochs, on the CPU.",
    "sequential_digits": "scikit-learn's 8x8 digits (64 steps, 1 347 training images) stand in for MNIST "
                         "(784 steps, 60 000 images), which cannot be downloaded here.",
    "memory_length": "Six lengths up to 200, 1 600 training series, 20 epochs per fit.",
    "memory_length_large": "Five lengths up to 150, 3 600 training series (400 for validation), at most 20 "
                           "epochs per fit with early stopping.",
    "classification": "200 epochs for both models (CNNClassifier's default is 2000).",
    "adding_defaults": "keras-tcn README architecture, dilations chosen for 200 steps, epochs='auto'.",
    "copy_memory_defaults": "keras-tcn README architecture (10 filters, kernel 8), epochs='auto'.",
}


def machine():
    load = os.getloadavg()
    return (f"{platform.node() or 'vm'}: {os.cpu_count()}-core CPU, no GPU, shared with other jobs "
            f"(load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end); Python {platform.python_version()}")


def run_task(name):
    script, sizes = SIZES[name]
    module = runpy.run_path(os.path.join(EXAMPLES, f"{script}.py"))
    out = os.path.join(HERE, "output")
    os.makedirs(out, exist_ok=True)
    start = time.perf_counter()
    figures = module["run"](out=out, **sizes)
    seconds = time.perf_counter() - start
    _common.print_figures(f"{name} ({seconds:.0f} s)", figures)
    print(f"  published: {PUBLISHED[name]}\n  scaled: {NOTES[name]}", flush=True)
    return figures, seconds


def append_results(name, figures, seconds, command):
    rows = "\n".join(
        f"| {key} | {f'{value:.4g}' if isinstance(value, float) else value} |" for key, value in figures.items()
    )
    script, sizes = SIZES[name]
    section = (
        f"\n### {name} ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC)\n\n"
        f"`{command}`, {seconds:.0f} s; examples/{script}.py `run({', '.join(f'{k}={v!r}' for k, v in sizes.items())})`. "
        f"Machine: {machine()}.\n\n| figure | value |\n| --- | --- |\n{rows}\n\n"
        f"Source documents: {PUBLISHED[name]}. Scaled down: {NOTES[name]}\n"
    )
    with open(RESULTS, "a") as results:
        results.write(section)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tasks", nargs="*", help=f"tasks to run (default all): {', '.join(SIZES)}")
    parser.add_argument("--list", action="store_true", help="list the tasks and their sizes")
    parser.add_argument("--no-write", action="store_true", help=f"print only, do not append to {RESULTS}")
    args = parser.parse_args()
    if args.list:
        for name, (script, sizes) in SIZES.items():
            print(f"{name}: examples/{script}.py {sizes}")
        return
    unknown = [t for t in args.tasks if t not in SIZES]
    if unknown:
        parser.error(f"unknown tasks {unknown}; choose from {', '.join(SIZES)}")
    for name in args.tasks or SIZES:
        figures, seconds = run_task(name)
        if not args.no_write:
            append_results(name, figures, seconds, f"python benchmarks/tasks.py {name}")


if __name__ == "__main__":
    main()
