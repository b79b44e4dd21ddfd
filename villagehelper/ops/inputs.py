"""What forms, imports and the GUI hand to the core operations: plain values, not yet
cleaned or checked (the operations validate them).  No SQLAlchemy here, so the GUI can
build them before the database layer is loaded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from villagehelper.store.kinds import Outcome


@dataclass(frozen=True)
class HouseholdInput:
    """What a form or an import row says about a household (raw, not yet cleaned)."""

    village_id: str
    head_name: str
    address_detail: str = ""
    phone: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class MemberInput:
    full_name: str
    birth_year: int | None = None
    phone: str | None = None
    consent: bool = False
    consent_date: date | None = None
    # Team member ids; None keeps what the record holds (a form does not ask).
    consent_recorded_by: str | None = None
    consent_withdrawn_date: date | None = None
    consent_withdrawn_by: str | None = None


@dataclass(frozen=True)
class ServiceOutcome:
    service_code: str
    outcome: str = Outcome.DONE
    follow_up_date: date | None = None
    failure_reason: str = ""


@dataclass(frozen=True)
class VisitInput:
    household_id: str
    volunteer_id: str
    services: Sequence[ServiceOutcome]
    member_id: str | None = None
    note: str = ""
    consent: bool = False  # the resident agreed today: recorded on the member
    occurred_at: datetime | None = None  # default: now
