"""Each idea's ROI report, stored and kept fresh: read by lists, the dashboard and the API
instead of computing every report on every request.

Freshness is by version, never by time: every write that can change an idea's report raises
its `inputs_version` (invalidation.py); figures computed from version v are stored only while
the idea is still at v (a compare-and-set), so no reader ever gets figures older than the data.
"""

from __future__ import annotations

import gc
import hashlib
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from valuechain import mappers
from valuechain import models as m
from valuechain.engine import batch, chain, documents, finance
from valuechain.figures import codec, repricing

# From this many ideas on the vectorised engine is faster (same figures to 1e-9 relative);
# below it, its fixed set-up costs more than it saves (bench/bench_roi.py, engine tests).
BATCH_FROM = 32
# From this many ideas at once, one (cached) whole catalogue is cheaper than their closures.
WHOLE_CATALOGUE_FROM = 300
# The cache entry of an idea's lineage closure (mappers.load_closure of its needs' assets).
CLOSURE = "closure"
# Ideas refreshed per transaction by the background refresh.
REFRESH_CHUNK = 500
CATALOGUE_CACHE_SECONDS = 24 * 3600


T = TypeVar("T")

_STALE = Q(computed_version__isnull=True) | ~Q(computed_version=F("inputs_version"))


# --- versions ---------------------------------------------------------------------------------


def bump_ideas(idea_ids: Iterable[int]) -> None:
    """The figures of these ideas are no longer fresh (call inside the writing transaction)."""
    ids = sorted(set(idea_ids))
    if ids:
        m.IdeaFigures.objects.filter(idea_id__in=ids).update(inputs_version=F("inputs_version") + 1)
        bump_epoch()


def bump_all_ideas() -> None:
    m.IdeaFigures.objects.update(inputs_version=F("inputs_version") + 1)
    bump_epoch()


Versioned = type[m.CatalogueVersion] | type[m.FiguresEpoch]


def _bump(model: Versioned) -> None:
    """A new version of the one row: what was cached under older ones is never read again.

    The key carries a random token as well as the number, so a version that a rolled-back
    transaction used (and may have cached) is never reused by a later write.
    """
    token = uuid.uuid4().hex
    if not model.objects.filter(pk=1).update(version=F("version") + 1, token=token):
        model.objects.get_or_create(pk=1, defaults={"token": token})


def _key(model: Versioned, name: str) -> str:
    row = model.objects.filter(pk=1).values_list("version", "token").first()
    if row is None:
        # A database without the row (new, or emptied): a fresh random token, so nothing
        # cached before the database was emptied can be taken for this one.
        _bump(model)
        row = model.objects.filter(pk=1).values_list("version", "token").get()
    version, token = row
    return f"valuechain:{name}:{version}:{token}"


def bump_catalogue() -> None:
    """Assets, lineage, day rates or tier defaults changed."""
    _bump(m.CatalogueVersion)


def catalogue_key() -> str:
    return _key(m.CatalogueVersion, "catalogue")


def bump_epoch() -> None:
    """An idea or an idea's stored figures changed (call inside the writing transaction)."""
    _bump(m.FiguresEpoch)


def epoch_key() -> str:
    """The key of what is computed from every idea and its stored figures: read it before
    reading them, so that what is cached under it is never older than it."""
    return _key(m.FiguresEpoch, "epoch")


def name_of(value: object) -> str:
    """A short name for a cache key of plain data (tuples of numbers and strings, dataclasses of
    them): equal data, equal names."""
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


def cached(key: str, build: Callable[[], T], seconds: int = 3600) -> T:
    """The shared cache's value under `key`, built and stored when it has none. Keys name the
    version of what the value is built from, so an entry is never stale."""
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, seconds)
    return cast(T, found)


# The same, kept in this process too: unpickling a whole catalogue on every request costs
# more than computing from it. Keys name a catalogue version, so an entry is never stale.
_local: OrderedDict[str, Any] = OrderedDict()
LOCAL_ENTRIES = 8


def _out_of_the_collectors_sight() -> None:
    """Long-lived caches hold millions of objects; a full garbage collection walking them all
    cost a request 150 ms now and then. Freezing moves what lives now out of its sight (the
    cached objects hold no cycles: reference counting still frees an evicted entry)."""
    gc.freeze()


