"""Reads for the contract registry: querysets with their relations loaded in a fixed number of
queries, the version plan (what publishing a schema would mean), and an idea's contracts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from contracts import compatibility as compat
from contracts import sla
from contracts.models import Consumer, ContractVersion, DataContract
from valuechain import mappers
from valuechain import models as vm
from valuechain.engine import chain

AssetRef = tuple[str, int]


def contracts() -> QuerySet[DataContract]:
    return (
        DataContract.objects.select_related("owner")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ContractVersion.objects.filter(published_at__isnull=False).only(
                    "id", "contract_id", "version", "major", "minor", "patch", "published_at"
                ),
                to_attr="published_versions",
            ),
            "consumers",
            Prefetch("ideas", queryset=vm.Idea.objects.only("id", "title")),
        )
        .order_by("name", "id")
    )


def versions(contract: DataContract) -> QuerySet[ContractVersion]:
    return contract.versions.select_related("created_by").order_by("major", "minor", "patch")


def published_versions(contract: DataContract) -> list[ContractVersion]:
    return list(versions(contract).filter(published_at__isnull=False))


def latest_version(contract: DataContract) -> ContractVersion | None:
    published = getattr(contract, "published_versions", None)
    if published is not None:
        return published[-1] if published else None
    return versions(contract).filter(published_at__isnull=False).last()


def asset_names(refs: Iterable[AssetRef]) -> dict[AssetRef, str]:
    """Names of catalogue assets, one query per asset kind at most."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, pk in refs:
        if kind in vm.ASSET_MODELS and pk:
            wanted[kind].add(pk)
    names: dict[AssetRef, str] = {}
    for kind, ids in wanted.items():
        rows = vm.ASSET_MODELS[kind]._default_manager.filter(pk__in=ids)
        for pk, name in rows.values_list("pk", "name"):  # type: ignore[misc]
            names[(kind, pk)] = name
    return names


def asset_exists(asset_type: str, asset_id: int) -> bool:
    model = vm.ASSET_MODELS.get(asset_type)
    return model is not None and model._default_manager.filter(pk=asset_id).exists()


# --- version plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionPlan:
    """What publishing ``json_schema`` as the next version of a contract would mean."""

    mode: compat.Mode
    latest: str | None
    requested: str | None
    suggested: str
    compatible: bool
    changes: list[dict[str, Any]]
    breaking: list[dict[str, Any]]
    needs_major: bool
    affected_major: int | None
    impacted_consumers: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode.value,
            "latest_version": self.latest,
            "requested_version": self.requested,
            "suggested_version": self.suggested,
            "compatible": self.compatible,
            "needs_major_bump": self.needs_major,
            "changes": self.changes,
            "breaking_changes": self.breaking,
            "impact": {
                "affected_major": self.affected_major,
                "consumers": self.impacted_consumers,
            },
        }


def checked_schema(json_schema: Any, field_name: str = "json_schema") -> dict[str, Any]:
    try:
        compat.validate_schema(json_schema)
    except compat.InvalidSchemaError as exc:
        raise ValidationError({field_name: [str(exc)]}) from None
    if not isinstance(json_schema, dict):
        raise ValidationError({field_name: ["The contract schema must be a JSON object."]})
    return json_schema


def parsed_version(version: str, field_name: str = "version") -> tuple[int, int, int]:
    try:
        return compat.parse_version(version)
    except ValueError as exc:
        raise ValidationError({field_name: [str(exc)]}) from None


def _change_dicts(changes: Sequence[compat.Change], mode: compat.Mode) -> list[dict[str, Any]]:
    return [c.as_dict(mode) for c in changes]


