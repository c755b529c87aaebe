"""Real local servers that receive alerts in tests: an HTTP server, an SMTP server, and
a server that accepts a connection and then answers a byte at a time, or never."""

import itertools
import json
import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


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
