"""The side experiment behind TCNForecaster's defaults: scalings and training targets.

Runs TCNForecaster in four settings on the seven bundled series of
``forecasting.py`` (rolling origin over the last 4 horizons, ``calibration_size=0``,
``random_state=0``) and prints each setting's MAE relative to seasonal naive.
About 15 minutes on 2 cores.

    python benchmarks/forecasting_variants.py
"""

import warnings

import numpy as np
import pandas as pd
from sktime.forecasting.naive import NaiveForecaster

from forecasting import origins, real_series  # benchmarks/forecasting.py, beside this script
from sktcn import TCNForecaster

VARIANTS = {
    "per window, last step": dict(scaling="standard", forking_sequences=False),
    "per window, forking": dict(scaling="standard"),
    "series [0, 1], forking": dict(scaling="series"),
    "per window mean, forking": dict(scaling="mean"),
}


def mae(make, y, horizon, n_origins=4):
    fh = np.arange(1, horizon + 1)
    return np.mean([np.mean(np.abs(make().fit(train, fh=fh).predict().to_numpy() - test))
                    for train, test in origins(y, horizon, n_origins)])


def main():
    warnings.simplefilter("ignore")
    ratios = {name: [] for name in VARIANTS}
    for series, y, horizon, sp in real_series():
        # The series' own index, as forecasting.py keeps it: sp="auto" reads the season from it.
        y = pd.Series(np.asarray(y, np.float64).ravel(), index=y.index)
        naive = mae(lambda: NaiveForecaster(strategy="last", sp=sp), y, horizon)
        row = {name: mae(lambda p=params: TCNForecaster(random_state=0, calibration_size=0, **p), y, horizon)
               for name, params in VARIANTS.items()}
        for name, value in row.items():
            ratios[name].append(value / naive)
        print(series, f"seasonal naive {naive:.4g}", {name: round(value, 4) for name, value in row.items()}, flush=True)
    print("\nMAE relative to seasonal naive over the seven series:")
    for name, values in ratios.items():
        print(f"  {name}: arithmetic mean {np.mean(values):.3f}, geometric mean {np.exp(np.mean(np.log(values))):.3f}")


if __name__ == "__main__":
    main()
