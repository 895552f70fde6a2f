"""The GraphQL documents the CMS itself runs (preview) and offers the builder as
examples of the contract (snapshot, site, listings, removed). ``fragments.graphql``
selects every field of every page type once; each document gets the fragments it
uses (GraphQL rejects unused ones)."""

from pathlib import Path

from builders.queries import document_in, fragments_in

QUERIES_DIR = Path(__file__).parent
DOCUMENTS = ("preview", "snapshot", "site", "listings", "removed")


def fragments() -> dict[str, str]:
    return fragments_in(QUERIES_DIR)


def query_text(name: str) -> str:
    """``<name>.graphql`` with the fragments it uses (transitively) appended."""
    return document_in(QUERIES_DIR, name)
