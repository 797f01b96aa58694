"""Fixtures for the catalogue editing pages and bulk import tests."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.valuechain.pages.conftest import Chain, value_chain


@pytest.fixture
def client_for(db: None):
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


__all__ = ["Chain", "client_for", "value_chain"]
