"""The sktcn command line, through ``python -m sktcn`` in a subprocess and through ``main``.

Every subprocess pays TensorFlow's start-up (seconds), so the subprocess tests
cover what only a process shows (exit status, the console entry, stdout and
stderr kept apart); the many error messages are checked through ``main``, the
same function the console script runs.
"""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sktcn
from sktcn.cli import main

TINY_OPTIONS = ["--nb-filters", "4", "--epochs", "2", "--random-state", "0"]


def start_sktcn(*args, cwd, python_options=()):
    """Start ``python [PYTHON_OPTIONS] -m sktcn ARGS``; several run at once, as each spends seconds importing TensorFlow."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.Popen(
        [sys.executable, *python_options, "-m", "sktcn", *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd, env=env,
    )


def finish(process):
    stdout, stderr = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def run_main(*args):
    out, err = io.StringIO(), io.StringIO()
    status = main([str(a) for a in args], out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 8))
    wide = pd.DataFrame(X, columns=[f"t{i}" for i in range(8)])
    wide.insert(0, "id", [f"s{i}" for i in range(40)])
    wide.assign(label=np.where(X[:, 0] > 0, "up", "down")).to_csv(folder / "classify.csv", index=False)
    wide.assign(value=X[:, 0] + X[:, -1]).to_csv(folder / "regress.csv", index=False)
    t = np.arange(60)
    dates = pd.date_range("2024-01-01", periods=60, freq="D").strftime("%Y-%m-%d")
    sales = pd.DataFrame({"date": dates, "sales": 10 + np.sin(t / 3) + t / 20})
    sales.to_csv(folder / "sales.csv", index=False)
    sales.iloc[::-1].to_csv(folder / "sales_newest_first.csv", index=False)  # as many exports list them
    sales.to_csv(folder / "sales_semicolons.csv", index=False, sep=";")  # as spreadsheets in many locales write
    years = np.arange(1980, 2020)
    pd.DataFrame({"year": years, "every_other_year": years * 2 - 1980, "value": np.sin(years / 3)}).to_csv(
        folder / "years.csv", index=False
    )
    return folder


@pytest.fixture(scope="module")
def processes(files):
    """The command lines that need a process of their own, run side by side."""
    fits = {
        "classify": start_sktcn(
            "fit", "--task", "classify", "--data", "classify.csv", "--target", "label", "--id", "id",
            "--model", "clf", *TINY_OPTIONS, cwd=files,
        ),
        "forecast": start_sktcn(
            "fit", "--task", "forecast", "--data", "sales.csv", "--target", "sales", "--time", "date", "--fh", "3",
            "--calibration-size", "0", "--quiet", "--model", "fc", *TINY_OPTIONS, cwd=files,
        ),
        "bad model": start_sktcn("predict", "--model", "no-such-model", "--data", "classify.csv", cwd=files),
        # -OO strips docstrings, as slim production images may.
        "help -OO": start_sktcn("fit", "--help", cwd=files, python_options=["-OO"]),
    }
    done = {name: finish(process) for name, process in fits.items()}
    predictions = {
        "classify": start_sktcn(
            "predict", "--model", "clf", "--data", "classify.csv", "--id", "id", "--output", "out.csv", cwd=files
        ),
        "forecast": start_sktcn("predict", "--model", "fc", "--coverage", "0.9", cwd=files),
        "forecast, reader gone": start_sktcn("predict", "--model", "fc", cwd=files),
    }
    # The reader of the output leaves before it is written (`sktcn predict ... | head`, once
    # head has its lines); communicate() then has nothing to read.
    predictions["forecast, reader gone"].stdout.close()
    predictions["forecast, reader gone"].stdout = None
    done.update({f"predict {name}": finish(process) for name, process in predictions.items()})
    return done


def test_fit_shows_progress_on_stderr_and_saves_a_model(processes, files):
    result = processes["classify"]
    assert result.returncode == 0, result.stderr
    assert "Training TCNClassifier on 40 series of 8 steps" in result.stderr
    assert "Epoch 2/2" in result.stderr and "loss" in result.stderr  # one line per epoch
    assert result.stdout == ""
    model = sktcn.load(files / "clf")
    assert model.classes_.tolist() == ["down", "up"] and model.verbose == 0


def test_predict_writes_labels_and_probabilities(processes, files):
    result = processes["predict classify"]
    assert result.returncode == 0, result.stderr
    written = pd.read_csv(files / "out.csv")
    assert list(written.columns) == ["id", "prediction", "proba_down", "proba_up"]
    X = pd.read_csv(files / "classify.csv").drop(columns=["id", "label"])
    model = sktcn.load(files / "clf")
    assert written["prediction"].tolist() == model.predict(X).tolist()
    np.testing.assert_allclose(written[["proba_down", "proba_up"]].to_numpy(), model.predict_proba(X), rtol=1e-6)


def test_forecast_continues_the_dates(processes):
    fit, result = processes["forecast"], processes["predict forecast"]
    assert fit.returncode == 0, fit.stderr
    assert "Epoch" not in fit.stderr  # --quiet
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(io.StringIO(result.stdout), index_col=0)
    assert table.index.tolist() == ["2024-03-01", "2024-03-02", "2024-03-03"]
    assert table.index.name == "date"  # the --time column's name, not a blank header
    assert list(table.columns) == ["sales", "sales_lower", "sales_upper"]
    assert (table["sales_lower"] <= table["sales_upper"]).all()


def test_predict_ends_quietly_with_0_when_the_reader_closes_its_output(processes):
    # `sktcn predict ... | head` ended with "error: [Errno 32] Broken pipe" and status 1.
    result = processes["predict forecast, reader gone"]
    assert result.returncode == 0, result.stderr
    assert not any(text in result.stderr for text in ("sktcn predict", "Broken pipe", "BrokenPipeError", "Traceback"))


def test_the_command_line_runs_without_docstrings(processes):
    # python -OO crashed building the parser, whose `fit` description came from the docstring.
    result = processes["help -OO"]
    assert result.returncode == 0, result.stderr
    assert "The CSV layouts:" in result.stdout and "classify, regress" in result.stdout


def test_a_bad_file_exits_with_1_and_a_message(processes):
    result = processes["bad model"]
    assert result.returncode == 1
    assert "no-such-model does not exist" in result.stderr and "Traceback" not in result.stderr


def test_a_damaged_model_archive_exits_with_1_and_a_message(files, processes, tmp_path):
    data = bytearray((files / "fc.zip").read_bytes())
    data[700:708] = bytes(8)  # inside the compressed manifest
    (tmp_path / "bad.zip").write_bytes(bytes(data))
    status, out, err = run_main("predict", "--model", tmp_path / "bad.zip")
    assert status == 1 and out == ""
    assert err.startswith(f"sktcn predict: error: {tmp_path / 'bad.zip'} is damaged")


@pytest.mark.parametrize("task, model, message", [
    ("classify", "notes.txt", "notes.txt exists and is not an sktcn model directory"),
    ("forecast", "notes", "notes.zip exists and is not an sktcn model archive"),
    ("classify", "notes.txt/model", "notes.txt is a file, not a folder"),
    ("forecast", "notes.zip/deeper/model", "notes.zip is a file, not a folder"),
    # It trained, then failed with "[Errno 20] Not a directory" naming a hidden folder.
    ("classify", "dangling", "dangling is a symbolic link to"),
    # It saved fc.zip beside an older model directory fc, which 'sktcn predict --model fc' then read.
    ("forecast", "fc", "fc holds another sktcn model, which sktcn.load"),
    ("regress", "m" * 256, "this file system allows in a name; choose a shorter name"),
])
def test_fit_refuses_a_model_path_it_cannot_write_before_training(files, tmp_path, task, model, message):
    (tmp_path / "notes.txt").write_text("keep me")
    (tmp_path / "notes.zip").write_text("keep me")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    shutil.copytree(Path(__file__).parent / "data" / "format1" / "regressor", tmp_path / "fc")
    data = ["--data", files / f"{task}.csv", "--target", "label" if task == "classify" else "value", "--id", "id"
            ] if task != "forecast" else ["--data", files / "sales.csv", "--target", "sales", "--fh", "2"]
    status, _, err = run_main("fit", "--task", task, *data, "--model", tmp_path / model, *TINY_OPTIONS)
    assert status == 1 and message in err
    assert "Training" not in err  # refused before, not after, the training
    assert (tmp_path / "notes.txt").read_text() == (tmp_path / "notes.zip").read_text() == "keep me"


def test_regression_in_process(files, tmp_path):
    status, _, err = run_main(
        "fit", "--task", "regress", "--data", files / "regress.csv", "--target", "value", "--id", "id",
        "--model", tmp_path / "reg", "--dilations", "1,2", "--quiet", *TINY_OPTIONS,
    )
    assert status == 0, err
    model = sktcn.load(tmp_path / "reg")
    assert model.dilations_ == (1, 2) and model.nb_filters == 4 and list(model.feature_names_in_)[0] == "t0"
    status, out, _ = run_main("predict", "--model", tmp_path / "reg", "--data", files / "regress.csv")
    predicted = pd.read_csv(io.StringIO(out))["prediction"].to_numpy()
    X = pd.read_csv(files / "regress.csv").drop(columns=["id", "value"])
    np.testing.assert_allclose(predicted, model.predict(X), rtol=1e-12)


@pytest.mark.parametrize(
    "args, message",
    [
        (["fit", "--task", "regress", "--data", "missing.csv", "--target", "value", "--model", "m"], "missing.csv: no such file"),
        (["fit", "--task", "regress", "--data", "regress.csv", "--target", "nope", "--model", "m"], "no column 'nope'"),
        (["fit", "--task", "regress", "--data", "classify.csv", "--target", "label", "--id", "id", "--model", "m"],
         "column 'label' is not numeric"),
        (["fit", "--task", "classify", "--data", "classify.csv", "--target", "label", "--model", "m"],
         "column 'id' is not numeric"),
        (["fit", "--task", "forecast", "--data", "regress.csv", "--target", "value", "--time", "id", "--fh", "2",
          "--model", "m"], "does not hold dates"),
        (["predict", "--model", "clf", "--data", "sales.csv"], "no column 't0'"),
        (["predict", "--model", "clf", "--data", "classify.csv", "--id", "ident"], "no column 'ident' (--id)"),
        (["fit", "--task", "forecast", "--data", "years.csv", "--target", "value", "--time", "every_other_year",
          "--fh", "2", "--model", "m"], "column 'every_other_year' (--time) holds numbers"),
        (["fit", "--task", "forecast", "--data", "regress.csv", "--target", "value", "--time", "t0", "--fh", "2",
          "--model", "m"], "write the times as dates"),
        (["fit", "--task", "forecast", "--data", "sales_newest_first.csv", "--target", "sales", "--time", "date",
          "--fh", "2", "--model", "m"], "the times in 'date' go down from row to row (newest first)"),
        (["fit", "--task", "forecast", "--data", "sales_semicolons.csv", "--target", "sales", "--fh", "2",
          "--model", "m"], "The file seems separated by semicolons: sktcn reads comma-separated files"),
    ],
)
def test_bad_data_exits_with_1(files, processes, monkeypatch, args, message):
    monkeypatch.chdir(files)
    status, out, err = run_main(*args)
    assert status == 1 and message in err and out == ""
    assert not (files / "m").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["fit", "--task", "regress", "--data", "regress.csv", "--target", "value", "--model", "m", "--bogus"],
         "unrecognized arguments: --bogus"),
        (["fit", "--task", "regress", "--data", "regress.csv", "--target", "value", "--model", "m", "--epochs", "0"],
         "'0' must be at least 1"),
        (["fit", "--task", "regress", "--data", "regress.csv", "--target", "value", "--model", "m",
          "--dilations", "1,two"], "comma-separated list"),
        (["fit", "--task", "cluster", "--data", "regress.csv", "--target", "value", "--model", "m"], "invalid choice"),
        (["fit", "--task", "regress", "--data", "regress.csv", "--target", "value", "--model", "m",
          "--random-state", "-1"], "'-1' must be at least 0"),
        (["predict", "--model", "fc", "--coverage", "0"], "'0' must be in the open interval (0, 1)"),
        (["predict", "--model", "fc", "--coverage", "1"], "'1' must be in the open interval (0, 1)"),
    ],
)
def test_wrong_command_lines_exit_with_2(files, monkeypatch, capsys, args, message):
    monkeypatch.chdir(files)
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_forecast_without_fh_and_forecaster_with_data_exit_with_2(files, processes, monkeypatch):
    monkeypatch.chdir(files)
    status, _, err = run_main("fit", "--task", "forecast", "--data", "sales.csv", "--target", "sales", "--model", "m")
    assert status == 2 and "forecast needs --fh" in err
    status, _, err = run_main("predict", "--model", "fc", "--data", "sales.csv")
    assert status == 2 and "takes no --data" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["fit", "--task", "regress", "--data", "regress.csv", "--target", "value", "--id", "id",
          "--class-weight", "balanced"], "--class-weight is for classify, not regress"),
        (["fit", "--task", "regress", "--data", "regress.csv", "--target", "value", "--id", "id", "--fh", "5"],
         "--fh is for forecast, not regress"),
        (["fit", "--task", "classify", "--data", "classify.csv", "--target", "label", "--id", "id",
          "--window-length", "4"], "--window-length is for forecast, not classify"),
        (["fit", "--task", "classify", "--data", "classify.csv", "--target", "label", "--id", "id",
          "--time", "t0"], "--time is for forecast, not classify"),
        (["fit", "--task", "forecast", "--data", "sales.csv", "--target", "sales", "--fh", "2", "--id", "date"],
         "--id is for classify and regress, not forecast"),
    ],
)
def test_fit_refuses_options_of_another_task(files, monkeypatch, args, message):
    monkeypatch.chdir(files)
    status, out, err = run_main(*args, "--model", "m", "--quiet", *TINY_OPTIONS)
    assert status == 2 and message in err and out == "" and "Training" not in err
    assert not (files / "m").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "clf", "--data", "classify.csv", "--coverage", "0.9"],
         "--coverage is for forecast, not classify (the model in clf is a TCNClassifier)"),
        (["--model", "fc", "--id", "date"], "--id is for classify and regress, not forecast"),
    ],
)
def test_predict_refuses_options_of_another_task(files, processes, monkeypatch, args, message):
    monkeypatch.chdir(files)
    status, out, err = run_main("predict", *args)
    assert status == 2 and message in err and out == ""


def test_forecast_on_whole_numbers_continues_them(files, tmp_path):
    """A --time column of years is an integer index, not nanoseconds since 1970; without --time rows are counted."""
    common = ["fit", "--task", "forecast", "--data", files / "years.csv", "--target", "value", "--fh", "2",
              "--calibration-size", "0", "--quiet", *TINY_OPTIONS]
    status, _, err = run_main(*common, "--time", "year", "--model", tmp_path / "years")
    assert status == 0, err
    status, out, err = run_main("predict", "--model", tmp_path / "years")
    assert status == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == ["year", "value"] and table["year"].tolist() == [2020, 2021]
    status, out, err = run_main("predict", "--model", tmp_path / "years", "--coverage", "0.8")
    assert status == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == ["year", "value", "value_lower", "value_upper"]
    assert table["year"].tolist() == [2020, 2021] and (table["value_lower"] <= table["value_upper"]).all()
    status, _, err = run_main(*common, "--model", tmp_path / "rows")
    assert status == 0, err
    status, out, err = run_main("predict", "--model", tmp_path / "rows")
    table = pd.read_csv(io.StringIO(out))
    assert status == 0 and list(table.columns) == ["time", "value"] and table["time"].tolist() == [40, 41]


def test_demo_quick_prints_scores_and_writes_plots(tmp_path):
    pytest.importorskip("matplotlib")
    status, out, _ = run_main("demo", "--quick", "--plots", tmp_path)
    assert status == 0
    for line in ["GunPoint classification", "1-NN, Euclidean", "Adding problem", "ridge on the window",
                 "Airline passengers", "seasonal naive"]:
        assert line in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["airline_forecast.png", "learning_curves.png"]


def test_demo_refuses_a_plot_folder_it_cannot_write_before_the_tour(tmp_path):
    # It ran the whole tour (minutes), then failed with "[Errno 17] File exists: 'plots.png'".
    pytest.importorskip("matplotlib")
    (tmp_path / "plots.png").write_text("a file")
    status, out, err = run_main("demo", "--quick", "--plots", tmp_path / "plots.png")
    assert (status, out) == (1, "")
    assert err == (f"sktcn demo: error: {tmp_path / 'plots.png'} is a file, not a folder; "
                   "choose a folder for the plots.\n")
    status, out, err = run_main("demo", "--quick", "--plots", tmp_path / "plots.png" / "deeper")
    assert (status, out) == (1, "") and "plots.png is a file, not a folder" in err


@pytest.mark.parametrize("layout", ["3D array", "nested frame"])
def test_a_model_without_column_names_is_refused_for_csv(files, tmp_path, layout):
    X = pd.read_csv(files / "regress.csv").drop(columns=["id", "value"]).to_numpy()
    # A nested frame's column names are its features', not time steps' that a CSV's columns could match.
    series = X[:, :, None] if layout == "3D array" else pd.DataFrame({"t0": [pd.Series(row) for row in X]})
    sktcn.TCNRegressor(nb_filters=2, epochs=1).fit(series, X[:, 0]).save(tmp_path / "plain")
    status, out, err = run_main("predict", "--model", tmp_path / "plain", "--data", files / "regress.csv")
    assert status == 1 and "was not fit on named columns" in err and out == ""


def test_a_model_of_several_predictions_per_series_is_refused_for_csv(files, tmp_path):
    # Its predictions failed as pandas' "Per-column arrays must each be 1-dimensional".
    frame = pd.read_csv(files / "regress.csv")
    X = frame.drop(columns=["id", "value"])
    y = frame["value"].to_numpy()
    tiny = dict(nb_filters=2, epochs=1, random_state=0)
    refused = {
        "2 outputs per series": sktcn.TCNRegressor(**tiny).fit(X, np.column_stack([y, -y])),
        "one value per time step": sktcn.TCNRegressor(**tiny, return_sequences=True).fit(X, X.to_numpy()),
    }
    for what, model in refused.items():
        model.save(tmp_path / "model")
        status, out, err = run_main("predict", "--model", tmp_path / "model", "--data", files / "regress.csv")
        assert status == 1 and out == ""
        assert f"predicts {what}" in err and "writes one prediction per series" in err and "sktcn.load" in err
    # One output as a column, y (n_samples, 1), is one prediction per series.
    column = sktcn.TCNRegressor(**tiny).fit(X, y[:, None])
    column.save(tmp_path / "model")
    status, out, err = run_main("predict", "--model", tmp_path / "model", "--data", files / "regress.csv")
    assert status == 0, err
    np.testing.assert_allclose(pd.read_csv(io.StringIO(out))["prediction"], column.predict(X).ravel())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.DataConversionWarning")
def test_a_classifier_fit_on_a_column_vector_by_earlier_versions_predicts_one_label_per_series(
        files, tmp_path, monkeypatch):
    # Earlier versions kept a column-vector y as one output: predict_proba gives a list of one array,
    # and classes_ a list of one, which failed with a traceback (AttributeError: 'list' ... 'T').
    frame = pd.read_csv(files / "classify.csv")
    X, y = frame.drop(columns=["id", "label"]), frame[["label"]].to_numpy()
    with monkeypatch.context() as patch:
        patch.setattr(sktcn.TCNClassifier, "_as_target_array", lambda self, y: np.asarray(y))
        sktcn.TCNClassifier(nb_filters=2, epochs=1, random_state=0).fit(X, y).save(tmp_path / "model")
    old = sktcn.load(tmp_path / "model")
    assert old._output_shape == (1,) and isinstance(old.predict_proba(X), list)
    status, out, err = run_main("predict", "--model", tmp_path / "model", "--data", files / "classify.csv")
    assert status == 0, err
    written = pd.read_csv(io.StringIO(out))
    assert list(written.columns) == ["prediction", "proba_down", "proba_up"]
    assert written["prediction"].tolist() == old.predict(X).ravel().tolist()
    np.testing.assert_allclose(written[["proba_down", "proba_up"]], old.predict_proba(X)[0])


def test_pooling_option(files, tmp_path):
    common = ["--data", files / "classify.csv", "--target", "label", "--id", "id", "--quiet", *TINY_OPTIONS]
    status, _, err = run_main("fit", "--task", "classify", *common, "--model", tmp_path / "max", "--pooling", "max")
    assert status == 0, err
    model = sktcn.load(tmp_path / "max")
    assert model.pooling == "max" and model.pooling_ == "max"
    status, _, err = run_main("fit", "--task", "forecast", *common, "--fh", "2", "--model", tmp_path / "fc",
                              "--pooling", "mean")
    assert status == 2 and "--pooling is for classify and regress" in err and not (tmp_path / "fc").exists()


@pytest.mark.parametrize("norm, expected", [
    (None, {}),
    ("none", {"use_batch_norm": False}),
    ("batch", {"use_batch_norm": True}),
    ("layer", {"use_layer_norm": True}),
])
def test_norm_option_maps_to_the_parameters(norm, expected):
    from sktcn.cli import _build_parser, _estimator_params

    argv = ["fit", "--task", "classify", "--data", "train.csv", "--target", "label", "--model", "m"]
    argv += ["--norm", norm] if norm else []
    params = _estimator_params(_build_parser().parse_args(argv))
    norms = {name: value for name, value in params.items() if name.startswith("use_") and name.endswith("_norm")}
    assert norms == expected


def test_fit_help_shows_each_tasks_own_defaults(capsys):
    # The tasks' estimators differ in epochs and validation_split, and only
    # the classifier normalises by default (from 60 steps on).
    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: auto for classify and regress, 15 for forecast)" in text
    assert "(default: 0.0 for classify and forecast, auto for regress)" in text
    assert "batch for series longer than 60 steps and none for shorter ones; none for regress and forecast" in text
    assert "fewer than 32 training windows" in text


def test_forecast_progress_counts_the_calibration_networks(files, monkeypatch):
    class Stop(Exception):
        pass

    def stop(self, *args, **kwargs):
        raise Stop

    monkeypatch.setattr(sktcn.cli.TCNForecaster, "fit", stop)
    err = io.StringIO()
    with pytest.raises(Stop):
        main(["fit", "--task", "forecast", "--data", str(files / "sales.csv"), "--target", "sales", "--fh", "3",
              "--model", str(files / "never")], out=io.StringIO(), err=err)
    assert "(up to 3 networks to calibrate intervals, then the forecasting networks)" in err.getvalue()
