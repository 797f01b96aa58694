"""The first page with a chart, in a real browser with a cold cache: how long until the idea
page's ladder chart is drawn, and how many bytes of plotly.js it had to fetch.

The app runs as in production: gunicorn, DEBUG off, static files collected with whitenoise's
compressed manifest storage (hashed names cached for a year, gzip and brotli copies), on a
throwaway SQLite database with the demo data. Chromium (Debian's, through Playwright) signs in
as the demo product manager, then opens an idea page in a fresh browser context each time.

Baseline, measured in the same run on the same page: the full plotly.js bundle the pages used
to load (4.8 MB, served uncompressed with a 60 s cache), substituted for the script by URL.

The time runs from asking for the page to the chart's SVG in it, not to the page's load event
(images, late scripts): the page's own clock then splits it into the HTML's arrival, the end of
parsing, plotly.js downloaded and evaluated, and the chart drawn (medians, in ms).

Run: python bench/bench_first_chart.py [--repeat N]
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import plotly

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = Path(sys.executable).with_name("gunicorn")
CHROMIUM = Path(os.environ.get("VALUECHAIN_CHROMIUM", "/usr/bin/chromium"))
CHART_BUNDLE = "vendor/plotly-custom/plotly-custom.min.js"
FULL_BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
FULL_URL_PATH = "vendor/plotly/plotly.min.js"
CHART = "#ladder-chart .main-svg"
TARGET_SECONDS = 1.0
# Only what the measured pages load is collected (the admin's and the API docs' files are not).
IGNORED = ["admin", "rest_framework", "drf_spectacular_sidecar", "datasets", "templates"]
IGNORED += ["widgetbundle.js", "plotly.min.js"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
        STATIC_ROOT=str(work / "static"),
        STATICFILES_BACKEND="whitenoise.storage.CompressedManifestStaticFilesStorage",
        WHITENOISE_USE_FINDERS="false",
        DEBUG="false",
        AXES_ENABLED="false",
        SECRET_KEY="bench-first-chart-only",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="valuechain.settings",
    )
    return env


def prepare(work: Path, env: dict[str, str]) -> None:
    """Collects the static files while the database is migrated and filled (two processes:
    brotli and migrations are both CPU-bound)."""
    manage = [PYTHON, str(ROOT / "manage.py")]
    ignore = [arg for pattern in IGNORED for arg in ("-i", pattern)]
    collect = subprocess.Popen(
        [*manage, "collectstatic", "--noinput", "-v0", *ignore],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    if collect.wait() != 0:
        raise SystemExit("collectstatic failed")
    # The old bundle as it used to be served: no hashed name, no compressed copy.
    old = work / "static" / FULL_URL_PATH
    old.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FULL_BUNDLE, old)


def an_idea_with_a_chart(work: Path) -> int:
    with sqlite3.connect(work / "bench.sqlite3") as db:
        row = db.execute(
            "SELECT idea_id FROM valuechain_need GROUP BY idea_id ORDER BY idea_id LIMIT 1"
        ).fetchone()
    return int(row[0])


@contextmanager
def server(env: dict[str, str], port: int) -> Iterator[str]:
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "valuechain.wsgi:application",
            *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


# The page's own clock (ms since the navigation began): when plotly.js is evaluated (it sets
# window.Plotly) and when the chart's SVG is attached. The wait for the chart is this promise,
# read over the DevTools protocol: Playwright's own selector engine, injected into the page,
# would cost the page's main thread 70-150 ms on this machine while the page is parsed.
CLOCK = """
(() => {
  const marks = (window.__firstChart = {});
  let plotly;
  Object.defineProperty(window, "Plotly", {
    configurable: true,
    get: () => plotly,
    set: (value) => { plotly = value; marks.evaluated = marks.evaluated || performance.now(); },
  });
  window.__chartDrawn = new Promise((drawn) => {
    new MutationObserver((_, observer) => {
      if (document.querySelector("CHART")) {
        marks.drawn = performance.now();
        observer.disconnect();
        drawn(true);
      }
    }).observe(document, { childList: true, subtree: true });
  });
})();
""".replace("CHART", CHART)
PHASES = {
    "html": "HTML received",
    "parsed": "parsed",
    "downloaded": "plotly.js downloaded",
    "evaluated": "plotly.js evaluated",
    "drawn": "chart drawn",
}


def first_chart(browser: Any, base: str, idea: int, full_bundle: bool) -> dict[str, float]:
    """Seconds from asking for the idea page to its chart drawn, in a fresh context (cold
    cache) signed in beforehand; the bytes the plotly script cost on the wire; and when each
    phase ended on the page's clock."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        if full_bundle:
            page.route(
                f"**/{CHART_BUNDLE.rsplit('.', 2)[0]}*",
                lambda route: route.continue_(url=f"{base}/static/{FULL_URL_PATH}"),
            )
        page.goto(f"{base}/login/")
        page.fill("#id_username", "pm")
        page.fill("#id_password", "valuechain-demo")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/ideas/")
        page.add_init_script(CLOCK)
        devtools = context.new_cdp_session(page)
        started = time.perf_counter()
        page.goto(f"{base}/ideas/{idea}/", wait_until="commit")
        wait = {"expression": "window.__chartDrawn", "awaitPromise": True}
        if not devtools.send("Runtime.evaluate", wait)["result"].get("value"):
            raise RuntimeError("the ladder chart was not drawn")
        elapsed = time.perf_counter() - started
        timing = page.evaluate(
            """() => {
                const nav = performance.getEntriesByType("navigation")[0];
                const plotly = performance.getEntriesByType("resource")
                    .filter((e) => /plotly/.test(e.name))[0];
                return {
                    wire: plotly.encodedBodySize, decoded: plotly.decodedBodySize,
                    html: nav.responseEnd, parsed: nav.domInteractive,
                    downloaded: plotly.responseEnd,
                    evaluated: window.__firstChart.evaluated, drawn: window.__firstChart.drawn,
                };
            }"""
        )
        return {"seconds": elapsed, **{key: float(value) for key, value in timing.items()}}
    finally:
        context.close()


