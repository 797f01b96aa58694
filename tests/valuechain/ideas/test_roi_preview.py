"""The live ROI preview on the idea form: what the report would be, computed from the form as it
stands, saving nothing; bad input shows the form's errors in the panel."""

from __future__ import annotations

import dataclasses

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.deployments.factories import DeploymentPlanFactory, deployment_type
from tests.valuechain.ideas.test_idea_form import idea_data, with_needs
from valuechain import models as m
from valuechain.ideas import selectors

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def new_idea_data(chain):
    return with_needs(
        idea_data(),
        {"name": "sales", "asset_type": "feature", "asset_id": str(chain.feature.pk)},
        {
            "name": "weather",
            "asset_type": "raw_source",
            "asset_id": str(chain.new_raw.pk),
            "essential": None,
            "weight": "0.5",
            "engineering_low": "1000",
            "engineering_likely": "2000",
            "engineering_high": "6000",
        },
    )


def same_report(preview, saved):
    assert dataclasses.replace(preview, idea_id=saved.idea_id) == saved


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_the_preview_of_a_new_idea_is_the_report_it_has_once_saved(
    client_for, pm_user, value_chain
):
    client = client_for(pm_user)
    data = new_idea_data(value_chain)
    response = client.post(reverse("idea-preview-new"), data, **HTMX)
    assert response.status_code == 200
    preview = response.context["report"]
    html = response.content.decode()
    assert 'data-preview="report"' in html and "<html" not in html
    # the weather need pulls in the vendor feed: tier 4, and it does not pay
    assert preview.tier == 4
    assert f'data-verdict="{preview.verdict}"' in html
    assert f"{preview.npv:,.0f}" in html

    assert client.post(reverse("idea-create"), data).status_code == 302
    saved = selectors.roi_report(selectors.ideas().get(title="Churn alerts"))
    same_report(preview, saved)


def test_the_preview_of_an_edit_keeps_the_ideas_deployment_plan(client_for, pm_user, value_chain):
    idea = value_chain.idea
    DeploymentPlanFactory(
        idea=idea, deployment_type=deployment_type("batch", setup=9_000, run=1_000)
    )
    needs = list(idea.needs.order_by("id"))
    rows = [
        {
            "id": str(need.pk),
            "name": need.name,
            "asset_type": need.asset_type,
            "asset_id": str(need.asset_id),
            "weight": str(need.weight),
            "essential": "on" if need.essential else None,
            "engineering_low": str(need.engineering_low),
            "engineering_likely": str(need.engineering_likely),
            "engineering_high": str(need.engineering_high),
        }
        for need in needs
    ]
    rows[-1]["DELETE"] = "on"  # drop the weather need: no more vendor feed to buy
    rows[0]["weight"] = "5"
    data = with_needs(idea_data(title=idea.title, benefit_likely="85000"), *rows, initial=len(rows))
    client = client_for(pm_user)
    before = selectors.roi_report(selectors.ideas().get(pk=idea.pk))
    response = client.post(reverse("idea-preview", args=[idea.pk]), data, **HTMX)
    assert response.context["problems"] == []
    preview = response.context["report"]
    assert preview.tier == 3 and before.tier == 4
    assert preview.deployment_setup_cost == pytest.approx(9_000)
    # nothing changed until the form is saved; then the report is the preview
    assert selectors.roi_report(selectors.ideas().get(pk=idea.pk)) == before
    assert client.post(reverse("idea-edit", args=[idea.pk]), data).status_code == 302
    same_report(preview, selectors.roi_report(selectors.ideas().get(pk=idea.pk)))


