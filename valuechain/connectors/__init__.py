"""Connectors: catalogue metadata read from the systems that already hold it.

Each source is one pure parser (a file or event -> `records.Import`): dbt.py, feast.py,
openlineage.py. sync.py is the one service that diffs an import against the catalogue and
applies it; adding a connector means writing one new parser.
"""
