"""A campaign's list is personal data: an erased person leaves the list shown, their
row keeps nothing of what the list said of them (on this laptop, in the file's bytes,
on the server), and the campaign's counts stay as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.campaign_support import (
    linked,
    new_campaign,
    person_of,
    store_list,
    target_row,
    unmatched,
)
from tests.conftest import Team
from tests.sync_support import Commune, LoopbackServer, server_snapshot, set_up_commune
from villagehelper.campaigns.progress import CampaignProgress, campaign_progress, who_is_left
from villagehelper.ops import erasure, households, sessions
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.personal_fields import ERASED_NAME
from villagehelper.store.engine import Store
from villagehelper.store.models import CampaignTarget

HEAD = "Trần Văn Thuận"
SPOUSE = "Vũ Thị Nguyệt"
LISTED_AS = "Vu Thi Nguyet"  # how the commune's list spells her: also hers, also erased
LISTED_PHONE = "0987654321"


def _family_on_a_list(store: Store, village_id: str, leader_id: str) -> tuple[str, str, str]:
    saved = households.create_household(
        store,
        HouseholdInput(village_id, HEAD),
        [MemberInput(HEAD, 1950), MemberInput(SPOUSE, 1954)],
    )
    ids = {m.full_name: m.id for m in households.get_household(store, saved.id).members}
    head, spouse = ids[HEAD], ids[SPOUSE]
    campaign_id = new_campaign(store, leader_id)
    rows = [
        linked(target_row(2, HEAD, 1950, "Thôn Khay"), person_of(store, head)),
        linked(
            target_row(3, LISTED_AS, 1954, "Thôn Khay", phone=LISTED_PHONE, id_last_digits="4321"),
            person_of(store, spouse),
        ),
    ]
    store_list(store, campaign_id, rows)
    return campaign_id, saved.id, spouse


def _done(store: Store, household_id: str, member_id: str, volunteer_id: str) -> None:
    sessions.log_visit(
        store,
        VisitInput(household_id, volunteer_id, [ServiceOutcome("CASHLESS_WELFARE")], member_id),
    )


def test_erasing_a_person_keeps_the_counts_and_removes_them_from_the_list(
    village_team: Team,
) -> None:
    store = village_team.store
    campaign_id, _household_id, spouse = _family_on_a_list(
        store, village_team.village_id, village_team.leader_id
    )
    before = campaign_progress_of(store, campaign_id)
    with store.reading() as session:
        assert [
            t.full_name for t in who_is_left(session, campaign_id, village_team.village_id)
        ] == [LISTED_AS, HEAD]  # by given name, the Vietnamese way: Nguyệt, then Thuận

    erasure.erase_member(store, spouse, village_team.leader_id)

    assert campaign_progress_of(store, campaign_id) == before
    with store.reading() as session:
        left = who_is_left(session, campaign_id, village_team.village_id)
        [row] = [t for t in session.query(CampaignTarget) if t.member_id == spouse]
        assert (row.full_name, row.birth_year, row.phone, row.id_last_digits) == (
            ERASED_NAME,
            None,
            None,
            None,
        )
        assert (row.match_state, row.erased_by) == ("linked", village_team.leader_id)
        assert row.erased_at is not None
    assert [t.full_name for t in left] == [HEAD]
    for file in store.path.parent.glob(store.path.name + "*"):
        data = file.read_bytes()
        for text in (SPOUSE, LISTED_AS, LISTED_PHONE):
            assert text.encode() not in data, (file.name, text)


def test_a_person_erased_after_being_reached_still_counts_as_done(village_team: Team) -> None:
    store = village_team.store
    campaign_id, household_id, spouse = _family_on_a_list(
        store, village_team.village_id, village_team.leader_id
    )
    _done(store, household_id, spouse, village_team.member_id)
    before = campaign_progress_of(store, campaign_id)
    assert (before.total.done, before.total.not_yet) == (1, 1)

    erasure.erase_household(store, household_id, village_team.leader_id)

    after = campaign_progress_of(store, campaign_id)
    assert after == before
    with store.reading() as session:
        assert who_is_left(session, campaign_id, village_team.village_id) == []
        names = {t.full_name for t in session.query(CampaignTarget)}
    assert names == {ERASED_NAME}


def campaign_progress_of(store: Store, campaign_id: str) -> CampaignProgress:
    with store.reading() as session:
        return campaign_progress(session, campaign_id)


@pytest.fixture
def commune(sync_server: LoopbackServer, tmp_path: Path) -> Commune:
    return set_up_commune(sync_server, tmp_path)


def test_an_erased_persons_list_row_is_erased_on_the_server_too(
    commune: Commune, sync_server: LoopbackServer
) -> None:
    store = commune.leader.store
    campaign_id, _household_id, spouse = _family_on_a_list(
        store, commune.village_id, commune.leader_id
    )
    commune.leader.sync()
    erasure.erase_member(store, spouse, commune.leader_id)
    commune.leader.sync()

    rows = [
        fields
        for (entity, _id), fields in server_snapshot(sync_server.db).items()
        if entity == "campaign_target" and fields["campaign_id"] == campaign_id
    ]
    erased = [fields for fields in rows if fields["member_id"] == spouse]
    assert len(rows) == 2 and len(erased) == 1
    assert (erased[0]["full_name"], erased[0]["phone"], erased[0]["id_last_digits"]) == (
        ERASED_NAME,
        None,
        None,
    )
    assert erased[0]["match_state"] == "linked" and erased[0]["erased_at"] is not None
    assert LISTED_AS not in repr(server_snapshot(sync_server.db))


def test_a_row_linked_to_nobody_is_erased_on_request_by_a_leader_only(
    village_team: Team,
) -> None:
    from villagehelper.campaigns.erasure import erase_target
    from villagehelper.errors import UserError
    from villagehelper.store.erasure import flush_erased

    store = village_team.store
    campaign_id = new_campaign(store, village_team.leader_id)
    listed = unmatched(
        target_row(2, LISTED_AS, 1954, "Thôn Khay", phone=LISTED_PHONE, id_last_digits="4321")
    )
    [target_id] = store_list(store, campaign_id, [listed]).target_ids
    before = campaign_progress_of(store, campaign_id)
    with store.transaction() as session, pytest.raises(UserError, match="tổ trưởng"):
        erase_target(session, target_id, village_team.member_id)

    with store.transaction() as session:
        erase_target(session, target_id, village_team.leader_id)
    flush_erased(store.engine)

    assert campaign_progress_of(store, campaign_id) == before
    with store.reading() as session:
        row = session.get(CampaignTarget, target_id)
        assert row is not None and (row.full_name, row.match_state) == (ERASED_NAME, "unmatched")
        assert who_is_left(session, campaign_id, village_team.village_id) == []
    for file in store.path.parent.glob(store.path.name + "*"):
        assert LISTED_AS.encode() not in file.read_bytes(), file.name


def test_a_row_linked_later_to_an_erased_person_arrives_erased_on_the_server(
    commune: Commune, sync_server: LoopbackServer, tmp_path: Path
) -> None:
    """Another leader's laptop, not yet told of the erasure, links a list row to her."""
    from tests.sync_support import enrol_laptop, open_laptop

    store = commune.leader.store
    _campaign_id, _household_id, spouse = _family_on_a_list(
        store, commune.village_id, commune.leader_id
    )
    commune.leader.sync()
    other = enrol_laptop(sync_server, open_laptop(tmp_path, "other-leader"), "leader")
    other.sync()
    erasure.erase_member(store, spouse, commune.leader_id)
    commune.leader.sync()

    late = linked(
        target_row(9, LISTED_AS, 1954, "Thôn Khay", phone=LISTED_PHONE),
        person_of(other.store, spouse),
    )
    another_campaign = new_campaign(other.store, commune.leader_id, name="Tài khoản ngân hàng")
    [late_id] = store_list(other.store, another_campaign, [late]).target_ids
    other.sync()

    stored = server_snapshot(sync_server.db)[("campaign_target", late_id)]
    assert (stored["full_name"], stored["phone"], stored["member_id"]) == (
        ERASED_NAME,
        None,
        spouse,
    )
    assert stored["erased_at"] is not None
    assert LISTED_AS not in repr(server_snapshot(sync_server.db))
