"""Officers: the people who sign in to the console (not the laptops, whose device tokens
are in server/accounts.py).

Each officer belongs to one commune or one province and is an ``admin`` or a ``viewer``.
Passwords are hashed with Argon2id (argon2-cffi, its RFC 9106 defaults); a new officer
gets a one-time password that must be changed at the first sign-in.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from villagehelper.errors import UserError
from villagehelper.geography import all_communes, commune_by_code
from villagehelper.ids import new_id
from villagehelper.server.database import ServerDB
from villagehelper.server.tables import Officer, OfficerSession
from villagehelper.text import clean_text

# No 0/O, 1/I/L: read from a screen and typed by hand without doubt.
ONE_TIME_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ONE_TIME_GROUPS = 4
ONE_TIME_GROUP_LENGTH = 5  # 20 characters of 31: 99 bits
MIN_PASSWORD_LENGTH = 12
MIN_PASSPHRASE_WORDS = 4
MAX_NAME_LENGTH = 80

_hasher = PasswordHasher()  # Argon2id; time, memory and lanes as the library recommends
# Verified against when the name is unknown, so a wrong name takes as long as a wrong
# password and does not tell a guesser which names exist.
_UNKNOWN = _hasher.hash(secrets.token_urlsafe(16))


class OfficerRole(StrEnum):
    ADMIN = "admin"
    VIEWER = "viewer"


@dataclass(frozen=True)
class OfficerScope:
    """The signed-in officer: who, and which commune or province they may see."""

    officer_id: str
    name: str
    role: OfficerRole
    commune_code: str | None
    province_code: str | None
    must_change_password: bool
    language: str | None  # "vi" or "en" once chosen: the same on any PC they sign in on

    @property
    def is_admin(self) -> bool:
        return self.role == OfficerRole.ADMIN

    @property
    def counts_only(self) -> bool:
        """A province officer sees its communes' counts, never a list of rows."""
        return self.province_code is not None

    def may_see_commune(self, code: str) -> bool:
        if self.commune_code is not None:
            return code == self.commune_code
        official = commune_by_code(code) if code.isdigit() else None
        return official is not None and official.province_code == self.province_code


@dataclass(frozen=True)
class OfficerInfo:
    name: str
    role: str
    commune_code: str | None
    province_code: str | None
    active: bool
    must_change_password: bool


def add_officer(
    db: ServerDB, name: str, role: str, *, commune: str | None, province: str | None
) -> str:
    """Add an officer; their one-time password, shown once."""
    name = _checked_name(name)
    checked_role = _checked_role(role)
    commune_code, province_code = _checked_scope(commune, province)
    password = one_time_password()
    with db.transaction() as session:
        taken = {known.casefold() for known in session.scalars(select(Officer.name))}
        if name.casefold() in taken:
            raise UserError(
                f"Đã có cán bộ tên {name!r}: hãy chọn tên khác (ví dụ thêm tên xã).",
                f"An officer named {name!r} exists already: choose another name.",
            )
        session.add(
            Officer(
                id=new_id(),
                name=name,
                commune_code=commune_code,
                province_code=province_code,
                role=checked_role.value,
                password_hash=_hasher.hash(password),
                must_change_password=True,
                active=True,
                language=None,
                created_at=db.clock(),
            )
        )
    return password


def one_time_password() -> str:
    groups = (
        "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(ONE_TIME_GROUP_LENGTH))
        for _ in range(ONE_TIME_GROUPS)
    )
    return "-".join(groups)


def list_officers(db: ServerDB) -> list[OfficerInfo]:
    with db.reading() as session:
        rows = session.scalars(select(Officer).order_by(Officer.name)).all()
        return [
            OfficerInfo(
                row.name,
                row.role,
                row.commune_code,
                row.province_code,
                row.active,
                row.must_change_password,
            )
            for row in rows
        ]


def deactivate_officer(db: ServerDB, name: str) -> None:
    """The officer can no longer sign in; every browser they are signed in on is out."""
    with db.transaction() as session:
        officer = _by_name(session.scalars(select(Officer)).all(), name)
        officer.active = False
        session.execute(
            update(OfficerSession)
            .where(OfficerSession.officer_id == officer.id, OfficerSession.ended_at.is_(None))
            .values(ended_at=db.clock())
        )


def check_password(db: ServerDB, name: str, password: str) -> OfficerScope | None:
    """The active officer with this name and password, or None."""
    with db.reading() as session:
        wanted = clean_text(name).casefold()
        officer = next(
            (row for row in session.scalars(select(Officer)) if row.name.casefold() == wanted),
            None,
        )
    if officer is None or not officer.active:
        _verify(_UNKNOWN, password)
        return None
    if not _verify(officer.password_hash, password):
        return None
    if _hasher.check_needs_rehash(officer.password_hash):
        with db.transaction() as session:
            stored = session.get(Officer, officer.id)
            if stored is not None:
                stored.password_hash = _hasher.hash(password)
    return scope_of(officer)


