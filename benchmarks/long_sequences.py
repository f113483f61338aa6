"""Peak memory and time of training on crops and predicting whole recordings, against recording length.

Each recording length runs in its own process (peak RSS is a per-process
figure): two recordings of T steps, a TCNClassifier trained for one epoch on
crops of ``--length`` steps, then predicting one whole recording (chunked along
time once it is longer than sktcn's chunk). The data themselves grow with T
(2 x T float32 inputs and labels); the network's forward pass should not.

    python benchmarks/long_sequences.py [--lengths 10000 100000 1000000] [--length 400]
"""

import argparse
import json
import os
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
import numpy as np
sys.path.insert(0, sys.argv[3])
from long_sequences import make_lagged_sign
from sktcn import TCNClassifier
T, length = int(sys.argv[1]), int(sys.argv[2])
X, y = make_lagged_sign(2, T, lag=300, random_state=0)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
clf = TCNClassifier(return_sequences=True, subsequence_length=length, nb_filters=16, epochs=1, random_state=0)
start = time.perf_counter(); clf.fit(X, y); fit = time.perf_counter() - start
start = time.perf_counter(); proba = clf.predict_proba(X[:1]); predict = time.perf_counter() - start
print(json.dumps(dict(T=T, data_mib=(X.nbytes + y.nbytes) / 2**20, rss_after_data_mib=base,
                      peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      fit_seconds=fit, predict_seconds=predict, receptive_field=clf.receptive_field_,
                      finite=bool(np.isfinite(proba).all()))))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", nargs="+", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--length", type=int, default=400, help="subsequence_length (default 400)")
    args = parser.parse_args(argv)
    examples = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
    print("| recording steps | data (MiB) | RSS after data (MiB) | peak RSS (MiB) | fit (s) | predict 1 (s) |")
    print("|---|---|---|---|---|---|")
    for T in args.lengths:
        out = subprocess.run([sys.executable, "-c", CHILD, str(T), str(args.length), examples], capture_output=True,
                             text=True, check=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"| {T:,} | {row['data_mib']:.1f} | {row['rss_after_data_mib']:.0f} | {row['peak_rss_mib']:.0f} | "
              f"{row['fit_seconds']:.1f} | {row['predict_seconds']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
