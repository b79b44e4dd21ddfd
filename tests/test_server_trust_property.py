"""No change can wedge a commune: pushes drawn at random — valid help sessions, sessions
breaking each declared rule, writes a volunteer's device may not make, text of every kind
(lone surrogates, control and bidi characters, non-ASCII digits) — from the volunteer's
and the leader's own tokens, straight to the HTTP API of a real server on loopback, as
an attacker on the commune's Wi-Fi would.  Whatever the server was sent:

- it never answers with a server error (every answer is below 500);
- afterwards the tally endpoint answers, both laptops sync, and a new laptop enrols and
  downloads the commune;
- every valid session the server accepted is on that new laptop (nothing valid lost).

The server and its commune are made once per test and keep what every example pushed:
the commune must stay usable however much it has been sent.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import test_sync_security
from tests.sync_support import enrol_laptop, open_laptop
from tests.test_push_validation import _session
from tests.test_sync_security import GiaLoc, call, change, push, token_of
from villagehelper.ids import new_id
from villagehelper.store.models import HelpSession

gia_loc = test_sync_security.gia_loc  # the fixture: Gia Lộc, a leader, a volunteer

# Text a laptop never sends but an attacker may: lone surrogates, controls, bidi
# overrides, digits of other scripts, and ordinary Vietnamese.
_odd_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["\ud800", "a\udfffb", "\u202egnp.exe", "\x00", "\x1b[31m", "²٣𝟙", "Hà Nội"]),
)
_KINDS = (
    "valid",
    "outcome",
    "year_9999",
    "year_1",
    "follow_up_no_date",
    "failure_no_reason",
    "unknown_replaces",
    "note",
    "delete_household",
    "forged_device",
    "odd_field_name",
)


def _pushed(gia_loc: GiaLoc, kind: str, text: str) -> dict[str, Any]:
    """One change of ``kind`` (a valid session unless its kind says otherwise)."""
    if kind == "outcome":
        return _session(gia_loc, outcome=text or "xyz")
    if kind == "year_9999":
        return _session(gia_loc, occurred_at="9999-12-31T23:00:00.000000Z")
    if kind == "year_1":
        return _session(gia_loc, occurred_at="0001-01-01T00:00:00.000000Z")
    if kind == "follow_up_no_date":
        return _session(gia_loc, outcome="follow_up", follow_up_date=None)
    if kind == "failure_no_reason":
        return _session(gia_loc, outcome="failed", failure_reason="")
    if kind == "unknown_replaces":
        return _session(gia_loc, replaces_id=new_id())
    if kind == "note":
        return _session(gia_loc, note=text)
    if kind == "delete_household":
        return change("household", gia_loc.household_id, "delete", {"deleted": True}, base=1)
    if kind == "forged_device":
        return _session(gia_loc, device_id=gia_loc.commune.leader.store.device_id)
    if kind == "odd_field_name":
        made = _session(gia_loc)
        made["fields"][text or "\ud800"] = "x"
        return made
    return _session(gia_loc)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pushes=st.lists(
        st.tuples(st.sampled_from(("volunteer", "leader")), st.sampled_from(_KINDS), _odd_text),
        min_size=1,
        max_size=6,
    ),
    batched=st.booleans(),
)
def test_no_push_of_any_kind_from_any_role_wedges_the_commune(
    gia_loc: GiaLoc, tmp_path: Path, pushes: list[tuple[str, str, str]], batched: bool
) -> None:
    tokens = {"volunteer": token_of(gia_loc.volunteer), "leader": token_of(gia_loc.commune.leader)}
    accepted_valid: list[str] = []
    answers: list[requests.Response] = []
    made = [(role, kind, _pushed(gia_loc, kind, text)) for role, kind, text in pushes]
    if batched:  # one batch per role: a refused change refuses its whole batch
        for role, token in tokens.items():
            mine = [(kind, c) for r, kind, c in made if r == role]
            if mine:
                answer = push(gia_loc.server, token, [c for _kind, c in mine])
                answers.append(answer)
                if answer.status_code == 200:
                    accepted_valid += [c["row_id"] for kind, c in mine if kind == "valid"]
    else:
        for role, kind, one in made:
            answer = push(gia_loc.server, tokens[role], [one])
            answers.append(answer)
            if answer.status_code == 200 and kind == "valid":
                accepted_valid.append(one["row_id"])

    for answer in answers:
        assert answer.status_code < 500, answer.text
        if answer.status_code >= 400:
            assert answer.json()["message_vi"], answer.text  # said in words, as JSON

    leader = gia_loc.commune.leader
    tally = call(gia_loc.server, "GET", "/v1/tally/week", token=token_of(leader))
    assert tally.status_code == 200, tally.text
    gia_loc.volunteer.sync()
    leader.sync()
    newcomer = enrol_laptop(gia_loc.server, open_laptop(tmp_path, f"new-{uuid.uuid4().hex[:8]}"))
    try:
        newcomer.sync()
        with newcomer.store.reading() as session:
            for session_id in accepted_valid:
                assert session.get(HelpSession, session_id) is not None, session_id
    finally:
        newcomer.store.close()
