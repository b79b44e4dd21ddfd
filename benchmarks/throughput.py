"""Import / export throughput of households and sessions, CSV and XLSX.

Exports run on the district-scale dataset.  Imports go into a fresh, empty data dir
(households first, then the sessions that point at them), from files exported from a
smaller dataset: an import writes every row through the core checks and the outbox, so
the full district would take minutes without telling more.

Baselines, with the same rows: for CSV the ``csv`` module writing / reading them raw;
for XLSX openpyxl's write-only / read-only modes writing / reading them raw (comparing an
XLSX file with raw CSV would only measure the file format).
"""

from __future__ import annotations

import csv
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from benchmarks.measure import Row, timed
from villagehelper.store.engine import Store, open_store

KINDS = ("households", "sessions")
FORMATS = ("csv", "xlsx")
_BASELINE = {
    ("export", "csv"): "csv module: write the same rows",
    ("export", "xlsx"): "openpyxl write-only: the same rows",
    ("import", "csv"): "csv module: read the same file",
    ("import", "xlsx"): "openpyxl read-only: read the same file",
}

Exporter = Callable[[Store, Path], int]
Importer = Callable[..., Any]


@dataclass(frozen=True)
class Transfer:
    exporters: dict[str, Exporter]
    importers: dict[str, Importer]


def load_transfer() -> Transfer | None:
    """The transfer API, or ``None`` while that module is not there yet."""
    try:
        from villagehelper.transfer.households import export_households, import_households
        from villagehelper.transfer.sessions import export_sessions, import_sessions
    except ImportError:
        return None
    return Transfer(
        {"households": export_households, "sessions": export_sessions},
        {"households": import_households, "sessions": import_sessions},
    )


def read_raw(path: Path) -> list[list[Any]]:
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return list(csv.reader(handle))
    workbook = load_workbook(path, read_only=True)
    try:
        sheet: Any = workbook.active
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def write_raw(path: Path, rows: list[list[Any]]) -> None:
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            csv.writer(handle).writerows(rows)
        return
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def _unavailable(measure: str, why: str) -> Row:
    return Row(measure, None, None, "rows/s", "", note=why)


def _guarded(measure: str, action: Callable[[], Row]) -> Row:
    # One broken exporter must not cost the rest of the table: report it in its row.
    try:
        return action()
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        return _unavailable(measure, f"failed: {type(exc).__name__}")


def _export_row(transfer: Transfer, store: Store, work: Path, kind: str, fmt: str) -> Row:
    path = work / f"export-{kind}.{fmt}"
    counts: list[int] = []
    seconds = timed(lambda: counts.append(transfer.exporters[kind](store, path)))
    rows = read_raw(path)
    baseline = timed(partial(write_raw, work / f"raw-{kind}.{fmt}", rows))
    count = counts[0]
    return Row(
        f"export {kind} {fmt.upper()} ({count:,} rows)",
        count / seconds,
        (len(rows) - 1) / baseline,
        "rows/s",
        _BASELINE[("export", fmt)],
    )


def _import_row(transfer: Transfer, target: Store, source: Path, kind: str) -> Row:
    fmt = source.suffix.lstrip(".")
    reports: list[Any] = []
    seconds = timed(lambda: reports.append(transfer.importers[kind](target, source)))
    rows: list[list[Any]] = []
    baseline = timed(lambda: rows.extend(read_raw(source)))
    count = len(rows) - 1  # the header row is not data
    skipped = len(getattr(reports[0], "skipped", ()))
    return Row(
        f"import {kind} {fmt.upper()} ({count:,} rows"
        + (f", {skipped:,} skipped)" if skipped else ")"),
        count / seconds,
        count / baseline,
        "rows/s",
        _BASELINE[("import", fmt)],
    )


def export_rows(store: Store, work: Path) -> list[Row]:
    transfer = load_transfer()
    measures = [(kind, fmt) for fmt in FORMATS for kind in KINDS]
    if transfer is None:
        return [
            _unavailable(f"export {k} {f.upper()}", "n/a (transfer module missing)")
            for k, f in measures
        ]
    return [
        _guarded(
            f"export {kind} {fmt.upper()}", partial(_export_row, transfer, store, work, kind, fmt)
        )
        for kind, fmt in measures
    ]


def import_rows(source: Store, work: Path) -> list[Row]:
    """Import files exported from ``source`` into a fresh data dir per format."""
    transfer = load_transfer()
    if transfer is None:
        return [
            _unavailable(f"import {k} {f.upper()}", "n/a (transfer module missing)")
            for f in FORMATS
            for k in KINDS
        ]
    results: list[Row] = []
    for fmt in FORMATS:
        files = {kind: work / f"to-import-{kind}.{fmt}" for kind in KINDS}
        target = open_store(work / f"imported-{fmt}")
        try:
            for kind in KINDS:
                measure = f"import {kind} {fmt.upper()}"
                try:
                    transfer.exporters[kind](source, files[kind])
                except Exception as exc:
                    traceback.print_exc(file=sys.stderr)
                    results.append(_unavailable(measure, f"export failed: {type(exc).__name__}"))
                    continue
                results.append(
                    _guarded(measure, partial(_import_row, transfer, target, files[kind], kind))
                )
        finally:
            target.close()
    return results
