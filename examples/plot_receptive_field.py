"""
How far back a TCN can see
==========================

The receptive field of a TCN, ``1 + 2 (kernel_size - 1) nb_stacks sum(dilations)``,
is the number of past steps that can influence its output. This plots it for the
dilations sktcn picks automatically (powers of two) and several kernel sizes, and
marks what ``dilations=None`` chooses for series of 100 steps.

No network is trained here; the figures come from :func:`sktcn.receptive_field`.
"""

import matplotlib.pyplot as plt

from sktcn import receptive_field
from sktcn._network import auto_dilations

n_blocks = range(1, 10)
fig, ax = plt.subplots(figsize=(7, 4))
for kernel_size in (2, 3, 5, 8):
    fields = [receptive_field(kernel_size, [2**i for i in range(n)]) for n in n_blocks]
    ax.plot(list(n_blocks), fields, marker="o", label=f"kernel_size={kernel_size}")

# What sktcn picks for 100-step series with the default kernel size 3.
chosen = auto_dilations(100, kernel_size=3)
ax.axhline(100, color="grey", linestyle=":", label="series length 100")
ax.annotate(
    f"dilations=None picks {chosen}",
    (len(chosen), receptive_field(3, chosen)),
    xytext=(1.2, 700),
    arrowprops={"arrowstyle": "->"},
)
ax.set(yscale="log", xlabel="residual blocks (dilations 1, 2, 4, ...)", ylabel="receptive field (steps)")
ax.legend()
fig.tight_layout()
print("dilations chosen for 100 steps:", chosen, "receptive field:", receptive_field(3, chosen))
