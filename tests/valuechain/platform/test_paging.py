"""Which page numbers a list offers and where its links go: no database needed."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import QueryDict

from valuechain.platform.paging import CountedPaginator, page_query, page_window, pagination


def test_a_few_pages_are_all_offered():
    assert page_window(1, 5) == [1, 2, 3, 4, 5]
    assert page_window(3, 1) == [1]
    assert page_window(1, 0) == []


def test_many_pages_show_the_ends_and_the_neighbourhood_with_gaps():
    assert page_window(10, 40) == [1, None, 8, 9, 10, 11, 12, None, 40]
    assert page_window(1, 40) == [1, 2, 3, None, 40]
    assert page_window(40, 40) == [1, None, 38, 39, 40]


def test_a_gap_never_hides_a_single_page():
    assert page_window(5, 40) == [1, 2, 3, 4, 5, 6, 7, None, 40]


def test_a_current_page_out_of_range_is_clamped():
    assert page_window(99, 3) == [1, 2, 3]
    assert page_window(-4, 3) == [1, 2, 3]


def test_changing_page_keeps_every_other_parameter():
    params = QueryDict("tier=2&q=sales&status=a&status=b&page=3")
    assert page_query(params, 4) == "?tier=2&q=sales&status=a&status=b&page=4"
    # Page 1 has one address: without a page parameter.
    assert page_query(params, 1) == "?tier=2&q=sales&status=a&status=b"
    assert page_query(QueryDict(""), 1) == "?"
    assert page_query({"q": "a b&c"}, 2) == "?q=a+b%26c&page=2"


def test_the_summary_counts_with_thousands_separators():
    page = Paginator(list(range(1234)), 50).get_page(2)
    shown = pagination(page, QueryDict("tier=1&page=2"))
    assert shown.summary == "Showing 51\u2013100 of 1,234"
    assert shown.previous == "?tier=1"
    assert shown.next == "?tier=1&page=3"
    current = [link for link in shown.links if link.current]
    assert [link.number for link in current] == [2]
    assert shown.links[-1].number == 25 and shown.links[-1].href == "?tier=1&page=25"


def test_a_single_page_has_no_links_and_an_empty_list_says_so():
    one = pagination(Paginator(list(range(3)), 50).get_page(1), QueryDict(""))
    assert not one.has_other_pages and one.previous is None and one.next is None
    assert one.summary == "Showing 1\u20133 of 3"
    empty = pagination(Paginator([], 50).get_page(1), QueryDict(""))
    assert empty.summary == "Nothing to show" and (empty.start, empty.end) == (0, 0)


def test_a_paginator_told_its_count_pages_as_if_it_had_counted():
    paginator = CountedPaginator(list(range(120)), 50, count=120)
    assert paginator.num_pages == 3
    assert list(paginator.get_page(3).object_list) == list(range(100, 120))
