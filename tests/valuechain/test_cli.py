"""`valuechain contracts check|publish` against a live server, as a producer's CI runs it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from contracts.models import DataContract
from valuechain import cli

CONTRACT = """\
apiVersion: v3.1.0
kind: DataContract
id: payments-contract
name: payments
version: {version}
status: active
schema:
  - name: payments
    physicalType: table
    properties:
      - name: payment_id
        logicalType: string
        required: true
      - name: amount
        logicalType: {amount}
        required: true
"""


def _file(tmp_path: Path, version: str, amount: str = "number") -> str:
    path = tmp_path / f"payments-{version}.odcs.yaml"
    path.write_text(CONTRACT.format(version=version, amount=amount))
    return str(path)


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return cli.main(list(argv), out=out), out.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_check_fails_on_a_breaking_change_and_passes_after_a_major_bump(
    live_server, lead_user, tmp_path
):
    token = Token.objects.get_or_create(user=lead_user)[0].key
    server = ("--url", live_server.url, "--token", token)

    code, printed = _run("contracts", "check", _file(tmp_path, "1.0.0"), *server)
    assert code == 0 and "new contract" in printed
    code, printed = _run("contracts", "publish", _file(tmp_path, "1.0.0"), *server)
    assert code == 0 and "created 1.0.0" in printed
    assert DataContract.objects.filter(odcs_id="payments-contract").exists()

    # the amount becomes text: old readers break, and 1.1.0 claims it is compatible
    code, printed = _run("contracts", "check", _file(tmp_path, "1.1.0", "string"), *server)
    assert code == 1
    assert "FAIL" in printed and "[BREAKING] /properties/amount" in printed
    assert "2.0.0" in printed  # it says which version to publish instead
    code, printed = _run("contracts", "publish", _file(tmp_path, "1.1.0", "string"), *server)
    assert code == 1 and "refused (409)" in printed

    code, printed = _run("contracts", "check", _file(tmp_path, "2.0.0", "string"), *server)
    assert code == 0 and "ok" in printed
    code, printed = _run("contracts", "publish", _file(tmp_path, "2.0.0", "string"), *server)
    assert code == 0 and "new version 2.0.0" in printed

    # a compatible change (a new optional column would need a new file shape): same file, same
    # version, is reported as unchanged
    code, printed = _run("contracts", "check", _file(tmp_path, "2.0.0", "string"), *server)
    assert code == 0 and "unchanged" in printed


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_wrong_token_a_missing_file_and_no_server_exit_2(live_server, tmp_path):
    path = _file(tmp_path, "1.0.0")
    assert _run("contracts", "check", path, "--url", live_server.url, "--token", "x")[0] == 2
    code, printed = _run(
        "contracts", "check", str(tmp_path / "nope.yaml"), "--url", "http://x", "--token", "t"
    )
    assert code == 2 and "nope.yaml" in printed
    assert _run("contracts", "check", path, "--url", "ftp://x", "--token", "t")[0] == 2
    assert _run("contracts", "check", path, "--url", "http://127.0.0.1:9", "--token", "t")[0] == 2
