"""The lineage graph of an asset, an idea or a page of one tier: the assets of the closure
(DESIGN section 3: an asset, plus, when it is not available, the closure of each input), the
lineage links the closure walks, and which assets are charged. The closure and charge rules
are the engine's (valuechain.engine.chain over mappers.load_closure): never recomputed here.

Laid out in columns by tier, data flowing left to right: tier 4 (acquisition) on the left,
tier 1 (features) on the right, and an idea, when drawn, right of its features.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from valuechain import mappers
from valuechain import models as m
from valuechain.engine import chain

COLUMN_WIDTH = 230
ROW_HEIGHT = 64
# A graph larger than this is unreadable and slow to draw: the tier view pages instead.
MAX_NODES = 300
TIER_PAGE_SIZE = 20
IDEA_COLUMN = 0  # the idea sits right of tier 1


@dataclass(frozen=True)
class Node:
    key: chain.AssetKey | None  # None: the idea
    name: str
    tier: int  # 0: the idea
    available: bool = False
    charged: bool = False
    root: bool = False  # what was asked for: the asset, the idea's needs' assets, the page's

    @property
    def id(self) -> str:
        return "idea" if self.key is None else f"{self.key[0]}-{self.key[1]}"

    @property
    def kind_label(self) -> str:
        return "Idea" if self.key is None else m.AssetType(self.key[0]).label

    @property
    def status(self) -> str:
        if self.key is None:
            return "the idea"
        parts = ["charged" if self.charged else "not charged"]
        parts.append("available" if self.available else "not available")
        return ", ".join(parts)


@dataclass(frozen=True)
class Edge:
    source: Node  # upstream: where the data comes from
    target: Node  # downstream: what is made from it
    label: str = ""


@dataclass
class Graph:
    title: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    truncated: bool = False

    @property
    def charged_count(self) -> int:
        return sum(1 for node in self.nodes if node.charged)

    @property
    def asset_count(self) -> int:
        return sum(1 for node in self.nodes if node.key is not None)

    def to_data(self) -> dict[str, Any]:
        """The graph as the API and the page's script read it (positions included)."""
        places = _asset_urls()
        positions = _layout(self.nodes)
        return {
            "title": self.title,
            "truncated": self.truncated,
            "charged_count": self.charged_count,
            "nodes": [
                {
                    "id": node.id,
                    "asset_type": None if node.key is None else str(node.key[0]),
                    "asset_id": None if node.key is None else node.key[1],
                    "name": node.name,
                    "tier": node.tier or None,
                    "available": node.available,
                    "charged": node.charged,
                    "root": node.root,
                    "url": None if node.key is None else f"{places[node.key[0]]}{node.key[1]}/",
                    "position": positions[node.id],
                }
                for node in self.nodes
            ],
            "edges": [
                {
                    "id": f"{edge.source.id}->{edge.target.id}",
                    "source": edge.source.id,
                    "target": edge.target.id,
                    "label": edge.label,
                }
                for edge in self.edges
            ],
        }


def _asset_urls() -> dict[str, str]:
    return {
        kind: reverse("catalogue-asset", args=[kind, 0]).removesuffix("0/")
        for kind in m.ASSET_MODELS
    }


def _layout(nodes: Sequence[Node]) -> dict[str, dict[str, float]]:
    """Tiers as columns (4 left ... 1 right, the idea rightmost), each column centred."""
    columns: dict[int, list[Node]] = defaultdict(list)
    for node in nodes:
        columns[node.tier].append(node)
    tallest = max((len(column) for column in columns.values()), default=0)
    positions = {}
    for tier, column in columns.items():
        offset = (tallest - len(column)) * ROW_HEIGHT / 2
        x = (4 - tier) * COLUMN_WIDTH if tier else 4 * COLUMN_WIDTH
        for index, node in enumerate(column):
            positions[node.id] = {"x": float(x), "y": float(offset + index * ROW_HEIGHT)}
    return positions


