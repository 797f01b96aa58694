"""The lineage panel's context: the graph and its JSON for the page's script."""

from __future__ import annotations

from typing import Any

from valuechain.lineage.graph import Graph


def panel(graph: Graph) -> dict[str, Any]:
    return {"graph": graph, "data": graph.to_data()}
