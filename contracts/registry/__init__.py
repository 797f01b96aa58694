"""The contract registry: contracts, their immutable versions and their consumers.

selectors.py reads, services.py writes (every write goes through it), terms.py reports what a
new version changes beyond its schema, diffs.py lays a schema diff out field by field, views.py
and forms.py are the pages.
"""
