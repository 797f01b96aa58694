"""The dashboard page and the ROI export, over the database."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import DataContract
from contracts.registry import selectors as contract_selectors
from tests.contracts.factories import (
    DataContractFactory,
    SlaBreachFactory,
    ValidationRunFactory,
)
from tests.factories import (
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
    StakeholderAssignmentFactory,
)
from tests.valuechain.charts.plotly_check import assert_plotly_accepts, page_figure
from valuechain import models as m
from valuechain.analysis import services as analysis_services
from valuechain.figures import store
from valuechain.ideas import selectors

pytestmark = pytest.mark.django_db


def money(prefix: str, value: float) -> dict[str, float]:
    return {f"{prefix}_low": value, f"{prefix}_likely": value, f"{prefix}_high": value}


@pytest.fixture
def backlog(pm_user):
    """Three ideas: a cheap winner on a feature in the store, a loser that needs a new
    curated dataset, and a rejected one."""
    raw = RawSourceFactory(name="Orders DB", available=True, **money("build", 5_000))
    built = CuratedDatasetFactory(
        name="Returns",
        available=False,
        raw_sources=[raw],
        feasibility=1.0,
        **money("build", 400_000),
    )
    stored = FeatureFactory(name="Basket value", available=True)
    winner = IdeaFactory(title="Winner", owner=pm_user, status=m.Idea.Status.APPROVED)
    NeedFactory(idea=winner, feature=stored, **money("engineering", 10_000))
    loser = IdeaFactory(title="Loser", owner=pm_user, status=m.Idea.Status.PROPOSED)
    NeedFactory(idea=loser, curated_dataset=built)
    rejected = IdeaFactory(title="Rejected one", owner=pm_user, status=m.Idea.Status.REJECTED)
    NeedFactory(idea=rejected, feature=stored, **money("engineering", 1_000))
    return {"winner": winner, "loser": loser, "rejected": rejected, "built": built, "raw": raw}


def risk_row(client: Client, idea: m.Idea) -> str:
    """The idea's row of the dashboard's risk table, as a fresh view shows it ("" if none)."""
    html = client.get("/dashboard/").content.decode()
    table = html.split('id="risk-table"')[1].split("</table>")[0]
    row = re.search(rf'<tr data-idea="{idea.pk}">(.*?)</tr>', table, re.S)
    return row.group(1) if row else ""


def kpi(html: str, name: str) -> str:
    match = re.search(rf'data-kpi="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


def test_anonymous_visitors_are_sent_to_log_in(client: Client):
    for url in ("/dashboard/", "/ideas/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_every_logged_in_user_sees_the_dashboard_in_the_navigation(
    client_for,
    exec_user,
    pm_user,
    lead_user,
    backlog,
):
    for user in (exec_user, pm_user, lead_user):
        response = client_for(user).get(reverse("dashboard"))
        assert response.status_code == 200
        assert b'href="/dashboard/" aria-current="page">Dashboard</a>' in response.content


def test_kpis_match_the_roi_reports(client_for, exec_user, backlog):
    reports = selectors.roi_reports(list(selectors.ideas()))
    html = client_for(exec_user).get("/dashboard/").content.decode()
    # worth building: each idea up to its best tier, the rejected one not counted
    positive = sum(
        next(s.npv for s in r.ladder if s.tier == r.best_stop_tier)
        for idea_id, r in reports.items()
        if r.best_stop_tier is not None and idea_id != backlog["rejected"].pk
    )
    assert reports[backlog["rejected"].pk].npv > 0
    one_off = sum(r.one_off_investment for r in reports.values())
    assert kpi(html, "ideas") == "3"
    assert kpi(html, "positive-npv") == f"{positive:,.0f}"
    assert kpi(html, "one-off") == f"{one_off:,.0f}"
    assert reports[backlog["loser"].pk].npv < 0
    assert kpi(html, "negative") == "1"
    # the top table lists the winner, the downside table the loser
    top = html.split('id="top-ideas"')[1].split("</section>")[0]
    downside = html.split('id="downside-ideas"')[1].split("</section>")[0]
    assert "Winner" in top and "Loser" not in top
    assert "Loser" in downside and "Winner" not in downside
    # the three figures arrive as JSON for plotly.js
    for chart in ("tier-chart-data", "negative-chart-data", "scatter-chart-data"):
        assert f'id="{chart}"' in html
        assert_plotly_accepts(page_figure(html, chart))


def test_filtering_by_status_narrows_every_figure(client_for, exec_user, backlog):
    client = client_for(exec_user)
    html = client.get("/dashboard/?status=approved").content.decode()
    assert kpi(html, "ideas") == "1"
    assert kpi(html, "negative") == "0"
    assert 'data-status="approved" href="?status=approved" aria-current="true"' in html
    both = client.get("/dashboard/?status=approved&status=proposed").content.decode()
    assert kpi(both, "ideas") == "2"
    # the export link keeps the filter
    assert 'href="/ideas/export.csv?status=approved&amp;status=proposed"' in both


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "status=",
        "status=%00",
        "status=approved'--",
        "status[]=x",
        "status=" + "a" * 5000,
    ],
)
def test_invalid_status_values_are_ignored(client_for, exec_user, backlog, query):
    response = client_for(exec_user).get(f"/dashboard/?{query}")
    assert response.status_code == 200
    assert kpi(response.content.decode(), "ideas") == "3"
    export = client_for(exec_user).get(f"/ideas/export.csv?{query}")
    assert export.status_code == 200
    assert len(pd.read_csv(io.BytesIO(export.content))) == 3


def test_an_empty_company_gets_a_calm_page(client_for, exec_user):
    response = client_for(exec_user).get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert kpi(html, "ideas") == "0"
    assert kpi(html, "upstream-share") == "—"
    assert "No ideas yet." in html
    assert "No portfolio has been selected yet." in html


def test_stakeholder_gaps_and_contract_health_are_signalled(
    client_for,
    exec_user,
    backlog,
):
    winner, loser = backlog["winner"], backlog["loser"]
    profile = m.TierProfile.objects.prefetch_related("default_roles").get(tier=1)
    for role in profile.default_roles.all():
        StakeholderAssignmentFactory(idea=winner, tier=1, role=role)
    DataContractFactory(
        asset_type="curated_dataset",
        asset_id=backlog["built"].pk,
        status=DataContract.Status.DEPRECATED,
    )
    DataContractFactory(
        asset_type="raw_source", asset_id=backlog["raw"].pk, status=DataContract.Status.ACTIVE
    )
    html = client_for(exec_user).get("/dashboard/").content.decode()
    risk_table = html.split('id="risk-table"')[1].split("</table>")[0]
    loser_row = re.search(rf'<tr data-idea="{loser.pk}">(.*?)</tr>', risk_table, re.S)
    assert loser_row is not None
    assert "tier 2: Analytics engineer" in loser_row.group(1)
    assert 'data-health="deprecated"' in loser_row.group(1)
    assert "Returns relies on a deprecated contract" in loser_row.group(1)
    # the same verdict as the idea page's contract panel
    health = contract_selectors.idea_contract_health(loser)
    assert health.level == "deprecated"
    # the winner has its tier-1 roles and only an uncontracted feature: a contract risk only
    winner_row = re.search(rf'<tr data-idea="{winner.pk}">(.*?)</tr>', risk_table, re.S)
    assert winner_row is not None and 'data-health="ungoverned"' in winner_row.group(1)
    assert "No contract governs the data behind Basket value." in winner_row.group(1)
    assert re.search(r'data-risk="deprecated">1<', html)
    assert re.search(r'data-risk="ungoverned">2<', html)  # the rejected idea too
    assert re.search(r'data-risk="healthy">0<', html)


def test_the_latest_finished_portfolio_run_is_summarised(
    client_for,
    exec_user,
    backlog,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_services.start_portfolio_run(budget=400_000, seed=1)
    run.refresh_from_db()
    assert run.status == m.RunStatus.SUCCEEDED
    m.PortfolioRun.objects.create(params={}, status=m.RunStatus.PENDING)  # not finished
    html = client_for(exec_user).get("/dashboard/").content.decode()
    section = html.split('id="portfolio-summary"')[1].split("</section>")[0]
    assert f"Run #{run.pk}" in section
    assert f'href="/portfolio/?run={run.pk}"' in section
    assert "Winner" in section and "Loser" not in section
    assert re.search(r'data-portfolio="selected">1<', section)


def count_queries(client: Client, url: str) -> int:
    # every count with cold caches: the catalogue is read as on the first request
    cache.clear()
    store.forget_process_caches()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def make_ideas(count: int, owner) -> None:
    raw = RawSourceFactory(**money("build", 2_000))
    curated = CuratedDatasetFactory(available=False, raw_sources=[raw], **money("build", 500))
    roles = list(m.Role.objects.all()[:2])
    for index in range(count):
        idea = IdeaFactory(owner=owner, title=f"bulk {index:03d}", **money("benefit", index * 90))
        NeedFactory(idea=idea)
        NeedFactory(idea=idea, feature=FeatureFactory(available=False, curated_datasets=[curated]))
        StakeholderAssignmentFactory(idea=idea, tier=1, role=roles[index % 2])
        if index % 3 == 0:  # some contracted, with runs and a breach in the window
            contract = DataContractFactory(
                asset_type="feature", asset_id=idea.needs.first().feature_id
            )
            run = ValidationRunFactory(contract=contract, dead_letter_count=index)
            SlaBreachFactory(contract=contract, version=run.version)


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/?status=proposed", "/ideas/export.csv"])
def test_query_count_does_not_grow_with_the_ideas(
    client_for,
    exec_user,
    pm_user,
    django_capture_on_commit_callbacks,
    url,
):
    client = client_for(exec_user)
    make_ideas(6, pm_user)
    with django_capture_on_commit_callbacks(execute=True):
        analysis_services.start_portfolio_run(budget=10_000, seed=3)
    few = count_queries(client, url)
    make_ideas(60, pm_user)  # more than the batch engine's threshold, too
    assert count_queries(client, url) == few


def test_export_holds_every_report_with_its_ladder(client_for, pm_user, backlog):
    response = client_for(pm_user).get("/ideas/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="ideas-roi-')
    frame = pd.read_csv(io.BytesIO(response.content)).set_index("idea_id")
    reports = selectors.roi_reports(list(selectors.ideas()))
    assert set(frame.index) == set(reports)
    for idea_id, report in reports.items():
        row = frame.loc[idea_id]
        assert row["npv"] == pytest.approx(report.npv, abs=1e-5)
        assert row["one_off_investment"] == pytest.approx(report.one_off_investment, abs=1e-5)
        assert row["tier"] == report.tier
        for step in report.ladder:
            assert row[f"tier_{step.tier}_npv"] == pytest.approx(step.npv, abs=1e-5)
            assert row[f"tier_{step.tier}_benefit_coverage"] == pytest.approx(
                step.benefit_coverage, abs=1e-6
            )
        for tier in range(report.tier + 1, 5):
            assert pd.isna(row[f"tier_{tier}_npv"])
    assert frame.loc[backlog["loser"].pk, "title"] == "Loser"
    assert frame.loc[backlog["winner"].pk, "status"] == "approved"


def test_export_follows_the_status_filter(client_for, pm_user, backlog):
    response = client_for(pm_user).get("/ideas/export.csv?status=rejected")
    frame = pd.read_csv(io.BytesIO(response.content))
    assert list(frame["title"]) == ["Rejected one"]


def test_the_dashboard_only_answers_reads(client_for, exec_user):
    client = client_for(exec_user)
    assert client.post("/dashboard/").status_code == 405
    assert client.post("/ideas/export.csv").status_code == 405


def test_every_kpi_explains_itself_and_the_downside_says_do_not_build(
    client_for, exec_user, backlog
):
    reports = selectors.roi_reports(list(selectors.ideas()))
    assert reports[backlog["loser"].pk].best_stop_tier is None
    html = client_for(exec_user).get("/dashboard/").content.decode()
    for name in ("ideas", "positive-npv", "one-off", "negative", "upstream-share"):
        assert f'data-help="{name}">' in html, name
    assert "1 shipped or rejected not counted" in html
    downside = html.split('id="downside-ideas"')[1].split("</section>")[0]
    assert 'data-best-stop="none">do not build: 0' in downside
    chart = html.split('id="negative-chart-data" type="application/json">')[1]
    assert '"Do not build"' in chart.split("</script>")[0]


def test_the_stakeholder_gaps_follow_every_assignment_and_default_role_change(
    client_for, exec_user, lead_user, backlog
):
    """The gaps are cached with the dashboard's figures: each write shows at once."""
    loser = backlog["loser"]
    client = client_for(exec_user)

    def gaps() -> str:
        return risk_row(client, loser)

    assert "tier 2: Analytics engineer" in gaps()
    role = m.Role.objects.get(name="Analytics engineer")
    assignment = StakeholderAssignmentFactory(idea=loser, tier=2, role=role)
    assert "tier 2: Analytics engineer" not in gaps()
    assignment.delete()
    assert "tier 2: Analytics engineer" in gaps()
    m.TierProfile.objects.get(tier=2).default_roles.remove(role)
    assert "tier 2: Analytics engineer" not in gaps()


