"""Writing a checked import in bulk: every row becomes the stored state of its asset (a dict of
column values: the model's defaults or the stored row, with the row's fields set), all of them
are held to the models' own field rules and `clean()` before anything is written, then each
kind is written with a few statements (`statements`), its change history with one more, and
its lineage with one delete and one insert on the through table.

The per-row path (the services) asked the database about every foreign key and check
constraint of every row and built a model instance per row; here the references were already
checked in bulk against the snapshot (`checks.check_rows`: owners, roles, lineage by kind), the
field rules are checked once per distinct value of each column, and the database's own keys
and constraints still stand behind both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models.base import ModelState
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
from valuechain.platform import sql

# References are checked against the snapshot and by the database's keys, not one query each.
REFERENCES = frozenset(
    {"owner", "build_days_role", "run_days_role", "acquisition_option", "created_at", "updated_at"}
)

State = dict[str, Any]  # an asset's column values by attribute name ("owner_id", not "owner")


@dataclass(frozen=True, slots=True)
class References:
    """Ids by name, loaded once: what the rows name as owner, unit of days and inputs."""

    assets: Mapping[tuple[str, str], Sequence[int]]  # existing assets by (kind, name)
    roles: Mapping[str, int]
    users: Mapping[str, int]


@dataclass(slots=True)
class Pending:
    """One row to write: its parsed row and the asset's state once written."""

    row: AssetRow
    state: State  # every column of the asset; "id" is None until a new one is inserted
    fields: frozenset[str]  # the model fields the row sets
    created: bool


def new_state(model: type[m.Asset]) -> State:
    """A new asset's columns as the model's defaults give them."""
    return {field.attname: field.get_default() for field in model._meta.concrete_fields}


def _fields_set(row: AssetRow) -> frozenset[str]:
    return _fields_of_shape(
        row.kind,
        tuple(row.values),
        row.build is not None,
        row.run is not None,
        row.upstream is not None,
    )


# The model fields a row sets depend only on which cells it gives: a few shapes per file.
@lru_cache(maxsize=1024)
def _fields_of_shape(
    kind: str, values: tuple[str, ...], build: bool, run: bool, upstream: bool
) -> frozenset[str]:
    fields = {"name", *values}
    for prefix, given in (("build", build), ("run", run)):
        if given:
            fields.update(f"{prefix}_{part}" for part in ESTIMATE_PARTS)
            fields.add(f"{prefix}_days_role")
    lineage = rules.LINEAGE.get(kind)
    if lineage is not None and not lineage.many and upstream:
        fields.add(lineage.field)  # set once the inputs it names have ids
    return frozenset(fields)


def _apply(row: AssetRow, state: State, refs: References) -> None:
    """Set the row's fields on the state."""
    state["name"] = row.name
    for key, value in row.values.items():
        if key == "owner":
            state["owner_id"] = refs.users[value] if value is not None else None
        else:
            state[key] = value
    for prefix in ESTIMATES:
        estimate: EstimateRow | None = getattr(row, prefix)
        if estimate is None:
            continue
        state[f"{prefix}_low"] = float(estimate.low)
        state[f"{prefix}_likely"] = float(estimate.likely)
        state[f"{prefix}_high"] = float(estimate.high)
        role = refs.roles[estimate.days_role] if estimate.days_role else None
        state[f"{prefix}_days_role_id"] = role


def prepare(
    rows: Sequence[AssetRow], planned: Sequence[PlannedRow], refs: References
) -> list[Pending]:
    """The state of every row that creates or changes an asset: new ones from the model's
    defaults, existing ones as stored, read in one query per kind."""
    action_of = {(p.kind, p.name): p.action for p in planned}
    wanted = [row for row in rows if action_of[row.key] != "unchanged"]
    stored: dict[str, dict[int, State]] = {}
    defaults: dict[str, State] = {}
    for kind in APPLY_ORDER:
        model = m.ASSET_MODELS[kind]
        defaults[kind] = new_state(model)
        ids = [
            refs.assets[row.key][0] for row in wanted if row.kind == kind and row.key in refs.assets
        ]
        stored[kind] = {}
        if ids:
            columns = [field.attname for field in model._meta.concrete_fields]
            found = sql.among(model._default_manager.order_by(), "id", ids)
            stored[kind] = {values["id"]: values for values in found.values(*columns)}
    pending = []
    for row in wanted:
        existing = refs.assets.get(row.key)
        state = stored[row.kind][existing[0]] if existing else dict(defaults[row.kind])
        _apply(row, state, refs)
        pending.append(Pending(row, state, _fields_set(row), created=not existing))
    return pending


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}


def _field_problems(model: type[m.Asset], items: Sequence[Pending]) -> list[dict[str, list[str]]]:
    """What `clean_fields` would say of each row, each field's rules run once per distinct value
    of its column (a file repeats most values: kinds, owners, estimates)."""
    problems: list[dict[str, list[str]]] = [{} for _ in items]
    for field in model._meta.fields:
        if field.name in REFERENCES or field.generated:
            continue
        verdicts: dict[tuple[type, Any], list[str] | None] = {}
        for index, item in enumerate(items):
            value = item.state[field.attname]
            try:
                key = (value.__class__, value)
                verdict = verdicts[key]
            except KeyError:
                verdict = verdicts[key] = _field_verdict(field, value)
            except TypeError:  # unhashable: judged on its own
                verdict = _field_verdict(field, value)
            if verdict is not None:
                problems[index][field.name] = verdict
    return problems


