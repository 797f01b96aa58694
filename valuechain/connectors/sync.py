"""The one sync service every connector shares: diff an import against the catalogue, then
apply it (or, on a dry run, only say what would change).

Rules of a sync:
- an asset is the same asset on every import when its (source system, external id) is;
- what the source system says is kept in step (name, description, lineage to the system's own
  assets, a feature's group and online flag, a raw source's system); what a data lead set in
  ValueChain is never overwritten: estimates, feasibility, owner (set once, on creation, when
  the source names a known user), `available`, and lineage to assets typed in by hand;
- an asset missing from a complete import (dbt, Feast) is retired, never deleted: needs may
  point at it; it comes back to life if it reappears. An OpenLineage event retires nothing;
- curated -> curated links that would make a cycle are refused (ValidationError), nothing is
  written.

Writes are bulk (a 5,000-model project is a few dozen queries), so they send no model signals:
stored figures are invalidated here, once per import.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from valuechain import models as m
from valuechain.connectors import governance, records
from valuechain.connectors.records import (
    CURATED_DATASET,
    FEATURE,
    RAW_SOURCE,
    AssetRecord,
    Import,
    Ref,
)
from valuechain.figures import invalidation

Progress = Callable[[float], None]
BATCH = 1_000
# Past this many touched assets one wholesale invalidation is cheaper than one per asset.
WHOLESALE_INVALIDATION = 500

# The fields a source system owns, per kind (what a re-import may change).
SYNCED: dict[str, tuple[str, ...]] = {
    FEATURE: ("name", "description", "feature_group", "online"),
    CURATED_DATASET: ("name", "description"),
    RAW_SOURCE: ("name", "description", "system"),
}
# (downstream kind, upstream kind) -> (through model, its downstream column, upstream column)
LINKS: dict[tuple[str, str], tuple[Any, str, str]] = {
    (FEATURE, CURATED_DATASET): (
        m.Feature.curated_datasets.through,
        "feature_id",
        "curateddataset_id",
    ),
    (CURATED_DATASET, RAW_SOURCE): (
        m.CuratedDataset.raw_sources.through,
        "curateddataset_id",
        "rawsource_id",
    ),
    (CURATED_DATASET, CURATED_DATASET): (
        m.CuratedDataset.upstream_curated_datasets.through,
        "from_curateddataset_id",
        "to_curateddataset_id",
    ),
}


@dataclass(frozen=True, slots=True)
class Change:
    action: str  # created, updated, retired
    asset_type: str
    name: str
    external_id: str

    def as_dict(self) -> dict[str, str]:
        return {
            "action": self.action,
            "asset_type": self.asset_type,
            "name": self.name,
            "external_id": self.external_id,
        }


@dataclass(slots=True)
class Plan:
    """The diff of one import, and the rows and links that apply it."""

    system: str
    records: dict[Ref, AssetRecord]
    existing: dict[Ref, m.Asset]
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    create: list[AssetRecord] = field(default_factory=list)
    update: list[tuple[m.Asset, AssetRecord]] = field(default_factory=list)
    retire: list[m.Asset] = field(default_factory=list)
    # (downstream kind, upstream kind) -> {downstream ref: upstream refs the source states}
    links: dict[tuple[str, str], dict[Ref, set[Ref]]] = field(default_factory=dict)

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)


def _dedupe(records: Iterable[AssetRecord]) -> dict[Ref, AssetRecord]:
    """One record per asset; a later mention wins but keeps the inputs earlier ones named."""
    found: dict[Ref, AssetRecord] = {}
    for record in records:
        earlier = found.get(record.ref)
        if earlier is not None and earlier.upstream and not record.upstream:
            record = AssetRecord(**{**_fields(record), "upstream": earlier.upstream})
        found[record.ref] = record
    return found


def _fields(record: AssetRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in AssetRecord.__slots__}


def _existing(system: str, data: Import, records: Mapping[Ref, AssetRecord]) -> dict[Ref, m.Asset]:
    """The system's assets this import speaks of: all of them for a complete import (to retire
    what is gone), else those it names (one query per kind either way)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for kind, external_id in records:
        wanted[kind].add(external_id)
    for record in records.values():
        for kind, external_id in record.upstream:
            wanted[kind].add(external_id)
            if kind == RAW_SOURCE:  # an OpenLineage input may be a dataset curated elsewhere
                wanted[CURATED_DATASET].add(external_id)
    found: dict[Ref, m.Asset] = {}
    for kind in SYNCED:
        rows = m.ASSET_MODELS[kind]._default_manager.filter(source_system=system)
        if not data.complete:
            if not wanted[kind]:
                continue
            rows = rows.filter(external_id__in=wanted[kind])
        for row in rows:
            found[(kind, row.external_id)] = row
    return found


def _resolve(
    ref: Ref, records: Mapping[Ref, AssetRecord], existing: Mapping[Ref, Any]
) -> Ref | None:
    """The asset an upstream reference means, or None when the import cannot place it."""
    if ref in records or ref in existing:
        if ref[0] == RAW_SOURCE and (CURATED_DATASET, ref[1]) in existing and ref not in existing:
            return (CURATED_DATASET, ref[1])
        return ref
    if ref[0] == RAW_SOURCE and (CURATED_DATASET, ref[1]) in existing:
        return (CURATED_DATASET, ref[1])
    return None


