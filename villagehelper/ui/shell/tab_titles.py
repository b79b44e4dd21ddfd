"""Tab titles that say their key ("Báo cáo tuần (F7)") while they all fit, and only
their name when they would not (125 % scaling with large text on a 1366×768 laptop):
no screen's tab is pushed out of view behind scroll arrows.  The key is always in the
tab's tooltip."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QTabWidget


class KeyedTabTitles(QObject):
    def __init__(self, tabs: QTabWidget, titles: Sequence[tuple[str, str]]) -> None:
        super().__init__(tabs)
        self._tabs = tabs
        self._titles = list(titles)
        tabs.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange, QEvent.Type.Show):
            self.apply()
        return False

    def apply(self) -> None:
        """The titles with their keys if all fit the tab widget's width, else without."""
        bar = self._tabs.tabBar()
        full = [f"{title} ({key})" for title, key in self._titles]
        self._set(full)
        needed = sum(bar.tabSizeHint(index).width() for index in range(bar.count()))
        if needed > self._tabs.width():
            self._set([title for title, _key in self._titles])
        for index, text in enumerate(full[: bar.count()]):
            self._tabs.setTabToolTip(index, text)

    def _set(self, texts: list[str]) -> None:
        for index, text in enumerate(texts[: self._tabs.count()]):
            if self._tabs.tabText(index) != text:
                self._tabs.setTabText(index, text)
