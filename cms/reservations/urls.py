"""URLs of the resident pages, mounted at ``/reserve/`` on the public side."""

from django.urls import path

from . import views

app_name = "reservations"

urlpatterns = [
    path("", views.facility_list, name="facilities"),
    path("f/<slug:slug>/", views.facility_detail, name="facility"),
    path("f/<slug:slug>/book/", views.book, name="book"),
    path("mypage/", views.mypage, name="mypage"),
    path("bookings/<str:number>/", views.booking_detail, name="booking"),
    path("bookings/<str:number>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<str:number>/calendar.ics", views.booking_ics, name="booking_ics"),
    path("account/register/", views.register, name="register"),
    path("account/confirm/<str:token>/", views.confirm_email, name="confirm"),
    path("account/login/", views.login_view, name="login"),
    path("account/logout/", views.logout_view, name="logout"),
    path("account/password-reset/", views.password_reset, name="password_reset"),
    path(
        "account/password-reset/<str:token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("account/profile/", views.profile, name="profile"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/delete/", views.account_delete, name="account_delete"),
]
