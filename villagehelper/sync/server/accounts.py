"""Communes, one-time enrolment codes, devices and their tokens.

A token is ``<device id>.<secret>``; the server keeps only a SHA-256 of the secret (the
secret is 256 random bits, so a fast hash is enough) and compares in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import select

from villagehelper.errors import UserError
from villagehelper.ids import new_id
from villagehelper.sync.server.database import ServerDB
from villagehelper.sync.server.epochs import note_accounts
from villagehelper.sync.server.tables import Device, EnrolmentCode, ServerCommune
from villagehelper.sync.wire import normalise_code
from villagehelper.text import clean_text

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out loud safely
CODE_LENGTH = 10
CODE_LIFETIME = timedelta(hours=72)


class DeviceRole(StrEnum):
    VOLUNTEER = "volunteer"
    LEADER = "leader"


@dataclass(frozen=True)
class DeviceScope:
    """Who is calling: every read and write is limited to ``commune_code``."""

    device_id: str
    commune_code: str
    role: DeviceRole

    @property
    def is_leader(self) -> bool:
        return self.role == DeviceRole.LEADER


@dataclass(frozen=True)
class Enrolment:
    device_id: str
    token: str
    commune_code: str
    commune_name: str
    role: DeviceRole


@dataclass(frozen=True)
class DeviceInfo:
    device_id: str
    commune_code: str
    role: str
    name: str
    created_at: str
    last_seen_at: str
    revoked: bool


class AuthError(UserError):
    """No valid credentials (HTTP 401)."""


class ForbiddenError(UserError):
    """Valid credentials, but not allowed to do this (HTTP 403)."""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def add_commune(db: ServerDB, code: str, name: str) -> None:
    code = code.strip()
    name = clean_text(name)
    if len(code) != 5 or not code.isdigit():
        raise UserError(
            f"Mã xã phải gồm 5 chữ số (mã hành chính chính thức), không phải {code!r}.",
            f"A commune code is 5 digits (the official code), not {code!r}.",
        )
    if not name:
        raise UserError("Hãy nhập tên xã.", "Give the commune's name.")
    with db.transaction() as session:
        existing = session.get(ServerCommune, code)
        if existing is not None:
            existing.name = name
        else:
            session.add(ServerCommune(code=code, name=name, created_at=db.clock()))
    note_accounts(db)


def issue_code(db: ServerDB, commune_code: str, role: str) -> str:
    """A new one-time code, shown once; only its hash is stored."""
    try:
        device_role = DeviceRole(role)
    except ValueError:
        raise UserError(
            "Vai trò phải là volunteer (thành viên) hoặc leader (tổ trưởng).",
            "The role must be volunteer or leader.",
        ) from None
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    with db.transaction() as session:
        if session.get(ServerCommune, commune_code) is None:
            raise UserError(
                f"Máy chủ chưa có xã {commune_code}: thêm bằng lệnh add-commune trước.",
                f"No commune {commune_code} on this server: run add-commune first.",
            )
        now = db.clock()
        session.add(
            EnrolmentCode(
                code_hash=_digest(raw),
                commune_code=commune_code,
                role=device_role.value,
                created_at=now,
                expires_at=now + CODE_LIFETIME,
                used_at=None,
                used_by=None,
            )
        )
    return f"{raw[:5]}-{raw[5:]}"


def enrol(db: ServerDB, code: str, device_name: str, attempt: str = "") -> Enrolment:
    """Exchange a one-time code for a device id and a token (shown once).

    ``attempt`` is the laptop's random id for this enrolment: repeated after a lost
    reply, it gets the same device again with a new token instead of a refusal.
    """
    done = _enrol(db, code, device_name, attempt)
    note_accounts(db)  # outside the database too: a restored copy gets the device back
    return done


def _enrol(db: ServerDB, code: str, device_name: str, attempt: str) -> Enrolment:
    secret = secrets.token_urlsafe(32)
    attempt_hash = _digest(attempt) if attempt else None
    with db.transaction() as session:
        row = session.get(EnrolmentCode, _digest(normalise_code(code)))
        now = db.clock()
        refused = AuthError(
            "Mã đăng ký không đúng, đã dùng hoặc đã hết hạn. Hãy xin tổ trưởng mã mới.",
            "The enrolment code is wrong, used or expired. Ask the leader for a new one.",
        )
        if row is None or row.expires_at <= now:
            raise refused
        commune = session.get(ServerCommune, row.commune_code)
        assert commune is not None
        if row.used_at is not None:
            device = session.get(Device, row.used_by) if row.used_by else None
            repeated = attempt_hash is not None and row.attempt_hash is not None
            if not repeated or not hmac.compare_digest(attempt_hash or "", row.attempt_hash or ""):
                raise refused
            if device is None or device.revoked_at is not None:
                raise refused
            device.token_hash = _digest(secret)  # the lost token is never valid
            return Enrolment(
                device.id, f"{device.id}.{secret}", commune.code, commune.name, DeviceRole(row.role)
            )
        device_id = new_id()
        row.used_at = now
        row.used_by = device_id
        row.attempt_hash = attempt_hash
        session.add(
            Device(
                id=device_id,
                commune_code=row.commune_code,
                role=row.role,
                name=clean_text(device_name)[:120] or "laptop",
                token_hash=_digest(secret),
                created_at=now,
                revoked_at=None,
                last_seen_at=None,
            )
        )
        return Enrolment(
            device_id, f"{device_id}.{secret}", commune.code, commune.name, DeviceRole(row.role)
        )


def authenticate(db: ServerDB, token: str) -> DeviceScope:
    """The scope of a bearer token, or :class:`AuthError`."""
    device_id, _, secret = token.partition(".")
    refused = AuthError(
        "Máy này chưa được cấp quyền hoặc đã bị thu hồi: hãy đăng ký lại với mã mới.",
        "This laptop is not enrolled or was revoked: enrol again with a new code.",
    )
    if not secret or len(device_id) > 36:
        raise refused
    with db.reading() as session:
        device = session.get(Device, device_id)
    if device is None:
        # Compare anyway, so a wrong id takes as long as a wrong secret.
        hmac.compare_digest(_digest(secret), "0" * 64)
        raise refused
    if not hmac.compare_digest(_digest(secret), device.token_hash) or device.revoked_at:
        raise refused
    return DeviceScope(device.id, device.commune_code, DeviceRole(device.role))


def list_devices(db: ServerDB) -> list[DeviceInfo]:
    with db.reading() as session:
        devices = session.scalars(select(Device).order_by(Device.commune_code, Device.created_at))
        return [
            DeviceInfo(
                d.id,
                d.commune_code,
                d.role,
                d.name,
                d.created_at.strftime("%Y-%m-%d %H:%M"),
                d.last_seen_at.strftime("%Y-%m-%d %H:%M") if d.last_seen_at else "-",
                d.revoked_at is not None,
            )
            for d in devices
        ]


def revoke(db: ServerDB, device_id: str) -> None:
    with db.transaction() as session:
        device = session.get(Device, device_id)
        if device is None:
            raise UserError(
                f"Không có máy nào mang mã {device_id}.", f"No device with id {device_id}."
            )
        if device.revoked_at is None:
            device.revoked_at = db.clock()
    note_accounts(db)
