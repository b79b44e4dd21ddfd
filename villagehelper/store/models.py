"""SQLAlchemy ORM models of the local store.

Every syncable row carries the same sync metadata (:class:`SyncColumns`): an id made on
the laptop, the server's version of the row last seen, the version a pending local edit
is based on, its sync state and a tombstone.  Help sessions, voids and merges are
immutable events; households, members, villages and team members are editable records
that merge field by field.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from villagehelper.store.kinds import Role, SyncState, VillageKind
from villagehelper.text import name_sort_key as person_sort_key
from villagehelper.text import search_key


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as fixed-width ISO-8601 UTC text ("…Z").

    Fixed width keeps text order equal to time order, so range queries use the index.
    A naive datetime is refused: a stored time must never be ambiguous.
    """

    impl = String(27)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: give a time zone")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def process_result_value(self, value: str | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def utc_text(moment: datetime) -> str:
    """The stored text of an instant, for raw SQL range conditions."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime()}


class SyncColumns:
    """Sync metadata shared by every syncable table."""

    server_version: Mapped[int | None] = mapped_column(Integer, default=None)
    base_version: Mapped[int | None] = mapped_column(Integer, default=None)
    sync_state: Mapped[str] = mapped_column(String(8), default=SyncState.DIRTY)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]


class Setting(Base):
    """Per-laptop key/value settings: device id, commune, sync cursor."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Commune(Base):
    """The commune (xã/phường) this laptop's team belongs to: official 5-digit code."""

    __tablename__ = "communes"
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    province_code: Mapped[str] = mapped_column(String(2))
    province_name: Mapped[str] = mapped_column(String(120))
    __table_args__ = (CheckConstraint("length(code) = 5", name="commune_code_5_digits"),)


class Village(SyncColumns, Base):
    """A thôn / tổ dân phố: a local record under a commune, with no national code."""

    __tablename__ = "villages"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"))
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(12), default=VillageKind.THON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def refresh_derived(self) -> None:
        self.name_key = search_key(self.name)


class TeamMember(SyncColumns, Base):
    """A volunteer of the team (thành viên tổ); leaders (tổ trưởng) report and resolve."""

    __tablename__ = "team_members"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"))
    village_id: Mapped[str | None] = mapped_column(ForeignKey("villages.id"))
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(8), default=Role.MEMBER)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Service(SyncColumns, Base):
    """One entry of the service catalog; data, not code: campaigns change yearly."""

    __tablename__ = "services"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_vi: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    basic_skill: Mapped[bool] = mapped_column(Boolean, default=False)


class Household(SyncColumns, Base):
    __tablename__ = "households"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    village_id: Mapped[str] = mapped_column(ForeignKey("villages.id"), index=True)
    head_name: Mapped[str] = mapped_column(String(120))
    address_detail: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(11))
    notes: Mapped[str] = mapped_column(Text, default="")
    # Set when a leader merged this household into another; the row is then tombstoned.
    merged_into: Mapped[str | None] = mapped_column(String(36))
    # Erased on the resident's request or by the retention rule (villagehelper.personal_
    # fields): the personal details are gone, the row stays so its sessions still count.
    # ``erased_by`` is the leader, or None for the retention rule.
    erased_at: Mapped[datetime | None]
    erased_by: Mapped[str | None] = mapped_column(String(36))
    head_sort_key: Mapped[str] = mapped_column(String(400), index=True)

    def refresh_derived(self) -> None:
        self.head_sort_key = person_sort_key(self.head_name)


class Member(SyncColumns, Base):
    """A person (nhân khẩu) of a household; the head is usually one of them."""

    __tablename__ = "members"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(120))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str | None] = mapped_column(String(11))
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_date: Mapped[date | None] = mapped_column(Date)
    # The team member who recorded the consent, and the last withdrawal of it.
    consent_recorded_by: Mapped[str | None] = mapped_column(String(36))
    consent_withdrawn_date: Mapped[date | None] = mapped_column(Date)
    consent_withdrawn_by: Mapped[str | None] = mapped_column(String(36))
    erased_at: Mapped[datetime | None]
    erased_by: Mapped[str | None] = mapped_column(String(36))
    name_sort_key: Mapped[str] = mapped_column(String(400))

    def refresh_derived(self) -> None:
        self.name_sort_key = person_sort_key(self.full_name)


class HelpSession(SyncColumns, Base):
    """One service given to one person at one visit: an immutable event.

    ``voided`` is derived from :class:`SessionVoid` rows (kept in the same transaction)
    so that counting never needs a join; ``household_id`` follows household merges.
    """

    __tablename__ = "help_sessions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    visit_id: Mapped[str] = mapped_column(String(36), index=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"))
    member_id: Mapped[str | None] = mapped_column(ForeignKey("members.id"))
    service_code: Mapped[str] = mapped_column(ForeignKey("services.code"))
    outcome: Mapped[str] = mapped_column(String(10))
    follow_up_date: Mapped[date | None] = mapped_column(Date)
    failure_reason: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    volunteer_id: Mapped[str] = mapped_column(ForeignKey("team_members.id"))
    occurred_at: Mapped[datetime]
    device_id: Mapped[str] = mapped_column(String(36))
    # A correction is a new session that names the one it replaces (which is voided).
    replaces_id: Mapped[str | None] = mapped_column(String(36))
    voided: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        CheckConstraint("outcome IN ('done', 'follow_up', 'failed')", name="session_outcome_known"),
        CheckConstraint(
            "outcome != 'follow_up' OR follow_up_date IS NOT NULL",
            name="follow_up_has_date",
        ),
        CheckConstraint("outcome != 'failed' OR failure_reason != ''", name="failure_has_reason"),
        Index("ix_sessions_occurred", "occurred_at"),
        Index("ix_sessions_household", "household_id", "occurred_at"),
        Index("ix_sessions_follow_up", "outcome", "follow_up_date"),
    )


