"""Portfolio runs by stop tier: each idea funded up to its best tier, shipped and rejected
ideas left out, the page saying where each selected idea stops."""

from __future__ import annotations

import pytest

from tests.factories import IdeaFactory, NeedFactory
from tests.valuechain.analysis.test_pages import figure
from valuechain import mappers
from valuechain import models as m
from valuechain.analysis import views as analysis_views
from valuechain.analysis.forms import PortfolioRunForm
from valuechain.demo import DEMO_BUDGET, load_demo
from valuechain.engine import portfolio
from valuechain.ideas import selectors as idea_selectors

pytestmark = pytest.mark.django_db

URL = "/api/portfolio/runs/"


def run_result(client, body, capture) -> dict:
    with capture(execute=True):
        response = client.post(URL, body, format="json")
    assert response.status_code == 202, response.json()
    run = client.get(f"{URL}{response.json()['id']}/").json()
    assert run["status"] == "succeeded", run
    return run


@pytest.fixture
def demo(db: None, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the demo's own run computed
        load_demo()


def test_on_the_demo_stop_tiers_beat_whole_ideas_under_the_demo_budget(
    demo, client_as, django_capture_on_commit_callbacks
):
    client = client_as("exec")
    stopped = run_result(client, {"budget": DEMO_BUDGET}, django_capture_on_commit_callbacks)
    whole = run_result(
        client, {"budget": DEMO_BUDGET, "stop_tiers": False}, django_capture_on_commit_callbacks
    )
    assert stopped["stop_tiers"] is True and whole["stop_tiers"] is False
    a, b = stopped["result"], whole["result"]
    assert a["total_npv"] > b["total_npv"] + 1_000
    assert a["one_off_investment"] <= DEMO_BUDGET + 1e-6
    # every selected idea has its stop tier, and some stop below their own tier
    assert sorted(s["idea"] for s in a["stops"]) == sorted(a["selected"])
    tiers = {v["idea_id"]: v["idea_tier"] for v in a["cost_views"]}
    assert all(s["tier"] <= tiers[s["idea"]] for s in a["stops"])
    assert any(s["tier"] < tiers[s["idea"]] for s in a["stops"])
    # whole ideas only: every selected idea at its own tier
    assert all(s["tier"] == tiers[s["idea"]] for s in b["stops"])


def test_whole_ideas_only_is_the_old_selection(demo, client_as, django_capture_on_commit_callbacks):
    run = run_result(
        client_as("pm"),
        {"budget": DEMO_BUDGET, "stop_tiers": False},
        django_capture_on_commit_callbacks,
    )
    rows = list(
        idea_selectors.ideas()
        .exclude(status__in=[m.Idea.Status.SHIPPED, m.Idea.Status.REJECTED])
        .order_by("id")
    )
    rates = mappers.day_rates()
    catalogue = mappers.load_catalogue(rates)
    problem = portfolio.portfolio_problem(mappers.ideas_to_engine(rows, rates), catalogue, 0.10, 3)
    old = portfolio.select(problem, DEMO_BUDGET, stop_tiers=False)
    assert sorted(run["result"]["selected"]) == sorted(old.selected)
    assert run["result"]["total_npv"] == pytest.approx(old.total_npv)


def test_funded_shares_add_up_to_the_selections_investment(
    demo, client_as, django_capture_on_commit_callbacks
):
    result = run_result(
        client_as("exec"), {"budget": DEMO_BUDGET}, django_capture_on_commit_callbacks
    )["result"]
    selected = set(result["selected"])
    funded = [v for v in result["cost_views"] if v["idea_id"] in selected]
    assert sum(v["funded_share_one_off"] for v in funded) == pytest.approx(
        result["one_off_investment"]
    )
    assert sum(v["funded_share_annual_run"] for v in funded) == pytest.approx(
        result["annual_run_cost"]
    )
    # each selected idea's view is the option it is funded to
    stops = {s["idea"]: s["tier"] for s in result["stops"]}
    assert all(v["tier"] == stops[v["idea_id"]] for v in funded)


def test_shipped_and_rejected_ideas_are_not_candidates(
    client_as, shared_pair, django_capture_on_commit_callbacks
):
    feature = shared_pair.churn.needs.first().feature
    shipped = IdeaFactory(title="Shipped", status=m.Idea.Status.SHIPPED)
    NeedFactory(idea=shipped, feature=feature)
    rejected = IdeaFactory(title="Rejected", status=m.Idea.Status.REJECTED)
    NeedFactory(idea=rejected, feature=feature)
    client = client_as("exec")
    result = run_result(client, {}, django_capture_on_commit_callbacks)["result"]
    assert result["candidates"] == 2
    assert shipped.pk not in {v["idea_id"] for v in result["cost_views"]}
    for field in ("must_include", "must_exclude"):
        response = client.post(URL, {field: [shipped.pk]}, format="json")
        assert response.status_code == 400
        assert "shipped" in response.json()[field][0]
    choices = {idea.pk for idea in PortfolioRunForm().fields["must_include"].queryset}
    assert choices == {shared_pair.churn.pk, shared_pair.upsell.pk}


def test_stop_tiers_must_be_a_boolean(client_as, shared_pair):
    response = client_as("exec").post(URL, {"stop_tiers": "perhaps"}, format="json")
    assert response.status_code == 400
    assert "stop_tiers" in response.json()
    assert not m.PortfolioRun.objects.exists()


def test_the_page_says_where_each_selected_idea_stops(
    demo, page_client, exec_user, django_capture_on_commit_callbacks
):
    client = page_client(exec_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/portfolio/",
            {"budget": DEMO_BUDGET, "discount_rate": 0.1, "horizon_years": 3, "stop_tiers": "on"},
        )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Ideas may stop at a tier" in html
    assert "Fund to tier 2: skip the acquisition" in html
    assert "Fund the whole idea (tier 1)" in html
    assert "shipped and rejected ones are not candidates" in html
    # funded share first, with the selection's total; fair share as the second view
    table = html.split('id="cost-views"')[1]
    assert table.index("Funded share") < table.index("Fair share among all candidates")
    result = m.PortfolioRun.objects.order_by("-id")[0].result
    assert result is not None
    assert f'data-metric="funded-share-total">{result["one_off_investment"]:,.0f}<' in html


def test_the_frontier_is_drawn_at_what_each_selection_spends(demo, page_client, exec_user):
    run = m.PortfolioRun.objects.get()
    assert run.result is not None
    points = run.result["frontier"]
    html = page_client(exec_user).get(f"/portfolio/?run={run.pk}").content.decode()
    line, star = figure(html, f"frontier-data-{run.pk}")["data"][:2]
    spends = {p["one_off_investment"] for p in points} | {run.result["one_off_investment"]}
    assert set(line["x"]) <= spends
    assert max(line["x"]) <= max(p["budget"] for p in points) + 1e-6
    # "This selection" lies on the line, at what it spends.
    on_line = dict(zip(line["x"], line["y"], strict=True))
    assert on_line[star["x"][0]] == pytest.approx(star["y"][0])


def test_an_old_run_without_stops_still_renders(page_client, exec_user, shared_pair):
    churn = shared_pair.churn.pk
    view = {
        "idea_id": churn,
        "title": "Churn",
        "selected": True,
        "standalone_npv": 1.0,
        "standalone_one_off": 2.0,
        "standalone_annual_run": 0.0,
        "marginal_one_off": 2.0,
        "marginal_annual_run": 0.0,
        "fair_share_one_off": 2.0,
        "fair_share_annual_run": 0.0,
    }
    run = m.PortfolioRun.objects.create(
        status=m.RunStatus.SUCCEEDED,
        params={"budget": None, "discount_rate": 0.1, "horizon_years": 3},
        result={
            "selected": [churn],
            "total_npv": 1.0,
            "one_off_investment": 2.0,
            "annual_run_cost": 0.0,
            "gap": 0.0,
            "optimal": True,
            "budget": None,
            "discount_rate": 0.1,
            "horizon_years": 3,
            "candidates": 2,
            "frontier": [{"budget": 0.0, "npv": 0.0, "selected": []}],
            "cost_views": [view],
            "scores": [],
            "shared_assets": [],
            "distribution": None,
        },
    )
    response = page_client(exec_user).get(f"/portfolio/?run={run.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fund the whole idea" in html
    assert "a run from before ideas could stop at a tier" in html


@pytest.mark.parametrize(
    ("detail", "words"),
    [
        (None, "Fund the whole idea"),
        ({"tier": 3, "idea_tier": 3}, "Fund the whole idea (tier 3)"),
        (
            {"tier": 2, "idea_tier": 4, "skipped_needs": [{"name": "Prices", "tier": 4}]},
            "Fund to tier 2: skip the acquisition",
        ),
        (
            {
                "tier": 1,
                "idea_tier": 4,
                "skipped_needs": [{"name": "a", "tier": 4}, {"name": "b", "tier": 3}],
            },
            "Fund to tier 1: skip the raw data and the acquisition",
        ),
    ],
)
def test_stop_tiers_read_in_plain_words(detail, words):
    assert analysis_views.stop_words(detail) == words
