"""What a scheduled check judges, pure: the window it looks back over and the breaches of the
records received in it. Durations and measures come from contracts.enforcement.judging, so a
check and a batch read the same promises the same way.

- Freshness: nothing arrived for longer than the promise (the stream has gone quiet).
- Lateness and missing values: over the records received in the window, as one batch.
- Dead-letter rate: dead letters / records received in the window above the organisation's
  threshold (the one contract health uses), once at least ``min_records`` arrived.
A condition that cannot be judged (no records in the window) is neither breached nor met: an
open breach of it stays open until records show it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from contracts.enforcement import judging

DEAD_LETTER_RATE = "dead_letter_rate"
DEFAULT_WINDOW_SECONDS = 3600.0


def window_seconds(terms: judging.SlaTerms, default: float = DEFAULT_WINDOW_SECONDS) -> float:
    """The SLA window: the longest window of its missing-value thresholds, else the
    freshness promise, else the default."""
    windows = [t.window_seconds for t in terms.thresholds if t.window_seconds]
    if windows:
        return max(windows)
    return terms.freshness_seconds or default


@dataclass(frozen=True, slots=True)
class Measured:
    """What was seen of a breached condition, as a breach row stores it."""

    observed: float
    limit: float
    unit: str
    window_start: datetime | None
    window_end: datetime | None
    records: int
    detail: str

    @classmethod
    def of(cls, b: judging.Breach) -> Measured:
        return cls(b.observed, b.limit, b.unit, b.window_start, b.window_end, b.records, b.detail)


@dataclass(frozen=True, slots=True)
class Finding:
    """One condition a check judged: breached (what was seen) or met (None)."""

    kind: str
    field: str
    breach: Measured | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.field)


def _finding(kind: str, field: str, b: judging.Breach | None) -> Finding:
    return Finding(kind, field, Measured.of(b) if b is not None else None)


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime
    records: Sequence[Any]  # payloads received in the window (valid or dead-lettered)
    arrivals: Sequence[datetime]
    dead_letters: int
    received: int  # every record received in the window, also beyond the payloads read
    last_arrival: datetime | None  # of any record ever, for freshness


def _rate_breach(w: Window, max_rate: float) -> Measured:
    rate = w.dead_letters / w.received
    return Measured(
        rate, max_rate, "ratio", w.start, w.end, w.received,
        f"{w.dead_letters} of {w.received} records received in the window were dead-lettered "
        f"({rate:.1%}; at most {max_rate:.1%} is healthy).",
    )  # fmt: skip


def judge_window(
    terms: judging.SlaTerms, w: Window, *, max_dead_letter_rate: float, min_records: int
) -> list[Finding]:
    """The conditions the contract's SLA sets, each breached or met (see the module's doc)."""
    findings: list[Finding] = []
    if terms.freshness_seconds is not None and w.last_arrival is not None:
        stale = judging.judge_staleness(terms, w.last_arrival, w.end)
        findings.append(_finding(judging.BreachKind.FRESHNESS.value, "", stale))
    if w.records:
        # the check's window is one window: thresholds are measured over all of it
        whole = replace(
            terms,
            thresholds=tuple(replace(t, window_seconds=None) for t in terms.thresholds),
            freshness_seconds=None,
        )
        found = {
            (b.kind.value, b.field): b for b in judging.judge(whole, w.records, w.arrivals, w.end)
        }
        for t in terms.thresholds:
            key = (judging.BreachKind.MISSING_RATIO.value, t.field)
            findings.append(_finding(*key, found.get(key)))
        if terms.event_time is not None and terms.max_lateness_seconds is not None:
            late = [b for b in found.values() if b.kind is judging.BreachKind.LATENESS]
            field = judging.json_pointer(p for n in terms.event_time for p in ("properties", n))
            findings.append(
                _finding(judging.BreachKind.LATENESS.value, field, late[0] if late else None)
            )
    if w.received >= max(1, min_records):
        over = w.dead_letters / w.received > max_dead_letter_rate
        findings.append(
            Finding(DEAD_LETTER_RATE, "", _rate_breach(w, max_dead_letter_rate) if over else None)
        )
    return findings
