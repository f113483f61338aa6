"""
GridSearchCV over a TCN's dilations and kernel size
===================================================

On ``y = x[0] + x[-1]`` only networks whose receptive field reaches back to
``x[0]`` can score well, so the search should find one that does. Prints every
setting's receptive field and cross-validated R^2; saves them as a bar chart.

    python examples/grid_search.py [--quick] [--out DIR]
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.model_selection import GridSearchCV

from _common import main, png
from sktcn import TCNRegressor, receptive_field
from sktcn.datasets import make_first_plus_last
from sktcn.plotting import save

FULL = dict(n_samples=1000, n_timesteps=40, epochs=15, nb_filters=16, cv=3,
            grid={"dilations": [(1, 2), (1, 2, 4), (1, 2, 4, 8)], "kernel_size": [2, 3, 5]})
QUICK = dict(n_samples=96, n_timesteps=12, epochs=2, nb_filters=4, cv=2,
             grid={"dilations": [(1,), (1, 2, 4)], "kernel_size": [3]})


def run(out, n_samples, n_timesteps, epochs, nb_filters, cv, grid, random_state=0):
    X, y = make_first_plus_last(n_samples=n_samples, n_timesteps=n_timesteps, random_state=random_state)
    search = GridSearchCV(TCNRegressor(nb_filters=nb_filters, epochs=epochs, random_state=random_state), grid, cv=cv)
    with warnings.catch_warnings():
        # The short settings are in the grid on purpose; their warning says so.
        warnings.filterwarnings("ignore", message="The receptive field")
        search.fit(X, y)
    labels, scores = [], []
    print(f"  {'kernel':>6}  {'dilations':<14} {'receptive field':>15}  {'mean CV R^2':>11}")
    for params, score in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
        field = receptive_field(params["kernel_size"], params["dilations"])
        print(f"  {params['kernel_size']:>6}  {str(params['dilations']):<14} {field:>15}  {score:>11.3f}")
        labels.append(f"k={params['kernel_size']} d={params['dilations']}\nRF={field}")
        scores.append(score)
    _, ax = plt.subplots(figsize=(max(6, len(labels)), 4))
    ax.bar(range(len(scores)), scores, color=["tab:green" if s == max(scores) else "tab:blue" for s in scores])
    ax.set_xticks(range(len(scores)), labels, fontsize=7)
    ax.set(title=f"GridSearchCV on y = x[0] + x[-1], {n_timesteps} steps", ylabel="mean CV R^2")
    save(ax, png(out, "grid_search.png"))
    best = search.best_params_
    return {
        "best kernel_size": best["kernel_size"],
        "best dilations": best["dilations"],
        "best receptive field": receptive_field(best["kernel_size"], best["dilations"]),
        "best mean CV R^2": float(search.best_score_),
        "sequence length": n_timesteps,
    }


if __name__ == "__main__":
    main(run, FULL, QUICK, "GridSearchCV over dilations and kernel_size")
