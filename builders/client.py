"""The builder's side of the content API: the GraphQL documents of
``builders/queries`` sent either in-process (the same schema the endpoint serves,
for builds run by the CMS's own task worker) or over HTTP to a CMS at a URL (a
Netlify build, CI, a build machine). The builder never reads the CMS's models.

Files the pages refer to (image renditions, documents) are downloaded the same
two ways: in-process from the media storage or through Django's test client, over
HTTP from the CMS's URL.
"""

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from .queries import document
from .workers import with_stack_room

logger = logging.getLogger(__name__)

#: The rendition the builder resizes from. Renditions are re-encoded by Wagtail
#: and the builder re-encodes again without metadata, so no EXIF (GPS) survives;
#: the original file is never exposed by the API.
SOURCE_RENDITION = "max-2400x2400"
PAGE_SIZE = 200
USER_AGENT = "portal-builder/1"


class ContentApiError(RuntimeError):
    """The CMS answered with errors, or could not be reached."""


@dataclass
class PageWindow:
    total: int
    items: list[dict]
    has_next: bool


class Transport:
    """How queries and downloads reach the CMS."""

    base_url: str = ""

    def query(self, text: str, variables: dict | None = None) -> dict:
        raise NotImplementedError

    def download(self, url: str) -> bytes:
        raise NotImplementedError

    def before_fork(self) -> None:
        """Called before worker processes are forked."""


class InProcessTransport(Transport):
    """The schema executed in this process (Django must be set up)."""

    def __init__(self):
        from django.conf import settings

        self.base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")

    def query(self, text, variables=None):
        from cms.api.schema import execute_with_errors

        result = with_stack_room(execute_with_errors, text, variables)
        if result.errors:
            raise ContentApiError("; ".join(e.message for e in result.errors))
        return result.data

    def download(self, url: str) -> bytes:
        from django.conf import settings
        from django.core.files.storage import default_storage

        path = _path_of(url, self.base_url)
        if path is None:
            return _http_get(url)
        if path.startswith(settings.MEDIA_URL):
            name = urllib.parse.unquote(path[len(settings.MEDIA_URL) :])
            with default_storage.open(name, "rb") as handle:
                return handle.read()
        return self._through_django(path)

    def _through_django(self, path: str) -> bytes:
        from django.test import Client

        host = urllib.parse.urlsplit(self.base_url)
        client = Client(HTTP_HOST=host.netloc or "localhost")
        response = client.get(path, secure=host.scheme == "https")
        if response.status_code != 200:
            raise ContentApiError(f"{path}: HTTP {response.status_code}")
        if getattr(response, "streaming", False):
            return b"".join(response.streaming_content)
        return response.content

    def before_fork(self) -> None:
        from django.db import connections

        # Each worker opens its own connection; a shared one would be corrupted.
        connections.close_all()


class HttpTransport(Transport):
    """A CMS at ``base_url`` (its GraphQL endpoint is ``/api/graphql/``)."""

    def __init__(self, base_url: str, timeout: float = 60, attempts: int = 3):
        self.base_url = base_url.rstrip("/")
        self.endpoint = f"{self.base_url}/api/graphql/"
        self.timeout = timeout
        self.attempts = attempts

    def query(self, text, variables=None):
        body = json.dumps({"query": text, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            self.endpoint,
            data=body,
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        payload = json.loads(self._send(request))
        if payload.get("errors"):
            raise ContentApiError("; ".join(e["message"] for e in payload["errors"]))
        return payload["data"]

    def download(self, url: str) -> bytes:
        if url.startswith("/"):
            url = f"{self.base_url}{url}"
        return _http_get(url, self.timeout, self.attempts)

    def _send(self, request) -> bytes:
        return _with_retries(
            lambda: _read(request, self.timeout), self.attempts, request.full_url
        )


def _read(request, timeout: float) -> bytes:
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def _with_retries(call, attempts: int, what: str) -> bytes:
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except urllib.error.HTTPError as error:
            if error.code < 500 or attempt == attempts:
                raise ContentApiError(f"{what}: HTTP {error.code}") from error
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            if attempt == attempts:
                raise ContentApiError(f"{what}: {error}") from error
        time.sleep(0.5 * attempt)
    raise AssertionError("unreachable")


def _http_get(url: str, timeout: float = 60, attempts: int = 3) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    return _with_retries(lambda: _read(request, timeout), attempts, url)


def _path_of(url: str, base_url: str) -> str | None:
    """The path of ``url`` when it points at the CMS itself (or is relative)."""
    if url.startswith("/"):
        return url
    if base_url and url.startswith(base_url + "/"):
        return url[len(base_url) :]
    return None


class ContentClient:
    """The three questions a build asks: the site, the pages, what was removed."""

    def __init__(self, transport: Transport):
        self.transport = transport

    def site(self) -> dict:
        return self.transport.query(document("site"))

    def pages(
        self,
        offset: int,
        limit: int = PAGE_SIZE,
        updated_since: str | None = None,
        ids: list[int] | None = None,
    ) -> PageWindow:
        variables = {"offset": offset, "limit": limit}
        if updated_since is not None:
            variables["updatedSince"] = updated_since
        if ids is not None:
            variables["ids"] = [str(pk) for pk in ids]
        data = self.transport.query(document("pages"), variables)["pages"]
        return PageWindow(data["totalCount"], data["items"], data["hasNextPage"])

    def removed(self, since: str) -> list[dict]:
        return self.transport.query(document("removed"), {"since": since})[
            "removedPages"
        ]


def transport_for(source_url: str | None) -> Transport:
    return HttpTransport(source_url) if source_url else InProcessTransport()
