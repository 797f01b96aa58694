"""Comments and notifications."""

from django.urls import URLPattern, path

from valuechain.activity import views

urlpatterns: list[URLPattern] = [
    path("ideas/<int:pk>/comments/", views.comment_create, name="idea-comment-create"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment-delete"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("notifications/badge/", views.notifications_badge, name="notifications-badge"),
]
