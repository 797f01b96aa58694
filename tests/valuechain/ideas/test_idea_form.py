"""Creating and editing ideas with their needs: validation on the fields, atomic writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from valuechain import models as m


def idea_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Churn alerts",
        "description": "",
        "status": "proposed",
        "benefit_low": "40000",
        "benefit_likely": "60000",
        "benefit_high": "90000",
        "probability_of_success": "0.6",
        "horizon_years": "3",
        "discount_rate": "0.1",
        "needs-TOTAL_FORMS": "0",
        "needs-INITIAL_FORMS": "0",
        "needs-MIN_NUM_FORMS": "0",
        "needs-MAX_NUM_FORMS": "50",
    }
    data.update(overrides)
    return data


def with_needs(data: dict[str, Any], *needs: dict[str, Any], initial: int = 0) -> dict[str, Any]:
    data = dict(data)
    data["needs-TOTAL_FORMS"] = str(len(needs))
    data["needs-INITIAL_FORMS"] = str(initial)
    for index, need in enumerate(needs):
        fields = {
            "name": f"signal {index}",
            "engineering_low": "0",
            "engineering_likely": "0",
            "engineering_high": "0",
            "weight": "1",
            "essential": "on",
            **need,
        }
        for key, value in fields.items():
            if value is not None:
                data[f"needs-{index}-{key}"] = value
    return data


def field_errors(response, field: str, prefix: str = "") -> list[str]:
    context = response.context
    form = context["formset"].forms[int(prefix)] if prefix else context["form"]
    return form.errors.get(field, [])


@pytest.mark.django_db
def test_a_pm_creates_an_idea_with_needs_on_several_tiers(client_for, pm_user, value_chain):
    data = with_needs(
        idea_data(),
        {"name": "tenure", "asset_type": "feature", "asset_id": str(value_chain.feature.pk)},
        {
            "name": "footfall",
            "asset_type": "curated_dataset",
            "asset_id": str(value_chain.new_curated.pk),
            "weight": "0.5",
            "essential": None,
            "engineering_low": "1000",
            "engineering_likely": "2000",
            "engineering_high": "4000",
        },
    )
    response = client_for(pm_user).post(reverse("idea-create"), data)
    idea = m.Idea.objects.get(title="Churn alerts")
    assert response.status_code == 302
    assert response["Location"] == reverse("idea-detail", args=[idea.pk])
    assert idea.owner == pm_user
    needs = list(idea.needs.order_by("id"))
    assert [(n.name, n.asset_type, n.asset_id) for n in needs] == [
        ("tenure", "feature", value_chain.feature.pk),
        ("footfall", "curated_dataset", value_chain.new_curated.pk),
    ]
    assert needs[1].essential is False and needs[1].engineering_high == 4000


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("benefit_likely", "10000", "low <= likely <= high"),
        ("benefit_low", "-5", "greater than or equal to 0"),
        ("probability_of_success", "1.5", "less than or equal to 1"),
        ("probability_of_success", "-0.1", "greater than or equal to 0"),
        ("horizon_years", "0", "greater than or equal to 1"),
        ("horizon_years", "31", "less than or equal to 30"),
        ("discount_rate", "1.2", "less than or equal to 1"),
        ("discount_rate", "ten", "Enter a number"),
        ("title", "", "required"),
    ],
)
@pytest.mark.django_db
def test_bad_idea_input_is_shown_on_its_field_and_nothing_is_written(
    client_for, pm_user, value_chain, field, value, fragment
):
    before = m.Idea.objects.count()
    data = with_needs(
        idea_data(**{field: value}),
        {"asset_type": "feature", "asset_id": str(value_chain.feature.pk)},
    )
    response = client_for(pm_user).post(reverse("idea-create"), data)
    assert response.status_code == 200
    errors = field_errors(response, field)
    assert any(fragment in error for error in errors), errors
    assert f'id="id_{field}_errors"' in response.content.decode()
    assert m.Idea.objects.count() == before
    assert m.Need.objects.count() == 4  # only the fixture's


@pytest.mark.parametrize(
    ("need", "field", "fragment"),
    [
        (
            {"engineering_low": "500", "engineering_likely": "100", "engineering_high": "900"},
            "engineering_likely",
            "low <= likely <= high",
        ),
        (
            {"engineering_low": "-1", "engineering_likely": "0", "engineering_high": "0"},
            "engineering_low",
            "greater than or equal to 0",
        ),
        ({"weight": "0"}, "weight", "greater than 0"),
        ({"weight": "-2"}, "weight", "greater than 0"),
        ({"asset_type": None, "asset_id": None}, "asset_type", "Pick the data"),
        ({"asset_id": "999999"}, "asset_id", "not in the catalogue"),
        ({"asset_type": "spreadsheet"}, "asset_type", "valid choice"),
        ({"asset_id": "abc"}, "asset_id", "whole number"),
        ({"asset_id": str(10**30)}, "asset_id", "not in the catalogue"),
        ({"weight": "nan"}, "weight", "Enter a number"),
    ],
)
@pytest.mark.django_db
def test_a_bad_need_keeps_the_whole_idea_unwritten(
    client_for, pm_user, value_chain, need, field, fragment
):
    before = m.Idea.objects.count()
    good = {"name": "ok", "asset_type": "feature", "asset_id": str(value_chain.feature.pk)}
    bad = {**good, "name": "bad", **need}
    response = client_for(pm_user).post(reverse("idea-create"), with_needs(idea_data(), good, bad))
    assert response.status_code == 200
    errors = field_errors(response, field, prefix="1")
    assert any(fragment in error for error in errors), response.context["formset"].errors
    assert m.Idea.objects.count() == before


@pytest.mark.django_db
def test_the_picked_asset_survives_a_failed_post(client_for, pm_user, value_chain):
    data = with_needs(
        idea_data(probability_of_success="7"),
        {"asset_type": "raw_source", "asset_id": str(value_chain.raw.pk)},
    )
    html = client_for(pm_user).post(reverse("idea-create"), data).content.decode()
    assert "Point of sale log (tier 3)" in html
    assert f'value="{value_chain.raw.pk}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "garbage",
    [
        {},
        {"needs-TOTAL_FORMS": "lots"},
        {"needs-TOTAL_FORMS": "100000", "needs-INITIAL_FORMS": "0"},
        {"title": "x" * 5000, "horizon_years": "1e309", "needs-INITIAL_FORMS": "-3"},
    ],
)
def test_post_garbage_never_breaks_the_page_nor_writes(client_for, pm_user, garbage):
    response = client_for(pm_user).post(reverse("idea-create"), garbage)
    assert response.status_code in (200, 400)
    assert m.Idea.objects.count() == 0


@pytest.mark.django_db
def test_the_owner_edits_the_idea_changes_a_need_and_removes_another(
    client_for, pm_user, value_chain
):
    idea = value_chain.idea
    needs = list(idea.needs.order_by("id"))
    client = client_for(pm_user)
    page = client.get(reverse("idea-edit", args=[idea.pk])).content.decode()
    assert "Weekly sales per store (tier 1)" in page  # the picked asset is named
    entries = []
    for need in needs:
        entries.append(
            {
                "id": str(need.pk),
                "name": need.name,
                "asset_type": need.asset_type,
                "asset_id": str(need.asset_id),
                "weight": str(need.weight),
                "essential": "on" if need.essential else None,
            }
        )
    entries[0]["asset_type"], entries[0]["asset_id"] = (
        "curated_dataset",
        str(value_chain.curated.pk),
    )
    entries[3]["DELETE"] = "on"
    data = with_needs(idea_data(title="Demand forecast v2"), *entries, initial=len(needs))
    response = client.post(reverse("idea-edit", args=[idea.pk]), data)
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Demand forecast v2"
    remaining = list(idea.needs.order_by("id"))
    assert [n.pk for n in remaining] == [n.pk for n in needs[:3]]
    assert remaining[0].curated_dataset_id == value_chain.curated.pk
    assert remaining[0].feature_id is None


@pytest.mark.django_db
def test_a_need_of_another_idea_cannot_be_edited_through_this_one(client_for, pm_user, value_chain):
    from tests.factories import IdeaFactory, NeedFactory

    stranger = NeedFactory(idea=IdeaFactory(), name="someone else's")
    data = with_needs(
        idea_data(),
        {
            "id": str(stranger.pk),
            "name": "taken over",
            "asset_type": "feature",
            "asset_id": str(value_chain.feature.pk),
        },
        initial=1,
    )
    response = client_for(pm_user).post(reverse("idea-edit", args=[value_chain.idea.pk]), data)
    assert response.status_code in (200, 302)
    stranger.refresh_from_db()
    assert stranger.name == "someone else's"
    assert stranger.idea_id != value_chain.idea.pk


@pytest.mark.django_db
def test_several_need_errors_each_sit_on_their_own_field(client_for, pm_user, value_chain):
    bad = {
        "asset_type": "feature",
        "asset_id": str(value_chain.feature.pk),
        "weight": "0",
        "engineering_low": "5",
        "engineering_likely": "1",
        "engineering_high": "9",
    }
    response = client_for(pm_user).post(reverse("idea-create"), with_needs(idea_data(), bad))
    errors = response.context["formset"].forms[0].errors
    assert set(errors) == {"weight", "engineering_likely"}
    assert m.Idea.objects.count() == 1


@pytest.mark.django_db
def test_need_engineering_may_be_given_in_person_days_of_a_role(client_for, pm_user, value_chain):
    role = m.Role.objects.get(name="ML engineer")
    need = {
        "asset_type": "feature",
        "asset_id": str(value_chain.feature.pk),
        "engineering_days_role": str(role.pk),
        "engineering_low": "2",
        "engineering_likely": "3",
        "engineering_high": "5",
    }
    client = client_for(pm_user)
    response = client.post(reverse("idea-create"), with_needs(idea_data(), need))
    assert response.status_code == 302
    saved = m.Need.objects.get(idea__title="Churn alerts")
    assert saved.engineering_days_role == role
    bogus = client.post(
        reverse("idea-create"),
        with_needs(idea_data(title="Other"), {**need, "engineering_days_role": "424242"}),
    )
    assert "engineering_days_role" in bogus.context["formset"].forms[0].errors


@pytest.mark.django_db
def test_the_edit_form_runs_the_same_number_of_queries_for_2_and_20_needs(client_for, pm_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import IdeaFactory, NeedFactory

    idea = IdeaFactory(owner=pm_user)
    client = client_for(pm_user)
    url = reverse("idea-edit", args=[idea.pk])
    for _ in range(2):
        NeedFactory(idea=idea)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(18):
        NeedFactory(idea=idea)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count('class="need-form') == 21  # 20 + the template
    assert len(many) == len(few)
