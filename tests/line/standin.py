"""A local stand-in for the LINE Messaging API, because the real API cannot be
reached from tests. A small threaded HTTP server implementing the endpoints the
portal calls (reply, push, multicast, profile, rich menu create / image upload /
delete / default / bulk link, rich menu aliases) with LINE's documented request
paths and answer shapes. It records every request for assertions and can be told
to fail the next calls (e.g. 429 with Retry-After) to exercise retries. Like LINE,
it answers 409 to a repeated ``X-Line-Retry-Key`` that was already accepted."""

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body or b"null")


@dataclass
class StandIn:
    requests: list = field(default_factory=list)
    failures: list = field(default_factory=list)  # [path regex, status, headers]
    aliases: dict = field(default_factory=dict)
    menus: dict = field(default_factory=dict)
    accepted_retry_keys: set = field(default_factory=set)
    default_menu: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def calls(self, path_pattern: str, method: str = "POST") -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.method == method and re.search(path_pattern, r.path)
        ]

    def fail_next(self, path_pattern: str, status: int, times: int = 1, headers=None):
        for _ in range(times):
            self.failures.append([path_pattern, status, headers or {}])


def _handler(state: StandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status, payload=None, headers=None):
            body = json.dumps(payload if payload is not None else {}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("x-line-request-id", "req-standin")
            for k, v in (headers or {}).items():
                self.send_header(k, str(v))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            record = Recorded(self.command, self.path, dict(self.headers), body)
            with state.lock:
                state.requests.append(record)
                if not self.headers.get("Authorization", "").startswith("Bearer "):
                    return self._send(401, {"message": "Authentication failed"})
                for failure in list(state.failures):
                    if re.search(failure[0], self.path):
                        state.failures.remove(failure)
                        return self._send(
                            failure[1], {"message": "stand-in failure"}, failure[2]
                        )
                return self._route(record)

        def _route(self, r: Recorded):
            path, method = r.path, r.method
            retry_key = self.headers.get("X-Line-Retry-Key")
            if retry_key and retry_key in state.accepted_retry_keys:
                return self._send(
                    409,
                    {"message": "The retry key is already accepted"},
                    {"x-line-accepted-request-id": "req-earlier"},
                )
            if method == "POST" and path in ("/v2/bot/message/reply",):
                sent = [
                    {"id": f"4612309668420{i:05d}", "quoteToken": "IStG5h1Tz7b..."}
                    for i, _ in enumerate(r.json.get("messages", []))
                ]
                return self._send(200, {"sentMessages": sent})
            if method == "POST" and path in (
                "/v2/bot/message/push",
                "/v2/bot/message/multicast",
            ):
                payload = r.json
                if path.endswith("multicast") and len(payload.get("to", [])) > 500:
                    return self._send(
                        400,
                        {
                            "message": "The property, 'to', size must be between 1 and 500"
                        },
                    )
                if retry_key:
                    state.accepted_retry_keys.add(retry_key)
                return self._send(
                    200,
                    {"sentMessages": [{"id": "461230966842064897"}]}
                    if path.endswith("push")
                    else {},
                )
            m = re.fullmatch(r"/v2/bot/profile/(U[0-9a-f]{32})", path)
            if method == "GET" and m:
                return self._send(
                    200,
                    {
                        "userId": m[1],
                        "displayName": "テスト太郎",
                        "pictureUrl": "https://profile.line-scdn.net/x",
                        "language": "ja",
                    },
                )
            if method == "POST" and path == "/v2/bot/richmenu":
                menu_id = f"richmenu-{len(state.calls(r'^/v2/bot/richmenu$')):032d}"
                state.menus[menu_id] = {"request": r.json, "image": None}
                return self._send(200, {"richMenuId": menu_id})
            m = re.fullmatch(r"/v2/bot/richmenu/([\w-]+)/content", path)
            if method == "POST" and m:
                if m[1] not in state.menus:
                    return self._send(404, {"message": "Not found"})
                state.menus[m[1]]["image"] = r.body
                return self._send(200, {})
            if method == "POST" and path == "/v2/bot/richmenu/alias":
                payload = r.json
                if payload["richMenuAliasId"] in state.aliases:
                    return self._send(400, {"message": "conflict richmenu alias id"})
                state.aliases[payload["richMenuAliasId"]] = payload["richMenuId"]
                return self._send(200, {})
            m = re.fullmatch(r"/v2/bot/richmenu/alias/([\w-]+)", path)
            if method == "POST" and m:
                if m[1] not in state.aliases:
                    return self._send(400, {"message": "richmenu alias id not found"})
                state.aliases[m[1]] = r.json["richMenuId"]
                return self._send(200, {})
            m = re.fullmatch(r"/v2/bot/user/all/richmenu/([\w-]+)", path)
            if method == "POST" and m:
                state.default_menu = m[1]
                return self._send(200, {})
            if method == "POST" and path == "/v2/bot/richmenu/bulk/link":
                return self._send(202, {})
            m = re.fullmatch(r"/v2/bot/richmenu/([\w-]+)", path)
            if method == "DELETE" and m:
                state.menus.pop(m[1], None)
                return self._send(200, {})
            return self._send(404, {"message": f"stand-in has no {method} {path}"})

        do_GET = do_POST = do_DELETE = _handle

    return Handler


def start() -> tuple[StandIn, ThreadingHTTPServer]:
    state = StandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
