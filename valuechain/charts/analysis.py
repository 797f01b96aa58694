"""Analysis figures: the NPV distribution of a Monte Carlo run, the tornado, the efficient
frontier, and value against investment by quadrant."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

from valuechain.charts.plain import Figure, trace
from valuechain.charts.theme import ACCENT, GAIN, GRID, INK, LOSS, MUTED, inert, styled
from valuechain.engine.scoring import (
    BIG_BET,
    FILL_IN,
    MONEY_PIT,
    QUICK_WIN,
    VALUE_LINE,
    investment_line,
)
from valuechain.engine.tornado import Tornado

QUADRANT_COLOURS = {QUICK_WIN: GAIN, BIG_BET: ACCENT, FILL_IN: MUTED, MONEY_PIT: LOSS}
MARGIN = {"l": 70, "r": 30, "t": 30, "b": 50}


def _layout(figure: Figure, height: int = 360, **extra: Any) -> Figure:
    extra.setdefault("margin", MARGIN)
    return styled(figure, height=height, legend_y=1.12, **extra)


def npv_histogram(distribution: Mapping[str, Any], currency: str = "EUR") -> Figure:
    """Sampled NPVs as a histogram, losses in red, with P10 / P50 / P90 and the mean marked."""
    edges = list(distribution["histogram"]["edges"])
    counts = list(distribution["histogram"]["counts"])
    total = max(sum(counts), 1)
    centres = [(a + b) / 2 for a, b in pairwise(edges)]
    widths = [b - a for a, b in pairwise(edges)]
    figure = Figure(
        trace(
            "bar",
            name="Share of draws",
            x=centres,
            y=[c / total for c in counts],
            width=widths,
            marker={"color": [LOSS if c < 0 else GAIN for c in centres]},
            hovertemplate=f"NPV %{{x:,.0f}} {currency}<br>%{{y:.1%}} of draws<extra></extra>",
        )
    )
    for label, key, dash in (
        ("P10", "p10", "dot"),
        ("P50", "p50", "dash"),
        ("P90", "p90", "dot"),
        ("mean", "mean", "solid"),
    ):
        figure.add_vline(x=distribution[key], line={"color": INK, "dash": dash, "width": 1.5})
        figure.add_annotation(  # the label above the line
            text=label,
            showarrow=False,
            x=distribution[key],
            xref="x",
            xanchor="center",
            y=1,
            yref="y domain",
            yanchor="bottom",
        )
    return _layout(
        figure,
        bargap=0,
        showlegend=False,
        xaxis={"title": {"text": f"NPV ({currency})"}, "tickformat": ",.0f", "gridcolor": GRID},
        yaxis={"title": {"text": "Share of draws"}, "tickformat": ".0%", "gridcolor": GRID},
    )


def tornado_figure(tornado: Tornado, currency: str = "EUR", limit: int = 15) -> Figure:
    """Each input's NPV swing from the base, the widest at the top."""
    bars = list(tornado.bars[:limit])[::-1]
    names = [inert(bar.input) for bar in bars]
    base = tornado.base_npv
    figure = Figure()
    for label, values, colour, edge in (
        (
            "Input at its low",
            [bar.npv_at_low for bar in bars],
            "#8fb0e8",
            [bar.low_value for bar in bars],
        ),
        (
            "Input at its high",
            [bar.npv_at_high for bar in bars],
            ACCENT,
            [bar.high_value for bar in bars],
        ),
    ):
        figure.add_trace(
            trace(
                "bar",
                name=label,
                y=names,
                x=[v - base for v in values],
                base=base,
                orientation="h",
                marker={"color": colour},
                customdata=[[v, e] for v, e in zip(values, edge, strict=True)],
                hovertemplate=(
                    "%{y}: %{customdata[1]:,.3~f}<br>NPV %{customdata[0]:,.0f} "
                    f"{currency}<extra></extra>"
                ),
            )
        )
    figure.add_vline(x=base, line={"color": INK, "width": 1.5})
    figure.add_vline(x=0, line={"color": LOSS, "dash": "dot", "width": 1})
    return _layout(
        figure,
        height=max(260, 34 * len(bars) + 110),
        barmode="overlay",
        margin={"l": 230, "r": 30, "t": 40, "b": 50},
        xaxis={"title": {"text": f"NPV ({currency})"}, "tickformat": ",.0f", "gridcolor": GRID},
        yaxis={"automargin": True},
    )


