"""Which update the commune server offers this laptop, and asking for it.

A sync round notes the newest version the server's answers name (``sync/http.py``,
``store/sync_state.py``); when that version is newer than this app, :func:`check` asks
the server for the offer (what changed, size, SHA-256) once and keeps it, so the window
and ``villagehelper update`` show it without the network.  "Check now" asks whatever
was noted.  Nothing here downloads or installs (``download.py``, ``handover.py``).
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from villagehelper import __version__
from villagehelper.exchange.update_offer import (
    LATEST_PATH,
    UpdateOffer,
    UpdateOfferError,
    is_newer,
    this_platform,
)
from villagehelper.store import sync_state
from villagehelper.store.engine import Store
from villagehelper.sync.client import ConnectionFactory, default_connection, enrolment
from villagehelper.sync.http import ServerRefusedError, SyncError


def kept_offer(session: Session) -> UpdateOffer | None:
    """The offer last fetched, whatever its version (None if none or unreadable)."""
    text = sync_state.get(session, sync_state.UPDATE_OFFER)
    if not text:
        return None
    try:
        return UpdateOffer.from_json(json.loads(text))
    except (ValueError, UpdateOfferError):
        return None


def waiting_offer(store: Store, current: str = __version__) -> UpdateOffer | None:
    """The kept offer if it is an update of this app (newer, for this platform)."""
    with store.reading() as session:
        return _if_update(kept_offer(session), current)


def _if_update(offer: UpdateOffer | None, current: str) -> UpdateOffer | None:
    if offer is None or offer.platform != this_platform():
        return None
    return offer if is_newer(offer.version, current) else None


def check(
    store: Store,
    *,
    ask_now: bool = False,
    connect: ConnectionFactory = default_connection,
    current: str = __version__,
) -> UpdateOffer | None:
    """The update waiting for this laptop, if any.

    After a sync (``ask_now`` off) the server is asked only when the version it last
    named is newer than ``current`` and its offer was not fetched yet; "check now" asks
    it in any case.  Raises :class:`SyncError` if the server cannot be asked."""
    with store.reading() as session:
        enrolled = enrolment(session) if ask_now else sync_state.enrolled(session)
        noted = sync_state.get(session, sync_state.UPDATE_VERSION) or ""
        kept = kept_offer(session)
    if enrolled is None:
        return None
    if not ask_now:
        if not noted:
            return None  # the server's last answer offered nothing (any more)
        if (kept is not None and kept.version == noted) or not is_newer(noted, current):
            return _if_update(kept, current)
    offer = _fetch(enrolled.server_url, enrolled.token, connect, store)
    return _if_update(offer, current)


def _fetch(url: str, token: str, connect: ConnectionFactory, store: Store) -> UpdateOffer | None:
    connection = connect(url, token)
    try:
        answer = connection.get(LATEST_PATH, params={"platform": this_platform()})
    except ServerRefusedError as refused:
        if refused.status != 404:
            raise
        answer = None  # nothing published for this platform
    finally:
        connection.close()
    try:
        offer = None if answer is None else UpdateOffer.from_json(answer)
    except UpdateOfferError as exc:
        raise SyncError(
            "Máy chủ xã gửi thông tin bản cập nhật không đúng dạng nên máy bỏ qua; hãy báo "
            "người quản lý máy chủ xã.",
            f"The commune server's update offer is malformed ({exc}); tell its administrator.",
        ) from exc
    with store.transaction() as session:
        if connection.offered_version is not None:
            sync_state.note_offered_version(session, connection.offered_version)
        if offer is None:
            sync_state.clear(session, sync_state.UPDATE_OFFER)
        else:
            sync_state.put(session, sync_state.UPDATE_OFFER, json.dumps(offer.to_json()))
    return offer
