"""Sphinx configuration of the sktcn documentation (``make docs``)."""

import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # document this checkout, whatever is installed
sys.path.insert(0, str(ROOT / "docs"))  # gallery_hooks, named by string below
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import sktcn  # noqa: E402

project = "sktcn"
author = "sktcn developers"
copyright = "sktcn developers"
release = version = sktcn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "sg_execution_times.rst", "user_guide/_*.rst"]
html_theme = "pydata_sphinx_theme"
html_static_path = ["_static"]
html_title = f"sktcn {version}"
# The version switcher reads _static/switcher.json, a path relative to the site's
# root: the theme resolves it against the page's root URL in the browser, and at
# build time checks the copy in docs/_static, so the build needs no network.
html_theme_options = {
    "navbar_end": ["version-switcher", "theme-switcher", "navbar-icon-links"],
    "switcher": {"json_url": "_static/switcher.json", "version_match": version},
    "show_version_warning_banner": False,
    # The top-level pages (index.rst's toctrees) are the header's links: the first
    # four, then a "More" menu, so that the links fit on one row at 1280 px.
    "header_links_before_dropdown": 4,
}
# Light, dark, or the reader's system setting (the theme's button cycles them). Unset,
# the theme logs "Got invalid theme mode" to the console on a reader's first visit.
html_context = {"default_mode": "auto"}
# Without an icon, browsers request /favicon.ico, which the site does not have.
html_favicon = "_static/favicon.svg"
# The switcher would show "Choose version" if the version being built were not
# listed; fail the build instead, so that a version bump updates the list.
_SWITCHER = json.loads((ROOT / "docs" / "_static" / "switcher.json").read_text())
if version not in {entry["version"] for entry in _SWITCHER}:
    raise ValueError(f"docs/_static/switcher.json lists no entry for version {version!r}; add one.")
myst_heading_anchors = 3

# The API pages list the methods sktcn documents; numpydoc's automatic member
# tables would pull in every inherited scikeras/sktime method as well.
numpydoc_show_class_members = False
autodoc_typehints = "none"
autodoc_member_order = "bysource"

# The gallery runs every example in its quick size (``--quick``: tiny data and
# networks, as tests/test_examples.py runs them), so its figures are small
# illustrations; the full-size figures are in benchmarks/RESULTS.md. Each example
# adds its run time to `make docs`, which `make test` runs within a 20-minute
# budget on 2 cores. Quick runs measured 2026-12-02 on a loaded machine,
# TensorFlow already imported: plot_receptive_field <1 s, adding_problem 5 s,
# copy_memory 5 s, sequential_digits 8 s, classification 9 s, grid_search 15 s,
# long_sequences 19 s, forecasting_pipeline 25 s, memory_length 28 s; demo (the
# tour of `sktcn demo` in its quick size) a few seconds more.
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # Every script whose name does not start with an underscore.
    "filename_pattern": r"/[^/_][^/]*\.py$",
    "download_all_examples": False,
    # Helpers shared by the example scripts, not an example themselves.
    "ignore_pattern": r"_common\.py$",
    "within_subsection_order": "FileNameSortKey",
    # Each script gets `--quick --out <folder>` and saves PNGs there (see gallery_hooks).
    "reset_argv": "gallery_hooks.quick_argv",
    "image_scrapers": ("matplotlib", "gallery_hooks.png_scraper"),
}

# Figures of the user guide (``.. plot:: user_guide/figures/NAME.py``), drawn by the
# build from tiny networks. Paths are relative to this folder: set explicitly, as
# matplotlib's documentation and code disagree on what an unset plot_basedir means.
# One PNG each: the default high-resolution PNG and PDF would render every figure
# three times.
plot_basedir = "."
plot_formats = [("png", 100)]
plot_html_show_formats = False
plot_include_source = False


def _note_figure_scripts(app, docname, source):
    """Make a page depend on its figure scripts, so that editing one rebuilds the page.

    The plot directive redraws a figure whose script is newer than its image, but
    only when the page is read again, and Sphinx re-reads a page only when a file it
    depends on changes; the directive does not declare its scripts.
    """
    for script in re.findall(r"^\.\. plot:: (\S+\.py)\s*$", source[0], flags=re.MULTILINE):
        app.env.note_dependency(str(Path(app.confdir, plot_basedir, script)))


def setup(app):
    app.connect("source-read", _note_figure_scripts)

# Cross-references to the libraries sktcn builds on, when their inventories can
# be fetched; the build does not need them (CI may run offline).
intersphinx_mapping = {}
if os.environ.get("SKTCN_DOCS_INTERSPHINX") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "sktime": ("https://www.sktime.net/en/stable", None),
    }
