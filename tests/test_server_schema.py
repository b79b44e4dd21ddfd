"""The commune server against its own OpenAPI schema (``/openapi.json``), with schemathesis.

Requests generated from the schema, valid and invalid, go over real HTTP to a server on
a loopback port (SQLite and PostgreSQL), carrying a volunteer's or a leader's real token.
None may get a server error, and every answer must be what the schema says: a documented
status, its media type, its JSON shape.  Generation is derandomized with a fixed number
of examples, so a run is the same every time and fits the suite's time.

The second half holds the regression tests of what this found (and of what was found
while reading the code it pointed at), each as a plain request.
"""

from __future__ import annotations

import gzip
import json
import socket
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import CheckFunction
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.generation.stateful.state_machine import (
    APIStateMachine,
    StepInput,
    StepOutput,
)
from schemathesis.schemas import APIOperation, BaseSchema
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import select

from tests.sync_support import COMMUNE, LoopbackServer, set_up_commune
from villagehelper import __version__
from villagehelper.exchange import wire
from villagehelper.ids import new_id
from villagehelper.ops import households, sessions
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts, publishing
from villagehelper.server.database import ServerDB
from villagehelper.server.limits import Throttles
from villagehelper.server.tables import ReceivedChange, Record
from villagehelper.store import sync_state
from villagehelper.store.migrate import HEAD_REVISION

OPERATIONS = (
    "GET /v1/health",
    "POST /v1/enrol",
    "POST /v1/push",
    "GET /v1/changes",
    "GET /v1/tally/week",
    "GET /v1/snapshot",
    "GET /v1/updates/latest",
    "GET /v1/updates/{platform}/{version}/file",
)
Operation = APIOperation[Any, Any, Any, Any]
UNAUTHENTICATED = frozenset({"GET /v1/health", "POST /v1/enrol"})
# Per operation and per kind (valid, invalid data): some 300 requests in all, a few
# seconds on each database.
EXAMPLES = 25
# No throttling: each generated request must reach the endpoint it is about.  The
# throttles have tests of their own (test_server_hardening.py).
UNTHROTTLED = Throttles(
    device_rate=1e9,
    device_burst=10**9,
    enrol_rate=1e9,
    enrol_burst=10**9,
    auth_failure_rate=1e9,
    auth_failure_burst=10**9,
    device_failure_rate=1e9,
    device_failure_burst=10**9,
)
# Schema-valid data the server may still refuse, because the schema cannot say why: a
# pushed change's fields follow rules of their entity and name rows that must exist; a
# week must exist in the calendar ("2026-W99" does not).
SEMANTIC_REFUSALS = frozenset({"POST /v1/push", "GET /v1/tally/week"})
MALFORMED = "Dữ liệu gửi lên không đúng dạng"
INVALID = "Dữ liệu gửi lên không hợp lệ"


@dataclass
class Api:
    """A server with a volunteer's and a leader's token, and the schema it serves."""

    server: LoopbackServer
    schema: BaseSchema
    tokens: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", wire.PROTOCOL_HEADER: "1"}

    def operation(self, label: str) -> Operation:
        found = self.schema.find_operation_by_label(label)
        assert found is not None, label
        return found


@dataclass
class Commune(Api):
    """:class:`Api` with rows: a village, a team, a household and a help session."""

    village_id: str
    household_id: str
    week: str


