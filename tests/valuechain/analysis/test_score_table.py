"""The portfolio page's score table and value-versus-investment quadrants: the product manager's
judgement over the chain's effort, "not scored" where nothing was entered, and quadrant lines at
NPV = 0 and the median one-off investment."""

from __future__ import annotations

import re

import pytest

from tests.valuechain.analysis.test_pages import figure
from valuechain import mappers
from valuechain import models as m

pytestmark = pytest.mark.django_db


def run_portfolio(client, django_capture_on_commit_callbacks) -> tuple[m.PortfolioRun, str]:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/portfolio/", {"budget": "", "discount_rate": "0.1", "horizon_years": "3"}
        )
    assert response.status_code == 302
    run = m.PortfolioRun.objects.latest("id")
    assert run.result is not None
    return run, client.get(f"/portfolio/?run={run.pk}").content.decode()


def score_row(html: str, title: str) -> str:
    table = html[html.index('class="score-table"') :]
    match = re.search(rf"<tr>\s*<td>{title}</td>(.*?)</tr>", table, re.S)
    assert match, title
    return match.group(1)


def test_scores_use_the_pms_inputs_and_the_chains_effort(
    page_client, exec_user, shared_pair, django_capture_on_commit_callbacks
):
    churn = shared_pair.churn
    churn.reach, churn.impact, churn.confidence = 2_000, 2.0, 0.5
    churn.business_value, churn.time_criticality, churn.risk_reduction = 8, 3, 2
    churn.save()
    run, html = run_portfolio(page_client(exec_user), django_capture_on_commit_callbacks)

    rates = mappers.tier_day_rates()
    # churn pays its feature (10,000, tier 1) and the dataset (100,000, tier 2)
    days = 10_000 / rates[1] + 100_000 / rates[2]
    months = days / 20
    assert run.result is not None
    (stored,) = [s for s in run.result["scores"] if s["idea_id"] == churn.pk]
    assert stored["person_days"] == pytest.approx(days)
    assert stored["rice"] == pytest.approx(2_000 * 2.0 * 0.5 / months)
    assert stored["wsjf"] == pytest.approx(13 / months)
    assert stored["ice"] == pytest.approx(2.0 * 0.5 * stored["ease"])

    row = score_row(html, "Churn")
    assert f"{stored['rice']:,.0f}" in row and f"{stored['wsjf']:.2f}" in row
    # Upsell was never scored: it says so instead of showing a number
    assert score_row(html, "Upsell").count("not scored") == 4
    # scored ideas come first
    assert html.index("<td>Churn</td>") < html.index("<td>Upsell</td>")


def test_the_quadrant_lines_are_npv_zero_and_the_median_investment(
    page_client, exec_user, shared_pair, django_capture_on_commit_callbacks
):
    run, html = run_portfolio(page_client(exec_user), django_capture_on_commit_callbacks)
    # both ideas lose money alone: never a quick win or a big bet
    assert run.result is not None
    assert {s["quadrant"] for s in run.result["scores"]} <= {"fill-in", "money pit"}
    shapes = figure(html, f"matrix-data-{run.pk}")["layout"]["shapes"]
    horizontal = [s for s in shapes if s["y0"] == s["y1"]]
    vertical = [s for s in shapes if s["x0"] == s["x1"]]
    assert [s["y0"] for s in horizontal] == [0]
    # the median of 110,000 (churn) and 120,000 (upsell) of one-off investment
    assert [s["x0"] for s in vertical] == [pytest.approx(115_000)]
    assert "right of the median investment (115,000" in html


def test_a_run_stored_before_score_inputs_shows_not_scored_and_todays_quadrants(
    page_client, exec_user, shared_pair, django_capture_on_commit_callbacks
):
    run, _ = run_portfolio(page_client(exec_user), django_capture_on_commit_callbacks)
    assert run.result is not None
    old = dict(run.result)
    old["scores"] = [
        {
            "idea_id": s["idea_id"],
            "title": s["title"],
            "npv": s["npv"],
            "one_off_investment": s["one_off_investment"],
            "rice": 0.4,
            "ice": 120.0,
            "wsjf": 3.3,
            "quadrant": "big bet",  # the old median-NPV line
        }
        for s in run.result["scores"]
    ]
    stored = m.PortfolioRun.objects.create(
        params=run.params, status=m.RunStatus.SUCCEEDED, result=old
    )
    html = page_client(exec_user).get(f"/portfolio/?run={stored.pk}").content.decode()
    assert score_row(html, "Churn").count("not scored") == 4
    table = html[html.index('class="score-table"') :]
    assert "big bet" not in table and "3.30" not in table
