"""The built documentation opens in a browser without errors (docs/check_site.py).

Needs a built site (``make docs``) and Chromium on PATH; skips otherwise. ``make
test`` builds the site after pytest and checks it then (``make docs-check``), so
this test, which would check the previous build, skips there.
"""

import importlib.util
import os
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
SITE = DOCS / "_build" / "html"


def _check_site_module():
    spec = importlib.util.spec_from_file_location("check_site", DOCS / "check_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_built_site_has_no_browser_errors(tmp_path):
    if os.environ.get("SKTCN_SITE_CHECKED_BY_MAKE") == "1":
        pytest.skip("make test checks the site it builds after pytest (make docs-check)")
    check_site = _check_site_module()
    executable = check_site.find_browser()
    if executable is None:
        pytest.skip(f"no Chromium on PATH (looked for {', '.join(check_site.BROWSERS)})")
    if not (SITE / "index.html").is_file():
        pytest.skip(f"no built site at {SITE}: run `make docs` first")
    pytest.importorskip("websockets", reason="docs/check_site.py needs the docs extra (websockets)")
    reports, problems, _ = check_site.check_site(SITE, tmp_path, executable)
    assert not problems, "\n".join(problems)
    assert set(reports) == set(check_site.PAGES)
    for report in reports.values():
        for shot in report["screenshots"]:
            assert Path(shot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_placeholder_thumbnails_are_the_shared_ones(tmp_path):
    # No browser needed: two examples with the same thumbnail bytes got the stock image.
    check_site = _check_site_module()
    images = tmp_path / "_images"
    images.mkdir()
    (images / "sphx_glr_a_thumb.png").write_bytes(b"figure a")
    (images / "sphx_glr_b_thumb.png").write_bytes(b"stock")
    (images / "sphx_glr_c_thumb.png").write_bytes(b"stock")
    (images / "sphx_glr_b_001.png").write_bytes(b"stock")  # a figure, not a thumbnail
    assert check_site.placeholder_thumbnails(tmp_path) == ["sphx_glr_b_thumb.png", "sphx_glr_c_thumb.png"]
    (images / "sphx_glr_c_thumb.png").write_bytes(b"figure c")
    assert check_site.placeholder_thumbnails(tmp_path) == []
