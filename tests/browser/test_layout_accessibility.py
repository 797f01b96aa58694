"""Every page on a 390 px phone and a 1366 px laptop: nothing wider than the screen, a top bar
that folds into a menu on the phone, each catalogue row's actions in view; and axe-core (the
npm package's script, vendored in tests/browser/vendor/) finds no serious or critical WCAG 2.1
AA violation on the main pages."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from contracts.models import DataContract
from valuechain import models as m
from valuechain.demo import DEMO_PASSWORD, load_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def main_pages() -> list[str]:
    """The pages the issue names, each with demo data on it."""
    idea = m.Idea.objects.filter(needs__isnull=False).order_by("pk").first()
    assert idea is not None
    return [
        "/dashboard/",
        "/ideas/",
        f"/ideas/{idea.pk}/",
        "/catalogue/",
        "/contracts/",
        "/deployments/",
        "/portfolio/",
    ]


def more_pages() -> list[str]:
    idea = m.Idea.objects.filter(needs__isnull=False).order_by("pk").first()
    contract = DataContract.objects.order_by("pk").first()
    feature = m.Feature.objects.order_by("pk").first()
    assert idea is not None and contract is not None and feature is not None
    return [
        f"/ideas/{idea.pk}/edit/",
        f"/ideas/{idea.pk}/stakeholders/",
        "/ideas/new/",
        "/catalogue/?tier=3",
        "/catalogue/?tier=4",
        f"/catalogue/asset/features/{feature.pk}/",
        "/catalogue/features/",
        "/catalogue/import/",
        f"/contracts/{contract.pk}/",
        "/contracts/check/?example=1",
        "/contracts/import/",
        f"/deployments/ideas/{idea.pk}/plan/",
        "/account/password/",
        "/no-such-page/",
    ]


def sign_in(browser: Any, base: str, username: str, viewport: dict[str, int], **options: Any):
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/ideas/")
    return context, page


def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scroll)."""
    return int(
        page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )


def test_no_page_scrolls_sideways_on_a_phone_or_a_laptop(browser, live_server):
    load_demo()
    pages = main_pages() + more_pages()
    for viewport in (PHONE, LAPTOP):
        # the administrator may open every page, forms included
        context, page = sign_in(browser, live_server.url, "admin", viewport)
        try:
            wide = {}
            for path in pages:
                response = page.goto(f"{live_server.url}{path}")
                assert response is not None
                assert response.ok or path == "/no-such-page/", (path, response.status)
                page.wait_for_load_state("load")
                if (extra := overflow(page)) > 0:
                    wide[path] = extra
            assert wide == {}, f"wider than {viewport['width']} px: {wide}"
        finally:
            context.close()
    # and the login page, signed out
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        assert overflow(page) == 0
    finally:
        context.close()


def test_a_phone_user_opens_the_menu_and_reaches_every_section(browser, live_server):
    load_demo()
    context, page = sign_in(browser, live_server.url, "lead", PHONE)
    try:
        toggle = page.locator(".nav-toggle")
        assert toggle.is_visible()
        # folded: the links take no room until asked for
        assert not page.locator(".mainnav a", has_text="Portfolio").is_visible()
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        for name in ("Dashboard", "Catalogue", "Contracts", "Deployments", "Portfolio"):
            link = page.locator(".mainnav a", has_text=name)
            assert link.is_visible()
            box = link.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        page.locator(".mainnav a", has_text="Portfolio").click()
        page.wait_for_url(f"{live_server.url}/portfolio/")
        assert page.locator("h1").inner_text() == "Portfolio"
        # Escape folds it again
        page.locator(".nav-toggle").click()
        page.keyboard.press("Escape")
        assert page.locator(".nav-toggle").get_attribute("aria-expanded") == "false"
        # Log out stays reachable too
        page.locator(".nav-toggle").click()
        assert page.locator(".who button", has_text="Log out").is_visible()
    finally:
        context.close()


def test_every_catalogue_row_shows_its_actions_without_sideways_scroll(browser, live_server):
    load_demo()
    for viewport in (PHONE, LAPTOP):
        context, page = sign_in(browser, live_server.url, "lead", viewport)
        try:
            for tier in (1, 2, 3, 4):
                page.goto(f"{live_server.url}/catalogue/?tier={tier}")
                rows = page.locator(".catalogue-table tbody tr")
                assert rows.count() > 0
                if viewport is LAPTOP:
                    # on a laptop the whole table fits: no column behind a sideways scroll
                    wrap = page.locator(".tier-section .table-wrap")
                    assert wrap.evaluate("(el) => el.scrollWidth - el.clientWidth") <= 0, tier
                for index in range(rows.count()):
                    row = rows.nth(index)
                    for selector in ("a.asset-link", "a.edit-asset"):
                        box = row.locator(selector).bounding_box()
                        assert box is not None, (tier, index, selector)
                        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
            # the editing list: Edit and Delete stay in view on every row
            page.goto(f"{live_server.url}/catalogue/features/")
            rows = page.locator("#asset-list tbody tr")
            assert rows.count() > 0
            for index in range(rows.count()):
                for selector in ("a.edit-asset", "a.negative"):
                    box = rows.nth(index).locator(selector).bounding_box()
                    assert box is not None and box["x"] + box["width"] <= viewport["width"]
            # each row's name opens the asset's own page (catalogue-asset)
            page.goto(f"{live_server.url}/catalogue/?tier=1")
            link = page.locator("a.asset-link").first
            name, href = link.inner_text(), link.get_attribute("href")
            assert href is not None and re.fullmatch(r"/catalogue/asset/[\w-]+/\d+/", href)
            with page.expect_navigation():
                link.click()
            assert page.get_by_text(name).first.is_visible()
        finally:
            context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}})
            .then((r) => r.violations.map((v) => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" "))})))""",
        WCAG_AA,
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366px", "390px"])
def test_axe_finds_no_serious_or_critical_violation(browser, live_server, viewport):
    load_demo()
    # axe's script is injected inline: this context lets it past the page's CSP.
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{live_server.url}/login/")
        found = {"/login/": axe_violations(page)}
        page.fill("#id_username", "lead")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/ideas/")
        for path in main_pages():
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("load")
            # the charts are drawn before they are judged
            if page.locator("[data-figure], #ladder-chart").count():
                page.wait_for_selector(".main-svg")
            found[path] = axe_violations(page)
        bad = {path: v for path, v in found.items() if v}
        assert bad == {}, json.dumps(bad, indent=1)
    finally:
        context.close()
