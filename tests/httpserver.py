"""A local HTTP server for fetch tests, on 127.0.0.1, with behaviour routes.

Each route's behaviour reads the server's `state`, which a test may change
between two runs (a programme revised, a server back to health).
"""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class ServerState:
    files: dict[str, bytes] = field(default_factory=dict)
    """path → bytes served as a programme, with ETag and Last-Modified."""
    failures: dict[str, list[int]] = field(default_factory=dict)
    """path → statuses to answer first (500, 429…), one per request."""
    slow_once: set[str] = field(default_factory=set)
    """paths whose first answer comes after `slow_seconds`."""
    slow_seconds: float = 2.0
    types: dict[str, str] = field(default_factory=dict)
    """path → Content-Type to claim, whatever the bytes are."""
    redirects: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    """(path, If-None-Match) of every request received."""
    posted: list[tuple[str, dict[str, str], bytes, int]] = field(default_factory=list)
    """(path, headers, body, status answered) of every POST received: a webhook receiver."""
    post_failures: list[int] = field(default_factory=list)
    """Statuses to answer the next POSTs with, one per request, before 204."""


class _Handler(BaseHTTPRequestHandler):
    state: ServerState

    def log_message(self, format: str, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        state, path = self.state, self.path
        state.requests.append((path, self.headers.get("If-None-Match", "")))
        if path in state.redirects:
            return self._answer(302, b"", {"Location": state.redirects[path]})
        if state.failures.get(path):
            status = state.failures[path].pop(0)
            return self._answer(status, b"temporary failure", {"Retry-After": "0"} if status == 429 else {})
        if path in state.slow_once:
            state.slow_once.discard(path)
            time.sleep(state.slow_seconds)
        if path not in state.files:
            return self._answer(404, b"not found", {})
        data = state.files[path]
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            return self._answer(304, b"", {"ETag": etag})
        headers = {
            "ETag": etag,
            "Last-Modified": email.utils.formatdate(usegmt=True),
            "Content-Type": state.types.get(path, "application/pdf"),
        }
        self._answer(200, data, headers)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status = self.state.post_failures.pop(0) if self.state.post_failures else 204
        self.state.posted.append((self.path, dict(self.headers.items()), body, status))
        self._answer(status, b"", {})

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a size cap, a timeout)


class ProgrammeServer:
    def __init__(self) -> None:
        self.state = ServerState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "ProgrammeServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