def test_every_write_to_an_idea_shows_on_the_next_view(client_for, exec_user, pm_user, backlog):
    """The ideas and their figures are read once per epoch in each process: every write to an
    idea, a need or the catalogue raises it, so no view shows what was there before."""
    client = client_for(exec_user)

    def kpis() -> dict[str, str]:
        html = client.get("/dashboard/").content.decode()
        return {name: kpi(html, name) for name in ("ideas", "negative", "one-off")}

    def one_off() -> str:
        reports = selectors.roi_reports(list(selectors.ideas()))
        return f"{sum(r.one_off_investment for r in reports.values()):,.0f}"

    assert kpis() == {"ideas": "3", "negative": "1", "one-off": one_off()}
    NeedFactory(idea=IdeaFactory(owner=pm_user), **money("engineering", 2_500))
    assert kpis() == {"ideas": "4", "negative": "1", "one-off": one_off()}
    need = backlog["winner"].needs.get()
    need.engineering_likely = need.engineering_high = 50_000
    need.save()
    assert kpis()["one-off"] == one_off()
    built = backlog["built"]
    built.available = True  # the loser's curated dataset exists now: nothing to build
    built.save()
    assert kpis() == {"ideas": "4", "negative": "0", "one-off": one_off()}
    backlog["rejected"].delete()
    assert kpis() == {"ideas": "3", "negative": "0", "one-off": one_off()}


