"""Comments on ideas: plain text, bounded, edited and deleted by their authors, and @mentions
that notify the people named, in the app (a count in the top bar, a list) and by e-mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import IdeaFactory, UserFactory
from valuechain import models as m
from valuechain.activity import mentions


def post(client, idea: m.Idea, body: str):
    return client.post(reverse("idea-comment-create", args=[idea.pk]), {"body": body})


def test_mentions_are_usernames_after_a_space_never_inside_an_address():
    text = "@ana please ask @bo.b, cc me@example.com and @ana again. Thanks @carl."
    assert mentions.mentioned(text) == ["ana", "bo.b", "carl"]


@pytest.mark.django_db
def test_a_comment_is_shown_escaped_on_the_idea_page(client_for, pm_user, exec_user):
    idea = IdeaFactory(owner=pm_user)
    response = post(client_for(exec_user), idea, "<script>alert(1)</script>\nSecond line")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("idea-detail", args=[idea.pk]) + "#comment-")
    page = client_for(pm_user).get(reverse("idea-detail", args=[idea.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Second line" in page
    assert "<script>alert(1)" not in page


@pytest.mark.django_db
def test_an_empty_or_too_long_comment_is_refused_naming_the_field(client_for, exec_user):
    idea = IdeaFactory()
    client = client_for(exec_user)
    for body in ("   ", "x" * (m.COMMENT_MAX_LENGTH + 1)):
        response = post(client, idea, body)
        assert response.status_code == 400
        page = response.content.decode()
        assert 'id="id_body_errors"' in page
    assert not m.Comment.objects.exists()


@pytest.mark.django_db
def test_a_mention_notifies_in_the_app_and_by_mail(
    client_for, pm_user, exec_user, django_capture_on_commit_callbacks
):
    idea = IdeaFactory(owner=pm_user, title="Churn radar")
    nomail = UserFactory(username="nomail", email="")
    client = client_for(exec_user)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, idea, f"@{pm_user.username} and @nomail: is the benefit right? @nobody")
    assert m.Notification.objects.filter(recipient=pm_user).count() == 1
    assert m.Notification.objects.filter(recipient=nomail).count() == 1
    # e-mail after the commit, only to those with an address
    assert [message.to for message in mail.outbox] == [[pm_user.email]]
    assert f"{exec_user.username} mentioned you on “Churn radar”" in mail.outbox[0].subject
    assert f"http://testserver/ideas/{idea.pk}/#comment-" in mail.outbox[0].body

    pm = client_for(pm_user)
    badge = pm.get(reverse("notifications-badge")).content.decode()
    assert 'aria-label="1 unread">1<' in badge
    listing = pm.get(reverse("notifications")).content.decode()
    assert f"{exec_user.username} mentioned you on “Churn radar”" in listing
    assert "#comment-" in listing
    pm.post(reverse("notifications-read"))
    badge = pm.get(reverse("notifications-badge")).content.decode()
    assert "unread" not in badge


@pytest.mark.django_db
def test_the_top_bar_loads_the_count_without_a_query_on_every_page(client_for, pm_user):
    page = client_for(pm_user).get(reverse("idea-list")).content.decode()
    assert 'hx-get="/notifications/badge/"' in page


@pytest.mark.django_db
def test_mentioning_yourself_notifies_nobody(client_for, pm_user):
    post(client_for(pm_user), IdeaFactory(), f"note to self @{pm_user.username}")
    assert not m.Notification.objects.exists()


@pytest.mark.django_db
def test_authors_edit_their_own_comments_and_new_mentions_notify(
    client_for, pm_user, exec_user, lead_user
):
    idea = IdeaFactory(owner=pm_user)
    post(client_for(exec_user), idea, f"first @{pm_user.username}")
    comment = m.Comment.objects.get()
    edit = reverse("comment-edit", args=[comment.pk])
    # someone else may not edit it
    assert client_for(pm_user).get(edit).status_code == 403
    assert client_for(pm_user).post(edit, {"body": "hijack"}).status_code == 403
    response = client_for(exec_user).post(
        edit, {"body": f"second @{pm_user.username} @{lead_user.username}"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body.startswith("second") and comment.edited_at is not None
    # the lead is newly mentioned; the pm was already told
    assert m.Notification.objects.filter(recipient=pm_user).count() == 1
    assert m.Notification.objects.filter(recipient=lead_user).count() == 1
    page = client_for(exec_user).get(reverse("idea-detail", args=[idea.pk])).content.decode()
    assert "(edited)" in page and f'href="{edit}"' in page
    other = client_for(lead_user).get(reverse("idea-detail", args=[idea.pk])).content.decode()
    assert f'href="{edit}"' not in other


@pytest.mark.django_db
def test_authors_and_staff_delete_comments_others_may_not(
    client_for, pm_user, exec_user, staff_user
):
    idea = IdeaFactory(owner=pm_user)
    post(client_for(exec_user), idea, "one")
    post(client_for(exec_user), idea, "two")
    first, second = m.Comment.objects.order_by("id")
    assert client_for(pm_user).post(reverse("comment-delete", args=[first.pk])).status_code == 403
    assert client_for(exec_user).post(reverse("comment-delete", args=[first.pk])).status_code == 302
    assert (
        client_for(staff_user).post(reverse("comment-delete", args=[second.pk])).status_code == 302
    )
    assert not m.Comment.objects.exists()


@pytest.mark.django_db
def test_comments_page_in_constant_queries(client_for, pm_user, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    idea = IdeaFactory(owner=pm_user)
    client = client_for(pm_user)
    people = [UserFactory() for _ in range(5)]
    for person in people[:2]:
        m.Comment.objects.create(idea=idea, author=person, body="hello")
    client.get(reverse("idea-detail", args=[idea.pk]))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("idea-detail", args=[idea.pk]))
    for index in range(45):
        m.Comment.objects.create(idea=idea, author=people[index % 5], body=f"comment {index}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("idea-detail", args=[idea.pk])).content.decode()
    assert len(many) == len(few)
    assert page.count('class="comment"') == 20  # one page of the 47
    assert "comments_page=2" in page


@pytest.mark.django_db
def test_missing_comments_and_ideas_are_404_and_an_overlong_edit_is_refused(client_for, exec_user):
    client = client_for(exec_user)
    assert (
        client.post(reverse("idea-comment-create", args=[999_999]), {"body": "x"}).status_code
        == 404
    )
    assert client.post(reverse("comment-delete", args=[999_999])).status_code == 404
    assert client.get(reverse("comment-edit", args=[999_999])).status_code == 404
    idea = IdeaFactory()
    post(client, idea, "short")
    comment = m.Comment.objects.get()
    response = client.post(
        reverse("comment-edit", args=[comment.pk]), {"body": "y" * (m.COMMENT_MAX_LENGTH + 1)}
    )
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.body == "short" and comment.edited_at is None
    assert client.get(reverse("notifications-read")).status_code == 405
