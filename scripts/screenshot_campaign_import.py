"""docs/screenshots/campaign-confirm.png: the confirmation of a list's doubtful rows, from
the demo data.  A list is written as a commune would send it (CSV) (names the demo holds
several times, no village, a birth year a year off; some rows exact; a stranger), read
and stored through the import dialog, and the first doubtful row pictured."""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QApplication
from screenshot_support import demo_store, save, settle, with_language
from sqlalchemy import select

from villagehelper.campaigns import store_ops
from villagehelper.campaigns.people import KnownPerson, known_people
from villagehelper.ops.team import list_team_members
from villagehelper.preferences import Preferences
from villagehelper.store.engine import Store
from villagehelper.store.models import Commune
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.campaigns.import_dialog import ImportDialog
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker

HEADER = ["STT", "Họ và tên", "Năm sinh", "Thôn", "Số điện thoại", "4 số cuối CCCD"]


def write_list(store: Store, path: Path) -> None:
    with store.reading() as session:
        commune = session.scalars(select(Commune)).one()
        people = known_people(session, commune.code)
    named = Counter(person.full_name for person in people)
    shared = [name for name, count in named.most_common() if count >= 3][:4]
    rows: list[list[object]] = []
    for name in shared:  # which of them? the list does not say
        first: KnownPerson = next(person for person in people if person.full_name == name)
        year = first.birth_year + 1 if first.birth_year else None
        rows.append([len(rows) + 1, name, year, "", "", ""])
    for person in people[:6]:  # exact rows: linked without a question
        rows.append([len(rows) + 1, person.full_name, person.birth_year, "", person.phone, ""])
    rows.append([len(rows) + 1, "Hoàng Thị Xuân", 1944, "", "", "4821"])
    # As CSV (UTF-8 with its BOM, as Excel saves it): the tests write XLSX.
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        table = csv.writer(file)
        table.writerow(["DANH SÁCH NGƯỜI NHẬN LƯƠNG HƯU CHƯA NHẬN QUA TÀI KHOẢN"])
        table.writerow(HEADER)
        table.writerows(rows)


def shoot(app: QApplication, store: Store, out: Path, work: Path) -> None:
    leader = next(member for member in list_team_members(store) if member.is_leader)
    with store.transaction() as session:
        campaign_id = store_ops.create_campaign(
            session,
            name="Nhận lương hưu không dùng tiền mặt",
            service_codes=("CASHLESS_WELFARE",),
            deadline=date(2026, 12, 31),
            created_by=leader.id,
        ).row_id
    path = work / "danh-sach.csv"
    write_list(store, path)
    executor = Worker()
    ctx = AppContext(store, executor, Preferences(volunteer_id=leader.id))
    dialog = ImportDialog(ctx, campaign_id)
    dialog.show()
    dialog.path.setText(str(path))
    dialog.read_file()
    settle(app, executor)
    dialog.store_list()
    settle(app, executor)
    if dialog.pages.currentWidget() is not dialog.confirm:
        raise RuntimeError("the demo list has no doubtful row: campaign-confirm.png not made")
    save(dialog, out, "campaign-confirm")
    executor.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as folder, allowed_here():
        with_language(app, "vi")
        store = demo_store(Path(folder) / "demo")
        try:
            shoot(app, store, args.out, Path(folder))
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
