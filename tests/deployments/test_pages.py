"""The plan page, the live recommendation and the idea-page panel."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from deployments.models import DeploymentPlan
from tests.deployments.factories import DeploymentPlanFactory, deployment_type
from tests.factories import FeatureFactory, IdeaFactory, NeedFactory
from valuechain.ideas import selectors as core_selectors

pytestmark = pytest.mark.django_db


def page(idea_id: int) -> str:
    return f"/deployments/ideas/{idea_id}/plan/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


FORM = {
    "deployment_type": "",  # set per test
    "latency_ms": "150",
    "requests_per_day": "200000",
    "freshness": "seconds",
    "data_location": "server",
    "connectivity": "always",
    "api_protocol": "rest",
    "api_contract": "POST /score",
    "batch_schedule": "@daily",  # left over from another type: dropped
}


def form_for(kind: str, **overrides: str) -> dict[str, str]:
    from deployments.models import DeploymentType

    return {**FORM, "deployment_type": str(DeploymentType.objects.get(kind=kind).pk), **overrides}


def compared_types(html: str) -> list[str]:
    return re.findall(r'<tr data-type="(\w+)"', html)


def test_owner_sees_the_form_recommendation_and_comparison(pm_user) -> None:
    plan = DeploymentPlanFactory(
        idea=IdeaFactory(owner=pm_user), latency_ms=3_600_000, freshness="days"
    )

    response = client_for(pm_user).get(page(plan.idea_id))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Save the plan" in html
    ranking = re.findall(r'class="ranking-option" data-type="(\w+)"', html)
    assert ranking[0] == "batch"
    assert sorted(compared_types(html)) == ["batch", "edge", "request_response", "stream"]


def test_owner_saves_a_plan_and_its_costs_enter_the_roi(pm_user) -> None:
    idea = IdeaFactory(owner=pm_user)
    NeedFactory(idea=idea, feature=FeatureFactory(online=False))
    deployment_type("request_response", setup=30_000, run=10_000, online_feature_setup=2_000)

    response = client_for(pm_user).post(page(idea.pk), form_for("request_response"))

    assert response.status_code == 302
    plan = DeploymentPlan.objects.get(idea=idea)
    assert plan.api_protocol == "rest"
    assert plan.batch_schedule == ""
    report = core_selectors.roi_report(core_selectors.ideas().get(pk=idea.pk))
    assert report.deployment_setup_cost == pytest.approx(32_000)
    followed = client_for(pm_user).get(page(idea.pk)).content.decode()
    assert "32,000" in followed


def test_invalid_form_is_a_400_naming_the_field_and_saves_nothing(pm_user) -> None:
    idea = IdeaFactory(owner=pm_user)

    response = client_for(pm_user).post(
        page(idea.pk), form_for("batch", latency_ms="-4", setup_low="9", setup_likely="2")
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "latency_ms" in errors
    assert not DeploymentPlan.objects.filter(idea=idea).exists()


def test_partial_estimates_are_rejected(pm_user) -> None:
    idea = IdeaFactory(owner=pm_user)

    response = client_for(pm_user).post(page(idea.pk), form_for("batch", setup_low="9"))

    assert response.status_code == 400
    assert "setup_low" in response.context["form"].errors
    assert not DeploymentPlan.objects.filter(idea=idea).exists()


def test_others_read_the_plan_but_cannot_change_it(pm_user, other_pm, exec_user) -> None:
    plan = DeploymentPlanFactory(idea=IdeaFactory(owner=pm_user))

    read = client_for(exec_user).get(page(plan.idea_id))
    write = client_for(other_pm).post(page(plan.idea_id), form_for("edge"))

    assert read.status_code == 200
    assert "Save the plan" not in read.content.decode()
    assert write.status_code == 403
    plan.refresh_from_db()
    assert plan.deployment_type.kind == "batch"


def test_anonymous_users_are_sent_to_log_in() -> None:
    idea = IdeaFactory()

    response = Client().get(page(idea.pk))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_unknown_idea_is_a_404(pm_user) -> None:
    assert client_for(pm_user).get(page(999_999)).status_code == 404


def test_live_recommendation_follows_the_requirements(pm_user) -> None:
    client = client_for(pm_user)
    url = "/deployments/recommend/"
    device = {**FORM, "data_location": "device", "connectivity": "none", "latency_ms": "10"}

    ranked = client.post(url, device).content.decode()
    contradictory = client.post(url, {**device, "data_location": "server"}).content.decode()
    incomplete = client.post(url, {"latency_ms": "abc"}).content.decode()

    assert re.findall(r'data-type="(\w+)"', ranked)[0] == "edge"
    assert "data only on servers and no connectivity" in contradictory
    assert "pull against each other" in contradictory
    assert "Fill in the latency target" in incomplete


def test_panel_tag_shows_plan_costs_and_the_four_types(pm_user) -> None:
    plan = DeploymentPlanFactory(
        idea=IdeaFactory(owner=pm_user),
        deployment_type=deployment_type("edge", setup=40_000, compression=15_000),
        data_location="server",
        connectivity="none",
    )
    request = RequestFactory().get("/")
    request.user = pm_user
    idea = core_selectors.ideas().get(pk=plan.idea_id)

    html = Template("{% load deployment_tags %}{% idea_deployment_panel idea %}").render(
        Context({"idea": idea, "request": request, "currency": "EUR"})
    )

    assert "Edge" in html
    assert "55,000" in html
    assert "does not fit its requirements" in html
    assert sorted(compared_types(html)) == ["batch", "edge", "request_response", "stream"]
    assert "Edit the deployment plan" in html


def test_panel_without_a_plan_says_no_deployment_cost_is_counted(exec_user) -> None:
    idea = core_selectors.ideas().get(pk=IdeaFactory().pk)
    request = RequestFactory().get("/")
    request.user = exec_user

    html = Template("{% load deployment_tags %}{% idea_deployment_panel idea %}").render(
        Context({"idea": idea, "request": request})
    )

    assert "No deployment plan yet" in html
    assert "See the deployment plan" in html


def test_plan_page_query_count_does_not_grow_with_the_idea(pm_user) -> None:
    client = client_for(pm_user)

    def queries_for(needs: int) -> int:
        plan = DeploymentPlanFactory(idea=IdeaFactory(owner=pm_user))
        for _ in range(needs):
            NeedFactory(idea=plan.idea, feature=FeatureFactory())
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page(plan.idea_id)).status_code == 200
        return len(ctx.captured_queries)

    assert queries_for(1) == queries_for(7)


def test_idea_page_carries_the_deployment_panel(pm_user) -> None:
    plan = DeploymentPlanFactory(
        idea=IdeaFactory(owner=pm_user),
        deployment_type=deployment_type("stream", setup=60_000),
        continuous_events=True,
    )

    html = client_for(pm_user).get(f"/ideas/{plan.idea_id}/").content.decode()

    assert 'id="deployment"' in html
    assert sorted(compared_types(html)) == ["batch", "edge", "request_response", "stream"]
    assert "Edit the deployment plan" in html


def test_deployments_home_lists_types_plans_and_ideas_without_one(exec_user) -> None:
    fitting = DeploymentPlanFactory(
        idea=IdeaFactory(title="Nightly churn"),
        deployment_type=deployment_type("batch", setup=10_000, run=5_000),
        latency_ms=3_600_000,
    )
    misfit = DeploymentPlanFactory(
        idea=IdeaFactory(title="Offline scoring"),
        deployment_type=deployment_type("request_response"),
        data_location="device",
        connectivity="none",
    )
    IdeaFactory(title="Unplanned idea")

    response = client_for(exec_user).get("/deployments/")

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'class="type-card" data-type="(\w+)"', html) == [
        "batch",
        "stream",
        "request_response",
        "edge",
    ]
    rows = dict(re.findall(r'<tr data-idea="(\d+)">(.*?)</tr>', html, flags=re.S))
    assert "10,000" in rows[str(fitting.idea_id)]
    assert "does not fit" not in rows[str(fitting.idea_id)]
    assert "does not fit" in rows[str(misfit.idea_id)]
    assert "Unplanned idea" in html


def test_deployments_home_query_count_does_not_grow_with_plans(exec_user) -> None:
    client = client_for(exec_user)

    def queries_with(plans: int) -> int:
        for _ in range(plans):
            plan = DeploymentPlanFactory()
            NeedFactory(idea=plan.idea, feature=FeatureFactory(online=False))
            IdeaFactory()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/deployments/").status_code == 200
        return len(ctx.captured_queries)

    assert queries_with(1) == queries_with(5)


def test_admins_edit_the_four_profiles_but_cannot_add_a_fifth(staff_user) -> None:
    client = client_for(staff_user)

    listing = client.get("/admin/deployments/deploymenttype/")
    change = client.get("/admin/deployments/deploymenttype/1/change/")

    assert listing.status_code == 200
    assert listing.content.decode().count('class="field-kind"') == 4
    assert change.status_code == 200
    assert client.get("/admin/deployments/deploymenttype/add/").status_code == 403