def _build(
    title: str,
    catalogue: chain.Catalogue,
    roots: Iterable[chain.AssetKey],
    limit: int = MAX_NODES,
) -> tuple[Graph, dict[chain.AssetKey, Node]]:
    roots = list(dict.fromkeys(roots))
    reach: set[chain.AssetKey] = set()
    truncated = False
    for root in roots:
        found = chain.closure(catalogue, root)
        if reach and len(reach | found) > limit:
            truncated = True
            break
        reach |= found
    root_set = set(roots)
    charged = chain.charged(catalogue, reach)
    ordered = sorted(reach, key=lambda key: (key[0].tier, catalogue[key].name.lower(), key[1]))
    nodes = {
        key: Node(
            key=key,
            name=catalogue[key].name,
            tier=key[0].tier,
            available=catalogue[key].available,
            charged=key in charged,
            root=key in root_set,
        )
        for key in ordered
    }
    edges = [
        Edge(nodes[upstream], nodes[key])
        for key in ordered
        if chain.walks_upstream(catalogue[key])
        for upstream in catalogue[key].upstream
        if upstream in nodes
    ]
    graph = Graph(title=title, nodes=list(nodes.values()), edges=edges, truncated=truncated)
    return graph, nodes


def asset_graph(asset_type: str, asset_id: int) -> Graph | None:
    """The asset's closure; None when there is no such asset."""
    key = (chain.AssetKind(asset_type), asset_id)
    catalogue = mappers.load_closure([key])
    if key not in catalogue:
        return None
    graph, _ = _build(f"Lineage of {catalogue[key].name}", catalogue, [key])
    return graph


def idea_graph(idea: m.Idea) -> Graph:
    """The union of the idea's needs' closures, each need an edge from its asset to the idea.
    The needs are the idea's own when it was read with them (as its page reads it)."""
    keyed: list[tuple[str, chain.AssetKey]] = []
    for need in sorted(idea.needs.all(), key=lambda need: need.pk):
        for kind in m.Need.ASSET_FIELDS:
            pk = getattr(need, f"{kind}_id")
            if pk is not None:
                keyed.append((need.name, (chain.AssetKind(kind), pk)))
    catalogue = mappers.load_closure([key for _, key in keyed])
    graph, nodes = _build(f"Lineage of {idea.title}", catalogue, [key for _, key in keyed])
    if keyed:
        idea_node = Node(key=None, name=idea.title, tier=IDEA_COLUMN, root=True)
        graph.nodes.append(idea_node)
        labels: dict[chain.AssetKey, list[str]] = defaultdict(list)
        for name, key in keyed:
            labels[key].append(name)
        graph.edges.extend(
            Edge(nodes[key], idea_node, ", ".join(names))
            for key, names in labels.items()
            if key in nodes
        )
    return graph


@dataclass(frozen=True)
class TierPage:
    graph: Graph
    tier: int
    number: int
    num_pages: int
    count: int


def tier_graph(tier: int, page: int = 1) -> TierPage:
    """One page of a tier's assets (by name) with their closures: bounded, however large the
    catalogue; the page says when a closure was cut at MAX_NODES."""
    model = m.ASSET_MODELS[str(chain.AssetKind(_KIND_OF_TIER[tier]))]
    rows = model._default_manager.order_by("name", "pk")
    count = rows.count()
    num_pages = max(1, -(-count // TIER_PAGE_SIZE))
    number = min(max(page, 1), num_pages)
    start = (number - 1) * TIER_PAGE_SIZE
    ids = list(rows.values_list("pk", flat=True)[start : start + TIER_PAGE_SIZE])
    kind = chain.AssetKind(_KIND_OF_TIER[tier])
    keys = [(kind, pk) for pk in ids]
    catalogue = mappers.load_closure(keys)
    label = m.Tier(tier).label
    graph, _ = _build(f"Tier {tier}: {label}, page {number} of {num_pages}", catalogue, keys)
    return TierPage(graph, tier, number, num_pages, count)


_KIND_OF_TIER = {
    1: m.AssetType.FEATURE,
    2: m.AssetType.CURATED_DATASET,
    3: m.AssetType.RAW_SOURCE,
    4: m.AssetType.ACQUISITION_OPTION,
}
