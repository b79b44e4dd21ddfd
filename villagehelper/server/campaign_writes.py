"""The commune's campaign writes made on the console: a campaign created, one closed.

A campaign is built by the laptops' own :func:`~villagehelper.campaigns.store_ops.
checked_campaign` on the server's replica of the commune (its catalog is the one the
laptops hold) and sent with the fields a laptop's outbox would carry
(:func:`~villagehelper.store.changelog.insert_payload`), so a campaign from the console
and one from a leader's laptop are the same row: the same checks (a name; services of
the catalog still in use; a deadline from today in Vietnam), ``created_by`` "console"
(``store_ops.CONSOLE``), ``created_at`` the server's clock, ``closed`` false.  It goes
through :func:`push.push` as the villages and team page's writes do
(``leader_writes.py``: author ``CONSOLE_AUTHOR``, a leader's rules, the feed), so every
laptop of the commune takes it at its next sync.

The list of people itself is imported on a leader's laptop, where the doubtful matches
are confirmed by someone who knows the villagers: the console sends no list.
"""

from __future__ import annotations

from collections.abc import Sequence

from villagehelper.campaigns.store_ops import CONSOLE, checked_campaign
from villagehelper.clock import vietnam_today
from villagehelper.server.database import ServerDB
from villagehelper.server.leader_writes import insert_row, update_row
from villagehelper.server.replicas import CommuneReplicas
from villagehelper.store.changelog import insert_payload
from villagehelper.typed_dates import parse_typed_date


def create_campaign(
    db: ServerDB,
    replicas: CommuneReplicas,
    commune_code: str,
    *,
    name: str,
    service_codes: Sequence[str],
    deadline: str,
) -> str:
    """A new campaign of the commune, ``deadline`` as a form gives it (2026-12-20 from a
    date field, or typed as on the laptop: 20/12/2026); its id."""
    now = db.clock()
    due = parse_typed_date(deadline, vietnam_today(now), "deadline")
    with replicas.caught_up(commune_code).reading() as session:
        campaign = checked_campaign(
            session,
            commune_code,
            CONSOLE,
            now,
            name=name,
            service_codes=service_codes,
            deadline=due,
        )
    insert_row(db, commune_code, "campaign", campaign.id, insert_payload(campaign))
    return campaign.id


def close_campaign(db: ServerDB, commune_code: str, campaign_id: str) -> None:
    """Closed, as a leader's laptop closes one: it keeps its counts, and the visit
    screen stops naming it."""
    update_row(db, commune_code, "campaign", campaign_id, {"closed": True})
