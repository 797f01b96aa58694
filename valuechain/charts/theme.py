"""What every figure shares: the colours of the pages, the grid, the layout, and the plain
JSON handed to plotly.js (rendered client side from the local copy) through `json_script`."""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go

GAIN = "#1b7f46"
LOSS = "#b42318"
ACCENT = "#2356c7"
INK = "#1d2433"
GRID = "#eef1f5"
BACKGROUND = "#fff"
MUTED = "#8a93a6"
# The tier colours of the pages (static/css/app.css --t1..--t4).
TIER_COLOURS = {1: "#2f9e6f", 2: "#3b82c4", 3: "#d08a1e", 4: "#c2410c"}


def figure_json(figure: go.Figure) -> dict[str, Any]:
    """Plain JSON-ready data (numpy arrays encoded) for `json_script`."""
    data: dict[str, Any] = json.loads(figure.to_json())
    return data


def styled(
    figure: go.Figure,
    *,
    height: int,
    margin: dict[str, int],
    legend_y: float,
    **extra: Any,
) -> go.Figure:
    """The figure on a white page with a horizontal legend above it; `extra` sets the rest
    of the layout (axes, bars, shapes)."""
    layout: dict[str, Any] = {
        "margin": margin,
        "height": height,
        "paper_bgcolor": BACKGROUND,
        "plot_bgcolor": BACKGROUND,
        "legend": {"orientation": "h", "y": legend_y, "x": 0},
    }
    layout.update(extra)
    figure.update_layout(**layout)
    return figure
