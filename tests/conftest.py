"""Shared fixtures: users per group, API clients, and access to the real services.

Tests that need PostgreSQL or Redis skip with a reason when the service is absent, and
fail instead when VALUECHAIN_REQUIRE_SERVICES=1 (as CI sets it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory
from valuechain.figures import store
from valuechain.platform.roles import DATA_LEADS, EXECUTIVES, PRODUCT_MANAGERS

REQUIRE_SERVICES = os.environ.get("VALUECHAIN_REQUIRE_SERVICES") == "1"


def service_missing(reason: str) -> None:
    """Skip, or fail when CI requires the real services."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _isolated_defaults(settings: pytest.FixtureRequest) -> Iterator[None]:
    """Unit tests run tasks inline and cache in memory, whatever the environment says;
    integration tests opt into the real broker and cache explicitly."""
    settings.CELERY_TASK_ALWAYS_EAGER = True  # type: ignore[attr-defined]
    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    settings.PASSWORD_HASHERS = [  # type: ignore[attr-defined]
        "django.contrib.auth.hashers.MD5PasswordHasher"
    ]
    from valuechain.celery import app

    app.set_current()  # shared tasks bind to the current app: ours, whatever a test made
    app.conf.task_always_eager = True
    cache.clear()
    store.forget_process_caches()
    yield
    cache.clear()
    store.forget_process_caches()


@pytest.fixture
def redis_url() -> str:
    url = settings.REDIS_URL or os.environ.get("REDIS_URL", "")
    if not url:
        service_missing("REDIS_URL is not set: no Redis to test against")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        service_missing(f"Redis at {url} does not answer: {exc}")
    return url


@pytest.fixture
def postgres() -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        service_missing("DATABASE_URL does not point at PostgreSQL")


def _member(group: str, username: str) -> User:
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def pm_user(db: None) -> User:
    return _member(PRODUCT_MANAGERS, "pm-test")


@pytest.fixture
def other_pm(db: None) -> User:
    return _member(PRODUCT_MANAGERS, "pm-other")


@pytest.fixture
def lead_user(db: None) -> User:
    return _member(DATA_LEADS, "lead-test")


@pytest.fixture
def exec_user(db: None) -> User:
    return _member(EXECUTIVES, "exec-test")


@pytest.fixture
def staff_user(db: None) -> User:
    return UserFactory(username="staff-test", is_staff=True, is_superuser=True)


@pytest.fixture
def api_client_for(db: None) -> Callable[[User | None], APIClient]:
    """An API client authenticated by token as the given user (anonymous for None)."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
