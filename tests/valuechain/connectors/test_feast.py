"""Feast: a repository applied by Feast itself, its registry imported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from valuechain import models as m
from valuechain.connectors import feast
from valuechain.connectors.records import ConnectorError

from .conftest import run_tool, write

URL = "/api/connectors/feast/"

REPO = {
    "feature_store.yaml": """
        project: shop
        registry: data/registry.db
        provider: local
        online_store:
          type: sqlite
          path: data/online.db
        entity_key_serialization_version: 3
    """,
    "features.py": """
        from datetime import timedelta

        from feast import Entity, FeatureView, Field, FileSource
        from feast.types import Float32, Int64

        customer = Entity(name="customer", join_keys=["customer_id"])
        orders = FileSource(name="orders_source", path="data/orders.parquet", timestamp_field="ts")
        ltv = FileSource(name="customer_ltv", path="data/ltv.parquet", timestamp_field="ts")

        order_stats = FeatureView(
            name="order_stats", entities=[customer], ttl=timedelta(days=1), online=True,
            schema=[
                Field(name="order_count", dtype=Int64), Field(name="avg_basket", dtype=Float32)
            ],
            source=orders, owner="lead-test", description="Order statistics",
        )
        ltv_features = FeatureView(
            name="ltv_features", entities=[customer], ttl=timedelta(days=1), online=False,
            schema=[Field(name="ltv", dtype=Float32)], source=ltv,
        )
    """,
    "make_data.py": """
        import datetime

        import pyarrow as pa
        import pyarrow.parquet as pq

        ts = [datetime.datetime(2026, 1, 1)]
        pq.write_table(
            pa.table({"customer_id": [1], "order_count": [3], "avg_basket": [2.5], "ts": ts}),
            "data/orders.parquet",
        )
        pq.write_table(pa.table({"customer_id": [1], "ltv": [9.0], "ts": ts}), "data/ltv.parquet")
    """,
}


@pytest.fixture(scope="module")
def feast_registry(tools: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """The registry `feast apply` wrote, and the JSON `feast registry-dump` prints of it."""
    root = tmp_path_factory.mktemp("feast")
    write(root, REPO)
    (root / "data").mkdir()
    run_tool([str(tools / "python"), "make_data.py"], root)
    (root / "make_data.py").unlink()
    run_tool([str(tools / "feast"), "apply"], root)
    dump = run_tool([str(tools / "feast"), "registry-dump"], root)
    return (root / "data" / "registry.db").read_bytes(), dump[dump.index("{") :].encode()


@pytest.mark.django_db
def test_a_registry_applied_by_feast_imports_features_with_their_online_flags(
    feast_registry, api_client_for, lead_user
):
    registry, _ = feast_registry
    client = api_client_for(lead_user)
    upload = SimpleUploadedFile("registry.db", registry)
    answer = client.post(URL, {"registry": upload}, format="multipart")
    assert answer.status_code == 200, answer.content
    assert answer.json()["created"] == 5  # three features, two sources
    features = {f.name: f for f in m.Feature.objects.filter(source_system="feast")}
    assert features["order_stats:order_count"].online is True
    assert features["order_stats:avg_basket"].online is True
    assert features["ltv_features:ltv"].online is False
    assert features["order_stats:order_count"].owner == lead_user
    assert features["order_stats:order_count"].feature_group == "order_stats"
    source = features["ltv_features:ltv"].curated_datasets.get()
    assert (source.name, source.source_system) == ("customer_ltv", "feast")
    shown = client.get(f"/api/features/{features['ltv_features:ltv'].pk}/").json()
    assert shown["source_system"] == "feast"
    assert shown["external_id"] == "shop/ltv_features/ltv"

    again = client.post(URL, {"registry": SimpleUploadedFile("r.db", registry)}, format="multipart")
    assert again.json()["unchanged"] == 5 and again.json()["changes"] == []


def test_the_binary_registry_and_its_json_dump_read_the_same(feast_registry):
    registry, dump = feast_registry
    binary, printed = feast.parse_registry(registry), feast.parse_registry(dump)
    assert sorted(binary.assets, key=str) == sorted(printed.assets, key=str)
    assert {a.external_id for a in binary.assets if a.online} == {
        "shop/order_stats/order_count",
        "shop/order_stats/avg_basket",
    }


@pytest.mark.parametrize("data", [b"\xff\xff\xff", b"\x0a\x05ab", b'{"featureViews": 3}', b"{"])
def test_a_file_that_is_no_registry_is_refused_naming_the_field(data):
    with pytest.raises(ConnectorError) as refused:
        feast.parse_registry(data)
    assert refused.value.field == "registry"


@pytest.mark.django_db
def test_a_broken_registry_upload_is_a_400(api_client_for, lead_user):
    upload = SimpleUploadedFile("registry.db", b"\x0a\x05ab")
    answer = api_client_for(lead_user).post(URL, {"registry": upload}, format="multipart")
    assert answer.status_code == 400 and "registry" in answer.json()
    missing = api_client_for(lead_user).post(URL, {}, format="multipart")
    assert missing.status_code == 400 and "registry" in missing.json()
    assert json.loads(missing.content)["registry"]
