"""URLs of the ties pages, mounted at ``/ties/`` on the public side."""

from django.urls import path

from . import views

app_name = "ties"

urlpatterns = [
    path("", views.index, name="index"),
    path("join/", views.join, name="join"),
    path("join/confirm/<str:token>/", views.confirm, name="confirm"),
    path("me/", views.mypage, name="mypage"),
    path("me/pause/", views.pause, name="pause"),
    path("me/delete/", views.delete, name="delete"),
    path("programs/<int:pk>/", views.program_detail, name="program"),
    path("programs/<int:pk>/apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path(
        "applications/<int:pk>/withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    path(
        "applications/<int:pk>/report/",
        views.application_report,
        name="application_report",
    ),
    path("meetings/<int:pk>/register/", views.meeting_register, name="meeting"),
    path("host/", views.host_home, name="host"),
    path("host/programs/<int:pk>/", views.host_program, name="host_program"),
    path(
        "host/applications/<int:pk>/",
        views.host_application,
        name="host_application",
    ),
    path("subsidy/", views.subsidy, name="subsidy"),
    path("subsidy/apply/", views.subsidy_apply, name="subsidy_apply"),
    path("subsidy/result/<str:token>/", views.subsidy_result, name="subsidy_result"),
]
