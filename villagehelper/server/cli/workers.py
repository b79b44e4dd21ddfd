"""``villagehelper-server serve --workers N``: N server processes answering on one address.

The parent binds the socket once (serve.py's ``_listen``), and uvicorn's own supervisor
starts the workers with it: each worker is a new Python (``spawn``, on Linux as on
Windows), so it makes its app itself, by :func:`worker_app`, from the options the parent
put in the environment (the database's URL may hold a password: an environment is read
only by the same user, a command line by everyone).  The supervisor checks its workers
every half second and starts a new one for one that died or hangs; this module logs
each of those (uvicorn's own lines are below the server's log level), and stops the
server when a worker cannot start at all, as the next would fail the same way.

SQLite is one process (its writer lock is the database's own): ``--workers`` above 1
needs PostgreSQL, and commands.py refuses it on SQLite before anything is opened.

Each worker counts into ``PROMETHEUS_MULTIPROC_DIR``, a private folder made here before
the workers start and removed at the end, so a scrape of ``/metrics`` adds them all up
(metrics.py).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.supervisors.multiprocess import Multiprocess

from villagehelper.server.metrics import MULTIPROC_ENV

if TYPE_CHECKING:
    from fastapi import FastAPI

    from villagehelper.server.database import ServerDB

OPTIONS_ENV = "VILLAGEHELPER_SERVE_WORKER"
APP_FACTORY = f"{__name__}:worker_app"
log = logging.getLogger("villagehelper.server.workers")


@dataclass(frozen=True)
class WorkerOptions:
    """What a worker needs to make the same app the parent would: plain values, so they
    cross into a new process as JSON."""

    db_url: str
    trusted_proxies: tuple[str, ...]
    metrics_from: tuple[str, ...]
    api_docs: bool


def worker_app() -> FastAPI:
    """The app of one worker (uvicorn calls it in the worker: ``factory=True``)."""
    from villagehelper.server.addresses import trusted_proxies
    from villagehelper.server.app import create_app
    from villagehelper.server.cli.serve import console_rooms
    from villagehelper.server.maintenance import checkpoint
    from villagehelper.server.ops_endpoints import metrics_networks
    from villagehelper.server.start_up import ready_to_serve

    # The parent's log format (serve.py): the workers' lines read like its own.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    given = json.loads(os.environ[OPTIONS_ENV])
    options = WorkerOptions(
        db_url=given["db_url"],
        trusted_proxies=tuple(given["trusted_proxies"]),
        metrics_from=tuple(given["metrics_from"]),
        api_docs=bool(given["api_docs"]),
    )
    db = _opened(options.db_url)
    app = create_app(
        db,
        trusted_proxies=trusted_proxies(options.trusted_proxies),
        api_docs=options.api_docs,
        console_routers=console_rooms(),
        metrics_from=metrics_networks(options.metrics_from),
    )

    @asynccontextmanager
    async def closing_the_database(_app: object) -> AsyncIterator[None]:
        yield
        # A stop (SIGTERM from the parent): the epoch marker up to date, connections closed.
        checkpoint(db)
        db.close()

    app.router.lifespan_context = closing_the_database
    _stop_with_the_supervisor()
    ready_to_serve(app)
    return app


def _stop_with_the_supervisor() -> None:
    """A worker whose supervisor is gone (killed, out of memory) stops too, as if told
    to: left alone it would go on answering on the address, outside any service's
    stop, holding its database connections."""
    parent = multiprocessing.parent_process()
    if parent is None:  # not started by a supervisor
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])  # ready once it exits
        log.warning(
            "tiến trình giám sát đã mất: tiến trình máy chủ %s dừng / the supervisor is "
            "gone: worker %s stops",
            os.getpid(),
            os.getpid(),
        )
        if os.name == "nt":  # no SIGTERM between processes: uvicorn's handler, here
            signal.raise_signal(signal.SIGTERM)
        else:
            os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()


def _opened(url: str) -> ServerDB:
    """The database, or this worker's end as one that cannot start (the supervisor then
    stops the server: a new worker would fail the same way), said in a line, not a
    traceback; the driver's words may name the database's address and user."""
    from sqlalchemy.exc import SQLAlchemyError

    from villagehelper.errors import UserError
    from villagehelper.server.database import open_server_db

    try:
        return open_server_db(url)
    except UserError as exc:
        reason = f"{exc.message_vi} / {exc.message_en}"
    except SQLAlchemyError as exc:
        reason = type(exc).__name__
    log.error(
        "tiến trình máy chủ %s không mở được cơ sở dữ liệu / worker %s cannot open the "
        "database: %s",
        os.getpid(),
        os.getpid(),
        reason,
    )
    sys.exit(STARTUP_FAILURE)


class Supervisor(Multiprocess):
    """uvicorn's supervisor, saying what becomes of its workers."""

    def __init__(self, config: Config, sockets: list[socket.socket], metrics_dir: str) -> None:
        super().__init__(config, sockets)
        self.metrics_dir = metrics_dir
        self.failed_to_start = False

    def keep_subprocess_alive(self) -> None:
        before = list(self.processes)
        super().keep_subprocess_alive()
        for process in before:
            code = process.exitcode
            if code is None or process.pid is None:
                continue
            _forget_worker(self.metrics_dir, process.pid)
            if code == STARTUP_FAILURE:
                self.failed_to_start = True
                log.error(
                    "tiến trình máy chủ %s không khởi động được: dừng máy chủ / worker %s "
                    "failed to start: stopping",
                    process.pid,
                    process.pid,
                )
            elif not self.should_exit.is_set():
                log.warning(
                    "tiến trình máy chủ %s đã dừng (mã %s), đã chạy tiến trình mới thay "
                    "/ worker %s died (exit code %s); a new one was started",
                    process.pid,
                    code,
                    process.pid,
                    code,
                )


