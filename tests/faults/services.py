"""Throwaway instances of the backing services, for the fault tests to stop, kill and restart.

The shared services (`infra/services.sh`) serve every other test, in two pytest processes at
once: a fault test never touches them. Each instance here runs on a free port from the same
binaries as infra/services.sh (Debian's PostgreSQL and redis-server, moto's S3 server, the
aiosmtpd sink), and comes back on the same port when it is started again, as a real service
does after an outage.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.moto_server.werkzeug_app import MotoRequestHandler as _MotoRequestHandler
from werkzeug.serving import ThreadedWSGIServer

from tests.support_mail import Sink, free_port

START_TIMEOUT_SECONDS = 30


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(condition: Any, what: str, timeout: float = START_TIMEOUT_SECONDS) -> None:
    """Poll `condition` until it holds; fail naming `what` if it never does."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {timeout} s")
        time.sleep(0.05)


def _as_postgres(command: list[str]) -> list[str]:
    """initdb refuses root: run PostgreSQL as the postgres user when we are root."""
    if os.getuid() != 0:
        return command
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{part}'" for part in command)]


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if found:
        return found[-1]
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is None:
        raise RuntimeError("PostgreSQL is not installed (infra/services.sh start installs it)")
    return Path(pg_ctl).resolve().parent


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own in a temporary folder (the postgres user must reach it,
    so not under pytest's private tmp_path)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.bin = _postgres_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="marketplace-fault-pg-"))
        self.folder.chmod(0o755)
        self.data = self.folder / "data"
        self.data.mkdir(mode=0o700)
        if os.getuid() == 0:
            shutil.chown(self.data, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [
                    str(self.bin / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *arguments: str) -> None:
        subprocess.run(
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), *arguments]),
            check=True,
            capture_output=True,
        )

    def start(self) -> ThrowawayPostgres:
        options = (
            f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=100"
        )
        self._pg_ctl("-l", str(self.data / "log"), "-o", options, "-w", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session and shuts down cleanly; `immediate` is a crash."""
        self._pg_ctl("-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


class ThrowawayRedis:
    """redis-server as infra/services.sh runs it (no persistence): a kill loses its queue."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> ThrowawayRedis:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: port_open(self.port), f"redis-server answers on {self.port}")
        return self

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


class _TrackingServer(ThreadedWSGIServer):
    """werkzeug's threaded server, keeping each connection so that stopping can cut them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connections: list[socket.socket] = []

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        self.connections.append(connection)
        return connection, address


class _QuietHandler(_MotoRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class ThrowawayS3:
    """moto's S3 in this process (its state lives in the process, so objects outlive a stop,
    as they outlive an outage of real S3). stop() closes the port and every open connection;
    hold() keeps each request waiting, unanswered, until release()."""

    def __init__(self) -> None:
        self.port = free_port()
        self._open = threading.Event()
        self._open.set()
        self.held = threading.Event()
        self._server: _TrackingServer | None = None
        self._thread: threading.Thread | None = None
        self._app = DomainDispatcherApplication(create_backend_app)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not self._open.is_set():
            self.held.set()
            self._open.wait()
        return self._app(environ, start_response)

    def start(self) -> ThrowawayS3:
        self._server = _TrackingServer("127.0.0.1", self.port, self._wsgi, handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        for connection in server.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join()

    def hold(self) -> None:
        self.held.clear()
        self._open.clear()

    def release(self) -> None:
        self._open.set()


class ThrowawaySmtp(Sink):
    """The aiosmtpd sink of tests/support_mail.py, stopped and started again on its own port;
    it keeps every message it accepted across the outage."""

    running = False

    def start(self) -> ThrowawaySmtp:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        self.running = True
        return self

    def stop(self) -> None:
        if self.running:
            self.running = False
            self._controller.stop()


MARKETPLACE = Path(__file__).parents[2] / ".venv" / "bin" / "marketplace"


def start_worker(log: Path) -> subprocess.Popen[bytes]:
    """`marketplace worker` with this test's environment, writing to `log`."""
    with log.open("a") as out:
        return subprocess.Popen(
            [str(MARKETPLACE), "worker"],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


class WebProcess:
    """`marketplace run` on a free port with this test's environment (its database, its
    services, its data folder), killed with SIGKILL as a crash or an OOM kill would."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _answers(self) -> bool:
        import urllib.error
        import urllib.request

        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"`marketplace run` exited:\n{self.log.read_text()}")
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):  # noqa: S310
                return True
        except urllib.error.HTTPError:
            return True  # it answers, even if a dependency is down
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def start(self) -> WebProcess:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [str(MARKETPLACE), "run", "--port", str(self.port)],
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._answers, "`marketplace run` answers", timeout=60)
        return self

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
