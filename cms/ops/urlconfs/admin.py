"""The admin host: Wagtail admin, documents, the content API, and Wagtail's own
page serving (which the builder's previews and redirects rely on)."""

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls

from cms.urls import admin_urlpatterns

urlpatterns = [path("", include("cms.ops.urls")), *admin_urlpatterns]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
urlpatterns += [path("", include(wagtail_urls))]
