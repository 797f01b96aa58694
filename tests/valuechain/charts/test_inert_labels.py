"""A user's string in a chart is shown as typed: plotly never turns it into a link or markup."""

from __future__ import annotations

import math

from tests.valuechain.charts.plotly_check import assert_plotly_accepts
from tests.valuechain.dashboard.test_dashboard import facts, report
from valuechain.charts import analysis as analysis_charts
from valuechain.charts import dashboard as charts
from valuechain.charts.plain import Figure, trace
from valuechain.charts.theme import figure_json, inert
from valuechain.dashboard import summary as d
from valuechain.engine.tornado import Tornado, TornadoBar

LINK = '<a href="https://evil.example/login">Churn features</a>'


def test_inert_escapes_the_markup_plotly_renders_and_keeps_plain_text():
    assert inert(LINK) == '&lt;a href="https://evil.example/login"&gt;Churn features&lt;/a&gt;'
    assert inert("Fraud & churn <b>") == "Fraud &amp; churn &lt;b&gt;"
    assert inert("https://plain.example") == "https://plain.example"
    assert inert("Plain name") == "Plain name"


def test_an_idea_titled_with_a_link_is_text_in_the_value_investment_chart():
    rows = d.rows([facts(1, LINK)], {1: report(1, 500.0)})
    data = figure_json(charts.value_investment_figure(rows))
    texts = [text for trace in data["data"] for text in trace.get("text", [])]
    assert texts == [inert(LINK)]
    assert "<a href" not in str(data)
    assert_plotly_accepts(data)


def test_an_asset_named_with_a_link_is_text_on_the_tornado_axis():
    tornado = Tornado(base_npv=100.0, bars=(TornadoBar(f"Feasibility: {LINK}", 0.1, 0.9, 50, 150),))
    data = figure_json(analysis_charts.tornado_figure(tornado))
    assert "<a href" not in str(data)
    assert any(inert(LINK) in str(trace.get("y")) for trace in data["data"])
    assert_plotly_accepts(data)


def test_chart_json_writes_a_non_finite_number_as_null():
    figure = Figure(trace("bar", x=[1, 2, 3], y=[1.0, math.inf, math.nan]))
    data = figure_json(figure)
    assert data["data"][0]["y"] == [1.0, None, None]
