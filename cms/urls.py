"""URL sets of the CMS process: the admin side (Wagtail admin, documents, and the
GraphQL API and previews as they arrive) and the public side (``/api/…``, the
endpoints visitors call). The demo serves both from one process; production can run
them on separate hosts. Until the static build lands, ``/`` is a placeholder page."""

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.public_api import api as public_api

admin_urlpatterns = [
    # The content API (GraphQL, previews) belongs to the admin side; listed before
    # the public side's api/ so its paths are matched first.
    path("api/", include("cms.api.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]
public_urlpatterns = [
    path("api/", public_api.urls),
    # Facility reservations: the booking and account pages residents load, served
    # under the static site's origin like /api/ (cms.reservations).
    path("reserve/", include("cms.reservations.urls")),
]
urlpatterns = admin_urlpatterns + public_urlpatterns

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
