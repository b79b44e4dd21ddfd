"""The one way the window runs work off its thread (villagehelper.ui.shell.operations).

The work is held with a :class:`threading.Event` where a test needs it to be still
running: no sleeps, the order of events is forced.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QProgressDialog, QWidget
from pytestqt.qtbot import QtBot

from villagehelper.errors import UserError
from villagehelper.store.changelog import Changes
from villagehelper.ui.shell.context import ChangeHub
from villagehelper.ui.shell.executor import PROGRESS_DELAY_MS, Worker
from villagehelper.ui.shell.operations import changes_of, read_op, write_op

WAIT = 10_000


@pytest.fixture
def hub() -> ChangeHub:
    return ChangeHub()


@pytest.fixture
def worker(qapp: object, hub: ChangeHub) -> Iterator[Worker]:
    running = Worker(hub=hub)
    yield running
    running.shutdown()


def idle(qtbot: QtBot, worker: Worker) -> None:
    qtbot.waitUntil(lambda: not worker.busy(), timeout=WAIT)


def delete(widget: QWidget) -> None:
    """Close and delete ``widget`` as a dialog closed by the person is."""
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(widget)


def changes(*ids: str) -> Changes:
    made = Changes()
    for row_id in ids:
        made.add("household", row_id)
    return made


def announced(hub: ChangeHub) -> list[Changes]:
    heard: list[Changes] = []
    hub.sig_changed.connect(heard.append)
    return heard


# --- the owner --------------------------------------------------------------------


def test_an_answer_is_dropped_when_its_owner_was_deleted_meanwhile(
    qtbot: QtBot, worker: Worker
) -> None:
    owner = QWidget()
    release = threading.Event()
    answered: list[object] = []
    read_op(worker, owner, lambda: release.wait(WAIT)).success(answered.append).failure(
        answered.append
    ).run()
    delete(owner)  # closed while its query still runs
    release.set()
    idle(qtbot, worker)
    assert answered == []


def test_a_failed_read_of_a_deleted_owner_is_dropped_too(qtbot: QtBot, worker: Worker) -> None:
    owner = QWidget()
    release = threading.Event()
    told: list[object] = []
    worker.sig_user_error.connect(told.append)
    worker.sig_bug.connect(told.append)

    def fail() -> None:
        release.wait(WAIT)
        raise UserError("Không tìm thấy hộ.")

    read_op(worker, owner, fail).failure(told.append).run()
    delete(owner)
    release.set()
    idle(qtbot, worker)
    assert told == []


def test_an_answer_reaches_a_living_owner(qtbot: QtBot, worker: Worker) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    answered: list[int] = []
    read_op(worker, owner, lambda: 42).success(answered.append).run()
    idle(qtbot, worker)
    assert answered == [42]


# --- latest only --------------------------------------------------------------------


def test_latest_only_drops_an_older_answer_that_arrives_after_newer_text_was_typed(
    qtbot: QtBot, worker: Worker
) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    release = threading.Event()
    started = threading.Event()
    shown: list[str] = []

    def slow_search() -> str:
        started.set()
        release.wait(WAIT)
        return "nguy"

    read_op(worker, owner, slow_search).latest_only("search").success(shown.append).run()
    assert started.wait(WAIT)  # the older search is under way
    read_op(worker, owner, lambda: "nguyen").latest_only("search").success(shown.append).run()
    release.set()
    idle(qtbot, worker)
    assert shown == ["nguyen"]


def test_latest_only_does_not_even_run_work_overtaken_while_it_waited(
    qtbot: QtBot, worker: Worker
) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    release = threading.Event()
    ran: list[str] = []
    read_op(worker, None, lambda: release.wait(WAIT)).run()  # the worker is busy

    def search(text: str) -> str:
        ran.append(text)
        return text

    shown: list[str] = []
    for text in ("n", "ng", "ngu"):
        read_op(worker, owner, partial(search, text)).latest_only("search").success(
            shown.append
        ).run()
    release.set()
    idle(qtbot, worker)
    assert ran == ["ngu"]
    assert shown == ["ngu"]


def test_latest_only_is_per_owner_and_per_key(qtbot: QtBot, worker: Worker) -> None:
    first, second = QWidget(), QWidget()
    qtbot.addWidget(first)
    qtbot.addWidget(second)
    shown: list[str] = []
    read_op(worker, first, lambda: "a").latest_only("search").success(shown.append).run()
    read_op(worker, second, lambda: "b").latest_only("search").success(shown.append).run()
    read_op(worker, first, lambda: "c").latest_only("preview").success(shown.append).run()
    idle(qtbot, worker)
    assert shown == ["a", "b", "c"]


def test_a_write_cannot_be_latest_only(worker: Worker) -> None:
    with pytest.raises(ValueError, match="never skipped"):
        write_op(worker, None, Changes).latest_only()


# --- announcing -------------------------------------------------------------------


def test_a_write_announces_its_changes_exactly_once_after_its_callback(
    qtbot: QtBot, worker: Worker, hub: ChangeHub
) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    heard = announced(hub)
    order: list[str] = []
    hub.sig_changed.connect(lambda _changes: order.append("announced"))
    made = changes("h1")
    write_op(worker, owner, lambda: made).success(lambda _c: order.append("callback")).run()
    idle(qtbot, worker)
    assert heard == [made]
    assert order == ["callback", "announced"]


def test_a_write_announces_the_changes_its_result_carries(
    qtbot: QtBot, worker: Worker, hub: ChangeHub
) -> None:
    class Saved:
        def __init__(self, changes: Changes) -> None:
            self.id = "h2"
            self.changes = changes

    heard = announced(hub)
    made = changes("h2")
    saved: list[Saved] = []
    write_op(worker, None, lambda: Saved(made)).success(saved.append).run()
    idle(qtbot, worker)
    assert heard == [made]
    assert saved[0].id == "h2"


def test_a_write_whose_owner_is_gone_still_announces_once(
    qtbot: QtBot, worker: Worker, hub: ChangeHub
) -> None:
    """The dialog closed before its save finished: the lists must still refresh."""
    owner = QWidget()
    heard = announced(hub)
    release = threading.Event()
    called: list[object] = []
    made = changes("h3")

    def save() -> Changes:
        release.wait(WAIT)
        return made

    write_op(worker, owner, save).success(called.append).run()
    delete(owner)
    release.set()
    idle(qtbot, worker)
    assert called == []
    assert heard == [made]


def test_nothing_is_announced_for_a_read_or_an_empty_write(
    qtbot: QtBot, worker: Worker, hub: ChangeHub
) -> None:
    heard = announced(hub)
    read_op(worker, None, lambda: changes("h4")).run()
    write_op(worker, None, Changes).run()
    idle(qtbot, worker)
    assert heard == []


def test_a_write_must_say_what_it_changed() -> None:
    assert changes_of(changes("h5")).ids("household") == {"h5"}
    with pytest.raises(TypeError, match="returns the Changes it made"):
        changes_of(None)


# --- failures ---------------------------------------------------------------------


def test_a_user_error_nobody_handles_reaches_the_window_in_plain_words(
    qtbot: QtBot, worker: Worker
) -> None:
    def refuse() -> None:
        raise UserError("Năm sinh không hợp lệ.", "The birth year is not valid.")

    with qtbot.waitSignal(worker.sig_user_error, timeout=WAIT) as told:
        read_op(worker, None, refuse).run()
    assert told.args[0].message("vi") == "Năm sinh không hợp lệ."


def test_a_bug_is_logged_and_apologised_for(
    qtbot: QtBot, worker: Worker, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise KeyError("household")

    with (
        caplog.at_level(logging.ERROR, logger="villagehelper.ui"),
        qtbot.waitSignal(worker.sig_bug, timeout=WAIT) as told,
    ):
        write_op(worker, None, broken).run()
    assert told.args == ["KeyError"]
    assert "KeyError" in caplog.text  # the traceback is in the log, not on screen


def test_a_failure_callback_takes_the_error_instead(qtbot: QtBot, worker: Worker) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    taken: list[BaseException] = []

    def refuse() -> None:
        raise UserError("Hãy chọn thôn.")

    with qtbot.assertNotEmitted(worker.sig_user_error):
        read_op(worker, owner, refuse).failure(taken.append).run()
        idle(qtbot, worker)
    assert [type(error) for error in taken] == [UserError]


def test_a_failed_write_whose_owner_is_gone_is_still_told(qtbot: QtBot, worker: Worker) -> None:
    """A save that failed after its dialog closed must not be lost in silence."""
    owner = QWidget()
    release = threading.Event()

    def save() -> Changes:
        release.wait(WAIT)
        raise UserError("Ổ đĩa đầy.")

    write_op(worker, owner, save).failure(lambda _error: None).run()
    delete(owner)
    with qtbot.waitSignal(worker.sig_user_error, timeout=WAIT):
        release.set()


# --- one worker, in order -----------------------------------------------------------


def test_reads_and_writes_run_in_the_order_asked_on_one_worker_thread(
    qtbot: QtBot, worker: Worker
) -> None:
    ran: list[tuple[str, str]] = []
    delivered: list[str] = []

    def step(name: str, result: object) -> object:
        ran.append((name, threading.current_thread().name))
        return result

    read_op(worker, None, lambda: step("read 1", 1)).success(
        lambda _r: delivered.append("read 1")
    ).run()
    write_op(worker, None, lambda: step("save", changes("h6"))).success(
        lambda _r: delivered.append("save")
    ).run()
    read_op(worker, None, lambda: step("read 2", 2)).success(
        lambda _r: delivered.append("read 2")
    ).run()
    idle(qtbot, worker)
    assert [name for name, _thread in ran] == ["read 1", "save", "read 2"]
    assert delivered == ["read 1", "save", "read 2"]
    threads = {thread for _name, thread in ran}
    assert len(threads) == 1
    assert threads != {threading.current_thread().name}


# --- progress ---------------------------------------------------------------------


def test_progress_shows_only_after_a_delay_and_goes_with_the_work(
    qtbot: QtBot, worker: Worker
) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    release = threading.Event()
    read_op(worker, owner, lambda: release.wait(WAIT)).with_progress("Đang lưu…").run()
    assert owner.findChildren(QProgressDialog) == []  # fast work never flashes a window
    qtbot.waitUntil(
        lambda: any(d.isVisible() for d in owner.findChildren(QProgressDialog)),
        timeout=PROGRESS_DELAY_MS * 10,
    )
    release.set()
    idle(qtbot, worker)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not any(d.isVisible() for d in owner.findChildren(QProgressDialog))


# --- the rules, as the code base keeps them ------------------------------------------

UI = Path(__file__).resolve().parent.parent / "villagehelper" / "ui"


def _ui_sources() -> dict[str, str]:
    return {
        path.relative_to(UI).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(UI.rglob("*.py"))
    }


def test_only_the_operation_announces_changes_on_the_hub() -> None:
    announcing = {
        name
        for name, text in _ui_sources().items()
        if re.search(r"hub\.sig_changed\.emit\(|\.announce\(", text)
    }
    assert announcing == {"shell/operations.py"}


def test_the_workers_are_the_ones_docs_workers_md_lists() -> None:
    made = {
        (name, match)
        for name, text in _ui_sources().items()
        for match in re.findall(r"(?<!class )\bWorker\((.*?)\)", text)
    }
    assert made == {
        ("shell/app.py", ""),  # the database worker
        ("syncing/sync_controller.py", 'self, name="villagehelper-sync", hub=ctx.hub'),
        ("shell/context.py", 'name="villagehelper-keys"'),
        ("settings/recovery.py", 'self, name="villagehelper-backup"'),
    }
