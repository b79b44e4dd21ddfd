"""The demo year: which days are busy and at what time of day volunteers sit.

Teams sit at the cultural house on their meeting days (two weekday evenings and the
weekend), outside them only now and then.  Campaigns make a few weeks much busier, and
the Tết holidays almost empty.  Everything is in Vietnam time and ends at "now".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from villagehelper.clock import to_vietnam, vietnam_day_bounds

DAYS = 365

# Tết Nguyên Đán (lunar new year's day) in the Gregorian calendar; teams pause around it.
_TET = {
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}
_TET_BEFORE, _TET_AFTER = 4, 7

# Minutes after midnight (Vietnam time) of the sittings at the cultural house.
MORNING = (7 * 60 + 30, 11 * 60 + 30)
AFTERNOON = (13 * 60 + 30, 17 * 60)
EVENING = (19 * 60, 21 * 60 + 30)

_WEEKDAY_FACTOR = (1.0, 1.0, 1.0, 1.0, 1.0, 1.5, 1.3)  # Monday … Sunday
_OFF_DAY_FACTOR = 0.08  # help given at the leader's home outside meeting days


@dataclass(frozen=True)
class Campaign:
    name: str
    start: date
    end: date  # included
    busier: float
    services: frozenset[str]

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


_CAMPAIGN_KINDS = (
    ("Cao điểm định danh điện tử mức 2", ("VNEID_L2", "VNEID_L1", "EHEALTH")),
    ("Chi trả an sinh xã hội không dùng tiền mặt", ("CASHLESS_WELFARE", "BANK_ACCOUNT", "VSSID")),
    ("Bình dân học vụ số", ("DIGITAL_SKILLS", "ONLINE_SAFETY", "DVC_ACCOUNT")),
)


class YearCalendar:
    """The 365 Vietnam days ending today, their campaigns and their sitting hours."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.now = now
        today = to_vietnam(now).date()
        self.days = [today - timedelta(days=DAYS - 1 - offset) for offset in range(DAYS)]
        self.campaigns = self._plan_campaigns(rng)

    def _plan_campaigns(self, rng: random.Random) -> list[Campaign]:
        # One campaign in each third of the year, so that peaks never pile up.
        segment = DAYS // len(_CAMPAIGN_KINDS)
        campaigns = []
        for index, (name, services) in enumerate(_CAMPAIGN_KINDS):
            length = rng.randint(21, 42)
            first = self.days[index * segment + rng.randint(0, segment - length)]
            campaigns.append(
                Campaign(
                    name,
                    first,
                    first + timedelta(days=length - 1),
                    busier=rng.uniform(2.0, 3.5),
                    services=frozenset(services),
                )
            )
        return campaigns

    def campaign_on(self, day: date) -> Campaign | None:
        return next((c for c in self.campaigns if c.covers(day)), None)

    def day_weight(self, day: date, meeting_day: bool) -> float:
        """How busy a village's day is, before random day-to-day noise."""
        weight = _WEEKDAY_FACTOR[day.weekday()] * (1.0 if meeting_day else _OFF_DAY_FACTOR)
        campaign = self.campaign_on(day)
        if campaign is not None:
            weight *= campaign.busier
        tet = _TET.get(day.year)
        if tet is not None and -_TET_AFTER <= (tet - day).days <= _TET_BEFORE:
            weight *= 0.05
        if not self.sittings(day):
            weight = 0.0
        return weight

    def sittings(self, day: date) -> list[tuple[int, int]]:
        """Sitting hours of ``day`` in minutes, cut at "now" on the last day."""
        windows = [MORNING, AFTERNOON] if day.weekday() >= 5 else [EVENING]
        if self.campaign_on(day) is not None and day.weekday() < 5:
            windows = [AFTERNOON, EVENING]
        midnight = vietnam_day_bounds(day)[0]
        minutes_until_now = (self.now - midnight) // timedelta(minutes=1)
        clipped = [(start, min(end, minutes_until_now)) for start, end in windows]
        return [(start, end) for start, end in clipped if end > start]

    def visit_times(self, rng: random.Random, day: date, count: int) -> list[datetime]:
        """``count`` sorted instants (UTC) spread over the sittings of ``day``."""
        windows = self.sittings(day)
        lengths = [(end - start) * 60_000_000 for start, end in windows]
        total = sum(lengths)
        midnight = vietnam_day_bounds(day)[0]
        times = []
        for _ in range(count):
            offset = rng.randrange(total)
            for (start, _end), length in zip(windows, lengths, strict=True):
                if offset < length:
                    times.append(midnight + timedelta(minutes=start, microseconds=offset))
                    break
                offset -= length
        times.sort()
        return times
