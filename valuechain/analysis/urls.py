"""Pages for analysis: an idea's uncertainty and the portfolio."""

from django.urls import path, register_converter

from valuechain.analysis import views


class IdConverter:
    """A database id: at most 18 digits, so it always fits a 64-bit column (else 404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "run_id")

urlpatterns = [
    path("ideas/<run_id:pk>/uncertainty/", views.idea_uncertainty, name="idea-uncertainty"),
    path(
        "ideas/<run_id:pk>/simulations/", views.idea_simulation_start, name="idea-simulation-start"
    ),
    path(
        "ideas/<run_id:pk>/simulations/<run_id:run_pk>/",
        views.idea_simulation_status,
        name="idea-simulation-status",
    ),
    path("portfolio/", views.portfolio, name="portfolio"),
    path(
        "portfolio/runs/<run_id:run_pk>/", views.portfolio_run_status, name="portfolio-run-status"
    ),
]
