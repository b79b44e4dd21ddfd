"""The server's "too old, please update" refusal (426), told with the way out.

The commune server names the update it offers on every answer, the refusal included
(exchange/update_offer.py): a laptop too old to sync may still download the installer
that makes it new again, so the message says where to click and what to type instead of
leaving the person at "update VillageHelper" with no idea how.
"""

from __future__ import annotations

from typing import Any

from villagehelper import __version__
from villagehelper.exchange.update_offer import UpdateOffer, UpdateOfferError, is_newer


def update_pointer(body: dict[str, Any], header_version: str) -> tuple[str, str] | None:
    """Vietnamese and English messages pointing to the offered update: the offer in the
    refusal's body, else the version its header names; None when nothing newer is offered."""
    try:
        version = UpdateOffer.from_json(body.get("update")).version
    except UpdateOfferError:
        version = header_version
    if not version or not is_newer(version, __version__):
        return None
    return (
        f"Phiên bản VillageHelper trên máy này ({__version__}) đã cũ, máy chủ xã không nhận "
        f"nữa. Máy chủ xã có phiên bản mới {version}: bấm nút «Có phiên bản mới» ở đầu cửa sổ "
        "ứng dụng (hoặc chạy lệnh: villagehelper update --download --install) để tải về và "
        "cài đặt, rồi đồng bộ lại. Dữ liệu chưa gửi vẫn được giữ trên máy.",
        f"This VillageHelper ({__version__}) is too old for the commune server. The server "
        f"offers version {version}: click «Có phiên bản mới» (New version) at the top of the "
        "window (or run: villagehelper update --download --install) to download and install "
        "it, then sync again. Nothing unsent is lost.",
    )
