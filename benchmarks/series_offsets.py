"""input_scaling with a level and a trend of each series' own: "auto" against "series".

The class of a series is its shape, a sine or a square wave (period 20 steps,
amplitude 1, noise of standard deviation 0.1), under an
offset of its own (standard deviation 100) and a straight-line trend of its
own (rising or falling by up to 50 over the series). Scaled over all series
(``"auto"``), the shapes are a sliver of the spread; scaled series by series
(``"series"``), they are all there is. Logistic regression on the flattened
series is the reference. The figures of docs/user_guide/classification.rst
("Scale and speed"):

    python benchmarks/series_offsets.py            # 100 + 100 series of 100 steps, default classifiers
    python benchmarks/series_offsets.py --quick    # 60 + 60 series of 60 steps, tiny networks: seconds
"""

import argparse
import time

import numpy as np

# The sizes of the documented run, and of --quick (which tests/test_benchmarks.py runs).
FULL = dict(n_series=100, n_steps=100, params={})
QUICK = dict(n_series=60, n_steps=60,
             params=dict(nb_filters=8, dilations=(1, 2, 4), epochs=40, batch_size=16, learning_rate=0.01))

PERIOD = 20


def make_offset_shapes(n_series, n_steps, random_state=0):
    """``(X, y)``: ``X`` (n_series, n_steps, 1) float32 sine (y=0) or square waves (y=1), each with its own
    offset (standard deviation 100) and trend (up to +-50 over the series)."""
    rng = np.random.default_rng(random_state)
    y = rng.integers(0, 2, size=n_series)
    steps = np.arange(n_steps)
    wave = np.sin(2 * np.pi * steps / PERIOD)
    shape = np.where(y[:, None] == 1, np.sign(wave), wave)
    offset = rng.normal(scale=100.0, size=(n_series, 1))
    trend = rng.uniform(-50.0, 50.0, size=(n_series, 1)) * steps / n_steps
    noise = rng.normal(scale=0.1, size=(n_series, n_steps))
    return (shape + offset + trend + noise)[..., None].astype(np.float32), y


def accuracies(n_series, n_steps, params):
    """{method: test accuracy} on a train and a test set of ``n_series`` series each (seeds 0 and 1)."""
    from sklearn.linear_model import LogisticRegression

    from sktcn import TCNClassifier

    X_train, y_train = make_offset_shapes(n_series, n_steps, random_state=0)
    X_test, y_test = make_offset_shapes(n_series, n_steps, random_state=1)
    scores = {}
    for scaling in ("auto", "series"):
        start = time.perf_counter()
        model = TCNClassifier(**params, random_state=0, input_scaling=scaling).fit(X_train, y_train)
        scores[f'TCNClassifier(input_scaling="{scaling}")'] = model.score(X_test, y_test)
        print(f"input_scaling={scaling!r}: {time.perf_counter() - start:.0f} s", flush=True)
    logistic = LogisticRegression(max_iter=5000).fit(X_train[..., 0], y_train)
    scores["logistic regression (flattened)"] = logistic.score(X_test[..., 0], y_test)
    return scores


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data and tiny networks, for a smoke test")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    print(f"# series offsets: {size['n_series']} train and test series of {size['n_steps']} steps"
          f"{' (quick run)' if args.quick else ''}")
    scores = accuracies(**size)
    print("| method | test accuracy |\n|---|---|")
    for method, score in scores.items():
        print(f"| {method} | {score:.3f} |")


if __name__ == "__main__":
    main()