def _enrol_over_http(server: LoopbackServer, role: str) -> str:
    code = accounts.issue_code(server.db, COMMUNE, role)
    answer = requests.post(
        server.url + "/v1/enrol",
        json={"code": code, "device_name": f"schemathesis {role}"},
        headers={wire.PROTOCOL_HEADER: "1"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    return token


def _schema(server: LoopbackServer) -> BaseSchema:
    config = schemathesis.Config.from_dict({"seed": 20261123})
    return schemathesis.openapi.from_url(server.url + "/openapi.json", config=config)


@pytest.fixture
def api(server_db: ServerDB) -> Iterator[Api]:
    server = LoopbackServer(server_db, UNTHROTTLED, api_docs=True)
    tokens = {role: _enrol_over_http(server, role) for role in ("leader", "volunteer")}
    yield Api(server, _schema(server), tokens)
    server.stop()


@pytest.fixture
def commune(server_db: ServerDB, tmp_path: Path) -> Iterator[Commune]:
    """The feed, the tally and the snapshot have rows to answer with: a leader's laptop
    set the commune up and logged a visit."""
    server = LoopbackServer(server_db, UNTHROTTLED, api_docs=True)
    made = set_up_commune(server, tmp_path)
    leader = made.leader
    saved = households.create_household(
        leader.store, HouseholdInput(made.village_id, "Lê Văn Tám", phone="0912345678")
    )
    sessions.log_visit(
        leader.store, VisitInput(saved.id, made.member_id, [ServiceOutcome("VNEID_L1")])
    )
    leader.sync()
    with leader.store.reading() as session:
        enrolled = sync_state.enrolled(session)
    assert enrolled is not None
    tokens = {"leader": enrolled.token, "volunteer": _enrol_over_http(server, "volunteer")}
    (tmp_path / "villagehelper.deb").write_bytes(b"an installer")
    publishing.publish(
        server_db, publishing.check_installer(tmp_path / "villagehelper.deb", "1.4.0", None, "")
    )
    year, week, _ = leader.store.clock().isocalendar()
    yield Commune(server, _schema(server), tokens, made.village_id, saved.id, f"{year}-W{week:02d}")
    server.stop()


# --- generated requests ---------------------------------------------------------------


def test_the_schema_names_every_endpoint_and_its_credentials(api: Api) -> None:
    paths = api.schema.raw_schema["paths"]
    labels = [f"{method.upper()} {path}" for path, item in paths.items() for method in item]
    assert sorted(labels) == sorted(OPERATIONS)
    for label in OPERATIONS:
        secured = bool(api.operation(label).definition.raw.get("security"))
        assert secured == (label not in UNAUTHENTICATED), label
    schemes = api.schema.raw_schema["components"]["securitySchemes"]
    assert schemes == {
        "HTTPBearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "the device token enrolment gave",
        }
    }


def _cases(api: Api, operation: Operation, mode: GenerationMode) -> st.SearchStrategy[Case[Any]]:
    # The token and the protocol header are fixed, never generated: every request is a
    # real device's, so what it gets back is about the rest of the request.
    return st.one_of(
        [operation.as_strategy(mode, headers=api.headers(role)) for role in sorted(api.tokens)]
    )


def _modes(operation: Operation) -> list[GenerationMode]:
    # Invalid data needs something to make invalid: health takes no input at all.
    takes_input = bool(operation.definition.raw.get("parameters")) or bool(
        operation.definition.raw.get("requestBody")
    )
    if takes_input:
        return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    return [GenerationMode.POSITIVE]


def _run_generated(api: Api, operation: Operation, mode: GenerationMode) -> Counter[int]:
    excluded: list[CheckFunction] = []
    if operation.label in SEMANTIC_REFUSALS:
        excluded.append(positive_data_acceptance)
    seen: Counter[int] = Counter()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        report_multiple_bugs=False,
    )
    @given(case=_cases(api, operation, mode))
    def requests_from_the_schema(case: Case[Any]) -> None:
        # Every check schemathesis has: no 5xx, documented status, media type, shape,
        # valid data accepted and invalid data refused.
        response = case.call_and_validate(excluded_checks=excluded)
        seen[response.status_code] += 1

    requests_from_the_schema()
    return seen


# What each endpoint answers at least once to generated requests: the requests got past
# the checks every call goes through to the endpoint itself (an enrolment code is never
# guessed, a snapshot for the laptop's exact version never generated).
REACHED = {
    "GET /v1/health": {200},
    "POST /v1/enrol": {401},
    "POST /v1/push": {200, 400},
    "GET /v1/changes": {200},
    "GET /v1/tally/week": {200, 403},
    "GET /v1/snapshot": {409},
    "GET /v1/updates/latest": {200, 404},  # an installer is published for linux only
    "GET /v1/updates/{platform}/{version}/file": {404},
}


