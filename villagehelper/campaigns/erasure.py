"""Erasing one row of a campaign's list at the resident's request, when it is linked to
nobody in the logbook (a linked row goes with its person: ops/erasure.py erases the
rows of every person it erases, the retention purge included; a row linked to nobody
goes by the retention rule once its campaign is long over: ops/list_retention.py).

The row keeps its campaign and state, so the campaign's counts stay; its personal
fields hold the erased values (personal_fields.py) here, on the server and on every
laptop (store/erasure.py, server/erasure.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from villagehelper.errors import NotFoundError, UserError
from villagehelper.ops.erasure import erase_list_rows, require_leader
from villagehelper.store.changelog import Changes
from villagehelper.store.models import CampaignTarget


def erase_target(session: Session, target_id: str, erased_by: str) -> Changes:
    """Erase a list row's personal fields, by leader ``erased_by``.  The caller runs
    ``store.erasure.flush_erased`` after the commit, as for any erasure."""
    require_leader(session, erased_by)
    target = session.get(CampaignTarget, target_id)
    if target is None or target.deleted:
        raise NotFoundError("Không tìm thấy dòng này của danh sách.", "List row not found.")
    if target.erased_at is not None:
        raise UserError("Dòng này đã được xóa.", "This row is already erased.")
    changes = Changes()
    erase_list_rows(session, [target], session.info["clock"](), erased_by, changes)
    return changes
