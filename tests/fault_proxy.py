"""A small TCP proxy between a sync client and the commune server that breaks chosen
exchanges the way village networks and servers break: a reply lost after the server
committed, a line cut in the middle of a request or a reply, a 500, a reply that never
comes.

It understands just enough HTTP/1.1 to find where each request and reply ends
(Content-Length or chunked), so a fault can land on exactly the Nth push or page while
the client keeps its connection alive as ``requests`` does.  Each request gets its own
connection to the server, so a server that closed an idle connection, or was killed and
restarted, never shows up as a fault nobody scripted.

Given several server processes (their ports), it sends each request to the next one in
turn, as a round-robin load balancer does: consecutive calls of one laptop's round land
on different processes, and each exchange says which one answered it.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, BinaryIO
from urllib.parse import urlsplit

MAX_LINE = 64 * 1024
INTERNAL_ERROR = (
    b"HTTP/1.1 500 Internal Server Error\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 21\r\n"
    b"Connection: close\r\n"
    b"\r\n"
    b"Internal Server Error"
)


class Fault(Enum):
    PASS = "pass"
    # The server committed, the laptop never hears back.
    DROP_REPLY = "drop_reply"
    # Half of the request reaches the server, then the line drops.
    CUT_REQUEST = "cut_request"
    # The server committed; half of its reply reaches the laptop.
    CUT_RESPONSE = "cut_response"
    # Something between the two answers 500; the server never sees the request.
    ANSWER_500 = "answer_500"
    # The server committed, but the laptop is told 500.
    REPLACE_WITH_500 = "replace_with_500"
    # The server committed; its reply is held until the laptop gives up waiting.
    HOLD = "hold"


@dataclass
class Message:
    """One HTTP request or reply, as raw bytes (a chunked body keeps its framing)."""

    head: bytes
    body: bytes

    @property
    def raw(self) -> bytes:
        return self.head + self.body

    @property
    def start_line(self) -> str:
        return self.head.split(b"\r\n", 1)[0].decode("latin-1")

    def header(self, name: str) -> str:
        return _headers(self.head).get(name.lower(), "")


@dataclass
class Exchange:
    """What happened to one request: for tests to know what the client was told."""

    method: str
    path: str
    number: int  # the Nth request with this method and path
    fault: Fault
    request: bytes
    upstream: int  # the port of the server process it was sent to
    reply: bytes = b""  # as the server sent it; empty if it never answered
    # The whole reply was written to the client's connection (a client that had given up
    # already does not read it: only a reply it was waiting for counts as received).
    delivered: bool = False
    done: threading.Event = field(default_factory=threading.Event)  # nothing more to come


@dataclass
class Checkpoint:
    """Where a chosen exchange stops until the test has done something to the server:
    ``reached`` is set once the request was forwarded (or, with ``after_reply``, once the
    server's whole reply was read), then the proxy waits for ``release``."""

    after_reply: bool = False
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def stop_here(self) -> None:
        self.reached.set()
        self.release.wait()


class FaultProxy:
    """Listens on 127.0.0.1 (bound before any thread starts: early connections wait in
    the backlog) and forwards to ``upstream`` on the same host: one port, or the ports of
    several server processes, taken in turn request by request."""

    def __init__(self, upstream: int | Sequence[int]) -> None:
        self.upstream_ports = (upstream,) if isinstance(upstream, int) else tuple(upstream)
        assert self.upstream_ports, "a proxy needs a server to forward to"
        self._forwarded = 0  # requests so far: the next goes to the next port in turn
        self.exchanges: list[Exchange] = []
        self._faults: dict[tuple[str, str, int], Fault] = {}
        self._checkpoints: dict[tuple[str, str, int], Checkpoint] = {}
        self._counts: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port: int = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(
            target=self._accept_loop, name="fault-proxy-accept", daemon=True
        )
        self._acceptor.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def inject(self, fault: Fault, method: str, path: str, *numbers: int) -> None:
        """Apply ``fault`` to the given ordinals (1-based) of requests to ``path``."""
        with self._lock:
            for number in numbers:
                self._faults[(method, path, number)] = fault

    def checkpoint(
        self, method: str, path: str, number: int, *, after_reply: bool = False
    ) -> Checkpoint:
        point = Checkpoint(after_reply)
        with self._lock:
            self._checkpoints[(method, path, number)] = point
        return point

    def next_number(self, method: str, path: str) -> int:
        """The ordinal the next request to ``path`` will get (as long as the client sends
        one request at a time)."""
        with self._lock:
            return self._counts.get((method, path), 0) + 1

    def will_hold(self, method: str, path: str, number: int) -> bool:
        with self._lock:
            return self._faults.get((method, path, number)) is Fault.HOLD

    def seen(self, method: str, path: str) -> list[Exchange]:
        with self._lock:
            return [e for e in self.exchanges if (e.method, e.path) == (method, path)]

    def close(self) -> None:
        """Stop accepting, break every open connection and join every thread."""
        self._stopping.set()
        # accept() is not woken by closing the socket from another thread: connect to it.
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
        self._acceptor.join(timeout=10)
        self._listener.close()
        with self._lock:
            for point in self._checkpoints.values():
                point.release.set()
            for sock in self._sockets:
                _shut(sock)
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout=10)
        alive = [t.name for t in (self._acceptor, *threads) if t.is_alive()]
        assert not alive, f"proxy threads still running: {alive}"

    # --- inside the proxy's threads ------------------------------------------------

    def _accept_loop(self) -> None:
        while True:
            client, _ = self._listener.accept()
            if self._stopping.is_set():
                client.close()
                return
            thread = threading.Thread(
                target=self._serve, args=(client,), name="fault-proxy-conn", daemon=True
            )
            with self._lock:
                self._sockets.add(client)
                self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        """One client connection: requests one after another until either side stops."""
        try:
            with client.makefile("rb") as from_client:
                while self._forward_one(client, from_client):
                    pass
        except OSError:  # ConnectionError included
            pass  # the client or the server went away: so does this connection
        finally:
            self._forget(client)

    def _forward_one(self, client: socket.socket, from_client: BinaryIO) -> bool:
        """Carry one exchange; False when the client connection must be closed."""
        request = read_message(from_client)
        if request is None:
            return False
        method, target = request.start_line.split(" ")[:2]
        path = urlsplit(target).path
        with self._lock:
            number = self._counts.get((method, path), 0) + 1
            self._counts[(method, path)] = number
            fault = self._faults.get((method, path, number), Fault.PASS)
            point = self._checkpoints.get((method, path, number))
            upstream = self.upstream_ports[self._forwarded % len(self.upstream_ports)]
            self._forwarded += 1
            exchange = Exchange(method, path, number, fault, request.raw, upstream)
            self.exchanges.append(exchange)
        try:
            return self._carry(client, request, exchange, point)
        finally:
            exchange.done.set()

    def _carry(
        self, client: socket.socket, request: Message, exchange: Exchange, point: Checkpoint | None
    ) -> bool:
        fault = exchange.fault
        if fault is Fault.ANSWER_500:
            client.sendall(INTERNAL_ERROR)
            return False
        upstream = self._connect_upstream(exchange.upstream)
        if upstream is None:
            return False  # the server is down: the client sees its connection drop
        try:
            if fault is Fault.CUT_REQUEST:
                cut = (
                    len(request.head) + len(request.body) // 2
                    if request.body
                    else len(request.head) // 2
                )
                upstream.sendall(request.raw[:cut])
                return False
            upstream.sendall(request.raw)
            if point is not None and not point.after_reply:
                point.stop_here()
            with upstream.makefile("rb") as from_server:
                reply = read_message(from_server)
        finally:
            self._forget(upstream)
        if reply is None:
            return False
        exchange.reply = reply.raw
        if point is not None and point.after_reply:
            point.stop_here()
        return self._answer(client, fault, reply, exchange)

    def _answer(
        self, client: socket.socket, fault: Fault, reply: Message, exchange: Exchange
    ) -> bool:
        if fault is Fault.DROP_REPLY:
            return False
        if fault is Fault.CUT_RESPONSE:
            client.sendall(reply.head + reply.body[: len(reply.body) // 2])
            return False
        if fault is Fault.REPLACE_WITH_500:
            client.sendall(INTERNAL_ERROR)
            return False
        if fault is Fault.HOLD:
            # Nothing is sent: the client's read timeout fires and it hangs up (b"").
            while client.recv(4096):
                pass
            return False
        # Marked before sending: the client may act on the reply before this thread runs on.
        exchange.delivered = True
        try:
            client.sendall(reply.raw)
        except OSError:
            exchange.delivered = False
            raise
        return reply.header("connection").lower() != "close"

    def _connect_upstream(self, port: int) -> socket.socket | None:
        try:
            upstream = socket.create_connection(("127.0.0.1", port), timeout=30)
        except OSError:
            return None
        with self._lock:
            self._sockets.add(upstream)
            if self._stopping.is_set():
                _shut(upstream)
        return upstream

    def _forget(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        sock.close()


def _shut(sock: socket.socket) -> None:
    # Wakes a thread blocked in recv() on this socket (it reads b"").
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


# --- HTTP/1.1 framing, just enough ------------------------------------------------------


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    found = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if sep:
            found[name.strip().lower()] = value.strip()
    return found


def _read_line(stream: BinaryIO) -> bytes:
    line = stream.readline(MAX_LINE)
    if not line.endswith(b"\n"):
        raise ConnectionError("connection closed inside a message")
    return line


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise ConnectionError("connection closed inside a body")
    return data


def _read_chunked(stream: BinaryIO) -> bytes:
    parts = []
    while True:
        size_line = _read_line(stream)
        parts.append(size_line)
        size = int(size_line.split(b";")[0].strip(), 16)
        if size == 0:
            break
        parts.append(_read_exactly(stream, size + 2))  # data and its CRLF
    while True:  # trailers, up to the empty line
        line = _read_line(stream)
        parts.append(line)
        if line in (b"\r\n", b"\n"):
            return b"".join(parts)


def read_message(stream: BinaryIO) -> Message | None:
    """The next request or reply on ``stream``; None if it closed between messages."""
    first = stream.readline(MAX_LINE)
    if not first:
        return None
    lines = [first]
    while lines[-1] not in (b"\r\n", b"\n"):
        lines.append(_read_line(stream))
    head = b"".join(lines)
    headers = _headers(head)
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return Message(head, _read_chunked(stream))
    # uvicorn frames every reply with a body; requests sends Content-Length with a body.
    return Message(head, _read_exactly(stream, int(headers.get("content-length", "0"))))


def _unchunk(body: bytes) -> bytes:
    data = b""
    while True:
        size_text, _, rest = body.partition(b"\r\n")
        size = int(size_text.split(b";")[0], 16)
        if size == 0:
            return data
        data += rest[:size]
        body = rest[size + 2 :]


def json_body(raw: bytes) -> Any:
    """The JSON a raw request or reply carries (chunked and gzip undone)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    headers = _headers(head + b"\r\n")
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _unchunk(body)
    if headers.get("content-encoding", "").lower() == "gzip":
        body = gzip.decompress(body)
    return json.loads(body)