def test_the_preview_writes_nothing(client_for, pm_user, value_chain):
    client = client_for(pm_user)
    idea = value_chain.idea
    counts = row_counts()
    stored = m.Idea.objects.values().get(pk=idea.pk)
    needs = list(m.Need.objects.filter(idea=idea).values())
    data = with_needs(
        idea_data(title="Renamed", reach="900", impact="2"),
        {"name": "new", "asset_type": "feature", "asset_id": str(value_chain.new_feature.pk)},
    )
    with CaptureQueriesContext(connection) as queries:
        client.post(reverse("idea-preview", args=[idea.pk]), data, **HTMX)
        client.post(reverse("idea-preview-new"), data, **HTMX)
        client.post(reverse("idea-preview", args=[idea.pk]), data)  # the page without JavaScript
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
        and "django_session" not in q["sql"]
    ]
    assert writes == []
    assert row_counts() == counts
    assert m.Idea.objects.values().get(pk=idea.pk) == stored
    assert list(m.Need.objects.filter(idea=idea).values()) == needs


@pytest.mark.parametrize(
    ("overrides", "shown"),
    [
        ({"benefit_low": "90000", "benefit_likely": "10"}, "Yearly benefit (likely)"),
        ({"probability_of_success": "1.5"}, "Probability of success"),
        ({"horizon_years": "many"}, "Horizon (years)"),
        ({"impact": "0.7"}, "Impact"),
        ({"business_value": "4"}, "User-business value"),
        ({"needs-0-weight": "0"}, "Need 1, Weight"),
        ({"needs-0-engineering_high": "-1"}, "Need 1, Engineering (high)"),
        ({"needs-0-asset_id": "999999"}, "Need 1, data"),
        ({"needs-TOTAL_FORMS": "x"}, "ManagementForm"),
    ],
)
def test_bad_input_shows_the_forms_errors_in_the_panel(
    client_for, pm_user, value_chain, overrides, shown
):
    data = with_needs(
        idea_data(),
        {"name": "sales", "asset_type": "feature", "asset_id": str(value_chain.feature.pk)},
    )
    data.update(overrides)
    response = client_for(pm_user).post(reverse("idea-preview-new"), data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-preview="invalid"' in html and 'role="alert"' in html
    assert shown in html
    assert response.context["report"] is None


def test_without_javascript_the_preview_button_renders_the_form_with_the_preview(
    client_for, pm_user, value_chain
):
    client = client_for(pm_user)
    page = client.get(reverse("idea-create")).content.decode()
    # the form still posts to itself; the preview is a second button and an htmx panel
    assert '<form method="post" id="idea-form"' in page
    assert f'formaction="{reverse("idea-preview-new")}"' in page
    assert f'hx-post="{reverse("idea-preview-new")}"' in page
    response = client.post(reverse("idea-preview-new"), new_idea_data(value_chain))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="idea-form"' in html and 'data-preview="report"' in html
    assert 'value="Churn alerts"' in html  # what was typed stays in the form
    assert not m.Idea.objects.filter(title="Churn alerts").exists()


def test_only_who_may_edit_the_idea_previews_it(client_for, other_pm, exec_user, value_chain):
    data = new_idea_data(value_chain)
    url = reverse("idea-preview", args=[value_chain.idea.pk])
    assert client_for(other_pm).post(url, data, **HTMX).status_code == 403
    assert client_for(exec_user).post(reverse("idea-preview-new"), data, **HTMX).status_code == 403
    assert client_for(other_pm).get(reverse("idea-preview-new")).status_code == 405


@pytest.mark.parametrize(
    "garbage",
    [
        {},
        {"needs-TOTAL_FORMS": "lots"},
        {"needs-TOTAL_FORMS": "100000", "needs-INITIAL_FORMS": "0"},
        {"title": "x" * 5000, "horizon_years": "1e309", "needs-INITIAL_FORMS": "-3"},
        idea_data(benefit_low="1e308", benefit_likely="1e308", benefit_high="1e308"),
        idea_data(reach="1e309", confidence="nan"),
    ],
)
def test_preview_garbage_never_breaks_the_panel(client_for, pm_user, garbage):
    for headers in (HTMX, {}):
        response = client_for(pm_user).post(reverse("idea-preview-new"), garbage, **headers)
        assert response.status_code == 200
    assert m.Idea.objects.count() == 0
