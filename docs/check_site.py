"""Open the built documentation in headless Chromium and fail on what a reader would see broken.

    python docs/check_site.py [--site docs/_build/html] [--screenshots docs/_build/screenshots]

Checks three pages, the home page, the forecasting guide and the example gallery:
every JavaScript error or console error, every failed or 4xx/5xx request, every
``<img>`` that did not decode, the version switcher, which the theme fills
from ``_static/switcher.json`` after the page loads, and, on the gallery, any
placeholder thumbnail (an example that did not run). Writes a 1280x900 screenshot
of each (the forecasting page scrolled to its figure, the home page in light and
dark mode) to the screenshot folder.

The site is served over HTTP on 127.0.0.1, not opened as files: browsers refuse
``fetch`` from ``file://`` pages, so the version switcher would fail there
although it works on any web server. Chromium is driven through its DevTools
protocol (the ``websockets`` package, in the ``docs`` extra), which reports
console messages and failed requests as events; Debian's ``chromium`` package is
enough, nothing is downloaded. Without Chromium on PATH the script says so and
exits with status 0 (``--require-browser``: status 1).
"""

import argparse
import base64
import contextlib
import functools
import http.server
import itertools
import json
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
WIDTH, HEIGHT = 1280, 900

# page -> (images it must show at least: figures or gallery thumbnails,
#          screenshots: (file name, JavaScript run before the shot))
PAGES = {
    "index.html": (0, [("index.png", ""),
                       ("index_dark.png", "document.documentElement.dataset.theme = 'dark';")]),
    "user_guide/forecasting.html": (1, [("forecasting.png",
                                         "document.querySelector('figure img').scrollIntoView({block: 'center'});")]),
    # Every example runs at build time and shows a thumbnail of its own figure.
    "auto_examples/index.html": (10, [("gallery.png", "")]),
}
GALLERY = "auto_examples/index.html"

# Every <img> that did not load or decode, and what the version switcher shows: the
# theme sets the button's data-active-version once it has read switcher.json.
DOM_CHECK = """(() => ({
  images: document.images.length,
  broken: [...document.images].filter(img => !img.complete || img.naturalWidth === 0).map(img => img.src),
  switcher: [...document.querySelectorAll('.version-switcher__button')].map(b => b.innerText.trim()),
  switcher_versions: [...document.querySelectorAll('.version-switcher__button')].map(b => b.dataset.activeVersion),
  // a top-level const of Sphinx's documentation_options.js, not a property of window
  version: typeof DOCUMENTATION_OPTIONS === 'undefined'
    ? null : DOCUMENTATION_OPTIONS.theme_switcher_version_match || null,
  figures: document.querySelectorAll('figure img, .sphx-glr-thumbcontainer img').length,
}))()"""


def find_browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


class _Server:
    """The site on http://127.0.0.1:<free port>/, in a thread, quiet."""

    def __init__(self, root):
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass  # failed requests reach the report through the browser's events


