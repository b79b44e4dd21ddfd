"""What a tally is: the counts of a period per service and in total, the basic-skills
indicator, and the figures both ways of counting hand to :func:`compute_tally`
(:mod:`villagehelper.tally.engine`)."""

from __future__ import annotations

from dataclasses import astuple, dataclass

from villagehelper.tally.periods import Period


@dataclass(frozen=True)
class Counts:
    """What the report counts over a set of sessions."""

    sessions: int = 0
    people: int = 0
    households: int = 0
    done: int = 0
    follow_up: int = 0
    failed: int = 0
    cumulative: int = 0
    previous_sessions: int = 0
    open_follow_ups: int = 0

    @property
    def change(self) -> int:
        """Sessions against the previous period (positive: more than before)."""
        return self.sessions - self.previous_sessions

    def __add__(self, other: Counts) -> Counts:
        """Each count summed: right for sets of sessions with no person or household in
        common (villages of a commune; see tally.from_sessions)."""
        pairs = zip(astuple(self), astuple(other), strict=True)
        return Counts(*(mine + theirs for mine, theirs in pairs))


@dataclass(frozen=True)
class ServiceTally:
    service_code: str
    label_vi: str
    label_en: str
    basic_skill: bool
    counts: Counts


@dataclass(frozen=True)
class BasicSkills:
    services: tuple[str, ...]
    households_covered: int
    households: int

    @property
    def rate(self) -> float | None:
        return self.households_covered / self.households if self.households else None


@dataclass(frozen=True)
class Tally:
    period: Period
    previous: Period
    village_id: str | None
    volunteer_id: str | None
    rows: tuple[ServiceTally, ...]
    totals: Counts
    basic_skills: BasicSkills


@dataclass(frozen=True)
class Figures:
    """A tally's numbers before they are laid out per catalog row."""

    per_service: dict[str, Counts]  # the period's own counts (no look-backs yet)
    totals: Counts
    before: dict[str, int]
    cumulative: dict[str, int]
    open_ups: dict[str, int]
    skills: BasicSkills