def seconds(loads: list[dict[str, float]]) -> str:
    return " ".join(f"{load['seconds']:.2f}" for load in loads)


def mb(size: float) -> str:
    return f"{size / 1_000_000:.2f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="page loads per bundle")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        # `make bench` runs every benchmark: without a browser this one has nothing to measure.
        print(f"skipped: no chromium at {CHROMIUM} (set VALUECHAIN_CHROMIUM)")
        return
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-first-chart-"))
    try:
        env = app_env(work)
        started = time.perf_counter()
        prepare(work, env)
        print(f"setup (collectstatic, migrate, demo data): {time.perf_counter() - started:.1f} s")
        idea = an_idea_with_a_chart(work)
        collected = work / "static" / CHART_BUNDLE
        hashed = next(collected.parent.glob("plotly-custom.min.*.js"))
        full_raw = FULL_BUNDLE.stat().st_size
        full_gz = len(gzip.compress(FULL_BUNDLE.read_bytes(), 9))
        new_raw = collected.stat().st_size
        new_gz = Path(f"{hashed}.gz").stat().st_size
        new_br = Path(f"{hashed}.br").stat().st_size
        results: dict[bool, list[dict[str, float]]] = {True: [], False: []}
        with server(env, free_port()) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--headless=new", "--no-sandbox"]
            )
            try:
                first_chart(browser, base, idea, False)  # warm the server's own caches
                for _ in range(args.repeat):
                    for full in (True, False):
                        results[full].append(first_chart(browser, base, idea, full))
            finally:
                browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    old_s = statistics.median(r["seconds"] for r in results[True])
    new_s = statistics.median(r["seconds"] for r in results[False])
    old_wire = results[True][0]["wire"]
    new_wire = results[False][0]["wire"]
    print(f"plotly bundle, uncompressed: full {mb(full_raw)}, the charts' own {mb(new_raw)}")
    print(
        f"plotly bundle, compressed: the charts' own gzip {mb(new_gz)}, brotli {mb(new_br)} "
        f"(the full bundle would be {mb(full_gz)} gzipped, but was served uncompressed)"
    )
    print(
        f"bytes on the wire for plotly in this browser: full {mb(old_wire)}, "
        f"the charts' own {mb(new_wire)} ({new_wire / old_wire:.2f}x the baseline)"
    )
    print(f"each load, seconds: baseline {seconds(results[True])}; now {seconds(results[False])}")
    print(
        f"first chart page, cold cache, median of {args.repeat}: baseline (full bundle, "
        f"uncompressed) {old_s:.3f} s; now {new_s:.3f} s ({new_s / old_s:.2f}x the baseline)"
    )
    print("on the page's clock, ms since the navigation began (median):")
    for full, label in ((True, "baseline"), (False, "now")):
        phases = ", ".join(
            f"{name} {statistics.median(r[key] for r in results[full]):.0f}"
            for key, name in PHASES.items()
        )
        print(f"  {label}: {phases}")
    verdict = "under" if new_s < TARGET_SECONDS else "OVER"
    # Most of the time left is the browser running plotly.js: it grows with the machine's load.
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"target: first chart under {TARGET_SECONDS:.1f} s: {verdict} (load average {load})")


if __name__ == "__main__":
    main()
