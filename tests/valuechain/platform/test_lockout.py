"""Brute-force protection: failed logins on the login page, the admin login and the token
endpoint count per username and per address; past the limit the right password is refused
too, with a message saying when to try again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "valuechain-test"
LIMIT = settings.AXES_FAILURE_LIMIT


def _page_login(client: Client, url: str, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _token(client: APIClient, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        "/api/auth/token/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_the_settings_lock_after_five_failures_for_fifteen_minutes():
    assert LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_the_login_pages_lock_the_account_after_the_limit(url):
    user = UserFactory(username="victim", is_staff=True)
    client = Client()
    for _ in range(LIMIT - 1):
        response = _page_login(client, url, user.username, "wrong")
        assert response.status_code == 200  # the form again, with its error
    locked = _page_login(client, url, user.username, "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Login temporarily locked" in page
    assert "Try again in 15 minutes" in page
    assert locked["Retry-After"] == str(15 * 60)
    # the right password no longer opens the door, from this address or another one
    for ip in ("10.0.0.1", "10.9.9.9"):
        right = _page_login(Client(), url, user.username, PASSWORD, ip=ip)
        assert right.status_code == 429
        assert "_auth_user_id" not in Client().session


def test_forty_wrong_passwords_then_the_right_one_does_not_log_in():
    user = UserFactory(username="target")
    client = Client()
    for _ in range(40):
        _page_login(client, "/login/", user.username, "guess")
    response = _page_login(client, "/login/", user.username, PASSWORD)
    assert response.status_code == 429
    assert client.get("/ideas/").status_code == 302  # still anonymous


def test_one_address_trying_many_usernames_is_locked_out():
    UserFactory(username="bystander")
    client = Client()
    for n in range(LIMIT):
        _page_login(client, "/login/", f"nobody{n}", "wrong", ip="10.6.6.6")
    from_there = _page_login(client, "/login/", "bystander", PASSWORD, ip="10.6.6.6")
    assert from_there.status_code == 429
    elsewhere = _page_login(Client(), "/login/", "bystander", PASSWORD, ip="10.7.7.7")
    assert elsewhere.status_code == 302  # the user is not locked: only that address


def test_the_lock_lifts_after_the_cool_off():
    user = UserFactory(username="patient")
    client = Client()
    for _ in range(LIMIT):
        _page_login(client, "/login/", user.username, "wrong")
    assert _page_login(client, "/login/", user.username, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _page_login(client, "/login/", user.username, PASSWORD).status_code == 302


def test_a_success_before_the_limit_resets_the_count():
    user = UserFactory(username="typo")
    client = Client()
    for _ in range(LIMIT - 1):
        _page_login(client, "/login/", user.username, "wrong")
    assert _page_login(client, "/login/", user.username, PASSWORD).status_code == 302
    for _ in range(LIMIT - 1):
        assert _page_login(Client(), "/login/", user.username, "wrong").status_code == 200
    assert _page_login(Client(), "/login/", user.username, PASSWORD).status_code == 302


def test_the_token_endpoint_counts_failures_and_answers_429_with_when_to_retry():
    user = UserFactory(username="api-user")
    client = APIClient()
    statuses = [_token(client, user.username, "wrong").status_code for _ in range(LIMIT)]
    assert statuses == [400] * (LIMIT - 1) + [429]
    response = _token(client, user.username, PASSWORD)
    assert response.status_code == 429
    body = response.json()
    assert "Try again in 15 minutes" in body["detail"]
    assert 14 * 60 < body["retry_after"] <= 15 * 60
    assert response["Retry-After"] == str(body["retry_after"])
    assert "token" not in body


def test_token_failures_and_page_failures_add_up():
    user = UserFactory(username="mixed")
    for _ in range(LIMIT - 2):
        _token(APIClient(), user.username, "wrong")
    _page_login(Client(), "/login/", user.username, "wrong")
    _page_login(Client(), "/admin/login/", user.username, "wrong")
    assert _token(APIClient(), user.username, PASSWORD).status_code == 429


def test_seventy_wrong_tokens_are_not_seventy_answers_of_400():
    user = UserFactory(username="sprayed")
    client = APIClient()
    statuses = [_token(client, user.username, f"guess{n}").status_code for n in range(70)]
    assert statuses.count(400) == LIMIT - 1
    assert set(statuses[LIMIT - 1 :]) == {429}


def test_without_a_lockout_demo_users_log_in_as_before():
    """Counting starts afresh in each test: the suite's many logins lock nobody out."""
    assert not AccessAttempt.objects.exists()
    user = UserFactory(username="fresh")
    assert _token(APIClient(), user.username, PASSWORD).status_code == 200


def test_behind_a_proxy_each_client_is_counted_by_its_own_address(settings):
    """With the load balancer in front (compose: one proxy), every request comes from the
    proxy's address: clients are told apart by what the proxy appended to X-Forwarded-For, and
    whatever a client writes further left is not trusted."""
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="colleague")
    proxy = "10.0.0.2"
    for n in range(LIMIT):
        Client().post(
            "/login/",
            {"username": f"nobody{n}", "password": "wrong"},
            REMOTE_ADDR=proxy,
            # a made-up entry first, then the address the proxy saw
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.66",
        )
    attacker = Client().post(
        "/login/",
        {"username": "colleague", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.66",
    )
    assert attacker.status_code == 429
    colleague = Client().post(
        "/login/",
        {"username": "colleague", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert colleague.status_code == 302  # same proxy, another client: not locked out
