"""Every example runs end to end with --quick, prints its figures and writes its plots."""

import os
import runpy
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")

# example -> (figures it must print, PNGs it must write)
EXPECTED = {
    "adding_problem": (["test MSE", "test MSE of the mean", "receptive_field"],
                       ["adding_history.png", "adding_predictions.png"]),
    "copy_memory": (["accuracy on copied digits"], ["copy_memory_history.png"]),
    "sequential_digits": (["TCN test accuracy", "LSTM test accuracy"], ["sequential_digits_history.png"]),
    "memory_length": (["TCN longest length remembered", "LSTM longest length remembered", "LSTM change probe"],
                      ["memory_effective.png", "memory_probes.png"]),
    "classification": (["GunPoint TCN accuracy", "GunPoint CNNClassifier accuracy"], ["classification_history.png"]),
    "grid_search": (["best dilations", "best mean CV R^2"], ["grid_search.png"]),
    "forecasting_pipeline": (["log + TCN MAPE", "seasonal naive MAPE"], ["forecast.png"]),
    "long_sequences": (["best subsequence_length", "L=16: receptive field", "chunked vs one pass, max |difference|"],
                       ["long_sequences.png"]),
    "plot_receptive_field": (["dilations chosen for 100 steps", "receptive field"], ["receptive_field.png"]),
}


def test_every_example_is_tested():
    scripts = {f[:-3] for f in os.listdir(EXAMPLES) if f.endswith(".py") and not f.startswith("_")}
    # demo.py is `make demo` (its quick run is in test_cli.py).
    assert scripts - {"demo"} == set(EXPECTED)


@pytest.fixture
def examples_importable(monkeypatch):
    """The examples' own imports resolve as when run as scripts from examples/."""
    monkeypatch.syspath_prepend(EXAMPLES)
    # examples/_common.py, not benchmarks/_common.py, which a benchmark test may have cached.
    monkeypatch.delitem(sys.modules, "_common", raising=False)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_quick_run(name, tmp_path, monkeypatch, capsys, examples_importable):
    # In-process, as `python examples/NAME.py --quick --out DIR` would run it:
    # saves TensorFlow's start-up (seconds) per example.
    monkeypatch.setattr(sys, "argv", [f"{name}.py", "--quick", "--out", str(tmp_path)])
    runpy.run_path(os.path.join(EXAMPLES, f"{name}.py"), run_name="__main__")
    printed = capsys.readouterr().out
    figures, plots = EXPECTED[name]
    assert "quick run" in printed
    for figure in figures:
        assert f"  {figure}" in printed, f"{name} did not print {figure!r}:\n{printed}"
    for plot in plots:
        with open(tmp_path / plot, "rb") as image:
            assert image.read(8) == b"\x89PNG\r\n\x1a\n", f"{plot} is not a PNG"


def test_memory_length_verdict(examples_importable):
    study = runpy.run_path(os.path.join(EXAMPLES, "memory_length.py"))
    good = {"change": 0.9, "blinding": 0.02, "mse": 0.05}
    forgot = {"change": 0.05, "blinding": 1.0, "mse": 1.0}
    results = {10: good, 20: good, 40: forgot, 80: good}
    # The first length forgotten ends the run, even if a longer one happens to pass.
    assert study["longest_remembered"](results, [10, 20, 40, 80]) == 20
    assert study["longest_remembered"]({10: forgot}, [10]) == 0
    # Both probes must pass: following x[0] halfway, or predicting it only roughly, is not remembering.
    assert study["remembers"]({"change": 0.8, "blinding": 0.05, "mse": 0.1})
    assert not study["remembers"]({"change": 0.7, "blinding": 0.02, "mse": 0.1})
    assert not study["remembers"]({"change": 0.9, "blinding": 0.2, "mse": 0.3})