def forget_process_caches() -> None:
    """Drop what this process keeps (for tests that count the work of a cold start)."""
    _local.clear()
    _by_epoch.clear()
    _decoded.clear()


# What is derived from every idea's stored figures, kept in this process under the epoch's key
# (read before the figures): thousands of reports cost more to unpickle than to look up here.
_by_epoch: OrderedDict[str, Any] = OrderedDict()
BY_EPOCH_ENTRIES = 8
_by_epoch_lock = threading.Lock()


def kept_for_epoch(epoch: str, name: str, build: Callable[[], T]) -> T:
    """What `build` derives from the ideas and their stored figures, built once per epoch in
    this process. `epoch` is `epoch_key()` read before `build` reads anything, so what is kept
    under it is never older than it. Callers share what is returned: treat it as read-only."""
    key = f"{epoch}:{name}"
    with _by_epoch_lock:  # a threaded server's requests share the dict
        found = _by_epoch.get(key)
        if found is not None:
            _by_epoch.move_to_end(key)
            return cast(T, found)
    found = build()
    with _by_epoch_lock:
        _by_epoch[key] = found
        while len(_by_epoch) > BY_EPOCH_ENTRIES:
            _by_epoch.popitem(last=False)
    return cast(T, found)


def cached_for_catalogue(name: str, build: Callable[[], T]) -> T:
    """What `build` derives from the catalogue, cached under the catalogue's version (Redis
    when configured, process memory otherwise). The version is read before `build` reads the
    rows, so what is cached under a version is never older than that version. Callers share
    what is returned: treat it as read-only."""
    key = f"{catalogue_key()}:{name}"
    found = _local.get(key)
    if found is None:
        found = _local[key] = cached(key, build, CATALOGUE_CACHE_SECONDS)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)
        _out_of_the_collectors_sight()
    return cast(T, found)


def cached_catalogue() -> dict[chain.AssetKey, chain.Asset]:
    """The whole catalogue as engine assets."""
    return cached_for_catalogue("assets", mappers.load_catalogue)


# --- computing --------------------------------------------------------------------------------


Document = dict[str, Any]  # a report as stored (valuechain.engine.documents)


def compute_documents(
    ideas: QuerySet[m.Idea], *, count: int, whole: bool = False
) -> dict[int, Document]:
    """The stored form of these `count` ideas' ROI reports, keyed by idea id. Many are read as
    values straight into the engine's columns (no object per idea or need) and computed by
    the vectorised engine: over a compiled catalogue cached under the catalogue's version
    when `whole`, otherwise over their closures alone; a few take the scalar engine."""
    rates = mappers.day_rates()
    if count < BATCH_FROM and not whole:
        engine_ideas = mappers.engine_ideas_of(ideas, rates)
        reports = finance.roi_reports(engine_ideas, mappers.ideas_catalogue(engine_ideas, rates))
        found = [documents.report_to_document(report) for report in reports]
    else:
        columns = mappers.idea_columns_of(ideas, rates)
        if whole:
            compiled = cached_for_catalogue(
                "compiled", lambda: batch.compile_catalogue(cached_catalogue())
            )
            found = batch.compiled_report_documents(columns, compiled)
        else:
            catalogue = mappers.load_closure(columns.need_assets, rates)
            found = batch.report_documents(columns, catalogue)
    return {document["idea_id"]: document for document in found}


def compute(ideas: QuerySet[m.Idea], *, whole: bool = False) -> dict[int, finance.RoiReport]:
    """As compute_documents, as report objects."""
    found = compute_documents(ideas, count=ideas.count(), whole=whole)
    return {idea_id: documents.report_from_document(doc) for idea_id, doc in found.items()}


def _columns(document: Document) -> dict[str, object]:
    verdict = finance.verdict(document["best_stop_tier"], document["tier"])
    return {
        "report": document,
        "npv": document["npv"],
        "roi": document["roi"],
        "tier": document["tier"],
        "verdict": str(verdict),
        "verdict_rank": finance.VERDICT_RANK[verdict],
        "one_off_investment": document["one_off_investment"],
        "annual_run_cost": document["annual_run_cost"],
    }