def test_generated_requests_get_no_server_error_and_answers_match_the_schema(
    commune: Commune,
) -> None:
    failures = []
    for label in OPERATIONS:
        operation = commune.operation(label)
        seen: Counter[int] = Counter()
        try:
            for mode in _modes(operation):
                seen += _run_generated(commune, operation, mode)
        except Exception as failure:  # every endpoint is tried before the test fails
            failures.append(f"{label}:\n{failure}")
            continue
        if label not in UNAUTHENTICATED and {401, 429} & set(seen):
            # Real tokens, no throttle: refused, nothing past the authentication was tested.
            failures.append(f"{label}: refused a real token {seen}")
        if not REACHED[label] <= set(seen):
            failures.append(f"{label}: never answered {REACHED[label]} {seen}")
    assert not failures, "\n\n".join(failures)


# --- the stateful phase: calls chained as a laptop's rounds chain them -------------------

# Scenarios per token, and calls per scenario (some 100 calls per token).  Measured on
# this project's 2-core machine kind: 5-9 s per database for both tokens (16 s with the
# machine busy), so some 15-20 s added to the suite on the two databases.
SCENARIOS = 12
STEPS = 8
# What a refusal of invalid data may be.  Schemathesis's own list lacks 413 (body too
# large) and 426 (the protocol header missing: "update VillageHelper"), which the schema
# documents for every call.
REFUSALS = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 426, 428, 429]
# Links of the schema (api_links.py) every run follows: from a feed page, which nearly
# every scenario reaches.  The links from a push follow a push the server took, which
# generated batches seldom are (a random change breaks a rule, a random `after` names
# another history): they are followed in most runs, but not in every one, as the links a
# step follows are drawn at random by schemathesis whatever the seed.
FOLLOWED = {"NextPage", "NextRoundPush", "NextRoundNothingWaiting"}


def _schema_for(api: Api, role: str) -> BaseSchema:
    config = schemathesis.Config.from_dict(
        {
            "seed": 20261123,
            "auth": {"openapi": {"HTTPBearer": {"bearer": api.tokens[role]}}},
            "checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}},
        }
    )
    return schemathesis.openapi.from_url(api.server.url + "/openapi.json", config=config)


def _rounds_of(api: Api, role: str, seen: Counter[str]) -> type[APIStateMachine]:
    """The schema's state machine (its links: api_links.py) with ``role``'s real token."""
    epoch = api.server.db.epochs.epoch_id

    class LaptopRounds(_schema_for(api, role).as_state_machine()):  # type: ignore[misc]
        def step(self, input: StepInput) -> StepOutput:
            if input.transition is not None:  # "GET /v1/changes -> [200] NextPage -> …"
                seen[input.transition.id.split("] ")[-1].split(" ->")[0]] += 1
            output: StepOutput = super().step(input)
            return output

        def before_call(self, case: Case[Any]) -> None:
            # A laptop states its protocol and the epoch it synced in.  Any other
            # number would only ever be told "update VillageHelper", any other epoch
            # "heal first"; a header left out or malformed is invalid data and kept.
            headers = case.headers if case.headers is not None else {}
            protocol = headers.get(wire.PROTOCOL_HEADER)
            if protocol is not None and str(protocol).lstrip("-").isdigit():
                headers[wire.PROTOCOL_HEADER] = str(wire.PROTOCOL_VERSION)
            positive = case.meta is None or case.meta.generation.mode == GenerationMode.POSITIVE
            if positive and wire.EPOCH_HEADER in headers:
                headers[wire.EPOCH_HEADER] = epoch

        def validate_response(
            self,
            response: Any,
            case: Case[Any],
            additional_checks: list[CheckFunction] | None = None,
            **kwargs: Any,
        ) -> None:
            seen[f"{case.operation.label} {response.status_code}"] += 1
            excluded: list[CheckFunction] = []
            if case.operation.label in SEMANTIC_REFUSALS:
                excluded.append(positive_data_acceptance)
            # Every check, as for the requests above: no 5xx, documented status, media
            # type and shape, invalid data refused.
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=excluded,
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    return LaptopRounds


