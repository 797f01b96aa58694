"""The charts write plotly's JSON by hand (valuechain.charts.plain): these checks hand each
figure to plotly.py's own validator, so a misspelt or misplaced property fails a test."""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go


def assert_plotly_accepts(figure: dict[str, Any]) -> None:
    """plotly.py accepts every property of the figure and writes it back unchanged (so
    plotly.js draws exactly what the app sent)."""
    validated = json.loads(go.Figure(figure).to_json())  # raises on an unknown property
    assert validated == json.loads(json.dumps(figure))
