"""A local stand-in for Netlify's API, because the real one cannot be reached from
tests. A small threaded HTTP server implementing what ``cms.publishing.deploy``
calls, with Netlify's paths and answer shapes:

* ``POST /api/v1/sites/{site_id}/deploys`` with ``{"files": {"/path": sha1}}``:
  a new deploy whose ``required`` lists the digests the site does not hold yet;
* ``PUT /api/v1/deploys/{id}/files/{path}``: one file's bytes (checked against
  the digest announced for that path); the deploy goes live once nothing is
  required any more, and then the site serves exactly the announced files;
* ``GET /api/v1/deploys/{id}``: the deploy's state;
* ``POST /build_hooks/{id}``: a build hook.

It checks the bearer token like Netlify (401), records every request, and can be
told to fail the next calls matching a path (e.g. 503) to exercise error paths.
"""

import hashlib
import itertools
import json
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API = "/api/v1"


@dataclass
class Recorded:
    method: str
    path: str  # as sent, still percent-encoded
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body or b"null")


@dataclass
class Deploy:
    id: str
    files: dict  # "/path" → sha1, as announced
    required: set
    state: str = "uploading"


@dataclass
class NetlifyStandIn:
    site_id: str = "portal-site"
    token: str = "netlify-test-token"
    url: str = ""
    requests: list = field(default_factory=list)
    failures: list = field(default_factory=list)  # [path regex, status]
    blobs: dict = field(default_factory=dict)  # sha1 → bytes the site holds
    deploys: dict = field(default_factory=dict)
    live: Deploy | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def api_url(self) -> str:
        return self.url + API

    def hook_url(self, hook_id="hook-1") -> str:
        return f"{self.url}/build_hooks/{hook_id}"

    def calls(self, method: str, pattern: str = "") -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.method == method and re.search(pattern, r.path)
        ]

    def uploaded_paths(self) -> list[str]:
        """Decoded paths of the files PUT to any deploy, in order."""
        prefix = re.compile(rf"^{API}/deploys/[^/]+/files/")
        return [
            urllib.parse.unquote(prefix.sub("", r.path))
            for r in self.calls("PUT", r"/files/")
        ]

    def published(self) -> dict[str, bytes]:
        """What the site serves now: path (without the leading slash) → bytes."""
        if self.live is None:
            return {}
        return {
            path.lstrip("/"): self.blobs[digest]
            for path, digest in self.live.files.items()
        }

    def fail_next(self, pattern: str, status: int, times: int = 1) -> None:
        self.failures += [[pattern, status] for _ in range(times)]

    def forget_requests(self) -> None:
        self.requests.clear()

    # --- endpoints ------------------------------------------------------------

    def create_deploy(self, site_id: str, payload: dict):
        if site_id != self.site_id:
            return 404, {"code": 404, "message": "Not Found"}
        files = payload.get("files")
        if not isinstance(files, dict) or not all(
            path.startswith("/") and re.fullmatch(r"[0-9a-f]{40}", str(digest))
            for path, digest in files.items()
        ):
            return 422, {"code": 422, "message": "files must map /paths to sha1"}
        deploy = Deploy(
            id=f"deploy-{next(self._ids)}",
            files=dict(files),
            required={d for d in files.values() if d not in self.blobs},
        )
        self.deploys[deploy.id] = deploy
        self._go_live_if_complete(deploy)
        return 200, self._deploy_json(deploy)

    def upload_file(self, deploy_id: str, quoted_path: str, body: bytes):
        deploy = self.deploys.get(deploy_id)
        if deploy is None:
            return 404, {"code": 404, "message": "Not Found"}
        path = "/" + urllib.parse.unquote(quoted_path)
        digest = hashlib.sha1(body).hexdigest()
        if deploy.files.get(path) != digest:
            return 422, {"code": 422, "message": f"{path}: unexpected content"}
        self.blobs[digest] = body
        deploy.required.discard(digest)
        self._go_live_if_complete(deploy)
        return 200, {"id": digest, "path": path, "sha": digest, "size": len(body)}

    def _go_live_if_complete(self, deploy: Deploy) -> None:
        if not deploy.required:
            deploy.state = "ready"
            self.live = deploy

    def _deploy_json(self, deploy: Deploy) -> dict:
        return {
            "id": deploy.id,
            "site_id": self.site_id,
            "state": deploy.state,
            "required": sorted(deploy.required),
        }


def _handler(state: NetlifyStandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status: int, payload=None):
            body = json.dumps(payload).encode() if payload is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with state.lock:
                state.requests.append(
                    Recorded(self.command, self.path, dict(self.headers), body)
                )
                for failure in state.failures:
                    if re.search(failure[0], self.path):
                        state.failures.remove(failure)
                        return self._send(failure[1], {"message": "stand-in failure"})
                return self._send(*self._route(body))

        def _route(self, body: bytes):
            path = self.path.split("?", 1)[0]
            if self.command == "POST" and path.startswith("/build_hooks/"):
                return 200, None  # hooks need no token; Netlify answers empty
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                return 401, {"code": 401, "message": "Access Denied"}
            route = f"{self.command} {path}"
            if match := re.fullmatch(rf"POST {API}/sites/([^/]+)/deploys", route):
                try:
                    payload = json.loads(body)
                except ValueError:
                    return 400, {"code": 400, "message": "invalid JSON"}
                return state.create_deploy(match[1], payload)
            if match := re.fullmatch(rf"PUT {API}/deploys/([^/]+)/files/(.+)", route):
                return state.upload_file(match[1], match[2], body)
            match = re.fullmatch(rf"GET {API}/deploys/([^/]+)", route)
            if match and match[1] in state.deploys:
                return 200, state._deploy_json(state.deploys[match[1]])
            return 404, {"code": 404, "message": "Not Found"}

        do_GET = do_POST = do_PUT = _handle

    return Handler


class running_standin:
    """``with running_standin() as netlify:`` serves a fresh stand-in on a free
    port of 127.0.0.1 for the duration of the block."""

    def __init__(self, **options):
        self.state = NetlifyStandIn(**options)

    def __enter__(self) -> NetlifyStandIn:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        self.state.url = f"http://{host}:{port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self.state

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
