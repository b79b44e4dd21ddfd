"""The two addresses an operator's tools call: ``/healthz`` (a load balancer, a systemd
watchdog) and ``/metrics`` (Prometheus).

- ``/healthz``: 200 when the database answers and carries this server's schema, 503
  otherwise; no token, one one-row query.  Not counted against any limit: the device
  limits are per token and it has none, and its cost is that of any refused call — a
  load balancer checking every few seconds must never be the one refused.
- ``/metrics``: metrics.py's series.  No personal data in them, but how busy each route
  is and how many pushes fail is the operator's business: answered only to a caller on
  this PC (loopback) or in a network named with ``serve --metrics-from``, and never to
  a request that came through a reverse proxy (it names the client in X-Forwarded-For
  or Forwarded), whoever the proxy is: a proxy on this PC would otherwise make every
  caller look local.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Collection

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from villagehelper.server import metrics, schema_upgrade
from villagehelper.server.database import ServerDB
from villagehelper.server.limits import error_body

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK: tuple[Network, ...] = (
    ipaddress.ip_network("127.0.0.0/8"),
    ipaddress.ip_network("::1/128"),
)
PROXY_HEADERS = ("x-forwarded-for", "forwarded")
log = logging.getLogger("villagehelper.server")


def metrics_networks(given: Collection[str]) -> tuple[Network, ...]:
    """``--metrics-from`` as networks (an address alone is a network of one), loopback
    always among them."""
    from villagehelper.errors import UserError

    networks = list(LOOPBACK)
    for item in given:
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError as exc:
            raise UserError(
                f"--metrics-from {item!r} không phải địa chỉ IP hay mạng (ví dụ 10.0.0.5 "
                "hoặc 10.0.0.0/24): hãy sửa lại.",
                f"--metrics-from {item!r} is not an IP address or network (e.g. 10.0.0.5 "
                "or 10.0.0.0/24).",
            ) from exc
    return tuple(networks)


def install_ops_endpoints(
    app: FastAPI, db: ServerDB, metrics_from: tuple[Network, ...] = LOOPBACK
) -> None:
    schema = schema_upgrade.head_revision()  # read once: the scripts never change under us

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        try:
            with db.reading() as session:
                stamped = set(session.scalars(text("SELECT version_num FROM alembic_version")))
        except SQLAlchemyError as exc:
            # The error's words may name the database's address and user: the log gets
            # its kind only, the caller a fixed sentence.
            log.warning("healthz: the database does not answer (%s)", type(exc).__name__)
            return _unhealthy(
                "Máy chủ xã không kết nối được cơ sở dữ liệu.",
                "The server cannot reach its database.",
            )
        if stamped != {schema}:
            found = ",".join(sorted(stamped)) or "none"
            return _unhealthy(
                f"Lược đồ cơ sở dữ liệu ({found}) khác lược đồ của máy chủ này ({schema}): "
                "hãy khởi động lại máy chủ để nâng cấp, hoặc cài đúng phiên bản.",
                f"The database's schema ({found}) is not this server's ({schema}): restart "
                "the server to upgrade it, or install the matching version.",
            )
        return JSONResponse({"ok": True, "schema": schema})

    @app.get("/metrics", include_in_schema=False)
    def metrics_page(request: Request) -> Response:
        if not _may_read_metrics(request, metrics_from):
            body = error_body(
                "forbidden",
                "Chỉ đọc được /metrics từ chính máy chủ hoặc từ địa chỉ đã cho phép bằng "
                "--metrics-from, không qua reverse proxy.",
                "/metrics answers only on this PC or to addresses allowed with "
                "--metrics-from, never through a reverse proxy.",
            )
            return JSONResponse(body, status_code=403)
        return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)


def _unhealthy(vi: str, en: str) -> JSONResponse:
    return JSONResponse({"ok": False, **error_body("unhealthy", vi, en)}, status_code=503)


def _may_read_metrics(request: Request, allowed: tuple[Network, ...]) -> bool:
    if any(name in request.headers for name in PROXY_HEADERS):
        return False
    peer = request.client.host if request.client else None
    try:
        address = ipaddress.ip_address(peer or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in allowed)
