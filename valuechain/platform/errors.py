"""The error pages: 403, 404 and 500 in the site's layout, each saying what happened and
offering a way back. Under /api/ the same errors answer JSON (`{"detail": ...}`), as the API
does everywhere else."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

API_PREFIX = "/api/"

DETAILS = {
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    500: "A server error occurred.",
}


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _page(request: HttpRequest, status: int, context: dict[str, object]) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": DETAILS[status]}, status=status)
    template = loader.get_template(f"{status}.html")
    return HttpResponse(template.render(context, request), status=status)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The reason is shown only when a view gave one on purpose (PermissionDenied("...")).
    reason = str(exception) if exception is not None and str(exception) else ""
    return _page(request, 403, {"reason": reason, "path": request.path})


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, {"path": request.path})


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context: whatever broke (the database, a context
    processor) must not break the error page too."""
    if _wants_json(request):
        return JsonResponse({"detail": DETAILS[500]}, status=500)
    template = loader.get_template("500.html")
    return HttpResponse(template.render({}), status=500)