def _differs(row: m.Asset, record: AssetRecord) -> bool:
    for name in SYNCED[record.asset_type]:
        value = getattr(record, name)
        if name == "online" and value is None:
            continue
        if getattr(row, name) != value:
            return True
    return row.retired_at is not None


def plan_import(system: str, data: Import) -> Plan:
    """The diff of an import: reads only."""
    records = _dedupe(data.assets)
    existing = _existing(system, data, records)
    if not data.complete:
        # a dataset one event reads and another writes is curated, not raw
        records = {
            ref: record
            for ref, record in records.items()
            if not (
                ref[0] == RAW_SOURCE
                and ((CURATED_DATASET, ref[1]) in existing or (CURATED_DATASET, ref[1]) in records)
            )
        }
    plan = Plan(system=system, records=records, existing=existing)
    for record in records.values():
        for ref in record.upstream:
            target = _resolve(ref, records, plan.existing)
            pair = (record.asset_type, target[0]) if target else None
            if target is not None and pair in LINKS and target != record.ref:
                plan.links.setdefault(pair, {}).setdefault(record.ref, set()).add(target)
    current = _current_links(plan)
    for ref, record in records.items():
        row = plan.existing.get(ref)
        if row is None:
            plan.create.append(record)
            plan.changes.append(Change("created", ref[0], record.name, ref[1]))
        elif _differs(row, record) or _links_differ(plan, ref, current):
            plan.update.append((row, record))
            plan.changes.append(Change("updated", ref[0], record.name, ref[1]))
        else:
            plan.unchanged += 1
    if data.complete:
        for ref, row in plan.existing.items():
            if ref not in records and row.retired_at is None:
                plan.retire.append(row)
                plan.changes.append(Change("retired", ref[0], row.name, ref[1]))
    _check_no_cycle(plan)
    return plan


def _current_links(plan: Plan) -> dict[tuple[str, str], dict[Ref, set[Ref]]]:
    """The links among the system's existing assets, as refs (one query per link table)."""
    by_pk = {(ref[0], row.pk): ref for ref, row in plan.existing.items()}
    current: dict[tuple[str, str], dict[Ref, set[Ref]]] = {}
    for pair, (through, down, up) in LINKS.items():
        downstream = [row.pk for (kind, _), row in plan.existing.items() if kind == pair[0]]
        if not downstream:
            continue
        found = current.setdefault(pair, {})
        rows = through.objects.filter(**{f"{down}__in": downstream}).values_list(down, up)
        for down_pk, up_pk in rows:
            upstream = by_pk.get((pair[1], up_pk))
            if upstream is not None:  # links to assets typed in by hand are the lead's
                found.setdefault(by_pk[(pair[0], down_pk)], set()).add(upstream)
    return current


def _links_differ(plan: Plan, ref: Ref, current: Mapping[tuple[str, str], Any]) -> bool:
    for pair in LINKS:
        if pair[0] != ref[0]:
            continue
        stated = plan.links.get(pair, {}).get(ref, set())
        if stated != current.get(pair, {}).get(ref, set()):
            return True
    return False


def _check_no_cycle(plan: Plan) -> None:
    """Refuse an import whose curated -> curated links (with those already stored) loop."""
    stated = plan.links.get((CURATED_DATASET, CURATED_DATASET), {})
    if not stated:
        return
    graph: dict[Any, set[Any]] = defaultdict(set)
    through, down, up = LINKS[(CURATED_DATASET, CURATED_DATASET)]
    synced = {plan.existing[ref].pk for ref in stated if ref in plan.existing}
    for down_pk, up_pk in through.objects.values_list(down, up):
        if down_pk not in synced:
            graph[down_pk].add(up_pk)
    node = {ref: row.pk for ref, row in plan.existing.items()}
    for ref, upstream in stated.items():
        graph[node.get(ref, ref)] |= {node.get(target, target) for target in upstream}
    state: dict[Any, int] = {}
    for start in list(graph):
        if state.get(start):
            continue
        stack = [(start, iter(graph[start]))]
        state[start] = 1
        while stack:
            current, inputs = stack[-1]
            for target in inputs:
                if state.get(target) == 1:
                    raise ValidationError(
                        {"lineage": ["Curated datasets would be built from themselves (a cycle)."]}
                    )
                if not state.get(target):
                    state[target] = 1
                    stack.append((target, iter(graph.get(target, ()))))
                    break
            else:
                state[current] = 2
                stack.pop()


# --- applying --------------------------------------------------------------------------------


def _owners(records: Iterable[AssetRecord]) -> dict[str, User]:
    names = {record.owner for record in records if record.owner}
    if not names:
        return {}
    found: dict[str, User] = {}
    for user in User.objects.filter(Q(username__in=names) | Q(email__in=names)):
        found[user.username] = user
        if user.email:
            found.setdefault(user.email, user)
    return found


