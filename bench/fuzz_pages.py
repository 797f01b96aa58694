"""Fuzz: every page, signed in as each demo user, with hostile query strings and form posts.

Walks every page in the URL conf that needs no argument, plus the pages of the demo's ideas,
contracts, assets, tiers and runs, and requests them with random and hostile query parameters
(huge, negative and non-numeric numbers, unicode, lone surrogates, very long strings, repeated
parameters), then posts random values to the forms those pages show. The only pass criterion
is no server error (5xx); prints a summary and exits 1 listing the 5xx.

Runs against a server started by `make fuzz` on a throwaway database (FUZZ_URL); the
database (DATABASE_URL) is read only to find the demo objects' ids.

    FUZZ_URL=http://127.0.0.1:8765 FUZZ_PAGE_REQUESTS=1500 python bench/fuzz_pages.py
"""

from __future__ import annotations

import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote as url_quote
from urllib.parse import urljoin, urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "valuechain.settings")

import django

django.setup()

from django.urls import URLPattern, URLResolver, get_resolver  # noqa: E402

from contracts.models import DataContract  # noqa: E402
from valuechain import models as m  # noqa: E402

BASE = os.environ.get("FUZZ_URL", "http://127.0.0.1:8765").rstrip("/")
BUDGET = int(os.environ.get("FUZZ_PAGE_REQUESTS", "1500"))
SECONDS = float(os.environ.get("FUZZ_PAGE_SECONDS", "150"))
SEED = int(os.environ.get("FUZZ_SEED", "0"))
PASSWORD = os.environ.get("FUZZ_PASSWORD", "valuechain-demo")
USERS = ("pm", "lead", "exec", "admin")
# Signing out ends the session; the API has its own fuzz; the rest is not a page.
SKIP = re.compile(r"^/(logout/|api/|static/|admin/logout/|admin/jsi18n/|healthz/)")
# Admin pages that change passwords or the signed-in session are left alone.
SKIP_POST = re.compile(r"(/password/|/logout/|/login/)")

rng = random.Random(SEED)

HOSTILE: tuple[str, ...] = (
    "",
    "0",
    "-1",
    "-999999999999999999999",
    "1e308",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "-inf",
    "9" * 40,
    "18446744073709551616",
    "1.5",
    "0x10",
    "abc",
    "true",
    "null",
    "[]",
    "{}",
    "' OR 1=1 --",
    '"><script>alert(1)</script>',
    "../../etc/passwd",
    "%00",
    "\x00",
    "\u202e\u0645\u0631\u062d\u0628\u0627",
    "😀" * 20,
    "\ud800",
    "\udfff",
    "é" * 300,
    "a" * 5000,
    "1" * 2000,
    "2026-02-30",
    "-0",
    " 1 ",
)


def hostile() -> str:
    value = rng.choice(HOSTILE)
    if rng.random() < 0.2:
        value = str(rng.randint(-(2**70), 2**70))
    return value


def quote(value: str) -> str:
    """A query value percent-encoded as bytes, lone surrogates as their (invalid) UTF-8."""
    return url_quote(value.encode("utf-8", "surrogatepass"), safe="")


def enumerate_routes(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, str]]:
    """(name, route) of every pattern, routes joined as written in the URL conf."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from enumerate_routes(list(pattern.url_patterns), route)
        else:
            yield pattern.name or "", route


def fill(route: str) -> list[str]:
    """Concrete paths for one route: no argument, or the demo's ids for its arguments."""
    route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\/", "/")
    if "(" in route or "[" in route:
        return []  # regex routes (the admin's app and object pages) are walked through links
    args = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    if not args:
        return ["/" + route]
    ideas = [*m.Idea.objects.order_by("pk").values_list("pk", flat=True)[:3], 999999]
    values: dict[str, list[str]] = {
        "pk": [str(pk) for pk in ideas],
        "idea_id": [str(pk) for pk in ideas],
        "tier": ["1", "2", "3", "4", "9"],
        "run_pk": [
            *(str(pk) for pk in m.SimulationRun.objects.values_list("pk", flat=True)[:2]),
            *(str(pk) for pk in m.PortfolioRun.objects.values_list("pk", flat=True)[:2]),
            "999999",
        ],
        "asset_type": ["features", "curated-datasets", "raw-sources", "acquisition-options"],
    }
    if route.startswith("contracts/"):
        values["pk"] = [str(pk) for pk in DataContract.objects.values_list("pk", flat=True)[:3]]
    if route.startswith("catalogue/"):
        values["pk"] = [
            str(pk)
            for model in (m.Feature, m.CuratedDataset, m.RawSource, m.AcquisitionOption)
            for pk in model.objects.values_list("pk", flat=True)[:1]
        ]
    paths = ["/" + route]
    for _conv, name in args:
        options = values.get(name)
        if not options:
            return []
        paths = [
            re.sub(rf"<(?:\w+:)?{name}>", option, path, count=1)
            for path in paths
            for option in options
        ]
    return paths


