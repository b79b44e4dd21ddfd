"""Signed-in browsers.

The cookie carries a random 256-bit token; the database keeps its SHA-256 only (the
token is random, so a fast hash is enough, as for the laptops' tokens).  A session ends
when the officer signs out, after :data:`IDLE_LIMIT` without a request, after
:data:`ABSOLUTE_LIMIT` however busy, or when the officer signs out everywhere.

Each session's CSRF token is an HMAC of its own secret: nothing more to store, and a
page of another session cannot forge it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import delete, or_, update

from villagehelper.server.console.officers import OfficerScope, scope_of
from villagehelper.server.database import ServerDB
from villagehelper.server.tables import Officer, OfficerSession

IDLE_LIMIT = timedelta(hours=1)
ABSOLUTE_LIMIT = timedelta(hours=12)
# last_seen_at is written at most this often: not one write per page viewed.
SEEN_PRECISION = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(secret: str, purpose: str = "form") -> str:
    """The token every form of a browser carries, derived from that browser's secret
    (its session token, or before sign-in its own random cookie)."""
    return hmac.new(secret.encode(), f"csrf:{purpose}".encode(), hashlib.sha256).hexdigest()


def csrf_matches(secret: str, given: str, purpose: str = "form") -> bool:
    return hmac.compare_digest(csrf_token(secret, purpose), given)


def start_session(db: ServerDB, officer_id: str) -> str:
    """A new session for the officer; its token, for the cookie only."""
    token = secrets.token_urlsafe(32)
    now = db.clock()
    with db.transaction() as session:
        # Sessions that can never sign anyone in again are gone (the audit log keeps
        # who signed in and out, and when).
        session.execute(
            delete(OfficerSession).where(
                or_(OfficerSession.expires_at <= now, OfficerSession.ended_at.is_not(None))
            )
        )
        session.add(
            OfficerSession(
                token_hash=token_hash(token),
                officer_id=officer_id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + ABSOLUTE_LIMIT,
                ended_at=None,
            )
        )
    return token


def session_officer(db: ServerDB, token: str) -> OfficerScope | None:
    """The officer this token signs in, if the session is still alive (its last seen
    time moved on)."""
    now = db.clock()
    with db.reading() as session:
        found = session.get(OfficerSession, token_hash(token))
        officer = session.get(Officer, found.officer_id) if found is not None else None
    if found is None or officer is None or not officer.active or found.ended_at is not None:
        return None
    if now >= found.expires_at or now >= found.last_seen_at + IDLE_LIMIT:
        return None
    if now - found.last_seen_at >= SEEN_PRECISION:
        with db.transaction() as session:
            session.execute(
                update(OfficerSession)
                .where(OfficerSession.token_hash == found.token_hash)
                .values(last_seen_at=now)
            )
    return scope_of(officer)


def end_session(db: ServerDB, token: str) -> None:
    with db.transaction() as session:
        session.execute(
            update(OfficerSession)
            .where(
                OfficerSession.token_hash == token_hash(token), OfficerSession.ended_at.is_(None)
            )
            .values(ended_at=db.clock())
        )


def end_all_sessions(db: ServerDB, officer_id: str) -> int:
    """Sign the officer out everywhere; how many sessions ended."""
    with db.transaction() as session:
        result = session.execute(
            update(OfficerSession)
            .where(OfficerSession.officer_id == officer_id, OfficerSession.ended_at.is_(None))
            .values(ended_at=db.clock())
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
