"""The console's overview of a commune: laptops sync through a real server on loopback
(SQLite and PostgreSQL), and the overview's numbers equal each laptop's own tally for
the same week and a recount over the server's rows in plain SQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.console_figures_support import SERVER_START, WEEK, counts_tuple, recount
from tests.console_figures_support import replicas as replicas  # the fixture
from tests.sync_support import (
    COMMUNE,
    LoopbackServer,
    enrol_laptop,
    open_laptop,
    set_up_commune,
)
from villagehelper.clock import vietnam_day_bounds
from villagehelper.errors import ValidationError
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.server.console_figures.overview import commune_overview
from villagehelper.server.console_figures.spans import Span, span_period
from villagehelper.server.replicas import CommuneReplicas
from villagehelper.store.kinds import Outcome
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.history import weekly_history
from villagehelper.tally.overview import village_tallies
from villagehelper.tally.periods import custom, iso_week, month


def test_overview_equals_each_laptops_tally_and_a_plain_recount(
    sync_server: LoopbackServer, replicas: CommuneReplicas, tmp_path: Path
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader
    huu = team.add_village(leader.store, "Thôn Hữu Chung")
    helper = team.add_team_member(leader.store, "Vũ Văn Hùng", "member", huu.id)
    leader.sync()
    volunteer = enrol_laptop(sync_server, open_laptop(tmp_path, "volunteer"))
    volunteer.sync()

    khay_home = households.create_household(
        leader.store,
        HouseholdInput(commune.village_id, "Lê Văn Tám", phone="0912345678"),
        [MemberInput("Lê Thị Hoa", 1950)],
    )
    sessions.log_visit(
        leader.store,
        VisitInput(
            khay_home.id,
            commune.leader_id,
            [
                ServiceOutcome("VNEID_L1"),
                ServiceOutcome("VNEID_L2", Outcome.FOLLOW_UP, follow_up_date=date(2026, 12, 1)),
                ServiceOutcome("DIGITAL_SKILLS"),
            ],
        ),
    )
    wrong = sessions.log_visit(
        leader.store, VisitInput(khay_home.id, commune.leader_id, [ServiceOutcome("OTHER")])
    )
    sessions.void_session(leader.store, wrong.session_ids[0], commune.leader_id, "nhầm")
    huu_home = households.create_household(volunteer.store, HouseholdInput(huu.id, "Đỗ Thị Mai"))
    sessions.log_visit(
        volunteer.store,
        VisitInput(
            huu_home.id,
            helper.id,
            [
                ServiceOutcome("VNEID_L1"),
                ServiceOutcome("BANK_ACCOUNT", Outcome.FAILED, failure_reason="không có mạng"),
            ],
        ),
    )
    # The week before, for the change and the chart.
    sessions.log_visit(
        volunteer.store,
        VisitInput(
            huu_home.id,
            helper.id,
            [ServiceOutcome("VSSID")],
            occurred_at=SERVER_START - timedelta(days=7),
        ),
    )
    for laptop in (leader, volunteer, leader, volunteer):
        laptop.sync()

    overview = commune_overview(replicas, sync_server.db, COMMUNE, WEEK)

    for laptop in (leader, volunteer):  # each laptop's own engine on its own store
        assert overview.figures.tally == compute_tally(laptop.store, WEEK)
        assert overview.figures.villages == village_tallies(laptop.store, WEEK)
        assert overview.history == weekly_history(laptop.store, WEEK.last)
    recounted = recount(sync_server.db, COMMUNE, WEEK)
    assert counts_tuple(overview.figures.totals) == recounted.total.as_tuple() == (5, 2, 2, 3, 1, 1)
    by_village = {line.name: counts_tuple(line.counts) for line in overview.figures.villages}
    assert by_village == {name: r.as_tuple() for name, r in recounted.by_village.items()}
    by_service = {
        row.service_code: counts_tuple(row.counts)
        for row in overview.figures.tally.rows
        if row.counts.sessions
    }
    assert by_service == {code: r.as_tuple() for code, r in recounted.by_service.items()}
    assert overview.open_follow_ups == 1
    follow_ups = {line.name: line.counts.open_follow_ups for line in overview.figures.villages}
    assert follow_ups == {"Thôn Khay": 1, "Thôn Hữu Chung": 0}
    assert overview.history.totals()[-2:] == (1, 5)
    assert overview.basic_skills.households == 2
    assert overview.implausible_sessions == 0 and overview.quarantined_rows == 0

    # Nothing personal in what a viewer is shown: no resident, team member or phone.
    shown = repr(overview)
    for personal in ("Lê Văn Tám", "Lê Thị Hoa", "Đỗ Thị Mai", "0912345678", "1950"):
        assert personal not in shown
    for member in ("Phạm Đăng Xuyết", "Nguyễn Thị Hệ", "Vũ Văn Hùng", "test laptop"):
        assert member not in shown


def test_sessions_at_vietnam_midnight_fall_in_their_own_week_and_month(
    sync_server: LoopbackServer, replicas: CommuneReplicas, tmp_path: Path
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader
    home = households.create_household(leader.store, HouseholdInput(commune.village_id, "Lò A"))
    # Both clocks on Wednesday 2 December: the sessions below lie in the past.
    later = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    leader.store.clock = FakeClock(later)
    sync_server.db.clock = FakeClock(later)
    sunday_ends = vietnam_day_bounds(date(2026, 11, 29))[1]  # Monday 30/11 00:00 in Vietnam
    month_ends = vietnam_day_bounds(date(2026, 11, 30))[1]  # Tuesday 1/12 00:00 in Vietnam
    for moment, service in (
        (sunday_ends - timedelta(seconds=1), "VNEID_L1"),
        (sunday_ends, "VNEID_L2"),
        (month_ends - timedelta(seconds=1), "VSSID"),
        (month_ends, "EHEALTH"),
    ):
        visit = VisitInput(
            home.id, commune.leader_id, [ServiceOutcome(service)], occurred_at=moment
        )
        sessions.log_visit(leader.store, visit)
    leader.sync()

    def services_of(period_sessions: object) -> set[str]:
        return {row.service_code for row in period_sessions.tally.rows if row.counts.sessions}  # type: ignore[attr-defined]

    db = sync_server.db
    assert services_of(commune_overview(replicas, db, COMMUNE, WEEK).figures) == {"VNEID_L1"}
    next_week = iso_week(2026, 49)
    assert services_of(commune_overview(replicas, db, COMMUNE, next_week).figures) == {
        "VNEID_L2",
        "VSSID",
        "EHEALTH",
    }
    november = commune_overview(replicas, db, COMMUNE, month(2026, 11)).figures
    assert services_of(november) == {"VNEID_L1", "VNEID_L2", "VSSID"}
    # "This month" by the server's clock on the last Vietnam instant of November, then
    # on the first of December (16:59:59.999 and 17:00 UTC).
    for now, expected in (
        (month_ends - timedelta(microseconds=1), {"VNEID_L1", "VNEID_L2", "VSSID"}),
        (month_ends, {"EHEALTH"}),
    ):
        today = (now + timedelta(hours=7)).date()
        period = span_period(Span.THIS_MONTH, today)
        assert services_of(commune_overview(replicas, db, COMMUNE, period, now).figures) == expected
        recounted = recount(db, COMMUNE, period)
        assert set(recounted.by_service) == expected


def test_the_spans_a_page_offers() -> None:
    wednesday = date(2026, 12, 2)
    assert span_period(Span.THIS_WEEK, wednesday) == iso_week(2026, 49)
    assert span_period("last_week", wednesday) == iso_week(2026, 48)
    assert span_period(Span.THIS_MONTH, wednesday) == month(2026, 12)
    this_quarter = span_period(Span.THIS_QUARTER, wednesday)
    assert (this_quarter.first, this_quarter.last) == (date(2026, 10, 1), date(2026, 12, 31))
    assert this_quarter.previous().first == date(2026, 7, 1)
    first_quarter = span_period(Span.THIS_QUARTER, date(2026, 3, 31))
    assert (first_quarter.first, first_quarter.last) == (date(2026, 1, 1), date(2026, 3, 31))
    assert span_period(Span.YEAR_TO_DATE, wednesday) == custom(date(2026, 1, 1), wednesday)
    assert span_period(Span.YEAR_TO_DATE, date(2027, 1, 1)) == custom(
        date(2027, 1, 1), date(2027, 1, 1)
    )
    with pytest.raises(ValidationError) as refused:
        span_period("fortnight", wednesday)
    assert "Kỳ không hợp lệ" in refused.value.message_vi
    assert "tuần này (this_week)" in refused.value.message_vi  # the words a person knows
