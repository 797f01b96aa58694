from django.urls import path

from valuechain.connectors import views

urlpatterns = [path("connectors/", views.connectors_page, name="connectors")]
