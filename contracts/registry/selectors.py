"""Reads for the contract registry: querysets with their relations loaded in a fixed number of
queries, the version plan (what publishing a schema would mean), and an idea's contracts."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet

from contracts import compatibility as compat
from contracts import health, odcs
from contracts.enforcement import selectors as enforcement
from contracts.models import Consumer, ContractVersion, DataContract
from contracts.registry.terms import term_changes_between
from valuechain import mappers
from valuechain import models as vm
from valuechain.engine import chain
from valuechain.figures import store

AssetRef = tuple[str, int]


def contracts(*, status: str = "") -> QuerySet[DataContract]:
    """Contracts with their owner, published versions, consumers and ideas; only those of
    ``status`` when given."""
    rows = (
        DataContract.objects.select_related("owner")
        .prefetch_related(
            _published_versions(),
            "consumers",
            Prefetch("ideas", queryset=vm.Idea.objects.only("id", "title")),
        )
        .order_by("name", "id")
    )
    return rows.filter(status=status) if status else rows


def _published_versions() -> Prefetch[Any]:
    return Prefetch(
        "versions",
        queryset=ContractVersion.objects.filter(published_at__isnull=False).only(
            "id", "contract_id", "version", "major", "minor", "patch", "published_at"
        ),
        to_attr="published_versions",
    )


def all_contracts() -> QuerySet[DataContract]:
    """Every contract, without its relations: to find one by id."""
    return DataContract.objects.all()


def find_contract(pk: int) -> DataContract | None:
    return all_contracts().filter(pk=pk).first()


GENERATED_ODCS_ID = re.compile(r"valuechain-contract-([1-9][0-9]{0,9})")


def generated_odcs_id(contract: DataContract) -> str:
    """The id an export gives a contract that has no ODCS id of its own."""
    return f"valuechain-contract-{contract.pk}"


def owns_a_contract(user_id: int | None) -> bool:
    """Whether the user is the producer (owner) of at least one contract."""
    return user_id is not None and DataContract.objects.filter(owner_id=user_id).exists()


def contract_by_odcs_id(odcs_id: str) -> DataContract | None:
    """The contract an ODCS document with this id is a version of: the one with that ODCS id,
    else the one an export named (valuechain-contract-<pk>) while it had no ODCS id. A blank id
    names no contract."""
    if not odcs_id.strip():
        return None
    found = DataContract.objects.filter(odcs_id=odcs_id).first()
    generated = GENERATED_ODCS_ID.fullmatch(odcs_id)
    if found is None and generated:
        found = DataContract.objects.filter(pk=int(generated.group(1)), odcs_id="").first()
    return found


def is_consumer(contract: DataContract, user: Any) -> bool:
    """Whether ``user`` holds one of the contract's consumer entries."""
    return bool(contract.consumers.filter(user=user).exists())


def versions(contract: DataContract) -> QuerySet[ContractVersion]:
    return contract.versions.select_related("created_by").order_by("major", "minor", "patch")


def versions_to_compare() -> QuerySet[ContractVersion]:
    """Every contract's versions, by contract name then number, for the compatibility
    checker's pickers (the schema itself is read only for the two picked)."""
    return (
        ContractVersion.objects.select_related("contract")
        .only("id", "version", "contract__id", "contract__name")
        .order_by("contract__name", "contract_id", "major", "minor", "patch")
    )


def published_versions(contract: DataContract) -> list[ContractVersion]:
    return list(versions(contract).filter(published_at__isnull=False))


def version_named(contract: DataContract, version: str) -> ContractVersion | None:
    return versions(contract).filter(version=version).first()


def published_version(contract: DataContract, version: str | None = None) -> ContractVersion | None:
    """The published version of that number, or the latest published one."""
    rows = versions(contract).filter(published_at__isnull=False)
    return rows.filter(version=version).first() if version else rows.last()


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


# --- an idea's contracts and their health ---------------------------------------------------


@dataclass(frozen=True)
class AssetRow:
    """One asset of the idea's lineage, with the contracts on it and those governing it."""

    governance: health.AssetGovernance
    own: list[DataContract]
    upstream: list[DataContract]  # the contracts of its inputs, when it has none of its own

    @property
    def is_risk(self) -> bool:
        return self.governance.is_gap

    @property
    def covered_downstream(self) -> bool:
        """Without a contract of its own, but only reaching the idea through a contracted
        asset, whose contract answers for it."""
        return not self.governance.governed and not self.governance.exposed


