"""The commune server's HTTP API (FastAPI): enrol, push, pull, health.

Every endpoint but health and enrol needs a device token; every read and write is
limited to that device's commune.  Errors are JSON with a Vietnamese and an English
message the laptop can show as they are (``refusals.py``); the requests' and answers'
shapes are in ``api_schema.py``.

(No ``from __future__ import annotations`` here: FastAPI reads the annotations of the
endpoints defined inside :func:`create_app` at run time.)
"""

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES

from villagehelper import __version__
from villagehelper.clock import vietnam_today
from villagehelper.exchange import wire
from villagehelper.exchange.update_offer import PLATFORM_HEADER, UPDATE_HEADER
from villagehelper.server import (
    accounts,
    api_links,
    device_history,
    epochs,
    feed,
    metrics,
    push_rules,
    tallies,
)
from villagehelper.server.access_log import AccessLog
from villagehelper.server.accounts import AuthError, DeviceScope, ForbiddenError
from villagehelper.server.addresses import Address, forwarded_over_tls
from villagehelper.server.answer_headers import ServerTimeHeader
from villagehelper.server.api_schema import (
    EnrolRequest,
    EnrolResponse,
    ErrorBody,
    Health,
    Protocol,
    PullResponse,
    PushRequest,
    PushResponse,
    documented_refusals,
)
from villagehelper.server.batch import IncomingChange
from villagehelper.server.console.pages import install_console
from villagehelper.server.database import ServerDB
from villagehelper.server.guesses import Guesses
from villagehelper.server.laptop_calls import LaptopCalls
from villagehelper.server.limits import Limiter, RequestLimits, Throttles, error_body
from villagehelper.server.ops_endpoints import LOOPBACK, Network, install_ops_endpoints
from villagehelper.server.push import push
from villagehelper.server.refusals import RateLimitedError, install_error_handlers
from villagehelper.server.replicas import CommuneReplicas, default_replicas_folder
from villagehelper.server.shared_limits import buckets_for
from villagehelper.server.update_notice import (
    REFRESH_SECONDS,
    NewestUpdates,
    UpdateHeader,
    requested_platform,
)
from villagehelper.server.updates_api import INSTALLER_MEDIA_TYPE, install_update_routes
from villagehelper.store.migrate import HEAD_REVISION

log = logging.getLogger("villagehelper.server")
SNAPSHOT_MEDIA_TYPE = "application/vnd.sqlite3"


def _throttling(
    db: ServerDB, throttles: Throttles | None, trusted_proxies: frozenset[Address]
) -> tuple[Limiter, Guesses]:
    """A device's calls' limit and the wrong-guess counts: shared by every server process
    on PostgreSQL, in memory on SQLite (shared_limits.py)."""
    limits = throttles or Throttles.from_environment()
    buckets = buckets_for(db)
    device_limit = buckets("device", limits.device_rate, limits.device_burst)
    return device_limit, Guesses(limits, trusted_proxies, buckets)


