"""The commune server's HTTP API (FastAPI): enrol, push, pull, health.

Every endpoint but health and enrol needs a device token; every read and write is
limited to that device's commune.  Errors are JSON with a Vietnamese and an English
message the laptop can show as they are.

(No ``from __future__ import annotations`` here: FastAPI reads the annotations of the
endpoints defined inside :func:`create_app` at run time.)
"""

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, JsonValue
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException

from villagehelper import __version__
from villagehelper.clock import vietnam_today
from villagehelper.errors import UserError
from villagehelper.store.changelog import ENTITIES
from villagehelper.store.migrate import HEAD_REVISION
from villagehelper.sync import wire
from villagehelper.sync.server import (
    accounts,
    api_links,
    device_history,
    epochs,
    feed,
    push_rules,
    tallies,
)
from villagehelper.sync.server.access_log import AccessLog
from villagehelper.sync.server.accounts import AuthError, DeviceScope, ForbiddenError
from villagehelper.sync.server.addresses import Address
from villagehelper.sync.server.batch import IncomingChange
from villagehelper.sync.server.database import ServerDB
from villagehelper.sync.server.guesses import Guesses
from villagehelper.sync.server.limits import RateLimiter, RequestLimits, Throttles, error_body
from villagehelper.sync.server.push import PushRefusedError, push
from villagehelper.sync.server.replicas import CommuneReplicas, default_replicas_folder

log = logging.getLogger("villagehelper.server")
SNAPSHOT_MEDIA_TYPE = "application/vnd.sqlite3"


class EnrolRequest(BaseModel):
    code: str = Field(min_length=4, max_length=40)
    device_name: str = Field(default="", max_length=120)
    attempt: str = Field(default="", max_length=64, description="the laptop's id for this try")
    previous_device: str | None = Field(
        default=None,
        max_length=200,
        description="the device this folder was: its id and the digest of its token",
    )
    device_stamp: str | None = Field(
        default=None,
        max_length=36,
        pattern=r"^[^\x00]*$",
        description="the id the laptop signs its sessions with (push_rules.py)",
    )


class EnrolResponse(BaseModel):
    device_id: str
    token: str
    commune_code: str
    commune_name: str
    role: Literal["volunteer", "leader"]


# Ids are looked up in the database as they are: PostgreSQL cannot even compare a text
# holding NUL (U+0000), so one is malformed here rather than a server error there.
_NO_NUL = r"^[^\x00]*$"
_ENTITY_NAMES: list[JsonValue] = [name for name in sorted(ENTITIES)]


class ChangeIn(BaseModel):
    change_id: str = Field(min_length=1, max_length=36, pattern=_NO_NUL)
    entity: str = Field(
        min_length=1,
        max_length=32,
        pattern=_NO_NUL,
        # Documented only: an unknown entity is refused with the change's index (push.py).
        json_schema_extra={"enum": _ENTITY_NAMES},
    )
    row_id: str = Field(min_length=1, max_length=40, pattern=_NO_NUL)
    op: Literal["insert", "update", "delete", "restate"]
    base_version: int | None = Field(default=None, ge=0, le=2**62)
    fields: dict[str, Any] = Field(default_factory=dict, max_length=40)


class PushRequest(BaseModel):
    changes: list[ChangeIn] = Field(max_length=wire.MAX_PUSH_BATCH)
    team_member_id: str | None = Field(default=None, max_length=36, pattern=_NO_NUL)
    cursor: int | None = Field(
        default=None, ge=0, le=2**62, description="the laptop's download cursor"
    )
    after: str | None = Field(
        default=None,
        max_length=36,
        pattern=_NO_NUL,
        description='the last change of this device the server acknowledged ("" if none)',
    )


class ChangeResult(BaseModel):
    change_id: str
    # "moved": stored, but under the household a merge made survive, not the one sent.
    # "superseded": a household merge another merge made impossible first (push.py); the
    # laptop drops its copy.
    status: Literal["applied", "unchanged", "conflict", "moved", "superseded"]
    version: int
    conflicts: list[str] = Field(default_factory=list)
    # A help session kept but not counted: its time cannot be right (plausibility.py).
    quarantined: Literal["future", "too_early"] | None = None


class PushResponse(BaseModel):
    results: list[ChangeResult]


class FeedChange(BaseModel):
    entity: str
    id: str
    version: int
    fields: dict[str, Any]
    deleted: bool


class PullResponse(BaseModel):
    changes: list[FeedChange]
    cursor: int
    more: bool


class Health(BaseModel):
    """Alive, and which protocol: not the app's version, which would tell a stranger
    which known weaknesses to try."""

    ok: bool
    protocol: int


