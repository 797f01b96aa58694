"""The activity feed of an idea or an asset: its recorded changes, newest first, each with who,
when and every field that changed (before -> after), money formatted; and on an idea, the NPV
and ROI before and after each change that re-priced it.

Read in a constant number of queries per page whatever the history's length: per source, one
page of rows (each annotated with its previous record's id), and, only when the page is full or
misses some of those previous records, a count and a read of the missing ones; then one query
per kind of related row named in the page's changes.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import OuterRef, QuerySet, Subquery

from valuechain import models as m
from valuechain.platform.display import currency

PER_PAGE = 20
# Pages further back than this are not offered: the newest 2,000 changes are the feed.
MAX_PAGES = 100
ESTIMATE_PREFIXES = ("benefit", "engineering", "build", "run")
PERCENT_FIELDS = {"probability_of_success", "discount_rate", "feasibility", "confidence"}
# Bookkeeping: never shown as a change.
HIDDEN = {"id", "created_at", "updated_at", "idea"}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Repricing:
    npv_before: str
    npv_after: str
    roi_before: str
    roi_after: str
    verdict_before: str
    verdict_after: str
    worse: bool


@dataclass
class Entry:
    when: datetime
    who: str
    subject: str
    action: str  # created, changed, deleted, re-priced
    changes: list[Change] = field(default_factory=list)
    repricing: Repricing | None = None
    order: int = 0  # ties in time: the later record first


@dataclass(frozen=True)
class FeedPage:
    entries: list[Entry]
    number: int
    num_pages: int
    count: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} {currency()}"


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f} %"


# --- reading the records ------------------------------------------------------------------------


def _with_previous(rows: QuerySet[Any]) -> QuerySet[Any]:
    history = rows.model
    previous = (
        history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    return rows.select_related("history_user").annotate(previous_id=Subquery(previous))


# A record's previous record: history ids are per table, so the table is part of the key.
PreviousKey = tuple[type[models.Model], int]


def _records(rows: QuerySet[Any], limit: int) -> tuple[int, list[Any], dict[PreviousKey, Any]]:
    """How many records, the newest `limit` of them, and their previous records by id.

    Most feeds are short: when fewer than `limit` records exist they are all on the page, so
    they are their own count and hold every previous record (but one whose row moved from
    another idea). A full page costs a count and a read of the previous records it lacks."""
    page = list(_with_previous(rows).order_by("-history_date", "-history_id")[:limit])
    model = rows.model
    previous = {(model, row.history_id): row for row in page}
    wanted = [
        row.previous_id
        for row in page
        if row.previous_id is not None and (model, row.previous_id) not in previous
    ]
    full = len(page) == limit
    if full or wanted:
        found = model.objects.filter(history_id__in=wanted or [0])
        previous.update(((model, row.history_id), row) for row in found)
    return (rows.count() if full else len(page)), page, previous


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN and isinstance(f, models.Field)
    ]


def _changed(record: Any, previous: Any) -> list[models.Field]:
    model = record.instance_type
    return [f for f in _fields(model) if getattr(record, f.attname) != getattr(previous, f.attname)]


# --- showing values -----------------------------------------------------------------------------


class _Names:
    """Names of the rows the page's changes point at, one query per kind of row."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        self.found: dict[tuple[type[models.Model], int], str] = {}

    def want(self, f: models.Field, value: Any) -> None:
        if f.is_relation and value is not None and f.related_model is not None:
            self.wanted[f.related_model].add(value)  # type: ignore[index]

    def load(self) -> None:
        user_model = get_user_model()
        for model, ids in self.wanted.items():
            if model is user_model:
                rows = user_model.objects.filter(pk__in=ids).values_list("pk", "username")
                self.found.update(((model, pk), name) for pk, name in rows)
            else:
                self.found.update(
                    ((model, row.pk), str(row)) for row in model._default_manager.filter(pk__in=ids)
                )

    def name(self, f: models.Field, value: Any) -> str:
        return self.found.get((f.related_model, value), f"#{value}")  # type: ignore[arg-type]


def _estimate_prefix(name: str) -> str | None:
    for prefix in ESTIMATE_PREFIXES:
        if name in (f"{prefix}_low", f"{prefix}_likely", f"{prefix}_high"):
            return prefix
    return None


