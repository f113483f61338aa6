"""
How far back a TCN can see
==========================

The receptive field of a TCN, ``1 + 2 (kernel_size - 1) nb_stacks sum(dilations)``,
is the number of past steps that can influence its output. This plots it for the
dilations sktcn picks automatically (powers of two) and several kernel sizes, and
marks what ``dilations=None`` chooses for series of 100 steps.

No network is trained here; the figures come from :func:`sktcn.receptive_field`,
so ``--quick`` draws the same figure as the full run.

    python examples/plot_receptive_field.py [--quick] [--out DIR]
"""

import matplotlib.pyplot as plt

from _common import main, png
from sktcn import receptive_field
from sktcn._network import auto_dilations
from sktcn.plotting import save

# Nothing is trained: both sizes are the same.
FULL = QUICK = dict(n_blocks=9, kernel_sizes=(2, 3, 5, 8), length=100)


def run(out, n_blocks, kernel_sizes, length):
    blocks = range(1, n_blocks + 1)
    _, ax = plt.subplots(figsize=(7, 4))
    for kernel_size in kernel_sizes:
        fields = [receptive_field(kernel_size, [2**i for i in range(n)]) for n in blocks]
        ax.plot(list(blocks), fields, marker="o", label=f"kernel_size={kernel_size}")

    # What sktcn picks for series of `length` steps with the default kernel size 3.
    chosen = auto_dilations(length, kernel_size=3)
    ax.axhline(length, color="grey", linestyle=":", label=f"series length {length}")
    ax.annotate(
        f"dilations=None picks {chosen}",
        (len(chosen), receptive_field(3, chosen)),
        xytext=(1.2, 700),
        arrowprops={"arrowstyle": "->"},
    )
    ax.set(yscale="log", xlabel="residual blocks (dilations 1, 2, 4, ...)", ylabel="receptive field (steps)")
    ax.legend()
    save(ax, png(out, "receptive_field.png"))
    return {f"dilations chosen for {length} steps": chosen, "receptive field": receptive_field(3, chosen)}


if __name__ == "__main__":
    main(run, FULL, QUICK, "Receptive field against residual blocks")
