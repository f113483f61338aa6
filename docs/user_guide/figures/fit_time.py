"""Seconds per training epoch against series length, as recorded in benchmarks/RESULTS.md.

No network is trained here: the numbers are the table "Fit time against sequence
length and number of samples" (2026-11-22, 2-core shared VM, no GPU).
"""

import matplotlib.pyplot as plt

LENGTHS = [64, 128, 256, 512]
SECONDS_PER_EPOCH = {  # training samples -> seconds per epoch at each length
    500: [0.46, 0.69, 0.71, 1.02],
    1000: [0.84, 1.07, 1.44, 2.37],
    2000: [1.68, 1.99, 2.59, 6.87],
}

fig, ax = plt.subplots(figsize=(7, 4))
for n_samples, seconds in SECONDS_PER_EPOCH.items():
    ax.plot(LENGTHS, seconds, marker="o", label=f"{n_samples} series")
# Logarithmic axes, labelled in plain numbers: the lengths double from one to the next.
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.set_xticks(LENGTHS, [str(n) for n in LENGTHS])
ax.set_yticks([0.5, 1, 2, 4, 8], ["0.5", "1", "2", "4", "8"])
ax.minorticks_off()
ax.set(xlabel="series length (steps)", ylabel="seconds per epoch",
       title="TCNRegressor(nb_filters=16, dilations 1..128), recorded 2026-11-22")
ax.legend(title="training set")
fig.tight_layout()
