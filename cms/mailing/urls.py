"""The mail pages visitors load from the public side, mounted at ``/mail/``:
confirmation, unsubscribe (one-click POST and a confirmation page), preferences,
the open pixel and click redirects."""

from django.urls import path

from . import views

app_name = "mailing"

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("o/<str:token>.gif", views.open_pixel, name="open"),
    path("c/<str:token>/", views.click, name="click"),
]
