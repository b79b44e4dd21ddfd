"""The commune server in a background thread on a loopback port (tests, benchmarks,
screenshots): the socket is bound and listening before the thread starts, so a client
may connect at once (the kernel queues it) without polling for readiness."""

from __future__ import annotations

import ipaddress
import socket
import tempfile
import threading
from collections.abc import Collection
from pathlib import Path

import uvicorn
from fastapi import APIRouter

from villagehelper.server.app import create_app
from villagehelper.server.database import ServerDB
from villagehelper.server.limits import Throttles
from villagehelper.server.update_notice import REFRESH_SECONDS


class EmbeddedServer:
    def __init__(
        self,
        db: ServerDB,
        throttles: Throttles | None = None,
        trusted_proxies: Collection[str] = (),
        *,
        api_docs: bool = False,
        update_refresh_seconds: float = REFRESH_SECONDS,
        tls: tuple[Path, Path] | None = None,
        console_routers: tuple[APIRouter, ...] = (),
        replicas_folder: Path | None = None,
    ) -> None:
        self.db = db
        self.scheme = "https" if tls else "http"
        # IPPROTO_TCP named, as `serve` does through getaddrinfo: asyncio sets TCP_NODELAY
        # only on connections whose socket says so; without it every answer on a kept-alive
        # connection waited some 40 ms for the client's delayed ACK (Nagle).
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port: int = self.socket.getsockname()[1]
        self._replicas = tempfile.TemporaryDirectory(prefix="vh-replicas-")
        proxies = frozenset(ipaddress.ip_address(proxy) for proxy in trusted_proxies)
        self.app = app = create_app(
            db,
            replicas_folder or Path(self._replicas.name),  # a kept folder: replicas warm
            throttles,
            proxies,
            api_docs=api_docs,
            update_refresh_seconds=update_refresh_seconds,
            console_routers=console_routers,
        )
        # proxy_headers off: the app decides whose X-Forwarded-For to believe (addresses.py).
        # tls: a certificate and its key, as ``serve --tls-cert --tls-key``.
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="off",
            proxy_headers=False,
            ssl_certfile=tls[0] if tls else None,
            ssl_keyfile=tls[1] if tls else None,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()
        self._replicas.cleanup()
