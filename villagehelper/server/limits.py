"""Request hygiene before any endpoint runs: body size, gzip bodies, protocol version,
query parameters given twice; and the throttles the endpoints apply (:class:`Throttles`).

A plain ASGI middleware, so the limits hold for every route, including ones added later,
and a compressed body can never expand past the limit ("zip bomb").
"""

from __future__ import annotations

import json
import os
import threading
import time
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, fields, replace
from typing import Any, Protocol
from urllib.parse import parse_qsl

from villagehelper.errors import UserError
from villagehelper.exchange import wire
from villagehelper.exchange.update_offer import LATEST_PATH, UpdateOffer
from villagehelper.server.text_guard import holds_lone_surrogate, invalid_text_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
UPDATES = LATEST_PATH.rsplit("/", 1)[0] + "/"  # the update calls: "/v1/updates/"


def error_body(code: str, message_vi: str, message_en: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message_vi": message_vi, "message_en": message_en, **extra}


async def reply(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _too_old(update: UpdateOffer | None) -> dict[str, Any]:
    if update is None:
        return error_body(
            "client_too_old",
            "Phiên bản VillageHelper trên máy này đã cũ, máy chủ xã không nhận nữa. "
            "Hãy cập nhật VillageHelper rồi đồng bộ lại; dữ liệu chưa gửi vẫn được giữ trên máy.",
            "This VillageHelper is too old for the commune server. Update it and sync again; "
            "nothing unsent is lost.",
        )
    # The installer is on this server (update_offer.py): the laptop can offer it at once.
    return error_body(
        "client_too_old",
        "Phiên bản VillageHelper trên máy này đã cũ, máy chủ xã không nhận nữa. Máy chủ xã "
        f"có phiên bản mới {update.version}: hãy bấm tải và cài bản cập nhật đó, rồi đồng bộ "
        "lại; dữ liệu chưa gửi vẫn được giữ trên máy.",
        f"This VillageHelper is too old for the commune server. The server has version "
        f"{update.version}: download and install that update, then sync again; nothing "
        "unsent is lost.",
        update=update.to_json(),
    )


class RequestLimits:
    def __init__(
        self,
        app: ASGIApp,
        max_body: int = wire.MAX_BODY_BYTES,
        update_for: Callable[[Scope], UpdateOffer | None] | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        # The installer a laptop refused as too old can update itself with (update_notice.py).
        self.update_for = update_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Latin-1, as HTTP and ASGI define header bytes: any byte sequence decodes, so an
        # odd header is judged like any other instead of failing the request (500).
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope["headers"]
        }
        path: str = scope["path"]
        # The update calls need no protocol: a laptop too old to sync fetches its update.
        if path.startswith("/v1/") and path != "/v1/health" and not path.startswith(UPDATES):
            protocol = whole_number(headers.get(wire.PROTOCOL_HEADER.lower(), ""))
            if protocol is None or protocol < wire.MIN_CLIENT_PROTOCOL:
                update = self.update_for(scope) if self.update_for else None
                await reply(send, 426, _too_old(update))
                return
        repeated = _repeated_parameter(scope.get("query_string", b""))
        if repeated is not None:
            await reply(send, 422, _given_twice(repeated))
            return
        declared = whole_number(headers.get("content-length", "0"))
        if declared is not None and declared > self.max_body:
            await reply(send, 413, _too_large())
            return
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                await reply(send, 413, _too_large())
                return
        if headers.get("content-encoding", "").lower() == "gzip":
            try:
                body = _gunzip(body, self.max_body)
            except ValueError:
                await reply(send, 413, _too_large())
                return
            except zlib.error:
                await reply(
                    send,
                    400,
                    error_body("bad_gzip", "Dữ liệu nén bị hỏng.", "Corrupt gzip body."),
                )
                return
            scope["headers"] = [
                (key, value)
                for key, value in scope["headers"]
                if key.lower() not in (b"content-encoding", b"content-length")
            ] + [(b"content-length", str(len(body)).encode())]
        if holds_lone_surrogate(body):
            await reply(send, 400, invalid_text_body())
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def whole_number(text: str) -> int | None:
    """A header's decimal number, or None.  ASCII digits only: ``str.isdigit`` is also
    true of "²" and "٣", which ``int`` then refuses or reads as another number."""
    if not text or len(text) > 18 or not text.isascii() or not text.isdigit():
        return None
    return int(text)


def _repeated_parameter(query: bytes) -> str | None:
    """A query parameter given more than once: no endpoint takes a list, and which of
    the values counts must not be left to the framework to guess."""
    seen: set[str] = set()
    for name, _value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name in seen:
            return name
        seen.add(name)
    return None


def _given_twice(name: str) -> dict[str, Any]:
    shown = name[:40]
    return error_body(
        "invalid",
        f"Dữ liệu gửi lên không đúng dạng: tham số {shown!r} có nhiều giá trị.",
        f"Malformed request: parameter {shown!r} is given more than once.",
    )


def _gunzip(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, limit + 1)
    if len(out) > limit or inflater.unconsumed_tail:
        raise ValueError("expands past the limit")
    if not inflater.eof:
        raise zlib.error("truncated gzip body")
    return out


def _too_large() -> dict[str, Any]:
    return error_body(
        "too_large",
        "Gói dữ liệu quá lớn; máy sẽ gửi thành nhiều phần nhỏ hơn.",
        "Request body too large; send smaller batches.",
    )


class Limiter(Protocol):
    """A token bucket per key: :class:`RateLimiter` in one process's memory, or
    shared_limits.SharedRateLimiter in the database every process shares."""

    def allow(self, key: str) -> bool:
        """Spend one token of ``key``'s bucket; False (spending none) if it is empty."""
        ...

    def exhausted(self, key: str) -> bool:
        """Is ``key``'s bucket empty?  Spends nothing."""
        ...


# Makes the buckets of one throttle: its kind (a name), rate per second and burst.
LimiterFactory = Callable[[str, float, int], Limiter]


class RateLimiter:
    """A token bucket per key: a device id (its calls), or a client address (its
    enrolment attempts, its wrong tokens)."""

    # Keys whose bucket is full again are forgotten once there are this many: a full
    # bucket is what an unknown key gets anyway, and addresses are the caller's to vary.
    MAX_KEYS = 10_000

    def __init__(
        self, rate_per_second: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate_per_second
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Spend one token of ``key``'s bucket; False (spending none) if it is empty."""
        now = self.clock()
        with self._lock:
            tokens = self._level(key, now)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1, now)
            if len(self._buckets) > self.MAX_KEYS:
                self._forget_full(now)
            return True

    def exhausted(self, key: str) -> bool:
        """Is ``key``'s bucket empty?  Spends nothing."""
        with self._lock:
            return self._level(key, self.clock()) < 1

    def _level(self, key: str, now: float) -> float:
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - last) * self.rate)

    def _forget_full(self, now: float) -> None:
        full = [key for key in self._buckets if self._level(key, now) >= self.burst]
        for key in full:
            del self._buckets[key]


