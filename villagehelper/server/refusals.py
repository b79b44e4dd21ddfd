"""How the commune server refuses: every failure is JSON, a code and what to tell the
person in Vietnamese and English, word for word (``limits.error_body``), whether the
refusal comes from the server's own rules, the framework, or a busy database.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException

from villagehelper.errors import UserError
from villagehelper.server import device_history, epochs, feed
from villagehelper.server.accounts import AuthError, ForbiddenError
from villagehelper.server.limits import error_body
from villagehelper.server.push import PushRefusedError

log = logging.getLogger("villagehelper.server")


class RateLimitedError(UserError):
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


def install_error_handlers(app: FastAPI) -> None:
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
        elif isinstance(exc, RateLimitedError):
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
