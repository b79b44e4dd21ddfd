"""The epoch marker kept by several server processes (``serve --workers``): each knows
the feed only as far as its own requests saw it, and the marker keeps the furthest — a
marker gone backwards would let a database put back by hand from a recent copy pass as
the current one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from villagehelper.server import epochs
from villagehelper.server.epochs import EpochState


def _feed(marker: Path) -> int:
    return int(json.loads(marker.read_text(encoding="utf-8"))["feed"])


def test_a_process_that_saw_less_of_the_feed_does_not_move_the_marker_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(epochs, "MARKER_INTERVAL", 0.0)  # every note written at once
    marker = tmp_path / "server.sqlite3.epoch.json"
    ahead, behind = EpochState("epoch-1", marker, 10), EpochState("epoch-1", marker, 10)
    ahead.note_feed(50)
    behind.note_feed(40)  # its own requests reached only 40
    assert _feed(marker) == 50
    behind.note_feed(60)
    ahead.flush()
    assert _feed(marker) == 60


def test_a_new_epochs_marker_starts_from_its_own_feed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(epochs, "MARKER_INTERVAL", 0.0)
    marker = tmp_path / "server.sqlite3.epoch.json"
    EpochState("old-epoch", marker, 0).note_feed(900)
    # After a restore the feed is shorter: the old epoch's figure is not carried over.
    EpochState("new-epoch", marker, 0).note_feed(300)
    assert _feed(marker) == 300
