"""Whether this laptop's clock can be trusted, and what to tell the person when not.

A laptop's clock is wrong more often than one would think (a dead CMOS battery brings
back 2019, a mistyped year gives 2031, a wrong time zone is seven hours off).  Nothing
irreversible or time-driven may follow a wrong clock: the retention purge, the lockout
of PINs, the rotation of backups, the follow-up due dates.

Two witnesses judge the clock:

- the commune server's time, learnt at each sync from the answers' time headers
  (:data:`~villagehelper.exchange.wire.SERVER_TIME_HEADER`, else HTTP ``Date``) and kept in
  the ``settings`` table as an offset and the laptop's time when it was measured;
- the newest time this laptop has already written itself (edits, rows received, the
  last sync, backups): a clock that runs behind them was set back, or was ahead before.

A recent server measurement (:data:`FRESH`) that agrees within :data:`MARGIN` makes the
clock *trusted* and wins over the stored times (rows stamped while the clock was ahead
stay in the database after it is corrected).  Without one, the clock is *unconfirmed*
unless a stored time contradicts it; an unconfirmed clock is good enough for showing
things, but an irreversible action then needs a leader's eyes on the date.
"""

from __future__ import annotations

import contextlib
import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from villagehelper.clock import VIETNAM, to_vietnam
from villagehelper.errors import UserError
from villagehelper.store import sync_state
from villagehelper.store.engine import Store
from villagehelper.store.models import HelpSession, Household, Member, Setting, utc_text

MARGIN = timedelta(minutes=5)
FRESH = timedelta(days=7)  # a server measurement older than this confirms nothing

# settings keys: seconds the server is ahead of the laptop (negative: behind), and the
# laptop's own time when that was measured.
SERVER_OFFSET = "clock_server_offset_seconds"
CHECKED_AT = "clock_checked_at"
LEADER_CONFIRMED_AT = "clock_confirmed_by_leader_at"  # laptop time a leader confirmed the date

_DO_VI = (
    "Hãy chỉnh ngày giờ trong Windows (Cài đặt → Thời gian và ngôn ngữ → Ngày và giờ: bật "
    "«Tự động đặt giờ» hoặc đặt đúng ngày giờ, múi giờ UTC+07:00 Bangkok, Hà Nội, Jakarta), "
    "rồi đồng bộ với máy chủ xã."
)
_DO_EN = (
    "Set the date and time in Windows (Settings → Time & language → Date & time: turn on "
    "'Set time automatically' or set the right date and time, time zone UTC+07:00 Bangkok, "
    "Hanoi, Jakarta), then sync with the commune server."
)
_HELD_VI = "Cho đến lúc đó máy không xóa dữ liệu theo thời hạn, và lịch hẹn không theo đồng hồ này."
_HELD_EN = (
    "Until then nothing is purged by the retention rule, and follow-ups do not go by this clock."
)


class ClockTrust(enum.Enum):
    TRUSTED = "trusted"  # a recent server measurement agrees
    UNCONFIRMED = "unconfirmed"  # nothing to compare with, and nothing contradicts it
    WRONG = "wrong"  # the server or the stored data say otherwise


@dataclass(frozen=True)
class ServerReference:
    """The last measurement: how far the server was ahead, at which laptop time."""

    offset: timedelta
    checked_at: datetime


@dataclass(frozen=True)
class ClockVerdict:
    trust: ClockTrust
    reason: str  # "agrees", "server_differs", "set_back", "behind_stored", "no_reference", "stale"
    laptop_now: datetime
    # The best estimate of the true time (the server's), or the earliest it can be.
    reference: datetime | None
    message_vi: str
    message_en: str

    @property
    def trusted(self) -> bool:
        return self.trust is ClockTrust.TRUSTED

    @property
    def wrong(self) -> bool:
        return self.trust is ClockTrust.WRONG

    def message(self, language: str = "vi") -> str:
        return self.message_en if language == "en" else self.message_vi


class UntrustedClockError(UserError):
    """An action that must not follow a wrong clock was refused."""


def refuse_on_wrong_clock(verdict: ClockVerdict, action_vi: str, action_en: str) -> None:
    """Raise :class:`UntrustedClockError` naming ``action`` when the clock is wrong."""
    if verdict.wrong:
        raise UntrustedClockError(
            f"Chưa thể {action_vi}: {verdict.message_vi}",
            f"Cannot {action_en}: {verdict.message_en}",
        )