class Forms(HTMLParser):
    """The post forms of a page: action and the names of their fields (with select options)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._current: dict[str, list[str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form" and attr.get("method", "get").lower() == "post":
            self._current = {}
            self.forms.append((attr.get("action", ""), self._current))
        elif self._current is not None and tag in ("input", "textarea", "select"):
            name = attr.get("name")
            if name and name != "csrfmiddlewaretoken" and attr.get("type") != "file":
                self._current.setdefault(name, [])
                if attr.get("value"):
                    self._current[name].append(attr["value"])
            self._select = name if tag == "select" else None
        elif tag == "option" and self._current is not None and self._select:
            self._current[self._select].append(attr.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        if tag == "select":
            self._select = None


class Run:
    def __init__(self) -> None:
        self.statuses: Counter[int] = Counter()
        self.errors: list[str] = []
        self.requests = 0
        self.start = time.perf_counter()

    def spent(self) -> bool:
        return self.requests >= BUDGET or time.perf_counter() - self.start > SECONDS

    def record(self, method: str, url: str, response: requests.Response) -> None:
        self.requests += 1
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.errors.append(f"{response.status_code} {method} {url[:300]}")


def sign_in(username: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{BASE}/login/", timeout=30)
    response = session.post(
        f"{BASE}/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        },
        headers={"Referer": f"{BASE}/login/"},
        timeout=30,
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit(f"cannot sign in as {username}: {response.status_code}")
    return session


def hostile_query(names: list[str]) -> str:
    pairs = []
    for _ in range(rng.randint(1, 4)):
        name = rng.choice(names) if names and rng.random() < 0.7 else hostile()[:40] or "q"
        for _ in range(rng.choice((1, 1, 1, 3))):  # repeated parameters now and then
            pairs.append(f"{quote(name)}={quote(hostile())}")
    return "&".join(pairs)


QUERY_NAMES = (
    "page",
    "q",
    "tier",
    "sort",
    "order",
    "status",
    "owner",
    "kind",
    "version",
    "from",
    "to",
    "a",
    "b",
    "idea",
    "run",
    "search",
    "limit",
    "offset",
)


def post_forms(session: requests.Session, page: str, html: str, run: Run) -> None:
    parser = Forms()
    try:
        parser.feed(html)
    except Exception:  # the page is not HTML the parser reads; nothing to post
        return
    for action, fields in parser.forms:
        target = urljoin(BASE + page, action or page)
        if urlsplit(target).netloc != urlsplit(BASE).netloc or SKIP_POST.search(target):
            continue
        if SKIP.search(urlsplit(target).path):
            continue
        for _ in range(2):
            if run.spent():
                return
            values = {
                name: (rng.choice(options) if options and rng.random() < 0.5 else hostile())
                for name, options in fields.items()
                if rng.random() < 0.9
            }
            # bytes, so that lone surrogates go out as the invalid UTF-8 they are
            data = {k: v.encode("utf-8", "surrogatepass") for k, v in values.items()}
            data["csrfmiddlewaretoken"] = (session.cookies.get("csrftoken") or "").encode()
            response = session.post(target, data=data, headers={"Referer": BASE + page}, timeout=60)
            run.record("POST", target, response)


def main() -> int:
    routes = list(enumerate_routes(list(get_resolver().url_patterns)))
    pages = sorted(
        {path for _name, route in routes for path in fill(route) if not SKIP.search(path)}
    )
    run = Run()
    print(f"{len(pages)} pages, {len(USERS)} users, budget {BUDGET} requests / {SECONDS:.0f} s")
    rounds = 0
    while not run.spent():
        for username in USERS:
            session = sign_in(username)
            for page in pages:
                if run.spent():
                    break
                query = "" if rounds == 0 else "?" + hostile_query(list(QUERY_NAMES))
                url = BASE + page + query
                response = session.get(url, timeout=60, allow_redirects=False)
                run.record("GET", url, response)
                if response.status_code == 200 and "html" in response.headers.get(
                    "Content-Type", ""
                ):
                    post_forms(session, page, response.text, run)
        rounds += 1
    elapsed = time.perf_counter() - run.start
    statuses = ", ".join(f"{code}: {count}" for code, count in sorted(run.statuses.items()))
    print(
        f"pages: {run.requests} requests in {elapsed:.1f} s, {len(run.errors)} server errors"
        f" ({statuses})"
    )
    for error in run.errors:
        print("  " + error)
    return 1 if run.errors else 0


if __name__ == "__main__":
    sys.exit(main())
