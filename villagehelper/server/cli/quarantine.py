"""``villagehelper-server quarantine …``: list, repair and void rows set aside (quarantine.py).

Every command first catches the communes' replicas up (where the rows are found), and
``repair``/``void`` catch the row's commune up again after writing, to say whether the row
now applies.  Ids and reasons only are printed.
"""

from __future__ import annotations

import argparse

from sqlalchemy import select

from villagehelper.server import quarantine
from villagehelper.server.database import ServerDB
from villagehelper.server.replicas import CommuneReplicas, default_replicas_folder
from villagehelper.server.tables import ServerCommune


def _catch_up(db: ServerDB, replicas: CommuneReplicas, commune_code: str | None) -> None:
    with db.reading() as session:
        codes = [commune_code] if commune_code else list(session.scalars(_COMMUNES))
    for code in codes:
        replicas.caught_up(code)


def run_quarantine(db: ServerDB, args: argparse.Namespace) -> int:
    replicas = CommuneReplicas(db, default_replicas_folder(db.url))
    try:
        if args.action == "list":
            _catch_up(db, replicas, args.commune)
            rows = quarantine.listed(db, args.commune)
            print("commune\tentity\trow_id\tversion\treason")
            for row in rows:
                print(
                    f"{row.commune_code}\t{row.entity}\t{row.row_id}\t{row.version}\t{row.reason}"
                )
            print(f"{len(rows)} dòng để riêng / rows set aside")
            return 0
        if args.action == "repair":
            fields = quarantine.parse_assignments(args.assignments)
            done = quarantine.repair(db, args.entity, args.row_id, fields)
        else:
            done = quarantine.void_session(db, args.session_id)
        _catch_up(db, replicas, done.commune_code)
        still = (
            [
                row
                for row in quarantine.listed(db, done.commune_code)
                if (row.entity, row.row_id) == (args.entity, args.row_id)
            ]
            if args.action == "repair"
            else []
        )
        if still:
            print(
                f"Đã ghi phiên bản {done.version}, nhưng dòng vẫn chưa dùng được "
                f"({still[0].reason}) / written, but the row still cannot be applied"
            )
            return 1
        print(
            f"Đã ghi phiên bản {done.version}: các máy sẽ nhận ở lần đồng bộ tới "
            "/ written: laptops take it at their next sync"
        )
        return 0
    finally:
        replicas.close()


_COMMUNES = select(ServerCommune.code)
