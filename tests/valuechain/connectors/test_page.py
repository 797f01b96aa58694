"""The connectors page: a preview of the diff first, then the import."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from valuechain import models as m

MANIFEST = {
    "nodes": {
        "model.shop.orders": {
            "resource_type": "model",
            "name": "orders",
            "depends_on": {"nodes": ["source.shop.app.orders"]},
        }
    },
    "sources": {"source.shop.app.orders": {"resource_type": "source", "name": "orders"}},
}


def _upload(data: dict) -> SimpleUploadedFile:
    return SimpleUploadedFile("manifest.json", json.dumps(data).encode())


@pytest.mark.django_db
def test_a_data_lead_previews_the_diff_then_imports(client_for, lead_user):
    client = client_for(lead_user)
    preview = client.post(
        "/connectors/", {"connector": "dbt", "file": _upload(MANIFEST), "dry_run": "on"}
    )
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Dry run: nothing written yet" in page and "model.shop.orders" in page
    assert not m.CuratedDataset.objects.exists()
    done = client.post("/connectors/", {"connector": "dbt", "file": _upload(MANIFEST)})
    assert "Imported" in done.content.decode()
    assert m.CuratedDataset.objects.get().raw_sources.get().external_id == "source.shop.app.orders"
    listed = client.get("/connectors/").content.decode()
    assert "Assets by source" in listed and "dbt" in listed


@pytest.mark.django_db
def test_a_broken_file_is_a_400_on_the_page_and_only_leads_get_in(client_for, lead_user, pm_user):
    client = client_for(lead_user)
    broken = SimpleUploadedFile("manifest.json", b"{oops")
    answer = client.post("/connectors/", {"connector": "dbt", "file": broken})
    assert answer.status_code == 400 and "Not valid JSON" in answer.content.decode()
    assert client_for(pm_user).get("/connectors/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 20])
def test_the_page_costs_constant_queries(
    client_for, lead_user, size, django_assert_max_num_queries
):
    for i in range(size):
        m.CuratedDataset.objects.create(name=f"d{i}", source_system="dbt", external_id=f"m.{i}")
    with django_assert_max_num_queries(30):
        assert client_for(lead_user).get("/connectors/").status_code == 200


@pytest.mark.django_db
def test_the_catalogue_shows_a_retired_asset_as_retired_and_the_picker_leaves_it_out(
    client_for, lead_user
):
    m.CuratedDataset.objects.create(
        name="Old orders", source_system="dbt", external_id="model.x.old", retired_at=timezone.now()
    )
    m.CuratedDataset.objects.create(name="New orders", source_system="dbt", external_id="model.x.n")
    client = client_for(lead_user)
    listing = client.get("/catalogue/curated-datasets/").content.decode()
    assert "retired" in listing and "Old orders" in listing
    picker = client.get("/catalogue/search/?tier=2&q=orders").content.decode()
    assert "New orders" in picker and "Old orders" not in picker
