"""URLs cms.ops adds to every URL set: the health check."""

from django.urls import path

from .health import healthz

urlpatterns = [path("healthz", healthz, name="healthz")]
