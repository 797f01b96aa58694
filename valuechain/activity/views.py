"""Comment and notification pages: post, edit and delete comments on an idea (everyone signed
in may comment; authors change their own), the notifications list and the top bar's count."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from valuechain import models as m
from valuechain.activity import selectors, services
from valuechain.activity.forms import CommentForm
from valuechain.platform import paging
from valuechain.platform.display import attach_errors

NOTIFICATIONS_PER_PAGE = 30


def _comment_page(
    request: HttpRequest, form: CommentForm, idea: m.Idea, comment: m.Comment | None
) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "valuechain/activity/comment_form.html",
        {"form": form, "idea": idea, "comment": comment},
        status=status,
    )


def _person(request: HttpRequest) -> User:
    """The signed-in user (every view here requires one)."""
    assert isinstance(request.user, User)
    return request.user


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _to_comment(idea_id: int, comment_id: int | None = None) -> HttpResponse:
    anchor = f"#comment-{comment_id}" if comment_id else "#comments"
    return redirect(reverse("idea-detail", args=[idea_id]) + anchor)


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(m.Idea, pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.post_comment(
                idea=idea,
                author=_person(request),
                body=form.cleaned_data["body"],
                site=_site(request),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return _to_comment(idea.pk, comment.pk)
    return _comment_page(request, form, idea, None)


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_with_idea(pk)
    if comment is None:
        raise Http404("No such comment.")
    if not services.may_change(request.user, comment):
        raise PermissionDenied("Only its author edits a comment.")
    if request.method == "GET":
        return _comment_page(
            request, CommentForm(initial={"body": comment.body}), comment.idea, comment
        )
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.edit_comment(
                comment=comment,
                user=request.user,
                body=form.cleaned_data["body"],
                site=_site(request),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return _to_comment(comment.idea_id, comment.pk)
    return _comment_page(request, form, comment.idea, comment)


@login_required
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(m.Comment, pk=pk)
    services.delete_comment(comment=comment, user=request.user)
    messages.success(request, "Comment deleted.")
    return _to_comment(comment.idea_id)


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_of(_person(request)), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "valuechain/activity/notifications.html",
        {"page": page, "pagination": paging.pagination(page, request.GET)},
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(user=_person(request))
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return redirect("notifications")


@login_required
@require_GET
def notifications_badge(request: HttpRequest) -> HttpResponse:
    """The top bar's link with the unread count (loaded by htmx: pages pay no query for it)."""
    return render(
        request,
        "valuechain/activity/_badge.html",
        {"unread": selectors.unread_count(_person(request))},
    )
