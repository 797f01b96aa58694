from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from valuechain.engine.finance import NonFiniteResult
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

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A figure too large to compute (an old estimate beyond the bounds) is a page that
        says so and which idea it is, with status 409, not a server error."""
        if isinstance(exception, NonFiniteResult):
            context = {"message": str(exception)}
            return render(request, "valuechain/errors/figures.html", context, status=409)
        return None
