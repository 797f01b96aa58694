"""The bulk path of the catalogue import: rows checked together, written per kind in a few
statements, all or nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import IntegrityError, connection

from tests.factories import (
    AcquisitionOptionFactory,
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
    RoleFactory,
    UserFactory,
)
from valuechain import models as m
from valuechain.catalogue.bulk import database as bulk
from valuechain.catalogue.bulk import statements, writing
from valuechain.catalogue.bulk.document import AssetRow


def run(records: list[dict[str, Any]], *, dry_run: bool = False) -> Any:
    data = json.dumps({"assets": records}).encode()
    return bulk.import_catalogue(data=data, fmt="json", dry_run=dry_run)


def estimate(prefix: str, low: float, likely: float, high: float) -> dict[str, float]:
    return {f"{prefix}_low": low, f"{prefix}_likely": likely, f"{prefix}_high": high}


def catalogue() -> list[dict[str, Any]]:
    """What an export shows: every field and every lineage link of every asset."""
    return bulk.export_records()


def mixed_file_with_lineage() -> list[dict[str, Any]]:
    """Creates a chain from vendor to feature, updates two existing assets and relinks one."""
    return [
        {"kind": "feature", "name": "Churn score", "upstream": ["Orders golden"]},
        {"kind": "feature", "name": "Basket size", "description": "new", "online": True},
        {
            "kind": "curated_dataset",
            "name": "Orders golden",
            "upstream": ["Orders raw", "Old raw"],
            **estimate("run", 10, 20, 30),
        },
        {"kind": "raw_source", "name": "Orders raw", "upstream": ["Orders vendor"]},
        {
            "kind": "acquisition_option",
            "name": "Orders vendor",
            "provider": "Acme",
            "owner": "lead",
            **estimate("build", 100, 200, 400),
            "build_days_role": "Data engineer",
        },
    ]


def check_mixed_import() -> None:
    lead = UserFactory(username="lead")
    role = RoleFactory(name="Data engineer")
    old_raw = RawSourceFactory(name="Old raw")
    curated = CuratedDatasetFactory(name="Customers")
    churn = FeatureFactory(
        name="Churn score", build_low=1, build_likely=2, build_high=3, curated_datasets=[curated]
    )
    basket = FeatureFactory(name="Basket size", run_low=5, run_likely=5, run_high=5)
    need = NeedFactory(idea=IdeaFactory(), feature=churn)

    report = run(mixed_file_with_lineage())

    assert report.ok, report.errors
    assert [(row.name, row.action) for row in report.rows] == [
        ("Churn score", "update"),
        ("Basket size", "update"),
        ("Orders golden", "create"),
        ("Orders raw", "create"),
        ("Orders vendor", "create"),
    ]
    churn.refresh_from_db()
    basket.refresh_from_db()
    # Updated in place: same ids, so the need still points at its feature.
    need.refresh_from_db()
    assert need.feature_id == churn.pk
    # Lineage to rows created in the same file, replacing what was there.
    golden = m.CuratedDataset.objects.get(name="Orders golden")
    assert [c.name for c in churn.curated_datasets.all()] == ["Orders golden"]
    assert sorted(r.name for r in golden.raw_sources.all()) == ["Old raw", "Orders raw"]
    assert m.RawSource.objects.get(name="Orders raw").acquisition_option.name == "Orders vendor"
    assert old_raw.curated_datasets.get() == golden
    # A column a row leaves out stays as it was, even when another row of the kind gives it.
    assert (churn.build_low, churn.build_likely, churn.build_high) == (1, 2, 3)
    assert (basket.description, basket.online, basket.run_likely) == ("new", True, 5)
    assert (golden.run_low, golden.run_likely, golden.run_high) == (10, 20, 30)
    vendor = m.AcquisitionOption.objects.get(name="Orders vendor")
    assert (vendor.owner, vendor.build_days_role, vendor.provider) == (lead, role, "Acme")
    assert vendor.created_at is not None and vendor.updated_at is not None
    assert basket.updated_at > basket.created_at


@pytest.mark.django_db
def test_one_file_creates_updates_and_links_to_rows_it_creates():
    check_mixed_import()


@pytest.mark.postgres
@pytest.mark.django_db
def test_one_file_creates_updates_and_links_on_postgresql(postgres):
    assert connection.vendor == "postgresql"
    check_mixed_import()


@pytest.mark.django_db
def test_an_import_again_of_the_same_file_changes_nothing():
    UserFactory(username="lead")
    RoleFactory(name="Data engineer")
    RawSourceFactory(name="Old raw")
    FeatureFactory(name="Basket size")
    assert run(mixed_file_with_lineage()).ok
    before = catalogue()
    stamps = sorted(m.Feature.objects.values_list("updated_at", flat=True))

    report = run(mixed_file_with_lineage())

    assert report.ok and {row.action for row in report.rows} == {"unchanged"}
    assert catalogue() == before
    assert sorted(m.Feature.objects.values_list("updated_at", flat=True)) == stamps


@pytest.mark.django_db
def test_a_bad_last_row_of_a_large_file_leaves_the_catalogue_as_it_was():
    FeatureFactory(name="feature 3", description="kept")
    before = catalogue()
    records: list[dict[str, Any]] = [
        {"kind": "feature", "name": f"feature {i}", "description": "changed"} for i in range(500)
    ]
    records.append({"kind": "feature", "name": "broken", **estimate("build", 3, 2, 1)})

    report = run(records)

    assert [(e.row, e.column) for e in report.errors] == [(501, "build_likely")]
    assert not report.rows
    assert catalogue() == before


@pytest.mark.django_db
def test_a_write_the_database_refuses_leaves_the_catalogue_as_it_was(monkeypatch):
    CuratedDatasetFactory(name="Orders golden")
    before = catalogue()

    def refuse(*args: object) -> None:
        raise IntegrityError("a role was deleted meanwhile")

    # Assets of every kind are written before the feature links fail.
    monkeypatch.setattr(statements, "insert_links", refuse)
    report = run(
        [
            {"kind": "acquisition_option", "name": "Vendor"},
            {"kind": "raw_source", "name": "Raw", "upstream": ["Vendor"]},
            {"kind": "curated_dataset", "name": "Orders golden", "upstream": ["Raw"]},
            {"kind": "feature", "name": "Basket size", "upstream": ["Orders golden"]},
        ]
    )

    assert [(e.row, e.problem) for e in report.errors] == [(0, bulk.REFUSED)]
    assert catalogue() == before


@pytest.mark.django_db
def test_a_dry_run_of_a_mixed_file_plans_every_row_and_writes_nothing():
    UserFactory(username="lead")
    RoleFactory(name="Data engineer")
    RawSourceFactory(name="Old raw")
    FeatureFactory(name="Basket size")
    before = catalogue()

    report = run(mixed_file_with_lineage(), dry_run=True)

    assert report.ok and report.count("create") == 4 and report.count("update") == 1
    assert catalogue() == before


@pytest.mark.django_db
def test_each_row_is_held_to_its_models_field_rules():
    """What the models refuse is reported on the row and field, as `full_clean` reported it."""
    feature = {**writing.new_state(m.Feature), "name": "x" * 201, "feasibility": 2.0}
    vendor = {**writing.new_state(m.AcquisitionOption), "name": "Vendor", "available": True}
    rows = [
        writing.Pending(AssetRow(7, "feature", "x"), feature, frozenset(), created=True),
        writing.Pending(
            AssetRow(9, "acquisition_option", "Vendor"), vendor, frozenset(), created=True
        ),
    ]

    errors = writing.model_problems(rows)

    found = {(e.row, e.column) for e in errors}
    assert found == {(7, "name"), (7, "feasibility"), (9, "available")}
    assert all(e.problem for e in errors)


@pytest.mark.django_db
def test_a_name_twice_in_the_file_and_a_missing_input_are_refused_before_writing():
    AcquisitionOptionFactory(name="Vendor")
    report = run(
        [
            {"kind": "raw_source", "name": "Raw", "upstream": ["Vendor"]},
            {"kind": "raw_source", "name": "Raw"},
            {"kind": "feature", "name": "Feature", "upstream": ["Raw"]},
        ]
    )

    assert [(e.row, e.column) for e in report.errors] == [(2, "name"), (3, "upstream")]
    assert not m.RawSource.objects.exists()