def _field_verdict(field: Any, value: Any) -> list[str] | None:
    # Skipped as `clean_fields` skips it: an empty value of a field that may be blank.
    if field.blank and value in field.empty_values:
        return None
    try:
        field.clean(value, None)
    except ValidationError as exc:
        return exc.messages
    return None


def _instance(model: type[m.Asset], state: State) -> m.Asset:
    """A model instance holding the state, for its `clean()`: what `Model.__init__` would
    build, without its per-field work."""
    instance = model.__new__(model)
    instance.__dict__.update(state)
    instance._state = ModelState()
    instance._state.adding = state.get("id") is None
    return instance


def model_problems(pending: Iterable[Pending]) -> list[RowError]:
    """Each row against its model's field rules and `clean()`, without a query: the limits,
    numbers and estimates the per-row path's `full_clean` checked."""
    by_kind: dict[str, list[Pending]] = defaultdict(list)
    for item in pending:
        by_kind[item.row.kind].append(item)
    errors = []
    for kind, items in by_kind.items():
        model = m.ASSET_MODELS[kind]
        for item, problems in zip(items, _field_problems(model, items), strict=True):
            try:
                _instance(model, item.state).clean()
            except ValidationError as exc:
                for name, messages in _messages(exc).items():
                    problems.setdefault(name, []).extend(messages)
            for name, messages in problems.items():
                column = "" if name == NON_FIELD_ERRORS else name
                errors.append(RowError(item.row.row, column, "; ".join(messages)))
    return sorted(errors, key=lambda error: error.row)


def _link_inputs(kind: str, batch: Sequence[Pending], ids: Mapping[tuple[str, str], int]) -> None:
    """Replace the many-to-many inputs of the rows that name them: one delete, one insert."""
    lineage = rules.LINEAGE.get(kind)
    relinked = [item for item in batch if item.row.upstream is not None]
    if lineage is None or not lineage.many or not relinked:
        return
    field = m.ASSET_MODELS[kind]._meta.get_field(lineage.field)
    through = field.remote_field.through  # type: ignore[union-attr]
    names = (field.m2m_field_name(), field.m2m_reverse_field_name())  # type: ignore[union-attr]
    old = [item.state["id"] for item in relinked if not item.created]
    if old:
        column = through._meta.get_field(names[0]).column
        sql.among(through._default_manager.all(), column, old).delete()
    links = [
        (item.state["id"], ids[(lineage.upstream, name)])
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
            item.state[f"{lineage.field}_id"] = upstream


def _column(items: Sequence[Pending], attname: str) -> list[Any]:
    return [item.state[attname] for item in items]


def _insert(model: type[m.Asset], items: Sequence[Pending], now: datetime) -> None:
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    for item in items:
        item.state["created_at"] = item.state["updated_at"] = now
    columns = [_column(items, field.attname) for field in fields]
    new_ids = statements.insert(model, fields, columns, ids=True)
    for item, new_id in zip(items, new_ids, strict=True):
        item.state["id"] = new_id


def _update(model: type[m.Asset], items: Sequence[Pending], now: datetime) -> None:
    """Only the fields some row sets: a column no row gives keeps every row's value."""
    names = sorted(set().union(*(item.fields for item in items)) | {"updated_at"})
    fields = [model._meta.get_field(name) for name in names]
    for item in items:
        item.state["updated_at"] = now
    columns = [_column(items, field.attname) for field in fields]  # type: ignore[union-attr]
    statements.update(model, fields, columns, _column(items, "id"))  # type: ignore[arg-type]


def _record(model: type[m.Asset], items: Sequence[Pending], now: datetime, *, update: bool) -> None:
    """The change history of rows written in bulk (they send no save signal): one statement
    per kind, in which the database copies the rows just written into the history table
    (simple_history's bulk_history_create builds a model object per row, and even sending
    the rows again costs more than the database reading its own)."""
    if not items or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = model.history.model  # type: ignore[attr-defined]
    user = history.get_default_history_user(_instance(model, items[0].state))
    constants = {
        "history_date": now,
        "history_type": "~" if update else "+",
        "history_change_reason": None,
        "history_user": getattr(user, "pk", None),
    }
    statements.insert_copies(history, model, _column(items, "id"), constants)


def write(pending: Sequence[Pending], refs: References) -> None:
    """Write every row, upstream kinds first so that lineage in the file finds its ids."""
    ids = {key: found[0] for key, found in refs.assets.items()}
    now = timezone.now()
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
            ids[item.row.key] = item.state["id"]
        old = [item for item in batch if not item.created]
        if old:
            _update(model, old, now)
            _record(model, old, now, update=True)
        _link_inputs(kind, batch, ids)
