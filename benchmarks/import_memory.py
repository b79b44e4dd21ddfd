"""Peak memory and time of importing a large households file, then a large sessions file
(issue 14, finding 8).

    python -m benchmarks.import_memory                 # 200,000 rows, CSV and XLSX
    python -m benchmarks.import_memory --rows 20000    # a quicker look
    python -m benchmarks.import_memory --kinds sessions   # one of the two only

Each figure is measured in a process of its own (peak resident memory, ``VmHWM``, is a
process's whole life): ``villagehelper.transfer.import_households`` of the file into a
fresh data folder, beside a baseline that only reads the same file — the ``csv`` module
for CSV, openpyxl's read-only mode for XLSX — so the ratio is what the import itself
costs over reading.  A third row per format is the refusal of a file whose header is
missing: the time to say so must not grow with the rows under it.

The households file is synthetic (one row per person, about three people per household,
in the export's own columns) and written once per run to a temporary folder.  The
sessions file has as many rows, each a service given to one of those households, named
as a commune list names them (head of household, village, the service's words, the
volunteer's name; no ids), and is imported into a copy of the data folder the households
CSV went into — the households import is not part of its figure.  Nothing is asserted;
the figures are printed in the usual table.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks.measure import Row, table
from benchmarks.sync_client import peak_rss_mb

MEMORY_TARGET = 200.0  # MB, for a 200,000-row file (issue 14)
COMMUNE = "10999"
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
_MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thu", "Hữu", "Ngọc", "Quang")
_GIVEN = ("An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Mai", "Nam", "Thảo", "Tú", "Yến")
_HEADER = ("Mã xã", "Thôn", "Chủ hộ", "Địa chỉ", "Số điện thoại hộ", "Họ tên", "Năm sinh")
_SESSION_HEADER = ("Ngày hỗ trợ", "Chủ hộ", "Thôn", "Nội dung hỗ trợ", "Kết quả", "Người hỗ trợ")
_SERVICES = ("VNEID_L1", "VNEID_L2", "DVC_ACCOUNT", "EHEALTH", "VSSID", "BANK_ACCOUNT")
_VOLUNTEERS = tuple(f"Tình nguyện viên {n}" for n in range(1, 11))


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def household_rows(count: int, seed: int = 14) -> list[list[str]]:
    """``count`` member rows of made-up households in 20 villages."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    household = 0
    while len(rows) < count:
        household += 1
        head = f"{_name(rng)} {household}"  # unique: each group is one household
        village = f"Thôn {household % 20 + 1}"
        phone = f"09{rng.randrange(10**8):08d}"
        address = f"Xóm {rng.randrange(1, 12)}, số {rng.randrange(1, 300)}"
        for position in range(min(rng.randint(1, 5), count - len(rows))):
            person = head if position == 0 else _name(rng)
            born = str(rng.randint(1935, 2020))
            rows.append([COMMUNE, village, head, address, phone, person, born])
    return rows


def session_rows(households: list[list[str]], count: int, seed: int = 15) -> list[list[str]]:
    """``count`` sessions given to the households of ``households`` (member rows), each
    at a minute of its own in 2024–2025 so that no two are the same session."""
    rng = random.Random(seed)
    heads = sorted({(row[2], row[1]) for row in households})
    rows: list[list[str]] = []
    for minute in rng.sample(range(700 * 24 * 60), count):
        head, village = rng.choice(heads)
        day, rest = divmod(minute, 24 * 60)
        moment = (
            f"{date(2024, 1, 1) + timedelta(days=day):%d/%m/%Y} {rest // 60:02d}:{rest % 60:02d}"
        )
        service = rng.choice(_SERVICES)
        rows.append([moment, head, village, service, "Thành công", rng.choice(_VOLUNTEERS)])
    return rows


def write_csv(path: Path, rows: list[list[str]], header: tuple[str, ...] = _HEADER) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path: Path, rows: list[list[str]], header: tuple[str, ...] = _HEADER) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Hộ gia đình" if header == _HEADER else "Lượt hỗ trợ")
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def write_headerless(path: Path, rows: list[list[str]]) -> None:
    """The same rows with no header: the refusal must come before they are read."""
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle, lineterminator="\r\n").writerows(rows)
        return
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Hộ gia đình")
    for row in rows:
        sheet.append(row)
    workbook.save(path)


# --- what each child process does ------------------------------------------------------