def plan_version(
    contract: DataContract,
    json_schema: Any,
    version: str | None = None,
    *,
    history: Sequence[ContractVersion] | None = None,
    terms: Mapping[str, Any] | None = None,
) -> VersionPlan:
    """Diff against the published versions under the contract's mode. Breaking changes are
    judged against the versions of the major line the new version joins; a new major may
    break, and then the consumers pinned to the latest major are the ones affected."""
    schema = checked_schema(json_schema)
    requested = parsed_version(version) if version else None
    mode = compat.parse_mode(contract.compatibility_mode)
    published = list(history) if history is not None else published_versions(contract)
    if not published:
        return VersionPlan(
            mode=mode,
            latest=None,
            requested=version,
            suggested=version or "1.0.0",
            compatible=True,
            changes=[],
            breaking=[],
            needs_major=False,
            affected_major=None,
        )
    latest = published[-1]
    latest_semver = (latest.major, latest.minor, latest.patch)
    target_major = requested[0] if requested else latest.major
    line = [v for v in published if v.major == target_major]
    try:
        result = compat.check_compatibility(schema, [v.json_schema for v in line], mode)
        changes = (
            list(result.changes)
            if line and line[-1].pk == latest.pk
            else compat.diff_schemas(latest.json_schema, schema)
        )
    except compat.SchemaTooComplexError as exc:
        raise ValidationError({"json_schema": [str(exc)]}) from None
    level = "major" if not result.compatible else compat.bump_level(changes, mode)
    term_changes = term_changes_between(latest, terms) if terms is not None else []
    if term_changes and level == "patch":
        level = "minor"  # a new meaning or a new promise is more than a wording fix
    major, minor, patch = latest_semver
    suggested = {
        "major": f"{major + 1}.0.0",
        "minor": f"{major}.{minor + 1}.0",
        "patch": f"{major}.{minor}.{patch + 1}",
    }[level]
    needs_major = not result.compatible and bool(line)
    consumers = list(contract.consumers.filter(pinned_major=latest.major).order_by("name"))
    return VersionPlan(
        mode=mode,
        latest=latest.version,
        requested=version,
        suggested=suggested,
        compatible=result.compatible,
        changes=_change_dicts(changes, mode) + term_changes,
        breaking=_change_dicts(result.breaking, mode),
        needs_major=needs_major,
        affected_major=latest.major,
        impacted_consumers=[{"name": c.name, "pinned_major": c.pinned_major} for c in consumers],
    )


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


# --- an idea's contracts -------------------------------------------------------------------


@dataclass(frozen=True)
class AssetHealth:
    asset_type: str
    asset_id: int
    asset_name: str
    tier: int
    contracts: list[DataContract]
    risk: str  # "" when fine, else why it is a risk

    @property
    def is_risk(self) -> bool:
        return bool(self.risk)


@dataclass(frozen=True)
class IdeaContractHealth:
    contracts: list[DataContract]  # closure contracts and direct links, once each
    assets: list[AssetHealth]

    @property
    def risks(self) -> list[AssetHealth]:
        return [a for a in self.assets if a.is_risk]


def _risk_of(governing: list[DataContract]) -> str:
    if not governing:
        return "no contract"
    statuses = {c.status for c in governing}
    if DataContract.Status.ACTIVE in statuses:
        return ""
    if statuses & {DataContract.Status.DEPRECATED, DataContract.Status.RETIRED}:
        return (
            "deprecated contract"
            if DataContract.Status.DEPRECATED in statuses
            else ("retired contract")
        )
    return "draft contract only"


def idea_contract_health(
    idea: vm.Idea, catalogue: dict[chain.AssetKey, chain.Asset] | None = None
) -> IdeaContractHealth:
    """The idea's contracts (those of the assets in its closure plus those linked directly)
    and, per asset of the closure, whether its contract is a risk."""
    catalogue = mappers.load_catalogue() if catalogue is None else catalogue
    closure = chain.idea_closure(mappers.idea_to_engine(idea), catalogue)
    keys = sorted(closure, key=lambda k: (k[0].tier, str(k[0]), k[1]))
    refs = [(str(kind), pk) for kind, pk in keys]
    by_asset: dict[AssetRef, list[DataContract]] = defaultdict(list)
    governing = contracts().filter(asset_id__in={pk for _, pk in refs}) if refs else []
    ref_set = set(refs)
    found: dict[int, DataContract] = {}
    for contract in governing:
        ref = (contract.asset_type, contract.asset_id or 0)
        if ref in ref_set:
            by_asset[ref].append(contract)
            found[contract.pk] = contract
    for contract in contracts().filter(ideas=idea):
        found.setdefault(contract.pk, contract)
    assets = [
        AssetHealth(
            asset_type=str(kind),
            asset_id=pk,
            asset_name=catalogue[(kind, pk)].name if (kind, pk) in catalogue else f"#{pk}",
            tier=kind.tier,
            contracts=by_asset.get((str(kind), pk), []),
            risk=_risk_of(by_asset.get((str(kind), pk), [])),
        )
        for kind, pk in keys
    ]
    ordered = sorted(found.values(), key=lambda c: (c.name, c.pk))
    return IdeaContractHealth(contracts=ordered, assets=assets)


def consumers_of(contract: DataContract) -> QuerySet[Consumer]:
    return contract.consumers.select_related("user").order_by("name")
