"""The line of the visit form that says who of the chosen household is on an open
campaign's list and not yet done ("Lê Thị Ánh có trong danh sách chiến dịch «…»"), so
the team helps them with the campaign's service while they are here.

The targets are read with the household, on the database worker
(campaigns.visit_hint.open_campaign_targets); this module only shows them and says
which person and service the form should start with.  No gender is recorded for a
person, so the line names them without "Ông" / "Bà".
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget

from villagehelper.text import format_number

if TYPE_CHECKING:
    from villagehelper.campaigns.visit_hint import OpenTarget

NAMED = 2  # people named in a campaign's line; the others are counted
HINT_STYLE = "background: #fff4d6; border: 1px solid #e0b84d; padding: 4px;"


@dataclass(frozen=True)
class Suggestion:
    """Who the form starts with, and the campaign service chosen for them."""

    member_id: str
    service_code: str


def suggestion(targets: Sequence[OpenTarget], offered: Collection[str]) -> Suggestion | None:
    """The first target (soonest deadline) and the first of its campaign's services the
    form offers; None when nobody is on a list or no service of theirs is offered."""
    for target in targets:
        for code in target.service_codes:
            if code in offered:
                return Suggestion(target.member_id, code)
    return None


class CampaignHint(QLabel):
    """Hidden unless someone of the household is on an open campaign's list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("campaignHint")
        self.setWordWrap(True)
        self.setStyleSheet(HINT_STYLE)
        self.hide()

    def show_targets(self, targets: Sequence[OpenTarget]) -> None:
        """One line per campaign (the form must keep its room for the services): its
        people here, at most two by name."""
        by_campaign: dict[str, list[OpenTarget]] = {}
        for target in targets:
            by_campaign.setdefault(target.campaign_id, []).append(target)
        lines = [
            self.tr("%1 có trong danh sách chiến dịch «%2»")
            .replace("%1", self._names(people))
            .replace("%2", people[0].campaign_name)
            + (self._status(str(people[0].status)) if len(people) == 1 else "")
            for people in by_campaign.values()
        ]
        self.setText("\n".join(lines))
        self.setVisible(bool(lines))

    def _names(self, people: Sequence[OpenTarget]) -> str:
        if len(people) <= NAMED:
            return ", ".join(person.full_name for person in people)
        named = ", ".join(person.full_name for person in people[:NAMED])
        more = format_number(len(people) - NAMED)
        return self.tr("%1 và %2 người khác").replace("%1", named).replace("%2", more)

    def _status(self, status: str) -> str:
        if status == "follow_up":
            return " — " + self.tr("đang hẹn lại")
        if status == "failed":
            return " — " + self.tr("lần trước chưa được")
        return ""
