"""Fixtures the contract tests share: a published version held to by enforcement, and an API
client of its contract's owner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.contracts.factories import ContractVersionFactory


@pytest.fixture
def version() -> Any:
    return ContractVersionFactory(
        sla={"production_use": True},
        missing_thresholds=[
            {"field": "/properties/note", "metric": "nullValues", "max_ratio": 0.5,
             "max_count": None, "window": None},
        ],
    )  # fmt: skip


@pytest.fixture
def owner_client(version: Any, api_client_for: Callable[[Any], APIClient]) -> APIClient:
    return api_client_for(version.contract.owner)
