"""How sphinx-gallery runs sktcn's example scripts (named by string in ``docs/conf.py``).

The examples are command-line scripts: ``main`` in ``examples/_common.py`` reads
``--quick`` and ``--out DIR``, and each script saves its figures as PNG files in
``DIR`` (closing them), rather than leaving matplotlib figures open. So the gallery
gives every script ``--quick --out <a fresh folder>`` as its command line
(:func:`quick_argv`), and :func:`png_scraper` hands the PNGs the script wrote to
sphinx-gallery as that script's images. sphinx-gallery's own matplotlib scraper still
collects the figures of any script that leaves them open.

The functions are referred to by their qualified names in ``sphinx_gallery_conf``:
Sphinx pickles its configuration between builds, and functions defined inside
``conf.py`` itself would not pickle.
"""

import atexit
import shutil
import tempfile
from pathlib import Path

# The --out folder given to each example, by example file.
_OUT_DIRS = {}


def quick_argv(gallery_conf, script_vars):
    """Command-line arguments of an example run by the gallery: its quick sizes, a fresh --out."""
    out = tempfile.mkdtemp(prefix="sktcn-gallery-")
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    _OUT_DIRS[script_vars["src_file"]] = Path(out)
    return ["--quick", "--out", out]


def png_scraper(block, block_vars, gallery_conf):
    """Move the PNGs an example wrote since the last code block into the gallery's image paths."""
    from sphinx_gallery.scrapers import figure_rst

    out = _OUT_DIRS.get(block_vars["src_file"])
    if out is None or not out.is_dir():
        return ""
    written = sorted(out.glob("*.png"), key=lambda path: (path.stat().st_mtime, path.name))
    images = []
    for png, target in zip(written, block_vars["image_path_iterator"]):
        shutil.move(png, target)
        images.append(target)
    return figure_rst(images, gallery_conf["src_dir"])
