"""Writing a checked import in bulk: every row becomes a model instance, all of them are
validated by the models' own field rules before anything is written, then each kind is
written with a few `bulk_create`/`bulk_update` statements and its lineage with one delete and
one insert on the through table.

The per-row path (the services) asked the database about every foreign key and check
constraint of every row; here the references were already checked in bulk against the
snapshot (`checks.check_rows`: owners, roles, lineage by kind), the constraints are the
models' `clean()` rules, and the database's own keys and constraints still stand behind both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.utils import timezone

from valuechain import models as m
from valuechain.catalogue import rules
from valuechain.catalogue.bulk import statements
from valuechain.catalogue.bulk.document import (
    APPLY_ORDER,
    ESTIMATE_PARTS,
    ESTIMATES,
    AssetRow,
    EstimateRow,
    PlannedRow,
    RowError,
)

# References are checked against the snapshot and by the database's keys, not one query each.
REFERENCES = frozenset(
    {"owner", "build_days_role", "run_days_role", "acquisition_option", "created_at", "updated_at"}
)


@dataclass(frozen=True, slots=True)
class References:
    """Ids by name, loaded once: what the rows name as owner, unit of days and inputs."""

    assets: Mapping[tuple[str, str], Sequence[int]]  # existing assets by (kind, name)
    roles: Mapping[str, int]
    users: Mapping[str, int]


@dataclass(slots=True)
class Pending:
    """One row to write: its parsed row and the instance holding its new state."""

    row: AssetRow
    asset: m.Asset
    fields: frozenset[str]  # the model fields the row sets
    created: bool


def _apply(row: AssetRow, asset: m.Asset, refs: References) -> frozenset[str]:
    """Set the row's fields on the instance; the names of the fields set."""
    fields = {"name"}
    asset.name = row.name
    for key, value in row.values.items():
        if key == "owner":
            asset.owner_id = refs.users[value] if value is not None else None
        else:
            setattr(asset, key, value)
        fields.add(key)
    for prefix in ESTIMATES:
        estimate: EstimateRow | None = getattr(row, prefix)
        if estimate is None:
            continue
        for part in ESTIMATE_PARTS:
            setattr(asset, f"{prefix}_{part}", float(getattr(estimate, part)))
            fields.add(f"{prefix}_{part}")
        role = refs.roles[estimate.days_role] if estimate.days_role else None
        setattr(asset, f"{prefix}_days_role_id", role)
        fields.add(f"{prefix}_days_role")
    lineage = rules.LINEAGE.get(row.kind)
    if lineage is not None and not lineage.many and row.upstream is not None:
        fields.add(lineage.field)  # set once the inputs it names have ids
    return frozenset(fields)


def prepare(
    rows: Sequence[AssetRow], planned: Sequence[PlannedRow], refs: References
) -> list[Pending]:
    """Instances for the rows that create or change an asset: new ones, and the existing
    ones loaded in one query per kind."""
    action_of = {(p.kind, p.name): p.action for p in planned}
    wanted = [row for row in rows if action_of[row.key] != "unchanged"]
    loaded: dict[str, dict[int, m.Asset]] = {}
    for kind in APPLY_ORDER:
        ids = [
            refs.assets[row.key][0] for row in wanted if row.kind == kind and row.key in refs.assets
        ]
        loaded[kind] = m.ASSET_MODELS[kind]._default_manager.in_bulk(ids) if ids else {}
    pending = []
    for row in wanted:
        existing = refs.assets.get(row.key)
        asset = loaded[row.kind][existing[0]] if existing else m.ASSET_MODELS[row.kind]()
        pending.append(Pending(row, asset, _apply(row, asset, refs), created=not existing))
    return pending


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}


def model_problems(pending: Iterable[Pending]) -> list[RowError]:
    """Each instance against its model's field rules and `clean()`, without a query: the
    limits, numbers and estimates the per-row path's `full_clean` checked."""
    errors = []
    for item in pending:
        problems: dict[str, list[str]] = {}
        try:
            item.asset.clean_fields(exclude=REFERENCES)
        except ValidationError as exc:
            problems.update(_messages(exc))
        try:
            item.asset.clean()
        except ValidationError as exc:
            for name, messages in _messages(exc).items():
                problems.setdefault(name, []).extend(messages)
        for name, messages in problems.items():
            column = "" if name == NON_FIELD_ERRORS else name
            errors.append(RowError(item.row.row, column, "; ".join(messages)))
    return errors


