"""The write services the API and the pages share: refusals name the field, write nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.factories import (
    AcquisitionOptionFactory,
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    RawSourceFactory,
    RoleFactory,
    StakeholderAssignmentFactory,
    UserFactory,
)
from valuechain import models as m
from valuechain import services
from valuechain.services import EstimateInput

pytestmark = pytest.mark.django_db


def test_create_asset_links_lineage_by_id():
    option = AcquisitionOptionFactory()
    raw = services.create_asset(
        asset_type="raw_source",
        changes={
            "name": "clicks",
            "acquisition_option": option.pk,
            "build": EstimateInput(1, 2, 3),
        },
    )
    curated = services.create_asset(
        asset_type="curated_dataset", changes={"name": "sessions", "raw_sources": [raw.pk]}
    )
    assert raw.acquisition_option == option
    assert list(curated.raw_sources.all()) == [raw]
    assert raw.build_likely == 2


@pytest.mark.parametrize(
    ("asset_type", "changes", "field"),
    [
        ("feature", {"curated_datasets": ["RAW"]}, "curated_datasets"),
        ("feature", {"acquisition_option": 1}, "acquisition_option"),
        ("raw_source", {"raw_sources": []}, "raw_sources"),
        ("acquisition_option", {"available": True}, "available"),
        ("feature", {"build": EstimateInput(3, 2, 1)}, "build_estimate"),
        ("feature", {"run": EstimateInput(1, 2, 3, days_role_id=999999)}, "run_cost_estimate"),
        ("feature", {"provider": "x"}, "provider"),
        ("spreadsheet", {}, "asset_type"),
    ],
)
def test_create_asset_refusals_name_the_field(asset_type, changes, field):
    raw = RawSourceFactory()
    before = {model: model.objects.count() for model in m.ASSET_MODELS.values()}
    changes = {key: ([raw.pk] if value == ["RAW"] else value) for key, value in changes.items()}
    with pytest.raises(ValidationError) as refused:
        services.create_asset(asset_type=asset_type, changes={"name": "x", **changes})
    assert field in refused.value.message_dict
    assert {model: model.objects.count() for model in m.ASSET_MODELS.values()} == before


def test_update_asset_with_a_missing_input_changes_nothing():
    curated = CuratedDatasetFactory()
    feature = FeatureFactory(name="kept", curated_datasets=[curated])
    with pytest.raises(ValidationError):
        services.update_asset(
            asset=feature, changes={"name": "renamed", "curated_datasets": [curated.pk, 999999]}
        )
    feature.refresh_from_db()
    assert feature.name == "kept"
    assert list(feature.curated_datasets.all()) == [curated]


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
