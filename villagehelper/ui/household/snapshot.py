"""What the household page shows, read in one go by the worker thread."""

from __future__ import annotations

from dataclasses import dataclass

from villagehelper.ops.households import HouseholdDetail, get_household
from villagehelper.ops.timeline import TimelineVisit, household_timeline
from villagehelper.store.engine import Store


@dataclass(frozen=True)
class HouseholdSnapshot:
    detail: HouseholdDetail
    visits: list[TimelineVisit]

    @property
    def session_count(self) -> int:
        return sum(len(visit.entries) for visit in self.visits)


def load_snapshot(store: Store, household_id: str) -> HouseholdSnapshot:
    return HouseholdSnapshot(
        get_household(store, household_id), household_timeline(store, household_id)
    )
