"""Help sessions whose time cannot be right are quarantined, not refused, not counted.

The rule (what "cannot be right" means, and why) is :mod:`villagehelper.session_times`:
after the server's time of receipt + one day, or before 2025.

Refuse or quarantine?  A refused change makes its whole batch store nothing (``push``):
the laptop's outbox would stand still behind one session until someone found and fixed
that laptop, and every later visit, household edit and erasure it holds would wait with
it, for a problem that concerns one row's date.  Refusing would also lose the fact that
the visit happened.  So the server *keeps* the session and, in the same batch, writes a
void for it in its own name: ``device_id`` :data:`~villagehelper.session_times.QUARANTINE_DEVICE`,
a reason saying why.  A void is what every tally already leaves out — the commune
replica behind ``GET /v1/tally/week``, and every laptop once the feed brings the void,
laptops of an older version included — so the laptops' numbers and the server's agree
without a new table on the laptops or a new kind of row in the protocol.  Nothing is
counted silently: the push reply says ``"quarantined": <why>`` for the session, the
server logs it (ids only), every laptop lists the commune's quarantined sessions
(:mod:`villagehelper.ops.implausible`) and the tallies say how many are left out.  A
leader settles one by correcting its date through the correction path: a new session
naming the old one (``replaces_id``), which the server judges afresh and counts in its
right week.

A void must name a team member: the server's names the session's own volunteer (the one
the server knows to be valid); its device id is what tells it from a person's.  Its id
is derived from the session's, so a batch sent again can never add a second one.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from villagehelper.session_times import QUARANTINE_DEVICE, implausibility, void_reason
from villagehelper.store.changelog import from_wire
from villagehelper.store.models import HelpSession

if TYPE_CHECKING:
    from villagehelper.server.batch import Batch, IncomingChange
    from villagehelper.server.erasure import Write

log = logging.getLogger("villagehelper.server")

_QUARANTINE_NAMESPACE = uuid.UUID("0b8f6c52-3d0e-4c39-8f35-9a4e2d7c1b64")


def quarantine_void_id(session_id: str) -> str:
    """The id of the server's void for session ``session_id``."""
    return str(uuid.uuid5(_QUARANTINE_NAMESPACE, session_id))


def hold_back(
    batch: Batch, change: IncomingChange, fields: dict[str, Any], write: Write
) -> str | None:
    """Quarantine the help session ``change`` just inserted (with ``fields``) if its time
    is implausible: the reason's code for the push reply, else None."""
    if change.entity != "help_session":
        return None
    occurred_at = from_wire(HelpSession, "occurred_at", fields["occurred_at"])
    why = implausibility(occurred_at, batch.now)
    if why is None:
        return None
    void = batch.new_record("session_void", quarantine_void_id(change.row_id))
    write(
        batch,
        void,
        {
            "session_id": change.row_id,
            "reason": void_reason(why, occurred_at, batch.now),
            "volunteer_id": fields["volunteer_id"],
            "voided_at": batch.now_text,
            "device_id": QUARANTINE_DEVICE,
        },
    )
    log.warning(
        "quarantined session=%s device=%s commune=%s reason=%s",
        change.row_id,
        batch.scope.device_id,
        batch.scope.commune_code,
        why.value,
    )
    return why.value
