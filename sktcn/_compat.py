"""Workarounds for what sktcn's dependencies lack or hide, in one place.

Each entry says what it works around and when it can go:

- scikeras 0.13 (its last release; its author points to ``keras.wrappers``)
  declares its tags through ``_more_tags``, which scikit-learn 1.6 replaced by
  ``__sklearn_tags__`` and now rejects: :func:`scikeras_sklearn_tags` is the
  translation scikeras would ship, applied when sktcn._base is imported, and steps aside once
  scikeras defines the method itself.
- Keras draws the seeds of unseeded layers from Python's process-wide
  ``random`` through a private module; :func:`keras_seed_module` finds it, so
  that :func:`sktcn._random.seeded` can give it a private generator.
- Keras' TensorFlow trainer, without a distribution strategy, leaves the
  optimizer unbuilt until the first trace of its train step, which creates
  the optimizer's variables there; TensorFlow then traces the step a second
  time, to run it without creating variables. Tracing is most of a small
  fit's cost (a default TCNForecaster fit on airline: about half of its
  seconds), so :func:`build_optimizer` builds the optimizer before ``fit``.
  It can go once Keras builds the optimizer before tracing.
"""

import random

from scikeras.wrappers import BaseWrapper


def scikeras_sklearn_tags(self):
    """scikit-learn >= 1.6 tags for scikeras' BaseWrapper, from its old-style ``_tags``."""
    tags = super(BaseWrapper, self).__sklearn_tags__()
    tags.target_tags.multi_output = bool(self._tags.get("multioutput", False))
    return tags


def patch_scikeras_tags():
    """Give scikeras' BaseWrapper ``__sklearn_tags__`` unless it has its own (called once, by sktcn._base)."""
    if "__sklearn_tags__" not in vars(BaseWrapper):
        BaseWrapper.__sklearn_tags__ = scikeras_sklearn_tags


def keras_seed_module():
    """Keras' module that draws default seeds from ``random``, if it still does."""
    try:
        from keras.src.random import seed_generator
    except ImportError:  # pragma: no cover - a Keras without the private module
        return None
    return seed_generator if getattr(seed_generator, "python_random", None) is random else None


def build_optimizer(model):
    """Create ``model``'s optimizer variables now, in the model's distribution scope, if Keras has not.

    Slots start at zero and the step counter at 0 either way, so training is
    unchanged; only the second trace of the train step is saved.
    """
    optimizer = model.optimizer
    if optimizer is not None and not optimizer.built and model.built:
        with model.distribute_strategy.scope():
            optimizer.build(model.trainable_variables)