@dataclass(frozen=True)
class IdeaContractHealth:
    """contracts.health.idea_health of an idea, with the contract rows to link to."""

    state: health.IdeaHealth
    contracts: list[DataContract]  # lineage contracts and direct links, once each, by name
    policy: health.Policy

    @property
    def level(self) -> str:
        return self.state.level

    @property
    def label(self) -> str:
        return self.state.label

    @property
    def reasons(self) -> tuple[health.Reason, ...]:
        return self.state.reasons

    @property
    def risks(self) -> tuple[health.Reason, ...]:
        return self.state.risks

    @property
    def is_risk(self) -> bool:
        return self.state.is_risk

    @cached_property
    def rows(self) -> list[tuple[DataContract, health.ContractHealth]]:
        by_id = {c.contract.id: c for c in self.state.contracts}
        return [(c, by_id[c.pk]) for c in self.contracts if c.pk in by_id]

    @cached_property
    def assets(self) -> list[AssetRow]:
        # In the contracts' order (by name), never in the order of their ids: ids follow the
        # order contracts were created in, which the page should not depend on.
        rows = []
        for a in self.state.assets:
            own, governing = set(a.own), set(a.governed_by)
            rows.append(
                AssetRow(
                    governance=a,
                    own=[c for c in self.contracts if c.pk in own],
                    upstream=[] if own else [c for c in self.contracts if c.pk in governing],
                )
            )
        return rows


def _downstream(
    assets: set[AssetRef], upstream: Mapping[AssetRef, Sequence[AssetRef]]
) -> set[AssetRef]:
    """The assets and everything made from them, through the lineage."""
    made_from: dict[AssetRef, list[AssetRef]] = defaultdict(list)
    for ref, inputs in upstream.items():
        for source in inputs:
            made_from[source].append(ref)
    found, stack = set(), list(assets)
    while stack:
        ref = stack.pop()
        if ref not in found:
            found.add(ref)
            stack.extend(made_from.get(ref, ()))
    return found


def lineage_inputs(
    catalogue: Mapping[chain.AssetKey, chain.Asset],
) -> tuple[dict[AssetRef, list[AssetRef]], dict[AssetRef, str]]:
    """Every asset's inputs and name, keyed by (asset type, id), from a loaded catalogue."""
    upstream = {
        (str(kind), pk): [(str(k), i) for k, i in asset.upstream]
        for (kind, pk), asset in catalogue.items()
    }
    names = {(str(kind), pk): asset.name for (kind, pk), asset in catalogue.items()}
    return upstream, names


def _facts(contract: DataContract) -> health.ContractFacts:
    return health.ContractFacts(contract.pk, contract.name, contract.status, contract.asset_key)


def ideas_contract_health(
    ideas: Sequence[vm.Idea],
    catalogue: Mapping[chain.AssetKey, chain.Asset] | None = None,
    *,
    policy: health.Policy | None = None,
) -> dict[int, IdeaContractHealth]:
    """Contract health of each idea (see contract_health_by_id)."""
    return contract_health_by_id([idea.pk for idea in ideas], catalogue, policy=policy)


def needs_roots(
    ids: Sequence[int], idea_query: QuerySet[vm.Idea] | None = None
) -> dict[int, list[AssetRef]]:
    """The assets each idea's needs point at, by idea id (of `ids`, or of `idea_query`)."""
    roots: dict[int, list[AssetRef]] = defaultdict(list)
    fields = ["idea_id", *(f"{name}_id" for name in vm.Need.ASSET_FIELDS)]
    needs = vm.Need.objects.filter(
        Q(idea__in=idea_query.values("pk")) if idea_query is not None else Q(idea_id__in=ids)
    )
    for idea_id, *pointers in needs.values_list(*fields):
        for kind, pk in zip(vm.Need.ASSET_FIELDS, pointers, strict=True):
            if pk is not None:
                roots[idea_id].append((kind, pk))
    return dict(roots)


