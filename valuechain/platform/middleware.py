from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from valuechain.mappers import read_snapshot

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CatalogueSnapshotMiddleware:
    """Safe requests read the catalogue once, however many panels of the page need it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            return self.get_response(request)
        with read_snapshot():
            return self.get_response(request)
