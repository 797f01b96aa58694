"""An executive reads the dashboard of the demo company in a browser."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from valuechain import models as m
from valuechain.demo import DEMO_PASSWORD, load_demo
from valuechain.ideas import selectors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(os.environ.get("VALUECHAIN_SCREENSHOTS", "/tmp"))


def test_executive_reads_the_dashboard_filters_it_and_exports(page, live_server):
    load_demo()  # commits: the demo's portfolio run and simulation finish inline
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "exec")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/ideas/")
    page.click("nav >> text=Dashboard")
    page.wait_for_url(f"{live_server.url}/dashboard/")

    # plotly.js drew the three figures from the server-built JSON
    for chart in ("tier-chart", "negative-chart", "scatter-chart"):
        page.wait_for_selector(f"#{chart} .main-svg")
    rows = list(selectors.ideas())
    reports = selectors.roi_reports(rows)
    # ideas still to build (not shipped, not rejected), each up to its best tier
    positive = sum(
        next(s.npv for s in reports[idea.pk].ladder if s.tier == reports[idea.pk].best_stop_tier)
        for idea in rows
        if reports[idea.pk].best_stop_tier is not None
        and idea.status not in (m.Idea.Status.SHIPPED, m.Idea.Status.REJECTED)
    )
    assert page.locator("[data-kpi=ideas]").inner_text() == str(len(reports))
    assert page.locator("[data-kpi=positive-npv]").inner_text() == f"{positive:,.0f}"
    # one marker per idea in the scatter, whatever the tier
    assert page.locator("#scatter-chart .scatterlayer .point").count() == len(reports)
    # the demo's finished portfolio run and its contract risks are on the page
    assert "Run #" in page.locator("#portfolio-summary").inner_text()
    risks = page.locator("#risk-table").inner_text()
    assert "draft contract only" in risks and "deprecated contract" in risks
    page.screenshot(path=str(SCREENSHOTS / "valuechain-dashboard.png"), full_page=True)

    page.click(".status-tile[data-status=approved]")
    page.wait_for_url(re.compile(r"/dashboard/\?status=approved$"))
    approved = m.Idea.objects.filter(status=m.Idea.Status.APPROVED).count()
    assert page.locator("[data-kpi=ideas]").inner_text() == str(approved)
    page.wait_for_selector("#scatter-chart .main-svg")
    assert page.locator("#scatter-chart .scatterlayer .point").count() == approved

    with page.expect_download() as download_info:
        page.click("#export-csv")
    download = download_info.value
    assert download.suggested_filename.startswith("ideas-roi-")
    frame = pd.read_csv(io.StringIO(Path(download.path()).read_text()))
    assert len(frame) == approved
    assert set(frame["status"]) == {"approved"}
