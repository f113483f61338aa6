"""Sphinx configuration of the sktcn documentation (``make docs``)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # document this checkout, whatever is installed
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
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "sg_execution_times.rst", "user_guide/_*.rst"]
html_theme = "alabaster"
html_static_path = []
myst_heading_anchors = 3

# The API pages list the methods sktcn documents; numpydoc's automatic member
# tables would pull in every inherited scikeras/sktime method as well.
numpydoc_show_class_members = False
autodoc_typehints = "none"
autodoc_member_order = "bysource"

# Running examples that train networks would cost `make test` minutes, so by
# default only those that train nothing run (and show their plots); the others
# are shown as code. SKTCN_DOCS_RUN_EXAMPLES=1 runs every plot_*.py script.
_RUN_ALL_EXAMPLES = os.environ.get("SKTCN_DOCS_RUN_EXAMPLES", "0") == "1"
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_" if _RUN_ALL_EXAMPLES else r"/plot_receptive_field\.py$",
    "download_all_examples": False,
    # Helpers shared by the example scripts, not an example themselves.
    "ignore_pattern": r"_common\.py$",
    "within_subsection_order": "FileNameSortKey",
}

# Cross-references to the libraries sktcn builds on, when their inventories can
# be fetched; the build does not need them (CI may run offline).
intersphinx_mapping = {}
if os.environ.get("SKTCN_DOCS_INTERSPHINX") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "sktime": ("https://www.sktime.net/en/stable", None),
    }
