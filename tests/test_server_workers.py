"""``villagehelper-server serve --workers N``, ``/healthz`` and ``/metrics``: the real
command in a process of its own, on a real PostgreSQL (``VILLAGEHELPER_TEST_PG_URL``)
and on SQLite where that is the point.

Which process answered is read from ``/metrics`` itself: in multiprocess mode each
worker's request count is a series of its own, labelled with its pid.
"""

from __future__ import annotations

import os
import select as io_select
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, func, select, text

from tests.serve_process import run_to_the_end, start_serving
from tests.sync_support import COMMUNE, PG_URL_ENV, fresh_postgres_database
from villagehelper.exchange import wire
from villagehelper.ids import new_id
from villagehelper.server import accounts
from villagehelper.server.cli.workers import connections_short, warn_if_connections_short
from villagehelper.server.database import open_server_db
from villagehelper.server.replicas import CACHE_ENV
from villagehelper.server.tables import Record

WORKERS_NEED_POSTGRES = "--workers 2 cần PostgreSQL: SQLite chỉ cho một tiến trình máy chủ"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _command(db_url: str, *serve: str) -> list[str]:
    return [sys.executable, "-m", "villagehelper.server.cli", "--db", db_url, "serve", *serve]


@dataclass
class Running:
    process: subprocess.Popen[str]
    url: str
    log: Path
    temp: Path

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


Start = Callable[..., Running]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    admin_url = os.environ.get(PG_URL_ENV)
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_URL_ENV} must be set on CI: .ci/run starts PostgreSQL")
        pytest.skip(f"{PG_URL_ENV} not set (CI always sets it)")
    with fresh_postgres_database(admin_url, "vh_workers") as url:
        yield url


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Start]:
    """``serve`` in a process of its own, up to its ready line; stopped at the end."""
    started: list[subprocess.Popen[str]] = []

    def run(db_url: str, *options: str) -> Running:
        port = _free_port()
        log = tmp_path / f"server-{port}.log"
        temp = tmp_path / f"temp-{port}"  # where serve makes its metrics folder
        temp.mkdir()
        env = {
            **os.environ,
            CACHE_ENV: str(tmp_path / "cache"),
            "VILLAGEHELPER_SERVER_STATE": str(tmp_path / "state"),
            "TMPDIR": str(temp),
        }
        command = _command(db_url, "--port", str(port), *options)
        process, _ready = start_serving(command, env, log)
        started.append(process)
        return Running(process, f"http://127.0.0.1:{port}", log, temp)

    yield run
    for process in started:
        if process.poll() is None:
            # SIGTERM: the supervisor stops its workers (SIGKILL would leave them behind).
            process.terminate()
        process.communicate(timeout=60)


def _metrics(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics by name and labels, read with prometheus_client's parser."""
    with requests.get(url + "/metrics", timeout=30) as answer:
        assert answer.status_code == 200, answer.text
        families = text_string_to_metric_families(answer.text)
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in families
        for sample in family.samples
    }