class _Browser:
    """Headless Chromium and one DevTools session on one tab."""

    def __init__(self, executable, timeout=60):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="sktcn-check-site-")
        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--hide-scrollbars",
             f"--user-data-dir={self.profile}", "--remote-debugging-port=0",
             f"--window-size={WIDTH},{HEIGHT}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        try:
            self._connect(executable, timeout)
        except BaseException:
            self.close()
            raise

    def _connect(self, executable, timeout):
        from websockets.sync.client import connect

        # Chromium prints the address of its DevTools socket on stderr once it listens. A
        # thread reads stderr (all of it, so that Chromium never blocks on a full pipe)
        # and the address is waited for with a timeout, should Chromium hang silently.
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in self.process.stderr], daemon=True).start()
        deadline = time.monotonic() + timeout
        address = None
        while address is None and time.monotonic() < deadline:
            try:
                match = re.search(r"DevTools listening on (ws://\S+)", lines.get(timeout=0.5))
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            address = match.group(1) if match else None
        if address is None:
            raise RuntimeError(f"{executable} did not open its DevTools socket within {timeout} s")
        self._closing = contextlib.ExitStack()
        self.socket = self._closing.enter_context(connect(address, max_size=None, open_timeout=timeout))
        self._ids = itertools.count(1)
        self.events = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride", session=True,
                  width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)

    def call(self, method, session=False, **params):
        """Send one command and return its result, keeping the events that arrive meanwhile."""
        message = {"id": next(self._ids), "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self.socket.send(json.dumps(message))
        while True:
            reply = json.loads(self.socket.recv(timeout=self.timeout))
            if reply.get("id") == message["id"]:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method, timeout):
        """Collect events until ``method`` arrives (True) or ``timeout`` seconds pass (False).

        ``method=None`` just collects for ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = json.loads(self.socket.recv(timeout=max(deadline - time.monotonic(), 0.01)))
            except TimeoutError:
                break
            if "method" in event:
                self.events.append(event)
                if event["method"] == method:
                    return True
        return False

    def wait_until(self, expression, timeout):
        """Collect events until the JavaScript ``expression`` is true (True) or ``timeout`` passes (False)."""
        deadline = time.monotonic() + timeout
        while not self.evaluate(expression):
            if time.monotonic() > deadline:
                return False
            self.wait_for(None, timeout=0.2)
        return True

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", session=True, expression=expression,
                           returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} raised: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def close(self):
        if getattr(self, "_closing", None) is not None:
            self._closing.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def problems_in(events, site_url):
    """What went wrong in the DevTools events of one page: (problems, notes), as text.

    Requests to other hosts that fail are notes, not problems: the check runs
    without network access (CI, this project's machines), where MathJax, which
    Sphinx loads from a CDN, cannot load, although a reader's browser would load it.
    """
    problems, notes = [], []
    urls = {event["params"]["requestId"]: event["params"]["request"]["url"]
            for event in events if event["method"] == "Network.requestWillBeSent"}

    def report(text, url):
        (problems if url.startswith(site_url) or not url.startswith("http") else notes).append(text)

    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            problems.append(f"JavaScript error: {text}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            problems.append("console.error: " + " ".join(str(arg.get("value", arg.get("description", "")))
                                                         for arg in params.get("args", [])))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            report(f"console ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip(),
                   entry.get("url", ""))
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            report(f"HTTP {params['response']['status']}: {params['response']['url']}", params["response"]["url"])
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            url = urls.get(params["requestId"], "")
            report(f"request failed ({params.get('errorText')}): {url}", url)
    return problems, notes


# True once the theme has filled the version switcher from switcher.json, or if it
# fails to (the button then keeps its placeholder text; DOM_CHECK reports that).
SWITCHER_SETTLED = """(() => {
  const button = document.querySelector('.version-switcher__button');
  return !button || button.dataset.activeVersion !== undefined;
})()"""


def placeholder_thumbnails(site):
    """Gallery thumbnails that several examples share: sphinx-gallery's placeholder.

    An example that did not run, or ran and drew nothing, gets the same stock
    image as a thumbnail; every executed example draws its own figures, so two
    identical thumbnails mean placeholders. Returns the sharing file names.
    """
    by_content = {}
    for path in sorted((site / "_images").glob("sphx_glr_*_thumb.png")):
        by_content.setdefault(path.read_bytes(), []).append(path.name)
    return sorted(name for names in by_content.values() if len(names) > 1 for name in names)


def check_site(site, screenshots, executable, settle=0.5):
    """Check every page of PAGES; return ({page: report}, [problems], [notes]). Writes the screenshots."""
    screenshots.mkdir(parents=True, exist_ok=True)
    server = _Server(site)
    try:
        browser = _Browser(executable)
    except BaseException:
        server.close()
        raise
    reports, problems, notes = {}, [], []
    try:
        for page, (min_figures, shots) in PAGES.items():
            if not (site / page).is_file():
                problems.append(f"{page}: not built")
                continue
            browser.events.clear()
            browser.call("Page.navigate", session=True, url=server.url + page)
            if not browser.wait_for("Page.loadEventFired", timeout=30):
                problems.append(f"{page}: did not finish loading within 30 s")
            # The theme fetches switcher.json and fills the button after the load event;
            # then a moment more for late console messages.
            browser.wait_until(SWITCHER_SETTLED, timeout=10)
            browser.wait_for(None, timeout=settle)
            dom = browser.evaluate(DOM_CHECK)
            page_problems, page_notes = problems_in(browser.events, server.url)
            page_problems += [f"image did not load: {src}" for src in dom["broken"]]
            if not dom["version"] or dom["version"] not in dom["switcher_versions"]:
                page_problems.append(f"version switcher shows {dom['switcher']}, not version {dom['version']!r}")
            if dom["figures"] < min_figures:
                page_problems.append(f"{dom['figures']} figure or thumbnail images, expected at least {min_figures}")
            if page == GALLERY:
                page_problems += [f"placeholder thumbnail (the example did not run or drew nothing): {name}"
                                  for name in placeholder_thumbnails(site)]
            for name, script in shots:
                if script:
                    browser.evaluate(script)
                    time.sleep(0.3)  # a frame for the scroll or the theme change
                browser.screenshot(screenshots / name)
            reports[page] = dict(dom, problems=page_problems, screenshots=[str(screenshots / n) for n, _ in shots])
            problems += [f"{page}: {p}" for p in page_problems]
            notes += [f"{page}: {n}" for n in page_notes]
    finally:
        browser.close()
        server.close()
    return reports, problems, notes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=DOCS / "_build" / "html")
    parser.add_argument("--screenshots", type=Path, default=DOCS / "_build" / "screenshots")
    parser.add_argument("--require-browser", action="store_true", help="fail, instead of skipping, without Chromium")
    args = parser.parse_args(argv)
    executable = find_browser()
    if executable is None:
        print(f"check_site: skipped, no Chromium on PATH (looked for {', '.join(BROWSERS)}); "
              "on Debian or Ubuntu: apt-get install chromium")
        return 1 if args.require_browser else 0
    if not (args.site / "index.html").is_file():
        print(f"check_site: no built site at {args.site}; run `make docs` first")
        return 1
    start = time.perf_counter()
    reports, problems, notes = check_site(args.site, args.screenshots, executable)
    for page, report in reports.items():
        print(f"{page}: {report['images']} images ({report['figures']} figures/thumbnails), "
              f"version switcher {report['switcher'][0] if report['switcher'] else None!r}, "
              f"{len(report['problems'])} problems; screenshots {', '.join(report['screenshots'])}")
    for note in notes:
        print("  not checked, no network here:", note)
    for problem in problems:
        print("  PROBLEM", problem)
    print(f"check_site: {'FAILED' if problems else 'ok'} ({time.perf_counter() - start:.1f} s, {executable})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
