from django.urls import path

from . import views

app_name = "meetings"

_meeting = "spaces/<int:space_id>/meetings/<int:meeting_id>/"

urlpatterns = [
    path("meetings/", views.my_calendar, name="mine"),
    path("meetings/feeds/", views.feeds, name="feeds"),
    path("meetings/feed/<str:token>.ics", views.feed, name="feed"),
    path("spaces/<int:space_id>/meetings/", views.space_calendar, name="calendar"),
    path("spaces/<int:space_id>/meetings/new/", views.meeting_create, name="create"),
    path("spaces/<int:space_id>/meetings/import/", views.import_upload, name="import"),
    path(
        "spaces/<int:space_id>/meetings/import/<int:import_id>/",
        views.import_confirm,
        name="import_confirm",
    ),
    path(_meeting, views.meeting_detail, name="detail"),
    path(_meeting + "edit/", views.meeting_edit, name="edit"),
    path(_meeting + "move/", views.meeting_move, name="move"),
    path(_meeting + "cancel/", views.meeting_cancel, name="cancel"),
    path(_meeting + "rsvp/", views.meeting_rsvp, name="rsvp"),
    path(_meeting + "agenda/", views.agenda_add, name="agenda_add"),
    path(_meeting + "agenda/<int:item_id>/remove/", views.agenda_remove, name="agenda_remove"),
    path(_meeting + "check-in/", views.check_in, name="check_in"),
    path(_meeting + "check-in/qr.svg", views.check_in_qr, name="check_in_qr"),
    path(_meeting + "attendance/", views.attendance, name="attendance"),
    path(_meeting + "attendance.csv", views.attendance_csv, name="attendance_csv"),
    path(_meeting + "close/", views.meeting_close, name="close"),
    path(_meeting + "meeting.ics", views.meeting_ics, name="ics"),
]
