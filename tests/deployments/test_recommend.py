"""The recommendation rules, table-driven: each row is a situation a product manager describes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from deployments.recommend import (
    BATCH,
    DEPLOYMENT_TYPES,
    EDGE,
    REQUEST_RESPONSE,
    RULES,
    STREAM,
    InvalidRequirement,
    Requirements,
    Rule,
    check_plan,
    recommend,
)

# A neutral starting point: a server-side model, nothing special asked of it.
BASE = Requirements(
    latency_ms=5_000,
    requests_per_day=50_000,
    freshness="hours",
    data_location="server",
    connectivity="always",
)

SCENARIOS = [
    # (name, requirements, expected best type)
    (
        "nightly churn scores for a marketing email",
        replace(
            BASE,
            latency_ms=3_600_000,
            requests_per_day=1e6,
            freshness="days",
            inputs_enumerable=True,
        ),
        BATCH,
    ),
    (
        "product page recommendations for known users, refreshed hourly",
        replace(BASE, latency_ms=200, requests_per_day=5e6, inputs_enumerable=True),
        BATCH,
    ),
    (
        "card fraud scoring on a transaction stream",
        replace(
            BASE,
            latency_ms=300,
            requests_per_day=1e7,
            freshness="seconds",
            continuous_events=True,
            privacy_sensitive=True,
        ),
        STREAM,
    ),
    (
        "search ranking for free-text queries",
        replace(BASE, latency_ms=150, requests_per_day=1e5, freshness="seconds"),
        REQUEST_RESPONSE,
    ),
    (
        "keyboard next-word prediction on a phone",
        replace(
            BASE,
            latency_ms=10,
            requests_per_day=1e8,
            freshness="seconds",
            data_location="device",
            connectivity="intermittent",
            privacy_sensitive=True,
            continuous_events=True,
        ),
        EDGE,
    ),
    (
        "field inspection app with no signal",
        replace(BASE, data_location="device", connectivity="none"),
        EDGE,
    ),
]


@pytest.mark.parametrize(
    ("requirements", "expected"),
    [pytest.param(r, e, id=name) for name, r, e in SCENARIOS],
)
def test_best_type_for_typical_situations(requirements: Requirements, expected: str) -> None:
    recommendation = recommend(requirements)

    assert recommendation.best.deployment_type == expected
    assert recommendation.best.viable
    assert recommendation.best.score > recommendation.ranking[1].score


@pytest.mark.parametrize(("requirements", "_expected"), [(r, e) for _, r, e in SCENARIOS])
def test_ranking_covers_each_type_once_best_first_with_reasons(
    requirements: Requirements, _expected: str
) -> None:
    ranking = recommend(requirements).ranking

    assert sorted(o.deployment_type for o in ranking) == sorted(DEPLOYMENT_TYPES)
    viable_scores = [o.score for o in ranking if o.viable]
    assert viable_scores == sorted(viable_scores, reverse=True)
    assert all(0 <= o.score <= 100 for o in ranking)
    assert all(o.reasons for o in ranking)


INTERACTIVE = {"latency_ms": 200}

# (starting point, what changes, type, direction, words only the new reasons contain)
RULE_EFFECTS = [
    ({}, {"freshness": "seconds"}, BATCH, "down", "last run"),
    ({"freshness": "seconds"}, {"freshness": "days"}, BATCH, "up", "cheapest"),
    (INTERACTIVE, {"inputs_enumerable": True}, BATCH, "up", "real-time storage"),
    (
        {"latency_ms": 200, "inputs_enumerable": True},
        {"inputs_enumerable": False},
        BATCH,
        "down",
        "cannot precompute",
    ),
    ({}, {"continuous_events": True}, STREAM, "up", "subscribe"),
    ({}, {"freshness": "minutes"}, STREAM, "up", "fresh within seconds"),
    ({}, {"freshness": "days"}, STREAM, "down", "daily freshness"),
    ({}, {"requests_per_day": 100}, STREAM, "down", "1,000 events"),
    ({}, INTERACTIVE, REQUEST_RESPONSE, "up", "REST or gRPC"),
    (INTERACTIVE, {"latency_ms": 10}, REQUEST_RESPONSE, "down", "round trip"),
    ({}, {"connectivity": "intermittent"}, REQUEST_RESPONSE, "down", "while offline"),
    ({}, {"connectivity": "intermittent"}, STREAM, "down", "in bursts"),
    ({}, {"data_location": "device"}, EDGE, "up", "kept on the device"),
    ({"data_location": "device"}, {"privacy_sensitive": True}, EDGE, "up", "never leaves"),
    ({"data_location": "device"}, {"connectivity": "intermittent"}, EDGE, "up", "offline"),
    (INTERACTIVE, {"latency_ms": 10}, EDGE, "up", "only on-device"),
    ({}, {"privacy_sensitive": True}, EDGE, "down", "exposure"),
    (
        {"data_location": "device"},
        {"privacy_sensitive": True},
        REQUEST_RESPONSE,
        "down",
        "leave the device",
    ),
]


@pytest.mark.parametrize(("start", "change", "deployment_type", "direction", "words"), RULE_EFFECTS)
def test_each_requirement_moves_the_score_it_should_with_a_reason(
    start: dict[str, object],
    change: dict[str, object],
    deployment_type: str,
    direction: str,
    words: str,
) -> None:
    starting_point = replace(BASE, **start)  # type: ignore[arg-type]
    before = recommend(starting_point).option(deployment_type)
    after = recommend(replace(starting_point, **change)).option(deployment_type)  # type: ignore[arg-type]

    if direction == "up":
        assert after.score > before.score
    else:
        assert after.score < before.score
    assert any(words in reason for reason in after.reasons)
    assert not any(words in reason for reason in before.reasons)


def test_batch_with_real_time_storage_is_offered_only_when_inputs_can_be_enumerated() -> None:
    interactive = replace(BASE, latency_ms=100)

    enumerable = recommend(replace(interactive, inputs_enumerable=True)).option(BATCH)
    open_ended = recommend(replace(interactive, inputs_enumerable=False)).option(BATCH)

    assert any("real-time storage" in r for r in enumerable.reasons)
    assert not any("real-time storage" in r for r in open_ended.reasons)
    assert enumerable.score > open_ended.score
    assert enumerable.realtime_storage
    assert enumerable.display_label == "Batch + real-time storage"
    assert not open_ended.realtime_storage
    # Nobody waiting on the answer: plain batch, nothing to serve in real time.
    assert not recommend(replace(BASE, inputs_enumerable=True)).option(BATCH).realtime_storage


def test_online_serving_types_mention_the_feature_store() -> None:
    recommendation = recommend(BASE)

    for deployment_type in (STREAM, REQUEST_RESPONSE):
        reasons = recommendation.option(deployment_type).reasons
        assert any("real-time feature store" in r for r in reasons)
    assert not any("feature store" in r for r in recommendation.option(BATCH).reasons)


def test_edge_with_data_only_on_servers_and_no_connectivity_is_explained_not_raised() -> None:
    recommendation = recommend(replace(BASE, connectivity="none"))

    edge = recommendation.option(EDGE)
    assert not edge.viable
    assert edge.score == 0
    assert any("data only on servers and no connectivity" in c for c in edge.conflicts)
    # No type can deliver: the report says why, first.
    assert not recommendation.satisfiable
    assert "No deployment type" in recommendation.conflicts[0]
    assert len(recommendation.conflicts) == 1 + len(DEPLOYMENT_TYPES)


def test_device_data_without_connectivity_rules_out_server_side_types_only() -> None:
    recommendation = recommend(replace(BASE, data_location="device", connectivity="none"))

    assert recommendation.satisfiable
    assert recommendation.option(EDGE).viable
    for deployment_type in (BATCH, STREAM, REQUEST_RESPONSE):
        option = recommendation.option(deployment_type)
        assert not option.viable
        assert any("never reaches" in c for c in option.conflicts)
    assert recommendation.best.deployment_type == EDGE
    assert len(recommendation.conflicts) == 3


def test_tight_latency_with_server_data_is_flagged_as_a_contradiction() -> None:
    tight = replace(BASE, latency_ms=5)

    assert any("under 20 ms" in c for c in recommend(tight).conflicts)
    precomputable = replace(tight, inputs_enumerable=True)
    assert not any("under 20 ms" in c for c in recommend(precomputable).conflicts)


def test_no_conflicts_for_consistent_requirements() -> None:
    for _, requirements, _ in SCENARIOS[:-1]:
        assert recommend(requirements).conflicts == ()


def test_ties_break_towards_the_simpler_type() -> None:
    flat = (Rule(BATCH, lambda r: True, 0, "neutral"),)

    ranking = recommend(BASE, rules=flat).ranking

    assert [o.deployment_type for o in ranking] == list(DEPLOYMENT_TYPES)
    assert {o.score for o in ranking} == {50}


def test_every_rule_names_a_known_type_and_gives_a_reason() -> None:
    for rule in RULES:
        assert rule.deployment_type in DEPLOYMENT_TYPES
        assert rule.reason.endswith(".")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("latency_ms", 0),
        ("latency_ms", -1),
        ("latency_ms", float("nan")),
        ("latency_ms", "fast"),
        ("requests_per_day", -5),
        ("requests_per_day", float("inf")),
        ("freshness", "weeks"),
        ("data_location", "cloud"),
        ("connectivity", "sometimes"),
        ("privacy_sensitive", "yes"),
    ],
)
def test_invalid_requirement_names_the_field(field: str, value: object) -> None:
    with pytest.raises(InvalidRequirement) as error:
        replace(BASE, **{field: value})  # type: ignore[arg-type]

    assert error.value.field == field


def test_plan_check_explains_a_batch_plan_that_cannot_serve_in_time() -> None:
    interactive = replace(BASE, latency_ms=200)

    without_storage = check_plan(interactive, BATCH, loads_realtime_storage=False)
    unknown_inputs = check_plan(interactive, BATCH, loads_realtime_storage=True)
    fine = check_plan(
        replace(interactive, inputs_enumerable=True), BATCH, loads_realtime_storage=True
    )

    assert any("not loaded into real-time storage" in p for p in without_storage)
    assert any("cannot be enumerated" in p for p in unknown_inputs)
    assert fine == ()


def test_plan_check_reports_the_chosen_types_blockers() -> None:
    offline_server_data = replace(BASE, connectivity="none")

    assert any("no connectivity" in p for p in check_plan(offline_server_data, EDGE))
    assert check_plan(BASE, REQUEST_RESPONSE) == ()
