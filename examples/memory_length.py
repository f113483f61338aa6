"""
How long can a TCN and an LSTM remember? The memory study's ``y = x[0] + x[-1]``
================================================================================

For each sequence length, fits a TCNRegressor (dilations chosen so the
receptive field covers the sequence) and an LSTMRegressor with the same
interface, then asks each one whether it still uses ``x[0]``:

* test MSE, against 1.0 for a model that ignores ``x[0]`` (its variance);
* the change probe: scale ``x[0]`` by +50 %; a model that adds it moves its
  prediction by about as much (ratio ~1), one that forgot it not at all (~0);
* the blinding probe: zero ``x[-1]`` and set ``x[0]`` to known values; the
  MSE against those values is ~0 for a model that uses ``x[0]``, ~1 otherwise.

A model *remembers* at a length when its change ratio is at least 0.5 and its
test MSE is below 0.5. The study found a small LSTM forgot ``x[0]`` at length 69.
Saves the probes against length and the effective-memory curves at the longest length.

    python examples/memory_length.py [--quick] [--out DIR]
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import mean_squared_error

from _common import Timer, main, png
from sktcn import TCNRegressor
from sktcn.baselines import LSTMRegressor
from sktcn.datasets import make_first_plus_last
from sktcn.inspection import blinding_probe, change_probe, effective_memory
from sktcn.plotting import plot_effective_memory, save

FULL = dict(lengths=(20, 50, 70, 100, 200), n_samples=2000, epochs=20, nb_filters=16, units=32)
QUICK = dict(lengths=(8, 16), n_samples=96, epochs=2, nb_filters=4, units=4)

MODELS = ("TCN", "LSTM")


def remembers(result):
    """The study's verdict: the model uses x[0] (change ratio) and predicts well (MSE)."""
    return result["change"] >= 0.5 and result["mse"] < 0.5


def longest_remembered(results, lengths):
    """Longest length before the first one the model forgets (0 if it forgets the shortest)."""
    longest = 0
    for length in lengths:
        if not remembers(results[length]):
            break
        longest = length
    return longest


def make_models(nb_filters, units, epochs, random_state, training):
    return {
        "TCN": TCNRegressor(nb_filters=nb_filters, kernel_size=3, epochs=epochs, random_state=random_state,
                            **training),
        "LSTM": LSTMRegressor(units=units, epochs=epochs, random_state=random_state, **training),
    }


def probe(model, X_test, y_test):
    return {
        "mse": float(mean_squared_error(y_test, model.predict(X_test))),
        "change": change_probe(model, X_test, step=0),
        "blinding": blinding_probe(model, X_test, blinded_step=-1, probe_step=0),
    }


def run(out, lengths, n_samples, epochs, nb_filters, units, random_state=0, training=None):
    """``training``: further parameters for both models, e.g. early stopping."""
    lengths = sorted(lengths)
    results = {name: {} for name in MODELS}
    fit_seconds = {name: 0.0 for name in MODELS}
    for length in lengths:
        X, y = make_first_plus_last(n_samples=n_samples, n_timesteps=length, random_state=random_state)
        n_test = n_samples // 5
        X_train, X_test, y_train, y_test = X[n_test:], X[:n_test], y[n_test:], y[:n_test]
        models = make_models(nb_filters, units, epochs, random_state, training or {})
        for name, model in models.items():
            with Timer() as fit:
                model.fit(X_train, y_train)
            fit_seconds[name] += fit.seconds
            results[name][length] = probe(model, X_test, y_test)
            print(f"  length {length:4d} {name:<4}  " + "  ".join(f"{k} {v:.3f}" for k, v in results[name][length].items()),
                  flush=True)
    # models now hold the fits at the longest length: how far back does each respond?
    curves = {name: effective_memory(model, X_test[:100]) for name, model in models.items()}
    save(plot_effective_memory(curves, receptive_field=models["TCN"].receptive_field_,
                               title=f"Effective memory at length {lengths[-1]}"),
         png(out, "memory_effective.png"))
    save(plot_probes(results, lengths), png(out, "memory_probes.png"))
    figures = {}
    for name in MODELS:
        figures[f"{name} longest length remembered"] = longest_remembered(results[name], lengths)
        figures[f"{name} change probe at {lengths[-1]}"] = results[name][lengths[-1]]["change"]
        figures[f"{name} test MSE at {lengths[-1]}"] = results[name][lengths[-1]]["mse"]
        figures[f"{name} fit seconds (all lengths)"] = fit_seconds[name]
    figures["lengths tried"] = ", ".join(map(str, lengths))
    return figures


def plot_probes(results, lengths):
    _, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for name in MODELS:
        left.plot(lengths, [results[name][n]["change"] for n in lengths], marker="o", label=name)
        right.plot(lengths, [results[name][n]["mse"] for n in lengths], marker="o", label=name)
    left.axhline(1.0, color="grey", linestyle=":", label="uses x[0] fully")
    right.axhline(1.0, color="grey", linestyle=":", label="ignores x[0]")
    left.set(title="Change probe on x[0]", xlabel="sequence length", ylabel="change of prediction / change of x[0]")
    right.set(title="Test MSE", xlabel="sequence length", ylabel="MSE")
    left.legend()
    right.legend()
    return left


if __name__ == "__main__":
    main(run, FULL, QUICK, "Memory length, y = x[0] + x[-1], TCN vs LSTM")