def change_password(db: ServerDB, officer_id: str, current: str, new: str) -> None:
    """Replace the password after checking the current one and the rules."""
    with db.reading() as session:
        officer = session.get(Officer, officer_id)
    if officer is None or not officer.active or not _verify(officer.password_hash, current):
        raise UserError("Mật khẩu hiện tại không đúng.", "The current password is not right.")
    check_new_password(new, current=current, name=officer.name)
    with db.transaction() as session:
        stored = session.get(Officer, officer_id)
        assert stored is not None
        stored.password_hash = _hasher.hash(new)
        stored.must_change_password = False


def check_new_password(new: str, *, current: str, name: str) -> None:
    """The password rules: 12 characters or more, or a passphrase of 4 words or more;
    not the current (one-time) password, not the officer's name."""
    text = unicodedata.normalize("NFC", new)
    words = [word for word in text.split() if word]
    if len(text) < MIN_PASSWORD_LENGTH and len(words) < MIN_PASSPHRASE_WORDS:
        raise UserError(
            f"Mật khẩu mới cần ít nhất {MIN_PASSWORD_LENGTH} ký tự, hoặc là một câu ít nhất "
            f"{MIN_PASSPHRASE_WORDS} từ (ví dụ: “trâu ăn cỏ bên đê”).",
            f"The new password needs {MIN_PASSWORD_LENGTH} characters or more, or a "
            f"passphrase of {MIN_PASSPHRASE_WORDS} words or more.",
        )
    if text == unicodedata.normalize("NFC", current):
        raise UserError(
            "Mật khẩu mới phải khác mật khẩu dùng một lần.",
            "The new password must differ from the one-time password.",
        )
    if text.casefold() == name.casefold():
        raise UserError("Mật khẩu không được là tên của bạn.", "The password cannot be your name.")


def scope_of(officer: Officer) -> OfficerScope:
    return OfficerScope(
        officer_id=officer.id,
        name=officer.name,
        role=OfficerRole(officer.role),
        commune_code=officer.commune_code,
        province_code=officer.province_code,
        must_change_password=officer.must_change_password,
        language=officer.language,
    )


def set_language(db: ServerDB, officer_id: str, language: str) -> None:
    with db.transaction() as session:
        officer = session.get(Officer, officer_id)
        if officer is not None:
            officer.language = language


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _by_name(officers: Sequence[Officer], name: str) -> Officer:
    wanted = clean_text(name).casefold()
    for officer in officers:
        if officer.name.casefold() == wanted:
            return officer
    raise UserError(
        f"Không có cán bộ tên {name!r} (xem lệnh officers).",
        f"No officer named {name!r} (see the officers command).",
    )


def _checked_name(name: str) -> str:
    cleaned = clean_text(name)
    if not cleaned:
        raise UserError("Hãy nhập tên cán bộ.", "Give the officer's name.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise UserError(
            f"Tên cán bộ dài quá {MAX_NAME_LENGTH} ký tự.",
            f"The officer's name is longer than {MAX_NAME_LENGTH} characters.",
        )
    return cleaned


def _checked_role(role: str) -> OfficerRole:
    try:
        return OfficerRole(role)
    except ValueError:
        raise UserError(
            "Vai trò phải là admin (quản trị) hoặc viewer (chỉ xem).",
            "The role must be admin or viewer.",
        ) from None


def _checked_scope(commune: str | None, province: str | None) -> tuple[str | None, str | None]:
    if (commune is None) == (province is None):
        raise UserError(
            "Hãy cho đúng một trong hai: --commune MÃ_XÃ hoặc --province MÃ_TỈNH.",
            "Give exactly one of --commune CODE or --province CODE.",
        )
    if commune is not None:
        code = commune.strip()
        if len(code) != 5 or not code.isdigit() or commune_by_code(code) is None:
            raise UserError(
                f"{code!r} không phải mã xã trong danh mục hành chính 2025 (5 chữ số, "
                "ví dụ 10999 là Xã Gia Lộc, Hải Phòng).",
                f"{code!r} is no commune code of the 2025 administrative list (5 digits).",
            )
        return code, None
    assert province is not None
    code = province.strip()
    provinces = {commune.province_code for commune in all_communes()}
    if len(code) != 2 or code not in provinces:
        raise UserError(
            f"{code!r} không phải mã tỉnh trong danh mục hành chính 2025 (2 chữ số, "
            "ví dụ 31 là Thành phố Hải Phòng).",
            f"{code!r} is no province code of the 2025 administrative list (2 digits).",
        )
    return None, code
