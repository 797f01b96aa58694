"""ODCS v3 (Open Data Contract Standard) import and export. Pure Python, no Django.

reading.py: bounded, alias-free YAML -> strict validation against the standard's JSON Schema
and the ``open-data-contract-standard`` model -> a :class:`ContractData` (model.py).
mapping.py: ``schema`` objects and properties <-> a draft 2020-12 JSON Schema.
terms.py: ``slaProperties``, ``quality`` rules, ``team`` and ``roles`` <-> the SLA, the
missing-value thresholds, owner, producer team and consumers.
writing.py: ContractData -> ODCS YAML, keeping every unmapped part verbatim, so import ->
export -> import gives the same contract.

This module is the facade the rest of the project imports.
"""

from contracts.odcs.mapping import json_schema_to_schema, schema_to_json_schema, walk_properties
from contracts.odcs.model import (
    JSON_SCHEMA_DIALECT,
    MAX_DOCUMENT_BYTES,
    MISSING_METRICS,
    X_OBJECTS,
    X_ODCS,
    ContractData,
    OdcsError,
)
from contracts.odcs.reading import (
    ODCS_SCHEMA_FILE,
    SCHEMA_DIR,
    from_document,
    load_yaml,
    parse,
    validate_document,
)
from contracts.odcs.terms import thresholds_from_schema
from contracts.odcs.writing import contract_from_fields, dump, to_document

__all__ = [
    "JSON_SCHEMA_DIALECT",
    "MAX_DOCUMENT_BYTES",
    "MISSING_METRICS",
    "ODCS_SCHEMA_FILE",
    "SCHEMA_DIR",
    "X_OBJECTS",
    "X_ODCS",
    "ContractData",
    "OdcsError",
    "contract_from_fields",
    "dump",
    "from_document",
    "json_schema_to_schema",
    "load_yaml",
    "parse",
    "schema_to_json_schema",
    "thresholds_from_schema",
    "to_document",
    "validate_document",
    "walk_properties",
]
