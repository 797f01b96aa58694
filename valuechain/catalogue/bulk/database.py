"""The database side of the bulk import and export: the catalogue as records and as a
snapshot for the checks, and an import that writes every row through the services, all or
nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from valuechain import models as m
from valuechain.catalogue import rules, selectors, services
from valuechain.catalogue.bulk.checks import validate_document
from valuechain.catalogue.bulk.document import (
    APPLY_ORDER,
    ESTIMATE_PARTS,
    ESTIMATES,
    KIND_ONLY,
    AssetRow,
    CatalogueSnapshot,
    EstimateRow,
    ImportReport,
    RowError,
)
from valuechain.catalogue.bulk.parsing import parse_record
from valuechain.estimates import EstimateInput


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


def _querysets() -> dict[str, Any]:
    return {
        "acquisition_option": m.AcquisitionOption.objects.select_related("owner"),
        "raw_source": m.RawSource.objects.select_related("owner", "acquisition_option"),
        "curated_dataset": m.CuratedDataset.objects.select_related("owner").prefetch_related(
            "raw_sources"
        ),
        "feature": m.Feature.objects.select_related("owner").prefetch_related("curated_datasets"),
    }


def export_records() -> list[dict[str, Any]]:
    """The whole catalogue as records, upstream kinds first: what `import` reads back."""
    role_names = dict(m.Role.objects.values_list("id", "name"))
    records = []
    for kind in APPLY_ORDER:
        for asset in _querysets()[kind].order_by("name", "id"):
            records.append(_record(asset, role_names))
    return records


def load_snapshot() -> tuple[CatalogueSnapshot, dict[tuple[str, str], list[m.Asset]]]:
    """The catalogue as plain data for the checks, and the rows by (kind, name) for writing."""
    records = export_records()
    rows_by_key: dict[tuple[str, str], list[m.Asset]] = defaultdict(list)
    for kind in APPLY_ORDER:
        for asset in m.ASSET_MODELS[kind]._default_manager.order_by("id"):
            rows_by_key[(kind, asset.name)].append(asset)
    parsed: dict[tuple[str, str], list[AssetRow]] = defaultdict(list)
    for number, record in enumerate(records, start=1):
        row, _ = parse_record(number, record)
        if row is not None:
            parsed[row.key].append(row)
    # Names stored with surrounding spaces or over-long would not parse; keep them counted.
    for key, assets in rows_by_key.items():
        while len(parsed[key]) < len(assets):
            parsed[key].append(AssetRow(0, key[0], key[1]))
    snapshot = CatalogueSnapshot(
        assets=dict(parsed),
        roles=frozenset(m.Role.objects.values_list("name", flat=True)),
        usernames=frozenset(get_user_model().objects.values_list("username", flat=True)),
    )
    return snapshot, dict(rows_by_key)


def _changes(
    row: AssetRow,
    roles: Mapping[str, int],
    users: Mapping[str, Any],
    ids: Mapping[tuple[str, str], int],
) -> dict[str, Any]:
    changes: dict[str, Any] = {"name": row.name}
    for key, value in row.values.items():
        changes[key] = users[value] if key == "owner" and value is not None else value
    for prefix in ESTIMATES:
        estimate: EstimateRow | None = getattr(row, prefix)
        if estimate is not None:
            changes[prefix] = EstimateInput(
                estimate.low,
                estimate.likely,
                estimate.high,
                days_role_id=roles[estimate.days_role] if estimate.days_role else None,
            )
    lineage = rules.LINEAGE.get(row.kind)
    if row.upstream is not None and lineage is not None:
        upstream_ids = [ids[(lineage.upstream, name)] for name in row.upstream]
        changes[lineage.field] = (
            upstream_ids if lineage.many else (upstream_ids[0] if upstream_ids else None)
        )
    return changes


@transaction.atomic
def import_catalogue(*, data: bytes, fmt: str, dry_run: bool) -> ImportReport:
    """Validate every row against the catalogue as it is now, then write all or nothing.

    Raises ImportFileError when the document as a whole is unreadable.
    """
    snapshot, existing = load_snapshot()
    rows, planned, errors = validate_document(data, fmt, snapshot)
    report = ImportReport(dry_run=dry_run, rows=planned, errors=errors)
    if errors or dry_run:
        return report
    roles = dict(m.Role.objects.values_list("name", "id"))
    wanted_users = {row.values["owner"] for row in rows if row.values.get("owner")}
    users = {
        user.username: user for user in get_user_model().objects.filter(username__in=wanted_users)
    }
    ids = {key: assets[0].pk for key, assets in existing.items()}
    action_of = {(p.kind, p.name): p.action for p in planned}
    by_kind: dict[str, list[AssetRow]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    for kind in APPLY_ORDER:
        for row in by_kind[kind]:
            action = action_of[row.key]
            if action == "unchanged":
                continue
            changes = _changes(row, roles, users, ids)
            try:
                if action == "create":
                    asset = services.create_asset(asset_type=kind, changes=changes)  # type: ignore[arg-type]
                    ids[row.key] = asset.pk
                else:
                    services.update_asset(
                        asset=existing[row.key][0],
                        changes=changes,  # type: ignore[arg-type]
                    )
            except ValidationError as exc:
                # The checks above should have caught it; report it on the row all the same.
                transaction.set_rollback(True)
                report.rows = []
                problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
                report.errors = [
                    RowError(row.row, name, "; ".join(messages))
                    for name, messages in problems.items()
                ]
                return report
    return report
