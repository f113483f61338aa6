"""sktime's own check suite on TCNForecaster.

In a file of its own so that pytest-xdist (``--dist loadfile``) runs it on one
worker while tests/test_forecasting.py, the other long file, runs on the other:
together in one file they were the longest path of ``make test``.
"""

import os

import pytest
from sktime.utils.estimator_checks import check_estimator

from sktcn import TCNForecaster

# sktime's own suite: a representative part here, the whole of it with
# SKTCN_FULL_CHECKS=1 (`make test-full`), as each fit trains a network.
REPRESENTATIVE = [
    # under a second each
    "test_object_tags",
    "test_valid_object_tags",
    "test_class_tags_match_mro",
    "test_random_tags",
    "test_get_params",
    "test_set_params",
    "test_clone",
    "test_repr",
    "test_get_test_params",
    "test_constructor",
    # a network per case: fit on sktime's scenarios, and save/load through
    # sktime's own load (pickling and idempotence run in make test-full, and
    # sktcn's own tests cover both)
    "test_fit_returns_self",
    "test_save_estimators_to_file",  # sktime.base.load on what save(path) writes
    "test_pretrain_fit_predict_workflow",  # pretrain on a panel, then fit and predict one series
]


def _sktime_suite():
    """The sktime tests to run, one pytest case per group.

    Without SKTCN_FULL_CHECKS: one case running the representative tests. With
    it: one case per sktime test, so that `pytest -n 2` spreads the whole suite
    (about an hour in one process) over the workers.
    """
    if not os.environ.get("SKTCN_FULL_CHECKS"):
        return [pytest.param(REPRESENTATIVE, id="representative")]
    from sktime.tests.test_class_register import get_test_classes_for_obj

    names = sorted(
        {name for cls in get_test_classes_for_obj(TCNForecaster) for name in dir(cls) if name.startswith("test_")}
    )
    return [pytest.param([name], id=name) for name in names]


# Runs sktime's checks in a fresh interpreter and writes {case: result} as JSON,
# plus the peak resident memory, so that the full suite's memory is bounded per
# test: in one long-lived worker process it grew past 12 GB.
_ISOLATED = """
import json, resource, sys
from sktime.utils.estimator_checks import check_estimator
from sktcn import TCNForecaster
results = check_estimator(TCNForecaster, tests_to_run=json.loads(sys.argv[1]), raise_exceptions=False, verbose=False)
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
with open(sys.argv[2], "w") as out:
    json.dump({"results": {k: str(v) for k, v in results.items()}, "peak_mib": peak_mib}, out)
"""


def _check_in_subprocess(tests, tmp_path):
    import json
    import subprocess
    import sys

    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-c", _ISOLATED, json.dumps(tests), str(out)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    report = json.loads(out.read_text())
    print(f"{tests}: peak RSS {report['peak_mib']:.0f} MiB")
    return report["results"]


@pytest.mark.parametrize("tests", _sktime_suite())
def test_sktime_check_estimator(tests, tmp_path):
    if os.environ.get("SKTCN_FULL_CHECKS"):
        results = _check_in_subprocess(tests, tmp_path)
    else:
        results = check_estimator(TCNForecaster, tests_to_run=tests, raise_exceptions=False, verbose=False)
    failed = {name: result for name, result in results.items() if result != "PASSED"}
    assert results and not failed, failed
