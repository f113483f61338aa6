"""Long sequences: training on crops, predicting in overlapping chunks, as pure functions.

A causal TCN is fully convolutional: its output at step ``t`` depends on the
``receptive_field`` inputs up to ``t`` and nothing earlier. So a network can
train on crops of long recordings, and predict a whole recording chunk by
chunk, with exactly the outputs one pass over everything would give:

- a training crop carries ``context = receptive_field - 1`` steps before the
  ``subsequence_length`` steps it trains, whose outputs get loss weight 0, so
  every trained output saw a full receptive field (or the true start of the
  recording, where there is nothing further back to see);
- predict chunks overlap by the same context, and only each chunk's outputs
  after its context are kept.
"""

import math

import keras
import numpy as np


def crop_starts(n_timesteps, length, sampling, rng):
    """First trained step of each crop of one recording, for one epoch.

    ``"stride"``: ``0, length, 2 length, ...`` (the last crop ends at the last
    step), the same every epoch. ``"random"``: as many crops, each starting at
    a uniformly drawn step, fresh every epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from sktcn._crops import crop_starts
    >>> crop_starts(10, 4, "stride", None).tolist()
    [0, 4, 6]
    >>> len(crop_starts(10, 4, "random", np.random.default_rng(0)))
    3
    """
    n_crops = math.ceil(n_timesteps / length)
    if sampling == "stride":
        return np.minimum(np.arange(n_crops) * length, n_timesteps - length)
    return rng.integers(0, n_timesteps - length + 1, size=n_crops)


def crop_window(start, length, context, n_timesteps):
    """(first input step, trained steps' offset in the window) of the crop training ``[start, start + length)``.

    The window is ``context + length`` steps (or the whole recording, if
    shorter) and ends with the trained steps where it can; near the start it
    begins at step 0, where every output sees the true start.

    Examples
    --------
    >>> from sktcn._crops import crop_window
    >>> crop_window(100, 10, 20, 1000), crop_window(5, 10, 20, 1000)
    ((80, 20), (0, 5))
    """
    width = min(context + length, n_timesteps)
    first = min(max(0, start - context), n_timesteps - width)
    return first, start - first


def time_chunks(n_timesteps, chunk, context):
    """(input start, input stop, outputs to drop) per chunk of a chunked causal pass.

    Each chunk computes the outputs of up to ``chunk`` new steps and reads the
    ``context`` steps before them too; its first outputs, which lack that
    context, are dropped (except in the first chunk, which starts at the true
    start). Together the kept outputs are steps ``0 .. n_timesteps - 1``, once each.

    Examples
    --------
    >>> from sktcn._crops import time_chunks
    >>> time_chunks(10, 4, 3)
    [(0, 4, 0), (1, 8, 3), (5, 10, 3)]
    """
    chunks = []
    for begin in range(0, n_timesteps, chunk):
        start = max(0, begin - context)
        chunks.append((start, min(begin + chunk, n_timesteps), begin - start))
    return chunks


class CropBatches(keras.utils.PyDataset):
    """Batches of training crops from in-memory recordings ``X`` (n, T, F), targets and loss weights.

    Every epoch draws ``repeats`` rounds of crops per recording (see
    :func:`crop_starts`), shuffles them, and yields ``(x, y, w)`` with ``w``
    the loss weights of the window times a mask that is 0 over the context.
    Seeded: a fit with the same seed sees the same crops.
    """

    def __init__(self, X, y, weights, *, length, context, batch_size, sampling, seed, repeats=1):
        super().__init__()
        self.X, self.y, self.weights = X, y, weights
        self.length, self.context, self.batch_size = int(length), int(context), int(batch_size)
        self.sampling, self.repeats = sampling, int(repeats)
        self.rng = np.random.default_rng(seed)
        self._draw()

    def _draw(self):
        n, T = self.X.shape[:2]
        crops = [(i, s) for _ in range(self.repeats) for i in range(n)
                 for s in crop_starts(T, self.length, self.sampling, self.rng)]
        self.crops = np.array(crops, dtype=np.int64)[self.rng.permutation(len(crops))]

    def crops_per_epoch(self):
        return len(self.crops)

    def window_steps(self):
        return min(self.context + self.length, self.X.shape[1])

    def __len__(self):
        return math.ceil(len(self.crops) / self.batch_size)

    def __getitem__(self, index):
        picked = self.crops[index * self.batch_size: (index + 1) * self.batch_size]
        T, width = self.X.shape[1], self.window_steps()
        xs, ys, ws = [], [], []
        for i, start in picked:
            first, offset = crop_window(int(start), self.length, self.context, T)
            window = slice(first, first + width)
            mask = np.zeros(width, np.float32)
            mask[offset: offset + self.length] = 1.0
            weight = self.weights[i, window]
            xs.append(self.X[i, window])
            ys.append(self.y[i, window])
            ws.append(weight * mask.reshape((-1,) + (1,) * (weight.ndim - 1)))
        return np.stack(xs), np.stack(ys), np.stack(ws)

    def on_epoch_end(self):
        self._draw()