def test_contract_health_follows_every_registry_change_and_the_window(
    client_for, exec_user, backlog
):
    """Each idea's standing is kept per state of the ideas, the catalogue and the registry,
    and its health per state of the window's behaviour: every change shows at once."""
    loser = backlog["loser"]
    client = client_for(exec_user)

    def loser_row() -> str:
        return risk_row(client, loser)

    assert 'data-health="ungoverned"' in loser_row()
    on_returns = DataContractFactory(
        name="Returns feed",
        asset_type="curated_dataset",
        asset_id=backlog["built"].pk,
        status=DataContract.Status.DRAFT,
    )
    assert "draft contract only (Returns feed)" in loser_row()
    on_returns.status = DataContract.Status.ACTIVE
    on_returns.save()
    assert "Returns feed" not in loser_row()  # healthy: off the table's risk rows
    run = ValidationRunFactory(contract=on_returns, valid_count=80, dead_letter_count=20)
    assert "20.0% of the 100 records validated" in loser_row()
    SlaBreachFactory(contract=on_returns, version=run.version)
    assert "Returns feed: 1 SLA breach in the last 7 days" in loser_row()
    on_returns.status = DataContract.Status.DEPRECATED
    on_returns.save()
    assert "relies on a deprecated contract: Returns feed" in loser_row()
    built = backlog["built"]
    built.name = "Returns, golden"  # the catalogue's names
    built.save()
    assert "Returns, golden relies on a deprecated contract" in loser_row()
    on_returns.delete()
    assert 'data-health="ungoverned"' in loser_row()
    linked = DataContractFactory(name="Loser terms", status=DataContract.Status.DRAFT)
    linked.ideas.add(loser)  # linked by hand, on no asset
    assert "This idea: draft contract only (Loser terms)" in loser_row()
