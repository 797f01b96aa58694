"""The contract page's health-over-time figure: records per day (valid and dead-lettered),
the dead-letter rate against the healthy threshold, and SLA breaches opened and resolved."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from contracts.monitoring.history import Day
from valuechain.charts.theme import ACCENT, GAIN, GRID, INK, LOSS, MUTED, styled

MARGIN = {"l": 70, "r": 20, "t": 30, "b": 40}


def health_figure(days: Sequence[Day], max_dead_letter_rate: float) -> go.Figure:
    labels = [d.day.isoformat() for d in days]
    figure = make_subplots(
        rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.45, 0.3, 0.25]
    )
    figure.add_trace(
        go.Bar(name="Valid records", x=labels, y=[d.valid for d in days], marker_color=GAIN,
               hovertemplate="%{x}: %{y:,} valid<extra></extra>"),
        row=1, col=1,
    )  # fmt: skip
    figure.add_trace(
        go.Bar(name="Dead letters", x=labels, y=[d.dead_letters for d in days],
               marker_color=LOSS, hovertemplate="%{x}: %{y:,} dead-lettered<extra></extra>"),
        row=1, col=1,
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            name="Dead-letter rate", x=labels, mode="lines+markers", line={"color": INK},
            y=[d.dead_letter_rate for d in days],
            hovertemplate="%{x}: %{y:.1%} dead-lettered<extra></extra>",
        ),
        row=2, col=1,
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            name=f"Healthy at most ({max_dead_letter_rate:.0%})", x=labels, mode="lines",
            y=[max_dead_letter_rate] * len(days), line={"color": MUTED, "dash": "dot"},
            hoverinfo="skip",
        ),
        row=2, col=1,
    )  # fmt: skip
    figure.add_trace(
        go.Bar(name="Breaches opened", x=labels, y=[d.breaches_opened for d in days],
               marker_color=ACCENT, hovertemplate="%{x}: %{y} opened<extra></extra>"),
        row=3, col=1,
    )  # fmt: skip
    figure.add_trace(
        go.Bar(name="Breaches resolved", x=labels, y=[d.breaches_resolved for d in days],
               marker_color=MUTED, hovertemplate="%{x}: %{y} resolved<extra></extra>"),
        row=3, col=1,
    )  # fmt: skip
    figure = styled(figure, height=460, margin=MARGIN, legend_y=1.12, barmode="stack")
    figure.update_yaxes(title_text="Records", row=1, col=1, gridcolor=GRID, rangemode="tozero")
    figure.update_yaxes(
        title_text="Dead-letter rate", tickformat=".0%", row=2, col=1, gridcolor=GRID,
        rangemode="tozero",
    )  # fmt: skip
    figure.update_yaxes(title_text="Breaches", row=3, col=1, gridcolor=GRID, rangemode="tozero")
    figure.update_xaxes(type="category")
    return figure
