"""Fixtures for the akiya bank link: consenting listings with photos, and the real
targets a feed is pushed to: an SFTP server (asyncssh, in a thread) and an HTTP
server (http.server, in a thread), both on 127.0.0.1 and started by the test."""

import asyncio
import datetime
import http.server
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cms.akiya_bank.models import FeedConsumer, PushTarget
from cms.listings.models import AkiyaPhoto
from tests import factories
from tests.real_parts import free_port

IMMEDIATE = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}


@pytest.fixture(autouse=True)
def akiya_settings(settings, tmp_path):
    """Quick retries, a private cache folder, and the background queue run inline
    (tests that check the queue itself switch it back)."""
    settings.VAR_DIR = tmp_path / "var"
    settings.AKIYA_BANK = {
        **settings.AKIYA_BANK,
        "IMMEDIATE_ATTEMPTS": 1,
        "IMMEDIATE_RETRY_SECONDS": 0,
        "RETRY_BASE_SECONDS": 60,
        "CONNECT_TIMEOUT_SECONDS": 5,
        "TRANSFER_TIMEOUT_SECONDS": 10,
        "MEDIA_BASE_URL": "https://cms.example.jp",
        "LIFULL_MEMBER_NUMBER": "A1234567",
    }
    settings.TASKS = {**settings.TASKS, "background": IMMEDIATE}
    return settings


def add_photos(page, count: int, kinds=("exterior", "interior", "floor_plan")):
    collection = page.municipality.collection
    for index in range(count):
        image = factories.make_image(
            collection, f"{page.slug}-photo-{index}", f"{page.title}の写真{index + 1}"
        )
        AkiyaPhoto.objects.create(
            page=page,
            image=image,
            kind=kinds[index % len(kinds)],
            caption=f"写真{index + 1}",
            sort_order=index,
        )


@pytest.fixture
def add_listing(portal):
    """A valid, consenting, published listing (with two photos) in a municipality."""
    counter = iter(range(1, 1000))

    def build(slug="mito", photos=2, publish=True, **overrides):
        number = next(counter)
        fields = {
            "title": f"{portal.municipalities[slug].name}の連携物件{number}",
            "slug": f"feed-{slug}-{number}",
            "registration_number": f"F-{slug}-{number:03d}",
            "national_bank_consent": True,
            "national_bank_consent_on": datetime.date(2026, 4, 1),
            "latitude": "36.365800",
            "longitude": "140.471200",
            "address": f"茨城県{portal.municipalities[slug].name}大字テスト123",
            **overrides,
        }
        page = factories.add_akiya(portal.section(slug), publish=False, **fields)
        add_photos(page, photos)
        if publish:
            page.save_revision().publish()
        page.refresh_from_db()
        return page

    return build


def republish(page, **changes):
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def consumer(db):
    """A feed consumer and its token."""
    record = FeedConsumer(name="全国版空き家バンク（テスト）")
    token = record.issue_token()
    record.save()
    return record, token


# --- SFTP ------------------------------------------------------------------------


@dataclass
class SftpServer:
    root: Path
    port: int
    host_key_line: str
    username: str = "akiya"
    password: str = "sftp-secret-123"
    _loop: asyncio.AbstractEventLoop | None = None
    _server: object = None
    _thread: threading.Thread | None = None
    logins: list = field(default_factory=list)

    def start(self):
        import asyncssh

        server_record = self

        class Server(asyncssh.SSHServer):
            def begin_auth(self, username):
                return True

            def password_auth_supported(self):
                return True

            def validate_password(self, username, password):
                server_record.logins.append(username)
                return (username, password) == (
                    server_record.username,
                    server_record.password,
                )

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

        async def listen():
            return await asyncssh.listen(
                "127.0.0.1",
                self.port,
                server_factory=Server,
                server_host_keys=[self._host_key],
                sftp_factory=lambda chan: asyncssh.SFTPServer(
                    chan, chroot=str(self.root).encode()
                ),
            )

        self._server = asyncio.run_coroutine_threadsafe(listen(), self._loop).result(10)
        return self

    def stop(self):
        if self._server is None:
            return

        async def close():
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._server = None

    def files(self) -> dict[str, bytes]:
        return {
            str(path.relative_to(self.root)): path.read_bytes()
            for path in sorted(self.root.rglob("*"))
            if path.is_file()
        }


@pytest.fixture
def sftp_server(tmp_path):
    """A real SFTP server on 127.0.0.1 (asyncssh) with password log-in, serving a
    temporary folder; ``stop()``/``start()`` take it down and bring it back."""
    import asyncssh

    key = asyncssh.generate_private_key("ssh-ed25519")
    root = tmp_path / "sftp-root"
    root.mkdir()
    server = SftpServer(
        root=root,
        port=free_port(),
        host_key_line=key.export_public_key().decode().strip(),
    )
    server._host_key = key
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sftp_target(db, sftp_server):
    return PushTarget.objects.create(
        name="全国版バンク SFTP",
        protocol="sftp",
        format="lifull-csv",
        mode="full",
        host="127.0.0.1",
        port=sftp_server.port,
        username=sftp_server.username,
        secret=sftp_server.password,
        host_key=sftp_server.host_key_line,
        remote_dir="upload",
    )


# --- HTTP ------------------------------------------------------------------------


@dataclass
class HttpTarget:
    url: str
    requests: list = field(default_factory=list)
    status: int = 200


@pytest.fixture
def http_target():
    """A real HTTP server on 127.0.0.1 that records every POST; set ``status`` to
    make it fail (503) as a broken target would."""
    record = HttpTarget(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            if record.status == 200:
                record.requests.append({"headers": dict(self.headers), "body": body})
            self.send_response(record.status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if record.status == 200 else b"unavailable")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    record.url = f"http://127.0.0.1:{server.server_address[1]}/akiya/feed"
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()
