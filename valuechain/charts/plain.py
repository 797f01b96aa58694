"""Figures as the plain JSON that plotly.js draws, written as dicts.

plotly.py's graph objects validate every property each time one is set: building and
serialising the four-step ladder chart that way cost about 150 ms, more than the rest of its
page. The figures of the app are the same JSON written directly. Property names are not
checked here, so the chart tests hand every figure to plotly's validator: a misspelt
property still fails a test, never a page.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import numpy as np

Json = dict[str, Any]


# plotly.js reads no 64-bit integers: plotly.py writes whole numbers in the smallest of these
# that holds them (and as a plain list beyond them).
_WHOLE_NUMBER_TYPES = ("i1", "i2", "i4")


def typed_array(values: Iterable[float]) -> Json | list[Any]:
    """Numbers as plotly's typed-array form (little-endian, base64), exactly as plotly.py
    writes a numpy array of them: decimals as float64 ("f8"), whole numbers as the smallest
    integer type that holds them ("i1", "i2", "i4"). A third the size of a list of decimals
    on a large scatter."""
    data = np.asarray(list(values))
    if data.size == 0 or data.dtype.kind not in "if":
        return data.tolist()  # plotly.py writes these as a list too
    if data.dtype.kind == "f":
        return _encoded(data, "f8")
    for dtype in _WHOLE_NUMBER_TYPES:
        limits = np.iinfo(dtype)
        if limits.min <= data.min() and data.max() <= limits.max:
            return _encoded(data, dtype)
    return data.tolist()


def _encoded(data: np.ndarray[Any, Any], dtype: str) -> Json:
    raw = data.astype(f"<{dtype}").tobytes()
    return {"dtype": dtype, "bdata": base64.b64encode(raw).decode("ascii")}


def trace(kind: str, **properties: Any) -> Json:
    """One trace (`kind` is plotly's trace type: "bar", "scatter", "heatmap"...)."""
    return {"type": kind, **properties}


def merge(into: dict[str, Any], update: Mapping[str, Any]) -> None:
    """Set `update` on `into`, merging nested objects as plotly's update_layout does (an axis
    given twice keeps the properties of both)."""
    for key, value in update.items():
        if isinstance(value, Mapping):
            current = into.get(key)
            if not isinstance(current, dict):
                # a copy: a figure never holds a caller's dict (a module's margins, say)
                current = into[key] = {}
            merge(current, value)
        else:
            into[key] = value


@cache
def _default_template() -> Json:
    # Read once per process: plotly's default look (fonts, axis and hover styles), which every
    # chart has always been drawn with.
    import plotly.io as pio

    template: Json = pio.templates[pio.templates.default].to_plotly_json()
    return template


def default_template() -> Json:
    """A copy of plotly's default template, as plotly.py puts in every figure's layout."""
    return copy.deepcopy(_default_template())


class Figure:
    """Traces and a layout, with the few plotly.py methods the charts use."""

    def __init__(self, *traces: Json) -> None:
        self.data: list[Json] = list(traces)
        self.layout: Json = {}

    def add_trace(self, item: Json) -> Figure:
        self.data.append(item)
        return self

    def add_shape(self, **shape: Any) -> Figure:
        self.layout.setdefault("shapes", []).append(shape)
        return self

    def add_annotation(self, **annotation: Any) -> Figure:
        self.layout.setdefault("annotations", []).append(annotation)
        return self

    def add_hline(self, y: float, **shape: Any) -> Figure:
        """A horizontal line across the whole plot at `y` (as plotly.py's add_hline)."""
        return self.add_shape(
            type="line", xref="x domain", x0=0, x1=1, yref="y", y0=y, y1=y, **shape
        )

    def add_vline(self, x: float, **shape: Any) -> Figure:
        """A vertical line across the whole plot at `x` (as plotly.py's add_vline)."""
        return self.add_shape(
            type="line", xref="x", x0=x, x1=x, yref="y domain", y0=0, y1=1, **shape
        )

    def update_layout(self, **layout: Any) -> Figure:
        merge(self.layout, layout)
        return self

    def to_plotly_json(self) -> Json:
        """The figure as plotly.py would write it, its default template included."""
        return {"data": self.data, "layout": {"template": default_template(), **self.layout}}
