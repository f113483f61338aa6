"""Side experiment behind the forecaster defaults: TCNForecaster scalings and training targets on the
seven bundled series of forecasting.py (rolling origin, 4 horizons, calibration_size=0, random_state=0),
MAE relative to seasonal naive.  python benchmarks/forecasting_variants.py  (about 15 minutes on 2 cores)."""
import sys, warnings, time, numpy as np, pandas as pd
warnings.filterwarnings("ignore")
sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
from forecasting import real_series
from sktcn import TCNForecaster
from sktime.forecasting.naive import NaiveForecaster
variants = {"std/direct": dict(scaling="standard", forking_sequences=False), "std/fork": dict(scaling="standard"),
            "series/fork": dict(scaling="series"), "mean/fork": dict(scaling="mean")}
tot = {k: [] for k in variants}; tot["snaive"] = []
for name, y, horizon, sp in real_series():
    y = pd.Series(np.asarray(y, np.float64).ravel()); fh = np.arange(1, horizon + 1)
    row = {}
    for key, kw in list(variants.items()) + [("snaive", None)]:
        errs = []
        for origin in [len(y) - horizon * k for k in range(4, 0, -1)]:
            train, test = y.iloc[:origin], y.iloc[origin:origin + horizon].to_numpy()
            m = NaiveForecaster(strategy="last", sp=sp) if kw is None else TCNForecaster(random_state=0, calibration_size=0, **kw)
            errs.append(np.mean(np.abs(m.fit(train, fh=fh).predict().to_numpy() - test)))
        row[key] = np.mean(errs)
    for k in tot: tot[k].append(row[k] / row["snaive"])
    print("RES", name, {k: round(v, 4) for k, v in row.items()}, flush=True)
print("RES relative MAE to snaive, mean over series:", {k: round(float(np.mean(v)), 3) for k, v in tot.items()})
print("RES geometric mean:", {k: round(float(np.exp(np.mean(np.log(v)))), 3) for k, v in tot.items()})
