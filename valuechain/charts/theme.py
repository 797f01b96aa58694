"""What every figure shares: the colours of the pages, the grid, the layout, and the plain
JSON handed to plotly.js (rendered client side from the local copy) through `json_script`."""

from __future__ import annotations

from typing import Any

from django.utils.html import json_script
from django.utils.safestring import SafeString

from valuechain.charts.plain import Figure
from valuechain.platform.jsonsafe import finite

GAIN = "#1b7f46"
LOSS = "#b42318"
ACCENT = "#2356c7"
INK = "#1d2433"
GRID = "#eef1f5"
BACKGROUND = "#fff"
MUTED = "#8a93a6"
# The tier colours of the pages (static/css/app.css --t1..--t4).
TIER_COLOURS = {1: "#2f9e6f", 2: "#3b82c4", 3: "#d08a1e", 4: "#c2410c"}


# What plotly reads as markup in a label, a tick or hover text: tags (<a href> makes a live
# link, <b>, <br>...) and entities.
_MARKUP = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def inert(text: object) -> str:
    """A user's string (an asset name, an idea title) as plotly shows it: literally, as text.

    Plotly renders a small HTML subset in labels and hover text (a name such as
    ``<a href="https://...">`` would become a live link inside the chart); escaping its markup
    characters makes it show exactly what the user typed, and nothing more."""
    return str(text).translate(_MARKUP)


def figure_script(figure: Figure, element_id: str) -> SafeString:
    """The figure as the page's JSON script element (Django's json_script), encoded once: a
    page caches this text, which costs nothing to read back, rather than the figure's
    objects, which a large chart (the dashboard's scatter of every idea) would have to
    encode again on every view."""
    return json_script(figure_json(figure), element_id)


def figure_json(figure: Figure) -> dict[str, Any]:
    """Plain JSON-ready data for `json_script`; a non-finite number is null (json_script
    would otherwise write NaN or Infinity, which is not JSON)."""
    data: dict[str, Any] = finite(figure.to_plotly_json())
    return data


def styled(
    figure: Figure,
    *,
    height: int,
    margin: dict[str, int],
    legend_y: float,
    **extra: Any,
) -> Figure:
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
