from django.urls import path

from . import views

app_name = "line"
urlpatterns = [
    path("attributes/<str:token>/", views.attribute_form, name="attributes"),
    path("r/<str:token>/", views.click, name="click"),
]
