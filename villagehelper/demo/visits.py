"""A year of help sessions, simulated day by day in time order.

Each (village, day) gets a share of the requested number of sessions according to the
calendar; the day's visits are residents picked from the village's households (some come
often, some never), helped by that village's team with one to three services.  A
follow-up usually brings the resident back around the agreed date for the same service,
which closes it; those who never come back stay on the follow-up list.  About one
session in a hundred is voided a few minutes after it was logged.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from villagehelper.demo import mix
from villagehelper.demo.ids import IdMaker, Instant, instant
from villagehelper.demo.population import HouseholdRef, VillageRef
from villagehelper.demo.sampling import apportion
from villagehelper.demo.schedule import YearCalendar
from villagehelper.store.kinds import Outcome
from villagehelper.store.models import Base, HelpSession, SessionVoid

VOID_ODDS = 0.01
RETURN_ODDS = 0.75  # a follow-up whose resident comes back for it
WHOLE_HOUSEHOLD_ODDS = 0.05  # a visit logged for the household, not one person
_EXTRA_ON_RETURN = 0.15  # a returning resident also asks for something else


class RowEvent(NamedTuple):
    model: type[Base]
    values: dict[str, Any]
    at: Instant


@dataclass(frozen=True)
class _PlannedVisit:
    when: datetime
    village: VillageRef
    household: HouseholdRef
    member_id: str | None
    follow_up_of: str | None  # the service a returning resident comes back for
    size: int


@dataclass(order=True)
class _Return:
    due: date
    order: int
    household: HouseholdRef = field(compare=False)
    member_id: str | None = field(compare=False)
    service: str = field(compare=False)


@dataclass(order=True)
class _PendingVoid:
    at: datetime
    order: int
    session_id: str = field(compare=False)
    volunteer_id: str = field(compare=False)


class SessionSimulator:
    def __init__(
        self,
        rng: random.Random,
        ids: IdMaker,
        calendar: YearCalendar,
        villages: list[VillageRef],
        device_id: str,
    ) -> None:
        self.rng = rng
        self.ids = ids
        self.calendar = calendar
        self.villages = villages
        self.device_id = device_id
        self.voided = 0
        self._returns: dict[str, list[_Return]] = {v.id: [] for v in villages}
        self._voids: list[_PendingVoid] = []
        self._order = 0
        self._normal_mix = mix.service_mix()
        self._campaign_mix = {c.name: mix.service_mix(c.services) for c in calendar.campaigns}

    # --- planning --------------------------------------------------------------------

    def _budgets(self, sessions: int) -> list[list[int]]:
        """Sessions per day and village, adding up to exactly ``sessions``."""
        rng = self.rng
        weights: list[float] = []
        for day in self.calendar.days:
            for village in self.villages:
                size = len(village.households.items) if village.households else 0
                meeting = day.weekday() in village.meeting_weekdays or day.weekday() >= 5
                noise = rng.gammavariate(3.0, 1 / 3)  # some evenings are just busier
                weights.append(size * self.calendar.day_weight(day, meeting) * noise)
        flat = apportion(sessions, weights)
        width = len(self.villages)
        return [flat[i : i + width] for i in range(0, len(flat), width)]

    def _plan_day(self, day: date, budgets: list[int]) -> list[_PlannedVisit]:
        planned: list[_PlannedVisit] = []
        for village, budget in zip(self.villages, budgets, strict=True):
            if budget == 0 or village.households is None:
                continue
            visits = list(self._village_visits(village, day, budget))
            times = self.calendar.visit_times(self.rng, day, len(visits))
            planned.extend(
                _PlannedVisit(when, village, *visit)
                for when, visit in zip(times, visits, strict=True)
            )
        planned.sort(key=lambda visit: visit.when)
        return planned

    def _village_visits(
        self, village: VillageRef, day: date, budget: int
    ) -> Iterator[tuple[HouseholdRef, str | None, str | None, int]]:
        """(household, member, service returned for, number of services) per visit."""
        rng = self.rng
        returns = self._returns[village.id]
        assert village.households is not None
        visit: tuple[HouseholdRef, str | None, str | None, int]
        while budget > 0:
            if returns and returns[0].due <= day:
                back = heapq.heappop(returns)
                size = 2 if rng.random() < _EXTRA_ON_RETURN else 1
                visit = (back.household, back.member_id, back.service, min(size, budget))
            else:
                household = village.households.pick(rng)
                member: str | None = household.helped.pick(rng)
                if rng.random() < WHOLE_HOUSEHOLD_ODDS:
                    member = None
                visit = (household, member, None, min(mix.VISIT_SIZE.pick(rng), budget))
            budget -= visit[3]
            yield visit

    # --- events ----------------------------------------------------------------------

    def events(self, sessions: int) -> Iterator[RowEvent]:
        """Sessions and voids in time order (the order the outbox would have them)."""
        for day, budgets in zip(self.calendar.days, self._budgets(sessions), strict=True):
            for visit in self._plan_day(day, budgets):
                yield from self._voids_until(visit.when)
                yield from self._visit_sessions(day, visit)
        yield from self._voids_until(None)

    def _voids_until(self, moment: datetime | None) -> Iterator[RowEvent]:
        while self._voids and (moment is None or self._voids[0].at <= moment):
            pending = heapq.heappop(self._voids)
            at = instant(min(pending.at, self.calendar.now))
            values = {
                "id": self.ids.make(at.unix_ms),
                "session_id": pending.session_id,
                "reason": mix.VOID_REASONS.pick(self.rng),
                "volunteer_id": pending.volunteer_id,
                "voided_at": at.text,
                "device_id": self.device_id,
            }
            yield RowEvent(SessionVoid, values, at)

    def _services(self, day: date, visit: _PlannedVisit) -> list[str]:
        campaign = self.calendar.campaign_on(day)
        services = self._campaign_mix[campaign.name] if campaign else self._normal_mix
        if visit.follow_up_of is None:
            return services.pick_distinct(self.rng, visit.size)
        chosen = [visit.follow_up_of]
        while len(chosen) < visit.size:
            extra = services.pick(self.rng)
            if extra not in chosen:
                chosen.append(extra)
        return chosen

    def _visit_sessions(self, day: date, visit: _PlannedVisit) -> Iterator[RowEvent]:
        rng = self.rng
        at = instant(visit.when)
        visit_id = self.ids.make(at.unix_ms)
        volunteer_id = visit.village.volunteers.pick(rng)
        note = mix.SESSION_NOTES.pick(rng)
        for service in self._services(day, visit):
            returned = service == visit.follow_up_of
            outcome = (mix.RETURN_OUTCOMES if returned else mix.OUTCOMES[service]).pick(rng)
            session_id = self.ids.make(at.unix_ms)
            follow_up = None
            if outcome == Outcome.FOLLOW_UP:
                follow_up = day + timedelta(days=mix.FOLLOW_UP_DAYS.pick(rng))
            values = {
                "id": session_id,
                "visit_id": visit_id,
                "household_id": visit.household.id,
                "member_id": visit.member_id,
                "service_code": service,
                "outcome": outcome,
                "follow_up_date": follow_up.isoformat() if follow_up else None,
                "failure_reason": (
                    mix.FAILURE_REASONS[service].pick(rng) if outcome == Outcome.FAILED else ""
                ),
                "note": note,
                "volunteer_id": volunteer_id,
                "occurred_at": at.text,
                "device_id": self.device_id,
                "replaces_id": None,
                "voided": False,
            }
            if rng.random() < VOID_ODDS:
                values["voided"] = True
                self.voided += 1
                self._later(
                    self._voids,
                    _PendingVoid(
                        visit.when + timedelta(minutes=rng.randint(1, 40)),
                        0,
                        session_id,
                        volunteer_id,
                    ),
                )
            elif follow_up is not None and rng.random() < RETURN_ODDS:
                due = follow_up + timedelta(days=rng.choice((0, 0, 0, 1, 2, 4, 7)))
                self._later(
                    self._returns[visit.village.id],
                    _Return(
                        due,
                        0,
                        visit.household,
                        visit.member_id,
                        service,
                    ),
                )
            yield RowEvent(HelpSession, values, at)

    def _later(self, heap: list[Any], item: _Return | _PendingVoid) -> None:
        # A running counter breaks ties so that equal times keep their order.
        self._order += 1
        item.order = self._order
        heapq.heappush(heap, item)
