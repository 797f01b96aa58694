"""Measure a running server under load, one endpoint per timed phase, with locust as a library.

Logs in once as a demo user (the session cookie is shared by every simulated user, so the
password hash is not what gets measured), warms each endpoint up, then for each phase runs
LOAD_USERS users with no think time for LOAD_SECONDS, lets the requests in flight finish, and
prints requests, requests/s, p50 and p95 per endpoint, and each p95 as a ratio of the trivial
view's p95 in the same run. Times are kept per request in float milliseconds (locust's own
percentiles are rounded buckets).

    python bench/loadtest/drive.py --url http://127.0.0.1:8777 [--phases roi,trivial]
        [--json out.json]
    python bench/loadtest/drive.py --compare small.json large.json

Exits 1 when any request failed (not a 200), after printing the table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass

# Sorted, locust (which monkey-patches the standard library with gevent) comes before requests.
import gevent
import locust
import requests
from locust import FastHttpUser, constant, task
from locust.env import Environment

USER = os.environ.get("LOAD_USER", "pm")
PASSWORD = os.environ.get("LOAD_PASSWORD", "valuechain-demo")
IDS_WANTED = 500
STOP_TIMEOUT = 120.0
CLIENT_TIMEOUT = 180.0

# name -> path, given the idea ids to pick from
PHASES: dict[str, Callable[[list[int]], str]] = {
    "trivial view": lambda ids: "/ping/",
    "GET /api/ideas/{id}/roi/": lambda ids: f"/api/ideas/{random.choice(ids)}/roi/",
    "idea page": lambda ids: f"/ideas/{random.choice(ids)}/",
    "idea list page": lambda ids: "/ideas/",
    "GET /api/ideas/": lambda ids: "/api/ideas/",
    "dashboard": lambda ids: "/dashboard/",
    "catalogue page": lambda ids: "/catalogue/",
}
SHORT = {
    "trivial": "trivial view",
    "roi": "GET /api/ideas/{id}/roi/",
    "idea": "idea page",
    "ideas": "idea list page",
    "api-ideas": "GET /api/ideas/",
    "dashboard": "dashboard",
    "catalogue": "catalogue page",
}
BASELINE = "trivial view"


@dataclass
class Result:
    endpoint: str
    requests: int
    failures: int
    seconds: float
    p50_ms: float
    p95_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def log_in(url: str) -> str:
    """The session cookie of the demo user, through the login form like a browser."""
    session = requests.Session()
    page = session.get(f"{url}/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if page.status_code != 200 or token is None:
        sys.exit(f"The login page did not answer with a form (status {page.status_code}).")
    answer = session.post(
        f"{url}/login/",
        data={"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{url}/login/"},
        allow_redirects=False,
        timeout=30,
    )
    cookie = session.cookies.get("sessionid")
    if answer.status_code != 302 or not cookie:
        sys.exit(f"Logging in as {USER!r} failed (status {answer.status_code}).")
    return cookie


def idea_ids(url: str, cookie: str) -> list[int]:
    """Some idea ids, read page by page from the API."""
    ids: list[int] = []
    page = 1
    while len(ids) < IDS_WANTED:
        answer = requests.get(
            f"{url}/api/ideas/",
            params={"page": page, "page_size": 200},
            cookies={"sessionid": cookie},
            timeout=120,
        )
        answer.raise_for_status()
        body = answer.json()
        ids.extend(row["id"] for row in body["results"])
        if not body.get("next"):
            break
        page += 1
    if not ids:
        sys.exit("The server holds no ideas: run make_company first.")
    return ids


def warm_up(url: str, cookie: str, ids: list[int], names: list[str]) -> None:
    """Each worker imports Django and fills its caches before anything is timed."""
    for name in names:
        for _ in range(20 if name == BASELINE else 3):
            requests.get(url + PHASES[name](ids), cookies={"sessionid": cookie}, timeout=120)


def run_phase(
    url: str, cookie: str, ids: list[int], name: str, users: int, seconds: float
) -> Result:
    path_of = PHASES[name]
    times: list[float] = []
    failures: Counter[str] = Counter()

    class OneEndpoint(FastHttpUser):
        host = url
        wait_time = constant(0)
        # Past gunicorn's own 60 s timeout: a request waiting in the queue is slow, not lost.
        network_timeout = connection_timeout = CLIENT_TIMEOUT

        @task
        def hit(self) -> None:
            with self.client.get(
                path_of(ids),
                name=name,
                headers={"Cookie": f"sessionid={cookie}"},
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    response.failure(f"status {response.status_code}")

    def record(response_time: float, exception: BaseException | None, **_: object) -> None:
        if exception is None:
            times.append(response_time)
        else:
            failures[str(exception)[:120]] += 1

    # Stopping waits for the requests in flight: none runs on into the next phase, and the
    # slowest are not dropped from the figures.
    env = Environment(user_classes=[OneEndpoint], stop_timeout=STOP_TIMEOUT)
    env.events.request.add_listener(record)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    started = time.perf_counter()
    gevent.sleep(seconds)
    runner.quit()
    elapsed = time.perf_counter() - started
    for reason, count in failures.most_common(5):
        print(f"  {name}: {count} failed: {reason}", file=sys.stderr)
    if not times:
        return Result(name, 0, failures.total(), elapsed, float("nan"), float("nan"))
    cuts = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
    return Result(name, len(times), failures.total(), elapsed, cuts[49], cuts[94])


def table(results: list[Result]) -> str:
    base = next((r.p95_ms for r in results if r.endpoint == BASELINE), None)
    lines = [
        f"{'endpoint':<26} {'requests':>8} {'fail':>5} {'req/s':>8} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p95 / trivial':>13}",
    ]
    for r in results:
        if not r.requests:  # every request failed
            lines.append(f"{r.endpoint:<26} {0:>8} {r.failures:>5} {0:>8.1f} {'-':>8} {'-':>8}")
            continue
        ratio = f"{r.p95_ms / base:.1f}x" if base else "-"
        lines.append(
            f"{r.endpoint:<26} {r.requests:>8} {r.failures:>5} {r.rps:>8.1f} "
            f"{r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {ratio:>13}"
        )
    return "\n".join(lines)


def compare(paths: list[str]) -> None:
    """The ROI endpoint at each catalogue size, and its p95 as a ratio of the smallest's."""
    runs = []
    for path in paths:
        with open(path) as handle:
            runs.append(json.load(handle))
    first = runs[0]["results"][SHORT["roi"]]["p95_ms"]
    print(
        f"{'assets':>8} {'ideas':>6} {'roi req/s':>10} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'ratio':>6} {'trivial p95 ms':>15}"
    )
    for run in runs:
        roi, trivial = run["results"][SHORT["roi"]], run["results"].get(BASELINE)
        print(
            f"{run['assets']:>8} {run['ideas']:>6} {roi['requests'] / roi['seconds']:>10.1f} "
            f"{roi['p50_ms']:>8.1f} {roi['p95_ms']:>8.1f} {roi['p95_ms'] / first:>5.2f}x "
            f"{trivial['p95_ms'] if trivial else float('nan'):>15.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("LOAD_URL", "http://127.0.0.1:8777"))
    parser.add_argument("--phases", default=",".join(SHORT), help=", ".join(SHORT))
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", 3)))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("LOAD_SECONDS", 20)))
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--compare", nargs="+", help="print ROI across runs' JSON files")
    args = parser.parse_args()
    if args.compare:
        compare(args.compare)
        return
    names = [SHORT[short] for short in args.phases.split(",")]
    # gevent's hub would swallow Ctrl-C; the caller's cleanup runs once this process is gone.
    for signum in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(signum, os._exit, 128 + signum)
    cookie = log_in(args.url)
    ids = idea_ids(args.url, cookie)
    warm_up(args.url, cookie, ids, names)
    print(
        f"locust {locust.__version__}: {args.users} users, no think time, "
        f"{args.seconds:g} s per endpoint, {len(ids)} idea ids picked at random"
    )
    results = []
    for name in names:
        results.append(run_phase(args.url, cookie, ids, name, args.users, args.seconds))
        print(f"  measured {name}", file=sys.stderr, flush=True)
    print(table(results))
    if args.json:
        payload = {
            "ideas": int(os.environ.get("LOAD_IDEAS", 0)),
            "assets": int(os.environ.get("LOAD_ASSETS", 0)),
            "results": {r.endpoint: {**asdict(r)} for r in results},
        }
        with open(args.json, "w") as handle:
            json.dump(payload, handle, indent=2)
    if any(r.failures for r in results):
        sys.exit("Some requests failed: see the fail column.")


if __name__ == "__main__":
    main()
