"""An executive makes a "budget -30 %" scenario, compares it with the live plan, plans its
quarters and downloads the workbook."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from valuechain import models as m
from valuechain.demo import load_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(os.environ.get("VALUECHAIN_SCREENSHOTS", "/tmp"))


def test_executive_cuts_the_budget_compares_plans_and_downloads(
    page, live_server, exec_user, log_in
):
    load_demo()
    log_in(page, live_server, exec_user.username)
    page.click("nav >> text=Scenarios")
    page.fill("#id_name", "Budget -30 %")
    page.select_option("#id_budget_change", "-30")
    page.click("text=Create the scenario")
    page.wait_for_url(re.compile(r"/scenarios/\d+/$"))
    scenario = m.Scenario.objects.get(name="Budget -30 %")
    npv = page.locator("#scenario-npv").inner_text()
    assert npv.endswith("EUR") or npv

    # Plan the quarters of the cut portfolio.
    page.fill("#id_start", "2027Q1")
    page.click("text=Plan the quarters")
    page.wait_for_selector("#roadmap-result", timeout=60_000)
    page.wait_for_selector("[data-figure=roadmap-by-idea] .main-svg")
    assert page.locator("#roadmap-ideas tbody tr").count() >= 1

    # Compare with the live plan: the budget and the totals differ, highlighted.
    page.select_option("#compare-with", "live")
    page.click("#compare-form button")
    page.wait_for_url(re.compile(r"/scenarios/compare/"))
    headers = [h.lower() for h in page.locator("#comparison thead th").all_text_contents()]
    assert headers[1:] == ["budget -30 %", "live plan"]
    assert page.locator("#comparison td.changed").count() >= 2
    page.locator("#comparison").screenshot(path=str(SCREENSHOTS / "valuechain-scenarios.png"))

    # Download the workbook: one sheet per view.
    page.go_back()
    with page.expect_download() as download:
        page.click("#workbook-link")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert {"portfolio", "roadmap", "cash", "people", "break_even", "tornado"} <= set(
        book.sheetnames
    )
    cut = m.Scenario.objects.get(pk=scenario.pk)
    assert cut.budget is not None and cut.budget > 0
