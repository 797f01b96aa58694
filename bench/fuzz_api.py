"""Fuzz: every operation of the OpenAPI schema, as the `lead` and `pm` users, with schemathesis.

Loads the schema from FUZZ_URL/api/schema/ with a token per user and sends each operation
(GET, POST, PUT, PATCH and DELETE alike, against the throwaway database `make fuzz` creates)
FUZZ_EXAMPLES generated cases that fit the schema and as many that do not. The token endpoints
under /api/auth/ are left out: random credentials there would lock the users the fuzz signs in
as (and would revoke the tokens it uses). The only pass criterion is no server error (5xx);
other schemathesis findings (a response that does not conform to the schema...) are counted
and listed but do not fail the run. Exits 1 listing the 5xx.

    FUZZ_URL=http://127.0.0.1:8765 FUZZ_EXAMPLES=10 python bench/fuzz_api.py
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.failures import FailureGroup

BASE = os.environ.get("FUZZ_URL", "http://127.0.0.1:8765").rstrip("/")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
PASSWORD = os.environ.get("FUZZ_PASSWORD", "valuechain-demo")
USERS = ("lead", "pm")


class Tally:
    def __init__(self) -> None:
        self.requests = 0
        self.operations: set[str] = set()
        self.statuses: Counter[int] = Counter()
        self.server_errors: list[str] = []
        self.findings: Counter[str] = Counter()


def token(username: str) -> str:
    response = requests.post(
        f"{BASE}/api/auth/token/",
        json={"username": username, "password": PASSWORD},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["token"])


def findings(exc: BaseException) -> list[str]:
    """Short names for a schemathesis failure: the title of each check that failed."""
    if isinstance(exc, BaseExceptionGroup):
        return [name for inner in exc.exceptions for name in findings(inner)]
    title = getattr(exc, "title", "") or (str(exc).strip().splitlines() or [""])[0]
    return [f"{type(exc).__name__}: {title}"[:160]]


def fuzz_operation(operation: Any, headers: dict[str, str], tally: Tally, user: str) -> None:
    label = operation.label
    tally.operations.add(label)
    strategy = st.one_of(
        operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    )

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        # Negative cases may drop or mangle the token; every case is sent as the user.
        case.headers = {**(case.headers or {}), **headers}
        response = case.call(base_url=BASE, timeout=60)
        tally.requests += 1
        tally.statuses[response.status_code] += 1
        if response.status_code >= 500:
            tally.server_errors.append(
                f"{response.status_code} {label} as {user}: {case.as_curl_command()[:400]}"
            )
            return
        try:
            case.validate_response(response, headers=headers)
        except (Exception, FailureGroup) as exc:  # any other failed check is a finding
            for name in findings(exc):
                tally.findings[f"{label}: {name}"] += 1

    try:
        run()
    except (Exception, FailureGroup) as exc:  # a case schemathesis cannot build is a finding too
        for name in findings(exc):
            tally.findings[f"{label}: cannot generate: {name}"] += 1


def main() -> int:
    tally = Tally()
    start = time.perf_counter()
    for user in USERS:
        headers = {"Authorization": f"Token {token(user)}"}
        schema = schemathesis.openapi.from_url(f"{BASE}/api/schema/", headers=headers, timeout=60)
        schema = schema.exclude(path_regex="^/api/auth/")
        for result in schema.get_all_operations():
            fuzz_operation(result.ok(), headers, tally, user)
    elapsed = time.perf_counter() - start
    statuses = ", ".join(f"{code}: {count}" for code, count in sorted(tally.statuses.items()))
    print(
        f"API: {len(tally.operations)} operations, {tally.requests} requests as"
        f" {' and '.join(USERS)} in {elapsed:.1f} s, {len(tally.server_errors)} server errors"
        f" ({statuses})"
    )
    if tally.findings:
        print(f"other findings (reported, not failing): {sum(tally.findings.values())}")
        for name, count in tally.findings.most_common():
            print(f"  {count} x {name}")
    for error in tally.server_errors:
        print("  " + error)
    return 1 if tally.server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
