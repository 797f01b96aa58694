"""The executive dashboard summed up from ROI reports and plain idea data.

Pure: no ORM. The selectors read ideas, reports, assignments and contract statuses once and
hand them here; everything a tile, chart or table shows is computed in this module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from contracts import health
from valuechain import spreadsheet
from valuechain.engine.chain import TIERS
from valuechain.engine.finance import RoiReport
from valuechain.engine.stakeholders import stakeholder_gaps

NEVER = "never"
DO_NOT_BUILD = "do not build"
TOP = 5
# Shipped work is sunk and rejected ideas are off the table: neither is still worth building.
NOT_TO_BUILD_STATUSES = ("shipped", "rejected")
# Ideas whose ROI first turns negative this far upstream (raw data, acquisition) are the
# ones where the data, not the model, is what costs too much.
UPSTREAM_TIERS = (3, 4)
CONTRACT_STATUSES = ("active", "draft", "deprecated", "retired")


@dataclass(frozen=True, slots=True)
class IdeaFacts:
    """What the dashboard needs to know about an idea beyond its ROI report."""

    id: int
    title: str
    status: str
    status_label: str
    owner: str = ""


@dataclass(frozen=True, slots=True)
class IdeaRow:
    idea: IdeaFacts
    report: RoiReport

    @property
    def worth_building(self) -> bool:
        """Some ladder step has a positive NPV (the report's best stop tier)."""
        return self.report.best_stop_tier is not None

    @property
    def best_stop_npv(self) -> float:
        """NPV when built up to the best tier; 0 for an idea not worth building at any tier
        (not building it costs nothing)."""
        tier = self.report.best_stop_tier
        if tier is None:
            return 0.0
        return next((step.npv for step in self.report.ladder if step.tier == tier), self.report.npv)

    @property
    def npv_given_up(self) -> float:
        """What building all the way up loses against stopping at the best tier, or against
        not building at all when no tier is worth it."""
        return self.best_stop_npv - self.report.npv


def rows(ideas: Iterable[IdeaFacts], reports: Mapping[int, RoiReport]) -> list[IdeaRow]:
    """Ideas paired with their reports; an idea without a report is left out."""
    return [IdeaRow(idea, reports[idea.id]) for idea in ideas if idea.id in reports]


# --- KPI tiles --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Kpis:
    ideas: int
    positive_npv_total: float  # best-stop NPV of the ideas still open and worth building
    positive_npv_count: int
    one_off_total: float
    negative_count: int
    upstream_negative_count: int  # first earning step with ROI < 0 is tier 3 or 4
    upstream_do_not_build_count: int = 0  # of those, not worth building at any tier
    closed_count: int = 0  # shipped or rejected ideas, left out of the worth-building total

    @property
    def upstream_negative_share(self) -> float | None:
        """Share of ideas whose ROI turns negative at tier 3 or 4; None without ideas."""
        return self.upstream_negative_count / self.ideas if self.ideas else None


def kpis(idea_rows: Sequence[IdeaRow]) -> Kpis:
    """The headline figures. Worth building: ideas neither shipped nor rejected with a best
    stop tier, each counted at the NPV of building it up to that tier. Upstream negatives:
    ideas whose first step that earns something and loses money is tier 3 or 4."""
    open_rows = [row for row in idea_rows if row.idea.status not in NOT_TO_BUILD_STATUSES]
    worth = [row.best_stop_npv for row in open_rows if row.worth_building]
    upstream = [row for row in idea_rows if row.report.negative_from_tier in UPSTREAM_TIERS]
    return Kpis(
        ideas=len(idea_rows),
        positive_npv_total=sum(worth),
        positive_npv_count=len(worth),
        one_off_total=sum(row.report.one_off_investment for row in idea_rows),
        negative_count=sum(1 for row in idea_rows if row.report.npv < 0),
        upstream_negative_count=len(upstream),
        upstream_do_not_build_count=sum(1 for row in upstream if not row.worth_building),
        closed_count=len(idea_rows) - len(open_rows),
    )


@dataclass(frozen=True, slots=True)
class StatusCount:
    status: str
    label: str
    count: int


def status_counts(
    counts: Mapping[str, int], choices: Sequence[tuple[str, str]]
) -> list[StatusCount]:
    """Every status in its defined order, zero when no idea has it."""
    return [StatusCount(value, label, int(counts.get(value, 0))) for value, label in choices]


def chosen_statuses(requested: Iterable[str], valid: Iterable[str]) -> list[str]:
    """The requested statuses that exist, once each, in the order asked; the rest ignored."""
    allowed = set(valid)
    return list(dict.fromkeys(s for s in requested if s in allowed))


# --- by tier ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TierTotal:
    tier: int
    ideas: int
    npv: float
    one_off_investment: float


def tier_totals(idea_rows: Sequence[IdeaRow]) -> list[TierTotal]:
    """NPV and one-off investment summed over the ideas of each tier (an idea's tier is the
    highest tier its needs reach); every tier listed, empty ones at zero."""
    totals = []
    for tier in TIERS:
        members = [row for row in idea_rows if row.report.tier == tier]
        totals.append(
            TierTotal(
                tier=tier,
                ideas=len(members),
                npv=sum(row.report.npv for row in members),
                one_off_investment=sum(row.report.one_off_investment for row in members),
            )
        )
    return totals


def negative_from_counts(idea_rows: Sequence[IdeaRow]) -> list[tuple[str, int]]:
    """Every idea in one bucket: among the ideas worth building up to some tier, how many
    turn negative first at each tier (the first step that earns something with ROI < 0) and
    how many never do; then the ideas not worth building at any tier."""
    worth = [row for row in idea_rows if row.worth_building]
    counts = Counter(row.report.negative_from_tier for row in worth)
    return [
        *((f"Tier {tier}", counts.get(tier, 0)) for tier in TIERS),
        (NEVER, counts[None]),
        (DO_NOT_BUILD, len(idea_rows) - len(worth)),
    ]


# --- tables ---------------------------------------------------------------------------------


def top_by_npv(idea_rows: Sequence[IdeaRow], limit: int = TOP) -> list[IdeaRow]:
    """The most valuable ideas (positive NPV only), best first."""
    ranked = sorted(
        (row for row in idea_rows if row.report.npv > 0),
        key=lambda row: (-row.report.npv, row.idea.title.lower(), row.idea.id),
    )
    return ranked[:limit]


def largest_downside(idea_rows: Sequence[IdeaRow], limit: int = TOP) -> list[IdeaRow]:
    """Ideas that lose money if built as proposed, the biggest loss first."""
    ranked = sorted(
        (row for row in idea_rows if row.report.npv < 0),
        key=lambda row: (row.report.npv, row.idea.title.lower(), row.idea.id),
    )
    return ranked[:limit]


# --- risk signals ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskRow:
    idea: IdeaFacts
    tier: int
    stakeholder_gaps: list[tuple[int, str]]  # (tier, role name)
    contract_health: health.IdeaHealth | None  # contracts.health, as the idea page shows it

    @property
    def contract_risk(self) -> bool:
        return self.contract_health is not None and self.contract_health.is_risk

    @property
    def has_risk(self) -> bool:
        return bool(self.stakeholder_gaps) or self.contract_risk

    @property
    def severity(self) -> int:
        level = self.contract_health.level if self.contract_health else health.HEALTHY
        return len(self.stakeholder_gaps) + health.LEVELS.index(level)


@dataclass(frozen=True)
class RiskSignals:
    ideas: list[RiskRow]
    # over the shown ideas: how many are at each contract health level
    health_levels: dict[str, int] = field(default_factory=dict)
    # every contract of the registry by status
    contract_statuses: dict[str, int] = field(default_factory=dict)

    @property
    def ideas_with_gaps(self) -> int:
        return sum(1 for row in self.ideas if row.stakeholder_gaps)

    @property
    def total_gaps(self) -> int:
        return sum(len(row.stakeholder_gaps) for row in self.ideas)

    @property
    def ideas_with_data(self) -> int:
        return sum(n for level, n in self.health_levels.items() if level != health.NO_DATA)

    @property
    def healthy_ideas(self) -> int:
        return self.health_levels.get(health.HEALTHY, 0)

    @property
    def at_risk_ideas(self) -> int:
        return self.health_levels.get(health.AT_RISK, 0)

    @property
    def deprecated_ideas(self) -> int:
        return self.health_levels.get(health.DEPRECATED, 0)

    @property
    def ungoverned_ideas(self) -> int:
        return self.health_levels.get(health.UNGOVERNED, 0)


def risk_signals(
    idea_rows: Sequence[IdeaRow],
    *,
    default_roles: Mapping[int, Iterable[int]],
    role_names: Mapping[int, str],
    assignments: Mapping[int, Iterable[tuple[int, int]]],
    contract_health: Mapping[int, health.IdeaHealth],
    contract_statuses: Mapping[str, int],
) -> RiskSignals:
    """Stakeholder gaps and contract health per idea.

    `assignments` maps an idea id to its (tier, role id) pairs; `contract_health` an idea id
    to its contracts.health.idea_health (the idea page's reading); `contract_statuses` counts
    the registry's contracts by status.
    """
    roles = {tier: list(ids) for tier, ids in default_roles.items()}
    result = []
    for row in idea_rows:
        gaps = stakeholder_gaps(row.report.tier, roles, assignments.get(row.idea.id, ()))
        result.append(
            RiskRow(
                idea=row.idea,
                tier=row.report.tier,
                stakeholder_gaps=[
                    (tier, role_names.get(role, f"role {role}")) for tier, role in gaps
                ],
                contract_health=contract_health.get(row.idea.id),
            )
        )
    result.sort(key=lambda r: (-r.severity, r.idea.title))
    levels = Counter(r.contract_health.level for r in result if r.contract_health is not None)
    return RiskSignals(
        ideas=result,
        health_levels={level: levels[level] for level in health.LEVELS},
        contract_statuses={s: int(contract_statuses.get(s, 0)) for s in CONTRACT_STATUSES},
    )


# --- the latest portfolio run ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PortfolioSummary:
    run_id: int
    selected: list[tuple[int, str]]  # (idea id, title) in the order the run chose them
    total_npv: float
    one_off_investment: float
    annual_run_cost: float
    budget: float | None
    candidates: int
    optimal: bool
    finished: str  # ISO date-time, or ""
    stops: dict[int, int] = field(default_factory=dict)  # idea id -> funded tier, when stored


def portfolio_summary(
    run_id: int, result: Mapping[str, Any] | None, titles: Mapping[int, str], finished: str = ""
) -> PortfolioSummary | None:
    """The selection of a finished run; None when it holds no usable result. Ideas deleted
    since the run are named by their id."""
    if not result or not isinstance(result.get("selected"), list):
        return None
    budget = result.get("budget")
    return PortfolioSummary(
        run_id=run_id,
        selected=[(int(i), titles.get(int(i), f"idea #{i}")) for i in result["selected"]],
        total_npv=float(result.get("total_npv") or 0.0),
        one_off_investment=float(result.get("one_off_investment") or 0.0),
        annual_run_cost=float(result.get("annual_run_cost") or 0.0),
        budget=None if budget is None else float(budget),
        candidates=int(result.get("candidates") or 0),
        optimal=bool(result.get("optimal")),
        finished=finished,
        stops={
            int(stop["idea"]): int(stop["tier"])
            for stop in result.get("stops") or []
            if isinstance(stop, dict) and "idea" in stop and "tier" in stop
        },
    )


# --- export ----------------------------------------------------------------------------------

HEADLINE = (
    "tier",
    "one_off_investment",
    "annual_run_cost",
    "probability_of_success",
    "expected_coverage",
    "expected_annual_benefit",
    "npv",
    "roi",
    "payback_years",
    "negative_from_tier",
    "best_stop_tier",
    "verdict",
)
STEP = (
    "cumulative_investment",
    "annual_run_cost",
    "probability_of_success",
    "benefit_coverage",
    "npv",
    "roi",
)


def export_frame(idea_rows: Sequence[IdeaRow]) -> pd.DataFrame:
    """One row per idea: its headline figures, then the ladder flattened per tier
    (`tier_2_npv` ...), empty beyond the idea's own tier."""
    records = []
    for row in idea_rows:
        report = row.report
        record: dict[str, Any] = {
            "idea_id": row.idea.id,
            "title": row.idea.title,
            "status": row.idea.status,
            "owner": row.idea.owner,
        }
        record.update({name: getattr(report, name) for name in HEADLINE})
        record["verdict"] = report.verdict.value  # build, stop_early or do_not_build
        steps = {step.tier: step for step in report.ladder}
        for tier in TIERS:
            step = steps.get(tier)
            for name in STEP:
                record[f"tier_{tier}_{name}"] = getattr(step, name) if step else None
        records.append(record)
    columns = ["idea_id", "title", "status", "owner", *HEADLINE] + [
        f"tier_{tier}_{name}" for tier in TIERS for name in STEP
    ]
    frame = pd.DataFrame.from_records(records, columns=columns)
    # Whole numbers stay whole even when some ideas have no value (None would make them float).
    for name in ("idea_id", "tier", "negative_from_tier", "best_stop_tier"):
        frame[name] = frame[name].astype("Int64")
    return frame


def export_csv(idea_rows: Sequence[IdeaRow]) -> str:
    """`export_frame` as CSV through the shared writer: text a spreadsheet would run as a
    formula (a title such as ``=HYPERLINK(...)``) is kept as text; money to 6 decimals."""
    frame = export_frame(idea_rows)
    # ROI as a percentage with one decimal, and its header says so ("roi_%", "tier_2_roi_%").
    rois = [name for name in frame.columns if name == "roi" or name.endswith("_roi")]
    frame[rois] = frame[rois] * 100
    frame = frame.rename(columns={name: f"{name}_%" for name in rois})
    plain = frame.astype(object).where(frame.notna(), None)
    return spreadsheet.write_csv(
        list(frame.columns),
        plain.itertuples(index=False, name=None),
        float_format=lambda value: f"{value:.6f}",
        column_formats={f"{name}_%": lambda value: f"{value:.1f}" for name in rois},
    )