class SessionVoid(SyncColumns, Base):
    """Undo of a help session: an event of its own, so offline voids never conflict."""

    __tablename__ = "session_voids"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("help_sessions.id"), index=True)
    reason: Mapped[str] = mapped_column(String(300), default="")
    volunteer_id: Mapped[str] = mapped_column(ForeignKey("team_members.id"))
    voided_at: Mapped[datetime]
    device_id: Mapped[str] = mapped_column(String(36))


class HouseholdMerge(SyncColumns, Base):
    """A duplicate household merged into a survivor; replayed by every laptop."""

    __tablename__ = "household_merges"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    survivor_id: Mapped[str] = mapped_column(ForeignKey("households.id"))
    loser_id: Mapped[str] = mapped_column(ForeignKey("households.id"), unique=True)
    volunteer_id: Mapped[str] = mapped_column(ForeignKey("team_members.id"))
    merged_at: Mapped[datetime]
    device_id: Mapped[str] = mapped_column(String(36))


class Campaign(SyncColumns, Base):
    """A commune's campaign (chiến dịch): reach everyone on a target list with one of its
    services by a deadline.  Written by a leader's laptop or the commune's console."""

    __tablename__ = "campaigns"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"))
    name: Mapped[str] = mapped_column(String(200))
    # Catalog codes joined by ",": a session of any of them completes a target.
    service_codes: Mapped[str] = mapped_column(String(400))
    deadline: Mapped[date] = mapped_column(Date)
    # A team member's id, or "console" when the commune made it on the server.
    created_by: Mapped[str] = mapped_column(String(36))
    # Sessions count from this day (in Vietnam) to the deadline (campaigns/progress.py).
    created_at: Mapped[datetime]
    closed: Mapped[bool] = mapped_column(Boolean, default=False)


class CampaignTarget(SyncColumns, Base):
    """One resident on a campaign's list, as the commune's list names them, and the
    person of the logbook it is linked to (if any).  Personal data: erased like a member
    (personal_fields.py), keeping ``member_id`` and ``match_state`` so the counts stay."""

    __tablename__ = "campaign_targets"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    village_id: Mapped[str | None] = mapped_column(ForeignKey("villages.id"))
    full_name: Mapped[str] = mapped_column(String(120))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str | None] = mapped_column(String(11))
    # Never a whole citizen ID: at most the last 4 digits the list gave.
    id_last_digits: Mapped[str | None] = mapped_column(String(4))
    member_id: Mapped[str | None] = mapped_column(ForeignKey("members.id"), index=True)
    # The household when linked (it may since have been merged: follow merged_into).
    household_id: Mapped[str | None] = mapped_column(ForeignKey("households.id"))
    match_state: Mapped[str] = mapped_column(String(10))
    erased_at: Mapped[datetime | None]
    erased_by: Mapped[str | None] = mapped_column(String(36))
    __table_args__ = (
        CheckConstraint(
            "match_state IN ('linked', 'doubtful', 'unmatched', 'added')",
            name="target_match_state_known",
        ),
        CheckConstraint(
            "id_last_digits IS NULL OR length(id_last_digits) <= 4", name="target_id_digits_short"
        ),
    )


class OutboxEntry(Base):
    """A local change waiting for upload, written in the same transaction as the change.

    ``seq`` gives the device's upload order; ``change_id`` is what the server
    deduplicates on, so a batch repeated after a lost reply changes nothing.
    """

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(String(36), unique=True)
    entity: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[str] = mapped_column(String(40))
    op: Mapped[str] = mapped_column(String(12))
    base_version: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)  # JSON of the fields this change sets
    created_at: Mapped[datetime]
    __table_args__ = (Index("ix_outbox_row", "entity", "row_id"),)


class SyncConflict(SyncColumns, Base):
    """The same field changed on two laptops: both values kept until a leader decides.

    Made by the commune server (never on a laptop); a leader's laptop writes the verdict
    (``resolved``, ``resolution``) back as an ordinary edit, together with the chosen
    value on the record itself.  Values are JSON text as they travelled.
    """

    __tablename__ = "sync_conflicts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[str] = mapped_column(String(40))
    field: Mapped[str] = mapped_column(String(40))
    server_value: Mapped[str] = mapped_column(Text)
    device_value: Mapped[str] = mapped_column(Text)
    device_id: Mapped[str] = mapped_column(String(36))
    volunteer_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime]
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(36))
    __table_args__ = (Index("ix_conflicts_open", "resolved", "entity", "row_id"),)


class PersonalDataExport(Base):
    """An export of residents' personal data (households and people, or sessions with
    names) written to a file: a deliberate act the law asks to keep a record of.  Local
    to the laptop, like the file it names."""

    __tablename__ = "personal_data_exports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    what: Mapped[str] = mapped_column(String(20))  # "households" or "sessions"
    rows: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(260))  # the name only, not the folder
    team_member_id: Mapped[str | None] = mapped_column(String(36))