def _child_import(path: Path, data_dir: Path, kind: str = "households") -> dict[str, Any]:
    from villagehelper.errors import UserError
    from villagehelper.store.engine import open_store
    from villagehelper.transfer.households import import_households
    from villagehelper.transfer.sessions import import_sessions

    store = open_store(data_dir)
    try:
        started = time.perf_counter()
        try:
            do_import = import_households if kind == "households" else import_sessions
            report = do_import(store, path)
            outcome = f"{report.imported} {kind}"
        except UserError as refused:
            outcome = f"refused: {refused.message_en[:60]}"
        seconds = time.perf_counter() - started
    finally:
        store.close()
    return {"seconds": seconds, "rss": peak_rss_mb(), "outcome": outcome}


def _child_read(path: Path) -> dict[str, Any]:
    started = time.perf_counter()
    count = 0
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for _row in csv.reader(handle):
                count += 1
    else:
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.active
        assert sheet is not None
        for _values in sheet.iter_rows(values_only=True):
            count += 1
        workbook.close()
    return {"seconds": time.perf_counter() - started, "rss": peak_rss_mb(), "outcome": count}


def _measure(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.import_memory", "--child", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return {"seconds": None, "rss": None, "outcome": "failed"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _rows_for(label: str, ours: dict[str, Any], base: dict[str, Any], target: bool) -> list[Row]:
    return [
        Row(
            f"{label}: peak memory",
            ours["rss"],
            base["rss"],
            "MB",
            "the same file only read (csv module / openpyxl read-only)",
            MEMORY_TARGET if target else None,
        ),
        Row(f"{label}: time", ours["seconds"], base["seconds"], "s", "the same file only read"),
    ]


def run(rows_wanted: int, kinds: tuple[str, ...] = ("households", "sessions")) -> list[Row]:
    rows = household_rows(rows_wanted)
    results: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="vh-import-memory-") as folder:
        work = Path(folder)
        if "households" in kinds:
            results += _households(work, rows, rows_wanted)
        if "sessions" in kinds:
            results += _sessions(work, rows, rows_wanted)
    return results


def _households(work: Path, rows: list[list[str]], rows_wanted: int) -> list[Row]:
    results: list[Row] = []
    for suffix, writer in ((".csv", write_csv), (".xlsx", write_xlsx)):
        kind = suffix[1:].upper()
        path = work / f"households{suffix}"
        writer(path, rows)
        ours = _measure("import", str(path), str(work / f"data-{kind}"))
        base = _measure("read", str(path))
        print(f"{kind}: {ours['outcome']}", file=sys.stderr)
        label = f"import {rows_wanted:,} rows {kind}"
        results += _rows_for(label, ours, base, rows_wanted <= 200_000)
        bare = work / f"no-header{suffix}"
        write_headerless(bare, rows)
        refused = _measure("import", str(bare), str(work / f"bare-{kind}"))
        print(f"{kind} without header: {refused['outcome']}", file=sys.stderr)
        results += _rows_for(f"no header, {rows_wanted:,} rows {kind}", refused, base, False)
    return results


def _sessions(work: Path, households: list[list[str]], rows_wanted: int) -> list[Row]:
    """Sessions into copies of a data folder holding the households (imported here
    first if the households rows were not measured)."""
    holding = work / "data-CSV"
    if not (holding / "villagehelper.sqlite3").exists():
        write_csv(work / "households.csv", households)
        done = _measure("import", str(work / "households.csv"), str(holding))
        print(f"households for the sessions: {done['outcome']}", file=sys.stderr)
    rows = session_rows(households, rows_wanted)
    results: list[Row] = []
    for suffix, writer in ((".csv", write_csv), (".xlsx", write_xlsx)):
        kind = suffix[1:].upper()
        path = work / f"sessions{suffix}"
        writer(path, rows, _SESSION_HEADER)
        data_dir = work / f"sessions-{kind}"
        shutil.copytree(holding, data_dir)
        ours = _measure("import-sessions", str(path), str(data_dir))
        base = _measure("read", str(path))
        print(f"{kind} sessions: {ours['outcome']}", file=sys.stderr)
        label = f"import {rows_wanted:,} sessions {kind}"
        results += _rows_for(label, ours, base, rows_wanted <= 200_000)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_memory")
    parser.add_argument("--rows", type=int, default=200_000, help="rows in the file (200,000)")
    parser.add_argument(
        "--kinds", default="households,sessions", help="households, sessions or both (default)"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        what, *paths = args.child
        if what == "read":
            result = _child_read(Path(paths[0]))
        else:
            kind = "sessions" if what == "import-sessions" else "households"
            result = _child_import(Path(paths[0]), Path(paths[1]), kind)
        print(json.dumps(result))
        return 0
    print(table(run(args.rows, tuple(args.kinds.split(",")))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