# keep(name, build): build's value kept under a name (see contract_health_by_id)
Keeper = Callable[[str, Callable[[], Any]], Any]


def contract_health_by_id(
    ids: Sequence[int],
    catalogue: Mapping[chain.AssetKey, chain.Asset] | None = None,
    *,
    policy: health.Policy | None = None,
    detail: bool = True,
    lineage: tuple[dict[AssetRef, list[AssetRef]], dict[AssetRef, str]] | None = None,
    idea_query: QuerySet[vm.Idea] | None = None,
    given_roots: Mapping[int, list[AssetRef]] | None = None,
    keep: Keeper | None = None,
) -> dict[int, IdeaContractHealth]:
    """Contract health of each idea, in a constant number of queries whatever the number of
    ideas, needs, assets, contracts or runs: the needs' assets, the catalogue (unless given),
    the contracts on the lineage or linked by hand (with their versions and ideas) and their
    behaviour in the window. `idea_query`, the ideas of `ids` as a queryset, lets the
    database select through a subquery rather than a list of thousands of ids; `given_roots`
    are needs_roots read before (cached: they change only with the ideas' figures' inputs).
    `keep(name, build)`, given by a caller whose key already names the ideas, their needs and
    the catalogue, keeps each idea's standing (health.Standing) for the registry's state that
    `name` names, and its health for that state and the window's behaviour, which is read on
    every call (every validated batch moves it: then only the behaviour is added again)."""
    policy = policy or enforcement.health_policy()
    roots = defaultdict(list, needs_roots(ids, idea_query) if given_roots is None else given_roots)
    if lineage is None and catalogue is None:
        # only the lineage the needs reach: its cost follows the ideas, not the catalogue
        catalogue = mappers.load_closure(
            (chain.AssetKind(kind), pk) for refs in roots.values() for kind, pk in refs
        )
    upstream, names = lineage if lineage is not None else lineage_inputs(catalogue or {})
    walked: dict[AssetRef, tuple[AssetRef, ...]] = {}  # each asset's lineage, walked once
    linked_here = (
        Q(ideas__in=idea_query.values("pk")) if idea_query is not None else Q(ideas__in=ids)
    )
    if detail:
        reach = {pk: health.lineage(upstream, roots[pk], walked) for pk in ids}
        reached = {ref for refs in reach.values() for ref in refs}
        on_lineage = Q(asset_id__in={pk for _, pk in reached})
        rows = _health_rows(on_lineage | linked_here, versions=True)
        wanted = set(ids)
        rows = [
            c for c in rows if c.asset_key in reached or any(i.pk in wanted for i in c.ideas.all())
        ]
    else:
        # Many ideas: the registry holds far fewer contracts than the company has assets, so
        # every bound contract is read (those off every idea's lineage are looked up by none).
        rows = _health_rows(~Q(asset_type="") | linked_here, versions=False)
    linked: dict[int, set[int]] = defaultdict(set)
    for contract in rows:
        for idea in contract.ideas.all():
            linked[idea.pk].add(contract.pk)
    facts = [_facts(c) for c in rows]
    acts = enforcement.activity([c.pk for c in rows], days=policy.window_days)

    def standings() -> dict[int, health.Standing]:
        governed = set(ids)  # the ideas a contract may govern: all, in detail
        if not detail:
            # only the ideas whose needs lie downstream of a contract (or that have one
            # linked by hand) walk their lineage; the others are ungoverned
            touched = _downstream({c.asset for c in facts if c.asset is not None}, upstream)
            governed = {pk for pk in ids if linked[pk] or any(r in touched for r in roots[pk])}
        index = health.ContractIndex.of(facts)
        memo: dict[AssetRef, health.AssetGovernance] = {}  # every idea is on these contracts
        found = {}
        for pk in ids:
            if pk not in governed:
                # neither a contract upstream nor one linked by hand: judged without a walk
                found[pk] = health.Standing(health.ungoverned_health(roots[pk], names))
                continue
            found[pk] = health.standing(
                needs=roots[pk],
                upstream=upstream,
                names=names,
                contracts=index,
                linked=linked[pk],
                memo=memo,
                with_assets=detail,
                lineage_memo=walked,
                refs=reach[pk] if detail else None,
            )
        return found

    registry = (
        detail,
        tuple(facts),
        tuple(sorted((k, tuple(sorted(v))) for k, v in linked.items())),
    )

    def states() -> dict[int, health.IdeaHealth]:
        known = standings() if keep is None else keep(store.name_of(registry), standings)
        behaviour: dict[int, tuple[health.Reason, ...]] = {}
        return {pk: health.judged(known[pk], acts, policy, behaviour) for pk in ids}

    window = (policy, sorted(acts.items()))
    judged = states() if keep is None else keep(store.name_of((registry, window)), states)
    order = {c.pk: (number, c) for number, c in enumerate(rows)}  # rows are by name
    result = {}
    for pk in ids:
        state = judged[pk]
        used = sorted(order[c.contract.id] for c in state.contracts)
        result[pk] = IdeaContractHealth(state=state, contracts=[c for _, c in used], policy=policy)
    return result