@dataclass(frozen=True)
class Throttles:
    """How fast the server lets callers go (see :func:`app.create_app`).

    A device may make bursts of 120 calls and 20 a second after that: a laptop catching
    up page by page stays inside it (wire.DEFAULT_PAGE).  One address may try 10 wrong
    enrolment codes, then one every 5 seconds (right codes are not counted).  One
    address, and separately one claimed device, may send 30 wrong tokens, then one
    every 20 seconds: a laptop revoked or restored from an old backup fails a few times
    a day, a guesser thousands of times a minute; a right token is never refused for
    them (guesses.py: a commune's laptops may share one address behind its router).
    An operator may change them with :data:`THROTTLES_ENV` (:meth:`from_environment`).
    """

    device_rate: float = 20.0
    device_burst: int = 120
    enrol_rate: float = 0.2
    enrol_burst: int = 10
    auth_failure_rate: float = 1 / 20
    auth_failure_burst: int = 30
    device_failure_rate: float = 1 / 20
    device_failure_burst: int = 30

    @classmethod
    def from_environment(cls) -> Throttles:
        """The defaults, with any changed by :data:`THROTTLES_ENV` (``serve`` and every
        worker process it starts read it), e.g. ``device_rate=40,device_burst=240``."""
        return cls.parse(os.environ.get(THROTTLES_ENV, ""))

    @classmethod
    def parse(cls, text: str) -> Throttles:
        kinds = {field.name: field.type for field in fields(cls)}
        changed: dict[str, Any] = {}  # each a number of its field's kind, checked below
        for item in text.replace(",", " ").split():
            name, _, value = item.partition("=")
            number = _positive(value, whole=kinds.get(name) == "int")
            if name not in kinds or number is None:
                raise UserError(
                    f"{THROTTLES_ENV} có mục không hiểu được: {item[:60]!r}. Hãy viết "
                    f"tên=số dương, cách nhau bằng dấu phẩy; các tên: {', '.join(kinds)}.",
                    f"{THROTTLES_ENV} has an item it cannot read: {item[:60]!r}. Write "
                    f"name=positive number, separated by commas; the names: {', '.join(kinds)}.",
                )
            changed[name] = number
        return replace(cls(), **changed)


THROTTLES_ENV = "VILLAGEHELPER_SERVER_THROTTLES"


def _positive(text: str, *, whole: bool) -> float | int | None:
    try:
        number = int(text) if whole else float(text)
    except ValueError:
        return None
    return number if 0 < number < float("inf") else None
