"""API tokens: they expire, the caller can revoke theirs, and logging out or changing the
password (page, admin or any other way) revokes them; every signed-in user can change their
password from the navigation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory
from valuechain.platform import tokens

pytestmark = pytest.mark.django_db

PASSWORD = "valuechain-test"


def _obtain(user: User, password: str = PASSWORD) -> dict:
    response = APIClient().post(
        "/api/auth/token/", {"username": user.username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_token_answer_says_when_it_expires(settings):
    settings.VALUECHAIN = {**settings.VALUECHAIN, "API_TOKEN_LIFETIME_HOURS": 8}
    before = timezone.now()
    body = _obtain(UserFactory())
    assert set(body) == {"token", "expires"}
    expires = datetime.fromisoformat(body["expires"].replace("Z", "+00:00"))
    assert before + timedelta(hours=8) <= expires <= timezone.now() + timedelta(hours=8)
    assert _api(body["token"]).get("/api/ideas/").status_code == 200


def test_an_expired_token_is_refused_and_a_new_one_is_issued():
    user = UserFactory()
    old = _obtain(user)["token"]
    Token.objects.filter(key=old).update(created=timezone.now() - timedelta(hours=25))
    refused = _api(old).get("/api/ideas/")
    assert refused.status_code == 401
    assert "expired" in refused.json()["detail"]
    fresh = _obtain(user)["token"]
    assert fresh != old
    assert _api(fresh).get("/api/ideas/").status_code == 200
    assert _api(old).get("/api/ideas/").status_code == 401


def test_asking_again_before_expiry_gives_the_same_token():
    user = UserFactory()
    assert _obtain(user)["token"] == _obtain(user)["token"]


def test_the_caller_revokes_their_token():
    user, other = UserFactory(), UserFactory()
    key, other_key = _obtain(user)["token"], _obtain(other)["token"]
    response = _api(key).post("/api/auth/token/revoke/")
    assert response.status_code == 204
    assert _api(key).get("/api/ideas/").status_code == 401
    assert _api(other_key).get("/api/ideas/").status_code == 200  # only the caller's


def test_revoking_needs_a_valid_token():
    assert APIClient().post("/api/auth/token/revoke/").status_code == 401
    assert _api("not-a-token").post("/api/auth/token/revoke/").status_code == 401


def test_logging_out_of_the_site_revokes_the_api_token():
    user = UserFactory()
    key = _obtain(user)["token"]
    site = Client()
    site.force_login(user)
    assert site.post("/logout/").status_code == 302
    assert _api(key).get("/api/ideas/").status_code == 401


def test_the_password_change_page_changes_it_and_revokes_the_token():
    user = UserFactory()
    key = _obtain(user)["token"]
    site = Client()
    site.force_login(user)
    page = site.get("/ideas/").content.decode()
    assert 'href="/account/password/"' in page  # in the navigation
    form = site.get("/account/password/")
    assert form.status_code == 200
    assert "Change your password" in form.content.decode()
    response = site.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-better-phrase-42",
            "new_password2": "a-much-better-phrase-42",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/account/password/done/"
    assert "Password changed" in site.get("/account/password/done/").content.decode()
    assert site.get("/ideas/").status_code == 200  # still signed in here
    assert _api(key).get("/api/ideas/").status_code == 401
    assert _obtain(user, "a-much-better-phrase-42")["token"] != key


def test_a_wrong_old_password_changes_nothing():
    user = UserFactory()
    key = _obtain(user)["token"]
    site = Client()
    site.force_login(user)
    response = site.post(
        "/account/password/",
        {
            "old_password": "nope",
            "new_password1": "x-new-pass-99",
            "new_password2": "x-new-pass-99",
        },
    )
    assert response.status_code == 200
    assert "old password was entered incorrectly" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert _api(key).get("/api/ideas/").status_code == 200


def test_the_password_change_page_needs_a_signed_in_user():
    response = Client().get("/account/password/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_password_set_any_other_way_revokes_the_token_too():
    user = UserFactory()
    key = _obtain(user)["token"]
    user.set_password("set-by-an-admin-7")
    user.save()
    assert _api(key).get("/api/ideas/").status_code == 401


def test_saving_a_user_without_a_new_password_keeps_the_token():
    user = UserFactory()
    key = _obtain(user)["token"]
    user.first_name = "Ada"
    user.save()
    user.save(update_fields=["last_login"])
    assert _api(key).get("/api/ideas/").status_code == 200


def test_the_token_endpoint_still_names_missing_fields():
    response = APIClient().post("/api/auth/token/", {"username": "x"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_a_valid_token_is_handed_back_with_one_read(django_assert_num_queries):
    user = UserFactory()
    tokens.issue_token(user=user)
    with django_assert_num_queries(3):  # savepoint, the locked read, release
        tokens.issue_token(user=user)


def test_the_openapi_documents_the_token_endpoints(api_client_for, exec_user):
    schema = api_client_for(exec_user).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    paths = schema.json()["paths"]
    assert "post" in paths["/api/auth/token/revoke/"]
    obtain = paths["/api/auth/token/"]["post"]
    assert {"200", "400", "429"} <= set(obtain["responses"])
