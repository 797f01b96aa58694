from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contracts.models import ContractVersion, DataContract
from tests.contracts.factories import (
    ORDER_SCHEMA,
    ConsumerFactory,
    ContractVersionFactory,
    DataContractFactory,
    SlaBreachFactory,
    ValidationRunFactory,
)
from tests.contracts.odcs_samples import NESTED
from tests.factories import (
    AcquisitionOptionFactory,
    CuratedDatasetFactory,
    FeatureFactory,
    IdeaFactory,
    NeedFactory,
    RawSourceFactory,
)

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_need_a_login() -> None:
    response = Client().get("/contracts/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_list_and_detail_show_contracts_and_history(pm_user) -> None:
    dataset = CuratedDatasetFactory(name="orders, curated")
    contract = DataContractFactory(name="Orders contract", asset_id=dataset.pk)
    ContractVersionFactory(contract=contract, version="1.0.0", change_notes="first cut")
    ContractVersionFactory(
        contract=contract,
        version="2.0.0",
        changes=[
            {
                "type": "type_changed",
                "path": "/properties/amount/type",
                "breaking": True,
                "message": "type changed",
            }
        ],
        sla={"production_use": True, "max_lateness": {"value": 2, "unit": "h"}},
        missing_thresholds=[
            {
                "field": "/properties/note",
                "max_ratio": 0.05,
                "max_count": None,
                "window": "1d",
                "metric": "missingValues",
            }
        ],
    )
    ConsumerFactory(contract=contract, name="churn model", pinned_major=1)
    client = _client(pm_user)
    page = client.get("/contracts/").content.decode()
    assert "Orders contract" in page and "orders, curated" in page and "2.0.0" in page
    detail = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert "first cut" in detail
    assert "1 breaking" in detail
    assert "churn model" in detail and "pinned to v1" in detail
    assert "Maximum lateness" in detail and "2 h" in detail
    assert "5 %" in detail
    assert f"/api/contracts/{contract.pk}/export/" in detail


def test_list_page_query_count_is_constant(pm_user) -> None:
    client = _client(pm_user)
    ContractVersionFactory(contract=DataContractFactory())
    client.get("/contracts/")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/contracts/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for _ in range(5):
        c = DataContractFactory()
        ContractVersionFactory(contract=c)
        ConsumerFactory(contract=c)
    assert count() == small


def test_side_by_side_diff_marks_breaking_fields(pm_user) -> None:
    contract = DataContractFactory(compatibility_mode="BACKWARD")
    ContractVersionFactory(contract=contract, version="1.0.0")
    new_schema = copy.deepcopy(ORDER_SCHEMA)
    new_schema["properties"]["order_id"]["maxLength"] = 8  # narrows: breaking
    new_schema["properties"]["amount"].pop("minimum")  # widens: fine backward
    ContractVersionFactory(contract=contract, version="2.0.0", json_schema=new_schema)
    response = _client(pm_user).get(f"/contracts/{contract.pk}/diff/?old=1.0.0&new=2.0.0")
    assert response.status_code == 200
    rows = {r.pointer: r for r in response.context["rows"]}
    assert rows["/properties/order_id"].breaking is True
    assert rows["/properties/amount"].breaking is False
    assert rows["/properties/amount"].state == "changed"
    assert rows["/properties/note"].state == "same"
    html = response.content.decode()
    assert 'class="diff-changed diff-breaking" data-pointer="/properties/order_id"' in html
    assert "maxLength 12" in html and "maxLength 8" in html
    assert _client(pm_user).get(f"/contracts/{contract.pk}/diff/?old=9.9.9").status_code == 404


def test_checker_form(pm_user) -> None:
    client = _client(pm_user)
    assert client.get("/contracts/check/").status_code == 200
    old = {"type": "object", "properties": {"a": {"type": "string"}}}
    new = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    response = client.post(
        "/contracts/check/",
        {"old_schema": json.dumps(old), "new_schema": json.dumps(new), "mode": "FORWARD"},
    )
    assert response.status_code == 200
    assert response.context["result"].compatible is False
    (row,) = response.context["rows"]
    assert {c["type"] for c in row.changes} == {"type_changed", "required_added"}
    assert "not compatible" in response.content.decode()


@pytest.mark.parametrize(
    ("old", "new", "mode", "words"),
    [
        ("{oops", "{}", "BACKWARD", "Not JSON"),
        ('{"type": "strin"}', "{}", "BACKWARD", "Not a valid JSON Schema"),
        ("{}", "{}", "SIDEWAYS", "Select a valid choice"),
    ],
)
def test_checker_bad_input(pm_user, old: str, new: str, mode: str, words: str) -> None:
    response = _client(pm_user).post(
        "/contracts/check/", {"old_schema": old, "new_schema": new, "mode": mode}
    )
    assert response.status_code == 400
    assert words in response.content.decode()


def _upload(client: Client, raw: bytes, **extra: Any):
    return client.post(
        "/contracts/import/",
        {"file": SimpleUploadedFile("c.yaml", raw, content_type="application/yaml"), **extra},
    )


def test_upload_page_reports_what_was_imported(lead_user) -> None:
    client = _client(lead_user)
    assert client.get("/contracts/import/").status_code == 200
    response = _upload(client, NESTED.encode())
    assert response.status_code == 201
    html = response.content.decode()
    assert "imported" in html and "orders-contract" in html
    assert "churn_model" in html
    assert "/properties/customer/properties/email" in html
    assert DataContract.objects.count() == 1


def test_upload_page_explains_refusals(lead_user, pm_user) -> None:
    client = _client(lead_user)
    response = _upload(client, NESTED.replace("logicalType: integer", "logicalType: int").encode())
    assert response.status_code == 400
    assert "/schema/0/properties/3/logicalType" in response.content.decode()
    bomb = b"a: &a [1, 2]\nb: [*a, *a]\n"
    assert "anchors and aliases" in _upload(client, bomb).content.decode()
    assert _upload(_client(pm_user), NESTED.encode()).status_code == 403
    assert not ContractVersion.objects.exists()


# --- the idea's contract health


def _render_health(idea: Any) -> str:
    return Template("{% load contract_tags %}{% idea_contract_health idea %}").render(
        Context({"idea": idea})
    )


def test_idea_contract_health_flags_risky_assets() -> None:
    option = AcquisitionOptionFactory(name="vendor feed")
    raw = RawSourceFactory(name="clickstream raw", available=False, acquisition_option=option)
    curated = CuratedDatasetFactory(name="sessions", available=False, raw_sources=[raw])
    feature = FeatureFactory(name="session length", available=False, curated_datasets=[curated])
    idea = IdeaFactory()
    NeedFactory(idea=idea, feature=feature)
    sessions = DataContractFactory(
        name="Sessions",
        asset_type="curated_dataset",
        asset_id=curated.pk,
        status=DataContract.Status.ACTIVE,
    )
    DataContractFactory(
        name="Clicks draft",
        asset_type="raw_source",
        asset_id=raw.pk,
        status=DataContract.Status.DRAFT,
    )
    vendor = DataContractFactory(
        name="Vendor old",
        asset_type="acquisition_option",
        asset_id=option.pk,
        status=DataContract.Status.DEPRECATED,
    )
    direct = DataContractFactory(name="Linked by hand", status=DataContract.Status.ACTIVE)
    direct.ideas.add(idea)
    DataContractFactory(name="Unrelated")

    from contracts.registry.selectors import idea_contract_health

    health = idea_contract_health(idea)
    assert [c.name for c in health.contracts] == [
        "Clicks draft",
        "Linked by hand",
        "Sessions",
        "Vendor old",
    ]
    assert health.level == "deprecated"
    texts = [r.text for r in health.reasons]
    assert texts == [
        "vendor feed relies on a deprecated contract: Vendor old.",
        "clickstream raw: draft contract only (Clicks draft), not agreed yet.",
    ]
    upstream = {a.governance.name: [c.name for c in a.upstream] for a in health.assets}
    assert upstream["session length"] == ["Sessions"]  # governed through its input
    html = _render_health(idea)
    assert "deprecated contract in use" in html
    assert f'href="/contracts/{vendor.pk}/">vendor feed relies on a deprecated' in html
    assert f'href="/contracts/{sessions.pk}/"' in html
    assert "Unrelated" not in html


def test_governance_follows_the_lineage_through_available_assets() -> None:
    """An available feature computed from two contracted curated datasets is governed by
    those two contracts, not "no contract"."""
    orders = CuratedDatasetFactory(available=True, name="orders")
    payments = CuratedDatasetFactory(available=True, name="payments")
    feature = FeatureFactory(available=True, curated_datasets=[orders, payments])
    idea = IdeaFactory()
    NeedFactory(idea=idea, feature=feature)
    for name, asset in (("Orders", orders), ("Payments", payments)):
        DataContractFactory(name=name, asset_type="curated_dataset", asset_id=asset.pk)
    from contracts.registry.selectors import idea_contract_health

    health = idea_contract_health(idea)
    assert health.level == "healthy"
    assert [c.name for c in health.contracts] == ["Orders", "Payments"]
    html = _render_health(idea)
    assert "No contract governs" not in html
    assert 'data-health="healthy"' in html
    assert "upstream golden data" not in html


def test_an_uncontracted_input_leaves_the_idea_ungoverned() -> None:
    orders = CuratedDatasetFactory(available=True, name="orders")
    loose = CuratedDatasetFactory(available=True, name="spreadsheet export")
    feature = FeatureFactory(available=True, name="basket mix", curated_datasets=[orders, loose])
    idea = IdeaFactory()
    NeedFactory(idea=idea, feature=feature)
    DataContractFactory(name="Orders", asset_type="curated_dataset", asset_id=orders.pk)
    html = _render_health(idea)
    assert 'data-health="ungoverned"' in html
    assert "No contract governs the data behind basket mix." in html


def test_idea_page_shows_contract_health(pm_user) -> None:
    idea = IdeaFactory(owner=pm_user)
    NeedFactory(idea=idea)
    response = _client(pm_user).get(f"/ideas/{idea.pk}/")
    assert response.status_code == 200
    assert 'id="contract-health"' in response.content.decode()


def test_diff_rows_keep_the_schema_order() -> None:
    from contracts.compatibility import Mode
    from contracts.registry.diffs import diff_rows

    old = {"type": "object", "properties": {"z": {}, "b": {}, "m": {}}}
    new = {"type": "object", "properties": {"z": {}, "m": {}, "a": {}}}
    rows, root = diff_rows(old, new, Mode.FULL)
    assert [(r.name, r.state) for r in rows] == [
        ("z", "same"),
        ("b", "removed"),
        ("m", "same"),
        ("a", "added"),
    ]
    assert root == []


def test_contract_health_query_count_is_constant() -> None:
    idea = IdeaFactory()

    def add_need_with_contract() -> None:
        curated = CuratedDatasetFactory(available=False, raw_sources=[RawSourceFactory()])
        NeedFactory(idea=idea, curated_dataset=curated)
        contract = DataContractFactory(asset_type="curated_dataset", asset_id=curated.pk)
        ValidationRunFactory(contract=contract, valid_count=90, dead_letter_count=10)
        SlaBreachFactory(contract=contract, version=contract.versions.get())
        DataContractFactory().ideas.add(idea)

    add_need_with_contract()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _render_health(idea)
        return len(ctx.captured_queries)

    count()  # warm up the per-process caches
    small = count()
    for _ in range(4):
        add_need_with_contract()
    assert count() == small
    html = _render_health(idea)
    assert 'data-health="at_risk"' in html
    assert html.count("1 SLA breach in the last 7 days") == 5
    assert html.count("10.0% of 100") == 5


def test_detail_page_query_count_does_not_grow_with_history(pm_user) -> None:
    contract = DataContractFactory()
    ContractVersionFactory(contract=contract, version="1.0.0", created_by=pm_user)
    ConsumerFactory(contract=contract)
    client = _client(pm_user)
    url = f"/contracts/{contract.pk}/"
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for minor in range(1, 6):
        ContractVersionFactory(contract=contract, version=f"1.{minor}.0", created_by=pm_user)
        ConsumerFactory(contract=contract)
        contract.ideas.add(IdeaFactory())
    assert count() == small


def test_detail_page_shows_the_latest_schema(pm_user) -> None:
    version = ContractVersionFactory()
    html = _client(pm_user).get(f"/contracts/{version.contract.pk}/").content.decode()
    assert "JSON Schema of 1.0.0" in html
    assert "&quot;order_id&quot;" in html
