"""GET /api/ideas/{id}/roi/ carries the deployment plan's costs, worked by hand.

The idea: a yearly benefit of 100,000, certain success, 3 years at 10 %. Needs: an online
feature (tier 1, essential), an offline-only feature (tier 1, optional) and an available
curated dataset (tier 2, optional), all weight 1 and nothing charged, so without a plan
C0 = R = 0. A stream plan costs 60,000 + 40,000 a year, plus 4,000 + 2,000 a year per
offline-only feature served online.
"""

from __future__ import annotations

import pytest

from tests.deployments.factories import deployment_type
from tests.factories import CuratedDatasetFactory, FeatureFactory, IdeaFactory, NeedFactory

pytestmark = pytest.mark.django_db

AF = 1 / 1.1 + 1 / 1.1**2 + 1 / 1.1**3
BENEFIT = 100_000.0


@pytest.fixture
def idea(pm_user):
    idea = IdeaFactory(owner=pm_user)
    NeedFactory(idea=idea, feature=FeatureFactory(online=True), essential=True)
    NeedFactory(idea=idea, feature=FeatureFactory(online=False), essential=False)
    NeedFactory(idea=idea, curated_dataset=CuratedDatasetFactory(), essential=False)
    deployment_type(
        "stream", setup=60_000, run=40_000, online_feature_setup=4_000, online_feature_run=2_000
    )
    return idea


def roi(client, idea) -> dict:
    response = client.get(f"/api/ideas/{idea.pk}/roi/")
    assert response.status_code == 200
    return response.json()


def test_roi_report_states_zero_deployment_costs_without_a_plan(api_client_for, exec_user, idea):
    report = roi(api_client_for(exec_user), idea)

    assert report["deployment_setup_cost"] == 0
    assert report["deployment_run_cost"] == 0
    assert report["one_off_investment"] == 0
    assert report["npv"] == pytest.approx(BENEFIT * AF)


def test_a_plan_moves_c0_r_npv_and_every_ladder_step(api_client_for, pm_user, idea) -> None:
    client = api_client_for(pm_user)
    before = roi(client, idea)

    put = client.put(
        f"/api/ideas/{idea.pk}/deployment-plan/",
        {
            "deployment_type": "stream",
            "latency_ms": 500,
            "requests_per_day": 1_000_000,
            "freshness": "seconds",
            "data_location": "server",
            "connectivity": "always",
            "continuous_events": True,
            "input_contract": "payments.v2",
            "output_stream": "fraud-scores",
        },
        format="json",
    )
    after = roi(client, idea)

    assert put.status_code == 201
    # Whole idea: the offline feature and the curated need's new feature, 2 to materialise.
    setup, run = 60_000 + 2 * 4_000, 40_000 + 2 * 2_000
    assert after["deployment_setup_cost"] == pytest.approx(setup)
    assert after["deployment_run_cost"] == pytest.approx(run)
    assert after["one_off_investment"] - before["one_off_investment"] == pytest.approx(setup)
    assert after["annual_run_cost"] - before["annual_run_cost"] == pytest.approx(run)
    assert after["npv"] - before["npv"] == pytest.approx(-setup - run * AF)
    assert after["roi"] == pytest.approx((-setup + (BENEFIT - run) * AF) / (setup + run * AF))

    # Tier 1 funds both features (1 offline); tier 2 adds the curated need (2 offline).
    step1, step2 = after["ladder"]
    assert [step["tier"] for step in after["ladder"]] == [1, 2]
    assert step1["cumulative_investment"] == pytest.approx(64_000)
    assert step1["npv"] == pytest.approx(-64_000 + (BENEFIT * 2 / 3 - 42_000) * AF)
    assert step2["cumulative_investment"] == pytest.approx(68_000)
    assert step2["npv"] == pytest.approx(-68_000 + (BENEFIT - 44_000) * AF)
    for old, new, (c0, r) in zip(
        before["ladder"], after["ladder"], [(64_000, 42_000), (68_000, 44_000)], strict=True
    ):
        assert new["cumulative_investment"] - old["cumulative_investment"] == pytest.approx(c0)
        assert new["npv"] - old["npv"] == pytest.approx(-c0 - r * AF)
