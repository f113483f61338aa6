"""The package's layout: sktcn's modules import each other one way only, and what importing it requires.

Read from the source with ``ast``, so function-local imports count too: an
import hidden in a function to dodge a cycle is still a cycle.
"""

import ast
import json
import os
import pathlib
import subprocess
import sys

import keras
import pytest

import sktcn
from sktcn._keras_backend import require_tensorflow_backend

PACKAGE = pathlib.Path(sktcn.__file__).parent

# The one function-local import of an sktcn module: the package's lazy
# attribute (PEP 562) that spares scikit-learn-only users sktime's import time.
LAZY = {("sktcn", "sktcn.forecasting")}


def _module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree, modules):
    """(imported sktcn module, at module level?) for every import in ``tree``."""
    found = []

    def visit(node, top):
        for child in ast.iter_child_nodes(node):
            nested = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((alias.name, top) for alias in child.names if alias.name.startswith("sktcn"))
            elif isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("sktcn"):
                for alias in child.names:
                    sub = f"{child.module}.{alias.name}"
                    found.append((sub if sub in modules else child.module, top))
            visit(child, nested)

    visit(tree, True)
    return found


def _graph():
    paths = sorted(PACKAGE.glob("*.py"))
    modules = {_module_name(p) for p in paths}
    graph, local = {}, set()
    for path in paths:
        name = _module_name(path)
        imports = _imports(ast.parse(path.read_text()), modules)
        graph[name] = {target for target, _ in imports if target != name}
        local |= {(name, target) for target, top in imports if not top}
    return graph, local


def _cycle(graph):
    """One import cycle as a list of modules, or None."""
    state = {}

    def walk(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if nxt == "sktcn":
                continue  # importing a submodule runs the package first; the package itself is the root
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = walk(nxt, path + [nxt])
                if found:
                    return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            found = walk(start, [start])
            if found:
                return found
    return None


def test_no_import_cycle_among_sktcn_modules():
    graph, _ = _graph()
    assert _cycle(graph) is None, f"import cycle: {' -> '.join(_cycle(graph))}"


def test_no_function_local_import_of_an_sktcn_module_but_the_lazy_forecaster():
    _, local = _graph()
    assert local == LAZY


def test_the_cycle_detector_finds_a_cycle():
    # The check above can fail: a made-up graph with a cycle is caught.
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_dir_lists_the_lazy_forecaster_without_importing_it(monkeypatch):
    # dir(sktcn), and so tab completion, left TCNForecaster out (no module __dir__).
    # A None in sys.modules makes an import of sktcn.forecasting fail: dir must not need it.
    import sys

    monkeypatch.setitem(sys.modules, "sktcn.forecasting", None)
    names = dir(sktcn)
    assert set(sktcn.__all__) <= set(names) and names == sorted(names)
    assert {"TCNRegressor", "receptive_field", "__version__"} <= set(names)


def _import_sktcn(tmp_path, code="import sktcn", **environ):
    """Run ``code`` in a fresh interpreter that imports this checkout's sktcn, with ``environ`` added (None: unset)."""
    env = {key: value for key, value in os.environ.items() if key not in ("KERAS_BACKEND", "TF_USE_LEGACY_KERAS")}
    env.update({"TF_CPP_MIN_LOG_LEVEL": "3", **environ},
               PYTHONPATH=str(PACKAGE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env = {key: value for key, value in env.items() if value is not None}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=300)


def test_import_hides_only_tensorflow_info_lines_unless_the_user_chose(tmp_path):
    # Level 2 hid TensorFlow's C++ warnings too (GPU diagnostics among them), in
    # this process and in every child process, which inherits the variable.
    code = "import os, sktcn; print(os.environ['TF_CPP_MIN_LOG_LEVEL'])"
    run = _import_sktcn(tmp_path, code, TF_CPP_MIN_LOG_LEVEL=None)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["1"]


@pytest.mark.parametrize("setting", ["KERAS_BACKEND", "keras.json"])
def test_import_refuses_a_keras_on_another_backend_naming_the_setting_and_the_fix(setting, tmp_path):
    # Keras' numpy backend needs no package of its own to be chosen; under it (or
    # JAX, PyTorch) import sktcn succeeded and the first fit failed deep in Keras,
    # or `import keras` failed with a bare "No module named 'jax'".
    if setting == "KERAS_BACKEND":
        environ = dict(KERAS_BACKEND="numpy")
    else:
        (tmp_path / "keras.json").write_text(json.dumps({"backend": "numpy"}))
        environ = dict(KERAS_HOME=str(tmp_path))
    run = _import_sktcn(tmp_path, **environ)
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: sktcn needs Keras' TensorFlow backend, but Keras is set to the 'numpy'")
    assert ("KERAS_BACKEND='numpy'" if setting == "KERAS_BACKEND" else '"backend" entry of keras.json') in last
    assert "KERAS_BACKEND=tensorflow" in last


def test_a_keras_already_imported_on_another_backend_is_refused(monkeypatch):
    # Where that backend's package is installed, import keras succeeds and the
    # backend Keras reports is what is checked.
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    with pytest.raises(ImportError, match=r"set to the 'jax' backend by the environment variable KERAS_BACKEND='jax'"):
        require_tensorflow_backend()


def test_import_refuses_a_keras_tcn_built_on_legacy_keras_naming_the_variable(tmp_path):
    # With tf_keras installed, TF_USE_LEGACY_KERAS=1 makes keras-tcn's TCN a
    # Keras 2 layer, and every fit failed with a ValueError about a dtype
    # policy. A TCN class that is no Keras 3 layer stands in for it here.
    code = "import sys, types; sys.modules['tcn'] = types.SimpleNamespace(TCN=type('TCN', (), {})); import sktcn"
    run = _import_sktcn(tmp_path, code, TF_USE_LEGACY_KERAS="1")
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: keras-tcn's TCN layer is not a Keras 3 layer: TF_USE_LEGACY_KERAS='1' is set")
    assert "Unset TF_USE_LEGACY_KERAS" in last
