"""The public host (or the Lambda function): the endpoints visitors call and
nothing of the admin."""

from django.urls import include, path

from cms.urls import public_urlpatterns

urlpatterns = [path("", include("cms.ops.urls")), *public_urlpatterns]
