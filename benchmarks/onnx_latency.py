"""Latency of one series: ONNX Runtime against sktcn's predict and the bare TensorFlow forward pass.

Fits a default-size TCNClassifier (64 filters) for one epoch on random
univariate series of 150 steps (accuracy is irrelevant here), exports it with
``export_onnx`` and times predicting one series three ways, interleaved call by
call so that a busy machine slows all three alike:

* ONNX Runtime's ``InferenceSession.run`` on the exported file;
* the bare compiled forward pass, ``tf.function`` around the Keras model;
* sktcn's ``predict`` (input validation, the compiled forward pass, the labels).

Prints the median of the calls after a warm-up, then the installed size of
onnxruntime and of what TensorFlow serving needs (the sums of the file sizes
of their site-packages directories). Needs the onnx extra
(``pip install sktcn[onnx]``); without it the script says so and exits.

Usage: python benchmarks/onnx_latency.py [--quick] [--calls N]
"""

import importlib.util
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from _common import header, parser_with_doc  # noqa: E402

WARM_UP_CALLS = 20


def package_megabytes(name):
    """Size on disk of an installed package's directory (its files, links not followed), in MB; None if absent."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    total = 0
    for folder, _, files in os.walk(spec.submodule_search_locations[0]):
        total += sum(os.lstat(os.path.join(folder, f)).st_size for f in files)
    return total / 1e6


def median_milliseconds(calls, rounds):
    """{name: median ms per call}: every call of ``calls`` once per round, interleaved, after a warm-up."""
    for _ in range(WARM_UP_CALLS):
        for call in calls.values():
            call()
    times = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return {name: 1000 * statistics.median(values) for name, values in times.items()}


def main(argv=None):
    parser = parser_with_doc(__doc__)
    parser.add_argument("--quick", action="store_true", help="a tiny network and few calls, seconds (for the tests)")
    parser.add_argument("--calls", type=int, default=None, help="timed calls of each path (default 200; 20 --quick)")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("tf2onnx") is None:
        print("onnxruntime or tf2onnx is not installed (pip install sktcn[onnx]); nothing to measure.")
        return

    import onnxruntime
    import tensorflow as tf

    from sktcn import TCNClassifier

    header("ONNX Runtime latency", args)
    length, params = (30, dict(nb_filters=4)) if args.quick else (150, {})
    calls = args.calls or (20 if args.quick else 200)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, length, 1)).astype(np.float32)
    clf = TCNClassifier(**params, epochs=1, random_state=0).fit(X, rng.randint(0, 2, len(X)))
    print(f"TCNClassifier({', '.join(f'{k}={v}' for k, v in params.items()) or 'defaults'}, epochs=1): "
          f"nb_filters {clf.nb_filters}, dilations_ {clf.dilations_}, pooling_ {clf.pooling_!r}; "
          f"one series of {length} steps, median of {calls} calls after {WARM_UP_CALLS} warm-up calls, "
          f"ONNX Runtime {onnxruntime.__version__}")

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        path = clf.export_onnx(os.path.join(folder, "classifier.onnx"))
        export_seconds = time.perf_counter() - start
        size_kb = path.stat().st_size / 1e3
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])

    one = X[:1]
    model = clf.model_
    forward = tf.function(lambda x: model(x, training=False))
    medians = median_milliseconds({
        "ONNX Runtime `InferenceSession.run`": lambda: session.run(None, {"series": one}),
        "bare compiled TensorFlow forward pass (`tf.function`)": lambda: forward(one).numpy(),
        "sktcn `predict`": lambda: clf.predict(one),
    }, calls)
    print(f"export (with its self-check against TensorFlow) {export_seconds:.1f} s, file {size_kb:.0f} kB\n")

    onnx_ms = medians["ONNX Runtime `InferenceSession.run`"]
    print("| one series | median ms per call | / ONNX Runtime |")
    print("| --- | ---: | ---: |")
    for name, value in medians.items():
        print(f"| {name} | {value:.3f} | {value / onnx_ms:.1f} |")

    print("\n| installed package | size on disk (MB) |")
    print("| --- | ---: |")
    for name in ("onnxruntime", "tensorflow", "keras"):
        size = package_megabytes(name)
        print(f"| {name} | {'not installed' if size is None else f'{size:.0f}'} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
