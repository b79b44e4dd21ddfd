"""Headers added to an answer as it starts, by plain ASGI layers (no per-request task).

Starlette's ``@app.middleware("http")`` runs the rest of the app in a task of its own
and streams the answer through a channel: on a province's load the server's event loop
spent an eighth of its time there for a single header (py-spy, one ``serve`` process
saturated).  The layers here only wrap ``send``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from villagehelper.exchange import wire

if TYPE_CHECKING:
    from villagehelper.server.database import ServerDB

Headers = list[tuple[bytes, bytes]]


def sending_with(send: Send, extra: Callable[[], Headers]) -> Send:
    """``send``, with ``extra()``'s headers added to the answer's start."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra()]}
        await send(message)

    return sending


class ServerTimeHeader:
    """Every answer states the server's time: the laptops judge their clocks by it
    (ops/trusted_time.py).  Read as the answer starts, as the laptop's clock is read
    when it arrives."""

    def __init__(self, app: ASGIApp, db: ServerDB) -> None:
        self.app = app
        self.db = db  # its clock looked up at each answer: a test may set another
        self.name = wire.SERVER_TIME_HEADER.lower().encode("latin-1")

    def _now(self) -> Headers:
        moment = self.db.clock().astimezone(UTC).isoformat(timespec="milliseconds")
        return [(self.name, moment.encode("latin-1"))]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, sending_with(send, self._now))
