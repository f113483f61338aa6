"""benchmarks/ucr.py, regression.py and long_series.py run end to end with --quick and print their tables.

In-process and on one data set each, to stay within seconds; the full runs are
the benchmarks themselves.
"""

import importlib.util
import json
import os
import re
import sys

import pytest

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")


def load_script(name, monkeypatch):
    monkeypatch.syspath_prepend(BENCHMARKS)  # the scripts import benchmarks/_common.py
    # ... not examples/_common.py, which an example run in this process may have cached.
    monkeypatch.delitem(sys.modules, "_common", raising=False)
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", os.path.join(BENCHMARKS, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def row_number(printed, label):
    """The first figure of the table row starting with ``label``, or None."""
    match = re.search(rf"^\| {re.escape(label)}[^|]* \| (-?[0-9.]+(?:e-?\d+)?) \|", printed, re.MULTILINE)
    return None if match is None else float(match.group(1))


def test_ucr_quick_without_numba(monkeypatch, capsys, tmp_path):
    ucr = load_script("ucr", monkeypatch)
    # As on a machine without numba: ROCKET, MiniRocket and DTW are left out with a note.
    monkeypatch.setattr(ucr, "have_numba", lambda: False)
    ucr.main(["--quick", "--sets", "ItalyPowerDemand", "--json", str(tmp_path / "ucr.json")])
    printed = capsys.readouterr().out
    assert "quick run" in printed and "numba is not installed" in printed
    assert 0 <= row_number(printed, "TCNClassifier (") <= 1
    assert 0 <= row_number(printed, "1-NN Euclidean") <= 1
    assert row_number(printed, "RocketClassifier") is None
    assert "## goals" in printed and "not assessed (ROCKET not run)" in printed
    figures = json.loads((tmp_path / "ucr.json").read_text())
    assert figures["sets"]["ItalyPowerDemand"]["shape"] == dict(train=20, test=20, channels=1, length=24)


def test_ucr_quick_rocket(monkeypatch, capsys):
    pytest.importorskip("numba")
    ucr = load_script("ucr", monkeypatch)
    ucr.main(["--quick", "--sets", "ItalyPowerDemand", "--methods", "rocket", "1nn-dtw"])
    printed = capsys.readouterr().out
    assert 0 <= row_number(printed, "RocketClassifier") <= 1
    assert 0 <= row_number(printed, "1-NN DTW") <= 1


def test_long_series_quick(monkeypatch, capsys):
    long_series = load_script("long_series", monkeypatch)
    long_series.main(["--quick", "--cases", "daily"])
    printed = capsys.readouterr().out
    row = re.search(r"^\| 0 \| 2024-01-28 00:00:00 \| ([0-9.]+) \| ([0-9.]+) \| ([0-9.]+) \| ([0-9.]+) \|",
                    printed, re.MULTILINE)
    assert row is not None, printed
    fit_s, tcn, naive, theta = map(float, row.groups())
    assert fit_s > 0 and tcn > 0 and naive > 0 and theta > 0
    # The last origin: 703 training windows of 42 steps, of which every 3rd (235) trains the forecast's network;
    # the seasonal naive MAE of that origin in the full run.
    assert "| 42 | 7 |" in printed and "| 703 | 235 |" in printed and naive == pytest.approx(2.630, abs=5e-4)


def test_regression_quick(monkeypatch, capsys, tmp_path):
    regression = load_script("regression", monkeypatch)
    regression.main(["--quick", "--tasks", "covid3month", "--n-networks", "1", "2",
                     "--json", str(tmp_path / "regression.json")])
    printed = capsys.readouterr().out
    assert "quick run" in printed
    assert row_number(printed, "TCNRegressor (") is not None
    assert row_number(printed, "RidgeCV") is not None
    assert "mean of 2 networks" in printed
    figures = json.loads((tmp_path / "regression.json").read_text())
    tcn = [r for r in figures["tasks"]["covid3month"]["methods"].values() if r["method"] == "tcn"]
    # The two-network ensemble reuses the single network's fit: its fit time is a sum of two.
    assert sorted(r["n_networks"] for r in tcn) == [1, 2]
    assert max(r["fit_seconds"] for r in tcn) >= min(r["fit_seconds"] for r in tcn)


def test_regression_held_out_counts_in_no_goal(monkeypatch, capsys):
    regression = load_script("regression", monkeypatch)
    regression.main(["--quick", "--tasks", "tecator", "--methods", "tcn", "ridge"])
    printed = capsys.readouterr().out
    assert "## tecator: 20 train, 20 test series, 1 channel(s) x 100 steps" in printed
    assert row_number(printed, "RidgeCV") is not None
    # Tecator was never used to tune: with no goal task run there is no goal to judge.
    assert "## goals" not in printed