def _per_worker(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> dict[str, float]:
    return {
        dict(labels)["pid"]: value
        for (name, labels), value in samples.items()
        if name == "villagehelper_worker_requests"
    }


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _gone_within(pid: int, seconds: float) -> bool:
    """Whether process ``pid`` (not a child of this one) ends within ``seconds``:
    waited for through a pidfd (Linux), readable once it exits."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = io_select.select([handle], [], [], seconds)
        return bool(readable)
    finally:
        os.close(handle)


def _fresh_connection_get(url: str) -> requests.Response:
    # A session of its own and "close": every request a new connection, which the
    # kernel hands to whichever worker accepts first.
    with requests.Session() as session:
        return session.get(url, headers={"Connection": "close"}, timeout=30)


def test_two_workers_answer_on_one_address_and_stop_together(
    start: Start, postgres_url: str
) -> None:
    served = start(postgres_url, "--workers", "2")
    workers = _until_two_answered(served.url)
    assert len(workers) == 2, workers
    assert all(count > 0 for count in workers.values()), workers
    pids = [int(pid) for pid in workers]
    assert served.process.pid not in pids  # workers, not the supervisor
    assert all(_alive(pid) for pid in pids)

    assert served.stop() == 0
    log = served.log.read_text(encoding="utf-8")
    assert "Traceback" not in log, log
    assert not [pid for pid in pids if _alive(pid)]
    # The metrics folder made for the workers went with them.
    assert list(served.temp.iterdir()) == []


def test_workers_stop_when_their_supervisor_is_killed(start: Start, postgres_url: str) -> None:
    served = start(postgres_url, "--workers", "2")
    workers = _until_two_answered(served.url)
    assert len(workers) == 2, workers
    served.process.kill()  # SIGKILL: nothing of the supervisor's own runs
    served.process.wait(timeout=30)
    assert [pid for pid in workers if not _gone_within(int(pid), 30)] == []
    log = served.log.read_text(encoding="utf-8")
    assert log.count("the supervisor is gone") == 2, log
    assert "Traceback" not in log, log


def _until_two_answered(url: str, apart_from: frozenset[str] = frozenset()) -> dict[str, float]:
    """The worker series once two workers (other than ``apart_from``) have answered (a
    worker's series exists, at 0, from its start);
    bounded: they take turns at accepting long before 400 connections."""
    workers: dict[str, float] = {}
    for _ in range(400):
        _fresh_connection_get(url + "/healthz")
        workers = _per_worker(_metrics(url))
        answered = {pid for pid, count in workers.items() if count > 0}
        if len(answered - apart_from) == 2:
            break
    return workers


def test_a_worker_that_dies_is_reported_and_replaced(start: Start, postgres_url: str) -> None:
    served = start(postgres_url, "--workers", "2")
    first = _until_two_answered(served.url)
    assert len(first) == 2, first
    died = int(min(first))
    os.kill(died, signal.SIGKILL)
    assert _gone_within(died, 30)
    # The dead worker's series went with it; the one left and a new one answer.
    after = _until_two_answered(served.url, apart_from=frozenset({str(died)}))
    assert str(died) not in after and len(after) == 2, after
    assert served.stop() == 0
    log = served.log.read_text(encoding="utf-8")
    assert f"worker {died} died (exit code -9); a new one was started" in log, log
    assert f"tiến trình máy chủ {died} đã dừng" in log
    assert "Traceback" not in log


def test_a_worker_that_cannot_open_the_database_stops_the_server(
    start: Start, postgres_url: str
) -> None:
    served = start(postgres_url, "--workers", "2")
    workers = _until_two_answered(served.url)
    assert len(workers) == 2, workers
    _drop(postgres_url)
    died = int(min(workers))
    os.kill(died, signal.SIGKILL)  # its replacement finds no database
    assert served.process.wait(timeout=60) == 1
    assert [pid for pid in workers if not _gone_within(int(pid), 30)] == []
    log = served.log.read_text(encoding="utf-8")
    assert "Không mở được cơ sở dữ liệu máy chủ" in log, log  # open_server_db's own words
    assert "cannot open the database: " in log
    assert "failed to start: stopping" in log
    assert "Traceback" not in log


def _drop(url: str) -> None:
    """The database dropped, every connection to it ended: a database that is gone."""
    admin = create_engine(os.environ[PG_URL_ENV], isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{url.rpartition("/")[2]}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _village_push() -> dict[str, Any]:
    change = {
        "change_id": new_id(),
        "entity": "village",
        "row_id": new_id(),
        "op": "insert",
        "fields": {"commune_code": COMMUNE, "name": "Thôn Pấng"},
    }
    return {"changes": [change]}


def test_pushes_answered_by_two_workers_are_counted_once_each(
    start: Start, postgres_url: str
) -> None:
    db = open_server_db(postgres_url)
    try:
        accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
        code = accounts.issue_code(db, COMMUNE, "leader")
        token = accounts.enrol(db, code, "máy tổ trưởng").token
    finally:
        db.close()
    served = start(postgres_url, "--workers", "2")
    headers = {
        "Authorization": f"Bearer {token}",
        wire.PROTOCOL_HEADER: "1",
        "Connection": "close",
    }
    pushes = 24
    for _ in range(pushes):
        with requests.Session() as session:
            answer = session.post(
                served.url + "/v1/push", json=_village_push(), headers=headers, timeout=30
            )
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"][0]["status"] == "applied"
    samples = _metrics(served.url)
    # Recounted by plain SQL: the villages the pushes stored.
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            stored = connection.scalar(
                select(func.count()).select_from(Record).where(Record.entity == "village")
            )
    finally:
        engine.dispose()
    assert stored == pushes
    assert samples[("villagehelper_pushes_total", (("outcome", "accepted"),))] == pushes
    assert samples[("villagehelper_pushed_changes_total", (("result", "applied"),))] == pushes
    route = (("method", "POST"), ("route", "/v1/push"), ("status", "200"))
    assert samples[("villagehelper_requests_total", route)] == pushes
    assert samples[("villagehelper_request_seconds_count", (("route", "/v1/push"),))] == pushes
    # A refused push (no token; no protocol) is counted as refused.
    plain = {wire.PROTOCOL_HEADER: "1"}
    refused = requests.post(
        served.url + "/v1/push", json=_village_push(), headers=plain, timeout=30
    )
    with refused:
        assert refused.status_code == 401
    with requests.post(served.url + "/v1/push", json=_village_push(), timeout=30) as too_old:
        assert too_old.status_code == 426
    after = _metrics(served.url)
    assert after[("villagehelper_pushes_total", (("outcome", "refused"),))] == 2
    assert after[("villagehelper_pushes_total", (("outcome", "accepted"),))] == pushes
    assert served.stop() == 0


def test_several_workers_on_sqlite_are_refused_before_anything_is_made(tmp_path: Path) -> None:
    database = tmp_path / "server.sqlite3"
    done = run_to_the_end(_command(f"sqlite+pysqlite:///{database}", "--workers", "2"))
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith(f"villagehelper-server: {WORKERS_NEED_POSTGRES}")
    assert "PostgreSQL" in lines[0]
    assert lines[-1].startswith("villagehelper-server: --workers 2 needs PostgreSQL")
    assert "Traceback" not in done.stderr
    assert not database.exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_healthz_says_503_once_the_database_is_gone_or_not_this_schema(
    start: Start, postgres_url: str, workers: str
) -> None:
    served = start(postgres_url, "--workers", workers)
    healthy = _fresh_connection_get(served.url + "/healthz")
    assert healthy.status_code == 200
    assert healthy.json()["ok"] is True
    if workers == "2":  # both serving before the database changes under them
        assert len(_until_two_answered(served.url)) == 2
    # Another schema stamped (a database restored from an older version's backup).
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            head = connection.scalar(text("SELECT version_num FROM alembic_version"))
            connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    finally:
        engine.dispose()
    for _ in range(int(workers) * 4):  # whichever worker answers
        older = _fresh_connection_get(served.url + "/healthz")
        assert older.status_code == 503
        assert older.json()["message_vi"].startswith("Lược đồ cơ sở dữ liệu (0001) khác")
        assert f"this server's ({head})" in older.json()["message_en"]
    _drop(postgres_url)  # the database itself gone
    for _ in range(int(workers) * 4):
        gone = _fresh_connection_get(served.url + "/healthz")
        assert gone.status_code == 503
        assert gone.json()["message_en"] == "The server cannot reach its database."
        assert "postgres" not in gone.text  # no address or user of the database
    assert served.stop() == 0  # a stop with no database left to close is still clean
    assert "Traceback" not in served.log.read_text(encoding="utf-8")


def test_healthz_on_sqlite_needs_no_token(start: Start, tmp_path: Path) -> None:
    served = start(f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}")
    answer = _fresh_connection_get(served.url + "/healthz")
    assert answer.status_code == 200
    assert answer.json()["ok"] is True
    samples = _metrics(served.url)
    assert samples[("villagehelper_requests_total", _healthz_route())] == 1
    assert served.stop() == 0


def _healthz_route() -> tuple[tuple[str, str], ...]:
    return (("method", "GET"), ("route", "/healthz"), ("status", "200"))


def test_serve_says_at_start_when_its_processes_may_open_more_connections_than_allowed(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Past max_connections a busy server answers 503 (a province run with 4 processes on
    PostgreSQL's default 100 did): ``serve --workers N`` says so before it serves."""
    admin = create_engine(postgres_url)
    with admin.connect() as connection:
        most = int(connection.execute(text("SHOW max_connections")).scalar_one())
        reserved = int(connection.execute(text("SHOW superuser_reserved_connections")).scalar_one())
    admin.dispose()
    given = most - reserved
    fits, too_many = given // 40, given // 40 + 1  # 40 connections a process at most
    db = open_server_db(postgres_url)
    try:
        assert connections_short(db, fits) is None
        assert connections_short(db, too_many) == (too_many * 40, given)
        warn_if_connections_short(db, fits)
        assert capsys.readouterr().err == ""
        warn_if_connections_short(db, too_many)
        said = capsys.readouterr().err
    finally:
        db.close()
    assert f"{too_many} tiến trình có thể mở tới {too_many * 40} kết nối" in said
    assert "max_connections" in said
    assert f"but the server allows {given}" in said