def _new_row(system: str, record: AssetRecord, owners: Mapping[str, User]) -> m.Asset:
    model = m.ASSET_MODELS[record.asset_type]
    row = model(
        source_system=system,
        external_id=record.external_id,
        owner=owners.get(record.owner),
        available=True,  # it exists in its source system
    )
    _set_synced(row, record)
    return row


def _set_synced(row: m.Asset, record: AssetRecord) -> None:
    for name in SYNCED[record.asset_type]:
        value = getattr(record, name)
        if not (name == "online" and value is None):
            setattr(row, name, value)
    row.retired_at = None


def _write_links(plan: Plan, pks: Mapping[Ref, int]) -> None:
    """Replace the system's links of the synced assets by those the source states; links to
    assets typed in by hand stay."""
    system_pks: dict[str, set[int]] = defaultdict(set)
    for (kind, _), pk in pks.items():
        system_pks[kind].add(pk)
    for pair, (through, down, up) in LINKS.items():
        synced = [pks[ref] for ref in plan.records if ref[0] == pair[0] and ref in pks]
        if not synced:
            continue
        stated = {
            (pks[ref], pks[target])
            for ref, targets in plan.links.get(pair, {}).items()
            for target in targets
            if target in pks
        }
        stored: dict[tuple[int, int], int] = {}
        for start in range(0, len(synced), BATCH):
            rows = through.objects.filter(**{f"{down}__in": synced[start : start + BATCH]})
            for pk, down_pk, up_pk in rows.values_list("pk", down, up):
                if up_pk in system_pks[pair[1]]:
                    stored[(down_pk, up_pk)] = pk
        gone = [pk for link, pk in stored.items() if link not in stated]
        for start in range(0, len(gone), BATCH):
            through.objects.filter(pk__in=gone[start : start + BATCH]).delete()
        through.objects.bulk_create(
            [through(**{down: d, up: u}) for d, u in sorted(stated - stored.keys())],
            batch_size=BATCH,
        )


def _pks(plan: Plan, created: Iterable[m.Asset]) -> dict[Ref, int]:
    pks = {ref: row.pk for ref, row in plan.existing.items()}
    pks.update({(row.asset_type, row.external_id): row.pk for row in created})
    return pks


def answer(plan: Plan, extras: Mapping[str, Any], *, dry_run: bool) -> dict[str, Any]:
    return {
        "created": plan.count("created"),
        "updated": plan.count("updated"),
        "retired": plan.count("retired"),
        "unchanged": plan.unchanged,
        "dry_run": dry_run,
        "changes": [change.as_dict() for change in plan.changes],
        **extras,
    }


@transaction.atomic
def apply_import(
    *,
    system: str,
    data: Import,
    dry_run: bool = False,
    user: User | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Diff the import and, unless a dry run, apply it; the answer the API gives."""
    report = progress or (lambda fraction: None)
    plan = plan_import(system, data)
    if dry_run:
        return answer(plan, governance.preview(system, data, plan.existing), dry_run=True)
    report(0.1)
    owners = _owners(plan.create)
    now = timezone.now()
    created: list[m.Asset] = []
    for kind, model in ((k, m.ASSET_MODELS[k]) for k in SYNCED):
        rows = [_new_row(system, r, owners) for r in plan.create if r.asset_type == kind]
        for start in range(0, len(rows), BATCH):
            created += model._default_manager.bulk_create(rows[start : start + BATCH])
            report(0.1 + 0.4 * len(created) / max(1, len(plan.create)))
    for kind, model in ((k, m.ASSET_MODELS[k]) for k in SYNCED):
        rows = []
        for row, record in plan.update:
            if record.asset_type == kind:
                _set_synced(row, record)
                row.updated_at = now
                rows.append(row)
        if rows:
            fields = [*SYNCED[kind], "retired_at", "updated_at"]
            model._default_manager.bulk_update(rows, fields, batch_size=BATCH)
    for kind, model in ((k, m.ASSET_MODELS[k]) for k in SYNCED):
        retired = [row.pk for row in plan.retire if row.asset_type == kind]
        for start in range(0, len(retired), BATCH):
            chunk = retired[start : start + BATCH]
            model._default_manager.filter(pk__in=chunk).update(retired_at=now, updated_at=now)
    report(0.6)
    pks = _pks(plan, created)
    _write_links(plan, pks)
    report(0.8)
    extras = governance.apply(system, data, pks, user=user)
    touched = [*created, *(row for row, _ in plan.update), *plan.retire]
    if len(touched) > WHOLESALE_INVALIDATION:
        with invalidation.suspended():
            pass
    elif touched:
        invalidation.assets_changed((row.asset_type, row.pk) for row in touched)
    report(1.0)
    return answer(plan, extras, dry_run=False)


def apply_run(run: m.ConnectorRun, progress: Progress) -> dict[str, Any]:
    """A queued import, as the worker applies it (valuechain.connectors.tasks)."""
    return apply_import(
        system=run.connector,
        data=records.from_json(run.params),
        dry_run=run.dry_run,
        user=run.created_by,
        progress=progress,
    )
