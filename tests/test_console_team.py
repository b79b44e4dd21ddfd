"""The console's villages and team page over plain HTTP, against a real server on SQLite
and PostgreSQL with a real leader's laptop syncing through it: what the page writes
arrives on the laptop at its next sync (read back from the laptop's own store), through
the rules a leader's laptop meets (a village's name taken, a name with a symbol), named
in the audit logs; a viewer, another commune and a form without its CSRF token refused
with nothing written."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select, text

from tests.console_admin_support import (
    COMMUNE,
    OTHER_COMMUNE,
    admin_console,
    audit_actions,
    commune_admin,
    leader_laptop,
    post_form,
    server_db_url,
    server_rows,
    sync,
)
from tests.console_browser import ConsoleServer
from villagehelper.server.leader_writes import CONSOLE_AUTHOR
from villagehelper.store.engine import Store
from villagehelper.store.models import TeamMember, Village

__all__ = ["admin_console", "server_db_url"]

PAGE = f"/xa/{COMMUNE}/thon/"


def _villages(store: Store) -> dict[str, tuple[str, bool]]:
    with store.reading() as session:
        rows = session.scalars(select(Village).where(Village.deleted.is_(False))).all()
        return {v.id: (v.name, v.active) for v in rows}


def _members(store: Store) -> dict[str, tuple[str, str, str | None, bool]]:
    with store.reading() as session:
        rows = session.scalars(select(TeamMember)).all()
        return {m.full_name: (m.id, m.role, m.village_id, m.active) for m in rows}


def _added_id(page: str, name: str) -> str:
    found = re.search(rf'/thon/([0-9a-f-]{{36}})/doi-ten"[^<]*<input type="hidden"[^>]*>\s*'
                      rf'<label[^>]*>[^<]*{re.escape(name)}</label>', page)  # fmt: skip
    assert found is not None, page
    return found.group(1)


def test_villages_and_members_written_on_the_page_arrive_on_the_leaders_laptop(
    admin_console: ConsoleServer, tmp_path: Path
) -> None:
    laptop = leader_laptop(admin_console, tmp_path / "to-truong")
    admin = commune_admin(admin_console)
    base = admin_console.url

    added = post_form(admin, base, PAGE, f"{PAGE}them-thon", name="Thôn Hữu Chung", kind="thon")
    assert (added.status_code, added.headers["location"]) == (303, PAGE)
    village_id = _added_id(admin.get(f"{base}{PAGE}").text, "Thôn Hữu Chung")
    sync(laptop)
    assert _villages(laptop)[village_id] == ("Thôn Hữu Chung", True)

    renamed = post_form(admin, base, PAGE, f"{PAGE}{village_id}/doi-ten", name="Thôn Hữu Chung 2")
    assert renamed.status_code == 303
    member = post_form(
        admin, base, PAGE, f"{PAGE}them-thanh-vien",
        full_name="Lò Thị Mai", role="member", village_id=village_id,
    )  # fmt: skip
    assert member.status_code == 303
    sync(laptop)
    assert _villages(laptop)[village_id] == ("Thôn Hữu Chung 2", True)
    member_id, role, home, active = _members(laptop)["Lò Thị Mai"]
    assert (role, home, active) == ("member", village_id, True)

    made_leader = post_form(
        admin, base, PAGE, f"{PAGE}thanh-vien/{member_id}/vai-tro", role="leader"
    )
    former = _members(laptop)["Phạm Đăng Xuyết"][0]
    stepped_down = post_form(admin, base, PAGE, f"{PAGE}thanh-vien/{former}/vai-tro", role="member")
    gone = post_form(admin, base, PAGE, f"{PAGE}thanh-vien/{former}/hoat-dong", active="0")
    assert {made_leader.status_code, stepped_down.status_code, gone.status_code} == {303}
    sync(laptop)
    members = _members(laptop)
    assert members["Lò Thị Mai"][1] == "leader"
    assert members["Phạm Đăng Xuyết"][1:] == ("member", members["Phạm Đăng Xuyết"][2], False)

    actions = [(a, target) for _, a, target in audit_actions(admin_console)]
    for expected in [
        ("village_added", village_id),
        ("village_renamed", village_id),
        ("member_added", member_id),
        ("member_made_leader", member_id),
        ("member_made_member", former),
        ("member_deactivated", former),
    ]:
        assert expected in actions
    with admin_console.db.engine.connect() as connection:
        authors = (
            connection.execute(
                text("SELECT DISTINCT device_id FROM audit_log WHERE row_id IN (:v, :m)"),
                {"v": village_id, "m": member_id},
            )
            .scalars()
            .all()
        )
    assert authors == [CONSOLE_AUTHOR]  # the server's own author, no laptop's id
    laptop.close()


def test_the_laptops_rules_hold_on_the_page_and_a_refusal_writes_nothing(
    admin_console: ConsoleServer, tmp_path: Path
) -> None:
    laptop = leader_laptop(admin_console, tmp_path / "to-truong")
    admin = commune_admin(admin_console)
    base = admin_console.url
    before = server_rows(admin_console)
    taken = post_form(admin, base, PAGE, f"{PAGE}them-thon", name="  thôn KHAY ", kind="thon")
    assert taken.status_code == 400
    assert "Đã có «Thôn Khay» trong danh sách thôn" in taken.text
    symbol = post_form(
        admin, base, PAGE, f"{PAGE}them-thanh-vien", full_name="Lò Mai ☺", role="member"
    )
    assert symbol.status_code == 400 and "không phải chữ của tên người" in symbol.text
    empty = post_form(admin, base, PAGE, f"{PAGE}them-thon", name="   ", kind="thon")
    assert empty.status_code == 400 and "Chưa nhập tên thôn" in empty.text
    wrong_kind = post_form(admin, base, PAGE, f"{PAGE}them-thon", name="Thôn Mới", kind="x")
    assert wrong_kind.status_code == 400
    assert server_rows(admin_console) == before
    laptop.close()


def test_a_viewer_another_commune_and_a_missing_csrf_token_change_nothing(
    admin_console: ConsoleServer, tmp_path: Path
) -> None:
    laptop = leader_laptop(admin_console, tmp_path / "to-truong")
    village_id = next(iter(_villages(laptop)))
    base = admin_console.url
    before = server_rows(admin_console)

    viewer = admin_console.signed_in_session("Lê Văn Xem", "--commune", COMMUNE, role="viewer")
    page = viewer.get(f"{base}{PAGE}")
    assert page.status_code == 200 and "Thôn Khay" in page.text and "them-thon" not in page.text
    refused = post_form(viewer, base, PAGE, f"{PAGE}them-thon", name="Thôn Mới", kind="thon")
    assert refused.status_code == 403

    other = admin_console.signed_in_session("Trần Văn Khác", "--commune", OTHER_COMMUNE)
    assert other.get(f"{base}{PAGE}").status_code == 403
    own = f"/xa/{OTHER_COMMUNE}/thon/"
    sideways = post_form(other, base, own, f"{PAGE}{village_id}/doi-ten", name="Của xã khác")
    assert sideways.status_code == 403
    # Through its own commune's address: the village is not one of its rows.
    through_own = post_form(other, base, own, f"{own}{village_id}/doi-ten", name="Của xã khác")
    assert through_own.status_code == 400

    admin = commune_admin(admin_console)
    for fields in ({}, {"csrf": "sai"}):
        answer = admin.post(f"{base}{PAGE}them-thon", data={"name": "Thôn Mới", **fields})
        assert answer.status_code == 403 and "mã bảo vệ" in answer.text
    assert server_rows(admin_console) == before
    sync(laptop)
    assert list(_villages(laptop).values()) == [("Thôn Khay", True)]
    laptop.close()


def test_both_pages_speak_english_when_chosen(admin_console: ConsoleServer, tmp_path: Path) -> None:
    laptop = leader_laptop(admin_console, tmp_path / "to-truong")
    admin = commune_admin(admin_console)
    base = admin_console.url
    admin.get(f"{base}/ngon-ngu/en", params={"tiep": PAGE})
    team = admin.get(f"{base}{PAGE}").text
    assert "Villages and team" in team and "Add a village" in team and "Make member" in team
    refused = post_form(admin, base, PAGE, f"{PAGE}them-thon", name="thôn khay", kind="thon")
    assert "A village named «Thôn Khay» exists already" in refused.text
    laptops = admin.get(f"{base}/xa/{COMMUNE}/may-tinh/").text
    assert "Issue an enrolment code for a new laptop" in laptops and "Last sync" in laptops
    assert "leader" in laptops and "tổ trưởng" not in laptops
    laptop.close()
