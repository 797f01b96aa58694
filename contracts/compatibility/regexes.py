"""User regular expressions (``pattern``, ``patternProperties``) matched in linear time.

The checker never runs a user pattern through Python's backtracking ``re``: a pattern such
as ``^(a+)+$`` against ``"aaaa…!"`` takes exponential time there. RE2 (google-re2) matches
in time linear in the input; the few ECMA-262 features it cannot run in linear time
(look-arounds, back-references) are refused with a clear error instead.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2

from contracts.compatibility.schema import SchemaTooComplexError

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False


class UnsupportedPatternError(SchemaTooComplexError):
    """A pattern the linear-time engine cannot run (look-around, back-reference...)."""


@lru_cache(maxsize=2048)
def _compiled(pattern: str) -> Any:
    return re2.compile(pattern, options=_OPTIONS)


def compile_pattern(pattern: str, where: str = "") -> Any:
    """The compiled pattern; UnsupportedPatternError names it when RE2 refuses it."""
    try:
        return _compiled(pattern)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise UnsupportedPatternError(
            f"Pattern {pattern!r} cannot be checked safely ({detail}); look-arounds and "
            "back-references are not supported. Rewrite it without them.",
            where,
        ) from None


def search(pattern: str, text: str) -> bool:
    """True when ``pattern`` matches somewhere in ``text`` (JSON Schema semantics: not
    anchored unless the pattern says so)."""
    return compile_pattern(pattern).search(text) is not None
