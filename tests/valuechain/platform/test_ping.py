"""/ping/: the load test's baseline answers at once, for anyone, with no database work."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_ping_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/ping/")
    assert response.status_code == 200 and response.content == b"pong"
