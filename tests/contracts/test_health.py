"""Contract health, the pure rule: lineage, behaviour in the window, levels and reasons."""

from __future__ import annotations

import random

from contracts import health as h

# An available feature computed from two curated datasets, each from a raw source.
FEATURE = ("feature", 1)
ORDERS, PAYMENTS = ("curated_dataset", 10), ("curated_dataset", 11)
ORDERS_RAW, PAYMENTS_RAW = ("raw_source", 20), ("raw_source", 21)
UPSTREAM = {
    FEATURE: [ORDERS, PAYMENTS],
    ORDERS: [ORDERS_RAW],
    PAYMENTS: [PAYMENTS_RAW],
    ORDERS_RAW: [],
    PAYMENTS_RAW: [],
}
NAMES = {
    FEATURE: "payment method risk",
    ORDERS: "orders",
    PAYMENTS: "payments",
    ORDERS_RAW: "order tables",
    PAYMENTS_RAW: "payment events",
}
POLICY = h.Policy(window_days=7, max_dead_letter_rate=0.05)


def contract(pk: int, asset: h.Ref | None, status: str = "active") -> h.ContractFacts:
    return h.ContractFacts(pk, f"contract {pk}", status, asset)


def health_of(*contracts: h.ContractFacts, **kwargs) -> h.IdeaHealth:
    return h.idea_health(
        needs=[FEATURE],
        upstream=UPSTREAM,
        names=NAMES,
        contracts=contracts,
        policy=POLICY,
        **kwargs,
    )


def test_lineage_walks_through_available_assets_to_the_sources():
    assert h.lineage(UPSTREAM, [FEATURE]) == [FEATURE, ORDERS, ORDERS_RAW, PAYMENTS, PAYMENTS_RAW]


def test_a_feature_from_two_contracted_datasets_is_governed_by_both():
    state = health_of(contract(1, ORDERS), contract(2, PAYMENTS))
    assert state.level == h.HEALTHY
    assert [c.contract.id for c in state.contracts] == [1, 2]
    feature = next(a for a in state.assets if a.ref == FEATURE)
    assert feature.governed and feature.through_upstream
    assert feature.governed_by == (1, 2)
    assert "Active contracts govern all the data" in state.reasons[0].text


def test_data_from_an_uncontracted_source_is_ungoverned_and_named():
    state = health_of(contract(1, ORDERS))
    assert state.level == h.UNGOVERNED
    assert state.reasons[0].text == "No contract governs the data behind payment method risk."
    by_ref = {a.ref: a for a in state.assets}
    assert not by_ref[PAYMENTS].governed and by_ref[ORDERS].governed


def test_a_contract_on_the_feature_itself_governs_it_whatever_lies_upstream():
    assert health_of(contract(1, FEATURE)).level == h.HEALTHY


def test_a_breach_in_the_window_puts_the_idea_at_risk_and_says_which_contract():
    state = health_of(
        contract(1, ORDERS),
        contract(2, PAYMENTS),
        activity={2: h.Activity(breaches=1, records=500)},
    )
    assert state.level == h.AT_RISK
    assert state.risks[0].text == "contract 2: 1 SLA breach in the last 7 days."
    assert state.risks[0].contract_id == 2


def test_the_dead_letter_rate_counts_only_above_the_threshold():
    at_threshold = h.Activity(dead_letters=5, records=100)
    above = h.Activity(dead_letters=6, records=100)
    both = (contract(1, ORDERS), contract(2, PAYMENTS))
    assert health_of(*both, activity={1: at_threshold}).level == h.HEALTHY
    state = health_of(*both, activity={1: above})
    assert state.level == h.AT_RISK
    assert "6.0% of the 100 records validated in the last 7 days were dead-lettered" in (
        state.risks[0].text
    )


def test_only_a_draft_contract_is_a_risk_but_not_beside_an_active_one():
    draft_only = health_of(contract(1, ORDERS, "draft"), contract(2, PAYMENTS))
    assert draft_only.level == h.AT_RISK
    assert "draft contract only" in draft_only.risks[0].text
    superseded = health_of(contract(1, ORDERS, "draft"), contract(3, ORDERS), contract(2, PAYMENTS))
    assert superseded.level == h.HEALTHY


