"""The receivers of these tests listen on 127.0.0.1: deliveries to it are allowed here (a
deployment refuses internal addresses unless told otherwise; tests of that turn it off)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.VALUECHAIN = {**settings.VALUECHAIN, "WEBHOOK_ALLOW_PRIVATE": True}
