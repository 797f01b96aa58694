"""The idea page: ROI figures, needs with tiers and charged assets, the ladder and its chart."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import IdeaFactory, NeedFactory, RawSourceFactory
from valuechain.ideas import selectors


def chart_of(html: str) -> dict:
    match = re.search(
        r'<script id="ladder-chart-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "the ladder figure is embedded"
    return json.loads(match.group(1))


@pytest.fixture
def page(client_for, exec_user, value_chain):
    response = client_for(exec_user).get(reverse("idea-detail", args=[value_chain.idea.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def report(value_chain):
    return selectors.roi_report(selectors.ideas().get(pk=value_chain.idea.pk))


@pytest.mark.django_db
def test_the_page_shows_the_roi_figures_of_the_engine(page, report):
    def metric(name: str) -> str:
        match = re.search(rf'data-metric="{name}">(.*?)</div>', page, re.S)
        assert match, name
        return re.sub(r"<[^>]+>", "", match.group(1)).strip()

    assert metric("c0") == f"{report.one_off_investment:,.0f}"
    assert metric("r") == f"{report.annual_run_cost:,.0f}"
    assert metric("p") == f"{report.probability_of_success:.3f}"
    assert metric("npv") == f"{report.npv:,.0f}"
    assert metric("roi") == f"{report.roi * 100:.1f} %"
    assert metric("negative-from") == str(report.negative_from_tier)
    assert metric("best-stop") == str(report.best_stop_tier)
    expected_payback = (
        "none within 3 y" if report.payback_years is None else f"{report.payback_years:.1f} y"
    )
    assert metric("payback") == expected_payback
    assert 'data-metric="deployment-setup"' in page and 'data-metric="deployment-run"' in page


@pytest.mark.django_db
def test_each_need_shows_its_tier_and_the_assets_it_charges(page, value_chain):
    needs = page[page.index('id="needs"') :]
    weather = needs[needs.index("<td>weather</td>") :]
    weather = weather[: weather.index("</tr>")]
    assert "Tier 4" in weather
    assert "Weather observations" in weather and "Weather vendor feed" in weather
    sales = needs[needs.index("<td>sales history</td>") :]
    sales = sales[: sales.index("</tr>")]
    assert "Tier 1" in sales and "nothing to build" in sales


@pytest.mark.django_db
def test_the_ladder_table_has_a_row_per_tier_and_marks_best_and_negative(page, report):
    table = page[page.index('class="ladder-table"') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr class=") == len(report.ladder) == report.tier
    for step in report.ladder:
        assert f"{step.cumulative_investment:,.0f}" in table
    assert table.count("best stop") == 1
    assert "turns negative" in table


@pytest.mark.django_db
def test_the_chart_has_bars_line_negative_zone_and_best_tier_marker(page, report):
    figure = chart_of(page)
    bars = [trace for trace in figure["data"] if trace["type"] == "bar"]
    lines = [trace for trace in figure["data"] if trace["type"] == "scatter"]
    assert len(bars) == 1 and len(lines) == 1
    assert bars[0]["y"] == pytest.approx([s.cumulative_investment for s in report.ladder])
    assert lines[0]["yaxis"] == "y2"
    assert lines[0]["y"] == [s.roi for s in report.ladder]
    zone = [s for s in figure["layout"]["shapes"] if s["yref"] == "y2"]
    assert len(zone) == 1 and zone[0]["y1"] == 0 and zone[0]["y0"] < 0
    # on the ROI axis only, never over the investment bars
    assert zone[0]["xref"] == "paper" and zone[0]["x0"] >= 1
    marker = [a for a in figure["layout"]["annotations"] if "Best stop" in a["text"]]
    assert len(marker) == 1
    assert marker[0]["x"] == f"Tier {report.best_stop_tier}"


@pytest.mark.django_db
def test_plotly_comes_from_static_never_a_cdn(page):
    assert "/static/vendor/plotly-custom/plotly-custom.min.js" in page
    assert "cdn" not in page.lower()


@pytest.mark.django_db
def test_the_plotly_bundle_is_served(client_for, exec_user):
    response = client_for(exec_user).get("/static/vendor/plotly-custom/plotly-custom.min.js")
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_page_leaves_clear_sections_for_other_panels(page):
    for section in ("idea-summary", "roi", "ladder", "needs"):
        assert re.search(rf'<section[^>]* id="{section}"', page), section


@pytest.mark.django_db
def test_an_idea_without_needs_still_renders(client_for, pm_user):
    idea = IdeaFactory(owner=pm_user)
    response = client_for(pm_user).get(reverse("idea-detail", args=[idea.pk]))
    assert response.status_code == 200
    assert "No needs yet" in response.content.decode()


@pytest.mark.django_db
def test_the_page_runs_the_same_number_of_queries_for_2_and_30_needs(client_for, pm_user):
    client = client_for(pm_user)
    idea = IdeaFactory(owner=pm_user)
    for _ in range(2):
        need = NeedFactory(idea=idea)
    # The activity feed reads a short history whole, with fewer queries than a full page:
    # give the needs' history a full page on both sides of the comparison.
    for step in range(21):
        need.description = f"Draft {step}"
        need.save()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("idea-detail", args=[idea.pk]))
    for _ in range(28):
        NeedFactory(idea=idea)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("idea-detail", args=[idea.pk]))
    assert response.content.decode().count("<td>signal") == 30
    assert len(many) == len(few)


@pytest.mark.django_db
def test_need_engineering_in_person_days_is_shown_in_money(client_for, pm_user):
    from tests.factories import RoleFactory

    role = RoleFactory(name="Pricey engineer", day_rate=1_000)
    idea = IdeaFactory(owner=pm_user)
    NeedFactory(
        idea=idea,
        name="in days",
        engineering_low=1,
        engineering_likely=4,
        engineering_high=13,
        engineering_days_role=role,
    )
    html = client_for(pm_user).get(reverse("idea-detail", args=[idea.pk])).content.decode()
    row = html[html.index("<td>in days</td>") :]
    row = row[: row.index("</tr>")]
    assert f"{(1 + 4 * 4 + 13) / 6 * 1_000:,.0f}" in row
    assert "4 days likely" in row


@pytest.mark.django_db
def test_the_page_says_why_steps_below_an_essential_upstream_need_earn_nothing(client_for, pm_user):
    idea = IdeaFactory(owner=pm_user)
    NeedFactory(idea=idea)  # an available feature: tier 1
    NeedFactory(idea=idea, raw_source=RawSourceFactory(), essential=True)  # tier 3
    html = client_for(pm_user).get(reverse("idea-detail", args=[idea.pk])).content.decode()
    assert 'id="no-benefit-note"' in html
    assert "No benefit before tier 3" in html

    covered = IdeaFactory(owner=pm_user)
    NeedFactory(idea=covered)
    NeedFactory(idea=covered, raw_source=RawSourceFactory(), essential=False)
    html = client_for(pm_user).get(reverse("idea-detail", args=[covered.pk])).content.decode()
    assert 'id="no-benefit-note"' not in html
