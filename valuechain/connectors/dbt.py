"""dbt: a `manifest.json` (and optionally a `catalog.json`) -> plain records.

Sources and seeds become raw sources; models and snapshots become curated datasets (marts and
intermediate models alike); `depends_on` becomes lineage, model -> model included; exposures
become needs of an idea named after the exposure; models with an enforced contract become data
contracts whose JSON Schema comes from their columns' data types (the catalog's types fill in
columns the manifest leaves untyped). Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from valuechain.connectors.records import (
    CURATED_DATASET,
    RAW_SOURCE,
    AssetRecord,
    ConnectorError,
    ContractRecord,
    Import,
    NeedRecord,
    Ref,
    external_id_of,
    name_of,
    text,
)

KIND_OF_RESOURCE = {
    "source": RAW_SOURCE,
    "seed": RAW_SOURCE,
    "model": CURATED_DATASET,
    "snapshot": CURATED_DATASET,
}

# dbt column data types (any warehouse's spelling) -> JSON Schema
_JSON_TYPES: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("bool",), {"type": "boolean"}),
    (("timestamp", "datetime"), {"type": "string", "format": "date-time"}),
    (("date",), {"type": "string", "format": "date"}),
    (("int", "serial"), {"type": "integer"}),
    (("double", "float", "real", "numeric", "decimal", "number"), {"type": "number"}),
    (("char", "text", "string", "uuid", "varchar"), {"type": "string"}),
    (("json", "variant", "struct", "map", "object"), {"type": "object"}),
    (("array", "list"), {"type": "array"}),
]


def json_type(data_type: str) -> dict[str, Any]:
    """The JSON Schema of a column of this dbt data type; {} (anything) when it is unknown."""
    lowered = data_type.lower()
    for words, schema in _JSON_TYPES:
        if any(lowered.startswith(word) or word in lowered.split("(")[0] for word in words):
            return dict(schema)
    return {}


def _mapping(value: Any, field: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConnectorError(field, "Expected an object.")
    return value


def _owner(node: Mapping[str, Any]) -> str:
    for meta in (node.get("meta"), _mapping(node.get("config"), "manifest").get("meta")):
        if isinstance(meta, Mapping) and isinstance(meta.get("owner"), str):
            return text(meta["owner"], 200)
    return ""


def _upstream(node: Mapping[str, Any], known: Mapping[str, str]) -> tuple[Ref, ...]:
    depends = _mapping(node.get("depends_on"), "manifest")
    nodes = depends.get("nodes") or []
    if not isinstance(nodes, list):
        raise ConnectorError("manifest", "depends_on.nodes is not a list.")
    refs = [(known[uid], uid) for uid in nodes if isinstance(uid, str) and uid in known]
    own = node.get("unique_id")
    return tuple(dict.fromkeys(ref for ref in refs if ref[1] != own))


def _contract(
    node: Mapping[str, Any], uid: str, name: str, catalog: Mapping[str, Any]
) -> ContractRecord | None:
    contract = node.get("contract") or _mapping(node.get("config"), "manifest").get("contract")
    if not isinstance(contract, Mapping) or contract.get("enforced") is not True:
        return None
    catalogued = _mapping(_mapping(catalog.get(uid), "catalog").get("columns"), "catalog")
    properties: dict[str, Any] = {}
    required: list[str] = []
    for column_name, column in _mapping(node.get("columns"), "manifest").items():
        if not isinstance(column, Mapping):
            continue
        data_type = text(column.get("data_type"), 200)
        if not data_type:
            data_type = text(_mapping(catalogued.get(column_name), "catalog").get("type"), 200)
        schema = json_type(data_type)
        description = text(column.get("description"), 2000)
        if description:
            schema["description"] = description
        properties[str(column_name)[:200]] = schema
        constraints = column.get("constraints") or []
        if isinstance(constraints, list) and any(
            isinstance(c, Mapping) and c.get("type") == "not_null" for c in constraints
        ):
            required.append(str(column_name)[:200])
    schema_doc: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema_doc["required"] = required
    return ContractRecord(
        external_id=uid,
        name=name,
        asset=(CURATED_DATASET, uid),
        json_schema=schema_doc,
        owner=_owner(node),
    )


def _asset(
    resource: str, uid: str, node: Mapping[str, Any], known: Mapping[str, str]
) -> AssetRecord:
    if resource == "source":
        source_name = text(node.get("source_name"), 100)
        name = name_of(node.get("name"), "manifest")
        name = f"{source_name}.{name}"[:200] if source_name else name
        where = ".".join(
            part
            for part in (text(node.get("database"), 100), text(node.get("schema"), 100))
            if part
        )
        system = text(node.get("loader"), 100) or where or source_name
    else:
        name = name_of(node.get("name"), "manifest")
        system = ""
    return AssetRecord(
        asset_type=KIND_OF_RESOURCE[resource],
        external_id=uid,
        name=name,
        description=text(node.get("description")),
        owner=_owner(node),
        upstream=_upstream(node, known),
        system=system[:200],
    )


def parse_manifest(manifest: Any, catalog: Any = None) -> Import:
    """Records of a dbt manifest (as json.load gives it); ConnectorError names what is wrong."""
    if not isinstance(manifest, Mapping) or not isinstance(manifest.get("nodes"), Mapping):
        raise ConnectorError("manifest", "Not a dbt manifest: it has no `nodes` object.")
    catalog_nodes: dict[str, Any] = {}
    if catalog is not None:
        if not isinstance(catalog, Mapping):
            raise ConnectorError("catalog", "Not a dbt catalog.")
        for part in ("nodes", "sources"):
            catalog_nodes.update(_mapping(catalog.get(part), "catalog"))
    entries: list[tuple[str, str, Mapping[str, Any]]] = []
    for part in ("sources", "nodes"):
        for uid, node in _mapping(manifest.get(part), "manifest").items():
            if not isinstance(node, Mapping):
                raise ConnectorError("manifest", f"{part}.{str(uid)[:100]} is not an object.")
            resource = node.get("resource_type") or uid.split(".", 1)[0]
            if resource in KIND_OF_RESOURCE:
                entries.append((resource, external_id_of(uid, "manifest"), node))
    known = {uid: KIND_OF_RESOURCE[resource] for resource, uid, _ in entries}
    result = Import(complete=True)
    for resource, uid, node in entries:
        record = _asset(resource, uid, node, known)
        result.add(record)
        if record.asset_type == CURATED_DATASET:
            contract = _contract(node, uid, record.name, catalog_nodes)
            if contract is not None:
                result.contracts.append(contract)
    result.needs.extend(_needs(manifest, known))
    return result


def _needs(manifest: Mapping[str, Any], known: Mapping[str, str]) -> list[NeedRecord]:
    """Each exposure's models, as needs of an idea named after the exposure."""
    needs = []
    for uid, exposure in _mapping(manifest.get("exposures"), "manifest").items():
        if not isinstance(exposure, Mapping):
            continue
        title = text(exposure.get("label"), 200) or name_of(exposure.get("name"), "manifest")
        for ref in _upstream(exposure, known):
            if ref[0] == CURATED_DATASET:
                needs.append(
                    NeedRecord(
                        idea_title=title,
                        name=ref[1].rsplit(".", 1)[-1][:200],
                        asset=ref,
                        description=f"Declared by the dbt exposure {str(uid)[:200]}.",
                    )
                )
    return needs
