"""What a new version changes beyond its schema: the meaning of its records and fields, its SLA
promises and its missing-value limits. Reported for the consumers to review; the compatibility
gate itself judges the schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts import sla
from contracts.models import ContractVersion


def _limit_text(threshold: Mapping[str, Any] | None) -> str:
    if not threshold:
        return "none"
    if threshold.get("max_ratio") is not None:
        return f"at most {float(threshold['max_ratio']) * 100:g} %"
    return f"at most {threshold.get('max_count')} rows"


TermChange = dict[str, Any]


def _term_change(kind: str, path: str, message: str) -> TermChange:
    return {"type": kind, "path": path, "breaking": False, "message": message}


def _meaning_changes(old_sem: Mapping[str, Any], new_sem: Mapping[str, Any]) -> list[TermChange]:
    found = []
    old_entity, new_entity = old_sem.get("entity") or "", new_sem.get("entity") or ""
    if old_entity and new_entity and old_entity != new_entity:
        found.append(
            _term_change(
                "meaning_changed",
                "",
                f"a record now represents {new_entity!r} (was {old_entity!r})",
            )
        )
    old_fields, new_fields = old_sem.get("fields") or {}, new_sem.get("fields") or {}
    for pointer in old_fields:
        if pointer in new_fields and old_fields[pointer] != new_fields[pointer]:
            found.append(
                _term_change(
                    "meaning_changed",
                    pointer,
                    f"now means {new_fields[pointer]!r} (was {old_fields[pointer]!r})",
                )
            )
    return found


def _sla_changes(old_sla: Mapping[str, Any], new_sla: Mapping[str, Any]) -> list[TermChange]:
    found = []
    if bool(old_sla.get("production_use")) != bool(new_sla.get("production_use")):
        found.append(
            _term_change(
                "sla_changed",
                "/sla/production_use",
                "now meant for production use"
                if new_sla.get("production_use")
                else "no longer meant for production use",
            )
        )
    for key in sla.BIGGER_IS:
        before, after = old_sla.get(key), new_sla.get(key)
        how = sla.compare_promise(key, before, after)
        if how is None:
            continue
        found.append(
            _term_change(
                "sla_changed",
                f"/sla/{key}",
                f"{key} {sla.duration_text(before)} -> {sla.duration_text(after)} ({how} promise)",
            )
        )
    return found


def _threshold_changes(old_rows: Any, new_rows: Any) -> list[TermChange]:
    def keyed(rows: Any) -> dict[tuple[str, str], Mapping[str, Any]]:
        return {
            (str(t.get("field")), str(t.get("metric"))): t
            for t in rows or []
            if isinstance(t, Mapping)
        }

    found = []
    old_t, new_t = keyed(old_rows), keyed(new_rows)
    for pair in sorted(set(old_t) | set(new_t)):
        before, after = old_t.get(pair), new_t.get(pair)
        limits = ("max_ratio", "max_count")
        if before and after and all(before.get(k) == after.get(k) for k in limits):
            continue
        if before is None:
            state = f"added: {_limit_text(after)}"
        elif after is None:
            state = f"dropped (was {_limit_text(before)})"
        else:
            state = f"{_limit_text(before)} -> {_limit_text(after)}"
        found.append(
            _term_change("missing_threshold_changed", pair[0] or "/", f"{pair[1]} limit {state}")
        )
    return found


def term_changes_between(latest: ContractVersion, terms: Mapping[str, Any]) -> list[TermChange]:
    """What changes in meaning, SLA and missing-value limits from ``latest`` to ``terms``
    (``semantics``, ``sla``, ``missing_thresholds``). Reported for the consumers to review;
    the compatibility gate itself judges the schema. An SLA duration that grows is a weaker
    promise (a longer retention a stronger one), whatever units either side is written in."""
    found: list[TermChange] = []
    if "semantics" in terms:
        found += _meaning_changes(latest.semantics or {}, terms.get("semantics") or {})
    if "sla" in terms:
        found += _sla_changes(latest.sla or {}, terms.get("sla") or {})
    if "missing_thresholds" in terms:
        found += _threshold_changes(latest.missing_thresholds, terms.get("missing_thresholds"))
    return found
