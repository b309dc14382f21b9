"""Real processes for tests that need them: the project served by gunicorn with an environment of its own,
``manage.py`` commands against it, a throwaway Redis, and a small HTTP client.

Outage and contention tests cannot run inside the test process: they need their own database file or
cluster, production settings (``DEBUG`` off), and services the test can stop while the server runs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def project_env(**overrides: str) -> dict[str, str]:
    """The environment of a fresh deployment: no test settings, no inherited database or Redis."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "FIELDSCORE_TEST_REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py`` with this environment; its stdout."""
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def manage_json(env: dict[str, str], code: str) -> Any:
    """Run Python in ``manage.py shell`` and read the JSON its last line prints."""
    return json.loads(manage(env, "shell", "-v", "0", "-c", code).strip().splitlines()[-1])


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a test looks at the redirect itself


_OPENER = urllib.request.build_opener(_NoRedirects)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 60
) -> Response:
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))  # noqa: S310
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with _OPENER.open(request, timeout=timeout) as r:
            return Response(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
    except urllib.error.HTTPError as e:
        return Response(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str] = field(repr=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_gunicorn(env: dict[str, str], log: Path, *, workers: int = 2, threads: int = 4) -> Server:
    """gunicorn serving ``backend.wsgi`` on a free loopback port, once ``/healthz`` answers."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "backend.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--threads", str(threads), "--timeout", "120",
             "--graceful-timeout", "5", "--error-logfile", "-"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", process, log, env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {server.log_text()[-3000:]}")
        try:
            if call("GET", f"{server.url}/healthz", timeout=2).status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise AssertionError(f"gunicorn did not answer: {server.log_text()[-3000:]}")


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def start_redis(directory: Path) -> RedisServer:
    """A throwaway redis-server on a free loopback port (the test skips when Redis is not installed)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("需要 redis-server（make test 会安装）")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return RedisServer(port, process)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("redis-server did not start")


@dataclass
class Services:
    """``deploy/test-services.sh``'s throwaway PostgreSQL/PostGIS cluster and Redis, which a test may stop
    and start again while a server uses them."""

    state: Path
    database_url: str
    redis_url: str

    @property
    def _pg_port(self) -> str:
        return self.database_url.rsplit(":", 1)[1].split("/", 1)[0]

    def _pg_ctl(self, *args: str) -> None:
        versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: int(p.name.split(".")[0]))
        command = [str(versions[-1] / "bin" / "pg_ctl"), "-D", str(self.state / "pg"), "-w", *args]
        if os.getuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603

    def stop_postgres(self) -> None:
        self._pg_ctl("-m", "immediate", "stop")  # as a crash or a killed VM would

    def start_postgres(self) -> None:
        options = f"-p {self._pg_port} -k {self.state / 'sock'} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-l", str(self.state / "pg.log"), "-t", "60", "start", "-o", options)

    def stop_redis(self) -> None:
        pid = int((self.state / "redis.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", int(self.redis_url.rsplit(":", 1)[1])), 0.2):
                    time.sleep(0.05)
            except OSError:
                return

    def close(self) -> None:
        subprocess.run([str(REPO / "deploy" / "test-services.sh"), "stop", str(self.state)], check=False)  # noqa: S603


def start_services() -> Services:
    """A PostgreSQL/PostGIS cluster and a Redis of the test's own (skips when they are not installed)."""
    if not Path("/usr/lib/postgresql").is_dir() or shutil.which("redis-server") is None:
        pytest.skip("需要 PostgreSQL/PostGIS 与 redis-server（make test 会安装）")
    import tempfile

    state = Path(tempfile.mkdtemp(prefix="fieldscore-outage-", dir="/tmp"))  # the postgres user reads it
    done = subprocess.run(  # noqa: S603
        [str(REPO / "deploy" / "test-services.sh"), "start", str(state)], capture_output=True, text=True
    )
    services = Services(state, "", "")
    if done.returncode != 0:
        services.close()
        raise AssertionError(done.stderr[-2000:])
    values = dict(
        line.removeprefix("export ").split("=", 1)
        for line in (state / "env").read_text().splitlines()
        if line.startswith("export ")
    )
    services.database_url = values["DATABASE_URL"]
    services.redis_url = values["FIELDSCORE_TEST_REDIS_URL"].rsplit("/", 1)[0]
    return services
