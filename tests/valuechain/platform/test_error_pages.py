"""403, 404 and 500 in the site's layout with a way back; JSON under /api/."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from valuechain.platform import errors


@pytest.mark.django_db
def test_a_missing_page_is_explained_in_the_layout_with_a_way_back(client_for, exec_user):
    response = client_for(exec_user).get("/ideas/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This page does not exist" in html
    assert 'class="topbar"' in html and 'href="/dashboard/"' in html  # the site's navigation
    assert "Go to the dashboard" in html


@pytest.mark.django_db
def test_a_page_for_other_roles_says_so_in_the_layout(client_for, pm_user):
    # editing the catalogue's tier profiles is for data leads
    response = client_for(pm_user).get("/catalogue/tiers/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You may not do this" in html
    assert "Only data leads and staff edit the catalogue." in html  # the view's own reason
    assert "ask an administrator" in html.lower()
    assert 'class="topbar"' in html


@pytest.mark.django_db
def test_signed_out_visitors_are_offered_the_login(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert 'href="/login/"' in response.content.decode()


@pytest.mark.django_db
def test_api_errors_stay_json(client_for, exec_user):
    response = client_for(exec_user).get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_the_server_error_page_needs_nothing_of_the_request():
    response = errors.server_error(RequestFactory().get("/ideas/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'href="/"' in html
    api = errors.server_error(RequestFactory().get("/api/ideas/"))
    assert api.status_code == 500 and b'"detail"' in api.content


def test_the_handlers_are_wired():
    from valuechain import urls

    assert urls.handler403.endswith("permission_denied")
    assert urls.handler404.endswith("page_not_found")
    assert urls.handler500.endswith("server_error")
