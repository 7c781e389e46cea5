from django.urls import path

from . import views

app_name = "recognition"
urlpatterns = [
    path("sessions/", views.my_sessions, name="my_sessions"),
    path("sessions/to-confirm/", views.to_confirm, name="to_confirm"),
    path("sessions/to-approve/", views.to_approve, name="to_approve"),
    path("sessions/to-approve/review/", views.approve_review, name="approve_review"),
    path("sessions/to-approve/approve/", views.approve_bulk, name="approve_bulk"),
    path("sessions/<int:log_id>/", views.log_detail, name="log_detail"),
    path("sessions/<int:log_id>/edit/", views.log_edit, name="log_edit"),
    path("sessions/<int:log_id>/submit/", views.log_submit, name="log_submit"),
    path("sessions/<int:log_id>/confirm/", views.log_confirm, name="log_confirm"),
    path("sessions/<int:log_id>/approve/", views.log_approve, name="log_approve"),
    path("sessions/<int:log_id>/return/", views.log_return, name="log_return"),
    path("sessions/<int:log_id>/adjust/", views.log_adjust, name="log_adjust"),
    path(
        "adjustments/<int:request_id>/approve/",
        views.adjustment_approve,
        name="adjustment_approve",
    ),
    path("spaces/<int:space_id>/sessions/new/", views.log_new, name="log_new"),
    path("statements/", views.my_statements, name="my_statements"),
    path("statements/<int:statement_id>/", views.statement_detail, name="statement_detail"),
    path("statements/<int:statement_id>/paid/", views.statement_paid, name="statement_paid"),
    path("statements/<int:statement_id>/statement.csv", views.statement_csv, name="statement_csv"),
    path("statements/<int:statement_id>/statement.pdf", views.statement_pdf, name="statement_pdf"),
    path(
        "organisations/<int:organisation_id>/recognition/",
        views.organisation_overview,
        name="organisation",
    ),
    path(
        "organisations/<int:organisation_id>/recognition/open/",
        views.period_open,
        name="period_open",
    ),
    path(
        "organisations/<int:organisation_id>/recognition/close/",
        views.period_close,
        name="period_close",
    ),
    path(
        "organisations/<int:organisation_id>/recognition/roles/",
        views.roles_to_verify,
        name="roles_to_verify",
    ),
    path(
        "organisations/<int:organisation_id>/recognition/roles/<int:membership_id>/verify/",
        views.role_verify,
        name="role_verify",
    ),
    path("organisations/<int:organisation_id>/rates/", views.rates, name="rates"),
    path("rates/<int:card_id>/end/", views.rate_end, name="rate_end"),
    path(
        "organisations/<int:organisation_id>/statements/",
        views.organisation_statements,
        name="organisation_statements",
    ),
]
