"""How much of one network's airline score is its seed, and what averaging three does.

Fits TCNForecaster with ``n_networks=1`` (otherwise its defaults, point forecasts
only) on airline with the last 36 months held out, for ``random_state`` 0..14,
and prints each network's MAPE, then the MAPE of the average forecast of each
disjoint triple of seeds (0-2, 3-5, ...), which is what ``n_networks=3`` forecasts
with ``random_state`` 0, 3, 6, 9, 12. Seasonal naive's MAPE is 0.1319.
About 2 minutes on 2 cores.

    python benchmarks/ensemble_seeds.py
"""

import os
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from sklearn.metrics import mean_absolute_percentage_error  # noqa: E402
from sktime.forecasting.naive import NaiveForecaster  # noqa: E402

from _common import airline_split  # noqa: E402

from sktcn import TCNForecaster  # noqa: E402

SEEDS = 15


def main():
    warnings.simplefilter("ignore")
    train, test, fh = airline_split()
    snaive = mean_absolute_percentage_error(test, NaiveForecaster(strategy="last", sp=12).fit(train, fh=fh).predict())
    forecasts = np.array([
        TCNForecaster(random_state=seed, calibration_size=0.0, n_networks=1).fit(train, fh=fh).predict().to_numpy()
        for seed in range(SEEDS)
    ])
    single = [mean_absolute_percentage_error(test, f) for f in forecasts]
    triples = [mean_absolute_percentage_error(test, forecasts[k : k + 3].mean(axis=0)) for k in range(0, SEEDS, 3)]
    print(f"seasonal naive MAPE {snaive:.4f}")
    print(f"single networks, seeds 0..{SEEDS - 1}: {np.round(single, 4).tolist()}")
    print(f"  mean {np.mean(single):.4f}; {sum(s < snaive for s in single)} of {SEEDS} below seasonal naive")
    print(f"averages of disjoint triples: {np.round(triples, 4).tolist()}")
    print(f"  mean {np.mean(triples):.4f}; {sum(s < snaive for s in triples)} of {len(triples)} below seasonal naive")


if __name__ == "__main__":
    main()
