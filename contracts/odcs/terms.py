"""The terms around the schema: ``slaProperties`` <-> the SLA (latency is the maximum
lateness, frequency the freshness, retention the retention; the list itself is kept whole),
``quality`` rules on ``nullValues``/``missingValues`` <-> missing-ratio thresholds, ``team``
and ``roles`` <-> owner, producer team and consumers, descriptions <-> semantics."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from contracts.odcs.mapping import walk_properties
from contracts.odcs.model import MISSING_METRICS, X_OBJECTS, X_ODCS

_SLA_FIELDS = {"latency": "max_lateness", "frequency": "freshness", "retention": "retention"}


def sla_from(doc: Mapping[str, Any]) -> dict[str, Any]:
    items = doc.get("slaProperties") or []
    sla: dict[str, Any] = {"production_use": doc.get("status") in ("active", "production")}
    for item in items:
        if not isinstance(item, Mapping):
            continue
        key = _SLA_FIELDS.get(str(item.get("property")))
        if key and key not in sla:
            sla[key] = {"value": item.get("value"), "unit": item.get("unit")}
    sla["properties"] = copy.deepcopy(items)
    return sla


def sla_to(sla: Mapping[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = copy.deepcopy(list(sla.get("properties") or []))
    for prop, key in _SLA_FIELDS.items():
        wanted = sla.get(key)
        existing = next((i for i in items if i.get("property") == prop), None)
        if not wanted:
            continue
        if existing is None:
            items.append(
                {"property": prop, "value": wanted.get("value"), "unit": wanted.get("unit")}
            )
        else:
            existing["value"] = wanted.get("value")
            if wanted.get("unit") is not None or "unit" in existing:
                existing["unit"] = wanted.get("unit")
    return items


def _threshold_from_rule(field_path: str, rule: Mapping[str, Any]) -> dict[str, Any] | None:
    metric = rule.get("metric") or rule.get("rule")
    if metric not in MISSING_METRICS:
        return None
    unit = str(rule.get("unit") or "rows").lower()
    limit = None
    for op in ("mustBe", "mustBeLessOrEqualTo", "mustBeLessThan"):
        if isinstance(rule.get(op), (int, float)) and not isinstance(rule.get(op), bool):
            limit = float(rule[op])
            break
    between = rule.get("mustBeBetween")
    if limit is None and isinstance(between, list) and len(between) == 2:
        upper = between[1]
        if isinstance(upper, (int, float)) and not isinstance(upper, bool):
            limit = float(upper)
    if limit is None:
        return None
    threshold: dict[str, Any] = {
        "field": field_path,
        "metric": metric,
        "window": rule.get("schedule"),
    }
    if unit in ("percent", "%"):
        threshold["max_ratio"] = limit / 100
        threshold["max_count"] = None
    else:
        # a count of rows; zero rows is a ratio of zero
        threshold["max_ratio"] = 0.0 if limit == 0 else None
        threshold["max_count"] = int(limit)
    return threshold


def thresholds_from_schema(json_schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    thresholds = []
    for path, sub in [("", json_schema), *walk_properties(json_schema)]:
        for rule in (sub.get(X_ODCS) or {}).get("quality") or []:
            if isinstance(rule, Mapping):
                t = _threshold_from_rule(path, rule)
                if t:
                    thresholds.append(t)
    return thresholds


def apply_thresholds(json_schema: dict[str, Any], thresholds: Sequence[Mapping[str, Any]]) -> None:
    """Write the thresholds back into the quality rules they came from (or new rules)."""
    by_path = {path: sub for path, sub in [("", json_schema), *walk_properties(json_schema)]}
    wanted = {(t["field"], t["metric"]): t for t in thresholds}
    for path, sub in by_path.items():
        odcs = sub.get(X_ODCS)
        if not isinstance(odcs, dict) or not isinstance(odcs.get("quality"), list):
            continue
        kept = []
        for rule in odcs["quality"]:
            current = _threshold_from_rule(path, rule) if isinstance(rule, Mapping) else None
            if current is None:
                kept.append(rule)
                continue
            target: Mapping[str, Any] | None = wanted.pop((path, current["metric"]), None)
            if target is None:
                continue  # threshold dropped
            if _same_limit(current, target):
                kept.append(rule)
            else:
                kept.append(_rule_with_limit(rule, target))
        odcs["quality"] = kept
    for (path, _), t in wanted.items():
        target_schema = by_path.get(path)
        if not isinstance(target_schema, dict):
            continue
        extra = target_schema.setdefault(X_ODCS, {})
        extra.setdefault("quality", []).append(_rule_with_limit({}, t))


def _same_limit(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.get("max_ratio") == b.get("max_ratio") and a.get("max_count") == b.get("max_count")


def _rule_with_limit(rule: Mapping[str, Any], t: Mapping[str, Any]) -> dict[str, Any]:
    out = {
        k: v
        for k, v in rule.items()
        if k not in ("mustBe", "mustBeLessOrEqualTo", "mustBeLessThan", "mustBeBetween", "unit")
    }
    out.setdefault("metric", t["metric"])
    out.setdefault("type", "library")
    out.setdefault("dimension", "completeness")
    if t.get("max_count") is not None:
        out["mustBeLessOrEqualTo"] = t["max_count"]
        out["unit"] = "rows"
    else:
        out["mustBeLessOrEqualTo"] = round(float(t.get("max_ratio") or 0) * 100, 6)
        out["unit"] = "percent"
    if t.get("window") and "schedule" not in out:
        out["schedule"] = t["window"]
    return out


def team_from(doc: Mapping[str, Any]) -> tuple[str, str]:
    team = doc.get("team")
    members = team.get("members") if isinstance(team, Mapping) else team
    name = str(team.get("name") or "") if isinstance(team, Mapping) else ""
    owner = ""
    for member in members or []:
        if (
            isinstance(member, Mapping)
            and str(member.get("role", "")).lower() == "owner"
            and not member.get("dateOut")
        ):
            owner = str(member.get("username") or member.get("name") or "")
    return name, owner


def consumers_from(doc: Mapping[str, Any]) -> list[str]:
    return [
        str(r["role"])
        for r in doc.get("roles") or []
        if isinstance(r, Mapping) and r.get("role") and r.get("access") == "read"
    ]


def _entity_of(schema: Mapping[str, Any]) -> str:
    odcs = schema.get(X_ODCS) or {}
    return str(odcs.get("businessName") or schema.get("description") or odcs.get("name") or "")


def semantics_from(json_schema: Mapping[str, Any]) -> dict[str, Any]:
    if X_OBJECTS in json_schema:
        props = json_schema.get("properties") or {}
        entity = "; ".join(
            filter(None, (_entity_of(props.get(n) or {}) for n in json_schema[X_OBJECTS]))
        )
    else:
        entity = _entity_of(json_schema)
    fields = {}
    for path, sub in walk_properties(json_schema):
        meaning = sub.get("description") or (sub.get(X_ODCS) or {}).get("businessName")
        if meaning:
            fields[path] = meaning
    return {"entity": entity, "fields": fields}
