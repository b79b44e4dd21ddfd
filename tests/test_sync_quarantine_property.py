"""Any page of the feed applies: what this store can hold is applied, what it cannot is
set aside with its id and a reason that quotes no value; never an error for the page.

Property test over help sessions with values of every kind in their checked fields, mixed
with valid ones, in one page as the server sends them (the bulk path first, row by row
when it fails)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from tests.conftest import Team
from villagehelper.exchange import quarantine
from villagehelper.exchange.feed import follow_feed
from villagehelper.ids import new_id
from villagehelper.store import quarantine_rows, sync_state
from villagehelper.store.engine import Store
from villagehelper.store.models import HelpSession

_REASON = re.compile(r"[a-z_]+(:[a-z_.]+)?|[A-Za-z]+Error")

_ANY_VALUE = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(),
    st.booleans(),
    st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
    st.dates().map(str),
)
_FAULTS = st.dictionaries(
    st.sampled_from(["outcome", "occurred_at", "follow_up_date", "failure_reason"]),
    _ANY_VALUE,
    min_size=1,
    max_size=3,
)


def _valid(team: Team, household_id: str) -> dict[str, Any]:
    return {
        "visit_id": new_id(),
        "household_id": household_id,
        "member_id": None,
        "service_code": "VNEID_L1",
        "outcome": "done",
        "follow_up_date": None,
        "failure_reason": "",
        "note": "",
        "volunteer_id": team.leader_id,
        "occurred_at": "2026-11-20T03:00:00.000000Z",
        "device_id": "other-laptop",
        "replaces_id": None,
    }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(faults=st.lists(st.one_of(st.none(), _FAULTS), min_size=1, max_size=12))
def test_any_page_applies_what_it_can_and_sets_aside_the_rest(
    store: Store, village_team: Team, faults: list[dict[str, Any] | None]
) -> None:
    household = new_id()
    page: list[dict[str, Any]] = [
        {
            "entity": "household",
            "id": household,
            "version": 1,
            "fields": {"village_id": village_team.village_id, "head_name": "Lò Văn Pả"},
            "deleted": False,
        }
    ]
    valid_ids = set()
    for number, fault in enumerate(faults, start=2):
        fields = {**_valid(village_team, household), **(fault or {})}
        row_id = new_id()
        page.append(
            {
                "entity": "help_session",
                "id": row_id,
                "version": number,
                "fields": fields,
                "deleted": False,
            }
        )
        if fault is None:
            valid_ids.add(row_id)
    with store.reading() as session:
        since = sync_state.cursor(session)
        before = {row.row_id for row in quarantine_rows.listed(session)}
    end = since + len(page)
    pulled, _changes = follow_feed(
        store, lambda _since: {"changes": page, "cursor": end, "more": False}
    )
    with store.reading() as session:
        held = set(session.scalars(select(HelpSession.id)))
        set_aside = {row.row_id: row for row in quarantine_rows.listed(session)}
        assert sync_state.cursor(session) == end  # the download went past the page
    sent = {item["id"] for item in page[1:]}
    new = {row_id: row for row_id, row in set_aside.items() if row_id not in before}
    assert pulled == len(page)
    assert valid_ids <= held
    assert (held & sent) | set(new) == sent  # each applied or set aside
    assert not held & set(new)
    for row in new.values():
        assert _REASON.fullmatch(row.reason), row.reason  # a kind of failure, no value


def test_a_database_error_is_not_a_faulty_row(store: Store) -> None:
    """A locked, full or failing database stops the download: no row is to blame."""
    with store.engine.connect() as connection:
        try:
            connection.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")
        except OperationalError as exc:
            assert quarantine.reason_of(exc) is None
        else:
            raise AssertionError("the statement should have failed")
