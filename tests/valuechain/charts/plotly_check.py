"""The charts write plotly's JSON by hand (valuechain.charts.plain): these checks hand each
figure to plotly.py's own validator, so a misspelt or misplaced property fails a test."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import numpy as np
import plotly.graph_objects as go


def assert_plotly_accepts(figure: dict[str, Any]) -> None:
    """plotly.py accepts every property of the figure and writes it back unchanged (so
    plotly.js draws exactly what the app sent)."""
    validated = json.loads(go.Figure(figure).to_json())  # raises on an unknown property
    assert validated == json.loads(json.dumps(figure))


def page_figure(html: str, script_id: str) -> dict[str, Any]:
    """The figure a page hands plotly.js in its `json_script` of that id."""
    match = re.search(
        rf'<script id="{script_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, f"no figure {script_id}"
    figure: dict[str, Any] = json.loads(match.group(1))
    return figure


def numbers(array: Any) -> list[Any]:
    """The values of a data array, a typed array (base64, as plotly.js reads it) decoded."""
    if isinstance(array, dict):
        raw = base64.b64decode(array["bdata"])
        return list(np.frombuffer(raw, dtype=f"<{array['dtype']}").tolist())
    return list(array)
