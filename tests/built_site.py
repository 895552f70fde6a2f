"""The static site built into a temporary folder and served over real HTTP, for
the tests that read or click through a build."""

import functools
import http.server
import sys
import threading
from pathlib import Path


def build_into(folder: Path, full: bool = True, **options):
    """Build the site into ``folder`` (output, state and cache inside it)."""
    from builders.build import BuildOptions, build_site

    return build_site(
        BuildOptions(
            full=full,
            output_dir=folder / "output",
            state_path=folder / "state.sqlite3",
            cache_dir=folder / "cache",
            workers=1,
            **options,
        )
    )


def serve_folder(folder: Path):
    """``folder`` served over HTTP by a thread, as a static host would (the site's
    own 404 page); the caller shuts the server down."""
    handler = functools.partial(_StaticHost, directory=str(folder))
    server = _StaticServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


class _StaticServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser that leaves a page drops the requests still under way (its
        # images, the search index): not an error of the site. Others are shown.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _StaticHost(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
    }

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        # Like a static host: unknown paths get the site's own 404 page.
        page = Path(self.directory) / "404.html"
        if code == 404 and page.exists():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)
