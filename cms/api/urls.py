"""Admin-side URLs of the content API: the GraphQL endpoint and the preview page
that Wagtail's preview panel frames."""

from django.urls import path

from .preview import preview_view
from .views import graphql_view

app_name = "content_api"

urlpatterns = [
    path("graphql/", graphql_view(), name="graphql"),
    path("preview/", preview_view, name="preview"),
]
