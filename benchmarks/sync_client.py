"""The client side of the sync benchmark, run in processes of its own.

``python -m benchmarks.sync_client pull DATA_DIR [--feed-only]``
    VillageHelper's first download: ``sync_once`` on an empty laptop enrolled beforehand
    (from the commune's snapshot, or with ``--feed-only`` following the whole feed).
``python -m benchmarks.sync_client raw-pull URL PAGES DATABASE``
    The raw baseline: the same pages fetched over loopback with requests, ``json.loads``,
    and ``sqlite3`` ``executemany`` into plain tables with the same columns (no index,
    no constraint), one transaction per page with the feed's pragmas (WAL,
    ``synchronous=NORMAL``).
``python -m benchmarks.sync_client serve-pages FOLDER``
    The baseline's server: the captured pages, as the server sent them, from a plain
    ``http.server`` (prints its port, then serves until killed).  It also takes a raw
    upload (``POST /push``): gunzip, ``json.loads``, one ``executemany`` into a plain
    table and a durable commit, answering one result per change.

Each measuring command prints one JSON line: seconds, rows and the process's peak
resident memory, so the laptop's memory is measured alone (the server runs elsewhere).
"""

from __future__ import annotations

import gzip
import json
import resource
import sqlite3
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def page_file(number: int, gzipped: bool) -> str:
    return f"page-{number:05d}.json" + (".gz" if gzipped else "")


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB.

    ``VmHWM`` of this program's own address space: ``getrusage``'s ``ru_maxrss`` would
    also count the parent benchmark process this one was forked from before its exec.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def _pull(data_dir: Path, feed_only: bool) -> dict[str, Any]:
    from villagehelper.store.engine import open_store
    from villagehelper.sync import client

    store = open_store(data_dir)
    try:
        before = peak_rss_mb()
        started, cpu = time.perf_counter(), time.process_time()
        report = client.sync_once(store, use_snapshot=not feed_only)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        store.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rows": report.pulled,
        "rss_before": before,
        "rss": peak_rss_mb(),
    }


def plain_tables() -> dict[str, list[str]]:
    """Entity → the columns a plain table needs for it: id, version, tombstone, fields."""
    from villagehelper.store.changelog import ENTITIES, synced_fields

    return {
        entity: ["id", "version", *(name for name in synced_fields(model))]
        for entity, model in ENTITIES.items()
    }


def _raw_pull(url: str, pages: int, database: Path) -> dict[str, Any]:
    import requests

    tables = plain_tables()
    db = sqlite3.connect(database, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    for entity, columns in tables.items():
        db.execute(f"CREATE TABLE {entity} ({', '.join(columns)})")
    sql = {
        entity: f"INSERT INTO {entity} VALUES ({', '.join('?' for _ in columns)})"
        for entity, columns in tables.items()
    }
    fields = {entity: columns[2:] for entity, columns in tables.items()}
    http = requests.Session()
    http.headers["Accept-Encoding"] = "gzip"
    before = peak_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    rows = 0
    for number in range(pages):
        response = http.get(f"{url}/pages/{number}", timeout=60)
        response.raise_for_status()
        page = json.loads(response.content)
        grouped: dict[str, list[tuple[Any, ...]]] = {}
        for item in page["changes"]:
            entity, values = item["entity"], item["fields"]
            values["deleted"] = item["deleted"]
            grouped.setdefault(entity, []).append(
                (item["id"], item["version"], *(values.get(name) for name in fields[entity]))
            )
        db.execute("BEGIN")
        for entity, batch in grouped.items():
            db.executemany(sql[entity], batch)
        db.execute("COMMIT")
        rows += len(page["changes"])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rows": rows,
        "rss_before": before,
        "rss": peak_rss_mb(),
    }


class _PageHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as uvicorn and requests do
    folder: Path
    uploads: sqlite3.Connection

    def do_GET(self) -> None:
        if self.path == "/empty":
            self._reply(gzip.compress(b'{"changes":[],"cursor":0,"more":false}'))
            return
        number = int(self.path.rsplit("/", 1)[-1])
        gzipped = self.folder / page_file(number, gzipped=True)
        if gzipped.exists():
            self._reply(gzipped.read_bytes())
        else:  # the server sends small pages as they are
            self._reply(
                (self.folder / page_file(number, gzipped=False)).read_bytes(), gzipped=False
            )

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        changes = json.loads(gzip.decompress(body))["changes"]
        self.uploads.execute("BEGIN")
        self.uploads.executemany(
            "INSERT INTO uploads VALUES (?, ?, ?, ?)",
            [(c["change_id"], c["entity"], c["row_id"], json.dumps(c["fields"])) for c in changes],
        )
        self.uploads.execute("COMMIT")
        results = [{"change_id": c["change_id"], "status": "applied"} for c in changes]
        self._reply(gzip.compress(json.dumps({"results": results}).encode()))

    def _reply(self, body: bytes, gzipped: bool = True) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve_pages(folder: Path) -> None:
    # One connection for the handler threads; the benchmark sends one request at a time.
    uploads = sqlite3.connect(
        folder / "uploads.sqlite3", isolation_level=None, check_same_thread=False
    )
    uploads.execute("PRAGMA journal_mode=WAL")
    uploads.execute("PRAGMA synchronous=FULL")  # the commune server's pragma for uploads
    uploads.execute("CREATE TABLE IF NOT EXISTS uploads (change_id, entity, row_id, fields)")
    _PageHandler.folder = folder
    _PageHandler.uploads = uploads
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def main(argv: list[str]) -> int:
    command, *args = argv
    if command == "pull":
        result = _pull(Path(args[0]), feed_only="--feed-only" in args[1:])
    elif command == "raw-pull":
        result = _raw_pull(args[0], int(args[1]), Path(args[2]))
    elif command == "serve-pages":
        _serve_pages(Path(args[0]))
        return 0
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
