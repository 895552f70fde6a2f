"""URL sets for separate hosts (cms.ops.middleware.SiteSideMiddleware): the admin
side and the public side, each with /healthz, from the lists in cms/urls.py."""
