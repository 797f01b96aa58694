"""`valuechain`: the command-line client for a producer's CI (contracts as code).

    valuechain contracts check FILES... --url https://valuechain.example.com --token KEY
    valuechain contracts publish FILES... --url ... --token ...

`check` prints each ODCS file's compatibility against the registry, with the engine's
explanations, and exits 1 when one makes a breaking change without a new major version;
`publish` imports them (exit 1 when the registry refuses one). Exit 2: the files or the server
could not be read. It talks to the API over HTTP with the standard library alone, so it runs
anywhere Python does. --url and --token default to VALUECHAIN_URL and VALUECHAIN_TOKEN.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

CHECK_PATH = "/api/contracts/import/check/"
PUBLISH_PATH = "/api/contracts/import/"
MAX_FILE_BYTES = 1024 * 1024
TIMEOUT = 60


class CliError(Exception):
    """Something the user must fix: a file, the URL, the token (exit 2)."""


def _request(url: str, token: str, path: str, body: bytes) -> tuple[int, Any]:
    if not url.startswith(("http://", "https://")):
        raise CliError(f"--url must start with http:// or https://, not {url!r}.")
    request = urllib.request.Request(
        url.rstrip("/") + path,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/yaml",
            "Accept": "application/json",
            "Authorization": f"Token {token}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        try:
            answer = json.loads(error.read() or b"null")
        except ValueError:
            answer = None
        if error.code in (401, 403):
            raise CliError(f"The server refused the token ({error.code}).") from None
        return error.code, answer
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        raise CliError(f"Cannot reach {url}: {error}") from None


def _read(path: str) -> bytes:
    file = Path(path)
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise CliError(f"{path}: larger than {MAX_FILE_BYTES} bytes.")
        return file.read_bytes()
    except OSError as error:
        raise CliError(f"{path}: {error.strerror or error}") from None


def _problem(answer: Any) -> str:
    if isinstance(answer, dict):
        if "detail" in answer:
            return str(answer["detail"])
        return "; ".join(
            f"{key}: {' '.join(map(str, value)) if isinstance(value, list) else value}"
            for key, value in answer.items()
        )
    return str(answer)


def _explain(plan: dict[str, Any], out: TextIO) -> None:
    for change in plan.get("changes", []):
        mark = "BREAKING" if change.get("breaking") else "ok"
        out.write(f"    [{mark}] {change.get('path') or '/'}: {change.get('message', '')}\n")
        if "example" in change:
            example = json.dumps(change["example"], sort_keys=True)[:300]
            out.write(f"        a record that breaks: {example}\n")
    consumers = plan.get("impact", {}).get("consumers") or []
    if consumers and plan.get("breaking_changes"):
        names = ", ".join(c["name"] for c in consumers)
        out.write(f"    consumers pinned to the affected major: {names}\n")


def check(files: Sequence[str], url: str, token: str, out: TextIO) -> int:
    failed = False
    for path in files:
        status, answer = _request(url, token, CHECK_PATH, _read(path))
        if status != 200 or not isinstance(answer, dict):
            out.write(f"{path}: refused ({status}): {_problem(answer)}\n")
            failed = True
            continue
        mark = "ok" if answer["ok"] else "FAIL"
        out.write(f"{path}: {mark}: {answer['odcs_id']} {answer['version']}: {answer['verdict']}\n")
        if answer.get("plan"):
            _explain(answer["plan"], out)
        failed = failed or not answer["ok"]
    return 1 if failed else 0


def publish(files: Sequence[str], url: str, token: str, out: TextIO) -> int:
    failed = False
    for path in files:
        status, answer = _request(url, token, PUBLISH_PATH, _read(path))
        if status in (200, 201) and isinstance(answer, dict):
            what = "created" if answer.get("created") else "new version"
            out.write(
                f"{path}: {what} {answer.get('version')} (contract {answer.get('contract')})\n"
            )
        else:
            out.write(f"{path}: refused ({status}): {_problem(answer)}\n")
            failed = True
    return 1 if failed else 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="valuechain", description=__doc__.split("\n\n")[0])
    groups = main.add_subparsers(dest="group", required=True)
    contracts = groups.add_parser("contracts", help="data contracts as code (ODCS files)")
    commands = contracts.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("check", "compatibility against the registry; exit 1 on a breaking change"),
        ("publish", "import the files into the registry"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("files", nargs="+", metavar="FILE", help="ODCS YAML files")
        command.add_argument("--url", default=os.environ.get("VALUECHAIN_URL", ""))
        command.add_argument("--token", default=os.environ.get("VALUECHAIN_TOKEN", ""))
    return main


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = parser().parse_args(argv)
    out = out or sys.stdout
    if not args.url or not args.token:
        out.write("Give --url and --token (or VALUECHAIN_URL and VALUECHAIN_TOKEN).\n")
        return 2
    run = check if args.command == "check" else publish
    try:
        return run(args.files, args.url, args.token, out)
    except CliError as error:
        out.write(f"error: {error}\n")
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
