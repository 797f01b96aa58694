"""The plain figure builder against plotly.py: the same JSON for the same figure."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from tests.valuechain.charts.plotly_check import assert_plotly_accepts, numbers
from valuechain.charts.plain import Figure, trace, typed_array
from valuechain.charts.theme import figure_json


def test_a_figure_is_the_json_plotly_writes_for_the_same_calls():
    values = [1.5, -2.0, 3.25]
    plain = Figure(trace("bar", name="n", x=["a", "b", "c"], y=values, marker={"color": "#111"}))
    plain.add_trace(trace("scatter", x=typed_array(values), y=[1, 2, 3], yaxis="y2"))
    plain.add_hline(y=0, line={"color": "#b42318", "dash": "dot"})
    plain.add_annotation(text="note", x=0, y=1, showarrow=False)
    plain.update_layout(xaxis={"title": {"text": "x"}}, height=300)
    plain.update_layout(xaxis={"type": "category"})  # merged into the axis, as plotly does

    graph = go.Figure(go.Bar(name="n", x=["a", "b", "c"], y=values, marker_color="#111"))
    graph.add_trace(go.Scatter(x=np.array(values), y=[1, 2, 3], yaxis="y2"))
    graph.add_hline(y=0, line={"color": "#b42318", "dash": "dot"})
    graph.add_annotation(text="note", x=0, y=1, showarrow=False)
    graph.update_layout(xaxis={"title": {"text": "x"}}, height=300)
    graph.update_layout(xaxis={"type": "category"})

    assert figure_json(plain) == figure_json(graph)
    assert_plotly_accepts(figure_json(plain))


def test_a_misspelt_property_fails_the_check():
    figure = figure_json(Figure(trace("bar", x=[1], y=[2], markercolor="#111")))
    with pytest.raises(ValueError, match="markercolor"):
        assert_plotly_accepts(figure)


def test_a_non_finite_number_is_written_as_null():
    figure = figure_json(Figure(trace("scatter", x=[1, 2], y=[float("nan"), float("inf")])))
    assert figure["data"][0]["y"] == [None, None]
    json.dumps(figure, allow_nan=False)


def test_figures_do_not_share_their_template():
    first, second = figure_json(Figure()), figure_json(Figure())
    first["layout"]["template"]["layout"]["font"] = {"color": "red"}
    assert second["layout"]["template"]["layout"]["font"] != {"color": "red"}


@pytest.mark.parametrize(
    "values",
    [[1.5, -2.0, 3.25], [1, 2.5], [10, -5], [300, 0], [100_000, -7], [2**40], []],
    ids=["decimals", "mixed", "small whole", "i2", "i4", "beyond i4", "empty"],
)
def test_typed_arrays_are_what_plotly_writes_for_a_numpy_array(values):
    written = json.loads(go.Figure(go.Scatter(x=np.array(values))).to_json())["data"][0]["x"]
    assert typed_array(values) == written
    assert numbers(typed_array(values)) == values
