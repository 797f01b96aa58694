"""Ideas, their needs, the ROI report and stakeholder gaps through the API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    AcquisitionOptionFactory,
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
    RoleFactory,
    StakeholderAssignmentFactory,
)
from valuechain import models as m

pytestmark = pytest.mark.django_db

BENEFIT = {"low": 50000, "likely": 80000, "high": 140000}


def exact(value: float) -> dict[str, float]:
    return {"low": value, "likely": value, "high": value}


def test_product_manager_creates_an_idea_owned_by_them(client_as, pm_user):
    response = client_as("pm").post(
        "/api/ideas/",
        {
            "title": "Churn prediction",
            "benefit_estimate": BENEFIT,
            "probability_of_success": 0.7,
            "horizon_years": 5,
            "discount_rate": 0.08,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == pm_user.pk
    assert body["status"] == "draft"
    assert body["benefit_estimate"] == {"low": 50000.0, "likely": 80000.0, "high": 140000.0}
    # no needs yet: nothing to pay, the PERT mean benefit x p over 5 years at 8 %
    mean = (50000 + 4 * 80000 + 140000) / 6
    expected = sum(0.7 * mean / 1.08**year for year in range(1, 6))
    assert body["roi_summary"]["npv"] == pytest.approx(expected)
    idea = m.Idea.objects.get(pk=body["id"])
    assert (idea.horizon_years, idea.discount_rate) == (5, 0.08)


def test_horizon_and_discount_rate_default(client_as):
    response = client_as("pm").post(
        "/api/ideas/", {"title": "Defaults", "benefit_estimate": BENEFIT}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["horizon_years"], response.json()["discount_rate"]) == (3, 0.1)


def test_product_manager_cannot_give_an_idea_away_but_staff_can(client_as, other_pm):
    response = client_as("pm").post(
        "/api/ideas/",
        {"title": "x", "benefit_estimate": BENEFIT, "owner": other_pm.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "owner" in response.json()
    response = client_as("staff").post(
        "/api/ideas/",
        {"title": "x", "benefit_estimate": BENEFIT, "owner": other_pm.pk},
        format="json",
    )
    assert response.status_code == 201
    assert m.Idea.objects.get().owner == other_pm


def test_owner_edits_and_deletes_an_idea(client_as, pm_user):
    idea = IdeaFactory(owner=pm_user)
    client = client_as("pm")
    response = client.patch(
        f"/api/ideas/{idea.pk}/", {"status": "approved", "horizon_years": 7}, format="json"
    )
    assert response.status_code == 200, response.json()
    idea.refresh_from_db()
    assert (idea.status, idea.horizon_years) == ("approved", 7)
    response = client.put(
        f"/api/ideas/{idea.pk}/",
        {"title": "Renamed", "benefit_estimate": exact(10), "status": "proposed"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert client.delete(f"/api/ideas/{idea.pk}/").status_code == 204
    assert not m.Idea.objects.exists()


def _worked_idea(owner=None) -> m.Idea:
    """Three needs up to tier 4; with r = 0 and H = 2 the numbers are easy by hand."""
    idea = IdeaFactory(
        owner=owner,
        benefit_low=20000,
        benefit_likely=20000,
        benefit_high=20000,
        probability_of_success=1.0,
        horizon_years=2,
        discount_rate=0.0,
    )
    feature = FeatureFactory(available=True)
    raw = RawSourceFactory(
        available=True,
        build_low=5000,
        build_likely=5000,
        build_high=5000,
        run_low=1000,
        run_likely=1000,
        run_high=1000,
        feasibility=1.0,
    )
    option = AcquisitionOptionFactory(
        build_low=100000, build_likely=100000, build_high=100000, feasibility=0.5
    )
    NeedFactory(
        idea=idea,
        feature=feature,
        weight=2,
        essential=True,
        engineering_low=1000,
        engineering_likely=1000,
        engineering_high=1000,
    )
    NeedFactory(idea=idea, feature=None, raw_source=raw, weight=1, essential=False)
    NeedFactory(idea=idea, feature=None, acquisition_option=option, weight=1, essential=False)
    idea.raw, idea.option = raw, option
    return idea


def test_roi_report_matches_the_hand_worked_ladder(client_as):
    idea = _worked_idea()
    response = client_as("exec").get(f"/api/ideas/{idea.pk}/roi/")
    assert response.status_code == 200, response.json()
    report = response.json()
    # C0 = 1000 engineering + 5000 curation + 100000 acquisition; R = 1000.
    # The only essential need is on an available feature, so p = 1: the uncertain
    # acquisition (f = 0.5) is optional and only its weight share is at risk:
    # k = 2/4 x 1 + 1/4 x 1 + 1/4 x 0.5 = 0.875.
    assert report["tier"] == 4
    assert report["one_off_investment"] == pytest.approx(106000)
    assert report["annual_run_cost"] == pytest.approx(1000)
    assert report["probability_of_success"] == pytest.approx(1.0)
    assert report["expected_coverage"] == pytest.approx(0.875)
    assert report["npv"] == pytest.approx(-106000 + 2 * (0.875 * 20000 - 1000))
    assert report["roi"] == pytest.approx(-73000 / 108000)
    assert report["payback_years"] is None
    assert report["negative_from_tier"] == 4
    assert report["best_stop_tier"] == 3
    assert report["verdict"] == "stop_early"
    assert report["deployment_setup_cost"] == 0 and report["deployment_run_cost"] == 0
    assert report["charged_assets"] == [
        {"asset_type": "acquisition_option", "asset_id": idea.option.pk},
        {"asset_type": "raw_source", "asset_id": idea.raw.pk},
    ]
    ladder = {step["tier"]: step for step in report["ladder"]}
    assert [step["tier"] for step in report["ladder"]] == [1, 2, 3, 4]
    # tiers 1-2: the feature alone, half the weight: -1000 + 2 x 10000
    assert ladder[1]["benefit_coverage"] == pytest.approx(0.5)
    assert ladder[1]["npv"] == pytest.approx(19000)
    assert ladder[2]["roi"] == pytest.approx(19)
    # tier 3 adds the raw source: -6000 + 2 x (15000 - 1000) over PV costs 8000
    assert ladder[3]["cumulative_investment"] == pytest.approx(6000)
    assert ladder[3]["npv"] == pytest.approx(22000)
    assert ladder[3]["roi"] == pytest.approx(2.75)
    assert ladder[4]["cumulative_investment"] == pytest.approx(106000)
    assert ladder[4]["expected_coverage"] == pytest.approx(0.875)


def test_roi_report_prices_person_days_at_the_role_rate(client_as):
    role = RoleFactory(day_rate=800)
    idea = IdeaFactory(discount_rate=0.0, horizon_years=1)
    NeedFactory(
        idea=idea,
        engineering_low=2,
        engineering_likely=2,
        engineering_high=2,
        engineering_days_role=role,
    )
    report = client_as("pm").get(f"/api/ideas/{idea.pk}/roi/").json()
    assert report["one_off_investment"] == pytest.approx(1600)


def test_list_carries_roi_summaries_and_sorts_by_npv(client_as):
    cheap = IdeaFactory(title="cheap")
    NeedFactory(idea=cheap)
    costly = IdeaFactory(title="costly")
    NeedFactory(
        idea=costly,
        feature=None,
        acquisition_option=AcquisitionOptionFactory(
            build_low=900000, build_likely=900000, build_high=900000
        ),
    )
    client = client_as("exec")
    body = client.get("/api/ideas/?ordering=-npv").json()
    assert [row["title"] for row in body["results"]] == ["cheap", "costly"]
    assert body["results"][0]["roi_summary"]["tier"] == 1
    assert body["results"][1]["roi_summary"]["tier"] == 4
    assert body["results"][1]["roi_summary"]["npv"] < 0
    ascending = client.get("/api/ideas/?ordering=npv").json()["results"]
    assert [row["title"] for row in ascending] == ["costly", "cheap"]
    by_tier = client.get("/api/ideas/?tier=4").json()
    assert [row["title"] for row in by_tier["results"]] == ["costly"]
    assert by_tier["count"] == 1


def test_list_filters_by_status_owner_and_search(client_as, pm_user, other_pm):
    IdeaFactory(title="Fraud alerts", owner=pm_user, status="approved")
    IdeaFactory(title="Basket size", owner=other_pm, status="draft", description="fraud-adjacent")
    client = client_as("exec")

    def titles(query: str) -> list[str]:
        response = client.get(f"/api/ideas/{query}")
        assert response.status_code == 200, response.json()
        return [row["title"] for row in response.json()["results"]]

    assert titles("?status=approved") == ["Fraud alerts"]
    assert titles("?status=approved&status=draft") == ["Basket size", "Fraud alerts"]
    assert titles(f"?owner={other_pm.pk}") == ["Basket size"]
    assert titles("?search=fraud") == ["Basket size", "Fraud alerts"]


def _ideas(count: int) -> None:
    shared_raw = RawSourceFactory(acquisition_option=AcquisitionOptionFactory())
    curated = CuratedDatasetFactory(available=False, raw_sources=[shared_raw])
    role = RoleFactory(name="Analyst")
    for i in range(count):
        idea = IdeaFactory(title=f"idea {i:04}")
        NeedFactory(idea=idea, feature=FeatureFactory(available=False, curated_datasets=[curated]))
        NeedFactory(
            idea=idea,
            feature=None,
            raw_source=shared_raw,
            engineering_low=1,
            engineering_likely=1,
            engineering_high=1,
            engineering_days_role=role,
        )


@pytest.mark.parametrize(
    "query", ["?page_size=200", "?page_size=200&ordering=-roi", "?page_size=200&tier=3"]
)
def test_idea_list_runs_the_same_queries_for_10_and_200_ideas(client_as, query):
    client = client_as("exec")
    counts = []
    for total in (10, 200):
        _ideas(total - m.Idea.objects.count())
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/ideas/{query}")
        assert response.status_code == 200
        assert response.json()["count"] == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_roi_report_runs_the_same_queries_for_10_and_200_ideas(client_as):
    client = client_as("exec")
    counts = []
    for total in (10, 200):
        _ideas(total - m.Idea.objects.count())
        idea = m.Idea.objects.order_by("-pk").first()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/ideas/{idea.pk}/roi/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_stakeholder_gaps_follow_the_tiers_the_idea_reaches(client_as):
    idea = IdeaFactory()
    curated = CuratedDatasetFactory(available=True)
    NeedFactory(idea=idea, feature=None, curated_dataset=curated)  # tier 2
    scientist = m.Role.objects.get(name="Data scientist")
    StakeholderAssignmentFactory(idea=idea, tier=1, role=scientist)
    response = client_as("exec").get(f"/api/ideas/{idea.pk}/stakeholder-gaps/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["tier"] == 2
    assert sorted(gap["role_name"] for gap in body["gaps"]) == [
        "Analytics engineer",
        "Data engineer",
        "ML engineer",
    ]


def test_idea_list_queries_stay_constant_with_deployment_plans_priced_in_days(client_as):
    from deployments.models import (
        Connectivity,
        DataLocation,
        DeploymentPlan,
        DeploymentType,
        Freshness,
    )

    role = RoleFactory(name="Platform engineer", day_rate=1000)
    deployment_type = DeploymentType.objects.order_by("id").first()
    deployment_type.setup_days_role = role
    deployment_type.save()
    client = client_as("exec")
    counts = []
    for total in (10, 200):
        for _ in range(total - m.Idea.objects.count()):
            idea = IdeaFactory()
            NeedFactory(idea=idea)
            DeploymentPlan.objects.create(
                idea=idea,
                deployment_type=deployment_type,
                latency_ms=100,
                requests_per_day=1000,
                freshness=Freshness.values[0],
                data_location=DataLocation.values[0],
                connectivity=Connectivity.values[0],
                run_low=1,
                run_likely=2,
                run_high=3,
                run_days_role=role,
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/ideas/?page_size=200")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    report = client.get(f"/api/ideas/{m.Idea.objects.first().pk}/roi/").json()
    assert report["deployment_run_cost"] == pytest.approx(2 * 1000)


def test_ordering_by_roi_keeps_ideas_without_costs_last(client_as):
    IdeaFactory(title="free")  # no needs: nothing spent, so no ROI
    paid = IdeaFactory(title="paid")
    NeedFactory(idea=paid, engineering_low=10, engineering_likely=10, engineering_high=10)
    client = client_as("exec")
    for ordering in ("roi", "-roi"):
        rows = client.get(f"/api/ideas/?ordering={ordering}").json()["results"]
        assert [row["title"] for row in rows] == ["paid", "free"]
        assert rows[1]["roi_summary"]["roi"] is None


def test_stakeholder_assignments_filter_by_idea_and_tier(client_as):
    first, second = IdeaFactory(), IdeaFactory()
    kept = StakeholderAssignmentFactory(idea=first, tier=2)
    StakeholderAssignmentFactory(idea=first, tier=1)
    StakeholderAssignmentFactory(idea=second, tier=2)
    rows = (
        client_as("exec")
        .get(f"/api/stakeholder-assignments/?idea={first.pk}&tier=2")
        .json()["results"]
    )
    assert [row["id"] for row in rows] == [kept.pk]
    assert rows[0]["role_name"] == kept.role.name
    assert rows[0]["person_name"] == kept.person.username


def test_needs_and_assignment_lists_run_a_constant_number_of_queries(client_as):
    idea = IdeaFactory()
    client = client_as("exec")
    counts: dict[str, list[int]] = {"needs": [], "assignments": []}
    for total in (5, 60):
        while m.Need.objects.count() < total:
            NeedFactory(idea=idea, feature=None, raw_source=RawSourceFactory())
            StakeholderAssignmentFactory(idea=idea)
        for name, url in (
            ("needs", f"/api/ideas/{idea.pk}/needs/?page_size=200"),
            ("assignments", "/api/stakeholder-assignments/?page_size=200"),
        ):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.json()["count"] == total
            counts[name].append(len(queries))
    assert counts["needs"][0] == counts["needs"][1]
    assert counts["assignments"][0] == counts["assignments"][1]
