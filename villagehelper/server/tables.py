"""The commune server's own tables (SQLite or PostgreSQL through the same code).

Synced rows are kept as JSON documents, one per (entity, row id), with the version of
their last change: the feed a laptop downloads is "rows of my commune with a version
above my cursor", so every row travels once, in its latest state.  ``field_versions``
remembers, per field, which version and device last changed it: that is what the
field-by-field merge compares a laptop's ``base_version`` against.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Boolean, Double, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from villagehelper.store.models import UtcDateTime

# schema_info.version: 1 in a database made before the schema came under Alembic
# (migrations/, schema_upgrade.py), 2 since; alembic_version says which revision.  Those
# older servers refuse a version above 1: started on a database a newer server migrated,
# one stops instead of writing to it.
SCHEMA_INFO_VERSION = 2


class ServerBase(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime()}


class SchemaInfo(ServerBase):
    __tablename__ = "schema_info"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


class FeedCommune(ServerBase):
    """One commune's feed ("" for the shared catalog): its row is the lock its writers
    take, so a commune's versions are committed in order and a laptop reading "above my
    cursor" never skips a row committed late; ``value`` is the last version handed out
    to its rows, never below the catalog's (feed_clock.py)."""

    __tablename__ = "feed_communes"
    commune_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class ServerCommune(ServerBase):
    __tablename__ = "communes"
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]


class EnrolmentCode(ServerBase):
    """A one-time code a leader reads out to a new laptop; only its hash is kept."""

    __tablename__ = "enrolment_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5))
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[str | None] = mapped_column(String(36))
    # The laptop's own id for its enrolment attempt: if the reply was lost, the same
    # attempt sent again gets the same device (with a fresh token), not "code used".
    attempt_hash: Mapped[str | None] = mapped_column(String(64))


class Device(ServerBase):
    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    role: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # The last call with its token: an upload, or a download (at most once a minute,
    # server/laptop_calls.py); None until it first used its token.
    last_seen_at: Mapped[datetime | None]
    # What the laptop said it runs on its last call (X-VillageHelper-App and -Platform).
    app_version: Mapped[str | None] = mapped_column(String(32))
    platform: Mapped[str | None] = mapped_column(String(10))
    # How many of its changes the laptop said it still held unsent on that call
    # (X-VillageHelper-Waiting); None: it did not say, or said nothing readable.
    waiting_changes: Mapped[int | None]


class Record(ServerBase):
    __tablename__ = "records"
    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # "" for the catalog, which every commune shares.
    commune_code: Mapped[str] = mapped_column(String(5))
    version: Mapped[int] = mapped_column(BigInteger, unique=True)
    fields: Mapped[str] = mapped_column(Text)
    field_versions: Mapped[str] = mapped_column(Text)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # The household a person or a session belongs to, so a merge can re-point them.
    household_id: Mapped[str | None] = mapped_column(String(36), index=True)
    __table_args__ = (Index("ix_records_feed", "commune_code", "version"),)


class ReceivedChange(ServerBase):
    """Every change id ever accepted, with its digest and the reply it got: a batch sent
    again after a lost reply gets the same replies and changes nothing."""

    __tablename__ = "received_changes"
    change_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    digest: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(Text)


