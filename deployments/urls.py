from django.urls import path

from deployments import views

urlpatterns = [
    path("", views.deployments_home, name="deployments-home"),
    path("ideas/<int:idea_id>/plan/", views.plan_page, name="deployment-plan"),
    path("recommend/", views.recommend_partial, name="deployment-recommend-partial"),
]