def test_chained_calls_with_each_token_get_no_server_error(commune: Commune) -> None:
    """Schemathesis's stateful phase: a volunteer's and a leader's token each walk the
    API along its links — push, download from the cursor, the next page, the next
    round's push, the same batch sent again, the week's tally — with the values each
    answer hands the next call."""
    failures = []
    for role in ("volunteer", "leader"):
        seen: Counter[str] = Counter()
        try:
            run_state_machine_as_test(
                _rounds_of(commune, role, seen),
                settings=settings(
                    max_examples=SCENARIOS,
                    stateful_step_count=STEPS,
                    derandomize=True,
                    database=None,
                    deadline=None,
                    phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck),
                    report_multiple_bugs=False,
                ),
            )
        except Exception as failure:  # both tokens are tried before the test fails
            failures.append(f"{role}:\n{failure}")
            continue
        if missing := FOLLOWED - set(seen):
            failures.append(f"{role}: links never followed: {missing} {seen}")
        for reached in ("GET /v1/changes 200", "POST /v1/push 400"):
            if not seen[reached]:
                failures.append(f"{role}: never {reached}: {seen}")
        if {"GET /v1/changes 401", "POST /v1/push 401"} & set(seen):
            failures.append(f"{role}: refused its real token {seen}")
        # The week's tally is a leader's: a volunteer's token is refused it, every time.
        if seen[f"GET /v1/tally/week {403 if role == 'leader' else 200}"]:
            failures.append(f"{role}: the tally answered {seen}")
    assert not failures, "\n\n".join(failures)


# --- real answers, one of each documented kind ------------------------------------------


def _household_insert(api: Api, village_id: str) -> dict[str, Any]:
    return {
        "changes": [
            {
                "change_id": new_id(),
                "entity": "household",
                "row_id": new_id(),
                "op": "insert",
                "base_version": None,
                "fields": {"village_id": village_id, "head_name": "Mai Thị Hoa"},
            }
        ],
        "team_member_id": None,
    }


def test_real_answers_of_every_kind_match_the_schema(commune: Commune) -> None:
    """The feed and push answers are written as JSON text by hand, past the response
    models (feed.py, app.py): the schema must still describe them, and every refusal."""
    leader, volunteer = commune.headers("leader"), commune.headers("volunteer")
    push = _household_insert(commune, commune.village_id)
    reused = {**push, "changes": [{**push["changes"][0], "row_id": new_id()}]}
    snapshot = {"schema": HEAD_REVISION}
    cases: list[tuple[str, dict[str, Any], int]] = [
        ("GET /v1/health", {}, 200),
        (
            "POST /v1/enrol",
            {
                "body": {"code": accounts.issue_code(commune.server.db, COMMUNE, "volunteer")},
                "headers": {wire.PROTOCOL_HEADER: "1"},
            },
            200,
        ),
        ("POST /v1/enrol", {"body": {"code": "ABCDE-FGHJK"}, "headers": leader}, 401),
        ("POST /v1/push", {"body": push, "headers": volunteer}, 200),
        ("POST /v1/push", {"body": push, "headers": volunteer}, 200),  # sent again
        ("POST /v1/push", {"body": reused, "headers": volunteer}, 409),
        ("GET /v1/changes", {"query": {"since": 0}, "headers": volunteer}, 200),
        ("GET /v1/changes", {"query": {"limit": 0}, "headers": volunteer}, 422),
        ("GET /v1/changes", {"headers": {**volunteer, "Authorization": "Bearer x.y"}}, 401),
        ("GET /v1/changes", {"headers": {wire.PROTOCOL_HEADER: "1"}}, 401),
        ("GET /v1/changes", {"headers": {**volunteer, wire.PROTOCOL_HEADER: "0"}}, 426),
        ("GET /v1/tally/week", {"query": {"week": commune.week}, "headers": leader}, 200),
        (
            "GET /v1/tally/week",
            {"query": {"week": commune.week, "format": "csv"}, "headers": leader},
            200,
        ),
        ("GET /v1/tally/week", {"query": {"week": "2026-W99"}, "headers": leader}, 400),
        ("GET /v1/tally/week", {"headers": volunteer}, 403),
        (
            "GET /v1/snapshot",
            {"query": snapshot, "headers": {**volunteer, wire.APP_VERSION_HEADER: __version__}},
            200,
        ),
        ("GET /v1/snapshot", {"query": snapshot, "headers": volunteer}, 409),
    ]
    for label, parts, status in cases:
        case = commune.operation(label).Case(**parts)
        response = case.call_and_validate()
        assert response.status_code == status, f"{label} {parts}: {response.text[:300]}"
        if label == "GET /v1/changes" and status == 200:
            entities = {change["entity"] for change in response.json()["changes"]}
            assert {"household", "help_session", "village", "service"} <= entities
        if label == "GET /v1/tally/week" and status == 200 and "format" not in parts["query"]:
            assert response.json()["totals"]["sessions"] == 1