def _health_rows(where: Q, *, versions: bool) -> list[DataContract]:
    """The contracts health is judged on, by name, with what judging and the idea page's
    panel read of them: their facts, links to ideas and (`versions`) published versions."""
    rows = (
        DataContract.objects.filter(where)
        .distinct()
        .only("id", "name", "status", "asset_type", "asset_id")
        .prefetch_related(Prefetch("ideas", queryset=vm.Idea.objects.only("id")))
        .order_by("name", "id")
    )
    if versions:
        rows = rows.prefetch_related(_published_versions())
    return list(rows)


def idea_contract_health(
    idea: vm.Idea, catalogue: Mapping[chain.AssetKey, chain.Asset] | None = None
) -> IdeaContractHealth:
    """The idea's contracts (those on the lineage of its needs, plus those linked directly)
    and their health; see contracts.health. The needs are the idea's own when it was read
    with them (as its page reads it)."""
    roots = [
        (kind, pk)
        for need in sorted(idea.needs.all(), key=lambda need: need.pk)
        for kind in vm.Need.ASSET_FIELDS
        if (pk := getattr(need, f"{kind}_id")) is not None
    ]
    found = contract_health_by_id([idea.pk], catalogue, given_roots={idea.pk: roots})
    return found[idea.pk]


def status_counts() -> dict[str, int]:
    """How many contracts of the registry have each status."""
    rows = DataContract.objects.values_list("status").annotate(n=Count("id")).order_by()
    return {status: int(n) for status, n in rows}


def find_idea(pk: int) -> vm.Idea | None:
    return vm.Idea.objects.filter(pk=pk).first()


def ideas() -> QuerySet[vm.Idea]:
    return vm.Idea.objects.all()


def idea_contracts(idea: vm.Idea) -> QuerySet[DataContract]:
    """The idea's contracts (see idea_contract_health) as a queryset of ``contracts()``."""
    return contracts().filter(pk__in=[c.pk for c in idea_contract_health(idea).contracts])


def consumers_of(contract: DataContract) -> QuerySet[Consumer]:
    return contract.consumers.select_related("user").order_by("name")


def odcs_check(raw: bytes) -> dict[str, Any]:
    """The compatibility of one ODCS document against the registry's contract of its id."""
    data = odcs.parse(raw)
    schema = checked_schema(data.json_schema)
    requested = parsed_version(data.version)
    contract = contract_by_odcs_id(data.odcs_id)
    answer: dict[str, Any] = {"odcs_id": data.odcs_id, "name": data.name, "version": data.version}
    if contract is None:
        return {**answer, "contract": None, "ok": True, "verdict": "new contract", "plan": None}
    plan = plan_version(contract, schema, data.version)
    latest = latest_version(contract)
    if latest is not None and requested <= (latest.major, latest.minor, latest.patch):
        same = requested == (latest.major, latest.minor, latest.patch)
        ok = same and latest.json_schema == schema
        verdict = "unchanged" if ok else f"version {data.version} is not after {latest.version}"
    elif plan.needs_major:
        ok, verdict = False, f"breaking change: publish it as {plan.suggested} (a new major)"
    else:
        ok, verdict = True, "compatible" if plan.compatible else "new major version"
    return {**answer, "contract": contract.pk, "ok": ok, "verdict": verdict, "plan": plan.as_dict()}