def ensure_rows(idea_ids: Iterable[int] | None = None) -> None:
    """A figures row for every idea (of these ids) that has none yet (ideas created in bulk)."""
    ideas = m.Idea.objects.filter(figures__isnull=True)
    if idea_ids is not None:
        ideas = ideas.filter(pk__in=list(idea_ids))
    missing = list(ideas.values_list("pk", flat=True))
    if missing:
        m.IdeaFigures.objects.bulk_create(
            [m.IdeaFigures(idea_id=pk) for pk in missing], ignore_conflicts=True
        )


def stale_versions(idea_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Idea id -> inputs version, for the ideas (of these ids) whose figures are not fresh."""
    ids = None if idea_ids is None else list(idea_ids)
    ensure_rows(ids)
    rows = m.IdeaFigures.objects.filter(_STALE)
    if ids is not None:
        rows = rows.filter(idea_id__in=ids)
    return dict(rows.values_list("idea_id", "inputs_version"))


def refresh(
    idea_ids: Iterable[int] | None = None, *, then: Callable[[list[int]], object] | None = None
) -> int:
    """Compute and store the figures of the ideas (of these ids) that are not fresh; how many
    were stored. Versions are read before the inputs, so figures of a write that lands while
    this computes are not stored under the old version: that write queued its own refresh.
    `then` is called with each chunk of ids once its figures are stored."""
    versions = stale_versions(idea_ids)
    pending = sorted(versions)
    # Many ideas share one (cached) compiled catalogue; a few read their closures.
    whole = len(pending) >= WHOLE_CATALOGUE_FROM
    stored = 0
    for start in range(0, len(pending), REFRESH_CHUNK):
        chunk = pending[start : start + REFRESH_CHUNK]
        chosen = m.Idea.objects.filter(pk__in=chunk)
        found = compute_documents(chosen, count=len(chunk), whole=whole)
        stored += _store(found, versions)
        if then is not None:
            then(chunk)
    return stored


def _concrete(name: str) -> models.Field:
    field = m.IdeaFigures._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


_STORE_SQL = """
    UPDATE {table} SET computed_version = inputs_version, computed_at = %s, {columns}
    WHERE idea_id = %s AND inputs_version = %s
"""


def _store(reports: Mapping[int, Document], versions: Mapping[int, int]) -> int:
    """Each row only where its inputs are still at the version the report was computed from,
    in one statement sent with many parameter sets (so queries do not grow with the ideas)."""
    if not reports:
        return 0
    meta = m.IdeaFigures._meta
    names = list(_columns(next(iter(reports.values()))))
    fields = [_concrete(name) for name in names]
    sql = _STORE_SQL.format(
        table=connection.ops.quote_name(meta.db_table),
        columns=", ".join(
            f"{connection.ops.quote_name(f.name)} = %s"
            for f in fields  # no db_column here
        ),
    )
    now = _concrete("computed_at").get_db_prep_save(timezone.now(), connection)
    rows = []
    for idea_id, report in reports.items():
        values = _columns(report)
        prepared = [f.get_db_prep_save(values[f.name], connection) for f in fields]
        rows.append([now, *prepared, idea_id, versions[idea_id]])
    with transaction.atomic():
        before = repricing.stored(reports)
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
            stored = max(cursor.rowcount, 0)
        if stored:
            bump_epoch()
            repricing.record(before, versions)
        return stored


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """Stored reports of fresh ideas, and the ids of those whose figures are being refreshed."""

    reports: dict[int, finance.RoiReport]
    refreshing: frozenset[int]


def figures_of(idea_ids: Iterable[int], *, compute_up_to: int) -> Figures:
    """The ideas' stored reports. Up to `compute_up_to` ideas whose figures are not fresh are
    computed and stored now; any more are left to the background refresh (queued by the write
    that made them stale) and reported as refreshing, never shown with older figures."""
    ids = list(idea_ids)
    stale = stale_versions(ids)
    if stale and len(stale) <= compute_up_to:
        refresh(stale)
    return _read(m.IdeaFigures.objects.filter(idea_id__in=ids), ids)


def figures_for(ideas: QuerySet[m.Idea], *, compute_up_to: int) -> Figures:
    """As figures_of, for every idea of a queryset, read through subqueries (no list of ids
    travels to the database and back)."""
    missing = list(ideas.filter(figures__isnull=True).values_list("pk", flat=True))
    if missing:
        ensure_rows(missing)
    rows = m.IdeaFigures.objects.filter(idea__in=ideas.values("pk"))
    stale = dict(rows.filter(_STALE).values_list("idea_id", "inputs_version"))
    if stale and len(stale) <= compute_up_to:
        refresh(stale)
    return _read(rows)


# Reports decoded once per process. A stored report never changes under its key: the time it
# was stored tells apart two reports of one idea at one version (a version a rolled-back
# write used may come round again, a store time does not).
_decoded: OrderedDict[tuple[int, int, datetime], finance.RoiReport] = OrderedDict()
DECODED_LIMIT = 50_000


def _read(rows: QuerySet[m.IdeaFigures], wanted: Iterable[int] = ()) -> Figures:
    reports: dict[int, finance.RoiReport] = {}
    refreshing = set(wanted)
    keys: dict[int, tuple[int, int, datetime]] = {}
    for idea_id, inputs, computed, computed_at in rows.values_list(
        "idea_id", "inputs_version", "computed_version", "computed_at"
    ):
        refreshing.add(idea_id)
        if computed == inputs and computed_at is not None:
            key = keys[idea_id] = (idea_id, computed, computed_at)
            found = _decoded.get(key)
            if found is not None:
                reports[idea_id] = found
    # One query whether or not any report is still to be decoded ([0]: no idea has id 0).
    missing = [idea_id for idea_id in keys if idea_id not in reports] or [0]
    unreadable: list[int] = []
    for idea_id, document in m.IdeaFigures.objects.filter(idea_id__in=missing).values_list(
        "idea_id", "report"
    ):
        key = keys[idea_id]
        try:
            reports[idea_id] = _decoded[key] = codec.report_from_json(document)
        except codec.UnreadableReport:
            unreadable.append(idea_id)
    if unreadable:
        # stored by an older shape of the report: stale, so the next refresh rewrites them
        bump_ideas(unreadable)
    while len(_decoded) > DECODED_LIMIT:
        _decoded.popitem(last=False)
    if len(missing) > 1:
        _out_of_the_collectors_sight()
    refreshing -= reports.keys()
    return Figures(reports, frozenset(refreshing))


def fresh_key(idea_id: int, name: str) -> str | None:
    """A cache key for something computed from exactly the inputs of the idea's stored figures
    (its explained report, say), while they are fresh; None while they are not. The key names
    the version and the time the figures were stored, so it never names other inputs. Read
    once per safe request, however many of the idea's entries it serves."""
    row = mappers.memo(
        ("figures-version", idea_id),
        lambda: (
            m.IdeaFigures.objects.filter(idea_id=idea_id)
            .values_list("inputs_version", "computed_version", "computed_at")
            .first()
        ),
    )
    if row is None or row[0] != row[1] or row[2] is None:
        return None
    return idea_key(idea_id, row[0], row[2], name)


def idea_key(idea_id: int, version: int, computed_at: datetime, name: str) -> str:
    """The key of `name` computed from the idea's inputs at `version`, stored at `computed_at`."""
    return f"valuechain:idea:{idea_id}:{version}:{computed_at.isoformat()}:{name}"


def fresh_versions(idea_ids: Iterable[int] | None = None) -> dict[int, tuple[int, datetime]]:
    """Idea id -> (version, stored at) of the ideas (of these ids) whose figures are fresh."""
    rows = m.IdeaFigures.objects.exclude(_STALE).filter(computed_at__isnull=False)
    if idea_ids is not None:
        rows = rows.filter(idea_id__in=list(idea_ids))
    found = rows.values_list("idea_id", "inputs_version", "computed_at")
    return {idea_id: (version, at) for idea_id, version, at in found if at is not None}


def cached_for_idea(idea_id: int, name: str, build: Callable[[], T], seconds: int = 86_400) -> T:
    """What `build` computes from exactly the inputs of the idea's figures, computed once per
    version of them (see fresh_key), and afresh every time while they are stale."""
    key = fresh_key(idea_id, name)
    return build() if key is None else cached(key, build, seconds)


def stale_count(ideas: QuerySet[m.Idea] | None = None) -> int:
    """How many ideas (of this queryset) wait for their figures."""
    ideas = m.Idea.objects.all() if ideas is None else ideas
    return ideas.filter(
        Q(figures__isnull=True) | Q(figures__in=m.IdeaFigures.objects.filter(_STALE))
    ).count()
