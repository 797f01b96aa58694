"""Every core model's admin renders for a superuser, with the demo company loaded."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from valuechain import models as m

pytestmark = pytest.mark.django_db

CORE_MODELS = [
    m.Role,
    m.TierProfile,
    m.Feature,
    m.CuratedDataset,
    m.RawSource,
    m.AcquisitionOption,
    m.Idea,
    m.Need,
    m.StakeholderAssignment,
    m.SimulationRun,
    m.PortfolioRun,
]


@pytest.fixture
def admin_client_with_demo(staff_user) -> Client:
    call_command("load_demo", stdout=None)
    client = Client()
    client.force_login(staff_user)
    return client


def _url(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_core_model_is_registered():
    for model in CORE_MODELS:
        assert admin.site.is_registered(model), model.__name__


@pytest.mark.parametrize("model", CORE_MODELS, ids=lambda model: model.__name__)
def test_changelist_add_and_change_pages_render(admin_client_with_demo, model):
    client = admin_client_with_demo
    changelist = client.get(_url(model, "changelist"))
    assert changelist.status_code == 200
    assert client.get(_url(model, "changelist"), {"q": "a"}).status_code == 200
    if admin.site._registry[model].has_add_permission(changelist.wsgi_request):
        assert client.get(_url(model, "add")).status_code == 200
    row = model._default_manager.first()
    if row is not None:
        assert client.get(_url(model, "change", row.pk)).status_code == 200


def test_idea_page_shows_needs_stakeholders_and_the_roi(admin_client_with_demo):
    idea = m.Idea.objects.get(title="Payment fraud scoring")
    page = admin_client_with_demo.get(_url(m.Idea, "change", idea.pk)).content.decode()
    assert "Payment method risk" in page  # a need, inline
    assert "stakeholders-TOTAL_FORMS" in page  # the assignment inline
    assert "negative from tier 4" in page
    assert "best stop at tier 2" in page


def test_feature_lineage_is_edited_with_a_horizontal_filter(admin_client_with_demo):
    feature = m.Feature.objects.get(name="days_of_cover")
    page = admin_client_with_demo.get(_url(m.Feature, "change", feature.pk)).content.decode()
    assert "selectfilter" in page.lower()
    assert "inventory_snapshots" in page


def test_changelist_filters_by_availability(admin_client_with_demo):
    page = admin_client_with_demo.get(_url(m.Feature, "changelist"), {"available__exact": "0"})
    names = {feature.name for feature in page.context["cl"].result_list}
    assert names == set(m.Feature.objects.filter(available=False).values_list("name", flat=True))
    assert "days_of_cover" in names and "product_price" not in names


def test_tier_profile_defaults_are_editable_from_the_list(admin_client_with_demo):
    client = admin_client_with_demo
    profiles = list(m.TierProfile.objects.order_by("tier"))
    data = {
        "form-TOTAL_FORMS": str(len(profiles)),
        "form-INITIAL_FORMS": str(len(profiles)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i, profile in enumerate(profiles):
        data |= {
            f"form-{i}-tier": str(profile.tier),
            f"form-{i}-label": profile.label,
            f"form-{i}-investment_band": profile.investment_band,
            f"form-{i}-default_feasibility": "0.5"
            if profile.tier == 3
            else str(profile.default_feasibility),
        }
    response = client.post(_url(m.TierProfile, "changelist"), data)
    assert response.status_code == 302
    assert m.TierProfile.objects.get(tier=3).default_feasibility == 0.5


def test_a_need_without_an_asset_is_refused_in_the_idea_form(admin_client_with_demo):
    idea = m.Idea.objects.get(title="Cart abandonment nudges")
    before = idea.needs.count()
    url = _url(m.Idea, "change", idea.pk)
    page = admin_client_with_demo.get(url)
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {
        "owner": str(idea.owner_id),
        "needs-TOTAL_FORMS": "1",
        "needs-INITIAL_FORMS": "0",
        "needs-0-name": "orphan",
        "needs-0-engineering_low": "0",
        "needs-0-engineering_likely": "0",
        "needs-0-engineering_high": "0",
        "needs-0-weight": "1",
        "stakeholders-TOTAL_FORMS": "0",
        "stakeholders-INITIAL_FORMS": "0",
    }
    response = admin_client_with_demo.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    errors = [inline.formset.errors for inline in response.context["inline_admin_formsets"]]
    assert "exactly one asset" in str(errors), errors
    assert idea.needs.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0x10", "1e309", "NaN", "9" * 30, "\ufffd\ufffd"])
def test_an_autocomplete_value_that_is_no_id_is_refused_on_its_field(admin_client_with_demo, value):
    # These values were a server error: the picker looked them up to show the form again.
    response = admin_client_with_demo.post(
        _url(m.Feature, "add"), {"name": "odd owner", "owner": value}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not m.Feature.objects.filter(name="odd owner").exists()


@pytest.mark.django_db
def test_a_list_edit_of_an_id_no_column_can_hold_is_a_bad_request(admin_client_with_demo):
    response = admin_client_with_demo.post(
        _url(m.TierProfile, "changelist"),
        {
            "_save": "Save",
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-tier": "9" * 30,
            "form-0-label": "Raw",
            "form-0-investment_band": "low",
        },
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_an_action_on_an_id_no_column_can_hold_is_a_bad_request(admin_client_with_demo):
    response = admin_client_with_demo.post(
        _url(m.StakeholderAssignment, "changelist"),
        {"action": "delete_selected", "_selected_action": ["9" * 30]},
    )
    assert response.status_code == 400
    assert m.StakeholderAssignment.objects.exists()
