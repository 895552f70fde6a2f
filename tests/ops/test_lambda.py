"""The public side on AWS Lambda: the handler (apig-wsgi around the same Django
app) answers recorded API Gateway HTTP API (payload 2.0) events for the chat, the
availability calendar and the mail sign-up, serves nothing of the admin, and the
packaging command builds the archive. No AWS call is made: the events are files,
the handler is called as Lambda calls it."""

import base64
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from .conftest import database_connection_kept

pytestmark = pytest.mark.django_db

EVENTS = Path(__file__).parent / "events"


class FakeLambdaContext:
    """The context object Lambda passes (the handler does not read it)."""

    function_name = "portal-public"
    aws_request_id = "test-request"


@pytest.fixture
def invoke(settings, monkeypatch):
    # The handler module sets these defaults in os.environ, as on Lambda; keep
    # them out of the environment later tests pass to their servers.
    monkeypatch.setenv("PORTAL_SIDE", "public")
    monkeypatch.setenv("PORTAL_VAR_DIR", str(settings.VAR_DIR))
    settings.PORTAL_SIDE = "public"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "api.iju.example.jp"]
    settings.CORS_ALLOWED_ORIGINS = ["https://iju.example.jp"]
    from cms.ops.lambda_handler import handler

    def call(name, **changes):
        event = json.loads((EVENTS / name).read_text())
        event.update(changes)
        with database_connection_kept():
            response = handler(event, FakeLambdaContext())
        body = response.get("body", "")
        if response.get("isBase64Encoded"):
            body = base64.b64decode(body).decode()
        return response, body

    return call


def test_chat_config_and_question(invoke):
    response, body = invoke("chat_config.json")
    assert response["statusCode"] == 200
    headers = {k.lower(): v for k, v in response["headers"].items()}
    assert headers["access-control-allow-origin"] == "https://iju.example.jp", headers
    assert "greeting" in json.loads(body)

    response, body = invoke("chat_question.json")
    assert response["statusCode"] == 200, body
    answer = json.loads(body)
    assert answer["session_id"] and answer["outcome"] in {
        "answered",
        "suggested",
        "no_match",
    }


def test_availability(invoke):
    from tests.reservations.conftest import make_gym

    make_gym("lambda-gym")
    response, body = invoke("availability.json")
    assert response["statusCode"] == 200, body
    calendar = json.loads(body)
    assert len(calendar["units"][0]["days"]) == 7


def test_mail_sign_up_sends_the_confirmation(
    invoke, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response, body = invoke("mail_subscribe.json")
    assert response["statusCode"] == 202, body
    assert "確認メール" in json.loads(body)["detail"]
    assert [m.to for m in mailoutbox] == [["iju-lambda@example.jp"]]


def test_the_admin_is_not_served_on_lambda(invoke):
    response, _ = invoke("admin_attempt.json")
    assert response["statusCode"] in (301, 404)


def test_the_rate_limit_counts_the_visitor_not_api_gateway(invoke, settings):
    settings.PORTAL_PUBLIC_RATE_LIMIT_PER_IP = 1
    assert invoke("chat_config.json")[0]["statusCode"] == 200
    assert invoke("chat_config.json")[0]["statusCode"] == 429
    other = json.loads((EVENTS / "chat_config.json").read_text())["requestContext"]
    other["http"]["sourceIp"] = "198.51.100.99"
    assert invoke("chat_config.json", requestContext=other)[0]["statusCode"] == 200


def test_packaging_builds_the_archive(tmp_path):
    output = tmp_path / "portal-public.zip"
    call_command(
        "ops", "package-lambda", "--skip-dependencies", "--output", str(output)
    )
    with zipfile.ZipFile(output) as archive:
        names = set(archive.namelist())
    assert "cms/ops/lambda_handler.py" in names
    assert "cms/settings.py" in names
    assert "cms/reservations/templates/reservations/public/base.html" in names
    assert not any("__pycache__" in n or n.endswith(".sqlite3") for n in names)