def _forget_worker(metrics_dir: str, pid: int) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid, metrics_dir)  # type: ignore[no-untyped-call]


def serve_workers(
    listening: socket.socket,
    config: dict[str, object],
    options: WorkerOptions,
    workers: int,
) -> int:
    """Run ``workers`` processes on ``listening`` until SIGTERM or SIGINT; 0 once all of
    them stopped, 1 if they could not start."""
    import uvicorn

    metrics_dir = tempfile.mkdtemp(prefix="villagehelper-metrics-")  # mode 0700
    os.environ[MULTIPROC_ENV] = metrics_dir
    os.environ[OPTIONS_ENV] = json.dumps(asdict(options))
    try:
        supervisor = Supervisor(
            uvicorn.Config(APP_FACTORY, factory=True, workers=workers, **config),  # type: ignore[arg-type]
            sockets=[listening],
            metrics_dir=metrics_dir,
        )
        supervisor.run()
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
        for name in (MULTIPROC_ENV, OPTIONS_ENV):
            os.environ.pop(name, None)
    return 1 if supervisor.failed_to_start else 0


def connections_short(db: ServerDB, workers: int) -> tuple[int, int] | None:
    """(connections ``workers`` processes may open, connections PostgreSQL gives ordinary
    users) when the first is the larger, else None."""
    from sqlalchemy import text

    from villagehelper.server.database import CONNECTIONS_PER_PROCESS

    with db.reading() as session:
        most = int(session.execute(text("SHOW max_connections")).scalar_one())
        reserved = int(session.execute(text("SHOW superuser_reserved_connections")).scalar_one())
    wanted, given = workers * CONNECTIONS_PER_PROCESS, most - reserved
    return (wanted, given) if wanted > given else None


def warn_if_connections_short(db: ServerDB, workers: int) -> None:
    """Said at start, not found under load: past PostgreSQL's max_connections a busy
    server answers 503 to the laptops that came last (they retry, nothing is lost)."""
    short = connections_short(db, workers)
    if short is None:
        return
    wanted, given = short
    print(
        f"villagehelper-server: cảnh báo: {workers} tiến trình có thể mở tới {wanted} kết nối "
        f"PostgreSQL mà máy chủ PostgreSQL chỉ cho {given}: lúc đông máy, các máy tính của "
        "thôn sẽ nhận lỗi 503 và phải thử lại. Hãy tăng max_connections trong "
        f"postgresql.conf (lớn hơn {wanted}, ví dụ {wanted + 100}) rồi khởi động lại "
        "PostgreSQL, hoặc giảm --workers. Xem docs/deployment.md.\n"
        f"warning: {workers} processes may open {wanted} PostgreSQL connections but the "
        f"server allows {given}: under load laptops get 503 and retry. Raise "
        f"max_connections above {wanted} and restart PostgreSQL, or use fewer --workers.",
        file=sys.stderr,
    )