def create_app(
    db: ServerDB,
    replicas_folder: Path | None = None,
    throttles: Throttles | None = None,
    trusted_proxies: frozenset[Address] = frozenset(),
    *,
    api_docs: bool = False,
    update_refresh_seconds: float = REFRESH_SECONDS,
    console_routers: tuple[APIRouter, ...] = (),
    metrics_from: tuple[Network, ...] = LOOPBACK,
) -> FastAPI:
    # The API's description and its pages (/openapi.json, /docs, /redoc) name the app's
    # version and every endpoint: shown only when the server is told to (serve
    # --api-docs), not to whoever finds the commune's server on the network.
    app = FastAPI(
        title="VillageHelper commune server",
        version=__version__,
        openapi_url="/openapi.json" if api_docs else None,
        docs_url="/docs" if api_docs else None,
        redoc_url="/redoc" if api_docs else None,
        description="Sync API for VillageHelper laptops (protocol "
        f"{wire.PROTOCOL_VERSION}). Send the {wire.PROTOCOL_HEADER} header on every call "
        f"but the update calls; with {PLATFORM_HEADER}, every answer names the newest app "
        f"version published for that platform in {UPDATE_HEADER}.",
    )
    device_limit, guesses = _throttling(db, throttles, trusted_proxies)
    bearer = HTTPBearer(auto_error=False, description="the device token enrolment gave")

    def device(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> DeviceScope:
        """The device a token names, its calls counted; no protocol or epoch asked for."""
        if credentials is None:
            raise AuthError(
                "Thiếu mã truy cập: hãy đăng ký máy với máy chủ xã.",
                "Missing token: enrol this laptop with the commune server.",
            )
        try:
            scope = accounts.authenticate(db, credentials.credentials)
        except AuthError:
            # Counted per address and per claimed device (guesses.py): a right token
            # behind the same router address is never refused for these.
            if guesses.wrong_token(_client_address(request, guesses), credentials.credentials):
                raise RateLimitedError() from None
            raise
        if not device_limit.allow(scope.device_id):
            raise RateLimitedError()
        request.state.device_id = scope.device_id
        return scope

    device_scope = _sync_scope(db, device, bearer)

    @app.get("/v1/health", response_model=Health)
    def health() -> Health:
        return Health(ok=True, protocol=wire.PROTOCOL_VERSION)

    @app.post("/v1/enrol", response_model=EnrolResponse, responses=documented_refusals(401, 429))
    def enrol(body: EnrolRequest, request: Request, _protocol: Protocol) -> EnrolResponse:
        address = _client_address(request, guesses)
        if guesses.codes_refused(address):
            raise RateLimitedError()
        try:
            done = accounts.enrol(db, body.code, body.device_name, body.attempt)
        except AuthError:
            guesses.wrong_code(address)
            raise
        device_history.adopt_lineage(db, done.device_id, body.previous_device)
        push_rules.bind_stamp(db, done.device_id, done.commune_code, body.device_stamp)
        log.info(
            "enrolled device=%s commune=%s role=%s", done.device_id, done.commune_code, done.role
        )
        return EnrolResponse(
            device_id=done.device_id,
            token=done.token,
            commune_code=done.commune_code,
            commune_name=done.commune_name,
            role=done.role.value,
        )

    @app.post(
        "/v1/push",
        response_model=PushResponse,
        responses={**api_links.PUSH, **documented_refusals(401, 403, 409, 429)},
    )
    def push_changes(
        body: PushRequest, scope: Annotated[DeviceScope, Depends(device_scope)]
    ) -> Response:
        incoming = [
            IncomingChange(c.change_id, c.entity, c.row_id, c.op, c.base_version, c.fields)
            for c in body.changes
        ]
        results = metrics.counted_changes(
            push(db, scope, incoming, body.team_member_id, body.cursor, after=body.after)
        )
        # The results are made by push() in the documented shape; validating and
        # encoding a thousand of them through the response model took a tenth of the
        # request's time.
        return Response(json.dumps({"results": results}), media_type="application/json")

    @app.get(
        "/v1/changes",
        response_model=PullResponse,
        responses={**api_links.CHANGES, **documented_refusals(401, 409, 429)},
    )
    def pull_changes(
        scope: Annotated[DeviceScope, Depends(device_scope)],
        since: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=wire.MAX_PAGE)] = wire.DEFAULT_PAGE,
    ) -> Response:
        # Pre-rendered JSON (see feed.py); the response model still documents the shape.
        page = metrics.counted_pull(feed.page_json(db, scope, since, limit))
        return Response(page, media_type="application/json")

    replicas = CommuneReplicas(
        db, replicas_folder or default_replicas_folder(db.url), on_build=metrics.observe_build
    )

    @app.get(
        "/v1/tally/week",
        responses={200: {"content": {"text/csv": {}}}, **documented_refusals(401, 403, 409, 429)},
        summary="Commune-wide weekly tally, village by village (leaders only)",
    )
    def weekly_tally(
        scope: Annotated[DeviceScope, Depends(device_scope)],
        week: Annotated[str, Query(max_length=10, description="YYYY-Www, this or last")] = "this",
        format: Literal["json", "csv"] = "json",
    ) -> Response:
        if not scope.is_leader:
            raise ForbiddenError(
                "Chỉ tổ trưởng được xem báo cáo toàn xã.",
                "Only a team leader may see the commune-wide tally.",
            )
        result = tallies.weekly(replicas, scope.commune_code, week, vietnam_today(db.clock()))
        if format == "csv":
            return Response(tallies.as_csv(result), media_type="text/csv; charset=utf-8")
        return JSONResponse(tallies.as_json(result))

    @app.get(
        "/v1/snapshot",
        responses={
            200: {"content": {SNAPSHOT_MEDIA_TYPE: {}}},
            **documented_refusals(401, 429),
            409: {
                "model": ErrorBody,
                "description": "no snapshot for this laptop's schema or app version",
            },
        },
        summary="The commune as one SQLite file (gzip), for a new laptop's first download",
    )
    def commune_snapshot(
        scope: Annotated[DeviceScope, Depends(device_scope)],
        schema: Annotated[str, Query(max_length=16, description="the laptop's schema")],
        app_version: Annotated[str | None, Header(alias=wire.APP_VERSION_HEADER)] = None,
    ) -> Response:
        if (schema, app_version) != (HEAD_REVISION, __version__):
            # Not an error: the laptop follows the feed instead.
            body = error_body(
                "snapshot_unavailable",
                "Máy chủ xã chạy phiên bản khác: máy sẽ tải dữ liệu từng phần.",
                "The server runs another version: download change by change.",
            )
            return JSONResponse(body, status_code=409)
        made = replicas.snapshot(scope.commune_code)
        return FileResponse(
            made.path,
            media_type=SNAPSHOT_MEDIA_TYPE,
            # Already gzip: the middleware leaves an encoded answer as it is.
            headers={"Content-Encoding": "gzip"},
        )

    # Installers for the laptops (updates_api.py): the device's token, no protocol.
    install_update_routes(app, db, device)
    _install_console(app, db, guesses, console_routers, replicas, metrics_from=metrics_from)
    _install_middleware(app, db, NewestUpdates(db, update_refresh_seconds))
    return app


