"""The outermost layer of the server: one access-log line for every request, and a JSON
answer (the usual error shape) for a failure nothing inside handled.

Each request is counted for ``/metrics`` here too (metrics.py), with the same status
and time as its line.

Plain ASGI and added last, so it wraps every other layer (the request limits, gzip, the
framework's own handlers): a request refused by any of them is logged too, and an
unexpected error is still a 500 the laptop can read and show, never Starlette's
plain-text page, and never a request missing from the log.
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any

from villagehelper.server.limits import (
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    error_body,
    reply,
)
from villagehelper.server.metrics import count_request

log = logging.getLogger("villagehelper.server")


def _server_error() -> dict[str, Any]:
    return error_body(
        "server_error",
        "Máy chủ xã gặp lỗi khi xử lý yêu cầu này; dữ liệu trên máy vẫn được giữ. "
        "Máy sẽ thử lại sau; nếu lỗi còn, hãy báo người quản lý máy chủ xã.",
        "The commune server failed on this request; nothing on the laptop is "
        "lost. The laptop tries again later; if it goes on, tell the server's administrator.",
    )


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        logged = False

        def log_once() -> None:
            # Before the last byte of the answer leaves: whoever got the answer can
            # count on its line being in the log already.
            nonlocal logged
            if logged:
                return
            logged = True
            state = scope.get("state") or {}
            seconds = time.perf_counter() - started
            log.info(
                "request method=%s path=%s status=%s device=%s ms=%.1f",
                scope.get("method", "?"),
                scope.get("path", "?"),
                status or "-",  # "-": the client went away before any answer
                state.get("device_id", "-"),
                seconds * 1000,
            )
            count_request(scope, status, seconds)  # the same figures for /metrics

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                log_once()
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        except Exception as exc:  # the last place an error can still be answered
            _log_failure(scope, exc)
            if status == 0:  # nothing sent yet: the laptop still gets an answer it can read
                status = 500
                log_once()
                await reply(send, 500, _server_error())
        finally:
            log_once()


def _log_failure(scope: Scope, exc: BaseException) -> None:
    """Where it failed, without the error's words: an exception's message may quote the
    values it failed on (a resident's name in a pushed field, a statement's parameters)."""
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    where = " < ".join(f"{f.filename}:{f.lineno} {f.name}" for f in reversed(frames))
    log.error(
        "server error %s on %s %s at %s",
        type(exc).__name__,
        scope.get("method", "?"),
        scope.get("path", "?"),
        where,
    )
