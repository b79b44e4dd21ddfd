"""The server's guard against a purge made under a clock that was ahead.

The retention rule erases the households whose last contact is older than a set number
of months, by the laptop's clock.  A laptop whose clock read 2031 finds every household
expired, and its erasures would reach every laptop of the commune.  The laptop refuses
to purge on a clock it knows is wrong (``villagehelper.ops.trusted_time``); this is the
second line, for a laptop that did not know (one that purged before it was enrolled, or
an older version): a retention erasure (no leader named, see
``villagehelper.ops.retention``) dated after the server's own time, beyond the margin,
is refused, and the leader is told why.  An erasure a leader made on a resident's
request is that resident's wish whatever the clock said, and is kept.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from villagehelper import personal_fields
from villagehelper.clock import to_vietnam

# A laptop that syncs purges only on a clock the server confirmed in the last 7 days
# (villagehelper.ops.trusted_time.FRESH), within 5 minutes: a clock that jumped ahead since
# then by less than that week passes it.  Refusing such a purge here would only hold up
# the laptop's other changes for an error the rule (counted in months) does not feel.
MARGIN = timedelta(days=7, minutes=5)


def purge_from_the_future(
    entity: str, fields: dict[str, Any], now: datetime
) -> tuple[str, str] | None:
    """The refusal's message (Vietnamese, English) for a retention erasure dated after
    ``now`` (the server's time) by more than the margin; None for anything else."""
    if not personal_fields.is_erasure(entity, fields) or fields.get("erased_by") is not None:
        return None
    try:
        erased_at = datetime.fromisoformat(str(fields["erased_at"]).removesuffix("Z"))
    except ValueError:
        return None  # the field checks have said so already
    erased_at = erased_at.replace(tzinfo=UTC)
    if erased_at <= now + MARGIN:
        return None
    laptop = to_vietnam(erased_at).strftime("%d/%m/%Y %H:%M")
    server = to_vietnam(now).strftime("%d/%m/%Y %H:%M")
    return (
        f"Máy chủ xã từ chối việc xóa thông tin theo thời hạn lưu: máy này ghi thời điểm xóa "
        f"là {laptop}, muộn hơn giờ của máy chủ ({server}). Đồng hồ của máy này đã chạy "
        "nhanh, nên các hộ bị coi là quá hạn chưa chắc đã quá hạn. Hãy chỉnh ngày giờ trong "
        "Windows, rồi nhờ người quản lý máy chủ xã hỗ trợ; dữ liệu trên máy chủ vẫn còn.",
        f"The commune server refused a retention purge: this laptop dated it {laptop}, "
        f"later than the server's time ({server}). Its clock was ahead, so the households "
        "it took as expired may not be. Set the date and time in Windows, then ask the "
        "commune server's administrator for help; the server's data is intact.",
    )