class ErrorBody(BaseModel):
    """Every refusal: a code, and what to tell the person, word for word."""

    error: str
    message_vi: str
    message_en: str
    index: int | None = Field(default=None, description="the refused change's place in its batch")
    epoch: str | None = Field(default=None, description="epoch_changed: the server's epoch")
    common: int | None = Field(
        default=None, description="epoch_changed: the last version shared with the laptop's epoch"
    )


_ERRORS = {
    400: "refused: malformed change, unknown reference, bad week, corrupt gzip",
    401: "no valid token (or enrolment code)",
    403: "not this device's commune, or a leader's work",
    409: (
        "a change id or row id already used with other content; a cursor past the end of "
        "the feed, or another epoch than the server's (its database restored from a backup)"
    ),
    413: "body too large, also after gzip decoding",
    422: "malformed request",
    426: f"missing or old {wire.PROTOCOL_HEADER}: update VillageHelper",
    429: "too many requests, or too many wrong tokens from this address",
}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entries of refusals an endpoint may answer with (all :class:`ErrorBody`):
    what every /v1 call may get from the request checks, and ``statuses`` of its own."""
    every_call = (400, 413, 422, 426)
    return {
        status: {"model": ErrorBody, "description": _ERRORS[status]}
        for status in sorted({*every_call, *statuses})
    }


# Documents the protocol header in the schema; RequestLimits enforces it (426) before any
# endpoint runs.
Protocol = Annotated[
    int,
    Header(alias=wire.PROTOCOL_HEADER, description="the laptop's sync protocol version"),
]


def create_app(
    db: ServerDB,
    replicas_folder: Path | None = None,
    throttles: Throttles | None = None,
    trusted_proxies: frozenset[Address] = frozenset(),
    *,
    api_docs: bool = False,
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
        f"{wire.PROTOCOL_VERSION}). Send the {wire.PROTOCOL_HEADER} header on every call.",
    )
    limits = throttles or Throttles()
    device_limit = RateLimiter(limits.device_rate, limits.device_burst)
    guesses = Guesses(limits, trusted_proxies)
    bearer = HTTPBearer(auto_error=False, description="the device token enrolment gave")

    def device_scope(
        request: Request,
        _protocol: Protocol,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        epoch: Annotated[str | None, Header(alias=wire.EPOCH_HEADER, max_length=64)] = None,
    ) -> DeviceScope:
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
                raise _RateLimitedError() from None
            raise
        if not device_limit.allow(scope.device_id):
            raise _RateLimitedError()
        request.state.device_id = scope.device_id
        # Synced with an older copy of this database: heal first.
        epochs.check_laptop(db, epoch, scope.device_id)
        return scope

    @app.get("/v1/health", response_model=Health)
    def health() -> Health:
        return Health(ok=True, protocol=wire.PROTOCOL_VERSION)

    @app.post("/v1/enrol", response_model=EnrolResponse, responses=_errors(401, 429))
    def enrol(body: EnrolRequest, request: Request, _protocol: Protocol) -> EnrolResponse:
        address = _client_address(request, guesses)
        if guesses.codes_refused(address):
            raise _RateLimitedError()
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
        responses={**api_links.PUSH, **_errors(401, 403, 409, 429)},
    )
    def push_changes(
        body: PushRequest, scope: Annotated[DeviceScope, Depends(device_scope)]
    ) -> Response:
        incoming = [
            IncomingChange(c.change_id, c.entity, c.row_id, c.op, c.base_version, c.fields)
            for c in body.changes
        ]
        results = push(db, scope, incoming, body.team_member_id, body.cursor, after=body.after)
        # The results are made by push() in the documented shape; validating and
        # encoding a thousand of them through the response model took a tenth of the
        # request's time.
        return Response(json.dumps({"results": results}), media_type="application/json")

    @app.get(
        "/v1/changes",
        response_model=PullResponse,
        responses={**api_links.CHANGES, **_errors(401, 409, 429)},
    )
    def pull_changes(
        scope: Annotated[DeviceScope, Depends(device_scope)],
        since: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=wire.MAX_PAGE)] = wire.DEFAULT_PAGE,
    ) -> Response:
        # Pre-rendered JSON (see feed.py); the response model still documents the shape.
        return Response(feed.page_json(db, scope, since, limit), media_type="application/json")

    replicas = CommuneReplicas(db, replicas_folder or default_replicas_folder(db.url))

    @app.get(
        "/v1/tally/week",
        responses={200: {"content": {"text/csv": {}}}, **_errors(401, 403, 409, 429)},
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
            **_errors(401, 429),
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

    _install_error_handlers(app)
    _install_middleware(app, db)
    return app


def _install_middleware(app: FastAPI, db: ServerDB) -> None:
    """The layers around every endpoint, the last added the outermost."""
    # Level 1, nginx's default: a feed page comes out a quarter larger than at the
    # middleware's default level 9, in a fifth of the time, and a laptop waits for that
    # time on every page of its first download (200,000+ rows at district scale).
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)
    app.add_middleware(RequestLimits)
    _install_server_time(app, db)
    app.add_middleware(epochs.EpochHeader, db=db)
    app.add_middleware(AccessLog)  # outermost: every request logged, every failure JSON


def _client_address(request: Request, guesses: Guesses) -> str:
    # The connecting address, or the one a trusted proxy names (addresses.py).
    peer = request.client.host if request.client else None
    return guesses.address(peer, request.headers.get("x-forwarded-for"))


class _RateLimitedError(UserError):
    def __init__(self) -> None:
        super().__init__(
            "Quá nhiều yêu cầu trong thời gian ngắn; máy sẽ thử lại sau ít phút.",
            "Too many requests; the laptop will try again shortly.",
        )


_FRAMEWORK_ERRORS = {
    400: (
        "bad_request",
        "Dữ liệu gửi lên không đọc được (phải là JSON mã UTF-8).",
        "The request body cannot be read (it must be UTF-8 JSON).",
    ),
    404: (
        "not_found",
        "Máy chủ xã không có địa chỉ này: hãy kiểm tra địa chỉ máy chủ và cập nhật VillageHelper.",
        "No such address on the commune server: check the server address, update VillageHelper.",
    ),
    405: (
        "method_not_allowed",
        "Máy chủ xã không nhận kiểu yêu cầu này ở địa chỉ này.",
        "This address does not take this kind of request.",
    ),
}
_OTHER_ERROR = (
    "bad_request",
    "Máy chủ xã không nhận yêu cầu này.",
    "The commune server refuses this request.",
)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(UserError)
    def user_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, UserError)
        extra: dict[str, Any]
        if isinstance(exc, PushRefusedError):
            status, code, extra = exc.status, "refused", {"index": exc.index}
        elif isinstance(exc, AuthError):
            status, code, extra = 401, "unauthorized", {}
        elif isinstance(exc, ForbiddenError):
            status, code, extra = 403, "forbidden", {}
        elif isinstance(exc, _RateLimitedError):
            status, code, extra = 429, "rate_limited", {}
        elif isinstance(exc, feed.FeedBehindError):
            status, code, extra = 409, "feed_behind", {}
        elif isinstance(exc, device_history.DeviceHistoryDivergedError):
            status, code, extra = 409, device_history.DIVERGED_CODE, {}
        elif isinstance(exc, epochs.EpochChangedError):
            status, code, extra = 409, "epoch_changed", {"epoch": exc.epoch, "common": exc.common}
        else:
            status, code, extra = 400, "bad_request", {}
        body = error_body(code, exc.message_vi, exc.message_en, **extra)
        return JSONResponse(body, status_code=status)

    @app.exception_handler(HTTPException)
    def http_error(_request: Request, exc: Exception) -> Response:
        # Raised by the framework itself (an unknown path, a body that is not UTF-8 JSON):
        # in the same shape and words as every other refusal.
        assert isinstance(exc, HTTPException)
        code, message_vi, message_en = _FRAMEWORK_ERRORS.get(exc.status_code, _OTHER_ERROR)
        body = error_body(code, message_vi, message_en)
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeoutError)
    def busy(_request: Request, exc: Exception) -> Response:
        # The database kept the request waiting past its limit (SQLite's write lock held
        # by other pushes for longer than its busy timeout, no free connection in the
        # pool) or is out of reach: the transaction was rolled back, nothing is stored,
        # and the laptop tries again (503 is one of the statuses it retries).
        # The driver's words only: the whole error would quote the statement's values,
        # residents' names among them.
        reason = getattr(exc, "orig", None) or exc
        log.warning("database busy or unreachable: %s: %s", type(reason).__name__, reason)
        body = error_body(
            "busy",
            "Máy chủ xã đang bận; máy sẽ tự gửi lại sau ít phút, dữ liệu vẫn được giữ trên máy.",
            "The commune server is busy; the laptop will try again shortly, nothing is lost.",
        )
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    def invalid(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        where = "; ".join(
            ".".join(str(part) for part in error["loc"]) + ": " + str(error["msg"])
            for error in exc.errors()[:5]
        )
        body = error_body(
            "invalid",
            f"Dữ liệu gửi lên không đúng dạng: {where}",
            f"Malformed request: {where}",
        )
        return JSONResponse(body, status_code=422)


def _install_server_time(app: FastAPI, db: ServerDB) -> None:
    # Every answer states the server's time: the laptops judge their clocks by it.
    @app.middleware("http")
    async def server_time(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        moment = db.clock().astimezone(UTC)
        response.headers[wire.SERVER_TIME_HEADER] = moment.isoformat(timespec="milliseconds")
        return response
