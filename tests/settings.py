"""The portal's settings as the test suite runs them: ``cms.settings`` with
``PORTAL_ENV=test``, a throw-away media folder and the site search index off
(``PORTAL_SEARCH=0``) except in the tests about search. Nothing else differs."""

import os
import tempfile

os.environ.setdefault("PORTAL_ENV", "test")
# Pagefind indexes every test build otherwise (a process and a second or two each);
# the tests that look at search switch it on (tests.settings.search_on).
os.environ.setdefault("PORTAL_SEARCH", "0")
os.environ.setdefault(
    "PORTAL_MEDIA_ROOT", tempfile.mkdtemp(prefix="portal-test-media-")
)

from cms.settings import *  # noqa: F403


def search_on():
    """Context manager: builds inside it make the Pagefind index."""
    from unittest import mock

    return mock.patch.dict(os.environ, {"PORTAL_SEARCH": "1"})
