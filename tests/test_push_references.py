"""The server checks what a consent record and an erasure name, and a person's birth year,
as the laptops do: pushed as an attacker on the commune's Wi-Fi would, with a device's own
token, over real HTTP to a server on loopback (SQLite and PostgreSQL).

Who recorded a resident's consent (``consent_recorded_by``), who recorded its withdrawal
(``consent_withdrawn_by``) and who erased a resident (``erased_by``) are team members of
the same commune: another commune's member is refused with the words an unknown id gets
(a stranger learns nothing of which ids exist).  A birth year falls in the years the
laptop's forms take, 1900 to this year (``entity_rules.OLDEST_BIRTH_YEAR``).  Each refusal
is a 400 with a plain message, and the feed is left as it was.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.test_sync_security import (  # noqa: F401 - fixtures used by name
    World,
    change,
    fields_of,
    gia_loc,
    push,
    stored,
    token_of,
    world,
)
from villagehelper import entity_rules, personal_fields
from villagehelper.clock import utc_now, vietnam_today
from villagehelper.errors import ValidationError
from villagehelper.ids import new_id
from villagehelper.ops import households, validate
from villagehelper.ops.inputs import MemberInput

INVALID = "Dữ liệu gửi lên không hợp lệ"
UNKNOWN = "mà máy chủ chưa có"


def _refused_like_an_unknown_id(here: World, token: str, make: Any, theirs: str, what: str) -> None:
    before = stored(here.db)
    refused = push(here.server, token, [make(theirs)])
    assert refused.status_code == 400, f"{what}: {refused.text}"
    assert UNKNOWN in refused.json()["message_vi"], what
    nowhere = new_id()
    unknown = push(here.server, token, [make(nowhere)])
    assert unknown.status_code == 400, f"{what}: {unknown.text}"
    assert refused.json()["message_vi"].replace(theirs, "<id>") == unknown.json()[
        "message_vi"
    ].replace(nowhere, "<id>"), what
    assert stored(here.db) == before, what


def test_a_consent_names_a_team_member_of_the_commune(world: World) -> None:  # noqa: F811 - the fixture
    token = token_of(world.volunteer)
    theirs = world.other_member_id  # Thạch Khôi's leader
    person = world.person_id

    def new_person(recorded_by: str) -> dict[str, Any]:
        fields = {
            "household_id": world.household_id,
            "full_name": "Lê Thị Hồng",
            "consent": True,
            "consent_date": "2026-03-02",
            "consent_recorded_by": recorded_by,
        }
        return change("member", new_id(), "insert", fields)

    def recorded(recorded_by: str) -> dict[str, Any]:
        fields = {"consent": True, "consent_date": "2026-03-02", "consent_recorded_by": recorded_by}
        return change("member", person, "update", fields, 99)

    def withdrawn(withdrawn_by: str) -> dict[str, Any]:
        fields = {
            "consent": False,
            "consent_withdrawn_date": "2026-03-03",
            "consent_withdrawn_by": withdrawn_by,
        }
        return change("member", person, "update", fields, 99)

    for what, make in (("new person", new_person), ("consent", recorded), ("withdrawn", withdrawn)):
        _refused_like_an_unknown_id(world, token, make, theirs, what)
    # A member of the commune records them as ever.
    own = world.commune.member_id
    for make in (new_person, recorded, withdrawn):
        accepted = push(world.server, token, [make(own)])
        assert accepted.status_code == 200, accepted.text


def test_an_erasure_names_a_team_member_of_the_commune(world: World) -> None:  # noqa: F811 - the fixture
    token = token_of(world.commune.leader)  # erasures are a leader's
    at = "2026-03-02T03:00:00.000000Z"

    def erased(entity: str, row_id: str) -> Any:
        def make(by: str) -> dict[str, Any]:
            return change(
                entity, row_id, "update", personal_fields.erased_fields(entity, at, by), 99
            )

        return make

    for entity, row_id in (("member", world.person_id), ("household", world.household_id)):
        _refused_like_an_unknown_id(
            world, token, erased(entity, row_id), world.other_member_id, entity
        )
    accepted = push(
        world.server, token, [erased("member", world.person_id)(world.commune.leader_id)]
    )
    assert accepted.status_code == 200, accepted.text


def test_a_birth_year_outside_the_laptops_years_is_refused(world: World) -> None:  # noqa: F811 - the fixture
    token = token_of(world.volunteer)
    this_year = vietnam_today(utc_now()).year
    person = fields_of(world.db, "member", world.person_id)

    def born(year: int, row_id: str | None = None) -> dict[str, Any]:
        if row_id is not None:
            return change("member", row_id, "update", {"birth_year": year}, 99)
        fields = {**person, "full_name": "Lê Thị Hồng", "birth_year": year}
        return change("member", new_id(), "insert", fields)

    for year in (1850, entity_rules.OLDEST_BIRTH_YEAR - 1, this_year + 1, 2999, 0, -5):
        for row_id in (None, world.person_id):
            before = stored(world.db)
            refused = push(world.server, token, [born(year, row_id)])
            assert refused.status_code == 400, f"{year}: {refused.text}"
            body = refused.json()
            assert body["message_vi"].startswith(INVALID), year
            assert f"năm sinh {year} không hợp lệ" in body["message_vi"], body
            assert f"1900–{this_year}" in body["message_en"], body
            assert stored(world.db) == before, year
    for year in (entity_rules.OLDEST_BIRTH_YEAR, 1965, this_year):
        assert push(world.server, token, [born(year)]).status_code == 200, year
        assert push(world.server, token, [born(year, world.person_id)]).status_code == 200


def test_the_laptop_takes_the_birth_years_the_server_does(world: World) -> None:  # noqa: F811 - the fixture
    """Both ends of the range, on the laptop's own check (its clock's year) and on the
    server (its clock's year)."""
    oldest = entity_rules.OLDEST_BIRTH_YEAR
    token = token_of(world.volunteer)
    person = fields_of(world.db, "member", world.person_id)

    def ends(this_year: int) -> tuple[tuple[int, bool], ...]:
        return ((oldest - 1, False), (oldest, True), (this_year, True), (this_year + 1, False))

    for year, taken in ends(vietnam_today(world.volunteer.store.now()).year):
        try:
            households.add_member(
                world.volunteer.store, world.household_id, MemberInput("Lê Thị Hồng", year)
            )
            laptop_took = True
        except ValidationError:
            laptop_took = False
        assert laptop_took == taken, year
    for year, taken in ends(vietnam_today(utc_now()).year):
        sent = {**person, "full_name": "Lê Thị Hồng", "birth_year": year}
        answer = push(world.server, token, [change("member", new_id(), "insert", sent)])
        assert (answer.status_code == 200) == taken, (year, answer.text)


@given(year=st.integers(min_value=-(2**31), max_value=2**31 - 1), this_year=st.integers(2000, 2999))
def test_the_servers_birth_year_rule_is_the_laptops_form_check(year: int, this_year: int) -> None:
    """Any year, any "this year": the push's rule and the laptop's form check agree."""
    server_takes = (
        entity_rules.birth_year_problem("member", {"birth_year": year}, this_year) is None
    )
    try:
        validate.birth_year("birth_year", year, date(this_year, 6, 1))
        laptop_takes = True
    except ValidationError:
        laptop_takes = False
    assert server_takes == laptop_takes == (entity_rules.OLDEST_BIRTH_YEAR <= year <= this_year)
