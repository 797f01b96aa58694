"""Pagination for list pages: which page numbers to offer, their links, and "showing 51 to 100
of 1,234". Pure: it takes a Django Page (of a queryset or of a list) and the request's query
parameters, and keeps every other parameter when it changes page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

EN_DASH = "\u2013"

# A page list never grows with the number of pages: the first and last, and a few around
# the current one.
AROUND = 2
EDGES = 1


def page_window(
    current: int, last: int, around: int = AROUND, edges: int = EDGES
) -> list[int | None]:
    """Page numbers to offer, None where a run of pages is skipped (shown as "…").

    A gap of a single page is shown as that page: "…" never hides just one number.
    """
    if last < 1:
        return []
    current = min(max(current, 1), last)
    shown = set(range(1, min(edges, last) + 1))
    shown |= set(range(max(last - edges + 1, 1), last + 1))
    shown |= set(range(max(current - around, 1), min(current + around, last) + 1))
    window: list[int | None] = []
    previous = 0
    for number in sorted(shown):
        if number - previous == 2:
            window.append(previous + 1)
        elif number - previous > 2:
            window.append(None)
        window.append(number)
        previous = number
    return window


def page_query(params: Mapping[str, Any], number: int, param: str = "page") -> str:
    """The query string ("?…") for page `number`, every other parameter kept (page 1 drops
    the page parameter: one address per page)."""
    pairs: list[tuple[str, str]] = []
    for key in params:
        if key == param:
            continue
        values = _values(params, key)
        pairs.extend((key, value) for value in values)
    if number > 1:
        pairs.append((param, str(number)))
    return f"?{urlencode(pairs)}" if pairs else "?"


def _values(params: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    if getlist is not None:  # a QueryDict: every value of a repeated parameter
        return list(getlist(key))
    value = params[key]
    return [value] if isinstance(value, str) else list(value)


class CountedPaginator(Paginator):
    """A paginator told how many rows there are when the page already counted them (a tab's
    count, say): one COUNT query fewer."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: skipped pages ("…")
    href: str
    current: bool


@dataclass(frozen=True)
class Pagination:
    count: int
    start: int
    end: int
    links: list[PageLink]
    previous: str | None
    next: str | None

    @property
    def summary(self) -> str:
        if not self.count:
            return "Nothing to show"
        return f"Showing {self.start:,}{EN_DASH}{self.end:,} of {self.count:,}"

    @property
    def has_other_pages(self) -> bool:
        return len(self.links) > 1


def pagination(page: Page, params: Mapping[str, Any], param: str = "page") -> Pagination:
    """Everything the pagination partial shows for `page`."""
    last = page.paginator.num_pages
    count = page.paginator.count
    links = [
        PageLink(
            number,
            "" if number is None else page_query(params, number, param),
            number == page.number,
        )
        for number in page_window(page.number, last)
    ]
    return Pagination(
        count=count,
        start=page.start_index() if count else 0,
        end=page.end_index() if count else 0,
        links=links,
        previous=page_query(params, page.number - 1, param) if page.has_previous() else None,
        next=page_query(params, page.number + 1, param) if page.has_next() else None,
    )
