"""Playwright on Debian's chromium against pytest-django's live server, logging in through the
login page, over the value chains the page tests use."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from tests.conftest import service_missing
from tests.valuechain.analysis.conftest import shared_pair  # noqa: F401  (fixture)
from tests.valuechain.conftest import value_chain  # noqa: F401  (fixture)

CHROMIUM = Path(os.environ.get("VALUECHAIN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        service_missing(f"no chromium at {CHROMIUM}: browser tests need Debian's chromium")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
    # test body are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # ORM calls made inside Playwright's context open their own connection: close
            # it here, or the test database cannot be dropped at the end of the session.
            connections.close_all()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def log_in() -> Callable[[Any, Any, str], None]:
    """`log_in(page, live_server, username)`: signs a test user in through the login page."""

    def go(page: Any, live_server: Any, username: str) -> None:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "valuechain-test")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/ideas/")

    return go
