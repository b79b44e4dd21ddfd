"""Every tab of the leader's review tells a refused save the same way: what the leader
can fix in the tab's message line, a bug through the window's own feedback (the worker's
report), never as raw text in the tab."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from villagehelper.errors import UserError
from villagehelper.ui.review.review_list import show_refusal
from villagehelper.ui.shell.context import AppContext


def test_a_refusal_the_leader_can_fix_is_told_in_the_tab(qtbot: QtBot, app_ctx: AppContext) -> None:
    message = QLabel()
    qtbot.addWidget(message)
    with qtbot.assertNotEmitted(app_ctx.executor.sig_bug):
        show_refusal(message, app_ctx, UserError("Chưa chọn người ghi.", "Nobody chosen."))
    assert message.text() == "Chưa chọn người ghi."


def test_a_bug_goes_to_the_window_and_leaves_the_tab_as_it_was(
    qtbot: QtBot, app_ctx: AppContext
) -> None:
    message = QLabel("Đã lưu.")
    qtbot.addWidget(message)
    with qtbot.waitSignal(app_ctx.executor.sig_bug, timeout=1_000) as bug:
        show_refusal(message, app_ctx, RuntimeError("boom"))
    assert bug.args == ["RuntimeError"]
    assert message.text() == "Đã lưu."
