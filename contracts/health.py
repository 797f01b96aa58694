"""Contract health of an idea: the one statement of the rule, pure (no framework).

An idea's data is governed by the contracts on every asset in the lineage of its needs, walked
upstream through available assets too (governance is about where data comes from, unlike cost
closures, which stop at what exists). An asset without a contract of its own is governed by
the contracts of its inputs when every input is governed; an asset without a contract and
without inputs is ungoverned, and so is everything downstream of it that has no contract.

Health reflects behaviour as well as status: each governing contract's SLA breaches and
dead-letter rate (dead letters / records validated) in the last window. Levels, mildest first:
healthy (active contracts, no breach, dead-letter rate at most the threshold), at risk (a
breach or a dead-letter rate above the threshold in the window, or only a draft contract),
deprecated (a deprecated or retired contract is the one in use), ungoverned (no contract
governs some data the idea uses). The idea page, the contract template tags and the dashboard
all read health from `idea_health`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

Ref = tuple[str, int]  # (asset type, asset id)

ACTIVE, DRAFT, DEPRECATED_STATUS, RETIRED = "active", "draft", "deprecated", "retired"
ENDED = (DEPRECATED_STATUS, RETIRED)

NO_DATA, HEALTHY, AT_RISK, DEPRECATED, UNGOVERNED = (
    "no_data",
    "healthy",
    "at_risk",
    "deprecated",
    "ungoverned",
)
LEVELS = (NO_DATA, HEALTHY, AT_RISK, DEPRECATED, UNGOVERNED)  # mildest first
LABELS = {
    NO_DATA: "no data yet",
    HEALTHY: "healthy",
    AT_RISK: "at risk",
    DEPRECATED: "deprecated contract in use",
    UNGOVERNED: "ungoverned",
}
TIER_OF = {"feature": 1, "curated_dataset": 2, "raw_source": 3, "acquisition_option": 4}


@dataclass(frozen=True, slots=True)
class Policy:
    """How far back behaviour counts and the dead-letter rate a healthy contract stays at."""

    window_days: int = 7
    max_dead_letter_rate: float = 0.05

    @property
    def threshold_words(self) -> str:
        return f"{self.max_dead_letter_rate:.0%}"

    @property
    def window_words(self) -> str:
        return "the last day" if self.window_days == 1 else f"the last {self.window_days} days"


@dataclass(frozen=True, slots=True)
class ContractFacts:
    id: int
    name: str
    status: str
    asset: Ref | None = None


@dataclass(frozen=True)
class ContractIndex:
    """Contracts by the asset they are on and by id, in the order given: judging many ideas
    against one registry looks up each idea's few assets instead of reading every contract."""

    by_asset: Mapping[Ref, tuple[ContractFacts, ...]]
    by_id: Mapping[int, ContractFacts]
    position: Mapping[int, int]

    @classmethod
    def of(cls, contracts: Iterable[ContractFacts]) -> ContractIndex:
        by_asset: dict[Ref, list[ContractFacts]] = {}
        by_id: dict[int, ContractFacts] = {}
        position: dict[int, int] = {}
        for number, facts in enumerate(contracts):
            if facts.asset is not None:
                by_asset.setdefault(facts.asset, []).append(facts)
            by_id.setdefault(facts.id, facts)
            position.setdefault(facts.id, number)
        return cls({ref: tuple(rows) for ref, rows in by_asset.items()}, by_id, position)


@dataclass(frozen=True, slots=True)
class Activity:
    """A contract's behaviour in the window."""

    breaches: int = 0
    dead_letters: int = 0
    records: int = 0  # records validated, valid or dead-lettered

    @property
    def dead_letter_rate(self) -> float | None:
        return self.dead_letters / self.records if self.records else None

    @property
    def rate_words(self) -> str:
        rate = self.dead_letter_rate
        return "no records" if rate is None else f"{rate:.1%} of {self.records:,}"


@dataclass(frozen=True, slots=True)
class Reason:
    level: str
    text: str
    contract_id: int | None = None


@dataclass(frozen=True, slots=True)
class ContractHealth:
    contract: ContractFacts
    activity: Activity
    in_use: bool  # False when an active contract on the same asset supersedes it
    reasons: tuple[Reason, ...]  # its behaviour in the window

    @property
    def level(self) -> str:
        if self.in_use and self.contract.status in ENDED:
            return DEPRECATED
        if self.reasons or (self.in_use and self.contract.status == DRAFT):
            return AT_RISK
        return HEALTHY

    @property
    def label(self) -> str:
        return LABELS[self.level]


