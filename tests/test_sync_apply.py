"""The feed's bulk path (``sync.apply.apply_page``) leaves the store exactly as applying
the same changes one by one with ``apply_remote_change`` does: every column but
``updated_at``, the search index, and the changes reported to the views."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import FakeClock, Team
from villagehelper.exchange.apply import apply_page
from villagehelper.ids import new_id
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.store import search_index
from villagehelper.store.changelog import ENTITIES, Changes
from villagehelper.store.engine import DATABASE_FILE, Store, open_store
from villagehelper.store.remote import RemoteChange, apply_remote_change

Item = dict[str, Any]
Snapshot = dict[str, Any]


def _twin(store: Store, folder: Path) -> Store:
    """A second store holding exactly what ``store`` holds (device id included)."""
    with store.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    folder.mkdir()
    shutil.copyfile(store.path, folder / DATABASE_FILE)
    return open_store(folder, clock=FakeClock())


def _snapshot(store: Store) -> Snapshot:
    tables: Snapshot = {}
    with store.engine.connect() as connection:
        for model in ENTITIES.values():
            columns = [c.name for c in model.__table__.columns if c.name != "updated_at"]
            rows = connection.exec_driver_sql(
                f"SELECT {', '.join(columns)} FROM {model.__tablename__}"
            )
            tables[model.__tablename__] = sorted(tuple(row) for row in rows)
        tables["search"] = search_index.indexed_documents(connection)
        tables["outbox"] = connection.exec_driver_sql(
            "SELECT entity, row_id, op, payload FROM outbox ORDER BY seq"
        ).all()
    return tables


def _one_by_one(store: Store, pages: Sequence[Sequence[Item]]) -> list[Changes]:
    """What changed, page by page (each page is what the views are told at once)."""
    reported = []
    for page in pages:
        changes = Changes()
        reported.append(changes)
        with store.feed_transaction() as session:
            for item in page:
                if item["entity"] not in ENTITIES:
                    continue
                remote = RemoteChange(
                    item["entity"], item["id"], item["version"], item["fields"], item["deleted"]
                )
                apply_remote_change(session, remote, changes)
    return reported


def _in_bulk(store: Store, pages: Sequence[Sequence[Item]]) -> list[Changes]:
    reported = []
    for page in pages:
        changes = Changes()
        reported.append(changes)
        with store.feed_transaction() as session:
            apply_page(session, page, changes)
    return reported


def _split(items: list[Item], size: int) -> list[list[Item]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


@dataclass
class Feed:
    """Builds feed items the way the server sends them: full rows, rising versions."""

    team: Team
    version: int = 100

    def item(
        self, kind: str, row_id: str, fields: dict[str, Any] | None = None, deleted: bool = False
    ) -> Item:
        self.version += 1
        return {
            "entity": kind,
            "id": row_id,
            "version": self.version,
            "fields": fields or {},
            "deleted": deleted,
        }

    def village(self, row_id: str, name: str) -> Item:
        fields = {"commune_code": "10999", "name": name, "kind": "thon", "active": True}
        return self.item("village", row_id, fields)

    def household(self, row_id: str, head: str, **extra: Any) -> Item:
        fields: dict[str, Any] = {
            "village_id": self.team.village_id,
            "head_name": head,
            "address_detail": "Xóm 2",
            "phone": "0912000111",
            "notes": "",
            "merged_into": None,
        }
        fields.update(extra)
        deleted = fields.pop("deleted", False)
        return self.item("household", row_id, fields, deleted)

    def member(self, row_id: str, household_id: str, name: str, **extra: Any) -> Item:
        fields: dict[str, Any] = {
            "household_id": household_id,
            "full_name": name,
            "birth_year": 1980,
            "phone": None,
            "consent": True,
            "consent_date": "2026-11-20",
        }
        fields.update(extra)
        deleted = fields.pop("deleted", False)
        return self.item("member", row_id, fields, deleted)

    def session(self, row_id: str, household_id: str, **extra: Any) -> Item:
        fields: dict[str, Any] = {
            "visit_id": new_id(),
            "household_id": household_id,
            "member_id": None,
            "service_code": "VNEID_L1",
            "outcome": "follow_up",
            "follow_up_date": "2026-12-01",
            "failure_reason": "",
            "note": "Hẹn quay lại",
            "volunteer_id": self.team.member_id,
            "occurred_at": "2026-11-20T02:00:00.000000Z",
            "device_id": "other-laptop",
            "replaces_id": None,
        }
        fields.update(extra)
        return self.item("help_session", row_id, fields)

    def void(self, session_id: str) -> Item:
        return self.item(
            "session_void",
            new_id(),
            {
                "session_id": session_id,
                "reason": "Ghi nhầm",
                "volunteer_id": self.team.leader_id,
                "voided_at": "2026-11-21T03:00:00.000000Z",
                "device_id": "other-laptop",
            },
        )

    def merge(self, survivor_id: str, loser_id: str) -> Item:
        return self.item(
            "household_merge",
            new_id(),
            {
                "survivor_id": survivor_id,
                "loser_id": loser_id,
                "volunteer_id": self.team.leader_id,
                "merged_at": "2026-11-21T02:00:00.000000Z",
                "device_id": "other-laptop",
            },
        )


def _first_download(feed: Feed) -> list[Item]:
    """A commune's feed as a new laptop gets it, with the awkward orders real feeds have."""
    late_village, a, b, c, loser, survivor = (new_id() for _ in range(6))
    early_member, early_session, re_pointed, voided_early = (new_id() for _ in range(4))
    items = [
        # A person and a session before their household (it was edited later).
        feed.member(early_member, a, "Nguyễn Văn Ất"),
        feed.session(early_session, a, member_id=early_member),
        # A void before its session (the session was re-pointed by a merge later).
        feed.void(voided_early),
        feed.household(a, "Nguyễn Văn Ất"),
        feed.household(b, "Trần Thị Bình", phone=None, notes="Nhà có người già"),
        feed.member(new_id(), b, "Trần Thị Bình", consent=False, consent_date=None),
        feed.member(new_id(), b, "Lê Văn Cũ", deleted=True),
        # A household of a village that arrives after it (the village was renamed).
        feed.household(c, "Phạm Văn Cường", village_id=late_village),
        feed.household(survivor, "Đỗ Văn Sống"),
        feed.household(loser, "Đỗ Văn Sông"),
        feed.member(new_id(), loser, "Đỗ Thị Gộp"),
        feed.session(new_id(), loser),
        feed.session(voided_early, b, outcome="done", follow_up_date=None),
        feed.merge(survivor, loser),
        # Made on a laptop that had not seen the merge: follows it to the survivor.
        feed.member(new_id(), loser, "Đỗ Văn Muộn"),
        feed.session(re_pointed, loser, outcome="failed", failure_reason="Mất mạng"),
        feed.void(re_pointed),
        feed.household(new_id(), "Vũ Thị Xoá", deleted=True),
        feed.village(late_village, "Thôn Mới"),
        # The catalog: one code this laptop has (from its first catalog), one new.
        feed.item(
            "service",
            "VNEID_L1",
            {
                "label_vi": "Kích hoạt VNeID mức 1",
                "label_en": "VNeID level 1",
                "active": True,
                "sort_order": 10,
                "basic_skill": True,
            },
        ),
        feed.item(
            "service",
            "NEW_CAMPAIGN",
            {
                "label_vi": "Chiến dịch mới",
                "label_en": "New campaign",
                "active": True,
                "sort_order": 900,
                "basic_skill": False,
            },
        ),
        feed.item(
            "sync_conflict",
            new_id(),
            {
                "entity": "household",
                "row_id": b,
                "field": "notes",
                "server_value": '"Nhà có người già"',
                "device_value": '"Nhà có trẻ nhỏ"',
                "device_id": "other-laptop",
                "volunteer_id": None,
                "created_at": "2026-11-21T04:00:00.000000Z",
                "resolved": False,
                "resolution": None,
                "resolved_by": None,
            },
        ),
        feed.item("password", "x"),  # an entity from a newer version: skipped
    ]
    # The same household twice in one page: the later copy wins, through the one-row path.
    items.append(feed.household(b, "Trần Thị Bình", phone="0987000111", notes=""))
    return items


