"""y = x[0] + x[-1] with two tiny TCNRegressors, one that can see x[0] and one that cannot.

Left: predictions on held-out series against the truth. Right: how much each past
step moves the prediction (sktcn.inspection.effective_memory), against each
network's receptive field. A quick illustration drawn by the documentation build
(seconds on a CPU); the full-size study is examples/memory_length.py, with its
figures in benchmarks/RESULTS.md.
"""

import warnings

import matplotlib.pyplot as plt

from sktcn import TCNRegressor
from sktcn.datasets import make_first_plus_last
from sktcn.inspection import effective_memory
from sktcn.plotting import plot_effective_memory, plot_predictions

X, y = make_first_plus_last(n_samples=500, n_timesteps=16, random_state=0)
X_train, y_train, X_test, y_test = X[:400], y[:400], X[400:], y[400:]

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
for dilations in (None, (1, 2)):
    with warnings.catch_warnings():
        # The second network is short on purpose: the warning it raises is what the figure shows.
        warnings.filterwarnings("ignore", message="The receptive field")
        reg = TCNRegressor(nb_filters=16, kernel_size=2, dilations=dilations, epochs=15,
                           learning_rate=0.01, random_state=0).fit(X_train, y_train)
    label = f"dilations={reg.dilations_}, R={reg.receptive_field_}: R² {reg.score(X_test, y_test):.2f}"
    plot_predictions(y_test, reg.predict(X_test), ax=left, title="Held-out series")
    plot_effective_memory({label: effective_memory(reg, X_test)}, receptive_field=reg.receptive_field_,
                          ax=right, title="Response to each past step (x[0] is 15 steps back)")
    curve, field = right.get_lines()[-2:]
    field.set_color(curve.get_color())  # each network's receptive field in its own colour
# plot_predictions labels its points by nothing and its diagonal "perfect" on every call:
# name the two scatters after their networks and keep one diagonal in the legend.
scatters = left.collections
for scatter, dilations in zip(scatters, ("R covers x[0]", "R too short")):
    scatter.set_label(dilations)
handles = [*scatters, left.get_lines()[0]]
left.legend(handles=handles, labels=[h.get_label() for h in handles])
right.set_ylim(top=1.75)  # room for the legend above the curves
right.legend(loc="upper right", fontsize="small")
fig.tight_layout()
