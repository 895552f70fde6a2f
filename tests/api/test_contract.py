"""The schema is the contract with the builder: it changes only on purpose, and
it covers every page type and every StreamField block."""

from pathlib import Path

from django.apps import apps
from graphql import parse, validate

from cms.api.blocks import BODY_BLOCKS
from cms.api.queries import DOCUMENTS, query_text
from cms.api.schema import schema
from cms.api.types import PAGE_TYPES
from cms.core.blocks import BodyBlock
from cms.pages.models import PortalPage

SNAPSHOT = Path(__file__).resolve().parents[2] / "cms" / "api" / "schema.graphql"


def test_schema_matches_the_committed_snapshot():
    current = schema.as_str() + "\n"
    assert SNAPSHOT.read_text() == current, (
        "The GraphQL schema changed. If that is intended, update the snapshot with "
        "`portal api schema --write` (or `portal api schema > cms/api/schema.graphql`) "
        "and review the diff: the builder depends on it."
    )


def test_every_body_block_has_a_graphql_type():
    missing = set(BodyBlock.base_blocks) - set(BODY_BLOCKS)
    assert not missing, (
        f"Add these BodyBlock blocks to cms.api.blocks.BODY_BLOCKS: {missing}"
    )
    assert not set(BODY_BLOCKS) - set(BodyBlock.base_blocks)


def test_every_page_type_has_a_graphql_type():
    page_models = {
        model
        for model in apps.get_models()
        if issubclass(model, PortalPage) and not model._meta.abstract
    }
    assert page_models == set(PAGE_TYPES)


def test_the_documented_queries_are_valid_against_the_schema():
    graphql_schema = schema._schema
    for name in DOCUMENTS:
        errors = validate(graphql_schema, parse(query_text(name)))
        assert not errors, (name, errors)


def test_a_bad_rendition_filter_setting_is_reported_at_start_up(settings):
    from cms.api.checks import check_api_settings

    assert check_api_settings() == []
    settings.PORTAL_API_RENDITION_FILTERS = ["fill-400x300", "bogus-12"]
    ids = {error.id for error in check_api_settings()}
    assert ids == {"api.E001", "api.E002"}
