"""A value too large for the arithmetic, stored before inputs were bounded, never turns a
page or a list into a server error: JSON writes a non-finite number as null, the engine
refuses a non-finite figure with a message naming the idea, and a write that would make an
idea's figures unusable is rolled back."""

from __future__ import annotations

import math

import pytest
from django.test import Client
from django.utils import timezone

from contracts.models import ValidRecord
from deployments.models import DeploymentPlan
from tests.contracts.factories import ValidationRunFactory
from tests.deployments.factories import DeploymentPlanFactory
from tests.factories import FeatureFactory, IdeaFactory, NeedFactory
from valuechain.api.renderers import FiniteJSONRenderer
from valuechain.engine import finance
from valuechain.platform.jsonsafe import finite

pytestmark = pytest.mark.django_db

HUGE = {f"setup_{part}": 1e308 for part in ("low", "likely", "high")}


def test_the_renderer_writes_non_finite_numbers_as_null() -> None:
    data = {"a": math.inf, "b": [1.5, -math.inf, {"c": math.nan}], "d": "text", "e": 2}
    assert FiniteJSONRenderer().render(data) == (
        b'{"a":null,"b":[1.5,null,{"c":null}],"d":"text","e":2}'
    )
    plain = {"x": [1.0, 2.0]}
    assert finite(plain) is plain  # nothing to replace: nothing copied


def test_a_valid_record_holding_infinity_is_listed_as_null(api_client_for, lead_user) -> None:
    run = ValidationRunFactory(contract__owner=lead_user, valid_count=1)
    ValidRecord.objects.create(
        contract=run.contract,
        run=run,
        record_index=0,
        received_at=timezone.now(),
        payload={"order_id": "a1", "amount": math.inf},
    )
    response = api_client_for(lead_user).get(f"/api/contracts/{run.contract_id}/valid-records/")
    assert response.status_code == 200
    assert b'"amount":null' in response.content


def test_a_stored_plan_too_large_to_price_is_a_409_naming_the_idea(api_client_for, pm_user) -> None:
    idea = IdeaFactory(owner=pm_user, title="Overflowing")
    DeploymentPlanFactory(idea=idea, **HUGE)  # stored before the bounds existed
    client = api_client_for(pm_user)
    for path in ("/api/ideas/", f"/api/ideas/{idea.pk}/", f"/api/ideas/{idea.pk}/roi/"):
        response = client.get(path)
        assert response.status_code == 409, path
        assert f"idea {idea.pk}" in response.json()["detail"]
        assert "too large" in response.json()["detail"]


def test_the_idea_page_with_such_a_plan_says_which_idea_with_a_409(pm_user) -> None:
    idea = IdeaFactory(owner=pm_user)
    DeploymentPlanFactory(idea=idea, **HUGE)
    page = Client()
    page.force_login(pm_user)
    response = page.get(f"/ideas/{idea.pk}/")
    assert response.status_code == 409
    assert f"idea {idea.pk}" in response.content.decode()


def test_a_plan_that_would_make_the_figures_non_finite_is_rolled_back(
    api_client_for, pm_user
) -> None:
    idea = IdeaFactory(owner=pm_user)
    # An asset stored before the bounds: its build alone overflows once the plan is priced.
    NeedFactory(
        idea=idea,
        feature=FeatureFactory(
            available=False, build_low=1e308, build_likely=1e308, build_high=1e308
        ),
    )
    plan = {
        "deployment_type": "batch",
        "latency_ms": 200,
        "requests_per_day": 1000,
        "freshness": "hours",
        "data_location": "server",
        "connectivity": "always",
    }
    response = api_client_for(pm_user).put(
        f"/api/ideas/{idea.pk}/deployment-plan/", plan, format="json"
    )
    assert response.status_code == 400
    assert f"idea {idea.pk}" in str(response.json())
    assert not DeploymentPlan.objects.filter(idea=idea).exists()


def test_the_engine_refuses_a_non_finite_figure() -> None:
    step = finance.LadderStep(1, 1.0, 0.0, 1.0, 1.0, -math.inf, None)
    report = finance.RoiReport(
        idea_id=7,
        tier=1,
        one_off_investment=math.inf,
        annual_run_cost=0.0,
        probability_of_success=1.0,
        expected_annual_benefit=0.0,
        npv=-math.inf,
        roi=None,
        pv_costs=math.inf,
        payback_years=None,
        negative_from_tier=None,
        best_stop_tier=None,
        ladder=(step,),
        need_engineering_cost=0.0,
        asset_build_cost=0.0,
        asset_run_cost=0.0,
        deployment_setup_cost=math.inf,
        deployment_run_cost=0.0,
        charged_assets=(),
    )
    with pytest.raises(finance.NonFiniteResult, match="one off investment of idea 7"):
        finance.check_finite(report)
