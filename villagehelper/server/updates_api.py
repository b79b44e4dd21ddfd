"""The update calls of the commune server's API (``exchange/update_offer.py``): the
newest installer published for a platform, and the installer itself, resumable.

Both need the device's token (a revoked laptop is refused as everywhere) but not the
protocol header (``limits.UPDATES``): a laptop too old to sync may still fetch the
installer that makes it new again.  The download is a file answer with ``Range``
support: a laptop on a weak line resumes where it stopped instead of starting over.

(No ``from __future__ import annotations`` here: FastAPI reads the annotations of the
endpoints at run time.)
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Path, Query
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from villagehelper.exchange.update_offer import LATEST_PATH, file_path
from villagehelper.server import publishing
from villagehelper.server.accounts import DeviceScope
from villagehelper.server.api_schema import ErrorBody
from villagehelper.server.database import ServerDB
from villagehelper.server.limits import error_body

INSTALLER_MEDIA_TYPE = "application/octet-stream"
Platform = Literal["windows", "linux"]


class UpdateOfferBody(BaseModel):
    """One published installer (``UpdateOffer.to_json``)."""

    version: str = Field(description="X.Y.Z")
    platform: Platform
    filename: str
    size: int = Field(description="bytes")
    sha256: str = Field(description="of the whole file, lowercase hexadecimal")
    notes: str = Field(description="what changed, as the commune wrote it")
    published_at: datetime


def _refusals(not_found: str) -> dict[int | str, dict[str, Any]]:
    # Not documented_refusals(): these calls take no protocol header, so never a 426.
    described = {
        401: "no valid token (a revoked laptop too)",
        404: not_found,
        422: "malformed request",
        429: "too many requests",
    }
    return {status: {"model": ErrorBody, "description": text} for status, text in described.items()}


def _nothing_published(platform: str) -> Response:
    body = error_body(
        "no_update",
        f"Máy chủ xã chưa có bản cập nhật VillageHelper nào cho {platform}.",
        f"The commune server has no VillageHelper update for {platform}.",
    )
    return JSONResponse(body, status_code=404)


def _no_such_installer(platform: str, version: str) -> Response:
    body = error_body(
        "no_update",
        f"Máy chủ xã không có bộ cài VillageHelper {version} cho {platform} (có thể đã có bản "
        "mới hơn): máy sẽ hỏi lại bản mới nhất ở lần đồng bộ tới.",
        f"The commune server has no VillageHelper {version} installer for {platform} (a newer "
        "one may have replaced it): the laptop asks again at its next sync.",
    )
    return JSONResponse(body, status_code=404)


def install_update_routes(app: FastAPI, db: ServerDB, device: Callable[..., DeviceScope]) -> None:
    """Add the update calls to ``app``; ``device`` authenticates a token without the
    protocol header (and counts the call against the device's rate)."""

    @app.get(
        LATEST_PATH,
        response_model=UpdateOfferBody,
        responses=_refusals("nothing published for this platform"),
        summary="The newest app installer the commune published for a platform",
    )
    def latest_update(
        _scope: Annotated[DeviceScope, Depends(device)],
        platform: Annotated[Platform, Query(description="the laptop's platform")],
    ) -> Response:
        offer = publishing.newest(db).get(platform)
        if offer is None:
            return _nothing_published(platform)
        return JSONResponse(offer.to_json())

    @app.get(
        file_path("{platform}", "{version}"),
        response_class=FileResponse,
        responses={
            200: {"content": {INSTALLER_MEDIA_TYPE: {}}, "description": "the whole installer"},
            206: {
                "content": {INSTALLER_MEDIA_TYPE: {}},
                "description": "the part a `Range: bytes=N-` header asked for (resuming)",
            },
            416: {"description": "the range starts past the end of the installer"},
            **_refusals("no installer of this version for this platform"),
        },
        summary="An installer, resumable with Range (check its SHA-256 before running it)",
    )
    def installer(
        _scope: Annotated[DeviceScope, Depends(device)],
        platform: Annotated[Platform, Path()],
        version: Annotated[str, Path(max_length=16, pattern=r"^[0-9.]+$")],
    ) -> Response:
        offer = publishing.find(db, platform, version)
        if offer is None:
            return _no_such_installer(platform, version)
        stored = publishing.stored_file(db, offer)
        if not stored.is_file():
            return _no_such_installer(platform, version)
        # Starlette answers Range itself (206 + Content-Range, 416), with Content-Length
        # and Accept-Ranges: bytes; the gzip layer leaves this media type alone (app.py).
        return FileResponse(stored, media_type=INSTALLER_MEDIA_TYPE, filename=offer.filename)
