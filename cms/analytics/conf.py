"""Settings of site analytics (``PORTAL_ANALYTICS`` in cms/settings.py), with
defaults so a test or a deployment may set only what it changes."""

from django.conf import settings

DEFAULTS = {
    # Accept page views at /api/collect/ (off: answer 204 and store nothing).
    "ENABLED": True,
    # Raw events are kept this many days (today included) for sessions, then only
    # the daily aggregates remain.
    "RAW_RETENTION_DAYS": 2,
    # A visit (session) ends after this many minutes without a page view.
    "SESSION_MINUTES": 30,
    # Host names of the public site besides PORTAL_SITE_URL's: referrers from
    # these are navigation inside the site, not a source.
    "SITE_HOSTS": [],
    # Request headers a CDN sets with the visitor's country and region (ISO 3166);
    # without them the location is unknown (we ship no GeoIP database).
    "COUNTRY_HEADERS": [
        "HTTP_CLOUDFRONT_VIEWER_COUNTRY",
        "HTTP_CF_IPCOUNTRY",
        "HTTP_X_COUNTRY_CODE",
    ],
    "REGION_HEADERS": [
        "HTTP_CLOUDFRONT_VIEWER_COUNTRY_REGION",
        "HTTP_X_REGION_CODE",
    ],
    # Events per IP per minute; more are dropped (a reload storm or a script).
    "RATE_LIMIT_PER_MINUTE": 120,
    # Who receives the monthly report on the 1st (e-mail addresses).
    "REPORT_RECIPIENTS": [],
}


def conf(name: str):
    return getattr(settings, "PORTAL_ANALYTICS", {}).get(name, DEFAULTS[name])
