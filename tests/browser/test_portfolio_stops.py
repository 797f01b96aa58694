"""An executive runs a portfolio on the demo company and sees where each idea stops."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from valuechain import models as m
from valuechain.demo import DEMO_BUDGET, load_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(os.environ.get("VALUECHAIN_SCREENSHOTS", "/tmp"))


def test_executive_runs_a_portfolio_and_sees_each_ideas_stop_tier(
    page, live_server, exec_user, log_in
):
    load_demo()
    log_in(page, live_server, exec_user.username)
    page.click("nav >> text=Portfolio")
    page.fill("#id_budget", f"{DEMO_BUDGET:.0f}")
    checkbox = page.get_by_label("Ideas may stop at a tier")
    assert checkbox.is_checked()
    page.click("text=Select the portfolio")
    page.wait_for_url(re.compile(r"/portfolio/\?run=\d+$"))
    run = m.PortfolioRun.objects.order_by("-id").first()
    assert run is not None and run.result is not None
    assert page.url == f"{live_server.url}/portfolio/?run={run.pk}"

    rows = page.locator("#selected-ideas tbody tr")
    assert rows.count() == len(run.result["selected"])
    words = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())]
    # every selected idea says how far it is funded, and some stop before their own tier
    assert all(w.startswith(("Fund to tier", "Fund the whole idea (tier")) for w in words)
    assert any(w.startswith("Fund to tier 2: skip the acquisition") for w in words)
    assert any(w.startswith("Fund the whole idea (tier 1)") for w in words)
    # the funded shares add up to the selection's investment
    total = page.locator("[data-metric=funded-share-total]").inner_text()
    assert total == page.locator("[data-metric=one-off]").inner_text()
    page.wait_for_selector(f"#frontier-chart-{run.pk} .main-svg")
    page.locator("#portfolio-run").screenshot(
        path=str(SCREENSHOTS / "valuechain-portfolio-stops.png")
    )
