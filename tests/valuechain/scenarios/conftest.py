"""Scenario tests reuse the shared pair (two ideas that pay off only together)."""

from tests.valuechain.analysis.conftest import (  # noqa: F401
    client_as,
    shared_pair,
    users,
)
