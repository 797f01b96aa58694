from django.urls import path

from deployments import views

urlpatterns = [
    path("ideas/<int:idea_id>/plan/", views.plan_page, name="deployment-plan"),
    path("recommend/", views.recommend_partial, name="deployment-recommend-partial"),
]
