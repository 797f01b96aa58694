"""The executive dashboard's figures: NPV and investment per tier, value against investment
per idea, and where ideas turn negative. Drawn from the dashboard's summary (pure data)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from valuechain.charts.plain import Figure, trace, typed_array
from valuechain.charts.theme import GAIN, GRID, INK, LOSS, MUTED, TIER_COLOURS, inert, styled
from valuechain.engine.chain import TIERS

if TYPE_CHECKING:  # the dashboard's rows, plotted as they are
    from valuechain.dashboard.summary import IdeaRow, TierTotal

INVESTMENT_COLOUR = MUTED
NEVER_COLOUR = GAIN
DO_NOT_BUILD_COLOUR = INK
MIN_MARKER, MAX_MARKER = 8.0, 34.0
MARGIN = {"l": 80, "r": 20, "t": 30, "b": 50}


def _layout(figure: Figure, height: int = 340, **extra: Any) -> Figure:
    return styled(figure, height=height, margin=MARGIN, legend_y=1.14, font={"color": INK}, **extra)


def tier_figure(totals: Sequence[TierTotal], currency: str = "EUR") -> Figure:
    """NPV and one-off investment summed per idea tier, side by side."""
    labels = [f"Tier {t.tier}" for t in totals]
    counts = [t.ideas for t in totals]
    figure = Figure()
    figure.add_trace(
        trace(
            "bar",
            name="Total NPV",
            x=labels,
            y=[t.npv for t in totals],
            marker={"color": [GAIN if t.npv >= 0 else LOSS for t in totals]},
            customdata=counts,
            hovertemplate=f"%{{x}}: %{{customdata}} ideas<br>NPV %{{y:,.0f}} {currency}"
            "<extra></extra>",
        )
    )
    figure.add_trace(
        trace(
            "bar",
            name="One-off investment",
            x=labels,
            y=[t.one_off_investment for t in totals],
            marker={"color": INVESTMENT_COLOUR},
            customdata=counts,
            hovertemplate=f"%{{x}}: %{{customdata}} ideas<br>Investment %{{y:,.0f}} {currency}"
            "<extra></extra>",
        )
    )
    return _layout(
        figure,
        barmode="group",
        bargap=0.3,
        xaxis={"type": "category", "title": {"text": "Idea tier (highest tier its data reaches)"}},
        yaxis={
            "title": {"text": currency},
            "tickformat": ",.0f",
            "gridcolor": GRID,
            "zeroline": True,
            "zerolinecolor": INK,
        },
    )


def _marker_size(probability: float) -> float:
    return MIN_MARKER + (MAX_MARKER - MIN_MARKER) * max(0.0, min(1.0, probability))


def value_investment_figure(rows: Sequence[IdeaRow], currency: str = "EUR") -> Figure:
    """Each idea at (one-off investment, NPV), coloured by tier, sized by its probability of
    success; the line NPV = 0 separates value from loss."""
    figure = Figure()
    for tier in TIERS:
        members = [row for row in rows if row.report.tier == tier]
        if not members:
            continue
        figure.add_trace(
            trace(
                "scatter",
                name=f"Tier {tier}",
                # typed arrays (base64), as these were always sent: smaller than decimals
                x=typed_array(row.report.one_off_investment for row in members),
                y=typed_array(row.report.npv for row in members),
                mode="markers",
                marker={
                    "size": typed_array(
                        _marker_size(row.report.probability_of_success) for row in members
                    ),
                    "color": TIER_COLOURS[tier],
                    "opacity": 0.8,
                    "line": {"width": 1, "color": "#fff"},
                },
                text=[inert(row.idea.title) for row in members],
                customdata=typed_array(row.report.probability_of_success for row in members),
                hovertemplate=(
                    "<b>%{text}</b><br>One-off %{x:,.0f} "
                    + currency
                    + "<br>NPV %{y:,.0f} "
                    + currency
                    + "<br>Probability of success %{customdata:.0%}<extra></extra>"
                ),
            )
        )
    figure.add_hline(y=0, line={"color": LOSS, "width": 1, "dash": "dot"})
    return _layout(
        figure,
        height=380,
        xaxis={
            "title": {"text": f"One-off investment ({currency})"},
            "tickformat": ",.0f",
            "gridcolor": GRID,
            "rangemode": "tozero",
        },
        yaxis={"title": {"text": f"NPV ({currency})"}, "tickformat": ",.0f", "gridcolor": GRID},
    )


def negative_from_figure(
    counts: Sequence[tuple[str, int]], never: str, do_not_build: str = "do not build"
) -> Figure:
    """Every idea in one bar: ideas worth building up to some tier by the tier where their ROI
    first turns negative (steps that earn nothing do not count), those that never do
    (labelled `never`), and those not worth building at any tier (`do_not_build`)."""
    names = {never: "Never", do_not_build: "Do not build"}
    labels = [names.get(label, label) for label, _ in counts]
    # Every tier bar is a loss upstream; "never" is good news; "do not build" a plain no.
    colours = [
        NEVER_COLOUR if label == never else DO_NOT_BUILD_COLOUR if label == do_not_build else LOSS
        for label, _ in counts
    ]
    hover = [
        "%{y} ideas are not worth building at any tier"
        if label == do_not_build
        else "%{y} ideas never turn negative"
        if label == never
        else "ROI turns negative from %{x}: %{y} ideas (each worth building at some tier)"
        for label, _ in counts
    ]
    figure = Figure(
        trace(
            "bar",
            name="Ideas",
            x=labels,
            y=[count for _, count in counts],
            marker={"color": colours},
            text=[str(count) for _, count in counts],  # bar labels are strings to plotly
            textposition="outside",
            cliponaxis=False,
            hovertemplate=[h + "<extra></extra>" for h in hover],
        )
    )
    return _layout(
        figure,
        showlegend=False,
        xaxis={"type": "category", "title": {"text": "ROI turns negative from"}},
        yaxis={"title": {"text": "Ideas"}, "dtick": 1, "gridcolor": GRID, "rangemode": "tozero"},
    )
