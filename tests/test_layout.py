"""The package's layout: sktcn's modules import each other one way only.

Read from the source with ``ast``, so function-local imports count too: an
import hidden in a function to dodge a cycle is still a cycle.
"""

import ast
import pathlib

import sktcn

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
