"""Bad requests get a GraphQL error with a clear message — never a 500, never a
stack trace — and expensive ones are refused before they run."""

import json

import pytest

from cms.api.limits import INTERNAL_ERROR_MESSAGE
from cms.api.queries import fragments

from .conftest import ENDPOINT, post_graphql

pytestmark = pytest.mark.django_db


def error_messages(response) -> list[str]:
    assert response.status_code in (200, 400), response.status_code
    text = response.content.decode()
    assert "Traceback" not in text and 'File "' not in text
    return [error["message"] for error in response.json().get("errors", [])]


def test_a_malformed_query_is_a_syntax_error(client):
    messages = error_messages(post_graphql(client, "{ pages { items { title } "))
    assert messages and "Syntax Error" in messages[0]


def test_an_unknown_field_is_named(client):
    messages = error_messages(
        post_graphql(client, "{ pages { items { secretField } } }")
    )
    assert "Cannot query field 'secretField'" in messages[0]


def test_a_wrong_argument_type_is_named(client):
    messages = error_messages(
        post_graphql(client, '{ pages(limit: "many") { totalCount } }')
    )
    assert "Int" in messages[0]


def test_an_oversized_page_is_refused(client, settings):
    messages = error_messages(
        post_graphql(client, "{ listings(limit: 100000) { totalCount } }")
    )
    assert (
        f"limit: 1〜{settings.PORTAL_API_MAX_PAGE_SIZE}で指定してください"
        in messages[0]
    )


def test_a_too_deep_query_is_refused(client):
    nested = "municipality { page { " * 6 + "title" + " } }" * 6
    query = (
        f'{{ page(path: "/towns/mito/") {{ ... on MunicipalityPage {{ {nested} }} }} }}'
    )
    messages = error_messages(post_graphql(client, query))
    assert "exceeds maximum operation depth" in messages[0]


def test_a_too_costly_query_is_refused(client, settings):
    page_fields = "\n".join(fragments().values())
    aliases = " ".join(
        f"p{i}: pages(offset: {i * 200}, limit: 200) {{ items {{ ...PageFields }} }}"
        for i in range(10)
    )
    messages = error_messages(post_graphql(client, f"{{ {aliases} }}\n{page_fields}"))
    assert any("クエリが大きすぎます" in m for m in messages), messages


def test_too_many_aliases_are_refused(client):
    aliases = " ".join(f"a{i}: site {{ name }}" for i in range(40))
    messages = error_messages(post_graphql(client, f"{{ {aliases} }}"))
    assert "aliases" in messages[0]


def test_a_document_is_validated_once_across_requests(client, monkeypatch):
    """The limits are rule classes made once, so strawberry's validation cache
    (keyed on document and rules) finds a document validated before: the
    builder sends the same few documents for every page window."""
    import strawberry.schema.schema as strawberry_schema

    validated = []
    real = strawberry_schema.validate

    def counted(*args, **kwargs):
        validated.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate", counted)
    query = "query ValidatedOnce { site { name } }"
    for _ in range(3):
        assert error_messages(post_graphql(client, query)) == []
    assert len(validated) == 1


def test_too_many_tokens_are_refused(client):
    fields = " ".join(["__typename"] * 12_000)
    messages = error_messages(post_graphql(client, f"{{ {fields} }}"))
    assert "token" in messages[0].lower()


def test_a_body_that_is_not_json_is_a_400(client):
    response = client.post(ENDPOINT, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "Traceback" not in response.content.decode()


def test_a_request_without_a_query_is_a_400(client):
    response = client.post(
        ENDPOINT, data=json.dumps({}), content_type="application/json"
    )
    assert response.status_code == 400


def test_an_internal_failure_is_masked_and_logged(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret detail from deep inside")

    monkeypatch.setattr("cms.api.changes.removed_since", broken)
    response = post_graphql(
        client, '{ removedPages(since: "2026-01-01T00:00:00+09:00") { id } }'
    )
    assert error_messages(response) == [INTERNAL_ERROR_MESSAGE]
    assert "secret detail" not in response.content.decode()
    assert "secret detail" in caplog.text


def test_introspection_is_off_when_the_setting_says_so(client, settings):
    query = "{ __schema { queryType { name } } }"
    assert error_messages(post_graphql(client, query)) == []
    settings.PORTAL_API_INTROSPECTION = False
    messages = error_messages(post_graphql(client, query))
    assert messages and "introspection" in messages[0].lower()


def test_introspection_is_off_in_production_by_default(monkeypatch):
    import importlib

    import cms.settings as portal_settings

    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    monkeypatch.setenv("ALLOWED_HOSTS", "cms.example.jp")
    monkeypatch.setenv("PORTAL_SITE_URL", "https://portal.example.jp")
    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.delenv("PORTAL_API_INTROSPECTION", raising=False)
    try:
        production = importlib.reload(portal_settings)
        assert production.PORTAL_API_INTROSPECTION is False
        assert production.PORTAL_API_GRAPHIQL is False
    finally:
        monkeypatch.undo()
        importlib.reload(portal_settings)


def test_the_endpoint_sets_no_cookies_and_needs_no_csrf_token(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = post_graphql(strict, "{ site { name } }")
    assert response.status_code == 200
    assert not response.cookies
    assert response["Cache-Control"] == "private, no-store"
