"""AWS Lambda entry point of the public side: the same Django app behind
apig-wsgi, serving only the public URL set (PORTAL_SIDE=public). Configure the
function with handler ``cms.ops.lambda_handler.handler``, an API Gateway HTTP API
(payload format 2.0) in front, and the environment of docs/deploy.md (DATABASE_URL
of the shared PostgreSQL, SECRET_KEY, ALLOWED_HOSTS, PORTAL_VAR_DIR=/tmp/portal)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
os.environ.setdefault("PORTAL_SIDE", "public")
os.environ.setdefault("PORTAL_VAR_DIR", "/tmp/portal")

from apig_wsgi import make_lambda_handler
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
# JSON and HTML go back as text; anything else (an .ics file) base64-encoded.
handler = make_lambda_handler(
    application,
    binary_support=True,
    non_binary_content_type_prefixes=["application/json", "text/"],
)
