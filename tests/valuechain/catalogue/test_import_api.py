"""Bulk import and export of the catalogue through /api/catalogue/."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

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
from valuechain.catalogue.bulk.document import MAX_BYTES, MAX_ROWS

IMPORT = "/api/catalogue/import/"
EXPORT = "/api/catalogue/export/"

CSV = (
    "kind,name,owner,available,feasibility,build_low,build_likely,build_high,build_days_role,"
    "run_low,run_likely,run_high,run_days_role,upstream,provider,is_current\n"
    "feature,Basket size,lead-test,false,0.9,2,3,5,Data scientist,0,0,0,,Orders golden,,\n"
    "curated_dataset,Orders golden,,true,,0,0,0,,100,100,100,,Orders raw;Clicks raw,,\n"
    "raw_source,Orders raw,,true,,1000,2000,4000,,0,0,0,,,,true\n"
    "raw_source,Clicks raw,,false,,10,20,30,,0,0,0,,Click vendor,,no\n"
    "acquisition_option,Click vendor,,false,,50000,60000,90000,,5000,5000,5000,,,Acme,\n"
)


def upload(data: str | bytes, name: str = "catalogue.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data.encode() if isinstance(data, str) else data)


def catalogue_state() -> list[tuple]:
    """Everything a user sees of the catalogue, without ids."""
    state = []
    for kind, model in m.ASSET_MODELS.items():
        for asset in model._default_manager.order_by("name"):
            record = bulk._record(asset, dict(m.Role.objects.values_list("id", "name")))
            state.append((kind, tuple(sorted((k, str(v)) for k, v in record.items()))))
    return sorted(state)


@pytest.fixture
def roles(db):
    return RoleFactory(name="Data scientist", day_rate=900)


@pytest.mark.django_db
def test_a_data_lead_imports_a_csv_catalogue_with_lineage(api_client_for, lead_user, roles):
    response = api_client_for(lead_user).post(IMPORT, {"file": upload(CSV)}, format="multipart")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["dry_run"], body["created"], body["updated"]) == (False, 5, 0)
    assert [row["row"] for row in body["rows"]] == [2, 3, 4, 5, 6]
    feature = m.Feature.objects.get(name="Basket size")
    assert feature.owner == lead_user and feature.feasibility == 0.9
    assert (feature.build_low, feature.build_likely, feature.build_high) == (2, 3, 5)
    assert feature.build_days_role == roles
    assert [c.name for c in feature.curated_datasets.all()] == ["Orders golden"]
    golden = m.CuratedDataset.objects.get(name="Orders golden")
    assert sorted(r.name for r in golden.raw_sources.all()) == ["Clicks raw", "Orders raw"]
    clicks = m.RawSource.objects.get(name="Clicks raw")
    assert clicks.acquisition_option.name == "Click vendor"
    assert clicks.is_current is False
    assert m.RawSource.objects.get(name="Orders raw").is_current is True
    assert m.AcquisitionOption.objects.get(name="Click vendor").provider == "Acme"


@pytest.mark.django_db
def test_a_json_body_imports_and_upserts_by_kind_and_name(api_client_for, lead_user):
    existing = FeatureFactory(
        name="Churn score", available=False, build_low=1, build_likely=1, build_high=1
    )
    curated = CuratedDatasetFactory(name="Customers")
    document = {
        "assets": [
            {
                "kind": "feature",
                "name": "Churn score",
                "available": True,
                "upstream": ["Customers"],
            },
            {
                "kind": "feature",
                "name": "Tenure",
                "build_low": 1,
                "build_likely": 2,
                "build_high": 3,
            },
        ]
    }
    response = api_client_for(lead_user).post(IMPORT, document, format="json")
    assert response.status_code == 200, response.json()
    assert [(r["name"], r["action"]) for r in response.json()["rows"]] == [
        ("Churn score", "update"),
        ("Tenure", "create"),
    ]
    existing.refresh_from_db()
    assert existing.available is True
    # Columns the record leaves out stay as they were.
    assert existing.build_likely == 1
    assert list(existing.curated_datasets.all()) == [curated]
    assert m.Feature.objects.count() == 2


@pytest.mark.django_db
def test_yaml_is_read_safely(api_client_for, lead_user):
    document = "assets:\n  - kind: acquisition_option\n    name: Weather feed\n    provider: Met\n"
    response = api_client_for(lead_user).post(
        IMPORT, {"file": upload(document, "catalogue.yaml")}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    assert m.AcquisitionOption.objects.get(name="Weather feed").provider == "Met"
    evil = "!!python/object/apply:os.system ['touch /tmp/pwned']\n"
    response = api_client_for(lead_user).post(
        IMPORT, {"file": upload(evil, "evil.yml")}, format="multipart"
    )
    assert response.status_code == 400
    assert "YAML" in response.json()["file"][0]


@pytest.mark.django_db
def test_a_dry_run_reports_each_row_and_writes_nothing(api_client_for, lead_user, roles):
    FeatureFactory(name="Basket size")
    client = api_client_for(lead_user)
    response = client.post(IMPORT, {"file": upload(CSV), "dry_run": "true"}, format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert body["dry_run"] is True
    assert (body["created"], body["updated"]) == (4, 1)
    assert body["rows"][0] == {
        "row": 2,
        "kind": "feature",
        "name": "Basket size",
        "action": "update",
    }
    assert m.CuratedDataset.objects.count() == 0
    assert m.Feature.objects.get(name="Basket size").feasibility is None
    response = client.post(f"{IMPORT}?dry_run=1", [{"kind": "feature", "name": "x"}], format="json")
    assert response.json()["dry_run"] is True and not m.Feature.objects.filter(name="x").exists()


@pytest.mark.django_db
def test_one_bad_row_writes_nothing_and_every_problem_is_listed(api_client_for, lead_user, roles):
    bad = CSV + (
        "feature,Broken,ghost,sometimes,2,3,2,1,Astronaut,0,0,0,,Nowhere,,\n"
        "raw_source,Clicks raw,,true,,1,1,1,,0,0,0,,,,\n"
    )
    response = api_client_for(lead_user).post(IMPORT, {"file": upload(bad)}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    found = {(e["row"], e["column"]) for e in errors}
    # Row 7 cannot be read; row 8 repeats row 5. References are checked on readable rows.
    assert found == {(7, "available"), (7, "feasibility"), (7, "build_likely"), (8, "name")}
    assert all(e["problem"] for e in errors)
    assert "nothing was imported" in response.json()["detail"]
    assert m.Feature.objects.count() == m.RawSource.objects.count() == 0


@pytest.mark.django_db
def test_reference_problems_of_a_parsed_row_are_all_reported(api_client_for, lead_user, roles):
    bad = CSV + "feature,Broken,ghost,,,1,1,1,Astronaut,0,0,0,,Nowhere,,\n"
    response = api_client_for(lead_user).post(IMPORT, {"file": upload(bad)}, format="multipart")
    assert response.status_code == 400
    found = {(e["row"], e["column"]) for e in response.json()["errors"]}
    assert found == {(7, "owner"), (7, "build_days_role"), (7, "upstream")}
    assert m.AcquisitionOption.objects.count() == 0


@pytest.mark.django_db
def test_lineage_to_an_upstream_of_the_wrong_kind_is_refused(api_client_for, lead_user):
    RawSourceFactory(name="POS log")
    document = [{"kind": "feature", "name": "f", "upstream": ["POS log"]}]
    response = api_client_for(lead_user).post(IMPORT, document, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["row"], error["column"]) == (1, "upstream")
    assert "'POS log' is a raw source" in error["problem"]


@pytest.mark.django_db
def test_unknown_columns_are_refused(api_client_for, lead_user):
    response = api_client_for(lead_user).post(
        IMPORT, {"file": upload("kind,name,colour\nfeature,f,red\n")}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 1, "column": "colour", "problem": "Unknown column."}
    ]
    assert not m.Feature.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_size_bound_is_a_413(api_client_for, lead_user):
    big = "kind,name,description\n" + "feature,f,{}\n".format("x" * (MAX_BYTES))
    client = api_client_for(lead_user)
    response = client.post(IMPORT, {"file": upload(big)}, format="multipart")
    assert response.status_code == 413
    response = client.post(IMPORT, big.encode(), content_type="text/csv")
    assert response.status_code == 413
    assert not m.Feature.objects.exists()


@pytest.mark.django_db
def test_too_many_rows_is_a_400(api_client_for, lead_user):
    rows = "".join(f"feature,f{i}\n" for i in range(MAX_ROWS + 1))
    response = api_client_for(lead_user).post(
        IMPORT, {"file": upload("kind,name\n" + rows)}, format="multipart"
    )
    assert response.status_code == 400
    assert "5000 rows" in response.json()["file"][0]
    assert not m.Feature.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "kwargs", "field"),
    [
        ({}, {"format": "multipart"}, "file"),
        ({"file": upload(b"\xff\xfe")}, {"format": "multipart"}, "file"),
        ({"file": upload("kind,name\n"), "format": "xml"}, {"format": "multipart"}, "format"),
        (b"[1,", {"content_type": "application/json"}, "file"),
        (b'{"assets": 3}', {"content_type": "application/json"}, "file"),
    ],
)
def test_unreadable_input_is_a_400_naming_the_field(
    api_client_for, lead_user, payload, kwargs, field
):
    response = api_client_for(lead_user).post(IMPORT, payload, **kwargs)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("pm_user", 403),
        ("exec_user", 403),
        ("lead_user", 200),
        ("staff_user", 200),
    ],
)
def test_only_data_leads_and_staff_import(request, api_client_for, who, status):
    user = request.getfixturevalue(who) if who else None
    response = api_client_for(user).post(IMPORT, [{"kind": "feature", "name": "f"}], format="json")
    assert response.status_code == status
    assert m.Feature.objects.filter(name="f").exists() == (status == 200)


def build_catalogue(lead) -> None:
    role = RoleFactory(name="Analytics engineer", day_rate=700)
    vendor = AcquisitionOptionFactory(
        name="Vendor; the big one",
        provider="Acme",
        build_low=1.5,
        build_likely=2.25,
        build_high=1e6,
    )
    raw = RawSourceFactory(
        name="Raw, with comma",
        acquisition_option=vendor,
        available=False,
        is_current=True,
        arrives_regularly=None,
        quality_ensurable=False,
        system="ERP",
        owner=lead,
        feasibility=0.3333333333333333,
    )
    other_raw = RawSourceFactory(name='Raw "quoted"\nsecond line', description="ünïcode")
    curated = CuratedDatasetFactory(
        name="Curated\\back",
        raw_sources=[raw, other_raw],
        run_low=1,
        run_likely=2,
        run_high=3,
        run_days_role=role,
    )
    FeatureFactory(
        name="Feature",
        curated_datasets=[curated],
        online=True,
        feature_group="g1",
        available=False,
        feasibility=0.5,
    )
    FeatureFactory(name="Lonely feature")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_gives_the_same_catalogue(api_client_for, lead_user, fmt):
    build_catalogue(lead_user)
    client = api_client_for(lead_user)
    exported = client.get(EXPORT, {"format": fmt})
    assert exported.status_code == 200
    assert exported["Content-Disposition"] == f'attachment; filename="catalogue.{fmt}"'
    before = catalogue_state()
    # Onto the same catalogue: nothing to change.
    again = client.post(IMPORT, {"file": upload(exported.content, f"c.{fmt}")}, format="multipart")
    assert again.status_code == 200, again.json()
    assert again.json()["unchanged"] == 6
    # Onto an empty catalogue: the same catalogue comes back.
    for model in (m.Feature, m.CuratedDataset, m.RawSource, m.AcquisitionOption):
        model.objects.all().delete()
    restored = client.post(
        IMPORT, {"file": upload(exported.content, f"c.{fmt}")}, format="multipart"
    )
    assert restored.status_code == 200, restored.json()
    assert restored.json()["created"] == 6
    assert catalogue_state() == before
    assert client.get(EXPORT, {"format": fmt}).content == exported.content


@pytest.mark.django_db
def test_export_is_for_every_signed_in_user_and_refuses_unknown_formats(api_client_for, exec_user):
    FeatureFactory(name="Visible")
    client = api_client_for(exec_user)
    assert b"Visible" in client.get(EXPORT, {"format": "csv"}).content
    assert json.loads(client.get(EXPORT).content)["assets"][0]["name"] == "Visible"
    assert client.get(EXPORT, {"format": "xml"}).status_code == 400
    assert api_client_for(None).get(EXPORT).status_code == 401


@pytest.mark.django_db
def test_import_reports_a_need_using_an_asset_is_kept(api_client_for, lead_user):
    feature = FeatureFactory(name="Used")
    NeedFactory(idea=IdeaFactory(owner=UserFactory()), feature=feature)
    response = api_client_for(lead_user).post(
        IMPORT,
        [{"kind": "feature", "name": "Used", "description": "now documented"}],
        format="json",
    )
    assert response.status_code == 200
    feature.refresh_from_db()
    assert feature.description == "now documented" and feature.needs.count() == 1


FORMULA_NAMES = [
    '=HYPERLINK("https://evil.example","open")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "tab\tinside",
    "'=already quoted",
    "'plain apostrophe",
    "Plain; with semicolon",
]


@pytest.mark.django_db
def test_csv_export_keeps_formulas_as_text_and_imports_back_to_the_same_names(
    api_client_for, lead_user
):
    raw = RawSourceFactory(name="=1+1 raw", description="@risky description", owner=lead_user)
    curated = CuratedDatasetFactory(name="-curated", raw_sources=[raw], description="=cmd()")
    for name in FORMULA_NAMES:
        FeatureFactory(name=name, curated_datasets=[curated], description=f"{name} desc")
    client = api_client_for(lead_user)
    exported = client.get(EXPORT, {"format": "csv"})
    text = exported.content.decode()
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    # No cell a spreadsheet would run: every text cell starting with a formula character is
    # written behind an apostrophe (numbers are never touched).
    for row in rows:
        for column in ("name", "description", "upstream"):
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), row
    by_name = {row["name"]: row for row in rows}
    assert "'=1+1 raw" in by_name and by_name["'=1+1 raw"]["description"] == "'@risky description"
    assert by_name["'-curated"]["upstream"] == "'=1+1 raw"
    before = catalogue_state()
    for model in (m.Feature, m.CuratedDataset, m.RawSource, m.AcquisitionOption):
        model.objects.all().delete()
    restored = client.post(IMPORT, {"file": upload(exported.content)}, format="multipart")
    assert restored.status_code == 200, restored.json()
    assert catalogue_state() == before
    assert set(m.Feature.objects.values_list("name", flat=True)) == set(FORMULA_NAMES)
    assert client.get(EXPORT, {"format": "csv"}).content == exported.content
