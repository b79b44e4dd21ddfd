"""Communes, one-time enrolment codes, devices and their tokens.

A token is ``<device id>.<secret>``; the server keeps only a SHA-256 of the secret (the
secret is 256 bits, random or derived from the laptop's own enrolment secret, so a fast
hash is enough) and compares in constant time.  Codes are kept salted and slow-hashed
(enrolment_codes.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update

from villagehelper.errors import UserError
from villagehelper.ids import new_id
from villagehelper.server import enrolment_codes
from villagehelper.server.database import ServerDB
from villagehelper.server.epochs import note_accounts
from villagehelper.server.tables import Device, EnrolmentCode, ServerCommune
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


@dataclass(frozen=True)
class IssuedCode:
    code: str  # "ABCDE-FGHJK", shown once
    expires_at: datetime


def issue_code(db: ServerDB, commune_code: str, role: str) -> str:
    """A new one-time code, shown once; only its hash is stored."""
    return issued_code(db, commune_code, role).code


def issued_code(db: ServerDB, commune_code: str, role: str) -> IssuedCode:
    """:func:`issue_code` with the code's expiry (the console shows both)."""
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
                code_hash=enrolment_codes.stored_form(raw),
                commune_code=commune_code,
                role=device_role.value,
                created_at=now,
                expires_at=now + CODE_LIFETIME,
                used_at=None,
                used_by=None,
            )
        )
    return IssuedCode(f"{raw[:5]}-{raw[5:]}", now + CODE_LIFETIME)


def enrol(db: ServerDB, code: str, device_name: str, attempt: str = "") -> Enrolment:
    """Exchange a one-time code for a device id and a token (shown once).

    ``attempt`` is a secret the laptop made for this enrolment and keeps until it has
    stored the answer (client._enrol_attempt); the server keeps its hash.  The device's
    token is derived from it (:func:`_attempt_token`), so if the reply was lost (the
    connection dropped, the laptop lost power) the same code and attempt sent again get
    the *same* device and the *same* token back, instead of "code already used".

    Sent again by anyone else (a replay of the request, or a second laptop the code was
    read out to that somehow had the attempt), it changes nothing for the real laptop:
    no new token replaces the one it holds.  And it works only until the device has
    shown it holds its token (its first call with it): from then on the attempt is spent and a
    repeat is refused like a used code.  Whoever could read the attempt could read the
    reply that carried the token; a replay learns nothing more, and cuts no one off.
    An attempt shorter than :data:`MIN_ATTEMPT` binds nothing (the app sends 32
    characters): its code is then simply used.
    """
    done = _enrol(db, code, device_name, attempt)
    note_accounts(db)  # outside the database too: a restored copy gets the device back
    return done


def _enrol(db: ServerDB, code: str, device_name: str, attempt: str) -> Enrolment:
    with db.transaction() as session:
        now = db.clock()
        row = enrolment_codes.find_live(session, code, now)
        refused = AuthError(
            "Mã đăng ký không đúng, đã dùng hoặc đã hết hạn. Hãy xin tổ trưởng mã mới.",
            "The enrolment code is wrong, used or expired. Ask the leader for a new one.",
        )
        if row is None:
            raise refused
        commune = session.get(ServerCommune, row.commune_code)
        assert commune is not None
        binding = len(attempt) >= MIN_ATTEMPT
        if row.used_at is not None:
            device = session.get(Device, row.used_by) if row.used_by else None
            if not binding or row.attempt_hash is None or device is None:
                raise refused
            token = _attempt_token(device.id, attempt)
            still_its_token = hmac.compare_digest(
                _digest(token.partition(".")[2]), device.token_hash
            )
            same_attempt = hmac.compare_digest(_digest(attempt), row.attempt_hash)
            if not same_attempt or not still_its_token or device.revoked_at is not None:
                raise refused
            if device.last_seen_at is not None:
                raise refused  # the laptop has used its token: the attempt is spent
            return Enrolment(device.id, token, commune.code, commune.name, DeviceRole(row.role))
        device_id = new_id()
        token = _attempt_token(device_id, attempt) if binding else _random_token(device_id)
        row.used_at = now
        row.used_by = device_id
        row.attempt_hash = _digest(attempt) if binding else None
        session.add(
            Device(
                id=device_id,
                commune_code=row.commune_code,
                role=row.role,
                name=clean_text(device_name)[:120] or "laptop",
                token_hash=_digest(token.partition(".")[2]),
                created_at=now,
                revoked_at=None,
                last_seen_at=None,
            )
        )
        return Enrolment(device_id, token, commune.code, commune.name, DeviceRole(row.role))


MIN_ATTEMPT = 16


def _attempt_token(device_id: str, attempt: str) -> str:
    """The token an enrolment attempt gives: the same for the same attempt and device,
    unguessable without the attempt (a secret of the laptop's, 192 bits in the app)."""
    mac = hmac.new(attempt.encode(), f"villagehelper token {device_id}".encode(), "sha256")
    secret = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()
    return f"{device_id}.{secret}"


def _random_token(device_id: str) -> str:
    return f"{device_id}.{secrets.token_urlsafe(32)}"


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
    if device.last_seen_at is None:
        _first_seen(db, device.id)
    return DeviceScope(device.id, device.commune_code, DeviceRole(device.role))


def _first_seen(db: ServerDB, device_id: str) -> None:
    """The device has shown it holds its token: from now on its enrolment attempt is
    spent (:func:`enrol`).  One write in a device's life; later ones are push's."""
    with db.transaction() as session:
        session.execute(
            update(Device)
            .where(Device.id == device_id, Device.last_seen_at.is_(None))
            .values(last_seen_at=db.clock())
        )


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
