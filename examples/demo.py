"""
A short tour of sktcn
=====================

On data that ships with the installed packages:

1. Time-series classification on GunPoint (a UCR data set bundled with sktime),
   next to the classic 1-nearest-neighbour baseline and the majority class.
2. Regression on the adding problem (a memory task from the TCN paper),
   next to predicting the mean and a ridge regression on the whole window.
3. Forecasting the airline passengers two years ahead, next to the seasonal
   naive forecast and the last value.

Plots go to ``demo-plots/`` (or ``--out DIR``). The same tour runs as
``sktcn demo`` and ``make demo``; its code lives in ``sktcn/_demo.py`` so the
command line can run it too. ``--quick`` shrinks data and training to seconds,
as the documentation's gallery runs it: its scores then mean nothing.
"""

import argparse

from sktcn._demo import run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A short tour of sktcn")
    parser.add_argument("--quick", action="store_true", help="tiny data and networks (seconds; scores mean nothing)")
    parser.add_argument("--out", default="demo-plots", help="folder for the PNG plots (default demo-plots)")
    args = parser.parse_args()
    run(quick=args.quick, plot_dir=args.out)
