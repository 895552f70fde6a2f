"""The GraphQL documents the CMS itself runs (preview) and offers the builder as
examples of the contract (snapshot, site, listings, removed). ``fragments.graphql``
selects every field of every page type once; each document gets the fragments it
uses (GraphQL rejects unused ones)."""

import re
from functools import cache
from pathlib import Path

QUERIES_DIR = Path(__file__).parent
DOCUMENTS = ("preview", "snapshot", "site", "listings", "removed")
_SPREAD = re.compile(r"\.\.\.\s*([A-Za-z_]\w*)")
_FRAGMENT = re.compile(r"^fragment\s+(\w+)\s+on\s+\w+\s*\{", re.MULTILINE)


@cache
def fragments() -> dict[str, str]:
    text = (QUERIES_DIR / "fragments.graphql").read_text()
    starts = [(m.group(1), m.start()) for m in _FRAGMENT.finditer(text)]
    ends = [start for _, start in starts[1:]] + [len(text)]
    return {
        name: text[start:end].strip()
        for (name, start), end in zip(starts, ends, strict=True)
    }


def _used(text: str) -> set[str]:
    return {name for name in _SPREAD.findall(text) if name != "on"}


@cache
def query_text(name: str) -> str:
    """``<name>.graphql`` with the fragments it uses (transitively) appended."""
    text = (QUERIES_DIR / f"{name}.graphql").read_text()
    available = fragments()
    wanted, todo = set(), _used(text)
    while todo:
        fragment = todo.pop()
        if fragment in wanted or fragment not in available:
            continue
        wanted.add(fragment)
        todo |= _used(available[fragment])
    return "\n\n".join([text.strip(), *(available[f] for f in sorted(wanted))]) + "\n"