def _assert_same_outcome(
    store: Store, tmp_path: Path, pages: Callable[[Feed], list[list[Item]]], team: Team
) -> None:
    twin = _twin(store, tmp_path / "twin")
    try:
        feed_pages = pages(Feed(team))
        expected_changes = _one_by_one(store, feed_pages)
        changes = _in_bulk(twin, feed_pages)
        assert _snapshot(twin) == _snapshot(store)
        assert [c.touched for c in changes] == [c.touched for c in expected_changes]
    finally:
        twin.close()


@pytest.mark.parametrize("page_size", [1, 3, 7, 1000])
def test_a_first_download_ends_as_one_change_at_a_time_would(
    village_team: Team, tmp_path: Path, page_size: int
) -> None:
    _assert_same_outcome(
        village_team.store,
        tmp_path,
        lambda feed: _split(_first_download(feed), page_size),
        village_team,
    )


def test_the_awkward_rows_really_are_there(village_team: Team, tmp_path: Path) -> None:
    """The comparison above means something: the bulk path did the interesting work."""
    feed = Feed(village_team)
    items = _first_download(feed)
    with village_team.store.feed_transaction() as session:
        assert apply_page(session, items, Changes()) == len(items) - 1  # "password" skipped
    with village_team.store.engine.connect() as connection:
        survivor, loser = connection.exec_driver_sql(
            "SELECT survivor_id, loser_id FROM household_merges"
        ).one()
        moved = connection.exec_driver_sql(
            "SELECT count(*) FROM members WHERE household_id = ?", (survivor,)
        ).scalar()
        assert moved == 2  # the one before the merge and the late one
        assert connection.exec_driver_sql(
            "SELECT deleted, merged_into FROM households WHERE id = ?", (loser,)
        ).one() == (1, survivor)
        assert (
            connection.exec_driver_sql(
                "SELECT count(*) FROM help_sessions WHERE voided = 1"
            ).scalar()
            == 2
        )
        documents = search_index.indexed_documents(connection)
    assert any("thon moi" in document for document in documents.values())
    assert len(hh.find_households(village_team.store, "cuong").hits) == 1