def _sync_scope(
    db: ServerDB, device: Callable[..., DeviceScope], bearer: HTTPBearer
) -> Callable[..., DeviceScope]:
    """The dependency of the sync calls: the device (``device``), its laptop on this
    database's epoch, and the call noted for the console (laptop_calls.py).

    One dependency, so one trip to a worker thread before the endpoint's own: each sync
    dependency FastAPI resolves is a hand-over to the thread pool and back, paid on the
    event loop, which a province's load keeps busy (``device`` called, not depended on)."""
    calls = LaptopCalls(db)

    def device_scope(
        request: Request,
        _protocol: Protocol,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        epoch: Annotated[str | None, Header(alias=wire.EPOCH_HEADER, max_length=64)] = None,
    ) -> DeviceScope:
        scope = device(request, credentials)
        # Synced with an older copy of this database: heal first.
        epochs.check_laptop(db, epoch, scope.device_id)
        # A sync call, download or upload: the console's "last sync", app version and
        # changes waiting.
        # Read, not declared: optional words of the laptop's, not part of the API's shape.
        said = request.headers
        calls.note(
            scope.device_id,
            said.get(wire.APP_VERSION_HEADER),
            said.get(PLATFORM_HEADER),
            said.get(wire.WAITING_HEADER),
        )
        return scope

    return device_scope


def _install_middleware(app: FastAPI, db: ServerDB, newest: NewestUpdates) -> None:
    """The layers around every endpoint, the last added the outermost."""
    # Level 1, nginx's default: a feed page comes out a quarter larger than at the
    # middleware's default level 9, in a fifth of the time, and a laptop waits for that
    # time on every page of its first download (200,000+ rows at district scale).
    # Installers are compressed already, and a compressed answer loses its length and
    # its ranges (a resumed download): they go as they are.
    app.add_middleware(
        GZipMiddleware,
        minimum_size=1024,
        compresslevel=1,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, INSTALLER_MEDIA_TYPE),
    )
    app.add_middleware(
        RequestLimits, update_for=lambda scope: newest.known(requested_platform(scope) or "")
    )
    # Outside the request limits: their refusals (426 "please update") name the update too.
    app.add_middleware(UpdateHeader, newest=newest)
    app.add_middleware(ServerTimeHeader, db=db)
    app.add_middleware(epochs.EpochHeader, db=db)
    app.add_middleware(AccessLog)  # outermost: every request logged, every failure JSON


def _install_console(
    app: FastAPI,
    db: ServerDB,
    guesses: Guesses,
    routers: tuple[APIRouter, ...],
    replicas: CommuneReplicas,
    *,
    metrics_from: tuple[Network, ...],
) -> None:
    """The refusals' handlers (refusals.py), then the web console at "/" (console/): its
    pages, error pages and security headers; its sign-in throttles count the same
    address as the laptops' (addresses.py), its cookies are Secure over TLS."""
    install_error_handlers(app)
    # Before the console's pages at "/": /healthz and /metrics (ops_endpoints.py).
    install_ops_endpoints(app, db, metrics_from)

    def over_tls(request: Request) -> bool:
        # Its own certificate, or a TLS proxy in front that it trusts (the usual setup).
        peer = request.client.host if request.client else None
        forwarded = request.headers.get("x-forwarded-proto")
        return request.url.scheme == "https" or forwarded_over_tls(
            peer, forwarded, guesses.trusted_proxies
        )

    def address_of(request: Request) -> str:
        return _client_address(request, guesses)

    app.state.replicas = replicas  # the console's count pages read the laptops' replicas
    install_console(app, db, address_of, over_tls, routers)


def _client_address(request: Request, guesses: Guesses) -> str:
    # The connecting address, or the one a trusted proxy names (addresses.py).
    peer = request.client.host if request.client else None
    return guesses.address(peer, request.headers.get("x-forwarded-for"))
