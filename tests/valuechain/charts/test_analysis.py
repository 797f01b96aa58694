"""The analysis figures show what the numbers say: losses red, widest swings on top."""

from __future__ import annotations

from tests.valuechain.charts.plotly_check import assert_plotly_accepts
from valuechain.charts import analysis as charts
from valuechain.charts.theme import GAIN, LOSS, figure_json
from valuechain.engine.chain import Estimate, Idea
from valuechain.engine.tornado import tornado


def test_histogram_marks_losses_red_and_gains_green_and_shares_sum_to_one():
    dist = {
        "mean": 1.0,
        "p10": -15.0,
        "p50": 2.0,
        "p90": 8.0,
        "histogram": {"edges": [-20.0, -10.0, 0.0, 10.0], "counts": [1, 1, 2]},
    }
    figure = figure_json(charts.npv_histogram(dist))
    bars = figure["data"][0]
    assert bars["marker"]["color"] == [LOSS, LOSS, GAIN]
    assert bars["y"] == [0.25, 0.25, 0.5]
    lines = {shape["x0"] for shape in figure["layout"]["shapes"]}
    assert lines == {1.0, -15.0, 2.0, 8.0}
    labels = {note["x"]: note["text"] for note in figure["layout"]["annotations"]}
    assert labels == {-15.0: "P10", 2.0: "P50", 8.0: "P90", 1.0: "mean"}
    assert_plotly_accepts(figure)


def test_tornado_puts_the_widest_swing_on_top_and_starts_bars_at_the_base():
    idea = Idea(id=1, benefit=Estimate(0, 10_000, 100_000), probability=0.6)
    result = tornado(idea, {})
    figure = figure_json(charts.tornado_figure(result))
    data = figure["data"]
    assert data[0]["y"][-1] == result.bars[0].input
    assert data[0]["base"] == result.base_npv
    assert_plotly_accepts(figure)


def test_frontier_marks_the_chosen_selection():
    points = [{"budget": 0, "npv": 0, "selected": []}, {"budget": 10, "npv": 5, "selected": [1]}]
    figure = figure_json(charts.frontier_figure(points, {"one_off_investment": 8, "total_npv": 5}))
    assert_plotly_accepts(figure)
    data = figure["data"]
    # The selection spends 8 for NPV 5: the point at 10 for the same NPV is no frontier point,
    # and the star lies on the line.
    assert data[0]["x"] == [0, 8] and data[0]["y"] == [0, 5]
    assert data[1]["name"] == "This selection" and data[1]["x"] == [8]


def test_the_star_lies_on_the_frontier_even_between_budget_steps():
    # Budget steps found selections spending 0 and 6; the run's budget of 9 bought one that
    # spends 8 for more NPV than the step at 6: the line passes through it.
    points = [
        {"budget": 0, "npv": 0, "one_off_investment": 0, "selected": []},
        {"budget": 6, "npv": 3, "one_off_investment": 6, "selected": [1]},
        {"budget": 12, "npv": 7, "one_off_investment": 12, "selected": [1, 2]},
    ]
    chosen = {"one_off_investment": 8, "total_npv": 5, "budget": 9, "selected": [2]}
    data = figure_json(charts.frontier_figure(points, chosen))["data"]
    line = dict(zip(data[0]["x"], data[0]["y"], strict=True))
    assert line == {0: 0, 6: 3, 8: 5, 12: 7}
    assert line[data[1]["x"][0]] == data[1]["y"][0]


def test_the_matrix_draws_the_value_line_and_the_median_investment_with_their_labels():
    scores = [
        {"idea_id": 1, "title": "Churn", "quadrant": "quick win", "one_off_investment": 100.0,
         "npv": 50.0},
        {"idea_id": 2, "title": "Fraud", "quadrant": "money pit", "one_off_investment": 300.0,
         "npv": -20.0},
    ]  # fmt: skip
    figure = figure_json(charts.value_investment_figure(scores, selected=[1]))
    assert [trace["name"] for trace in figure["data"]] == ["quick win", "money pit"]
    assert figure["data"][0]["marker"]["size"] == [14]  # the selected idea stands out
    texts = [note["text"] for note in figure["layout"]["annotations"]]
    assert texts == ["NPV = 0", "median investment 200"]
    assert_plotly_accepts(figure)
