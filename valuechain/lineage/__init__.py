"""Lineage you can see: an asset's or an idea's upstream closure as a graph, tiers as columns."""