# --- learning the server's time -------------------------------------------------------


def parse_server_time(exact: str | None, http_date: str | None) -> datetime | None:
    """The server's time from an answer's headers: its own ISO header (milliseconds),
    else the standard ``Date`` (whole seconds); None when neither reads."""
    if exact:
        try:
            moment = datetime.fromisoformat(exact)
            if moment.tzinfo is not None:
                return moment.astimezone(UTC)
        except ValueError:
            pass
    if http_date:
        try:
            moment = parsedate_to_datetime(http_date)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is not None:
            return moment.astimezone(UTC)
    return None


def note_server_time(session: Session, server_time: datetime, laptop_time: datetime) -> None:
    """Keep the measurement of one answer (the latest replaces the one before)."""
    offset = (server_time - laptop_time).total_seconds()
    session.merge(Setting(key=SERVER_OFFSET, value=f"{offset:.3f}"))
    session.merge(Setting(key=CHECKED_AT, value=utc_text(laptop_time)))


def server_reference(session: Session) -> ServerReference | None:
    offset = session.get(Setting, SERVER_OFFSET)
    checked = session.get(Setting, CHECKED_AT)
    if offset is None or checked is None:
        return None
    try:
        return ServerReference(timedelta(seconds=float(offset.value)), _stored_time(checked.value))
    except ValueError:
        return None


# --- judging --------------------------------------------------------------------------


def judge_clock(store: Store, now: datetime | None = None) -> ClockVerdict:
    """The verdict on the store's clock at ``now`` (default: the store's clock now)."""
    moment = now if now is not None else store.now()
    with store.reading() as session:
        reference = server_reference(session)
        newest = newest_stored_time(session)
        confirmed = _setting_time(session, LEADER_CONFIRMED_AT)
    newest_backup = _newest_backup_time(store)
    if newest_backup is not None and (newest is None or newest_backup > newest):
        newest = newest_backup
    if confirmed is not None:
        # What was stored before a leader confirmed the date was stamped by the clock
        # that was ahead; only the confirmation itself still bounds the clock.
        newest = confirmed
    return judge(moment, reference, newest)


def confirm_date_by_leader(store: Store) -> None:
    """A leader looked at the laptop's date and says it is right (a laptop that never
    syncs, whose stored data was stamped by a clock that was ahead): the stored times
    no longer count against the clock, only this moment does.  A server measurement,
    when one comes, still wins."""
    with store.transaction() as session:
        session.merge(Setting(key=LEADER_CONFIRMED_AT, value=utc_text(store.now())))


def judge(
    now: datetime, reference: ServerReference | None, newest_stored: datetime | None
) -> ClockVerdict:
    """The verdict from the witnesses (pure: property-tested)."""
    if reference is not None:
        server_now = now + reference.offset
        if abs(reference.offset) > MARGIN:
            return _verdict_server_differs(now, reference.offset, server_now)
        if now < reference.checked_at - MARGIN:
            return _wrong(
                "set_back",
                now,
                reference.checked_at,
                f"Ngày giờ của máy này ({_shown(now)}) sớm hơn lần đối chiếu với máy chủ xã "
                f"({_shown(reference.checked_at)}): đồng hồ đã bị lùi lại.",
                f"This laptop's clock ({_shown(now)}) is earlier than its last check with the "
                f"commune server ({_shown(reference.checked_at)}): it was set back.",
            )
        if now - reference.checked_at <= FRESH:
            checked = _shown(reference.checked_at)
            return ClockVerdict(
                ClockTrust.TRUSTED,
                "agrees",
                now,
                server_now,
                f"Đồng hồ máy này khớp với máy chủ xã (đối chiếu lúc {checked}).",
                f"This laptop's clock agrees with the commune server (checked {checked}).",
            )
    if newest_stored is not None and now < newest_stored - MARGIN:
        return _wrong(
            "behind_stored",
            now,
            newest_stored,
            f"Ngày giờ của máy này ({_shown(now)}) sớm hơn dữ liệu máy đã lưu "
            f"({_shown(newest_stored)}): đồng hồ đang sai, hoặc đã từng chạy nhanh.",
            f"This laptop's clock ({_shown(now)}) is earlier than data it has already stored "
            f"({_shown(newest_stored)}): the clock is wrong, or was ahead before.",
        )
    if reference is None:
        return ClockVerdict(
            ClockTrust.UNCONFIRMED,
            "no_reference",
            now,
            newest_stored,
            f"Chưa đối chiếu được đồng hồ với máy chủ xã. Hãy kiểm tra hôm nay đúng là "
            f"{_shown(now)}.",
            f"The clock has not been checked against the commune server. Make sure it is "
            f"now {_shown(now)}.",
        )
    days = (now - reference.checked_at).days
    return ClockVerdict(
        ClockTrust.UNCONFIRMED,
        "stale",
        now,
        newest_stored,
        f"Đã {days} ngày chưa đối chiếu đồng hồ với máy chủ xã: hãy đồng bộ, và kiểm tra hôm "
        f"nay đúng là {_shown(now)}.",
        f"The clock was last checked against the commune server {days} days ago: sync, and "
        f"make sure it is now {_shown(now)}.",
    )


