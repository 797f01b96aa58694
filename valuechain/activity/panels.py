"""What the idea and asset pages show of history and conversation: the activity feed's page,
its page links, and on ideas the comments with their form. Constant queries per page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Paginator

from valuechain.activity import feed, selectors
from valuechain.activity.forms import CommentForm
from valuechain.activity.services import may_change, may_delete
from valuechain.figures import store
from valuechain.platform import paging

COMMENTS_PER_PAGE = 20
FEED_PARAM = "activity_page"
COMMENTS_PARAM = "comments_page"


def _number(params: Mapping[str, Any], name: str) -> int:
    value = params.get(name, "1")
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 6 else 1


def feed_pagination(page: feed.FeedPage, params: Mapping[str, Any]) -> paging.Pagination:
    links = [
        paging.PageLink(
            number,
            "" if number is None else paging.page_query(params, number, FEED_PARAM) + "#activity",
            number == page.number,
        )
        for number in paging.page_window(page.number, page.num_pages)
    ]
    start = (page.number - 1) * feed.PER_PAGE + 1 if page.entries else 0
    return paging.Pagination(
        count=page.count,
        start=start,
        end=start + len(page.entries) - 1 if page.entries else 0,
        links=links,
        previous=(paging.page_query(params, page.number - 1, FEED_PARAM) + "#activity")
        if page.has_previous
        else None,
        next=(paging.page_query(params, page.number + 1, FEED_PARAM) + "#activity")
        if page.has_next
        else None,
    )


def idea_feed(idea_id: int, page: int) -> feed.FeedPage:
    """A page of the idea's feed, read once per state of every idea and the catalogue: each
    write that adds to a feed raises the figures' epoch (ideas, needs, stakeholders, stored
    figures, people's names) and each rename of an asset or role the catalogue's version."""
    page = max(1, min(page, feed.MAX_PAGES))
    key = f"{store.epoch_key()}:{store.catalogue_key()}:feed:{idea_id}:{page}"
    return store.cached(key, lambda: feed.idea_feed(idea_id, page))


def idea_panels(
    idea_id: int, user: User | AnonymousUser, params: Mapping[str, Any]
) -> dict[str, Any]:
    activity = idea_feed(idea_id, _number(params, FEED_PARAM))
    comments = Paginator(selectors.comments_of(idea_id), COMMENTS_PER_PAGE).get_page(
        _number(params, COMMENTS_PARAM)
    )
    rows = [
        {"comment": c, "can_edit": may_change(user, c), "can_delete": may_delete(user, c)}
        for c in comments
    ]
    return {
        "activity": activity,
        "activity_pagination": feed_pagination(activity, params),
        "comments": rows,
        "comments_pagination": paging.pagination(comments, params, COMMENTS_PARAM),
        "comment_form": CommentForm(),
    }


def asset_panels(asset_type: str, asset_id: int, params: Mapping[str, Any]) -> dict[str, Any]:
    activity = feed.asset_feed(asset_type, asset_id, _number(params, FEED_PARAM))
    return {"activity": activity, "activity_pagination": feed_pagination(activity, params)}
