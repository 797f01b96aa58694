"""Compatibility modes, after the Confluent Schema Registry rules for JSON Schema, and which
earlier versions each one judges a candidate against.

* BACKWARD: consumers on the new schema read data written with the old one, so the new
  schema must accept everything the old one did: a narrowing breaks it.
* FORWARD: consumers on the old schema read data written with the new one: a widening
  breaks it.
* FULL: both. The ``*_TRANSITIVE`` forms check against every earlier version, not only the
  latest. NONE checks nothing.
"""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    NONE = "NONE"

    @property
    def transitive(self) -> bool:
        return self.value.endswith("_TRANSITIVE")

    @property
    def checks_backward(self) -> bool:
        return self.value.startswith(("BACKWARD", "FULL"))

    @property
    def checks_forward(self) -> bool:
        return self.value.startswith(("FORWARD", "FULL"))


class UnknownModeError(ValueError):
    pass


def parse_mode(value: object) -> Mode:
    if isinstance(value, Mode):
        return value
    text = str(value).strip().upper() if isinstance(value, str) else ""
    try:
        return Mode(text)
    except ValueError:
        allowed = ", ".join(m.value for m in Mode)
        raise UnknownModeError(
            f"Unknown compatibility mode {value!r}; use one of {allowed}."
        ) from None


def compared_versions(mode: Mode, count: int) -> range | list[int]:
    """Indexes (oldest first) of the ``count`` earlier versions a candidate is judged
    against: every one under a transitive mode, else the latest only."""
    return range(count) if mode.transitive else [count - 1]
