"""Writing an ODCS document back: everything read is kept as it was, so import -> export ->
import gives the same contract."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import yaml

from contracts.odcs.mapping import json_schema_to_schema
from contracts.odcs.model import ContractData
from contracts.odcs.terms import apply_thresholds, consumers_from, sla_to, team_from


def to_document(data: ContractData) -> dict[str, Any]:
    """ContractData -> ODCS document (a dict), keeping unmapped parts verbatim."""
    doc: dict[str, Any] = copy.deepcopy(data.document)
    doc.setdefault("apiVersion", "v3.1.0")
    doc.setdefault("kind", "DataContract")
    doc["id"] = data.odcs_id
    doc["version"] = data.version
    doc["status"] = data.status
    if data.name and (doc.get("name") or not doc.get("dataProduct")) and doc.get("id") != data.name:
        doc["name"] = data.name
    if data.purpose:
        description = doc.get("description")
        if not isinstance(description, dict):
            description = doc["description"] = {}
        description["purpose"] = data.purpose
    json_schema = copy.deepcopy(data.json_schema)
    apply_thresholds(json_schema, data.missing_thresholds)
    if not json_schema.pop("x-odcs-no-schema", False):
        doc["schema"] = json_schema_to_schema(json_schema, data.name or data.odcs_id)
    sla_items = sla_to(data.sla)
    if sla_items or "slaProperties" in doc:
        doc["slaProperties"] = sla_items
    _apply_team(doc, data)
    return _ordered(doc)


def _apply_team(doc: dict[str, Any], data: ContractData) -> None:
    team_name, owner = team_from(doc)
    if data.owner and data.owner != owner:
        team = doc.get("team")
        if isinstance(team, list):
            team = doc["team"] = {"members": team}
        if not isinstance(team, dict):
            team = doc["team"] = {}
        members = team.setdefault("members", [])
        members.append({"username": data.owner, "role": "Owner"})
    if data.producer_team and data.producer_team != team_name:
        team = doc.get("team")
        if isinstance(team, list):
            team = doc["team"] = {"members": team}
        if not isinstance(team, dict):
            team = doc["team"] = {}
        team["name"] = data.producer_team
    known = set(consumers_from(doc))
    extra = [c for c in data.consumers if c not in known]
    if extra:
        doc["roles"] = [*(doc.get("roles") or []), *({"role": c, "access": "read"} for c in extra)]


_TOP_ORDER = (
    "apiVersion",
    "kind",
    "id",
    "name",
    "version",
    "status",
    "domain",
    "dataProduct",
    "tenant",
    "description",
    "schema",
)


def _ordered(doc: dict[str, Any]) -> dict[str, Any]:
    first = {k: doc[k] for k in _TOP_ORDER if k in doc}
    return {**first, **{k: v for k, v in doc.items() if k not in first}}


def dump(data: ContractData) -> str:
    return yaml.safe_dump(to_document(data), sort_keys=False, allow_unicode=True, width=100)


def contract_from_fields(
    *,
    odcs_id: str,
    name: str,
    version: str,
    status: str,
    json_schema: Mapping[str, Any],
    purpose: str = "",
    producer_team: str = "",
    owner: str = "",
    consumers: list[str] | None = None,
    sla: Mapping[str, Any] | None = None,
    missing_thresholds: list[dict[str, Any]] | None = None,
    document: Mapping[str, Any] | None = None,
) -> ContractData:
    """A ContractData for a contract kept in the registry (for export)."""
    return ContractData(
        odcs_id=odcs_id,
        name=name,
        version=version,
        status=status,
        purpose=purpose,
        producer_team=producer_team,
        owner=owner,
        consumers=list(consumers or []),
        json_schema=dict(json_schema),
        semantics={},
        sla=dict(sla or {}),
        missing_thresholds=list(missing_thresholds or []),
        document=dict(document or {}),
    )
