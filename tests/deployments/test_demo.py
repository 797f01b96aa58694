"""The demo company comes with deployment plans of every type."""

from __future__ import annotations

import pytest

from deployments import recommend
from deployments.models import DeploymentPlan
from valuechain.demo import load_demo
from valuechain.ideas import selectors as core_selectors

pytestmark = pytest.mark.django_db


def test_demo_plans_cover_the_four_types_and_enter_the_roi() -> None:
    counts = load_demo()
    again = load_demo()

    plans = list(DeploymentPlan.objects.select_related("deployment_type", "idea"))
    assert counts["deployment plans"] == again["deployment plans"] == len(plans) == 11
    assert {plan.deployment_type.kind for plan in plans} == set(recommend.DEPLOYMENT_TYPES)
    kinds = {plan.idea.title: plan.deployment_type.kind for plan in plans}
    # back-office scoring in batch, a page waiting for an answer in request-response,
    # events flowing in stream
    assert kinds["Garden season demand forecast"] == kinds["Marketing budget allocation"] == "batch"
    assert kinds["Delivery promise accuracy"] == "request_response"
    assert kinds["Payment fraud scoring"] == kinds["Support ticket triage"] == "stream"
    # one idea left unplanned on purpose: its page says deployment is not in its figures
    unplanned = core_selectors.ideas().filter(deployment_plan__isnull=True)
    assert [idea.title for idea in unplanned] == ["Customer churn early warning"]
    reports = core_selectors.roi_reports(
        core_selectors.ideas().filter(deployment_plan__isnull=False)
    )
    assert all(report.deployment_setup_cost > 0 for report in reports.values())


def test_the_demo_edge_plan_that_cannot_work_is_explained() -> None:
    load_demo()
    plan = DeploymentPlan.objects.get(idea__title="Return risk at checkout")

    problems = recommend.check_plan(plan.requirements(), plan.deployment_type.kind)

    assert any("no connectivity" in problem for problem in problems)
