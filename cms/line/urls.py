from django.urls import path

from . import media, views

app_name = "line"
urlpatterns = [
    path("attributes/<str:token>/", views.attribute_form, name="attributes"),
    path("r/<str:token>/", views.click, name="click"),
    path("m/<str:token>/", views.menu_link, name="menu_link"),
    # Files LINE fetches for image, video and imagemap messages (media.py).
    path("media/image/<str:token>/<str:size>", media.serve_image, name="media_image"),
    path(
        "media/map/<str:token>", media.serve_imagemap_base, name="media_imagemap_base"
    ),
    path(
        "media/map/<str:token>/<int:width>", media.serve_imagemap, name="media_imagemap"
    ),
    path("media/video/<str:token>", media.serve_video, name="media_video"),
]