def _link_inputs(kind: str, batch: Sequence[Pending], ids: Mapping[tuple[str, str], int]) -> None:
    """Replace the many-to-many inputs of the rows that name them: one delete, one insert."""
    lineage = rules.LINEAGE.get(kind)
    relinked = [item for item in batch if item.row.upstream is not None]
    if lineage is None or not lineage.many or not relinked:
        return
    field = m.ASSET_MODELS[kind]._meta.get_field(lineage.field)
    through = field.remote_field.through  # type: ignore[union-attr]
    names = (field.m2m_field_name(), field.m2m_reverse_field_name())  # type: ignore[union-attr]
    old = [item.asset.pk for item in relinked if not item.created]
    if old:
        through._default_manager.filter(**{f"{names[0]}__in": old}).delete()
    links = [
        (item.asset.pk, ids[(lineage.upstream, name)])
        for item in relinked
        for name in item.row.upstream or ()
    ]
    statements.insert_links(through, names, links)


def _set_single_input(
    kind: str, batch: Sequence[Pending], ids: Mapping[tuple[str, str], int]
) -> None:
    lineage = rules.LINEAGE.get(kind)
    if lineage is None or lineage.many:
        return
    for item in batch:
        if item.row.upstream is not None:
            names = item.row.upstream
            upstream = ids[(lineage.upstream, names[0])] if names else None
            setattr(item.asset, f"{lineage.field}_id", upstream)


def _insert(model: type[m.Asset], items: Sequence[Pending], now: datetime) -> None:
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    for item in items:
        item.asset.created_at = item.asset.updated_at = now
    rows = [statements.prepared(item.asset, fields) for item in items]
    for item, new_id in zip(items, statements.insert(model, fields, rows), strict=True):
        item.asset.pk = new_id
        item.asset._state.adding = False


def _update(model: type[m.Asset], items: Sequence[Pending], now: datetime) -> None:
    """Only the fields some row sets: a column no row gives keeps every row's value."""
    names = sorted(set().union(*(item.fields for item in items)) | {"updated_at"})
    fields = [model._meta.get_field(name) for name in names]
    for item in items:
        item.asset.updated_at = now
    rows = [statements.prepared(item.asset, fields) for item in items]  # type: ignore[arg-type]
    statements.update(model, fields, rows, [item.asset.pk for item in items])  # type: ignore[arg-type]


def _record(model: type[m.Asset], items: Sequence[Pending], now: datetime, *, update: bool) -> None:
    """The change history of rows written in bulk (they send no save signal): one statement
    per kind, as the rows themselves are written (simple_history's bulk_history_create builds
    a model object per row, which cost the import more than half its time again)."""
    if not items or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = model.history.model  # type: ignore[attr-defined]
    user = history.get_default_history_user(items[0].asset)
    extra = {
        "history_date": now,
        "history_type": "~" if update else "+",
        "history_change_reason": None,
        "history_user": getattr(user, "pk", None),
    }
    fields = [f for f in history._meta.concrete_fields if not f.primary_key]
    rows = []
    for item in items:
        values = [
            extra[f.name] if f.name in extra else getattr(item.asset, f.attname) for f in fields
        ]
        rows.append(
            [f.get_db_prep_save(value, connection) for f, value in zip(fields, values, strict=True)]
        )
    statements.insert(history, fields, rows)


def write(pending: Sequence[Pending], refs: References) -> set[tuple[str, int]]:
    """Write every row, upstream kinds first so that lineage in the file finds its ids; the
    (kind, id) of every asset created or changed."""
    ids = {key: found[0] for key, found in refs.assets.items()}
    now = timezone.now()
    changed: set[tuple[str, int]] = set()
    for kind in APPLY_ORDER:
        model = m.ASSET_MODELS[kind]
        batch = [item for item in pending if item.row.kind == kind]
        if not batch:
            continue
        _set_single_input(kind, batch, ids)
        new = [item for item in batch if item.created]
        if new:
            _insert(model, new, now)
            _record(model, new, now, update=False)
        for item in new:
            ids[item.row.key] = item.asset.pk
        old = [item for item in batch if not item.created]
        if old:
            _update(model, old, now)
            _record(model, old, now, update=True)
        _link_inputs(kind, batch, ids)
        changed.update((kind, item.asset.pk) for item in batch)
    return changed
