from django.urls import path

from . import views

app_name = "spaces"
urlpatterns = [
    path("spaces/new/", views.space_new, name="new"),
    path("spaces/<int:space_id>/", views.space_home, name="home"),
    path("spaces/<int:space_id>/edit/", views.space_edit, name="edit"),
    path("spaces/<int:space_id>/members/", views.member_list, name="members"),
    path(
        "spaces/<int:space_id>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "spaces/<int:space_id>/members/<int:membership_id>/role/",
        views.member_role,
        name="member_role",
    ),
    path(
        "spaces/<int:space_id>/members/<int:membership_id>/history/",
        views.member_open_history,
        name="member_open_history",
    ),
    path("spaces/<int:space_id>/leave/", views.leave, name="leave"),
    path("spaces/<int:space_id>/requests/", views.join_requests, name="join_requests"),
    path(
        "spaces/<int:space_id>/requests/<int:request_id>/",
        views.join_request_decide,
        name="join_request_decide",
    ),
    path("spaces/<int:space_id>/rules/", views.rules, name="rules"),
    path("spaces/<int:space_id>/invitations/", views.invitation_list, name="invitations"),
    path(
        "spaces/<int:space_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "spaces/<int:space_id>/invitations/<int:invitation_id>/qr.svg",
        views.invitation_qr,
        name="invitation_qr",
    ),
    path("join/", views.join, name="join"),
    path("join/<str:token>/", views.join_link, name="join_link"),
]
