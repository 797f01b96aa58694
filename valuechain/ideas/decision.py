"""What an idea's ROI report decides, said plainly: the verdict ("Do not build", "Build to
tier 2", "Build"), what stopping early skips, which ladder steps earn nothing yet, where an
earning step loses money, and p and k as products one can read.

Pure: no Django. The selectors hand in the engine's report and success factors, and the
tier each need reaches; pages render what comes out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from valuechain.engine.finance import (
    VERDICT_RANK,
    CoverageTerm,
    FeasibilityFactor,
    LadderStep,
    RoiReport,
    SuccessFactors,
    Verdict,
    earns,
)

# Short names of the tiers, as a sentence says them ("skip tier 4: acquisition").
TIER_NAMES = {1: "features", 2: "curated data", 3: "raw data", 4: "acquisition"}

TIMES = " \u00d7 "  # the multiplication sign, spaced

# Sorting the idea list by verdict: build first when descending.


def ratio(value: float) -> str:
    """A probability or share as read aloud: two decimals, a third when it matters
    (0.80, 0.875, 1.00)."""
    text = f"{value:.3f}"
    return text[:-1] if text.endswith("0") else text


def tier_name(tier: int) -> str:
    return TIER_NAMES.get(tier, f"tier {tier}")


# --- the verdict ------------------------------------------------------------------------------


def verdict_label(report: RoiReport) -> str:
    """The verdict in a few words, for a pill or a heading."""
    verdict = report.verdict
    if verdict == Verdict.DO_NOT_BUILD:
        return "Do not build"
    if verdict == Verdict.STOP_EARLY:
        return f"Build to tier {report.best_stop_tier}"
    return "Build"


def verdict_rank(report: RoiReport) -> int:
    return VERDICT_RANK[report.verdict]


@dataclass(frozen=True, slots=True)
class SkippedTier:
    """A tier above the best stop, with the needs whose data only it reaches."""

    tier: int
    needs: tuple[str, ...]

    @property
    def text(self) -> str:
        named = f" ({', '.join(self.needs)})" if self.needs else ""
        return f"tier {self.tier}: {tier_name(self.tier)}{named}"


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    label: str  # "Do not build", "Build to tier 2", "Build"
    stop_tier: int | None
    stop_npv: float | None  # NPV of the best step; None: no step pays
    skipped: tuple[SkippedTier, ...]  # stop_early only: what building to the stop leaves out

    @property
    def stop_name(self) -> str:
        return tier_name(self.stop_tier) if self.stop_tier is not None else ""

    @property
    def skipped_text(self) -> str:
        """ "skip tier 3: raw data (weather), tier 4: acquisition (weather)", or ""."""
        if not self.skipped:
            return ""
        return "skip " + ", ".join(tier.text for tier in self.skipped)


def decision(report: RoiReport, need_tiers: Iterable[tuple[str, int]] = ()) -> Decision:
    """The report's verdict with the best step and, when stopping early, the tiers skipped
    and the needs that only they would serve (`need_tiers`: each need's name and tier)."""
    stop = report.best_stop_tier
    best = next((step for step in report.ladder if step.tier == stop), None)
    skipped: tuple[SkippedTier, ...] = ()
    if report.verdict == Verdict.STOP_EARLY and stop is not None:
        by_tier: dict[int, list[str]] = {}
        for name, tier in need_tiers:
            if tier > stop:
                by_tier.setdefault(tier, []).append(name)
        skipped = tuple(SkippedTier(tier, tuple(names)) for tier, names in sorted(by_tier.items()))
        if not skipped:  # needs unknown: name the tiers alone
            skipped = tuple(SkippedTier(tier, ()) for tier in range(stop + 1, report.tier + 1))
    return Decision(
        verdict=report.verdict,
        label=verdict_label(report),
        stop_tier=stop,
        stop_npv=best.npv if best is not None else None,
        skipped=skipped,
    )


@dataclass(frozen=True, slots=True)
class LossMarker:
    """Where an earning step first loses money, said so that it never contradicts the
    verdict: a dip below an ROI of 0 that the best stop recovers from is not "loses"."""

    tier: int
    recovers: bool  # the best stop lies at or above this tier: the idea still pays there

    @property
    def text(self) -> str:
        if self.recovers:
            return f"dips at tier {self.tier}"
        return f"loses from tier {self.tier}"


def loss_marker(report: RoiReport) -> LossMarker | None:
    tier = report.negative_from_tier
    if tier is None:
        return None
    stop = report.best_stop_tier
    return LossMarker(tier, recovers=stop is not None and tier <= stop)


# --- the ladder -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepRow:
    """A ladder step as the table shows it."""

    step: LadderStep
    earns: bool
    benefit_from: int | None  # a step earning nothing: the tier where the blocking need is met
    negative: bool  # an earning step with an ROI below 0
    turns_negative: bool  # the first such step: `negative_from_tier`
    best: bool

    @property
    def roi_percent(self) -> float | None:
        return None if self.step.roi is None else self.step.roi * 100


def ladder_rows(report: RoiReport) -> list[StepRow]:
    """Steps that earn nothing read "no benefit until tier N", never a negative ROI; only an
    earning step is marked negative."""
    steps = report.ladder
    rows = []
    for index, step in enumerate(steps):
        earning = earns(step)
        benefit_from = None
        if not earning:
            benefit_from = next((later.tier for later in steps[index + 1 :] if earns(later)), None)
        negative = earning and step.roi is not None and step.roi < 0
        rows.append(
            StepRow(
                step=step,
                earns=earning,
                benefit_from=benefit_from,
                negative=negative,
                turns_negative=negative and step.tier == report.negative_from_tier,
                best=step.tier == report.best_stop_tier,
            )
        )
    return rows


def benefit_from_tier(steps: Sequence[LadderStep]) -> int | None:
    """The first step that earns something: below it an essential need is still unmet."""
    return next((step.tier for step in steps if earns(step)), None)


# --- p and k, factor by factor ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Factor:
    value: float
    what: str  # "you entered", "feasibility of Weather feed", "weight share of weather"

    @property
    def text(self) -> str:
        return f"{ratio(self.value)} {self.what}"


def _feasibilities(factors: Iterable[FeasibilityFactor]) -> tuple[Factor, ...]:
    return tuple(
        Factor(factor.feasibility, f"feasibility of {factor.name or 'an unnamed asset'}")
        for factor in factors
    )


@dataclass(frozen=True, slots=True)
class Product:
    """p as a product: p0 you entered x the feasibility of each essential charged asset."""

    factors: tuple[Factor, ...]
    value: float

    @property
    def value_text(self) -> str:
        return ratio(self.value)

    @property
    def text(self) -> str:
        return f"{TIMES.join(f.text for f in self.factors)} = {ratio(self.value)}"


@dataclass(frozen=True, slots=True)
class CoverageLine:
    """One need's term of k: its weight share, times the feasibility of its own data for an
    optional need (an essential need's data is already in p)."""

    need: str
    essential: bool
    share: Factor
    factors: tuple[Factor, ...]
    value: float

    @property
    def value_text(self) -> str:
        return ratio(self.value)

    @property
    def text(self) -> str:
        kind = "essential: its data's chance is in p" if self.essential else "optional"
        parts = TIMES.join(f.text for f in (self.share, *self.factors))
        if self.factors:
            parts = f"{parts} = {ratio(self.value)}"
        return f"{self.need} ({kind}): {parts}"


@dataclass(frozen=True, slots=True)
class Explanation:
    p: Product
    k_lines: tuple[CoverageLine, ...]
    k: float
    uncertain_optional: tuple[str, ...]  # optional needs whose data may not arrive

    @property
    def k_value_text(self) -> str:
        return ratio(self.k)

    @property
    def k_text(self) -> str:
        if not self.k_lines:
            return f"{ratio(self.k)}: no needs, nothing left uncovered"
        terms = " + ".join(ratio(line.value) for line in self.k_lines)
        return f"{terms} = {ratio(self.k)}"


def _coverage_line(term: CoverageTerm) -> CoverageLine:
    return CoverageLine(
        need=term.need,
        essential=term.essential,
        share=Factor(term.weight_share, "weight share"),
        factors=_feasibilities(term.factors),
        value=term.value,
    )


def explanation(factors: SuccessFactors) -> Explanation:
    """p and k of the whole idea as sums and products a reader can check by hand."""
    lines = tuple(_coverage_line(term) for term in factors.coverage_terms)
    return Explanation(
        p=Product(
            (
                Factor(factors.idea_probability, "you entered"),
                *_feasibilities(factors.essential_factors),
            ),
            factors.probability_of_success,
        ),
        k_lines=lines,
        k=factors.expected_coverage,
        uncertain_optional=tuple(line.need for line in lines if line.factors),
    )
