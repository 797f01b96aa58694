"""JSON that never fails on a stored value, and JSON input checked for what JSON cannot carry.

Out: a float that is not finite (an infinity or NaN from an old row or an overflowing sum) is
written as null, so one bad value never turns a page or a list into an error for everyone.
In: a number too large for a float (``1e999``) and a string with an unpaired surrogate escape
(``"\\udcff"``, which no database or response can encode) are refused, naming where they are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def finite(value: Any) -> Any:
    """`value` with every non-finite float (however deeply nested) replaced by None.

    Mappings and sequences are copied only where they hold something to replace."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        items = {key: finite(item) for key, item in value.items()}
        return items if any(items[k] is not value[k] for k in items) else value
    if isinstance(value, list | tuple):
        cleaned = [finite(item) for item in value]
        if any(new is not old for new, old in zip(cleaned, value, strict=True)):
            return cleaned
        return value
    return value


class JsonInputError(ValueError):
    """A parsed JSON document holds something no part of the app can store or answer with.
    `field` is the top-level key it is under, when the document is an object."""

    def __init__(self, message: str, path: str = "", field: str | None = None) -> None:
        self.path = path
        self.field = field
        self.message = message
        super().__init__(f"{message} at {path}" if path else message)


def refuse_constant(name: str) -> Any:
    """The `parse_constant` hook of json.loads: NaN and Infinity are not JSON."""
    raise JsonInputError(f"{name} is not a JSON number")


SURROGATE = "Text with an unpaired surrogate escape (\\ud800-\\udfff)"


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _step(path: str, key: Any) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))


OUT_OF_RANGE = "A number out of range (beyond a float, such as 1e999)"


def check_document(document: Any) -> None:
    """Raises JsonInputError naming the first string or key holding an unpaired surrogate,
    or the first number beyond a float's range (json.loads reads 1e999 as infinity).
    Walks without recursion, so a document nested as deeply as the decoder allows is fine."""
    stack: list[tuple[str, str | None, Any]] = [("", None, document)]
    while stack:
        path, top, value = stack.pop()
        if isinstance(value, str):
            if _has_surrogate(value):
                raise JsonInputError(SURROGATE, path or "the body", top)
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise JsonInputError(OUT_OF_RANGE, path or "the body", top)
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str) and _has_surrogate(key):
                    raise JsonInputError(f"{SURROGATE} in a key", path or "the body", top)
                stack.append((_step(path, key), top if path else str(key), item))
        elif isinstance(value, list):
            stack.extend((_step(path, i), top, item) for i, item in enumerate(value))
