"""URL sets of the CMS process: the admin side (Wagtail admin, documents, and the
GraphQL API and previews as they arrive) and the public side (``/api/…``, the
endpoints visitors call). The demo serves both from one process; production can run
them on separate hosts. With ``PORTAL_SERVE_SITE`` (the demo) the built public site
is served at ``/`` (cms.publishing.serve); in production a CDN serves it."""

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.public_api import api as public_api
from cms.publishing.serve import serve_site

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
    # Mail: sign-up confirmation, unsubscribe, preferences, open/click tracking
    # (cms.mailing), served under the static site's origin like /api/.
    path("mail/", include("cms.mailing.urls")),
    # LINE: the signed attribute form friends open from LINE (cms.line).
    path("line/", include("cms.line.urls")),
    # The online community (cms.community): rooms, posts, members' pages.
    path("community/", include("cms.community.urls")),
    # People with ties to the region (cms.ties): registration, programs, subsidy.
    path("ties/", include("cms.ties.urls")),
]
urlpatterns = admin_urlpatterns + public_urlpatterns
urlpatterns += [path("", include("cms.ops.urls"))]  # /healthz (cms.ops)

if settings.PORTAL_SERVE_SITE:
    # Everything else is the built site; under /media/ the CMS's own uploads too.
    urlpatterns += [re_path(r"^(?P<path>(?!admin/|api/|static/).*)$", serve_site)]
elif settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