def _verdict_server_differs(now: datetime, offset: timedelta, server_now: datetime) -> ClockVerdict:
    ahead = offset < timedelta(0)  # the server is behind: this laptop runs ahead
    gap = abs(offset)
    return _wrong(
        "server_differs",
        now,
        server_now,
        f"Đồng hồ máy này đang {'nhanh' if ahead else 'chậm'} {_span_vi(gap)} so với máy "
        f"chủ xã (máy này: {_shown(now)}; máy chủ: {_shown(server_now)}).",
        f"This laptop's clock is {_span_en(gap)} {'ahead of' if ahead else 'behind'} the "
        f"commune server (laptop: {_shown(now)}; server: {_shown(server_now)}).",
    )


def _wrong(
    reason: str, now: datetime, reference: datetime, found_vi: str, found_en: str
) -> ClockVerdict:
    return ClockVerdict(
        ClockTrust.WRONG,
        reason,
        now,
        reference,
        f"{found_vi} {_DO_VI} {_HELD_VI}",
        f"{found_en} {_DO_EN} {_HELD_EN}",
    )


# --- what this laptop has stored --------------------------------------------------------


def newest_stored_time(session: Session) -> datetime | None:
    """The newest time this laptop's own clock wrote: rows edited or received here (their
    ``updated_at``; not ``occurred_at``, which another laptop's clock may have set), the
    last sync, the last clock check."""
    found: list[datetime] = []
    for model in (Household, Member, HelpSession):
        latest = session.scalar(select(func.max(model.updated_at)))
        if latest is not None:
            found.append(latest)
    for key in (sync_state.LAST_SUCCESS, CHECKED_AT):
        setting = session.get(Setting, key)
        if setting is not None:
            with contextlib.suppress(ValueError):  # a value from elsewhere: not a witness
                found.append(_stored_time(setting.value))
    return max(found, default=None)


def _newest_backup_time(store: Store) -> datetime | None:
    from villagehelper.backups.copies import backup_time, list_backups

    for backup in list_backups(store.data_dir):  # newest first
        taken = backup_time(backup.path)
        if taken is not None:
            return taken.replace(tzinfo=VIETNAM).astimezone(UTC)
    return None


def _setting_time(session: Session, key: str) -> datetime | None:
    setting = session.get(Setting, key)
    if setting is None:
        return None
    try:
        return _stored_time(setting.value)
    except ValueError:
        return None


def _stored_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


# --- words --------------------------------------------------------------------------


def _shown(moment: datetime) -> str:
    return to_vietnam(moment).strftime("%d/%m/%Y %H:%M")


def _span_vi(gap: timedelta) -> str:
    count, unit = _span(gap)
    return f"{count} {dict(days='ngày', hours='giờ', minutes='phút')[unit]}"


def _span_en(gap: timedelta) -> str:
    count, unit = _span(gap)
    return f"{count} {unit}"


def _span(gap: timedelta) -> tuple[int, str]:
    """The gap in its largest sensible unit, rounded (a sync takes a moment)."""
    if gap >= timedelta(days=2):
        return round(gap / timedelta(days=1)), "days"
    if gap >= timedelta(hours=2):
        return round(gap / timedelta(hours=1)), "hours"
    return round(gap / timedelta(minutes=1)), "minutes"