def _show(record: Any, f: models.Field, names: _Names) -> str:
    value = getattr(record, f.attname)
    if value is None or value == "":
        return "—"
    if f.is_relation:
        return names.name(f, value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    prefix = _estimate_prefix(f.name)
    if prefix is not None:
        if getattr(record, f"{prefix}_days_role_id", None) is not None:
            return f"{value:,.1f} person-days"
        return money(value)
    if f.name in PERCENT_FIELDS:
        return percent(value)
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def _label(f: models.Field) -> str:
    label = str(f.verbose_name)
    return label[:1].upper() + label[1:]


# --- entries ------------------------------------------------------------------------------------


def _subject(record: Any) -> str:
    model = record.instance_type
    if model is m.Idea:
        return f"Idea “{record.title}”"
    if model is m.Need:
        return f"Need “{record.name}”"
    if model is m.StakeholderAssignment:
        return f"Stakeholder assignment (tier {record.tier})"
    return f"{model._meta.verbose_name.capitalize()} “{record.name}”"


ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def _entries(
    records: Sequence[Any], previous: dict[PreviousKey, Any], names: _Names
) -> list[Entry]:
    pending: list[tuple[Entry, Any, Any, list[models.Field]]] = []
    for record in records:
        before = previous.get((type(record), record.previous_id)) if record.previous_id else None
        action = ACTIONS.get(record.history_type, "changed")
        fields = _changed(record, before) if before is not None and action == "changed" else []
        if record.instance_type is m.StakeholderAssignment:
            fields_to_name = _fields(m.StakeholderAssignment)  # who, which role: always shown
            for f in fields_to_name:
                names.want(f, getattr(record, f.attname))
        for f in fields:
            names.want(f, getattr(record, f.attname))
            names.want(f, getattr(before, f.attname))
        user = record.history_user
        entry = Entry(
            when=record.history_date,
            who=user.get_username() if user is not None else "a script or an import",
            subject=_subject(record),
            action=action,
            order=record.history_id,
        )
        pending.append((entry, record, before, fields))
    names.load()
    found = []
    for entry, record, before, fields in pending:
        if record.instance_type is m.StakeholderAssignment:
            person = names.name(m.StakeholderAssignment._meta.get_field("person"), record.person_id)  # type: ignore[arg-type]
            role = names.name(m.StakeholderAssignment._meta.get_field("role"), record.role_id)  # type: ignore[arg-type]
            entry.subject = f"Stakeholder {person} as {role} on tier {record.tier}"
        entry.changes = [
            Change(_label(f), _show(before, f, names), _show(record, f, names)) for f in fields
        ]
        if entry.action == "changed" and not entry.changes:
            entry.action = "saved without changes"
        found.append(entry)
    return found


def _repricings(rows: Iterable[m.FiguresChange]) -> list[Entry]:
    found = []
    for row in rows:
        worse = (
            row.npv_after is not None
            and row.npv_before is not None
            and row.npv_after < row.npv_before
        )
        found.append(
            Entry(
                when=row.changed_at,
                who="figures",
                subject="ROI",
                action="re-priced",
                repricing=Repricing(
                    npv_before=money(row.npv_before),
                    npv_after=money(row.npv_after),
                    roi_before=percent(row.roi_before),
                    roi_after=percent(row.roi_after),
                    verdict_before=_verdict(row.verdict_before),
                    verdict_after=_verdict(row.verdict_after),
                    worse=worse,
                ),
                # after every record of its time: it comes from the change just before it
                order=10**18 + row.pk,
            )
        )
    return found


def _verdict(value: str) -> str:
    return value.replace("_", " ") if value else "—"


def _page(
    number: int, sources: Sequence[QuerySet[Any]], repricings: QuerySet[m.FiguresChange] | None
) -> FeedPage:
    number = max(1, min(number, MAX_PAGES))
    limit = number * PER_PAGE
    names = _Names()
    total = 0
    lists: list[list[Entry]] = []
    records: list[Any] = []
    previous: dict[PreviousKey, Any] = {}
    for rows in sources:
        count, page, before = _records(rows, limit)
        total += count
        records.extend(page)
        previous.update(before)
    # history ids are per table: keep each table's records apart when ordering ties
    lists.append(_entries(records, previous, names))
    if repricings is not None:
        newest = list(repricings.order_by("-changed_at", "-id")[:limit])
        total += len(newest) if len(newest) < limit else repricings.count()
        lists.append(_repricings(newest))
    merged = heapq.merge(
        *(sorted(entries, key=lambda e: (e.when, e.order), reverse=True) for entries in lists),
        key=lambda e: (e.when, e.order),
        reverse=True,
    )
    ordered = list(merged)
    num_pages = max(1, min(MAX_PAGES, -(-total // PER_PAGE)))
    start = (number - 1) * PER_PAGE
    return FeedPage(ordered[start : start + PER_PAGE], number, num_pages, total)


def idea_feed(idea_id: int, page: int = 1) -> FeedPage:
    """Changes to the idea, its needs and its stakeholder assignments, and its re-pricings."""
    sources = [
        m.Idea.history.filter(id=idea_id),  # type: ignore[attr-defined]
        m.Need.history.filter(idea_id=idea_id),  # type: ignore[attr-defined]
        m.StakeholderAssignment.history.filter(idea_id=idea_id),  # type: ignore[attr-defined]
    ]
    return _page(page, sources, m.FiguresChange.objects.filter(idea_id=idea_id))


def asset_feed(asset_type: str, asset_id: int, page: int = 1) -> FeedPage:
    """Changes to one catalogue asset (its estimates, availability, owner, inputs...)."""
    model = m.ASSET_MODELS[asset_type]
    return _page(page, [model.history.filter(id=asset_id)], None)  # type: ignore[attr-defined]