def test_a_deprecated_contract_in_use_outranks_a_breach():
    state = health_of(
        contract(1, ORDERS, "deprecated"),
        contract(2, PAYMENTS),
        activity={2: h.Activity(breaches=2)},
    )
    assert state.level == h.DEPRECATED
    assert [r.level for r in state.reasons] == [h.DEPRECATED, h.AT_RISK]
    assert "relies on a deprecated contract" in state.reasons[0].text
    assert "2 SLA breaches" in state.reasons[1].text


def test_a_superseded_contract_s_behaviour_does_not_count():
    state = health_of(
        contract(1, ORDERS, "deprecated"),
        contract(3, ORDERS),
        contract(2, PAYMENTS),
        activity={1: h.Activity(breaches=4)},
    )
    assert state.level == h.HEALTHY
    assert not next(c for c in state.contracts if c.contract.id == 1).in_use


def test_contracts_linked_by_hand_count_and_others_are_ignored():
    linked = contract(7, None, "retired")
    elsewhere = contract(8, ("curated_dataset", 99), "deprecated")
    state = health_of(contract(1, FEATURE), linked, elsewhere, linked=[7])
    assert state.level == h.DEPRECATED
    assert {c.contract.id for c in state.contracts} == {1, 7}


def test_an_idea_without_data_has_no_health_to_report():
    state = h.idea_health(needs=[], upstream=UPSTREAM, names=NAMES, contracts=[])
    assert state.level == h.NO_DATA and not state.is_risk


def test_an_uncontracted_source_behind_a_contracted_dataset_is_no_gap():
    state = health_of(contract(1, ORDERS), contract(2, PAYMENTS))
    raw = next(a for a in state.assets if a.ref == ORDERS_RAW)
    assert not raw.governed and not raw.exposed and not raw.is_gap
    loose = health_of(contract(1, ORDERS))
    assert next(a for a in loose.assets if a.ref == PAYMENTS_RAW).is_gap


def test_many_ideas_judged_at_once_read_as_each_judged_alone():
    """The dashboard judges every idea sharing each asset's lineage and governance and without
    the per-asset states; its levels and reasons are the idea page's, idea by idea."""
    rng = random.Random(7)
    tiers = {
        "feature": 40,
        "curated_dataset": 15,
        "raw_source": 8,
        "acquisition_option": 3,
    }
    kinds = list(tiers)
    upstream: dict[h.Ref, list[h.Ref]] = {}
    for depth, kind in enumerate(kinds[:-1]):
        below = kinds[depth + 1]
        for pk in range(1, tiers[kind] + 1):
            upstream[(kind, pk)] = [(below, rng.randint(1, tiers[below])) for _ in range(2)]
    refs = [(kind, pk) for kind, n in tiers.items() for pk in range(1, n + 1)]
    names = {ref: f"{ref[0]} {ref[1]}" for ref in refs}
    statuses = ["active", "active", "draft", "deprecated", "retired"]
    contracts = [
        h.ContractFacts(pk, f"contract {pk}", rng.choice(statuses), rng.choice(refs))
        for pk in range(1, 12)
    ]
    activity = {pk: h.Activity(breaches=pk % 3 == 0) for pk in range(1, 12)}
    memo: dict = {}
    walked: dict = {}
    behaviour: dict = {}
    index = h.ContractIndex.of(contracts)
    for _ in range(300):
        needs = rng.sample(refs, rng.randint(0, 4))
        linked = rng.sample(range(1, 12), rng.randint(0, 2))
        judge = dict(
            needs=needs,
            upstream=upstream,
            names=names,
            contracts=contracts,  # the same registry for every idea, as on the dashboard
            linked=linked,
            activity=activity,
        )
        alone = h.idea_health(**judge)
        together = h.idea_health(**judge, memo=memo, with_assets=False, lineage_memo=walked)
        assert (together.level, together.reasons) == (alone.level, alone.reasons)
        # the registry indexed once; each idea's standing kept, the window's behaviour added
        kept = h.standing(
            needs=needs,
            upstream=upstream,
            names=names,
            contracts=index,
            linked=linked,
            memo=memo,
            with_assets=False,
            lineage_memo=walked,
        )
        split = h.judged(kept, activity, h.Policy(), behaviour)
        assert (split.level, split.reasons, split.contracts) == (
            together.level,
            together.reasons,
            together.contracts,
        )