# --- what was found, as plain requests ----------------------------------------------------


def _stored(db: ServerDB) -> tuple[int, int]:
    with db.reading() as session:
        records = len(session.scalars(select(Record.row_id)).all())
        received = len(session.scalars(select(ReceivedChange.change_id)).all())
    return records, received


def _push(api: Api, body: dict[str, Any] | bytes, **headers: str) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(
        api.server.url + "/v1/push",
        data=gzip.compress(data),
        headers={
            **api.headers("volunteer"),
            "Content-Encoding": "gzip",
            "Content-Type": "application/json",
            **headers,
        },
        timeout=30,
    )


def test_a_nul_character_in_a_pushed_id_is_malformed_not_a_server_error(api: Api) -> None:
    """Found by schemathesis on PostgreSQL: its text cannot hold U+0000, so a change id
    with one failed the database lookup (500)."""
    before = _stored(api.server.db)
    for key in ("change_id", "row_id", "entity"):
        body = _household_insert(api, new_id())
        body["changes"][0][key] = "household\x00" if key == "entity" else new_id()[:30] + "\x00"
        answer = _push(api, body)
        assert answer.status_code == 422, f"{key}: {answer.text}"
        assert answer.json()["message_vi"].startswith(MALFORMED), key
    member = _household_insert(api, new_id())
    member["team_member_id"] = "\x00"
    assert _push(api, member).status_code == 422
    assert _stored(api.server.db) == before


def test_a_nul_character_in_a_pushed_field_refuses_its_batch(commune: Commune) -> None:
    """The same on a field's value: one that names a row is looked up too (a member's
    household), and none a person typed holds U+0000."""
    before = _stored(commune.server.db)
    good = _household_insert(commune, commune.village_id)["changes"][0]
    person = {
        "change_id": new_id(),
        "entity": "member",
        "row_id": new_id(),
        "op": "insert",
        "base_version": None,
        "fields": {"household_id": commune.household_id[:-1] + "\x00", "full_name": "Hoa"},
    }
    named = {**good, "change_id": new_id(), "row_id": new_id()}
    named["fields"] = {**good["fields"], "head_name": "Mai\x00Hoa"}
    for index, bad in ((1, person), (1, named)):
        answer = _push(commune, {"changes": [good, bad]})
        assert answer.status_code == 400, answer.text
        body = answer.json()
        assert (body["error"], body["index"]) == ("refused", index)
        assert body["message_vi"].startswith(INVALID)
        assert "contains the NUL character" in body["message_vi"]
    assert _stored(commune.server.db) == before


