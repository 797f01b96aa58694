"""The catalogue's write services: refusals name the field and write nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from tests.factories import (
    AcquisitionOptionFactory,
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
    RoleFactory,
)
from valuechain import models as m
from valuechain.catalogue import services
from valuechain.estimates import EstimateInput

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


def test_roles_are_written_through_the_services_and_kept_while_in_use():
    role = services.create_role(changes={"name": "Analyst", "day_rate": 400.0})
    with pytest.raises(ValidationError) as refused:
        services.create_role(changes={"name": "Analyst", "day_rate": 500.0})
    assert "name" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.update_role(role=role, changes={"day_rate": -1.0})
    assert "day_rate" in refused.value.message_dict
    services.update_role(role=role, changes={"day_rate": 450.0, "description": "Reads data"})
    role.refresh_from_db()
    assert (role.day_rate, role.description) == (450.0, "Reads data")
    NeedFactory(idea=IdeaFactory(), engineering_days_role=role)
    with pytest.raises(ProtectedError):
        services.delete_role(role=role)
    assert m.Role.objects.filter(pk=role.pk).exists()


def test_a_tier_profile_update_sets_its_default_roles_or_changes_nothing():
    profile = m.TierProfile.objects.get(tier=2)
    engineer, steward = RoleFactory(), RoleFactory()
    roles = list(m.Role.objects.filter(pk__in=[engineer.pk, steward.pk]))
    services.update_tier_profile(
        profile=profile, changes={"default_roles": roles, "default_feasibility": 0.8}
    )
    profile.refresh_from_db()
    assert set(profile.default_roles.all()) == {engineer, steward}
    assert profile.default_feasibility == 0.8
    with pytest.raises(ValidationError) as refused:
        services.update_tier_profile(
            profile=profile, changes={"default_roles": [], "default_feasibility": 1.5}
        )
    assert "default_feasibility" in refused.value.message_dict
    profile.refresh_from_db()
    assert set(profile.default_roles.all()) == {engineer, steward}
    assert profile.default_feasibility == 0.8