class AuditEntry(ServerBase):
    """Who changed what, when: ids only, never a resident's name or phone."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    commune_code: Mapped[str] = mapped_column(String(5))
    device_id: Mapped[str] = mapped_column(String(36))
    team_member_id: Mapped[str | None] = mapped_column(String(36))
    change_id: Mapped[str] = mapped_column(String(36))
    entity: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[str] = mapped_column(String(40))
    op: Mapped[str] = mapped_column(String(12))
    outcome: Mapped[str] = mapped_column(String(12))


class DeviceHistory(ServerBase):
    """Where each device's pushes have got to, and which device a copy came from
    (device_history.py): one row per device that pushed or re-enrolled as a copy."""

    __tablename__ = "device_histories"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # The last change accepted from this device (in its upload order); None: none yet.
    last_change_id: Mapped[str | None] = mapped_column(String(36))
    # The first device of the line this one was copied from (None: not a copy).
    origin_id: Mapped[str | None] = mapped_column(String(36), index=True)


class ServerEpoch(ServerBase):
    """One stretch of this database's history (epochs.py).  A restore from a backup starts
    a new one: versions after ``feed_start`` may then name other rows than the laptops
    that synced in the epoch before saw."""

    __tablename__ = "server_epochs"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    epoch_id: Mapped[str] = mapped_column(String(36), unique=True)
    feed_start: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime]
    # "first", "backup" (the row a backup copy carries), "restored", "restore_found"
    reason: Mapped[str] = mapped_column(String(20))


class QuarantinedRow(ServerBase):
    """A row of the feed the commune's replica (in the laptops' schema) cannot apply: set
    aside there and by every laptop, listed here for the administrator
    (``villagehelper-server quarantine``) until it is repaired or voided.  Ids and the kind
    of failure only, never a value (exchange/quarantine.py)."""

    __tablename__ = "quarantined_rows"
    commune_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(120))
    found_at: Mapped[datetime]


class DeviceStamp(ServerBase):
    """The device id a laptop writes on the sessions, voids and merges it logs (its own,
    made before it ever enrolled), and the enrolled device that first sent it: a
    volunteer's device may then not sign its events with another laptop's
    (``server.push_rules``).  The audit log keeps which device sent each change."""

    __tablename__ = "device_stamps"
    stamp: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), index=True)


class HealingDevice(ServerBase):
    """A device refused because it synced in an earlier epoch of this database (it was
    restored from a backup since): in ``epoch_id`` it states again the rows it holds that
    the restore lost, whoever made them (``server.restate_rules``)."""

    __tablename__ = "healing_devices"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    epoch_id: Mapped[str] = mapped_column(String(36))


class WaitingRestatement(ServerBase):
    """A row a healing laptop stated again that names a row this server does not hold
    yet (a village or team member a leader added after the backup, which only the
    leader's laptop states again): kept here, ids and the row as sent, and applied once
    the row it waits for arrives (``server.waiting``)."""

    __tablename__ = "waiting_restatements"
    change_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    device_id: Mapped[str] = mapped_column(String(36))
    team_member_id: Mapped[str | None] = mapped_column(String(36))
    entity: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[str] = mapped_column(String(40))
    base_version: Mapped[int | None] = mapped_column(BigInteger)
    fields: Mapped[str] = mapped_column(Text)
    waits_entity: Mapped[str] = mapped_column(String(32))
    waits_id: Mapped[str] = mapped_column(String(40))
    held_at: Mapped[datetime]


class PublishedUpdate(ServerBase):
    """An installer of the app the commune published for its laptops (``publish-update``,
    server/publishing.py): the file itself is in the server's updates folder
    (``<platform>/<version>/<filename>``), its size and SHA-256 here, checked by the
    laptop before it hands the file to the installer."""

    __tablename__ = "published_updates"
    platform: Mapped[str] = mapped_column(String(10), primary_key=True)
    version: Mapped[str] = mapped_column(String(16), primary_key=True)
    filename: Mapped[str] = mapped_column(String(160))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    notes: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime]


class Officer(ServerBase):
    """A person who signs in to the web console (console/officers.py): one commune or one
    province, admin or viewer.  Only an Argon2id hash of the password is kept."""

    __tablename__ = "officers"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    commune_code: Mapped[str | None] = mapped_column(String(5))
    province_code: Mapped[str | None] = mapped_column(String(2))
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean)
    language: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime]


class OfficerSession(ServerBase):
    """A signed-in browser: the cookie holds a random token, the table its SHA-256 only,
    so a copy of the database signs no one in."""

    __tablename__ = "officer_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    officer_id: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]  # idle past console/sessions.IDLE_LIMIT: ended
    expires_at: Mapped[datetime]  # the absolute end, however busy the officer
    ended_at: Mapped[datetime | None]


class SignInFailure(ServerBase):
    """One wrong password, counted against the name typed and against the address it came
    from (console/throttle.py): in the database, so a restart forgets nothing and every
    server process sees the same count."""

    __tablename__ = "sign_in_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8))  # "name" or "address"
    key: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]
    __table_args__ = (Index("ix_sign_in_failures_key", "kind", "key", "at"),)


class ConsoleAuditEntry(ServerBase):
    """Who did what in the console, when, from where: names of officers and codes of
    communes only, never a resident's name."""

    __tablename__ = "console_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    officer_name: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(45))


class RateBucket(ServerBase):
    """One throttle's token bucket for one key, shared by every server process on
    PostgreSQL (shared_limits.py).  Kept as the moment the bucket is full again: a row
    whose moment has passed is a full bucket, the same as no row, and may be deleted."""

    __tablename__ = "rate_buckets"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # which throttle
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # device or address
    # Seconds since 1970 by the clock the buckets are read with (the database's).
    full_at: Mapped[float] = mapped_column(Double)
