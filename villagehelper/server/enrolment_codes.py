"""How enrolment codes are kept: a salted, slow hash, found again by a short bucket.

A code is 10 characters read out loud (50 bits).  Kept as a plain SHA-256 (as it once
was), a copy of the database would give up every live code in hours on one graphics
card; so each code gets its own random salt and scrypt, and guessing one from a copy
costs more than its 72 hours of life.

A salted hash cannot be looked up by value, and the laptop sends only the code.  So the
stored text (``EnrolmentCode.code_hash``, the row's key, 64 characters) starts with a
*bucket*: two hex digits of the code's SHA-256, one of 256.  Enrolling reads the live
codes of that bucket (almost always none or one) and runs scrypt on those only; a wrong
guess in an empty bucket costs no scrypt at all.  The bucket tells a copy's reader 8 of
the code's 50 bits: 42 stay, each guess at the price of one scrypt.

    code_hash = bucket (2 hex) + salt (30 hex) + scrypt(code, salt) (32 hex)

A code issued before this form was its plain SHA-256, whose first two hex digits are its
bucket too: it is found by the same query and recognised by equality, until it expires.
The key stays unique per code, so the server's epoch marker (which names used codes by
it) keeps working as it did.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.exchange.wire import normalise_code
from villagehelper.server.tables import EnrolmentCode

_BUCKET_HEX = 2
_SALT_BYTES = 15
_DIGEST_BYTES = 16
# ~50 ms on the server, 8 MiB of memory: paid once per issued code and once per enrolment
# whose bucket holds a live code.
_SCRYPT = {"n": 2**13, "r": 8, "p": 1}


def stored_form(code: str) -> str:
    """The text to keep for a newly issued ``code``."""
    normalised = normalise_code(code)
    salt = secrets.token_bytes(_SALT_BYTES)
    return _bucket(normalised) + salt.hex() + _slow_hash(normalised, salt).hex()


def find_live(session: Session, code: str, now: datetime) -> EnrolmentCode | None:
    """The unexpired row of ``code`` (used or not), or None."""
    normalised = normalise_code(code)
    if not normalised or not normalised.isascii():
        return None
    candidates = session.scalars(
        select(EnrolmentCode).where(
            EnrolmentCode.code_hash.startswith(_bucket(normalised), autoescape=True),
            EnrolmentCode.expires_at > now,
        )
    ).all()
    legacy = hashlib.sha256(normalised.encode()).hexdigest()
    for row in candidates:
        if hmac.compare_digest(row.code_hash, legacy) or _matches(row.code_hash, normalised):
            return row
    return None


def _matches(stored: str, normalised: str) -> bool:
    salt_hex = stored[_BUCKET_HEX : _BUCKET_HEX + 2 * _SALT_BYTES]
    digest_hex = stored[_BUCKET_HEX + 2 * _SALT_BYTES :]
    try:
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    if len(salt) != _SALT_BYTES or len(digest_hex) != 2 * _DIGEST_BYTES:
        return False
    return hmac.compare_digest(_slow_hash(normalised, salt).hex(), digest_hex)


def _bucket(normalised: str) -> str:
    return hashlib.sha256(normalised.encode()).hexdigest()[:_BUCKET_HEX]


def _slow_hash(normalised: str, salt: bytes) -> bytes:
    return hashlib.scrypt(normalised.encode(), salt=salt, dklen=_DIGEST_BYTES, **_SCRYPT)
