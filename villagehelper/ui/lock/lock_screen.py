"""The lock screen: at start-up when any team member has a PIN, and over the window
after a while without input (villagehelper.ui.lock.inactivity) or on "Khóa ngay".

At start-up it comes before the store is opened — the data key it yields is what opens
the store — so it is a dialog of its own; over a running window it is a page that
replaces the window's contents, while saves and sync carry on behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from villagehelper.keys.key_file import Keyring, PinHolder
from villagehelper.ui.lock.pin_prompt import PinPrompt, Unlocked
from villagehelper.ui.shell.executor import Worker


class LockScreen(QWidget):
    """Nothing of the residents' data: a title, who may unlock, the PIN field."""

    sig_unlocked = Signal(object)
    """A member typed their PIN: the argument is an :class:`Unlocked`."""

    def __init__(
        self,
        data_dir: Path,
        worker: Worker,
        language: str,
        place: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        title = QLabel(self.tr("VillageHelper đang khóa"), self)
        title.setObjectName("lockTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        where = QLabel(place, self)
        where.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        note = QLabel(
            self.tr(
                "Chọn tên bạn và nhập mã PIN để mở. Việc lưu và đồng bộ vẫn tiếp tục trong "
                "khi khóa."
            ),
            self,
        )
        note.setWordWrap(True)
        note.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.prompt = PinPrompt(data_dir, worker, language, self.tr("Mở khóa"), self)
        self.prompt.sig_verified.connect(self.sig_unlocked.emit)
        column = QWidget(self)
        column.setMaximumWidth(self.fontMetrics().averageCharWidth() * 60)
        inner = QVBoxLayout(column)
        inner.addWidget(title)
        inner.addWidget(where)
        inner.addWidget(note)
        inner.addWidget(self.prompt, 1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(column, 4, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self.setFocusProxy(self.prompt)

    def show_holders(self, holders: Sequence[PinHolder], preferred: str | None) -> None:
        self.prompt.clear()
        self.prompt.set_holders(holders, preferred)
        self.prompt.pin.setFocus()


class LockDialog(QDialog):
    """The lock screen at start-up, before any window; closing it quits the app."""

    def __init__(
        self,
        data_dir: Path,
        worker: Worker,
        language: str,
        holders: Sequence[PinHolder],
        preferred: str | None,
    ) -> None:
        super().__init__()
        self.setObjectName("lockDialog")
        self.setWindowTitle("VillageHelper")
        self.unlocked: Unlocked | None = None
        self.screen_widget = LockScreen(data_dir, worker, language, parent=self)
        self.screen_widget.sig_unlocked.connect(self._unlocked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.screen_widget)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 80, metrics.height() * 28)
        self.screen_widget.show_holders(holders, preferred)

    def _unlocked(self, unlocked: Unlocked) -> None:
        self.unlocked = unlocked
        self.accept()


def unlock_at_start(
    data_dir: Path, worker: Worker, language: str, preferred: str | None
) -> Unlocked | None:
    """The data key for this run: at once while nobody has a PIN (a new key is made the
    first time), else from the PIN a member types; ``None`` if they closed the screen."""
    keyring = Keyring.load(data_dir)
    if not keyring.has_pins:
        return Unlocked(None, keyring.data_key())
    dialog = LockDialog(data_dir, worker, language, keyring.members_with_pin(), preferred)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return dialog.unlocked if accepted else None
