"""The write services of ideas, needs and stakeholders: refusals name the field, write
nothing, and an idea saved with its needs is saved whole or not at all."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.factories import (
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
    RoleFactory,
    StakeholderAssignmentFactory,
    UserFactory,
)
from valuechain import models as m
from valuechain.estimates import EstimateInput
from valuechain.ideas import services

pytestmark = pytest.mark.django_db


def test_need_prices_days_and_points_at_one_asset():
    role = RoleFactory(day_rate=500)
    idea = IdeaFactory()
    raw = RawSourceFactory()
    need = services.create_need(
        idea=idea,
        changes={
            "name": "clicks",
            "asset_type": "raw_source",
            "asset_id": raw.pk,
            "engineering": EstimateInput(1, 2, 4, days_role_id=role.pk),
            "weight": 2,
        },
    )
    assert (need.asset_type, need.asset_id, need.engineering_days_role_id) == (
        "raw_source",
        raw.pk,
        role.pk,
    )
    feature = FeatureFactory()
    services.update_need(need=need, changes={"asset_type": "feature", "asset_id": feature.pk})
    need.refresh_from_db()
    assert (need.raw_source_id, need.feature_id) == (None, feature.pk)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"asset_type": "feature", "asset_id": 999999}, "asset_id"),
        ({"asset_type": "dashboard", "asset_id": 1}, "asset_type"),
        ({"asset_type": "feature", "asset_id": "FEATURE", "weight": 0}, "weight"),
        ({}, "asset_type"),
    ],
)
def test_need_refusals_name_the_field(changes, field):
    feature = FeatureFactory()
    changes = {key: feature.pk if value == "FEATURE" else value for key, value in changes.items()}
    with pytest.raises(ValidationError) as refused:
        services.create_need(idea=IdeaFactory(), changes={"name": "n", **changes})
    assert field in refused.value.message_dict
    assert not m.Need.objects.exists()


def test_idea_refuses_unknown_changes_and_out_of_range_values():
    owner = UserFactory()
    idea = services.create_idea(
        owner=owner, changes={"title": "t", "benefit": EstimateInput(1, 2, 3)}
    )
    with pytest.raises(ValidationError) as refused:
        services.update_idea(idea=idea, changes={"colour": "red"})  # type: ignore[typeddict-unknown-key]
    assert "colour" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.update_idea(idea=idea, changes={"benefit": EstimateInput(1, 2, 3, days_role_id=1)})
    assert "benefit_estimate" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.update_idea(idea=idea, changes={"horizon_years": 31})
    assert "horizon_years" in refused.value.message_dict
    idea.refresh_from_db()
    assert idea.horizon_years == 3


def test_assigning_the_same_person_twice_is_refused():
    assignment = m.StakeholderAssignment.objects.get(pk=StakeholderAssignmentFactory().pk)
    with pytest.raises(ValidationError):
        services.assign_stakeholder(
            changes={
                "idea": assignment.idea,
                "tier": assignment.tier,
                "role": assignment.role,
                "person": assignment.person,
            }
        )
    assert m.StakeholderAssignment.objects.count() == 1


def _needs_of(idea):
    return list(
        m.Need.objects.filter(idea=idea)
        .order_by("id")
        .values_list("name", "feature_id", "raw_source_id", "weight")
    )


def test_an_idea_is_created_with_its_needs_in_one_go():
    owner, feature, raw = UserFactory(), FeatureFactory(), RawSourceFactory()
    idea = services.save_idea_with_needs(
        idea=m.Idea(owner=owner),
        changes={"title": "Churn", "benefit": EstimateInput(1, 2, 3)},
        needs=[
            services.NeedEdit(
                changes={"name": "scores", "asset_type": "feature", "asset_id": feature.pk}
            ),
            services.NeedEdit(
                changes={
                    "name": "clicks",
                    "asset_type": "raw_source",
                    "asset_id": raw.pk,
                    "weight": 2,
                }
            ),
        ],
    )
    assert (idea.title, idea.owner) == ("Churn", owner)
    assert _needs_of(idea) == [("scores", feature.pk, None, 1.0), ("clicks", None, raw.pk, 2.0)]


def test_a_refused_need_leaves_the_idea_and_its_needs_as_they_were():
    idea = IdeaFactory(title="Kept")
    kept = NeedFactory(idea=idea, name="kept", feature=FeatureFactory())
    gone = NeedFactory(idea=idea, name="gone", feature=FeatureFactory())
    before = _needs_of(idea)
    with pytest.raises(services.NeedRefused) as refused:
        services.save_idea_with_needs(
            idea=idea,
            changes={"title": "Renamed"},
            needs=[
                services.NeedEdit(need=kept, changes={"name": "renamed", "weight": 5}),
                services.NeedEdit(need=gone),
                services.NeedEdit(
                    changes={"name": "bad", "asset_type": "feature", "asset_id": 999999}
                ),
            ],
        )
    assert refused.value.index == 2
    assert "asset_id" in refused.value.error.message_dict
    assert m.Idea.objects.get(pk=idea.pk).title == "Kept"
    assert _needs_of(idea) == before


def test_a_refused_new_idea_writes_none_of_its_needs():
    feature = FeatureFactory()
    with pytest.raises(ValidationError) as refused:
        services.save_idea_with_needs(
            idea=m.Idea(owner=UserFactory()),
            changes={"title": "Too long", "horizon_years": 31},
            needs=[
                services.NeedEdit(
                    changes={"name": "scores", "asset_type": "feature", "asset_id": feature.pk}
                )
            ],
        )
    assert "horizon_years" in refused.value.message_dict
    assert not m.Idea.objects.exists() and not m.Need.objects.exists()
