"""The database side of the bulk import and export: the catalogue as records and as a
snapshot for the checks, and an import that checks every row in bulk and writes them all or
nothing in one transaction (`writing`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from valuechain import models as m
from valuechain.catalogue import rules, selectors
from valuechain.catalogue.bulk import writing
from valuechain.catalogue.bulk.checks import check_document, names_of, parse_document
from valuechain.catalogue.bulk.document import (
    APPLY_ORDER,
    ESTIMATE_PARTS,
    ESTIMATES,
    KIND_ONLY,
    AssetRow,
    CatalogueSnapshot,
    ImportReport,
    RowError,
)
from valuechain.catalogue.bulk.parsing import parse_record
from valuechain.figures import invalidation
from valuechain.platform import sql


def _record(asset: m.Asset, role_names: Mapping[int, str]) -> dict[str, Any]:
    kind = asset.asset_type
    record: dict[str, Any] = {
        "kind": kind,
        "name": asset.name,
        "description": asset.description,
        "owner": asset.owner.get_username() if asset.owner else None,
        "available": asset.available,
        "feasibility": asset.feasibility,
    }
    for prefix in ESTIMATES:
        for part in ESTIMATE_PARTS:
            record[f"{prefix}_{part}"] = getattr(asset, f"{prefix}_{part}")
        role_id = getattr(asset, f"{prefix}_days_role_id")
        record[f"{prefix}_days_role"] = role_names[role_id] if role_id is not None else None
    if kind in rules.LINEAGE:
        record["upstream"] = sorted(upstream.name for upstream in selectors.upstream_of(asset))
    for column, kinds in KIND_ONLY.items():
        if kind in kinds:
            record[column] = getattr(asset, column)
    return record


# The columns every kind stores, as `values()` reads them for an export or a snapshot.
_COMMON_COLUMNS = (
    "id",
    "name",
    "description",
    "owner__username",
    "available",
    "feasibility",
    *(f"{prefix}_{part}" for prefix in ESTIMATES for part in ESTIMATE_PARTS),
    *(f"{prefix}_days_role_id" for prefix in ESTIMATES),
)


def _upstream_names(kind: str, ids: Collection[int] | None) -> dict[int, list[str]]:
    """The names of the many-to-many inputs of the assets with these ids (all when None), in
    one query on the through table."""
    lineage = rules.LINEAGE[kind]
    field = m.ASSET_MODELS[kind]._meta.get_field(lineage.field)
    through = field.remote_field.through  # type: ignore[union-attr]
    source = f"{field.m2m_field_name()}_id"  # type: ignore[union-attr]
    links = through._default_manager.all()
    if ids is not None:
        links = sql.among(links, source, ids)
    names: dict[int, list[str]] = defaultdict(list)
    for asset_id, name in links.values_list(
        source,
        f"{field.m2m_reverse_field_name()}__name",  # type: ignore[union-attr]
    ):
        names[asset_id].append(name)
    return names


def _records_of_kind(
    kind: str, role_names: Mapping[int, str], only: Collection[str] | None
) -> list[tuple[int, dict[str, Any]]]:
    """(id, record) of every asset of the kind (or of those with `only` these names), as
    `_record` writes it, in two queries."""
    lineage = rules.LINEAGE.get(kind)
    own = [column for column, kinds in KIND_ONLY.items() if kind in kinds]
    columns = [*_COMMON_COLUMNS, *own]
    if lineage is not None and not lineage.many:
        columns.append(f"{lineage.field}__name")
    assets = m.ASSET_MODELS[kind]._default_manager.order_by("name", "id")
    if only is not None:
        assets = sql.among(assets, "name", only)
    found = list(assets.values(*columns))
    many: dict[int, list[str]] = {}
    if lineage is not None and lineage.many and found:
        ids = None if only is None else [values["id"] for values in found]
        many = _upstream_names(kind, ids)
    records = []
    for values in found:
        record: dict[str, Any] = {
            "kind": kind,
            "name": values["name"],
            "description": values["description"],
            "owner": values["owner__username"],
            "available": values["available"],
            "feasibility": values["feasibility"],
        }
        for prefix in ESTIMATES:
            for part in ESTIMATE_PARTS:
                record[f"{prefix}_{part}"] = values[f"{prefix}_{part}"]
            role_id = values[f"{prefix}_days_role_id"]
            record[f"{prefix}_days_role"] = role_names[role_id] if role_id is not None else None
        if lineage is not None:
            single = values.get(f"{lineage.field}__name")
            upstream = many.get(values["id"], []) if lineage.many else [single] if single else []
            record["upstream"] = sorted(upstream)
        for column in own:
            record[column] = values[column]
        records.append((values["id"], record))
    return records


def _catalogue_records(
    only: Collection[str] | None = None,
) -> list[tuple[str, int, dict[str, Any]]]:
    role_names = dict(m.Role.objects.values_list("id", "name"))
    return [
        (kind, asset_id, record)
        for kind in APPLY_ORDER
        for asset_id, record in _records_of_kind(kind, role_names, only)
    ]


def export_records() -> list[dict[str, Any]]:
    """The whole catalogue as records, upstream kinds first: what `import` reads back."""
    return [record for _kind, _id, record in _catalogue_records()]


# A file naming more assets than this touches most of a catalogue: it is read whole.
MAX_NAMES_ASKED = 10_000


def load_snapshot(
    names: Collection[str] | None = None,
) -> tuple[CatalogueSnapshot, writing.References]:
    """The catalogue as plain data for the checks, and the ids the writes need, by name: the
    assets of any kind with one of `names` (all of them when None), so that an import costs
    what its file touches, not what the catalogue holds."""
    if names is not None and len(names) > MAX_NAMES_ASKED:
        names = None
    rows: dict[tuple[str, str], list[AssetRow]] = defaultdict(list)
    ids: dict[tuple[str, str], list[int]] = defaultdict(list)
    for number, (kind, asset_id, record) in enumerate(_catalogue_records(names), start=1):
        key = (kind, record["name"])
        row, _ = parse_record(number, record)
        # A stored row that would not parse (a name with surrounding spaces, an over-long
        # text) still counts as an asset of that name: it is updated by every given column.
        rows[key].append(row if row is not None and row.key == key else AssetRow(0, *key))
        ids[key].append(asset_id)
    roles = dict(m.Role.objects.values_list("name", "id"))
    users = dict(get_user_model().objects.values_list("username", "id"))
    snapshot = CatalogueSnapshot(
        assets=dict(rows), roles=frozenset(roles), usernames=frozenset(users)
    )
    return snapshot, writing.References(assets=dict(ids), roles=roles, users=users)


# Reported when the database itself refuses a write the checks passed: the catalogue changed
# between reading and writing.
REFUSED = "The database refused the import (the catalogue changed meanwhile); try again."


@transaction.atomic
def import_catalogue(*, data: bytes, fmt: str, dry_run: bool) -> ImportReport:
    """Validate every row against the catalogue as it is now, then write all or nothing:
    checked in bulk, written with a few statements per kind in one transaction.

    Raises ImportFileError when the document as a whole is unreadable.
    """
    rows, errors = parse_document(data, fmt)
    snapshot, refs = load_snapshot(names_of(rows))
    planned, errors = check_document(rows, errors, snapshot)
    report = ImportReport(dry_run=dry_run, rows=planned, errors=errors)
    if errors:
        return report
    pending = writing.prepare(rows, planned, refs)
    problems = writing.model_problems(pending)
    if problems:
        return ImportReport(dry_run=dry_run, errors=problems)
    if dry_run:
        return report
    try:
        with transaction.atomic():
            writing.write(pending, refs)
    except IntegrityError:
        return ImportReport(dry_run=dry_run, errors=[RowError(0, "", REFUSED)])
    # Written in bulk, so no model signal: the ideas whose closures hold the changed assets go
    # stale. Those of the existing assets are enough: a new asset has no need on it yet, and
    # only rows of this file link to it (each asset's row sets its own inputs), so whatever
    # reaches it reaches it through an existing asset of the file or not at all.
    invalidation.assets_changed(
        (item.row.kind, item.state["id"]) for item in pending if not item.created
    )
    return report
