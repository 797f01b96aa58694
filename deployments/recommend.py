"""Recommend a deployment type from an idea's serving requirements.

Pure Python (no Django): the rules are a table of predicates, each adding
points to one deployment type with the human reason it applies.  Hard
impossibilities (the data can never meet the model) are *blockers*: the type
is marked not viable and its blocker text is reported as a conflict, so
contradictory requirements come back as explanations rather than errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

BATCH: Final = "batch"
STREAM: Final = "stream"
REQUEST_RESPONSE: Final = "request_response"
EDGE: Final = "edge"

# Also the tie-break order: simpler to build and run first.
DEPLOYMENT_TYPES: Final[tuple[str, ...]] = (BATCH, REQUEST_RESPONSE, STREAM, EDGE)

TYPE_LABELS: Final[Mapping[str, str]] = {
    BATCH: "Batch",
    STREAM: "Stream",
    REQUEST_RESPONSE: "Request-response",
    EDGE: "Edge",
}

FRESHNESS_CHOICES: Final[tuple[str, ...]] = ("seconds", "minutes", "hours", "days")
DATA_LOCATION_CHOICES: Final[tuple[str, ...]] = ("server", "device")
CONNECTIVITY_CHOICES: Final[tuple[str, ...]] = ("always", "intermittent", "none")

BASE_SCORE: Final = 50
MAX_SCORE: Final = 100

# Below this someone is waiting on the answer: it must be served on demand.
INTERACTIVE_LATENCY_MS: Final = 1_000
# A stream hop (broker in, app, broker out) rarely beats this.
STREAM_LATENCY_FLOOR_MS: Final = 100
# A network round trip to a server rarely beats this.
NETWORK_ROUND_TRIP_MS: Final = 20
# Above this volume, bulk precomputation is cheaper per prediction.
HIGH_VOLUME_PER_DAY: Final = 1_000_000
# Above this volume a backend service needs serious autoscaling.
VERY_HIGH_VOLUME_PER_DAY: Final = 10_000_000
# Below this a stream application running around the clock is mostly idle.
LOW_VOLUME_PER_DAY: Final = 1_000


class InvalidRequirement(ValueError):
    """A requirement value is out of range; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Requirements:
    latency_ms: float
    requests_per_day: float
    freshness: str
    data_location: str
    connectivity: str
    privacy_sensitive: bool = False
    inputs_enumerable: bool = False
    continuous_events: bool = False

    def __post_init__(self) -> None:
        for name in ("latency_ms", "requests_per_day"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidRequirement(name, "must be a number.")
            if not math.isfinite(value):
                raise InvalidRequirement(name, "must be a finite number.")
        if self.latency_ms <= 0:
            raise InvalidRequirement("latency_ms", "must be greater than 0.")
        if self.requests_per_day < 0:
            raise InvalidRequirement("requests_per_day", "must be 0 or more.")
        for name, choices in (
            ("freshness", FRESHNESS_CHOICES),
            ("data_location", DATA_LOCATION_CHOICES),
            ("connectivity", CONNECTIVITY_CHOICES),
        ):
            if getattr(self, name) not in choices:
                raise InvalidRequirement(name, f"must be one of {', '.join(choices)}.")
        for name in ("privacy_sensitive", "inputs_enumerable", "continuous_events"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidRequirement(name, "must be true or false.")

    @property
    def interactive(self) -> bool:
        return self.latency_ms < INTERACTIVE_LATENCY_MS

    @property
    def fresh_within_minutes(self) -> bool:
        return self.freshness in ("seconds", "minutes")


@dataclass(frozen=True)
class Rule:
    """When `applies`, `deployment_type` gains `points` (negative: loses) for `reason`.

    A rule with `blocks=True` makes the type not viable: the requirement can
    never be met by it whatever else is true.
    """

    deployment_type: str
    applies: Callable[[Requirements], bool]
    points: int
    reason: str
    blocks: bool = False


@dataclass(frozen=True)
class Option:
    deployment_type: str
    score: int
    viable: bool
    reasons: tuple[str, ...]
    conflicts: tuple[str, ...]
    # Batch only: predictions are served from real-time storage (interactive, enumerable).
    realtime_storage: bool = False

    @property
    def label(self) -> str:
        return TYPE_LABELS[self.deployment_type]

    @property
    def display_label(self) -> str:
        return f"{self.label} + real-time storage" if self.realtime_storage else self.label

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.deployment_type,
            "score": self.score,
            "viable": self.viable,
            "realtime_storage": self.realtime_storage,
            "reasons": list(self.reasons),
            "conflicts": list(self.conflicts),
        }


@dataclass(frozen=True)
class Recommendation:
    ranking: tuple[Option, ...]
    conflicts: tuple[str, ...]
    # Of the conflicts, those where the requirements themselves pull against each other (or
    # nothing can meet them), as opposed to why one type among others is ruled out: a clear
    # answer has none.
    contradictions: tuple[str, ...] = ()

    @property
    def best(self) -> Option:
        return self.ranking[0]

    @property
    def satisfiable(self) -> bool:
        return any(option.viable for option in self.ranking)

    def option(self, deployment_type: str) -> Option:
        for option in self.ranking:
            if option.deployment_type == deployment_type:
                return option
        raise KeyError(deployment_type)


def _on_device(r: Requirements) -> bool:
    return r.data_location == "device"


def _on_server(r: Requirements) -> bool:
    return r.data_location == "server"


SERVER_SIDE: Final = (BATCH, STREAM, REQUEST_RESPONSE)

RULES: Final[tuple[Rule, ...]] = (
    # --- batch -----------------------------------------------------------
    Rule(
        BATCH,
        lambda r: r.freshness in ("hours", "days"),
        25,
        "A scheduled ETL/ELT job at this cadence keeps predictions fresh enough, "
        "and is the simplest and cheapest way to run a model.",
    ),
    Rule(
        BATCH,
        lambda r: r.freshness == "minutes",
        -10,
        "Minute-level freshness means running the batch job every few minutes: "
        "possible as micro-batches, but costly and fragile.",
    ),
    Rule(
        BATCH,
        lambda r: r.freshness == "seconds",
        -40,
        "Batch predictions are only as fresh as the last run: freshness within "
        "seconds cannot be met.",
    ),
    Rule(
        BATCH,
        lambda r: r.interactive and r.inputs_enumerable,
        10,
        "Inputs can be enumerated ahead: predict for all of them in batch, load the "
        "predictions into real-time storage (a key-value store) and serve them by "
        "lookup in milliseconds. Batch is not useless for real-time use.",
    ),
    Rule(
        BATCH,
        lambda r: r.interactive and not r.inputs_enumerable,
        -30,
        "Inputs cannot be enumerated ahead, so a batch job cannot precompute the "
        "prediction an interactive request will ask for.",
    ),
    Rule(
        BATCH,
        lambda r: r.latency_ms < NETWORK_ROUND_TRIP_MS and r.inputs_enumerable,
        -10,
        "Even a lookup of precomputed predictions in real-time storage crosses the "
        "network, which rarely fits under 20 ms.",
    ),
    Rule(
        BATCH,
        lambda r: not r.interactive,
        10,
        "No one waits on the prediction, so it can be computed ahead on a schedule.",
    ),
    Rule(
        BATCH,
        lambda r: r.requests_per_day >= HIGH_VOLUME_PER_DAY and r.inputs_enumerable,
        10,
        "At this volume, precomputing in bulk is cheaper per prediction than serving each request.",
    ),
    # --- stream ----------------------------------------------------------
    Rule(
        STREAM,
        lambda r: r.continuous_events,
        25,
        "Events arrive continuously: a stream application scores them as they flow "
        "and publishes results to a stream many applications can subscribe to.",
    ),
    Rule(
        STREAM,
        lambda r: not r.continuous_events,
        -15,
        "Without a continuous flow of events, a stream application has little to process.",
    ),
    Rule(
        STREAM,
        lambda r: r.fresh_within_minutes,
        15,
        "Stream processing keeps features and predictions fresh within seconds.",
    ),
    Rule(
        STREAM,
        lambda r: r.freshness == "days",
        -10,
        "A stream application running around the clock is wasted on daily freshness.",
    ),
    Rule(
        STREAM,
        lambda r: r.latency_ms < STREAM_LATENCY_FLOOR_MS,
        -10,
        "Results come back asynchronously through another stream; a round trip "
        "under 100 ms is hard to guarantee.",
    ),
    Rule(
        STREAM,
        lambda r: r.interactive and r.latency_ms >= STREAM_LATENCY_FLOOR_MS,
        5,
        "Sub-second results are within reach of a stream application.",
    ),
    Rule(
        STREAM,
        lambda r: r.requests_per_day < LOW_VOLUME_PER_DAY,
        -10,
        "Fewer than 1,000 events a day barely keep a stream application busy.",
    ),
    Rule(
        STREAM,
        lambda r: True,
        0,
        "Static features come from a real-time feature store serving API, so each "
        "offline-only feature needs online materialisation.",
    ),
    # --- request-response --------------------------------------------------
    Rule(
        REQUEST_RESPONSE,
        lambda r: r.interactive,
        15,
        "A backend service (REST or gRPC) answers each request synchronously, "
        "typically within 10-200 ms.",
    ),
    Rule(
        REQUEST_RESPONSE,
        lambda r: r.interactive and not r.inputs_enumerable,
        10,
        "Inputs cannot be enumerated ahead, so predictions must be computed on demand.",
    ),
    Rule(
        REQUEST_RESPONSE,
        lambda r: r.latency_ms < NETWORK_ROUND_TRIP_MS,
        -15,
        "A network round trip to a backend service rarely fits under 20 ms.",
    ),
    Rule(
        REQUEST_RESPONSE,
        lambda r: r.freshness == "seconds",
        15,
        "Each prediction uses the features current at request time.",
    ),
    Rule(
        REQUEST_RESPONSE,
        lambda r: r.requests_per_day >= VERY_HIGH_VOLUME_PER_DAY,
        -5,
        "At this volume the service needs autoscaling and capacity planning.",
    ),
    Rule(
        REQUEST_RESPONSE,
        lambda r: True,
        0,
        "Features are fetched from a real-time feature store serving API, so each "
        "offline-only feature needs online materialisation.",
    ),
    # --- edge ------------------------------------------------------------
    Rule(
        EDGE,
        _on_device,
        25,
        "The data is generated and kept on the device: the model runs where the data is.",
    ),
    Rule(
        EDGE,
        lambda r: _on_device(r) and r.privacy_sensitive,
        20,
        "Sensitive data never leaves the device.",
    ),
    Rule(
        EDGE,
        lambda r: _on_device(r) and r.connectivity != "always",
        10,
        "Predictions keep working while the device is offline.",
    ),
    Rule(
        EDGE,
        lambda r: r.interactive,
        10,
        "No network round trip: the lowest latency of the four types.",
    ),
    Rule(
        EDGE,
        lambda r: r.latency_ms < NETWORK_ROUND_TRIP_MS,
        15,
        "Under 20 ms, only on-device inference reliably avoids the network.",
    ),
    Rule(
        EDGE,
        lambda r: _on_device(r) and r.freshness == "seconds",
        10,
        "On-device data is current the moment it is generated.",
    ),
    Rule(
        EDGE,
        lambda r: r.requests_per_day >= VERY_HIGH_VOLUME_PER_DAY,
        5,
        "Inference runs on users' devices, so serving cost does not grow with volume.",
    ),
    Rule(
        EDGE,
        lambda r: _on_server(r) and r.connectivity != "none",
        -20,
        "The data lives on servers: the device must download inputs before "
        "predicting, which gives up edge's latency advantage.",
    ),
    Rule(
        EDGE,
        lambda r: _on_server(r) and r.privacy_sensitive,
        -10,
        "Copying sensitive server-side data to users' devices widens its exposure.",
    ),
    Rule(
        EDGE,
        lambda r: True,
        0,
        "Needs model compression and an on-device runtime for each target platform.",
    ),
    Rule(
        EDGE,
        lambda r: _on_server(r) and r.connectivity == "none",
        -50,
        "Edge with data only on servers and no connectivity: the on-device model "
        "can never receive its inputs.",
        blocks=True,
    ),
    # --- connectivity, for the three server-side types -------------------
    *(
        rule
        for deployment_type in SERVER_SIDE
        for rule in (
            Rule(
                deployment_type,
                lambda r: _on_device(r) and r.connectivity == "none",
                -50,
                "The data lives on the device and the device has no connectivity: it "
                "never reaches a server-side model.",
                blocks=True,
            ),
            Rule(
                deployment_type,
                lambda r: _on_server(r) and r.connectivity == "none",
                -50,
                "The consuming application has no connectivity, so predictions made on "
                "servers can never reach it.",
                blocks=True,
            ),
            Rule(
                deployment_type,
                lambda r: _on_device(r) and r.connectivity == "always",
                -5,
                "The data must first be sent from the device to the servers.",
            ),
            Rule(
                deployment_type,
                lambda r: _on_device(r) and r.privacy_sensitive,
                -10,
                "Sensitive data has to leave the device.",
            ),
        )
    ),
    Rule(
        REQUEST_RESPONSE,
        lambda r: r.connectivity == "intermittent",
        -15,
        "With intermittent connectivity, no prediction is available while offline.",
    ),
    Rule(
        STREAM,
        lambda r: r.connectivity == "intermittent",
        -15,
        "With intermittent connectivity, events arrive late and in bursts after reconnecting.",
    ),
    Rule(
        BATCH,
        lambda r: r.connectivity == "intermittent" and r.freshness in ("hours", "days"),
        0,
        "Intermittent connectivity is tolerable: data and predictions can sync when "
        "the device reconnects.",
    ),
    Rule(
        BATCH,
        lambda r: r.connectivity == "intermittent" and r.fresh_within_minutes,
        -10,
        "With intermittent connectivity, data uploaded on reconnect is too late for "
        "this freshness.",
    ),
)


@dataclass(frozen=True)
class Contradiction:
    """Requirements that pull against each other whatever the type."""

    applies: Callable[[Requirements], bool]
    explanation: str


CONTRADICTIONS: Final[tuple[Contradiction, ...]] = (
    Contradiction(
        lambda r: (
            _on_server(r) and r.latency_ms < NETWORK_ROUND_TRIP_MS and not r.inputs_enumerable
        ),
        "A latency target under 20 ms needs on-device inference, but the data lives on "
        "servers and the inputs cannot be precomputed: relax the latency target or move "
        "the data to the device.",
    ),
    Contradiction(
        lambda r: r.continuous_events and r.requests_per_day == 0,
        "Events are said to arrive continuously, yet no predictions are expected per "
        "day: check the throughput.",
    ),
)


def _rank_key(option: Option, raw: int) -> tuple[int, int, int]:
    return (0 if option.viable else 1, -raw, DEPLOYMENT_TYPES.index(option.deployment_type))


def recommend(requirements: Requirements, rules: tuple[Rule, ...] = RULES) -> Recommendation:
    """Rank the four deployment types for `requirements`, best first.

    Scores run 0-100 (50 is neutral); a type that a blocker rules out scores 0
    and ranks after every viable type.
    """
    by_type: dict[str, list[Rule]] = {deployment_type: [] for deployment_type in DEPLOYMENT_TYPES}
    for rule in rules:
        by_type[rule.deployment_type].append(rule)
    scored: list[tuple[Option, int]] = []
    for deployment_type in DEPLOYMENT_TYPES:
        raw = BASE_SCORE
        reasons: list[str] = []
        blockers: list[str] = []
        for rule in by_type[deployment_type]:
            if not rule.applies(requirements):
                continue
            raw += rule.points
            (blockers if rule.blocks else reasons).append(rule.reason)
        viable = not blockers
        score = max(0, min(MAX_SCORE, raw)) if viable else 0
        option = Option(
            deployment_type,
            score,
            viable,
            tuple(reasons),
            tuple(blockers),
            realtime_storage=(
                deployment_type == BATCH
                and requirements.interactive
                and requirements.inputs_enumerable
            ),
        )
        scored.append((option, raw))
    scored.sort(key=lambda pair: _rank_key(*pair))
    ranking = tuple(option for option, _ in scored)

    conflicts = [f"{option.label}: {blocker}" for option in ranking for blocker in option.conflicts]
    contradictions = [c.explanation for c in CONTRADICTIONS if c.applies(requirements)]
    if not any(option.viable for option in ranking):
        contradictions.insert(0, _unsatisfiable_explanation(requirements))
    return Recommendation(
        ranking=ranking,
        conflicts=(*contradictions, *conflicts),
        contradictions=tuple(contradictions),
    )


def _unsatisfiable_explanation(r: Requirements) -> str:
    if r.data_location == "server" and r.connectivity == "none":
        return (
            "No deployment type can meet these requirements: the data lives only on "
            "servers but the consuming application has no connectivity. Either keep the "
            "data on the device (edge) or give the application a connection."
        )
    return "No deployment type can meet these requirements; relax one of the conflicts below."


def requirements_from_mapping(data: Mapping[str, Any]) -> Requirements:
    """Build Requirements from already-typed values (e.g. validated form data)."""
    return Requirements(
        latency_ms=data["latency_ms"],
        requests_per_day=data["requests_per_day"],
        freshness=data["freshness"],
        data_location=data["data_location"],
        connectivity=data["connectivity"],
        privacy_sensitive=bool(data.get("privacy_sensitive", False)),
        inputs_enumerable=bool(data.get("inputs_enumerable", False)),
        continuous_events=bool(data.get("continuous_events", False)),
    )


def check_plan(
    requirements: Requirements, deployment_type: str, *, loads_realtime_storage: bool = False
) -> tuple[str, ...]:
    """Why a chosen type does not fit its requirements (empty when it does)."""
    option = recommend(requirements).option(deployment_type)
    problems = list(option.conflicts)
    if deployment_type == BATCH:
        if loads_realtime_storage and not requirements.inputs_enumerable:
            problems.append(
                "Predictions loaded into real-time storage only cover inputs known ahead, "
                "but these inputs cannot be enumerated."
            )
        if requirements.interactive and not loads_realtime_storage:
            problems.append(
                "The latency target is under a second, yet batch predictions are not loaded "
                "into real-time storage: nothing can serve them in time."
            )
    return tuple(problems)