@dataclass(frozen=True, slots=True)
class AssetGovernance:
    ref: Ref
    name: str
    own: tuple[int, ...]  # contracts on the asset itself
    governed_by: tuple[int, ...]  # own contracts, else those of its inputs
    governed: bool
    # its data reaches the idea without passing a contracted asset on the way down
    exposed: bool = True

    @property
    def tier(self) -> int:
        return TIER_OF.get(self.ref[0], 0)

    @property
    def through_upstream(self) -> bool:
        return self.governed and not self.own

    @property
    def is_gap(self) -> bool:
        """Ungoverned data that reaches the idea as it is: no contract downstream covers it."""
        return self.exposed and not self.governed


@dataclass(frozen=True)
class IdeaHealth:
    level: str
    reasons: tuple[Reason, ...]
    contracts: tuple[ContractHealth, ...] = ()
    assets: tuple[AssetGovernance, ...] = field(default=())

    @property
    def label(self) -> str:
        return LABELS[self.level]

    @property
    def is_risk(self) -> bool:
        return self.level not in (HEALTHY, NO_DATA)

    @property
    def risks(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.level != HEALTHY)


def _worst(reasons: Iterable[Reason]) -> str:
    return max((r.level for r in reasons), key=LEVELS.index, default=HEALTHY)


def lineage(
    upstream: Mapping[Ref, Sequence[Ref]],
    roots: Iterable[Ref],
    memo: dict[Ref, tuple[Ref, ...]] | None = None,
) -> list[Ref]:
    """Every asset the roots come from, the roots included, walked through available assets
    too; downstream first, in the order met (depth first). `memo` keeps each asset's own
    lineage for the next call: many ideas share most of theirs."""
    memo = {} if memo is None else memo

    def of(ref: Ref, path: frozenset[Ref]) -> tuple[Ref, ...]:
        found = memo.get(ref)
        if found is None:
            inputs = [of(i, path | {ref}) for i in upstream.get(ref, ()) if i not in path]
            found = tuple(dict.fromkeys((ref, *(r for refs in inputs for r in refs))))
            memo[ref] = found
        return found

    seen: dict[Ref, None] = {}
    for root in roots:
        if root not in seen:
            seen.update(dict.fromkeys(of(root, frozenset())))
    return list(seen)


def governance(
    upstream: Mapping[Ref, Sequence[Ref]],
    refs: Sequence[Ref],
    own: Mapping[Ref, Sequence[int]],
    names: Mapping[Ref, str],
    memo: dict[Ref, AssetGovernance] | None = None,
) -> dict[Ref, AssetGovernance]:
    """Per asset of a lineage: its own contracts, the ones that govern it, and whether all
    its data is governed (its own contract, or every input governed).

    An asset's governance depends only on the contracts of its own lineage, so `memo` may be
    shared by many ideas judged against the same contracts."""
    found: dict[Ref, AssetGovernance] = {} if memo is None else memo

    def visit(ref: Ref, path: frozenset[Ref]) -> AssetGovernance:
        if ref in found:
            return found[ref]
        mine = tuple(own.get(ref, ()))
        inputs = [visit(i, path | {ref}) for i in upstream.get(ref, ()) if i not in path]
        if mine:
            by, governed = mine, True
        else:
            by = tuple(dict.fromkeys(c for i in inputs for c in i.governed_by))
            governed = bool(inputs) and all(i.governed for i in inputs)
        result = AssetGovernance(ref, names.get(ref, f"#{ref[1]}"), mine, by, governed)
        found[ref] = result
        return result

    for ref in refs:
        visit(ref, frozenset())
    return found if memo is None else {ref: found[ref] for ref in refs}


def exposed(
    upstream: Mapping[Ref, Sequence[Ref]], roots: Iterable[Ref], own: Mapping[Ref, Sequence[int]]
) -> set[Ref]:
    """The assets whose data reaches the roots without passing through an asset that has a
    contract of its own (that contract answers for what it is made of)."""
    seen: set[Ref] = set()
    stack = list(roots)
    while stack:
        ref = stack.pop()
        if ref in seen:
            continue
        seen.add(ref)
        if not own.get(ref):
            stack.extend(upstream.get(ref, ()))
    return seen


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 'es' if word.endswith('ch') else 's'}"


