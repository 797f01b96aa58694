from django.urls import path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="idea-list", permanent=False), name="home"),
    path("ideas/", RedirectView.as_view(url="/admin/"), name="idea-list"),
]
