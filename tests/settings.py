"""The portal's settings as the test suite runs them: ``cms.settings`` with
``PORTAL_ENV=test`` and a throw-away media folder. Nothing else differs."""

import os
import tempfile

os.environ.setdefault("PORTAL_ENV", "test")
os.environ.setdefault(
    "PORTAL_MEDIA_ROOT", tempfile.mkdtemp(prefix="portal-test-media-")
)

from cms.settings import *  # noqa: F403
