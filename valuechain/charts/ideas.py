"""An idea's figures: the ladder of cumulative investment and ROI as it walks upstream.

A step that earns nothing yet (an essential need's data lies further upstream) has no ROI
point: its bar says "no benefit until tier N" instead of a misleading loss.
"""

from __future__ import annotations

from valuechain.charts.plain import Figure, trace
from valuechain.charts.theme import GAIN, GRID, INK, LOSS, TIER_COLOURS, styled
from valuechain.engine.finance import LadderStep, RoiReport, earns

INVESTMENT_COLOUR = TIER_COLOURS[2]
ROI_COLOUR = INK
NEGATIVE_FILL = "rgba(180, 35, 24, 0.35)"
BEST_COLOUR = GAIN


def tier_label(tier: int) -> str:
    return f"Tier {tier}"


def _roi_range(rois: list[float]) -> tuple[float, float]:
    """A y2 range that always shows ROI 0 and some of the negative zone below it."""
    low, high = min([*rois, 0.0]), max([*rois, 0.0])
    pad = max((high - low) * 0.15, 0.1)
    return low - pad, high + pad


def _benefit_from(steps: tuple[LadderStep, ...], index: int) -> int | None:
    return next((later.tier for later in steps[index + 1 :] if earns(later)), None)


def _no_benefit_notes(figure: Figure, steps: tuple[LadderStep, ...]) -> None:
    for index, step in enumerate(steps):
        if earns(step):
            continue
        until = _benefit_from(steps, index)
        figure.add_annotation(
            name="no benefit",
            x=tier_label(step.tier),
            xref="x",
            y=step.cumulative_investment,
            yref="y",
            yanchor="bottom",
            text=f"no benefit<br>until tier {until}" if until else "no benefit",
            showarrow=False,
            font={"color": INK, "size": 11},
        )


def ladder_figure(report: RoiReport, currency: str = "EUR") -> Figure:
    """Cumulative investment per tier as bars, ROI per tier as a line on a second axis (none
    at steps that earn nothing yet, which say so), the zone below ROI 0 shaded, and the best
    stopping tier annotated."""
    steps = report.ladder
    tiers = [tier_label(step.tier) for step in steps]
    investments = [step.cumulative_investment for step in steps]
    rois = [step.roi if earns(step) else None for step in steps]

    figure = Figure()
    figure.add_trace(
        trace(
            "bar",
            name="Cumulative investment",
            x=tiers,
            y=investments,
            marker={"color": INVESTMENT_COLOUR},
            yaxis="y",
            hovertemplate=f"%{{x}}<br>%{{y:,.0f}} {currency}<extra></extra>",
        )
    )
    figure.add_trace(
        trace(
            "scatter",
            name="ROI",
            x=tiers,
            y=rois,
            mode="lines+markers",
            line={"color": ROI_COLOUR, "width": 3},
            # a step below ROI 0 is marked in the loss colour on the line itself
            marker={
                "size": 9,
                "color": [LOSS if r is not None and r < 0 else ROI_COLOUR for r in rois],
            },
            yaxis="y2",
            connectgaps=False,
            hovertemplate="%{x}<br>ROI %{y:.0%}<extra></extra>",
        )
    )
    low, high = _roi_range([r for r in rois if r is not None])
    # The negative zone is marked on the ROI axis only: shaded across the plot it would lie
    # over the investment bars, which belong to the other axis and are never negative.
    figure.add_shape(
        type="rect",
        name="negative ROI",
        xref="paper",
        x0=1,
        x1=1.015,
        yref="y2",
        y0=low,
        y1=0,
        fillcolor=NEGATIVE_FILL,
        line={"width": 0},
        layer="above",
    )
    figure.add_annotation(
        name="negative zone",
        xref="paper",
        x=1,
        xanchor="right",
        yref="y2",
        y=low,
        yanchor="bottom",
        text="ROI < 0",
        showarrow=False,
        font={"color": LOSS, "size": 11},
    )
    _no_benefit_notes(figure, steps)
    best = next((step for step in steps if step.tier == report.best_stop_tier), None)
    if best is None:  # no step has a positive NPV
        figure.add_annotation(
            name="do not build",
            xref="paper",
            x=0,
            xanchor="left",
            yref="paper",
            y=1,
            yanchor="bottom",
            text="No tier pays off: do not build",
            showarrow=False,
            font={"color": LOSS},
        )
    else:
        figure.add_annotation(
            name="best stop tier",
            x=tier_label(best.tier),
            xref="x",
            y=best.cumulative_investment,
            yref="y",
            text=f"Best stop: tier {best.tier}",
            showarrow=True,
            arrowhead=2,
            ax=0,
            ay=-40,
            font={"color": BEST_COLOUR},
            bgcolor="rgba(255,255,255,0.85)",
            bordercolor=BEST_COLOUR,
        )
    return styled(
        figure,
        height=380,
        margin={"l": 70, "r": 70, "t": 40, "b": 40},
        legend_y=1.12,
        barmode="group",
        bargap=0.4,
        xaxis={"type": "category", "title": {"text": "Walking upstream"}},
        yaxis={
            "title": {"text": f"Cumulative investment ({currency})"},
            "rangemode": "tozero",
            "gridcolor": GRID,
            "tickformat": ",.0f",
        },
        yaxis2={
            "title": {"text": "ROI"},
            "overlaying": "y",
            "side": "right",
            "range": [low, high],
            "tickmode": "auto",
            "nticks": 8,
            "tickformat": ".0%",
            "zeroline": True,
            "zerolinecolor": LOSS,
            "showgrid": False,
        },
    )
