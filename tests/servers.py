"""Real local servers for the tests: an HTTP server, an SMTP server and a server that
accepts a connection and then answers a byte at a time, or never, which receive alerts;
and a PostgreSQL server for the Dagster instance of a team's deployment."""

import itertools
import json
import os
import pwd
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from filelock import FileLock


class HttpSink:
    def __init__(self):
        self.posts: list[dict] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                sink.posts.append(json.loads(body))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class SmtpSink:
    def __init__(self):
        self.messages: list[str] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                sink.messages.append(envelope.content.decode("utf-8", "replace"))
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class Trickler:
    """A TCP server that takes a connection and then answers as slowly as it likes.

    `http=True` reads the HTTP request first (so the client is waiting for the response);
    then `answer` is sent one byte per `interval` seconds, `filler` repeating after it
    forever, or nothing at all when `answer` is None. `closed` holds the monotonic time at
    which the client went away, one entry per connection.
    """

    def __init__(
        self,
        answer: bytes | None,
        filler: bytes = b"a",
        http: bool = False,
        interval: float = 1.0,
    ):
        self.answer, self.filler, self.http, self.interval = answer, filler, http, interval
        self.connections = 0
        self.requests: list[bytes] = []
        self.closed: list[float] = []
        self._stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join(5)
        self.listener.close()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _read_request(self, conn) -> bool:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return False
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return False
            body += chunk
        self.requests.append(body)
        return True

    def _serve(self, conn):
        with conn:
            if self.http and not self._read_request(conn):
                self.closed.append(time.monotonic())
                return
            if self.answer is None:
                stream = iter(())
            else:
                stream = itertools.chain(self.answer, itertools.cycle(self.filler))
            while not self._stop.is_set():
                # Waiting on the socket rather than sleeping notices the client leaving.
                readable, _, _ = select.select([conn], [], [], self.interval)
                if readable:
                    try:
                        if not conn.recv(65536):
                            break
                    except OSError:
                        break
                    continue
                byte = next(stream, None)
                if byte is None:
                    continue
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    break
            self.closed.append(time.monotonic())


POSTGRES_MISSING = (
    "PostgreSQL's initdb and pg_ctl are not installed: install the Debian package "
    "postgresql (apt-get install postgresql)"
)
# Folders of the servers the tests start, in the temporary folder (see `shared_postgres`).
_POSTGRES_PREFIX = "cx-pytest-postgres-"


def postgres_binaries() -> Path | None:
    """The folder of initdb and pg_ctl: Debian keeps them out of PATH, one folder per
    major version (the newest is taken), other systems put them on PATH."""
    folders = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()),
        key=lambda p: int(p.parent.name),
        reverse=True,
    )
    for folder in folders:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).parent == Path(pg_ctl).parent:
        return Path(initdb).parent
    return None