def test_ucr_unequal_lengths_padded_in_front(monkeypatch, capsys, tmp_path):
    ucr = load_script("ucr", monkeypatch)
    X_train, _, X_test, _ = ucr.load("JapaneseVowels", quick=False)
    # 12 channels, 7 to 29 steps, padded in front to the longest of both splits.
    assert X_train.shape == (270, 12, 29) and X_test.shape == (370, 12, 29)
    lengths = (X_train != 0).any(axis=1).sum(axis=1)
    assert lengths.min() == 7 and not (X_train[:, :, -1] == 0).all(axis=1).any()  # every series ends at the last step
    ucr.main(["--quick", "--sets", "JapaneseVowels", "--methods", "tcn", "1nn-euclidean"])
    printed = capsys.readouterr().out
    assert "12 channel(s) x 29 steps, 9 classes" in printed
    assert 0 <= row_number(printed, "1-NN Euclidean") <= 1
    assert "## goals" not in printed  # a held-out set counts in no goal


def test_exported_commit_read_from_the_stamp(monkeypatch, tmp_path):
    common = load_script("_common", monkeypatch)
    stamp = tmp_path / "_export_commit.txt"
    stamp.write_text("5ea123a\n")
    assert common.exported_commit(str(stamp)) == "5ea123a (export)"
    # As committed (git archive expands it only in the export): no commit to name.
    with open(common.EXPORT_STAMP, encoding="utf-8") as file:
        placeholder = file.read()
    if placeholder.strip() != "$Format:%h$":
        # These tests run from a git archive export, where git expanded it: it names the export's commit.
        assert common.exported_commit(common.EXPORT_STAMP) == f"{placeholder.strip()} (export)"
        placeholder = "$Format:%h$"
    stamp.write_text(placeholder)
    assert common.exported_commit(str(stamp)) == "unknown"
    assert common.exported_commit(str(tmp_path / "missing.txt")) == "unknown"


def test_git_archive_expands_the_stamp():
    """.gitattributes marks the stamp for expansion (checked where git and the checkout are at hand)."""
    import subprocess

    root = os.path.dirname(BENCHMARKS)
    try:
        attribute = subprocess.run(["git", "check-attr", "export-subst", "benchmarks/_export_commit.txt"], cwd=root,
                                   capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    assert attribute.strip().endswith("export-subst: set")


@pytest.mark.parametrize(
    "script, case",
    [("flat_update", "forecaster-one"), ("repeated_fits", "cross-val")],
    ids=["flat-update", "repeated-fits"],
)
def test_ab_scripts_quick(monkeypatch, capsys, script, case):
    # Fresh processes per variant (Keras' Adam update or the flat one; with the
    # pool of training networks or without); the printed table says whether
    # their results agree, bit for bit, as they must.
    module = load_script(script, monkeypatch)
    module.main(["--quick", "--cases", case])
    printed = capsys.readouterr().out
    assert row_number(printed, case) > 0
    assert re.search(rf"^\| {case} \|.*\| yes, bit for bit \|$", printed, re.MULTILINE)


def test_series_offsets_quick_series_scaling_wins_where_each_series_has_its_own_level(monkeypatch, capsys):
    # The class is the shape; each series' offset and trend dwarf it. Scaled over all series
    # ("auto") the network learns little; scaled series by series it learns the shapes.
    series_offsets = load_script("series_offsets", monkeypatch)
    series_offsets.main(["--quick"])
    printed = capsys.readouterr().out
    assert "quick run" in printed
    auto = row_number(printed, 'TCNClassifier(input_scaling="auto")')
    series = row_number(printed, 'TCNClassifier(input_scaling="series")')
    assert series >= 0.7 and series - auto >= 0.25, (auto, series)
    assert row_number(printed, "logistic regression") is not None


def test_pretrain_quick(monkeypatch, capsys):
    pretrain = load_script("pretrain", monkeypatch)
    pretrain.main(["--quick"])
    printed = capsys.readouterr().out
    rows = re.findall(r"^\| (realgdp|realcons|realinv) \| ([0-9.]+) \| ([0-9.]+) \| ([0-9.]+) \| ([0-9.]+) \|",
                      printed, re.MULTILINE)
    assert [row[0] for row in rows] == ["realgdp", "realcons", "realinv"], printed
    assert all(float(value) > 0 for row in rows for value in row[1:])
    # Seasonal naive's MAE on realgdp's last 8 quarters from its 40 before: the data, not the networks.
    assert float(rows[0][4]) == pytest.approx(212.7, abs=0.05)
    assert "pretrained / scratch MAE, geometric mean over the 3 targets" in printed
