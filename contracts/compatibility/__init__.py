"""JSON Schema diff and compatibility modes (draft-07, 2019-09, 2020-12). Pure Python, no Django.

Every change is classified by what it does to the set of instances the schema accepts
(changes.py): it *narrows* it, *widens* it, or both. A mode (modes.py) says which direction
breaks which readers and which earlier versions a candidate is judged against (check.py).

Content models: an object whose ``additionalProperties`` is absent or ``true`` is *open*
(old data may carry any extra property), ``false`` is *closed*, and a schema (or
``patternProperties``) makes it *partially open*. A property added to or removed from an
object is judged against the schema that governed that name on the other side, so adding
a property to an open model narrows (old data may have had it with any value), adding it to
a closed model widens (old readers reject it), and adding it to a partially open model is
safe when its schema matches the one that covered it.

The keyword diff says what changed; a sound prover (proof*.py) settles whether it can break:
"compatible" only when every document valid under one version is valid under the other,
else breaking with an example document (witness.py) or flagged undecided.

The rooms: schema.py (validation, pointers), dialects.py ($schema and the internal form),
regexes.py (RE2), walk.py (the schema walk), scalars.py and containers.py (the diff rules per
keyword), proof.py, proof_sets.py, proof_values.py, proof_objects.py, proof_rules.py (the
prover), examples.py and witness.py (example documents), judge.py (the two together),
semver.py (versions and bumps). This module is the facade the rest of the project imports.
"""

from contracts.compatibility.changes import Change, ChangeType
from contracts.compatibility.check import CompatibilityResult, VersionCheck, check_compatibility
from contracts.compatibility.judge import diff_schemas
from contracts.compatibility.modes import Mode, UnknownModeError, parse_mode
from contracts.compatibility.regexes import UnsupportedPatternError
from contracts.compatibility.schema import (
    InvalidSchemaError,
    JsonSchema,
    SchemaTooComplexError,
    resolve_pointer,
    validate_schema,
)
from contracts.compatibility.semver import bump_level, parse_version, suggest_next_version
from contracts.compatibility.walk import MAX_COMPARISONS

__all__ = [
    "MAX_COMPARISONS",
    "Change",
    "ChangeType",
    "CompatibilityResult",
    "InvalidSchemaError",
    "JsonSchema",
    "Mode",
    "SchemaTooComplexError",
    "UnknownModeError",
    "UnsupportedPatternError",
    "VersionCheck",
    "bump_level",
    "check_compatibility",
    "diff_schemas",
    "parse_mode",
    "parse_version",
    "resolve_pointer",
    "suggest_next_version",
    "validate_schema",
]