def _frontier_points(
    points: Sequence[Mapping[str, Any]], chosen: Mapping[str, Any] | None = None
) -> list[Mapping[str, Any]]:
    """One point per distinct selection, at what it actually spends (stored runs without that
    figure: at the budget), cheapest first; the run's own selection is one of them, so its star
    lies on the line. A selection that spends more for less NPV than a cheaper one is no
    frontier point (a budget that buys it buys the cheaper, better one)."""
    seen: dict[float, Mapping[str, Any]] = {}
    candidates = list(points)
    if chosen is not None and chosen.get("one_off_investment") is not None:
        candidates.append(
            {
                "budget": chosen.get("budget") or chosen["one_off_investment"],
                "npv": chosen["total_npv"],
                "one_off_investment": chosen["one_off_investment"],
                "selected": chosen.get("selected", []),
                "is_chosen": True,
            }
        )
    for p in candidates:
        spent = float(p.get("one_off_investment", p["budget"]))
        if spent not in seen or p["npv"] > seen[spent]["npv"] or p.get("is_chosen"):
            seen[spent] = {**p, "spent": spent}
    frontier: list[Mapping[str, Any]] = []
    for spent in sorted(seen):
        point = seen[spent]
        if not frontier or point["npv"] > frontier[-1]["npv"] or point.get("is_chosen"):
            frontier.append(point)
    return frontier


def frontier_figure(
    points: Sequence[Mapping[str, Any]],
    chosen: Mapping[str, Any] | None = None,
    currency: str = "EUR",
) -> Figure:
    """Best total NPV against what each best selection spends once; the chosen one marked.
    A budget between two points buys the cheaper one."""
    shown = _frontier_points(points, chosen)
    figure = Figure(
        trace(
            "scatter",
            name="Efficient frontier",
            x=[p["spent"] for p in shown],
            y=[p["npv"] for p in shown],
            mode="lines+markers",
            line={"shape": "hv", "color": ACCENT, "width": 3},
            customdata=[[len(p.get("selected", [])), p["budget"]] for p in shown],
            hovertemplate=(
                f"Spends %{{x:,.0f}} {currency}<br>NPV %{{y:,.0f}}<br>"
                "%{customdata[0]} ideas (best under a budget of %{customdata[1]:,.0f})"
                "<extra></extra>"
            ),
        )
    )
    if chosen is not None:
        figure.add_trace(
            trace(
                "scatter",
                name="This selection",
                x=[chosen["one_off_investment"]],
                y=[chosen["total_npv"]],
                mode="markers",
                marker={"size": 14, "color": GAIN, "symbol": "star"},
                hovertemplate=f"Spends %{{x:,.0f}} {currency}<br>NPV %{{y:,.0f}}<extra></extra>",
            )
        )
    return _layout(
        figure,
        xaxis={
            "title": {"text": f"One-off investment of the selection ({currency})"},
            "tickformat": ",.0f",
            "gridcolor": GRID,
            "rangemode": "tozero",
        },
        yaxis={
            "title": {"text": f"Total NPV ({currency})"},
            "tickformat": ",.0f",
            "gridcolor": GRID,
        },
    )


def value_investment_figure(
    scores: Sequence[Mapping[str, Any]], selected: Sequence[int] = (), currency: str = "EUR"
) -> Figure:
    """Standalone NPV against one-off investment, one colour per quadrant. The lines that
    make the quadrants: NPV = 0 (above it an idea creates value) and the median investment."""
    chosen = set(selected)
    figure = Figure()
    for name in (QUICK_WIN, BIG_BET, FILL_IN, MONEY_PIT):
        rows = [s for s in scores if s["quadrant"] == name]
        if not rows:
            continue
        figure.add_trace(
            trace(
                "scatter",
                name=name,
                x=[s["one_off_investment"] for s in rows],
                y=[s["npv"] for s in rows],
                text=[inert(s["title"]) for s in rows],
                mode="markers",
                marker={
                    "size": [14 if s["idea_id"] in chosen else 9 for s in rows],
                    "color": QUADRANT_COLOURS[name],
                    "line": {
                        "width": [2 if s["idea_id"] in chosen else 0 for s in rows],
                        "color": INK,
                    },
                },
                hovertemplate=(
                    f"%{{text}}<br>Investment %{{x:,.0f}} {currency}<br>NPV %{{y:,.0f}}"
                    "<extra></extra>"
                ),
            )
        )
    figure.add_hline(y=VALUE_LINE, line={"color": LOSS, "dash": "dot", "width": 1})
    figure.add_annotation(  # under the line, at the right end
        text="NPV = 0",
        showarrow=False,
        x=1,
        xref="x domain",
        xanchor="right",
        y=VALUE_LINE,
        yref="y",
        yanchor="top",
    )
    if scores:
        middle = investment_line([s["one_off_investment"] for s in scores])
        figure.add_vline(x=middle, line={"color": MUTED, "dash": "dash", "width": 1})
        figure.add_annotation(  # at the foot of the line, to its right
            text=f"median investment {middle:,.0f}",
            showarrow=False,
            x=middle,
            xref="x",
            xanchor="left",
            y=0,
            yref="y domain",
            yanchor="bottom",
        )
    return _layout(
        figure,
        xaxis={
            "title": {"text": f"One-off investment ({currency})"},
            "tickformat": ",.0f",
            "gridcolor": GRID,
            "rangemode": "tozero",
        },
        yaxis={
            "title": {"text": f"Standalone NPV ({currency})"},
            "tickformat": ",.0f",
            "gridcolor": GRID,
        },
    )