def _local_work(t: Team) -> tuple[str, str, str]:
    """A synced household edited here (dirty), a synced session, and our own session
    whose upload is not acknowledged yet."""
    feed = Feed(t, version=10)
    household_id, session_id = new_id(), new_id()
    with t.store.feed_transaction() as session:
        apply_page(
            session,
            [feed.household(household_id, "Hoàng Văn Em"), feed.session(session_id, household_id)],
            Changes(),
        )
    hh.update_household(
        t.store,
        household_id,
        hh.HouseholdInput(t.village_id, "Hoàng Văn Em", "Xóm 9 (sửa trên máy này)"),
    )
    logged = ss.log_visit(
        t.store, ss.VisitInput(household_id, t.member_id, [ss.ServiceOutcome("VSSID")])
    )
    return household_id, session_id, logged.session_ids[0]


def test_rows_held_here_keep_their_local_edits_as_one_by_one(
    village_team: Team, tmp_path: Path
) -> None:
    household_id, synced_session, own_session = _local_work(village_team)
    with village_team.store.engine.connect() as connection:
        own_fields = dict(
            zip(
                ("visit_id", "service_code", "occurred_at", "device_id"),
                connection.exec_driver_sql(
                    "SELECT visit_id, service_code, occurred_at, device_id FROM help_sessions "
                    "WHERE id = ?",
                    (own_session,),
                ).one(),
                strict=True,
            )
        )

    def pages(feed: Feed) -> list[list[Item]]:
        stale = feed.household(household_id, "Tên cũ")
        stale["version"] = 5  # older than what this laptop holds
        echo = feed.session(own_session, household_id, **own_fields)
        return [
            [
                stale,
                feed.household(household_id, "Hoàng Văn Êm", address_detail="Xóm 3", notes="Mới"),
                echo,
                feed.member(new_id(), household_id, "Hoàng Thị Mới"),
                feed.void(synced_session),
                feed.void(synced_session),  # a second void of the same session
                feed.household(household_id, "Hoàng Văn Êm", deleted=True),
            ],
            # A person joining a stored household: the household is reported changed.
            [feed.member(new_id(), household_id, "Hoàng Văn Út")],
        ]

    _assert_same_outcome(village_team.store, tmp_path, pages, village_team)


def test_a_malformed_value_fails_the_page_in_bulk_too(village_team: Team) -> None:
    feed = Feed(village_team)
    household_id = new_id()
    bad = feed.session(new_id(), household_id, occurred_at="2026-02-30T02:00:00.000000Z")
    with pytest.raises(ValueError), village_team.store.feed_transaction() as session:
        apply_page(session, [feed.household(household_id, "Lý Văn Lỗi"), bad], Changes())
    with village_team.store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM households")).scalar() == 0


def test_unknown_entities_are_skipped_with_a_warning(
    village_team: Team, caplog: pytest.LogCaptureFixture
) -> None:
    feed = Feed(village_team)
    with caplog.at_level(logging.WARNING), village_team.store.feed_transaction() as session:
        applied = apply_page(session, [feed.item("password", "x")], Changes())
    assert applied == 0
    assert "password" in caplog.text
