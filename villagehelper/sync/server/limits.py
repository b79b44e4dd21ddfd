"""Request hygiene before any endpoint runs: body size, gzip bodies, protocol version.

A plain ASGI middleware, so the limits hold for every route, including ones added later,
and a compressed body can never expand past the limit ("zip bomb").
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from villagehelper.sync import wire

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def error_body(code: str, message_vi: str, message_en: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message_vi": message_vi, "message_en": message_en, **extra}


async def _reply(send: Send, status: int, body: dict[str, Any]) -> None:
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


def _too_old() -> dict[str, Any]:
    return error_body(
        "client_too_old",
        "Phiên bản VillageHelper trên máy này đã cũ, máy chủ xã không nhận nữa. "
        "Hãy cập nhật VillageHelper rồi đồng bộ lại; dữ liệu chưa gửi vẫn được giữ trên máy.",
        "This VillageHelper is too old for the commune server. Update it and sync again; "
        "nothing unsent is lost.",
    )


class RequestLimits:
    def __init__(self, app: ASGIApp, max_body: int = wire.MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode().lower(): value.decode() for key, value in scope["headers"]}
        path: str = scope["path"]
        if path.startswith("/v1/") and path != "/v1/health":
            protocol = headers.get(wire.PROTOCOL_HEADER.lower(), "")
            if not protocol.isdigit() or int(protocol) < wire.MIN_CLIENT_PROTOCOL:
                await _reply(send, 426, _too_old())
                return
        declared = headers.get("content-length", "0")
        if declared.isdigit() and int(declared) > self.max_body:
            await _reply(send, 413, _too_large())
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
                await _reply(send, 413, _too_large())
                return
        if headers.get("content-encoding", "").lower() == "gzip":
            try:
                body = _gunzip(body, self.max_body)
            except ValueError:
                await _reply(send, 413, _too_large())
                return
            except zlib.error:
                await _reply(
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
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


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


class RateLimiter:
    """A token bucket per key (device id, or address for enrolment attempts)."""

    def __init__(self, rate_per_second: float, burst: int) -> None:
        self.rate = rate_per_second
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1, now)
            return True
