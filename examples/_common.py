"""What every example shares: its command line, a figures table, and where PNGs go.

Each example is a script with a ``run(**sizes)`` function that returns its
figures as a dict, and two size presets: ``FULL`` (the default) and ``QUICK``
(``--quick``: seconds, for the tests). ``benchmarks/tasks.py`` calls the same
``run`` functions with benchmark sizes.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # scripts save PNGs; no display needed

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")


def main(run, full, quick, description, argv=None):
    """Parse ``--quick``/``--out``, call ``run`` with the chosen sizes, print its figures."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="tiny data and networks, for a smoke test (seconds)")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"folder for the PNG plots (default {DEFAULT_OUT})")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    os.makedirs(args.out, exist_ok=True)
    sizes = quick if args.quick else full
    start = time.perf_counter()
    figures = run(out=args.out, **sizes)
    print_figures(f"{description} ({'quick' if args.quick else 'full'} run, "
                  f"{time.perf_counter() - start:.1f} s)", figures)
    return figures


def print_figures(title, figures):
    """One line per figure: name and value (floats with 4 significant digits)."""
    print(title)
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        text = f"{value:.4g}" if isinstance(value, float) else str(value)
        print(f"  {name:<{width}}  {text}")


def png(out, name):
    return os.path.join(out, name)


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds``."""

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._start
