"""jsonschema's Draft 2020-12 validator, made safe for schemas users write. Pure Python, no Django.

* ``pattern``, ``patternProperties`` and the property matching of ``additionalProperties`` and
  ``unevaluatedProperties`` use the linear-time RE2 engine (contracts.schema_safety) instead of
  Python's backtracking ``re``: no record can make a pattern run for seconds. A pattern RE2
  cannot run (only in versions published before such patterns were refused) fails the record
  with a message saying so, never falls back to ``re``.
* References resolve inside the schema only: the registry refuses to retrieve anything, so a
  ``$ref`` to a file or a URL is never fetched.

Messages are jsonschema's own, so errors read as they always did.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema._utils import extras_msg  # type: ignore[attr-defined]
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

from contracts.schema_safety import UnsafePatternError, refusing_registry, search

Errors = Iterator[ValidationError]


def _matches(pattern: str, text: str) -> bool | str:
    """True/False, or the reason the pattern cannot be run."""
    try:
        return search(pattern, text)
    except UnsafePatternError as exc:
        return str(exc)


def _unsafe(pattern: str, reason: str) -> ValidationError:
    return ValidationError(f"The pattern {pattern!r} cannot be checked safely: {reason}.")


def pattern(validator: Validator, patrn: str, instance: Any, schema: Mapping[str, Any]) -> Errors:
    if not validator.is_type(instance, "string"):
        return
    found = _matches(patrn, instance)
    if isinstance(found, str):
        yield _unsafe(patrn, found)
    elif not found:
        yield ValidationError(f"{instance!r} does not match {patrn!r}")


def pattern_properties(
    validator: Validator, pattern_props: Mapping[str, Any], instance: Any, schema: Any
) -> Errors:
    if not validator.is_type(instance, "object"):
        return
    for patrn, subschema in pattern_props.items():
        for key, value in instance.items():
            found = _matches(patrn, key)
            if isinstance(found, str):
                yield _unsafe(patrn, found)
                break
            if found:
                yield from validator.descend(value, subschema, path=key, schema_path=patrn)


def _matched_by_pattern(schema: Mapping[str, Any], key: str) -> bool:
    patterns = schema.get("patternProperties") or {}
    return any(_matches(p, key) is True for p in patterns)


def _additional(instance: Mapping[str, Any], schema: Mapping[str, Any]) -> Iterator[str]:
    properties = schema.get("properties", {})
    for key in instance:
        if key not in properties and not _matched_by_pattern(schema, key):
            yield key


def additional_properties(
    validator: Validator, extra_schema: Any, instance: Any, schema: Mapping[str, Any]
) -> Errors:
    if not validator.is_type(instance, "object"):
        return
    extras = set(_additional(instance, schema))
    if validator.is_type(extra_schema, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], extra_schema, path=extra)
    elif not extra_schema and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            patterns = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {patterns}")
        else:
            error = "Additional properties are not allowed (%s %s unexpected)"
            yield ValidationError(error % extras_msg(sorted(extras, key=str)))


def _valid(errors: Errors) -> bool:
    return next(errors, None) is None


def _evaluated_by_refs(validator: Any, instance: Any, schema: Mapping[str, Any]) -> list[str]:
    keys: list[str] = []
    for keyword in ("$ref", "$dynamicRef"):
        ref = schema.get(keyword)
        if ref is not None:
            resolved = validator._resolver.lookup(ref)
            evolved = validator.evolve(schema=resolved.contents, _resolver=resolved.resolver)
            keys.extend(_evaluated_keys(evolved, instance, resolved.contents))
    return keys


def _evaluated_keys(validator: Any, instance: Any, schema: Any) -> list[str]:
    """The keys of ``instance`` some keyword of ``schema`` evaluates (jsonschema's
    find_evaluated_property_keys_by_schema, with patterns run by RE2)."""
    if validator.is_type(schema, "boolean"):
        return []
    keys = _evaluated_by_refs(validator, instance, schema)
    properties = schema.get("properties")
    if validator.is_type(properties, "object"):
        keys += properties.keys() & instance.keys()
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        if (subschema := schema.get(keyword)) is not None:
            keys += (k for k, v in instance.items() if _valid(validator.descend(v, subschema)))
    if "patternProperties" in schema:
        keys += (k for k in instance if _matched_by_pattern(schema, k))
    for name, subschema in (schema.get("dependentSchemas") or {}).items():
        if name in instance:
            keys += _evaluated_keys(validator, instance, subschema)
    for keyword in ("allOf", "oneOf", "anyOf"):
        for subschema in schema.get(keyword, []):
            if _valid(validator.descend(instance, subschema)):
                keys += _evaluated_keys(validator, instance, subschema)
    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            keys += _evaluated_keys(validator, instance, schema["if"])
            if "then" in schema:
                keys += _evaluated_keys(validator, instance, schema["then"])
        elif "else" in schema:
            keys += _evaluated_keys(validator, instance, schema["else"])
    return keys


def unevaluated_properties(
    validator: Validator, unevaluated: Any, instance: Any, schema: Mapping[str, Any]
) -> Errors:
    if not validator.is_type(instance, "object"):
        return
    evaluated = set(_evaluated_keys(validator, instance, schema))
    invalid = [
        key
        for key in instance
        if key not in evaluated
        and not _valid(validator.descend(instance[key], unevaluated, path=key, schema_path=key))
    ]
    if not invalid:
        return
    if unevaluated is False:
        error = "Unevaluated properties are not allowed (%s %s unexpected)"
        yield ValidationError(error % extras_msg(sorted(invalid, key=str)))
    else:
        error = (
            "Unevaluated properties are not valid under "
            "the given schema (%s %s unevaluated and invalid)"
        )
        yield ValidationError(error % extras_msg(invalid))


SafeValidator: Any = validators.extend(
    Draft202012Validator,
    {
        "pattern": pattern,
        "patternProperties": pattern_properties,
        "additionalProperties": additional_properties,
        "unevaluatedProperties": unevaluated_properties,
    },
)


def safe_validator(schema: Mapping[str, Any] | bool) -> Any:
    """A validator for records: RE2 patterns, formats checked, references inside the schema."""
    return SafeValidator(
        schema,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
        registry=refusing_registry(),
    )
