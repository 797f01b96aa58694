"""Roadmap figures: a timeline (Gantt) by idea and by asset, the cash flow, and the people
needed against capacity as a heat map. Bars with a base draw the timeline, so the figures use
only the cartesian traces (bar, scatter, heatmap) of the vendored plotly bundle."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from valuechain.charts.plain import Figure, trace
from valuechain.charts.theme import (
    ACCENT,
    GAIN,
    GRID,
    INK,
    LOSS,
    MUTED,
    TIER_COLOURS,
    inert,
    styled,
)

MARGIN = {"l": 180, "r": 30, "t": 30, "b": 50}
KIND_TIER = {"feature": 1, "curated_dataset": 2, "raw_source": 3, "acquisition_option": 4}


def _axis(quarters: list[str]) -> dict[str, Any]:
    return {
        "tickmode": "array",
        "tickvals": list(range(len(quarters))),
        "ticktext": quarters,
        "gridcolor": GRID,
        "title": {"text": "Quarter"},
    }


def _spans(roadmap: Mapping[str, Any], key: Any) -> dict[Any, tuple[int, int]]:
    """First and last quarter (positions) of the work of each thing `key` names."""
    index = {q: n for n, q in enumerate(roadmap["quarters"])}
    spans: dict[Any, list[int]] = defaultdict(list)
    for item in roadmap["items"]:
        name = key(item)
        if name is not None:
            spans[name].append(index[item["quarter"]])
    return {name: (min(qs), max(qs)) for name, qs in spans.items()}


def timeline_by_idea(roadmap: Mapping[str, Any]) -> Figure:
    """Each idea's own work, then the quarters it earns in (from value_from on)."""
    quarters = roadmap["quarters"]
    index = {q: n for n, q in enumerate(quarters)}
    work = _spans(roadmap, lambda i: i["idea"] if i["kind"] == "idea" else None)
    ideas = [i for i in roadmap["ideas"] if i["idea"] in work]
    names = [inert(i["title"] or f"Idea {i['idea']}") for i in ideas]
    figure = Figure()
    figure.add_trace(
        trace(
            "bar",
            name="Work (engineering, deployment)",
            orientation="h",
            y=names,
            base=[work[i["idea"]][0] - 0.45 for i in ideas],
            x=[work[i["idea"]][1] - work[i["idea"]][0] + 0.9 for i in ideas],
            marker={"color": ACCENT},
            hovertemplate="%{y}: work<extra></extra>",
        )
    )
    earning = [i for i in ideas if i["value_from"] in index]
    figure.add_trace(
        trace(
            "bar",
            name="Earning (time to value reached)",
            orientation="h",
            y=[inert(i["title"] or f"Idea {i['idea']}") for i in earning],
            base=[index[i["value_from"]] - 0.45 for i in earning],
            x=[len(quarters) - index[i["value_from"]] for i in earning],
            marker={"color": GAIN},
            opacity=0.5,
            hovertemplate="%{y}: earning<extra></extra>",
        )
    )
    return styled(
        figure,
        height=max(240, 28 * len(ideas) + 100),
        margin=MARGIN,
        legend_y=1.1,
        barmode="overlay",
        xaxis={**_axis(quarters), "range": [-0.5, len(quarters) - 0.5]},
        yaxis={"autorange": "reversed"},
    )


def timeline_by_asset(roadmap: Mapping[str, Any]) -> Figure:
    """When each charged asset is built, coloured by tier (upstream first)."""
    quarters = roadmap["quarters"]
    spans = _spans(
        roadmap, lambda i: (i["asset_type"], i["asset_id"]) if i["kind"] == "asset" else None
    )
    assets = [a for a in roadmap["assets"] if (a["asset_type"], a["asset_id"]) in spans]
    figure = Figure()
    for kind, tier in sorted(KIND_TIER.items(), key=lambda pair: -pair[1]):
        mine = [a for a in assets if a["asset_type"] == kind]
        if not mine:
            continue
        keys = [(a["asset_type"], a["asset_id"]) for a in mine]
        figure.add_trace(
            trace(
                "bar",
                name=kind.replace("_", " "),
                orientation="h",
                y=[inert(a["name"]) for a in mine],
                base=[spans[k][0] - 0.45 for k in keys],
                x=[spans[k][1] - spans[k][0] + 0.9 for k in keys],
                marker={"color": TIER_COLOURS[tier]},
                hovertemplate="%{y}<extra></extra>",
            )
        )
    return styled(
        figure,
        height=max(240, 28 * len(assets) + 100),
        margin=MARGIN,
        legend_y=1.1,
        barmode="overlay",
        xaxis={**_axis(quarters), "range": [-0.5, len(quarters) - 0.5]},
        yaxis={"autorange": "reversed"},
    )


def cash_flow(roadmap: Mapping[str, Any], currency: str) -> Figure:
    """Per quarter: spend (one-off and run) below zero, benefit above, and the cumulative cash."""
    rows = roadmap["cash"]
    x = [r["quarter"] for r in rows]
    figure = Figure(
        trace(
            "bar",
            name="One-off spend",
            x=x,
            y=[-r["one_off"] for r in rows],
            marker={"color": LOSS},
        ),
        trace("bar", name="Run cost", x=x, y=[-r["run"] for r in rows], marker={"color": MUTED}),
        trace(
            "bar",
            name="Expected benefit",
            x=x,
            y=[r["benefit"] for r in rows],
            marker={"color": GAIN},
        ),
        trace(
            "scatter",
            name="Cumulative cash",
            x=x,
            y=[r["cumulative"] for r in rows],
            mode="lines+markers",
            line={"color": INK},
        ),
        trace(
            "scatter",
            name="Cumulative discounted",
            x=x,
            y=[r["cumulative_discounted"] for r in rows],
            mode="lines",
            line={"color": ACCENT, "dash": "dash"},
        ),
    )
    return styled(
        figure,
        height=380,
        margin={"l": 80, "r": 30, "t": 30, "b": 60},
        legend_y=1.15,
        barmode="relative",
        yaxis={"title": {"text": currency}, "gridcolor": GRID, "tickformat": ",.0f"},
    )


def capacity_heatmap(roadmap: Mapping[str, Any]) -> Figure:
    """Share of each role's capacity the plan uses per quarter (above 100 %: overload)."""
    quarters = roadmap["quarters"]
    roles: dict[str, dict[str, float]] = defaultdict(dict)
    for row in roadmap["people"]:
        share = (
            row["needed"] / row["capacity"] if row["capacity"] else (1.0 if row["needed"] else 0)
        )
        roles[inert(row["role_name"])][row["quarter"]] = share * 100
    names = sorted(roles)
    figure = Figure(
        trace(
            "heatmap",
            x=quarters,
            y=names,
            z=[[roles[n].get(q, 0.0) for q in quarters] for n in names],
            zmin=0,
            zmax=120,
            colorscale=[[0, "#f5f7fb"], [0.5, "#9ec5f0"], [0.83, ACCENT], [1, LOSS]],
            colorbar={"title": {"text": "% used"}},
            hovertemplate="%{y} in %{x}: %{z:.0f} % of capacity<extra></extra>",
        )
    )
    return styled(figure, height=max(220, 36 * len(names) + 100), margin=MARGIN, legend_y=1.1)