def _server_user() -> str | None:
    """Who runs the server: initdb and postgres refuse to run as root (CI runs as root),
    so root hands them to the postgres account Debian's package creates, else nobody."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root, and neither a postgres nor a nobody account exists")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """A PostgreSQL server of its own in `folder`: trust authentication, TCP on 127.0.0.1
    only (no Unix socket, whose default folder belongs to the system's server), and no
    fsync (a test's data need not survive a power cut)."""

    host = "127.0.0.1"
    superuser = "postgres"

    def __init__(self, bin_dir: Path, folder: Path, port: int, user: str | None):
        self.bin_dir, self.folder, self.port, self.user = Path(bin_dir), Path(folder), port, user

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def log_path(self) -> Path:
        return self.folder / "server.log"

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / tool), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        # The server's user may not be able to enter the tests' working directory.
        completed = subprocess.run(
            command, cwd=self.folder, capture_output=True, text=True, timeout=120
        )
        if check and completed.returncode != 0:
            log = ""
            if self.log_path.exists():
                log = self.log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(
                f"{tool} {' '.join(args)} exited {completed.returncode}\n"
                f"{completed.stdout}{completed.stderr}{log}"
            )
        return completed

    def init(self) -> None:
        self._run(
            "initdb",
            *("-D", str(self.data_dir), "-U", self.superuser, "--auth=trust"),
            *("--encoding=UTF8", "--no-locale", "--no-sync"),
        )

    def start(self) -> None:
        options = " ".join(
            [
                f"-p {self.port}",
                f"-c listen_addresses={self.host}",
                "-c unix_socket_directories=''",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
            ]
        )
        self._run(
            "pg_ctl",
            *("-D", str(self.data_dir), "-l", str(self.log_path), "-w", "-t", "60"),
            *("-o", options, "start"),
        )

    def running(self) -> bool:
        if not self.data_dir.is_dir():
            return False
        return self._run("pg_ctl", "-D", str(self.data_dir), "status", check=False).returncode == 0

    def stop(self, mode: str = "fast") -> None:
        if self.running():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop", check=False)

    def connect(self, dbname: str = "postgres"):
        import psycopg2  # what dagster-postgres installs

        return psycopg2.connect(
            host=self.host, port=self.port, user=self.superuser, dbname=dbname, connect_timeout=10
        )

    def create_database(self, name: str) -> str:
        """A new, empty database: each test gets its own Dagster storage."""
        con = self.connect()
        try:
            # outside a transaction, which psycopg2 opens by itself otherwise
            con.autocommit = True
            with con.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            con.close()
        return name

    def dagster_env(self, dbname: str) -> dict[str, str]:
        """The variables deploy/dagster.yaml reads, pointed at `dbname` on this server."""
        return {
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USERNAME": self.superuser,
            # trust authentication ignores it; the documented file requires one
            "DAGSTER_PG_PASSWORD": "unused-with-trust-auth",
            "DAGSTER_PG_DB": dbname,
        }

    def state(self, owner: int) -> dict:
        return {
            "bin_dir": str(self.bin_dir),
            "folder": str(self.folder),
            "port": self.port,
            "user": self.user,
            "owner": owner,
        }

    @classmethod
    def from_state(cls, state: dict) -> "PostgresServer":
        return cls(Path(state["bin_dir"]), Path(state["folder"]), state["port"], state["user"])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _stop_abandoned_servers() -> None:
    """Servers whose test session died without stopping them (a killed pytest): stopped
    and removed, so that they do not pile up on a developer's machine."""
    for folder in Path(tempfile.gettempdir()).glob(_POSTGRES_PREFIX + "*"):
        state_file = folder / "state.json"
        try:
            state = json.loads(state_file.read_text())
        except (OSError, ValueError):
            continue
        if _pid_alive(state["owner"]):
            continue
        PostgresServer.from_state(state).stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


def shared_postgres(root: Path, owner: int) -> PostgresServer:
    """The session's server, started by the first worker that asks for it while the others
    wait (the workers' temporary folders share the parent `root`). `owner` is the process of
    the whole session (pytest's, or xdist's controller), which stops it at the end."""
    bin_dir = postgres_binaries()
    if bin_dir is None:
        raise RuntimeError(POSTGRES_MISSING)
    pointer = root / "postgres.json"
    with FileLock(str(pointer) + ".lock"):
        if pointer.exists():
            server = PostgresServer.from_state(json.loads(pointer.read_text()))
            if server.running():
                return server
        _stop_abandoned_servers()
        user = _server_user()
        # Not under pytest's temporary folder: it is private to the user who runs pytest,
        # and the server's own user has to write here.
        folder = Path(tempfile.mkdtemp(prefix=_POSTGRES_PREFIX))
        if user:
            account = pwd.getpwnam(user)
            os.chown(folder, account.pw_uid, account.pw_gid)
        server = PostgresServer(bin_dir, folder, _free_port(), user)
        (folder / "state.json").write_text(json.dumps(server.state(owner)))
        server.init()
        for attempt in range(3):
            try:
                server.start()
                break
            except RuntimeError:
                # Another program took the free port in the meantime.
                if attempt == 2:
                    raise
                server.port = _free_port()
        (folder / "state.json").write_text(json.dumps(server.state(owner)))
        pointer.write_text(json.dumps(server.state(owner)))
        return server


def stop_shared_postgres(root: Path) -> None:
    """At the end of the session: the server `shared_postgres` started under `root`."""
    pointer = root / "postgres.json"
    with FileLock(str(pointer) + ".lock"):
        if not pointer.exists():
            return
        server = PostgresServer.from_state(json.loads(pointer.read_text()))
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)
        pointer.unlink()
