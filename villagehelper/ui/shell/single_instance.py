"""One app per data folder: a second start brings the open window forward and says so.

Two people at the cultural house double-click the icon on one laptop, or someone opens
the app again because its window is hidden behind another.  The first copy holds the
data folder's lock (:mod:`villagehelper.store.folder_lock`, which commands that change
data respect too) and listens on a local socket named after the folder; a second copy
finds the lock taken, asks the first through the socket to show its window, tells the
person the app is already open, and ends without touching the data.

The socket's name is a digest of the folder's canonical path, so two data folders on
one PC (two communes, a test folder) each have their own app.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from villagehelper.disk_errors import folder_problem
from villagehelper.preferences import load_preferences
from villagehelper.store.folder_lock import APP_ROLE, FolderLock, Holder

SHOW_REQUEST = b"show\n"
CONNECT_TIMEOUT_MS = 2000


def server_name(data_dir: Path) -> str:
    """The local socket's name for ``data_dir`` (its canonical path, case-folded where
    the file system ignores case)."""
    canonical = os.path.normcase(str(data_dir.resolve()))
    return "villagehelper-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


class SingleInstance(QObject):
    """This process's claim on a data folder, and the socket other starts reach it by."""

    sig_show_requested = Signal()
    """Another start of the app on this folder asked for the window to come forward."""

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.name = server_name(data_dir)
        self._lock = FolderLock(data_dir, APP_ROLE)
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        """Hold the folder and listen for other starts; ``False`` when another process
        (an open app, a command changing data) has the folder."""
        if not self._lock.try_acquire():
            return False
        # A socket file left by a copy that crashed: ours now that we hold the lock.
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(self._answer)
        if not server.listen(self.name):
            # Without the socket a second start cannot bring us forward, but the lock
            # still keeps it out: not a reason to refuse to open.
            server.deleteLater()
            return True
        self._server = server
        return True

    def holder(self) -> Holder | None:
        """Who has the folder, when :meth:`claim` failed."""
        return self._lock.holder()

    def forward(self) -> bool:
        """Ask the copy holding the folder to show its window; whether it was reached."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(SHOW_REQUEST)
        written = socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        return written

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
        self._lock.release()

    def _answer(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            connection = self._server.nextPendingConnection()
            connection.readyRead.connect(lambda c=connection: self._read(c))
            connection.disconnected.connect(connection.deleteLater)
            if connection.bytesAvailable():
                self._read(connection)

    def _read(self, connection: QLocalSocket) -> None:
        if bytes(connection.readAll().data()).startswith(SHOW_REQUEST.strip()):
            self.sig_show_requested.emit()


def bring_forward() -> None:
    """Show this app's windows in front (a minimised one restored)."""
    for widget in QApplication.topLevelWidgets():
        if not widget.isVisible() or widget.windowType() == Qt.WindowType.ToolTip:
            continue
        if widget.isMinimized():
            widget.showNormal()
        widget.raise_()
        widget.activateWindow()


def already_open_box(holder: Holder | None, parent: QWidget | None = None) -> QMessageBox:
    """The message for a second start: the app is open (its window brought forward), or
    a command is changing the data right now."""
    box = QMessageBox(parent)
    box.setObjectName("alreadyOpenBox")
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle("VillageHelper")
    if holder is None or holder.role == APP_ROLE:
        box.setText(
            QCoreApplication.translate(
                "SingleInstance",
                "VillageHelper đã đang mở với thư mục dữ liệu này; cửa sổ đó đã được đưa "
                "lên trước. Hãy dùng cửa sổ đang mở (mỗi thư mục dữ liệu chỉ mở một lần).",
            )
        )
    else:
        box.setText(
            QCoreApplication.translate(
                "SingleInstance",
                "Lệnh «villagehelper %1» đang thay đổi dữ liệu trong thư mục này. Hãy chờ "
                "lệnh chạy xong rồi mở lại VillageHelper.",
            ).replace("%1", holder.role)
        )
    return box


def refuse_second_start(app: QApplication, instance: SingleInstance) -> int | None:
    """Claim the data folder for this start; ``None`` when it may go on, else the exit
    code after saying why not (the app already open, a command changing the data, a
    folder that cannot be written: a read-only or unplugged disk)."""
    try:
        if instance.claim():
            return None
    except OSError as error:
        problem = folder_problem(error, instance.data_dir)
        if problem is None:
            raise
        language = load_preferences(instance.data_dir).language
        QMessageBox.critical(None, "VillageHelper", problem.message(language))
        return 1
    return tell_already_open(app, instance)


def tell_already_open(app: QApplication, instance: SingleInstance) -> int:
    """A second start: bring the first copy forward, say so (in the person's language),
    and give the exit code of a start that did nothing."""
    from villagehelper.ui.shell.i18n import install_language

    holder = instance.holder()
    if holder is None or holder.role == APP_ROLE:
        instance.forward()
    translators = install_language(app, load_preferences(instance.data_dir).language)
    try:
        already_open_box(holder).exec()
    finally:
        for translator in translators:
            app.removeTranslator(translator)
    return 0
