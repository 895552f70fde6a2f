"""The GraphQL documents the builder sends: ``pages``, ``site`` and ``removed``,
each completed with the fragments of ``fragments.graphql`` it uses (GraphQL
rejects unused fragments). They ask only for what the theme shows."""

import re
from functools import cache
from pathlib import Path

QUERIES_DIR = Path(__file__).parent
DOCUMENTS = ("pages", "site", "removed", "preview")
_SPREAD = re.compile(r"\.\.\.\s*([A-Za-z_]\w*)")
_FRAGMENT = re.compile(r"^fragment\s+(\w+)\s+on\s+\w+\s*\{", re.MULTILINE)


@cache
def fragments_in(folder: Path) -> dict[str, str]:
    """Name → text of each fragment in ``folder/fragments.graphql``."""
    text = (folder / "fragments.graphql").read_text(encoding="utf-8")
    starts = [(m.group(1), m.start()) for m in _FRAGMENT.finditer(text)]
    ends = [start for _, start in starts[1:]] + [len(text)]
    return {
        name: text[start:end].strip()
        for (name, start), end in zip(starts, ends, strict=True)
    }


def _spreads(text: str) -> set[str]:
    return {name for name in _SPREAD.findall(text) if name != "on"}


@cache
def document_in(folder: Path, name: str) -> str:
    """``folder/<name>.graphql`` with the fragments it uses (transitively)
    appended. The CMS's own documents (cms/api/queries) are completed the same way."""
    text = (folder / f"{name}.graphql").read_text(encoding="utf-8")
    available = fragments_in(folder)
    wanted, todo = set(), _spreads(text)
    while todo:
        fragment = todo.pop()
        if fragment in wanted or fragment not in available:
            continue
        wanted.add(fragment)
        todo |= _spreads(available[fragment])
    return "\n\n".join([text.strip(), *(available[f] for f in sorted(wanted))]) + "\n"


def fragments() -> dict[str, str]:
    return fragments_in(QUERIES_DIR)


def document(name: str) -> str:
    return document_in(QUERIES_DIR, name)