def _behaviour(facts: ContractFacts, activity: Activity, policy: Policy) -> list[Reason]:
    reasons = []
    if activity.breaches:
        reasons.append(
            Reason(
                AT_RISK,
                f"{facts.name}: {_plural(activity.breaches, 'SLA breach')} in "
                f"{policy.window_words}.",
                facts.id,
            )
        )
    rate = activity.dead_letter_rate
    if rate is not None and rate > policy.max_dead_letter_rate:
        reasons.append(
            Reason(
                AT_RISK,
                f"{facts.name}: {rate:.1%} of the {activity.records:,} records validated in "
                f"{policy.window_words} were dead-lettered (more than "
                f"{policy.max_dead_letter_rate:.0%}).",
                facts.id,
            )
        )
    return reasons


def _status_reason(facts: ContractFacts, subject: str) -> Reason | None:
    if facts.status in ENDED:
        return Reason(
            DEPRECATED,
            f"{subject} relies on a {facts.status} contract: {facts.name}.",
            facts.id,
        )
    if facts.status == DRAFT:
        return Reason(
            AT_RISK, f"{subject}: draft contract only ({facts.name}), not agreed yet.", facts.id
        )
    return None


def _in_use(contracts: Sequence[ContractFacts]) -> list[ContractFacts]:
    """The contracts of one asset that are in force: the active ones when there are any."""
    active = [c for c in contracts if c.status == ACTIVE]
    if active:
        return active
    ended = [c for c in contracts if c.status in ENDED]
    return ended or list(contracts)


def ungoverned_health(needs: Iterable[Ref], names: Mapping[Ref, str]) -> IdeaHealth:
    """The health of an idea with no contract anywhere on its needs' lineage and none linked
    by hand (the common case): nothing governs any of its data, or it uses none yet."""
    roots = list(dict.fromkeys(needs))
    if not roots:
        return IdeaHealth(NO_DATA, (Reason(NO_DATA, "This idea uses no catalogue data yet."),))
    behind = ", ".join(names.get(r, f"#{r[1]}") for r in roots)
    return IdeaHealth(
        UNGOVERNED, (Reason(UNGOVERNED, "No contract governs the data behind " + behind + "."),)
    )


@dataclass(frozen=True)
class Standing:
    """An idea's contract health before the window's behaviour: what its lineage and its
    contracts' statuses say. It changes only with the idea's needs, the catalogue's lineage
    and the registry, not with every batch validated, so a summary over many ideas may keep
    it; `judged` adds each contract's breaches and dead letters."""

    final: IdeaHealth | None  # no data, or no contract anywhere: nothing to add
    reasons: tuple[Reason, ...] = ()  # ungoverned data and the contracts' statuses
    every: tuple[ContractFacts, ...] = ()  # the idea's contracts, by name
    in_use: frozenset[int] = frozenset()
    assets: tuple[AssetGovernance, ...] = ()


def idea_health(
    *,
    needs: Iterable[Ref],
    upstream: Mapping[Ref, Sequence[Ref]],
    names: Mapping[Ref, str],
    contracts: Iterable[ContractFacts] | ContractIndex,
    linked: Iterable[int] = (),
    activity: Mapping[int, Activity] | None = None,
    policy: Policy = Policy(),
    memo: dict[Ref, AssetGovernance] | None = None,
    with_assets: bool = True,
    lineage_memo: dict[Ref, tuple[Ref, ...]] | None = None,
    refs: Sequence[Ref] | None = None,
) -> IdeaHealth:
    """The health of the data an idea's needs use (see the module's docstring).

    `needs` are the assets the idea's needs point at; `upstream` maps every catalogue asset
    to its inputs; `contracts` may hold the whole registry (those off the lineage and not in
    `linked`, the contracts linked to the idea by hand, are ignored), indexed once
    (ContractIndex.of) when many ideas are judged against it; `activity` is each
    contract's behaviour in the window. `memo` shares asset governance between ideas judged
    against the same contracts; without `with_assets` the result leaves out the per-asset
    states (a summary over many ideas reads only the level and reasons); `refs` is the needs'
    lineage when the caller has walked it already.
    """
    found = standing(
        needs=needs,
        upstream=upstream,
        names=names,
        contracts=contracts,
        linked=linked,
        memo=memo,
        with_assets=with_assets,
        lineage_memo=lineage_memo,
        refs=refs,
    )
    return judged(found, activity, policy)


