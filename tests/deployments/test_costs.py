"""A deployment plan's costs in the ROI report, worked by hand.

The idea: a yearly benefit of 100,000, certain success, 3 years at 10 %. Two needs: an
online feature (tier 1, essential, weight 1) and an available curated dataset (tier 2,
optional, weight 1). Nothing in the catalogue is charged, so without a plan C0 = R = 0.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deployments import selectors
from deployments.mappers import to_engine_deployment
from deployments.services import delete_deployment_plan
from tests.deployments.factories import DeploymentPlanFactory, deployment_type
from tests.factories import (
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RoleFactory,
)
from valuechain.engine.chain import Estimate
from valuechain.ideas import selectors as core_selectors

pytestmark = pytest.mark.django_db

AF = 1 / 1.1 + 1 / 1.1**2 + 1 / 1.1**3  # sum of discount factors over 3 years at 10 %
BENEFIT = 100_000.0


@pytest.fixture
def idea():
    idea = IdeaFactory()
    NeedFactory(idea=idea, feature=FeatureFactory(online=True), weight=1, essential=True)
    NeedFactory(idea=idea, curated_dataset=CuratedDatasetFactory(), weight=1, essential=False)
    return idea


def report_of(idea):
    return core_selectors.roi_report(core_selectors.ideas().get(pk=idea.pk))


def test_without_a_plan_deployment_costs_nothing(idea) -> None:
    report = report_of(idea)

    assert report.deployment_setup_cost == 0
    assert report.deployment_run_cost == 0
    assert report.one_off_investment == 0
    assert report.npv == pytest.approx(BENEFIT * AF)


def test_request_response_adds_setup_run_and_online_materialisation(idea) -> None:
    rr = deployment_type(
        "request_response",
        setup=30_000,
        run=10_000,
        online_feature_setup=2_000,
        online_feature_run=1_000,
    )
    DeploymentPlanFactory(idea=idea, deployment_type=rr)

    report = report_of(idea)

    # The online feature is served already; the curated need's new feature is not: 1 feature.
    assert report.deployment_setup_cost == pytest.approx(32_000)
    assert report.deployment_run_cost == pytest.approx(11_000)
    assert report.one_off_investment == pytest.approx(32_000)
    assert report.annual_run_cost == pytest.approx(11_000)
    npv = -32_000 + (BENEFIT - 11_000) * AF
    assert report.npv == pytest.approx(npv)
    assert report.roi == pytest.approx(npv / (32_000 + 11_000 * AF))
    step1, step2 = report.ladder
    # Tier 1 uses only the online feature: no materialisation; half the benefit.
    assert step1.cumulative_investment == pytest.approx(30_000)
    assert step1.npv == pytest.approx(-30_000 + (BENEFIT / 2 - 10_000) * AF)
    assert step2.cumulative_investment == pytest.approx(32_000)
    assert step2.npv == pytest.approx(npv)


def test_stream_charges_each_offline_only_feature(idea) -> None:
    NeedFactory(idea=idea, feature=FeatureFactory(online=False), weight=1, essential=False)
    stream = deployment_type(
        "stream", setup=60_000, run=40_000, online_feature_setup=4_000, online_feature_run=2_000
    )
    DeploymentPlanFactory(idea=idea, deployment_type=stream, continuous_events=True)

    report = report_of(idea)

    # Offline feature + the curated need's new feature = 2.
    assert report.deployment_setup_cost == pytest.approx(60_000 + 2 * 4_000)
    assert report.deployment_run_cost == pytest.approx(40_000 + 2 * 2_000)
    assert report.npv == pytest.approx(-68_000 + (BENEFIT - 44_000) * AF)


def test_edge_adds_compression_and_runtime_but_no_online_serving(idea) -> None:
    edge = deployment_type(
        "edge",
        setup=40_000,
        run=10_000,
        compression=15_000,
        device_runtime=8_000,
        online_feature_setup=99_999,  # not used: edge serves no features online
    )
    DeploymentPlanFactory(idea=idea, deployment_type=edge, data_location="device")

    report = report_of(idea)

    assert report.deployment_setup_cost == pytest.approx(55_000)
    assert report.deployment_run_cost == pytest.approx(18_000)
    for step in report.ladder:
        assert step.cumulative_investment == pytest.approx(55_000)
        assert step.annual_run_cost == pytest.approx(18_000)


@pytest.mark.parametrize(
    ("loads", "setup", "run"), [(False, 10_000, 5_000), (True, 16_000, 11_000)]
)
def test_batch_pays_for_real_time_storage_only_when_it_loads_predictions_there(
    idea, loads: bool, setup: float, run: float
) -> None:
    batch = deployment_type(
        "batch",
        setup=10_000,
        run=5_000,
        realtime_storage_setup=6_000,
        realtime_storage_run=6_000,
    )
    DeploymentPlanFactory(
        idea=idea, deployment_type=batch, loads_realtime_storage=loads, inputs_enumerable=True
    )

    report = report_of(idea)

    assert report.deployment_setup_cost == pytest.approx(setup)
    assert report.deployment_run_cost == pytest.approx(run)


def test_plan_estimates_override_the_types_and_person_days_use_the_day_rate(idea) -> None:
    batch = deployment_type("batch", setup=10_000, run=5_000)
    role = RoleFactory(day_rate=1_000)
    plan = DeploymentPlanFactory(
        idea=idea,
        deployment_type=batch,
        setup_low=10_000,
        setup_likely=20_000,
        setup_high=60_000,
        run_low=5,
        run_likely=5,
        run_high=5,
        run_days_role=role,
    )

    deployment = to_engine_deployment(plan)
    report = report_of(idea)

    assert deployment.setup == Estimate(10_000, 20_000, 60_000)
    assert report.deployment_setup_cost == pytest.approx((10_000 + 4 * 20_000 + 60_000) / 6)
    assert report.deployment_run_cost == pytest.approx(5 * 1_000)


def test_removing_the_plan_takes_its_costs_out_of_the_roi(idea) -> None:
    DeploymentPlanFactory(idea=idea, deployment_type=deployment_type("batch", setup=10_000))
    assert report_of(idea).one_off_investment == pytest.approx(10_000)

    assert delete_deployment_plan(idea=idea) is True

    assert report_of(idea).one_off_investment == 0
    assert delete_deployment_plan(idea=idea) is False


def test_comparison_prices_each_type_for_this_idea(idea) -> None:
    deployment_type("batch", setup=10_000, run=5_000, realtime_storage_setup=1_000)
    deployment_type("stream", setup=60_000, run=40_000, online_feature_setup=4_000)
    rr = deployment_type("request_response", setup=30_000, run=10_000, online_feature_run=1_000)
    deployment_type("edge", setup=40_000, compression=15_000, device_runtime=8_000)
    DeploymentPlanFactory(idea=idea, deployment_type=rr, latency_ms=150)

    result = selectors.idea_deployment(selectors.idea(idea.pk))

    rows = {row.deployment_type.kind: row for row in result.comparison}
    # A 150 ms target: batch only qualifies by serving from real-time storage.
    assert rows["batch"].realtime_storage
    assert (rows["batch"].setup_cost, rows["batch"].run_cost) == (11_000, 5_000)
    assert (rows["stream"].setup_cost, rows["stream"].run_cost) == (64_000, 40_000)
    assert (rows["request_response"].setup_cost, rows["request_response"].run_cost) == (
        30_000,
        11_000,
    )
    assert (rows["edge"].setup_cost, rows["edge"].run_cost) == (55_000, 8_000)
    assert [row.kind for row in (r.deployment_type for r in result.comparison if r.is_plan)] == [
        "request_response"
    ]
    assert rows["edge"].npv == pytest.approx(-55_000 + (BENEFIT - 8_000) * AF)
    assert rows["request_response"].npv == pytest.approx(result.report.npv)
    assert result.recommendation is not None
    assert rows["request_response"].recommendation is not None


def test_comparison_query_count_does_not_grow_with_needs() -> None:
    def queries_for(needs: int) -> int:
        idea = IdeaFactory()
        for _ in range(needs):
            NeedFactory(idea=idea, feature=FeatureFactory(online=False))
        DeploymentPlanFactory(idea=idea)
        with CaptureQueriesContext(connection) as ctx:
            selectors.idea_deployment(selectors.idea(idea.pk))
        return len(ctx.captured_queries)

    assert queries_for(1) == queries_for(6)


def test_the_kept_comparison_follows_every_type_plan_and_rate_change(idea) -> None:
    """The comparison is computed once per version of the idea's inputs and state of the
    types: a type's edit, the plan's and a day rate's each show on the next read."""
    from valuechain.figures import store

    deployment_type("batch", setup=10_000, run=5_000)
    edge = deployment_type("edge", setup=40_000)
    plan = DeploymentPlanFactory(idea=idea, deployment_type=edge)
    store.refresh()  # fresh figures: the comparison is kept from here on

    def setup(kind: str = "edge") -> float:
        result = selectors.idea_deployment(selectors.idea(idea.pk))
        return next(r.setup_cost for r in result.comparison if r.deployment_type.kind == kind)

    def edge_setup() -> float:
        return setup()

    assert edge_setup() == edge_setup() == 40_000
    assert setup("batch") == 10_000
    deployment_type("batch", setup=12_000)  # not the plan's type: the idea's inputs stay
    assert setup("batch") == 12_000
    deployment_type("edge", setup=45_000)
    store.refresh()
    assert edge_setup() == 45_000
    role = RoleFactory(day_rate=1_000)
    plan.setup_low = plan.setup_likely = plan.setup_high = 10
    plan.setup_days_role = role
    plan.save()
    store.refresh()
    assert edge_setup() == 10_000
    role.day_rate = 1_500
    role.save()
    store.refresh()
    assert edge_setup() == 15_000
