from rest_framework.pagination import PageNumberPagination


class BoundedPageNumberPagination(PageNumberPagination):
    """Clients may ask for a page size, never more than max_page_size rows."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
