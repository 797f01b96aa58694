"""The contract page's health-over-time figure: records per day (valid and dead-lettered),
the dead-letter rate against the healthy threshold, and SLA breaches opened and resolved."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.monitoring.history import Day
from valuechain.charts.plain import Figure, trace
from valuechain.charts.theme import ACCENT, GAIN, GRID, INK, LOSS, MUTED, styled

MARGIN = {"l": 70, "r": 20, "t": 30, "b": 40}
# Three panels, one above the other, sharing the days: records, dead-letter rate, breaches
# (0.45, 0.3 and 0.25 of the height left by two gaps of 0.08). The upper two follow the
# bottom one's days and leave it to label them.
UPPER_DAYS = {"matches": "x3", "showticklabels": False, "type": "category"}
FROM_ZERO = {"gridcolor": GRID, "rangemode": "tozero"}


def health_figure(days: Sequence[Day], max_dead_letter_rate: float) -> Figure:
    labels = [d.day.isoformat() for d in days]
    records = {"xaxis": "x", "yaxis": "y"}
    rate = {"xaxis": "x2", "yaxis": "y2"}
    breaches = {"xaxis": "x3", "yaxis": "y3"}
    figure = Figure(
        trace("bar", name="Valid records", x=labels, y=[d.valid for d in days],
              marker={"color": GAIN}, hovertemplate="%{x}: %{y:,} valid<extra></extra>",
              **records),
        trace("bar", name="Dead letters", x=labels, y=[d.dead_letters for d in days],
              marker={"color": LOSS}, hovertemplate="%{x}: %{y:,} dead-lettered<extra></extra>",
              **records),
        trace(
            "scatter", name="Dead-letter rate", x=labels, mode="lines+markers",
            line={"color": INK}, y=[d.dead_letter_rate for d in days],
            hovertemplate="%{x}: %{y:.1%} dead-lettered<extra></extra>", **rate,
        ),
        trace(
            "scatter", name=f"Healthy at most ({max_dead_letter_rate:.0%})", x=labels,
            mode="lines", y=[max_dead_letter_rate] * len(days),
            line={"color": MUTED, "dash": "dot"}, hoverinfo="skip", **rate,
        ),
        trace("bar", name="Breaches opened", x=labels, y=[d.breaches_opened for d in days],
              marker={"color": ACCENT}, hovertemplate="%{x}: %{y} opened<extra></extra>",
              **breaches),
        trace("bar", name="Breaches resolved", x=labels, y=[d.breaches_resolved for d in days],
              marker={"color": MUTED}, hovertemplate="%{x}: %{y} resolved<extra></extra>",
              **breaches),
    )  # fmt: skip
    return styled(
        figure,
        height=460,
        margin=MARGIN,
        legend_y=1.12,
        barmode="stack",
        xaxis={"anchor": "y", "domain": [0.0, 1.0], **UPPER_DAYS},
        yaxis={"anchor": "x", "domain": [0.622, 1.0], "title": {"text": "Records"}, **FROM_ZERO},
        xaxis2={"anchor": "y2", "domain": [0.0, 1.0], **UPPER_DAYS},
        yaxis2={
            "anchor": "x2",
            "domain": [0.29, 0.542],
            "title": {"text": "Dead-letter rate"},
            "tickformat": ".0%",
            **FROM_ZERO,
        },
        xaxis3={"anchor": "y3", "domain": [0.0, 1.0], "type": "category"},
        yaxis3={"anchor": "x3", "domain": [0.0, 0.21], "title": {"text": "Breaches"}, **FROM_ZERO},
    )