def test_a_body_that_is_not_utf8_is_refused_in_the_servers_words(api: Api) -> None:
    """Found by schemathesis: the framework answered {"detail": ...} in English, a shape
    the schema does not have and the laptop cannot show."""
    for body, headers in (
        (b'{"code": "\xe9\xe9\xe9\xe9"}', {}),  # Latin-1, not UTF-8
        (gzip.compress(b'{"code": "\xe9\xe9\xe9\xe9"}'), {"Content-Encoding": "gzip"}),
    ):
        answer = requests.post(
            api.server.url + "/v1/enrol",
            data=body,
            headers={wire.PROTOCOL_HEADER: "1", "Content-Type": "application/json", **headers},
            timeout=30,
        )
        assert answer.status_code == 400, answer.text
        assert answer.json() == {
            "error": "bad_request",
            "message_vi": "Dữ liệu gửi lên không đọc được (phải là JSON mã UTF-8).",
            "message_en": "The request body cannot be read (it must be UTF-8 JSON).",
        }
    unknown = requests.get(
        api.server.url + "/v1/nothing-here", headers={wire.PROTOCOL_HEADER: "1"}, timeout=30
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "not_found"
    assert "địa chỉ" in unknown.json()["message_vi"]
    wrong_method = requests.delete(api.server.url + "/v1/health", timeout=30)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"] == "method_not_allowed"
    assert wrong_method.headers["Allow"] == "GET"


def test_a_query_parameter_given_twice_is_malformed(api: Api) -> None:
    """Found by schemathesis: ``since=5&since=0`` was read as the last value, silently."""
    url = api.server.url + "/v1/changes?since=5&limit=10&since=0"
    answer = requests.get(url, headers=api.headers("volunteer"), timeout=30)
    assert answer.status_code == 422, answer.text
    assert answer.json()["message_vi"].startswith(MALFORMED)
    assert "'since'" in answer.json()["message_vi"]
    once = api.server.url + "/v1/changes?since=0&limit=10"
    assert requests.get(once, headers=api.headers("volunteer"), timeout=30).status_code == 200


def _raw_request(server: LoopbackServer, head: bytes) -> bytes:
    """One request as bytes, for headers ``requests`` will not send."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(head + b"Connection: close\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_header_bytes_that_are_not_utf8_are_not_a_server_error(api: Api) -> None:
    """Found reading the request checks schemathesis led to: header values were decoded
    as UTF-8, and a Latin-1 byte (é as 0xE9) in any header failed every request (500)."""
    odd = _raw_request(api.server, b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Note: caf\xe9\r\n")
    assert odd.startswith(b"HTTP/1.1 200 "), odd[:200]
    token = _raw_request(
        api.server,
        b"GET /v1/changes HTTP/1.1\r\nHost: x\r\nX-VillageHelper-Protocol: 1\r\n"
        b"Authorization: Bearer \xe9t\xe9.secret\r\n",
    )
    assert token.startswith(b"HTTP/1.1 401 "), token[:200]
    assert "chưa được cấp quyền".encode() in token


def test_a_week_at_the_ends_of_the_calendar_is_refused_in_words(api: Api) -> None:
    """Found probing the tally, which schemathesis reaches only with random text: the
    engine compares a week with the one before, which for 0001-W01 does not exist
    (OverflowError, 500); 9999-W52 overflowed the same way."""
    for week, status in (
        ("0001-W01", 400),
        ("9999-W52", 400),
        ("1999-W52", 400),
        ("2000-W01", 200),
        ("2999-W52", 200),
    ):
        answer = requests.get(
            api.server.url + "/v1/tally/week",
            params={"week": week},
            headers=api.headers("leader"),
            timeout=30,
        )
        assert answer.status_code == status, f"{week}: {answer.text}"
        if status == 400:
            assert "nằm trong các năm 2000–2999" in answer.json()["message_vi"], week
