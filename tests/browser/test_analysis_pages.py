"""An executive selects a portfolio and a product manager simulates an idea, in a browser."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from valuechain import models as m

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(os.environ.get("VALUECHAIN_SCREENSHOTS", "/tmp"))


def test_executive_selects_a_portfolio_and_sees_the_frontier(
    page, live_server, exec_user, shared_pair, log_in
):
    log_in(page, live_server, exec_user.username)
    page.click("nav >> text=Portfolio")
    page.fill("#id_budget", "")
    page.click("text=Select the portfolio")
    # The click returns before the server has answered: wait for the redirect first.
    page.wait_for_url(re.compile(r"/portfolio/\?run=\d+$"))
    run = m.PortfolioRun.objects.get()
    assert page.url == f"{live_server.url}/portfolio/?run={run.pk}"
    assert page.locator("[data-metric=total-npv]").inner_text() == "40,000"
    # plotly.js drew both figures from the server-built JSON.
    page.wait_for_selector(f"#frontier-chart-{run.pk} .main-svg")
    page.wait_for_selector(f"#matrix-chart-{run.pk} .main-svg")
    assert page.locator(".selection-table tbody tr").count() == 2
    page.screenshot(path=str(SCREENSHOTS / "valuechain-portfolio.png"), full_page=True)


def test_product_manager_runs_a_simulation_from_the_idea_page(
    page, live_server, pm_user, shared_pair, log_in
):
    idea = shared_pair.upsell
    idea.benefit_low, idea.benefit_high = 20_000, 200_000
    idea.probability_of_success = 0.7
    idea.save()
    log_in(page, live_server, pm_user.username)
    page.goto(f"{live_server.url}/ideas/{idea.pk}/")
    # The uncertainty section arrives by htmx and draws the tornado.
    page.wait_for_selector("#tornado-chart .main-svg")
    page.fill("#id_draws", "2000")
    page.fill("#id_seed", "7")
    page.click("text=Run simulation")
    # htmx posts in the background: the histogram appears once the run has finished.
    page.wait_for_selector("[id^=histogram-chart-] .main-svg")
    run = m.SimulationRun.objects.get(idea=idea)
    page.wait_for_selector(f"#histogram-chart-{run.pk} .main-svg")
    loss = page.locator("[data-metric=mc-loss]").inner_text()
    assert loss.endswith("%") and 0 < float(loss.rstrip(" %")) < 100
    page.locator("#uncertainty").screenshot(path=str(SCREENSHOTS / "valuechain-uncertainty.png"))
