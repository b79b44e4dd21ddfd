"""The doubtful rows of an imported list, one at a time: the list's row above, up to three
candidates side by side below it, each with what tells them apart (birth year, village,
household head, phone masked but its last digits, the matcher's reasons).

Keyboard first: 1–3 links the row to that candidate, K leaves it for review ("none of
these"), T adds the row's person as someone new, Page Up / Page Down (or ← →) move
between rows.  Each choice is stored at once (its own transaction on the database
worker), then the next row comes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from villagehelper.campaigns import store_ops
from villagehelper.campaigns.target_rows import TargetRow
from villagehelper.store.changelog import Changes
from villagehelper.text import Phone
from villagehelper.ui.campaigns.import_work import DoubtfulRow, ShownCandidate
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.feedback import show_failure

SHOWN = 3
_CHOICE_KEYS = {Qt.Key.Key_1: 0, Qt.Key.Key_2: 1, Qt.Key.Key_3: 2}


def masked_phone(phone: str | None) -> str:
    return Phone(phone).masked() if phone else "—"


class ConfirmPage(QWidget):
    """Works through a stored list's doubtful rows; ``decided`` maps each settled row's
    target id to what was chosen (a member id, ``"none"`` or ``"added"``)."""

    sig_all_decided = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.rows: tuple[DoubtfulRow, ...] = ()
        self.position = 0
        self.decided: dict[str, str] = {}
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.heading = QLabel(self)
        self.heading.setObjectName("confirmHeading")
        heading_font = self.heading.font()
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        self.listed = QGroupBox(self)
        self.listed_text = QLabel(self.listed)
        self.listed_text.setTextFormat(Qt.TextFormat.PlainText)
        self.listed_text.setWordWrap(True)  # a long name and village on a narrow screen
        QVBoxLayout(self.listed).addWidget(self.listed_text)
        side_by_side = self._candidate_cards()
        actions = self._actions()
        rule = QFrame(self)
        rule.setFrameShape(QFrame.Shape.HLine)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.listed)
        layout.addWidget(rule)
        # At 125 % with large text the three cards may not fit under the row: they scroll,
        # the row above and the keys below stay in view.
        cards = QWidget(self)
        column = QVBoxLayout(cards)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(side_by_side)
        column.addStretch(1)  # the cards as tall as their text
        scroll = QScrollArea(self)
        scroll.setObjectName("candidateCards")
        scroll.setWidget(cards)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.state)
        layout.addLayout(actions)

    def _candidate_cards(self) -> QHBoxLayout:
        self.cards: list[tuple[QGroupBox, QLabel, QLabel, QPushButton]] = []
        side_by_side = QHBoxLayout()
        for number in range(1, SHOWN + 1):
            card = QGroupBox(self)
            # The name in a label that wraps: a group box's title never does, and three
            # long names side by side would widen the dialog beyond a laptop's screen.
            name = QLabel(card)
            name.setWordWrap(True)
            name.setTextFormat(Qt.TextFormat.PlainText)
            bold = name.font()
            bold.setBold(True)
            name.setFont(bold)
            text = QLabel(card)
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setAlignment(Qt.AlignmentFlag.AlignTop)
            choose = QPushButton(self.tr("%1 — Đúng người này").replace("%1", str(number)), card)
            choose.setObjectName(f"choose{number}")
            choose.clicked.connect(lambda _=False, index=number - 1: self.choose(index))
            inside = QVBoxLayout(card)
            inside.addWidget(name)
            inside.addWidget(text, 1)
            inside.addWidget(choose)
            side_by_side.addWidget(card, 1)
            self.cards.append((card, name, text, choose))
        return side_by_side

    def _actions(self) -> QGridLayout:
        self.none_button = QPushButton(self.tr("K — Không phải ai trong số này"), self)
        self.none_button.setObjectName("noneOfThese")
        self.none_button.clicked.connect(self.none_of_these)
        self.add_button = QPushButton(self.tr("T — Thêm người mới"), self)
        self.add_button.setObjectName("addAsNew")
        self.add_button.clicked.connect(self.add_as_new)
        self.previous_button = QPushButton(self.tr("← Dòng trước (PgUp)"), self)
        self.previous_button.clicked.connect(lambda: self.show_row(self.position - 1))
        self.next_button = QPushButton(self.tr("Dòng sau → (PgDn)"), self)
        self.next_button.clicked.connect(lambda: self.show_row(self.position + 1))
        self.state = QLabel(self)
        self.state.setObjectName("confirmState")
        actions = QGridLayout()
        actions.addWidget(self.none_button, 0, 0)
        actions.addWidget(self.add_button, 0, 1)
        actions.addWidget(self.previous_button, 0, 2)
        actions.addWidget(self.next_button, 0, 3)
        return actions

    # --- showing ------------------------------------------------------------------------

    def set_rows(self, rows: tuple[DoubtfulRow, ...]) -> None:
        self.rows = rows
        self.decided = {}
        self.show_row(0)

    @property
    def current(self) -> DoubtfulRow | None:
        return self.rows[self.position] if 0 <= self.position < len(self.rows) else None

    def show_row(self, position: int) -> None:
        if not self.rows:
            return
        self.position = max(0, min(position, len(self.rows) - 1))
        doubtful = self.rows[self.position]
        self.heading.setText(
            self.tr("Xác nhận người trong danh sách: dòng cần xem %1/%2")
            .replace("%1", str(self.position + 1))
            .replace("%2", str(len(self.rows)))
        )
        self.listed.setTitle(
            self.tr("Trong danh sách (dòng %1 của tệp)").replace("%1", str(doubtful.row.line))
        )
        self.listed_text.setText(self._describe_row(doubtful.row))
        for index, (card, name, text, choose) in enumerate(self.cards):
            shown = index < len(doubtful.candidates)
            card.setVisible(shown)
            if shown:
                candidate = doubtful.candidates[index]
                name.setText(f"{index + 1}. {candidate.full_name}")
                text.setText(self._describe_candidate(candidate))
                choose.setEnabled(True)
        self.previous_button.setEnabled(self.position > 0)
        self.next_button.setEnabled(self.position < len(self.rows) - 1)
        self._show_state()
        self.setFocus()

    def _describe_row(self, row: TargetRow) -> str:
        unknown = self.tr("không ghi")
        lines = [
            self.tr("Họ tên: %1").replace("%1", row.full_name),
            self.tr("Năm sinh: %1").replace("%1", str(row.birth_year or unknown)),
            self.tr("Thôn: %1").replace("%1", row.village_name or unknown),
            self.tr("Điện thoại: %1").replace("%1", masked_phone(row.phone)),
        ]
        if row.id_last_digits:
            lines.append(self.tr("Số cuối CCCD: %1").replace("%1", row.id_last_digits))
        return "   ·   ".join(lines)

    def _describe_candidate(self, candidate: ShownCandidate) -> str:
        unknown = self.tr("không rõ")
        lines = [
            self.tr("Năm sinh: %1").replace("%1", str(candidate.birth_year or unknown)),
            self.tr("Thôn: %1").replace("%1", candidate.village_name or unknown),
            self.tr("Chủ hộ: %1").replace("%1", candidate.head_name or unknown),
            self.tr("Điện thoại: %1").replace("%1", masked_phone(candidate.phone)),
            "",
            self.tr("Vì sao giống:"),
            *(f"• {reason}" for reason in candidate.reasons),
        ]
        return "\n".join(lines)

    def _show_state(self) -> None:
        doubtful = self.current
        if doubtful is None:
            return
        decided = self.decided.get(doubtful.target_id)
        if decided is None:
            text = self.tr("Chưa chọn. Bấm 1–%1, K hoặc T.").replace(
                "%1", str(len(doubtful.candidates))
            )
        elif decided == "none":
            text = self.tr("Đã để lại để xem sau (không phải ai trong số này).")
        elif decided == "added":
            text = self.tr("Đã thêm thành người mới.")
        else:
            name = next(c.full_name for c in doubtful.candidates if c.member_id == decided)
            text = self.tr("Đã chọn: %1").replace("%1", name)
        left = len(self.rows) - len(self.decided)
        self.state.setText(text + "  " + self.tr("Còn %1 dòng chưa chọn.").replace("%1", str(left)))

    # --- choosing -----------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        key = Qt.Key(event.key())
        if key in _CHOICE_KEYS:
            self.choose(_CHOICE_KEYS[key])
        elif key == Qt.Key.Key_K:
            self.none_of_these()
        elif key == Qt.Key.Key_T:
            self.add_as_new()
        elif key in (Qt.Key.Key_PageDown, Qt.Key.Key_Right):
            self.show_row(self.position + 1)
        elif key in (Qt.Key.Key_PageUp, Qt.Key.Key_Left):
            self.show_row(self.position - 1)
        else:
            super().keyPressEvent(event)

    def choose(self, index: int) -> None:
        doubtful = self.current
        if doubtful is None or index >= len(doubtful.candidates):
            return
        member_id = doubtful.candidates[index].member_id
        self._settle(
            doubtful.target_id,
            member_id,
            lambda session: store_ops.confirm_target(session, doubtful.target_id, member_id),
        )

    def none_of_these(self) -> None:
        if (doubtful := self.current) is not None:
            target_id = doubtful.target_id
            self._settle(
                target_id, "none", lambda session: store_ops.leave_unmatched(session, target_id)
            )

    def add_as_new(self) -> None:
        doubtful = self.current
        # Back on a row already added, T again would add the same person a second time.
        if doubtful is not None and self.decided.get(doubtful.target_id) != "added":
            target_id = doubtful.target_id
            self._settle(
                target_id, "added", lambda session: store_ops.add_as_new_person(session, target_id)
            )

    def _settle(
        self, target_id: str, decided: str, write: Callable[..., store_ops.Written]
    ) -> None:
        store = self._ctx.store

        def work() -> Changes:
            with store.transaction() as session:
                return write(session).changes

        self._ctx.write(self, work).success(lambda _: self._settled(target_id, decided)).failure(
            lambda error: show_failure(self, error, self._ctx.log_file)
        ).run()

    def _settled(self, target_id: str, decided: str) -> None:
        self.decided[target_id] = decided
        waiting = [
            position for position, row in enumerate(self.rows) if row.target_id not in self.decided
        ]
        if not waiting:
            self._show_state()
            self.sig_all_decided.emit()
            return
        after = [position for position in waiting if position > self.position]
        self.show_row(after[0] if after else waiting[0])
