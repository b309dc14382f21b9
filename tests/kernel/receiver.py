"""A local HTTP receiver for notification tests: answers from a script, records every request, and checks
the webhook signature as a real receiver would."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def signature_ok(self, secret: str) -> bool:
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers.get("x-fieldscore-signature", ""), expected)


@dataclass
class Receiver:
    url: str = ""
    # answers in order, then the last one again: (status, body)
    script: list[tuple[int, bytes]] = field(default_factory=lambda: [(200, b'{"errcode":0,"errmsg":"ok"}')])
    requests: list[Received] = field(default_factory=list)
    hold: threading.Event | None = None  # set: every request waits for it before answering
    arrived: threading.Event = field(default_factory=threading.Event)

    def processed_ids(self) -> set[str]:
        """What a receiver that drops repeats of a delivery id processes."""
        return {r.headers.get("x-fieldscore-delivery", "") for r in self.requests}


@contextmanager
def receiver(**kwargs: Any) -> Iterator[Receiver]:
    state = Receiver(**kwargs)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                n = len(state.requests)
                state.requests.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                status, answer = state.script[min(n, len(state.script) - 1)]
            state.arrived.set()
            if state.hold is not None:
                state.hold.wait(60)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:
                pass  # the sender is gone (killed mid-request)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        if state.hold is not None:
            state.hold.set()
        server.shutdown()
        server.server_close()
