"""Clients per group for the API tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient


@pytest.fixture
def users(
    pm_user: User, other_pm: User, lead_user: User, exec_user: User, staff_user: User
) -> dict[str, User | None]:
    return {
        "pm": pm_user,
        "other_pm": other_pm,
        "lead": lead_user,
        "exec": exec_user,
        "staff": staff_user,
        "anon": None,
    }


@pytest.fixture
def client_as(
    users: dict[str, User | None], api_client_for: Callable[[User | None], APIClient]
) -> Callable[[str], APIClient]:
    """`client_as("pm")`: a token-authenticated client for that kind of user."""
    return lambda who: api_client_for(users[who])
