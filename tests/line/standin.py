"""A local stand-in for the LINE Messaging API, because the real API cannot be
reached from tests. A small threaded HTTP server implementing the endpoints the
portal calls (reply, push, multicast, profile, rich menu create / image upload /
delete / default / bulk link, rich menu aliases; audience upload / add / status /
delete, narrowcast with its progress, and Insight's message event) with LINE's
documented request paths and answer shapes. It records every request for assertions and can be told
to fail the next calls (e.g. 429 with Retry-After) to exercise retries. Like LINE,
it answers 409 to a repeated ``X-Line-Retry-Key`` that was already accepted."""

import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


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
    user_menus: dict = field(default_factory=dict)  # user id → linked menu id
    # Audiences by id ({"user_ids", "status"}); a new one starts as this status.
    audiences: dict = field(default_factory=dict)
    new_audience_status: str = "READY"
    # Narrowcasts by request id ({"audience", "messages", "phase"}); a new one
    # starts as this phase (tests move it on by hand).
    narrowcasts: dict = field(default_factory=dict)
    new_narrowcast_phase: str = "succeeded"
    # How many friends the account has on LINE (a broadcast reaches them all).
    follower_count: int = 0
    # The follower list (GET /v2/bot/followers/ids), its page size, and whether
    # LINE refuses it (unverified accounts get 403).
    followers: list = field(default_factory=list)
    followers_page: int = 1000
    followers_forbidden: bool = False
    # Insight overviews by request id; without one, every recipient is delivered
    # and nobody has opened.
    insight: dict = field(default_factory=dict)
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
            headers = {"x-line-request-id": "req-standin", **(headers or {})}
            for k, v in headers.items():
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
            split = urlsplit(r.path)
            path, method = split.path, r.method
            query = {k: v[0] for k, v in parse_qs(split.query).items()}
            retry_key = self.headers.get("X-Line-Retry-Key")
            if retry_key and retry_key in state.accepted_retry_keys:
                earlier = [
                    request_id
                    for request_id, sent in state.narrowcasts.items()
                    if sent.get("retry_key") == retry_key
                ]
                return self._send(
                    409,
                    {"message": "The retry key is already accepted"},
                    {"x-line-accepted-request-id": (earlier or ["req-earlier"])[0]},
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
            if method == "GET" and path == "/v2/bot/followers/ids":
                if state.followers_forbidden:
                    return self._send(
                        403,
                        {
                            "message": "Access to this API is not available for your account"
                        },
                    )
                start = int(query.get("start") or 0)
                size = min(int(query.get("limit") or 300), state.followers_page)
                page = state.followers[start : start + size]
                answer = {"userIds": page}
                if start + size < len(state.followers):
                    answer["next"] = str(start + size)
                return self._send(200, answer)
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
            if method == "DELETE" and m:
                if m[1] not in state.aliases:
                    return self._send(400, {"message": "richmenu alias id not found"})
                del state.aliases[m[1]]
                return self._send(200, {})
            if method == "DELETE" and path == "/v2/bot/user/all/richmenu":
                state.default_menu = ""
                return self._send(200, {})
            if method == "POST" and m:
                if m[1] not in state.aliases:
                    return self._send(400, {"message": "richmenu alias id not found"})
                state.aliases[m[1]] = r.json["richMenuId"]
                return self._send(200, {})
            m = re.fullmatch(r"/v2/bot/user/all/richmenu/([\w-]+)", path)
            if method == "POST" and m:
                state.default_menu = m[1]
                return self._send(200, {})
            m = re.fullmatch(
                r"/v2/bot/user/(U[0-9a-f]{32})/richmenu(?:/([\w-]+))?", path
            )
            if m and method == "POST" and m[2]:
                state.user_menus[m[1]] = m[2]
                return self._send(200, {})
            if m and method == "DELETE":
                state.user_menus.pop(m[1], None)
                return self._send(200, {})
            if method == "POST" and path == "/v2/bot/richmenu/bulk/link":
                return self._send(202, {})
            routed = self._audience_and_narrowcast(r, path, method, query, retry_key)
            if routed is not None:
                return routed
            m = re.fullmatch(r"/v2/bot/richmenu/([\w-]+)", path)
            if method == "DELETE" and m:
                if state.menus.pop(m[1], None) is None:
                    return self._send(404, {"message": "Not found"})
                return self._send(200, {})
            return self._send(404, {"message": f"stand-in has no {method} {path}"})

        def _audience_and_narrowcast(self, r, path, method, query, retry_key):
            if method == "POST" and path == "/v2/bot/audienceGroup/upload":
                payload = r.json
                group_id = 4000000000000 + len(state.audiences) + 1
                state.audiences[group_id] = {
                    "user_ids": [a["id"] for a in payload.get("audiences", [])],
                    "status": state.new_audience_status,
                    "description": payload.get("description", ""),
                }
                return self._send(
                    202,
                    {
                        "audienceGroupId": group_id,
                        "createRoute": "MESSAGING_API",
                        "type": "UPLOAD",
                        "description": payload.get("description", ""),
                        "created": 1613698278,
                        "permission": "READ_WRITE",
                        "expireTimestamp": 1629250278,
                        "isIfaAudience": False,
                    },
                )
            if method == "PUT" and path == "/v2/bot/audienceGroup/upload":
                payload = r.json
                group = state.audiences.get(payload.get("audienceGroupId"))
                if group is None:
                    return self._send(400, {"message": "AUDIENCE_GROUP_NOT_FOUND"})
                group["user_ids"] += [a["id"] for a in payload.get("audiences", [])]
                return self._send(202, {})
            m = re.fullmatch(r"/v2/bot/audienceGroup/(\d+)", path)
            if m and int(m[1]) not in state.audiences:
                return self._send(400, {"message": "AUDIENCE_GROUP_NOT_FOUND"})
            if method == "GET" and m:
                group = state.audiences[int(m[1])]
                return self._send(
                    200,
                    {
                        "audienceGroup": {
                            "audienceGroupId": int(m[1]),
                            "type": "UPLOAD",
                            "description": group["description"],
                            "status": group["status"],
                            "audienceCount": len(group["user_ids"]),
                            "created": 1613698278,
                            "permission": "READ_WRITE",
                            "createRoute": "MESSAGING_API",
                            "isIfaAudience": False,
                        },
                        "jobs": [],
                    },
                )
            if method == "DELETE" and m:
                state.audiences[int(m[1])]["status"] = "DELETED"
                return self._send(202, {})
            if method == "POST" and path == "/v2/bot/message/narrowcast":
                payload = r.json
                group_id = payload.get("recipient", {}).get("audienceGroupId")
                if group_id not in state.audiences:
                    return self._send(400, {"message": "audience not found"})
                request_id = str(uuid.uuid4())
                state.narrowcasts[request_id] = {
                    "audience": group_id,
                    "messages": payload.get("messages", []),
                    "phase": state.new_narrowcast_phase,
                    "retry_key": retry_key,
                }
                if retry_key:
                    state.accepted_retry_keys.add(retry_key)
                return self._send(202, {}, {"x-line-request-id": request_id})
            if method == "POST" and path == "/v2/bot/message/broadcast":
                request_id = str(uuid.uuid4())
                state.narrowcasts[request_id] = {
                    "audience": None,
                    "count": state.follower_count,
                    "messages": r.json.get("messages", []),
                    "phase": "succeeded",
                    "retry_key": retry_key,
                }
                if retry_key:
                    state.accepted_retry_keys.add(retry_key)
                return self._send(200, {}, {"x-line-request-id": request_id})
            if method == "GET" and path == "/v2/bot/message/progress/narrowcast":
                sent = state.narrowcasts.get(query.get("requestId"))
                if sent is None:
                    return self._send(404, {"message": "Not found"})
                count = len(state.audiences[sent["audience"]]["user_ids"])
                answer = {
                    "phase": sent["phase"],
                    "acceptedTime": "2026-12-03T10:15:30.121Z",
                }
                if sent["phase"] == "succeeded":
                    answer |= {
                        "successCount": count,
                        "failureCount": 0,
                        "targetCount": count,
                        "completedTime": "2026-12-03T10:16:30.121Z",
                    }
                if sent["phase"] == "failed":
                    answer |= {
                        "failedDescription": "audience too small",
                        "errorCode": 4,
                        "completedTime": "2026-12-03T10:16:30.121Z",
                    }
                return self._send(200, answer)
            if method == "GET" and path == "/v2/bot/insight/message/event":
                request_id = query.get("requestId", "")
                sent = state.narrowcasts.get(request_id)
                if sent is None:
                    return self._send(404, {"message": "Not found"})
                count = (
                    sent["count"]
                    if sent["audience"] is None
                    else len(state.audiences[sent["audience"]]["user_ids"])
                )
                overview = {
                    "requestId": request_id,
                    "timestamp": 1568214000,
                    "delivered": count,
                    "uniqueImpression": None,
                    "uniqueClick": None,
                    "uniqueMediaPlayed": None,
                    "uniqueMediaPlayed100Percent": None,
                } | state.insight.get(request_id, {})
                return self._send(
                    200, {"overview": overview, "messages": [], "clicks": []}
                )
            return None

        do_GET = do_POST = do_PUT = do_DELETE = _handle

    return Handler


def start() -> tuple[StandIn, ThreadingHTTPServer]:
    state = StandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
