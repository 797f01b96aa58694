"""Refusals of a registry write that are not input errors: answered with 409 Conflict."""

from __future__ import annotations

from typing import Any

from contracts.registry.selectors import VersionPlan


class BreakingChangeError(Exception):
    """A breaking change under the contract's mode without a new major version."""

    def __init__(self, plan: VersionPlan) -> None:
        super().__init__("A breaking change needs a new major version.")
        self.plan = plan

    def as_dict(self) -> dict[str, Any]:
        return {
            "detail": (
                f"This schema breaks {self.plan.mode.value} compatibility with version "
                f"{self.plan.latest}: publish it as {self.plan.suggested} (a new major "
                "version) or make the change compatible."
            ),
            **self.plan.as_dict(),
        }


class VersionConflictError(Exception):
    """The version number is already taken or is not after the latest one."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
