from django.urls import path

from . import views

app_name = "chat"
urlpatterns = [
    path("chat/unread/", views.unread, name="unread"),
    path("spaces/<int:space_id>/chat/", views.index, name="index"),
    path(
        "spaces/<int:space_id>/chat/<int:conversation_id>/",
        views.conversation_detail,
        name="conversation",
    ),
    path("spaces/<int:space_id>/chat/topics/new/", views.topic_new, name="topic_new"),
    path(
        "spaces/<int:space_id>/chat/messages/<int:message_id>/edit/",
        views.message_edit,
        name="message_edit",
    ),
    path(
        "spaces/<int:space_id>/chat/messages/<int:message_id>/delete/",
        views.message_delete,
        name="message_delete",
    ),
    path(
        "spaces/<int:space_id>/chat/messages/<int:message_id>/report/",
        views.message_report,
        name="message_report",
    ),
    path(
        "spaces/<int:space_id>/chat/messages/<int:message_id>/hide/",
        views.message_hide,
        name="message_hide",
    ),
    path("spaces/<int:space_id>/chat/reports/", views.report_list, name="reports"),
    path(
        "spaces/<int:space_id>/chat/reports/<int:report_id>/dismiss/",
        views.report_dismiss,
        name="report_dismiss",
    ),
    path(
        "spaces/<int:space_id>/chat/people/<int:user_id>/mute/",
        views.member_mute,
        name="member_mute",
    ),
]
