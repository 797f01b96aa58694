"""Production: docker-compose.yml's settings pass `manage.py check --deploy` with no warning,
every page carries a strict Content-Security-Policy the templates live within, and the API
schema and docs are for signed-in users."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.test import Client

ROOT = Path(settings.BASE_DIR)
COMPOSE_VARIABLE = re.compile(r"\$\{(\w+)(?::?-([^}]*)|:\?[^}]*)?\}")


def _compose_environment(service: str) -> dict[str, str]:
    """The environment compose gives a service, with a SECRET_KEY as an operator would set."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    given = {"SECRET_KEY": secrets.token_urlsafe(50)}

    def resolve(match: re.Match[str]) -> str:
        return given.get(match.group(1), match.group(2) or "")

    return {
        name: COMPOSE_VARIABLE.sub(resolve, str(value))
        for name, value in compose["services"][service]["environment"].items()
    }


def _check_deploy(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**keep, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_compose_production_settings():
    environment = _compose_environment("web")
    assert environment["DEBUG"] == "false"
    result = _check_deploy(environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_check_deploy_names_what_is_missing_without_them():
    """The same check without the hardening flags fails, so the clean run above means something."""
    environment = _compose_environment("web")
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE"):
        environment.pop(name)
    environment["CSRF_COOKIE_SECURE"] = "false"
    result = _check_deploy(environment)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in output


def _database_settings(environment: dict[str, str]) -> dict[str, object]:
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; "
        "print(json.dumps({k: d[k] for k in ('ENGINE', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "valuechain.settings", **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_keeps_its_database_connections_between_requests():
    """A new PostgreSQL connection per request cost the ROI report more than half its time
    under load; compose's web service reuses each worker's connection, checked before reuse."""
    found = _database_settings(_compose_environment("web"))
    assert found["ENGINE"] == "django.db.backends.postgresql"
    assert found["CONN_MAX_AGE"] == 60
    assert found["CONN_HEALTH_CHECKS"] is True
    assert (
        _database_settings({**_compose_environment("web"), "CONN_MAX_AGE": "0"})["CONN_MAX_AGE"]
        == 0
    )
    embedded = {"SECRET_KEY": "x", "DATABASE_URL": "sqlite:///unused.sqlite3"}
    assert _database_settings(embedded)["CONN_MAX_AGE"] == 0


def test_every_app_service_in_compose_gets_the_same_hardening():
    web = _compose_environment("web")
    for service in ("worker", "beat", "migrate"):
        other = _compose_environment(service)
        for name in ("DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
            assert other[name] == web[name]


def test_the_health_check_is_exempt_from_the_https_redirect(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz/").status_code == 200
    assert Client().get("/login/").status_code == 301


# --- Content-Security-Policy -----------------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy(db):
    response = Client().get("/login/")
    parts = (p.strip() for p in response["Content-Security-Policy"].split(";"))
    policy = {name: value for name, _, value in (p.partition(" ") for p in parts if p)}
    assert policy["script-src"] == "'self'"  # no inline script, no eval
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy["default-src"]


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("*/*/templates")]
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>")


@pytest.mark.parametrize(
    "template",
    sorted({str(p.relative_to(ROOT)) for d in TEMPLATE_DIRS for p in d.rglob("*.html")}),
)
def test_templates_hold_no_inline_script_or_event_handler(template):
    text = (ROOT / template).read_text()
    assert not INLINE_HANDLER.search(text), "move the handler into a static JS file"
    assert not INLINE_SCRIPT.search(text), "load scripts with src=, under the CSP"
    assert "javascript:" not in text


# --- API schema and docs ---------------------------------------------------------------------


def test_anonymous_visitors_get_neither_schema_nor_docs(db):
    assert Client().get("/api/schema/").status_code in (401, 403)
    docs = Client().get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/login/")


def test_signed_in_users_read_the_docs_whose_script_is_a_file(db, exec_user):
    client = Client()
    client.force_login(exec_user)
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert not INLINE_SCRIPT.search(html)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert client.get("/api/schema/").status_code == 200
