"""dbt: a project parsed by dbt itself, imported, re-imported, changed and imported again."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import DataContract
from valuechain import models as m
from valuechain.connectors import dbt

from .conftest import DBT_SCHEMA

URL = "/api/connectors/dbt/"

CHANGED_SCHEMA = DBT_SCHEMA.replace(
    "          - name: customers\n",
    "          - name: customers\n"
    "          - name: payments\n"
    "            description: Card payments\n",
)
CHANGED_FILES = {
    "models/stg_customers.sql": None,  # the model is removed
    "models/customer_ltv.sql": """
        select cast(p.id as integer) as customer_id, cast(1.0 as double) as ltv
        from {{ ref('stg_orders') }} o join {{ source('app', 'payments') }} p on true
    """,
}


def _post(client, manifest: bytes, dry_run: bool = False):
    upload = SimpleUploadedFile("manifest.json", manifest, content_type="application/json")
    url = URL + ("?dry_run=true" if dry_run else "")
    return client.post(url, {"manifest": upload}, format="multipart")


def _by_external_id(model):
    return {row.external_id: row for row in model.objects.filter(source_system="dbt")}


@pytest.fixture
def lead_api(api_client_for, lead_user):
    return api_client_for(lead_user)


@pytest.mark.django_db
def test_a_dbt_project_imports_then_syncs_without_changes_then_follows_its_changes(
    dbt_project, lead_api, lead_user, pm_user, api_client_for
):
    manifest = dbt_project()

    first = _post(lead_api, manifest)
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["created"], body["updated"], body["retired"], body["unchanged"]) == (5, 0, 0, 0)
    assert {(c["action"], c["asset_type"], c["external_id"]) for c in body["changes"]} >= {
        ("created", "raw_source", "source.shop.app.orders"),
        ("created", "curated_dataset", "model.shop.customer_ltv"),
    }
    curated = _by_external_id(m.CuratedDataset)
    raw = _by_external_id(m.RawSource)
    ltv, orders = curated["model.shop.customer_ltv"], curated["model.shop.stg_orders"]
    # model -> model lineage, and the source under the staging model
    assert set(ltv.upstream_curated_datasets.values_list("external_id", flat=True)) == {
        "model.shop.stg_orders",
        "model.shop.stg_customers",
    }
    assert list(orders.raw_sources.all()) == [raw["source.shop.app.orders"]]
    assert orders.owner == lead_user and orders.description == "Cleaned orders"
    # the enforced contract is a data contract with the columns' types
    contract = DataContract.objects.get(odcs_id="dbt:model.shop.customer_ltv")
    assert (contract.asset_type, contract.asset_id) == ("curated_dataset", ltv.pk)
    schema = contract.versions.get().json_schema
    assert schema["properties"] == {"customer_id": {"type": "integer"}, "ltv": {"type": "number"}}
    assert schema["required"] == ["customer_id"]
    # the ML exposure is an idea needing the model
    idea = m.Idea.objects.get(title="Churn model")
    assert [need.curated_dataset_id for need in idea.needs.all()] == [ltv.pk]

    # a data lead prices the staging model in ValueChain
    patch = lead_api.patch(
        f"/api/curated-datasets/{orders.pk}/",
        {"build_estimate": {"low": 10, "likely": 20, "high": 40}, "feasibility": 0.7},
        format="json",
    )
    assert patch.status_code == 200, patch.content

    second = _post(lead_api, manifest).json()
    assert (second["created"], second["updated"], second["retired"]) == (0, 0, 0)
    assert second["unchanged"] == 5 and second["changes"] == []
    assert second["contracts"] == {"created": 0, "updated": 0}
    assert idea.needs.count() == 1

    changed = dbt_project(CHANGED_FILES, CHANGED_SCHEMA)
    preview = _post(lead_api, changed, dry_run=True).json()
    actions = {(c["action"], c["external_id"]) for c in preview["changes"]}
    assert ("retired", "model.shop.stg_customers") in actions
    assert ("created", "source.shop.app.payments") in actions
    assert ("updated", "model.shop.customer_ltv") in actions
    assert preview["dry_run"] is True
    assert not m.RawSource.objects.filter(external_id="source.shop.app.payments").exists()

    third = _post(lead_api, changed).json()
    assert (third["created"], third["retired"]) == (1, 1)
    gone = m.CuratedDataset.objects.get(external_id="model.shop.stg_customers")
    assert gone.retired  # kept, shown as retired
    listed = lead_api.get(f"/api/curated-datasets/{gone.pk}/").json()
    assert listed["retired"] is True and listed["source_system"] == "dbt"
    ltv.refresh_from_db()
    assert set(ltv.upstream_curated_datasets.values_list("external_id", flat=True)) == {
        "model.shop.stg_orders"
    }
    assert set(ltv.raw_sources.values_list("external_id", flat=True)) == {
        "source.shop.app.payments"
    }
    # what the data lead set is kept
    orders.refresh_from_db()
    assert (orders.build_low, orders.build_likely, orders.build_high) == (10, 20, 40)
    assert orders.feasibility == 0.7 and orders.owner == lead_user

    # a retired asset gains no new need
    idea.owner = pm_user
    idea.save()
    refused = api_client_for(pm_user).post(
        f"/api/ideas/{idea.pk}/needs/",
        {"name": "Customers", "asset_type": "curated_dataset", "asset_id": gone.pk},
        format="json",
    )
    assert refused.status_code == 400 and "asset_id" in refused.json()


@pytest.mark.django_db
def test_a_manifest_sent_as_the_json_body_imports_the_same(dbt_project, lead_api):
    manifest = dbt_project()
    answer = lead_api.post(URL + "?dry_run=true", manifest, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["created"] == 5
    assert not m.CuratedDataset.objects.exists()  # a dry run writes nothing
    wrapped = json.dumps({"manifest": json.loads(manifest)}).encode()
    answer = lead_api.post(URL, wrapped, content_type="application/json")
    assert answer.status_code == 200 and m.CuratedDataset.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "manifest"),
        (b"[]", "manifest"),
        (b'{"nodes": {"model.x.y": 3}}', "manifest"),
        (b'{"nodes": {"model.x.y": {"resource_type": "model"}}}', "manifest"),
    ],
)
def test_a_broken_manifest_is_a_400_naming_it_and_writes_nothing(lead_api, body, field):
    answer = lead_api.post(URL, body, content_type="application/json")
    assert answer.status_code == 400 and field in answer.json()
    assert not m.CuratedDataset.objects.exists()


@pytest.mark.django_db
def test_only_data_leads_import(api_client_for, pm_user):
    answer = api_client_for(pm_user).post(URL, b"{}", content_type="application/json")
    assert answer.status_code == 403
    assert api_client_for(None).post(URL, b"{}", content_type="application/json").status_code == 401


def _synthetic(models: int) -> dict:
    nodes = {
        f"model.big.m{i}": {
            "resource_type": "model",
            "name": f"m{i}",
            "depends_on": {"nodes": [f"model.big.m{i - 1}"] if i else ["source.big.s.t"]},
        }
        for i in range(models)
    }
    sources = {"source.big.s.t": {"resource_type": "source", "name": "t", "source_name": "s"}}
    return {"nodes": nodes, "sources": sources}


@pytest.mark.django_db
def test_a_large_import_runs_as_a_task_whose_run_reports_the_answer(
    lead_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = lead_api.post(URL, json.dumps(_synthetic(400)), content_type="application/json")
    assert answer.status_code == 202
    run = answer.json()
    polled = lead_api.get(f"/api/connectors/runs/{run['id']}/").json()
    assert polled["status"] == "succeeded" and polled["progress"] == 100
    assert polled["result"]["created"] == 401
    assert m.CuratedDataset.objects.filter(source_system="dbt").count() == 400


def test_column_types_become_json_schema_types():
    assert dbt.json_type("BIGINT") == {"type": "integer"}
    assert dbt.json_type("timestamp with time zone") == {"type": "string", "format": "date-time"}
    assert dbt.json_type("varchar(20)") == {"type": "string"}
    assert dbt.json_type("geography") == {}