def standing(
    *,
    needs: Iterable[Ref],
    upstream: Mapping[Ref, Sequence[Ref]],
    names: Mapping[Ref, str],
    contracts: Iterable[ContractFacts] | ContractIndex,
    linked: Iterable[int] = (),
    memo: dict[Ref, AssetGovernance] | None = None,
    with_assets: bool = True,
    lineage_memo: dict[Ref, tuple[Ref, ...]] | None = None,
    refs: Sequence[Ref] | None = None,
) -> Standing:
    """What `idea_health` says of an idea before the window's behaviour (same arguments)."""
    roots = list(dict.fromkeys(needs))
    refs = lineage(upstream, roots, lineage_memo) if refs is None else refs
    index = contracts if isinstance(contracts, ContractIndex) else ContractIndex.of(contracts)
    on_asset = {ref: list(index.by_asset[ref]) for ref in refs if ref in index.by_asset}
    # linked by hand and not on the lineage, in the registry's order
    direct = sorted(
        (
            index.by_id[pk]
            for pk in set(linked)
            if pk in index.by_id and index.by_id[pk].asset not in on_asset
        ),
        key=lambda facts: index.position[facts.id],
    )
    if not with_assets and refs and not on_asset and not direct:
        return Standing(ungoverned_health(roots, names))  # no contract anywhere on the lineage
    own = {ref: [c.id for c in rows] for ref, rows in on_asset.items()}
    # without the per-asset states, only the roots and contracted assets are named below
    root_set = set(roots)
    named = refs if with_assets else [r for r in refs if r in on_asset or r in root_set]
    states = governance(upstream, named, own, names, memo)
    if with_assets:
        open_refs = exposed(upstream, roots, own)
        states = {ref: replace(state, exposed=ref in open_refs) for ref, state in states.items()}
    if not refs and not direct:
        return Standing(
            IdeaHealth(NO_DATA, (Reason(NO_DATA, "This idea uses no catalogue data yet."),))
        )

    reasons: list[Reason] = []
    ungoverned = [states[r].name for r in roots if not states[r].governed]
    if ungoverned:
        reasons.append(
            Reason(UNGOVERNED, "No contract governs the data behind " + ", ".join(ungoverned) + ".")
        )
    in_use: set[int] = set()
    for ref in refs:
        rows = on_asset.get(ref)
        if not rows:
            continue
        used = _in_use(rows)
        in_use |= {c.id for c in used}
        status = _status_reason(used[0], states[ref].name)
        if status is not None:
            reasons.append(status)
    for facts in direct:
        in_use.add(facts.id)
        status = _status_reason(facts, "This idea")
        if status is not None:
            reasons.append(status)
    every = sorted([c for rows in on_asset.values() for c in rows] + direct, key=_by_name)
    return Standing(
        None,
        tuple(reasons),
        tuple(every),
        frozenset(in_use),
        tuple(sorted((states[r] for r in refs), key=lambda a: (a.tier, a.name, a.ref)))
        if with_assets
        else (),
    )


def judged(
    found: Standing,
    activity: Mapping[int, Activity] | None = None,
    policy: Policy = Policy(),
    behaviour_memo: dict[int, tuple[Reason, ...]] | None = None,
) -> IdeaHealth:
    """The idea's health: its standing and its contracts' behaviour in the window.
    `behaviour_memo` keeps each contract's behaviour for the next idea judged on the same
    activity and policy."""
    if found.final is not None:
        return found.final
    activity = activity or {}
    memo = {} if behaviour_memo is None else behaviour_memo
    reasons = list(found.reasons)
    contracts = []
    for facts in found.every:
        acts = activity.get(facts.id, Activity())
        in_use = facts.id in found.in_use
        behaviour: tuple[Reason, ...] = ()
        if in_use:
            behaviour = memo.get(facts.id, ())
            if facts.id not in memo:
                behaviour = memo[facts.id] = tuple(_behaviour(facts, acts, policy))
        reasons.extend(behaviour)
        contracts.append(ContractHealth(facts, acts, in_use, behaviour))
    if not reasons:
        reasons.append(
            Reason(
                HEALTHY,
                "Active contracts govern all the data, with no SLA breach and at most "
                f"{policy.max_dead_letter_rate:.0%} dead letters in {policy.window_words}.",
            )
        )
    reasons.sort(key=lambda r: -LEVELS.index(r.level))
    return IdeaHealth(
        level=_worst(reasons),
        reasons=tuple(reasons),
        contracts=tuple(contracts),
        assets=found.assets,
    )


def _by_name(facts: ContractFacts) -> tuple[str, int]:
    return (facts.name, facts.id)
