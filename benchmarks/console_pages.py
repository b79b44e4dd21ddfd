"""The console's pages timed through a real server (uvicorn on a loopback port, the
embedded server the tests use), client-side wall time of each GET with its body read:
a commune's overview for each period the page offers, and its report of a month as PDF
and as XLSX.  Part of ``python -m benchmarks.console``, on the same database and the
same (already caught-up) replicas; the baseline there is measured in the same run.
The report PDF twice: the first request for each commune's month (typeset) and the
same request again (the file the server kept, ``commune_report/kept.py``).

A province officer of the communes' province signs in once (the one-time password
changed, as a browser would); every commune of the province is open to them.
"""

from __future__ import annotations

import gc
import uuid
from functools import partial
from pathlib import Path

import requests

from benchmarks.measure import Stats, time_each
from tests.console_browser import change_password_with, sign_in_with
from villagehelper.server.commune_report.kept import forget_kept_reports, kept_report_counts
from villagehelper.server.console.officers import add_officer
from villagehelper.server.console_figures.spans import Span
from villagehelper.server.database import ServerDB
from villagehelper.server.embedded import EmbeddedServer
from villagehelper.server.start_up import ready_to_serve
from villagehelper.tally.periods import Period, week_containing

PASSWORD = "trâu ăn cỏ bên đê làng"
FIRST_PDF = "report PDF (first request: typeset)"
AGAIN_PDF = "report PDF (asked again: the kept file)"


def _get(client: requests.Session, url: str, params: dict[str, str]) -> None:
    answer = client.get(url, params=params)
    if answer.status_code != 200:  # a refused page is no measurement
        raise RuntimeError(f"{url} {params}: {answer.status_code} {answer.text[:200]}")


def _overview(client: requests.Session, base: str, span: str) -> None:
    _get(client, f"{base}/", {"ky": span})


def _report(client: requests.Session, base: str, ending: str, label: str) -> None:
    _get(client, f"{base}/bao-cao.{ending}", {"ky": label})


def page_times(
    db: ServerDB,
    replicas: Path,
    province: str,
    codes: list[str],
    *,
    months: list[Period],
    repeat: int,
) -> dict[str, Stats]:
    """Overview, report PDF and report XLSX: their times over ``repeat`` rounds of every
    commune (the overview for each period, the report for each month); the PDF's first
    round (each file typeset) apart from the later ones (each file kept)."""
    officer = f"Sở VHTT (đo tốc độ {uuid.uuid4().hex[:6]})"  # a kept database has the last
    one_time = add_officer(db, officer, "viewer", commune=None, province=province)
    server = EmbeddedServer(db, replicas_folder=replicas)
    ready_to_serve(server.app)  # as ``serve`` does before its first request
    times: dict[str, list[float]] = {
        "overview": [],
        FIRST_PDF: [],
        AGAIN_PDF: [],
        "report XLSX": [],
    }
    try:
        client = requests.Session()
        sign_in_with(client, server.url, officer, one_time)
        change_password_with(client, server.url, one_time, PASSWORD)
        # One request per commune first: anything a process does once (the village
        # scan of laptops.py, templates compiled, the report font parsed) out of the way;
        # its report is of a week, never one of the timed months.
        warm_up = week_containing(months[0].first).label
        for code in codes:
            _get(client, f"{server.url}/xa/{code}/", {})
            _get(client, f"{server.url}/xa/{code}/bao-cao.pdf", {"ky": warm_up})
        forget_kept_reports()  # the server runs in this process
        labels = [period.label for period in months]
        for round_number in range(repeat):
            # The first round asks for each commune's month reports for the first time
            # (typeset); later rounds ask again for the same files (kept, kept.py).
            pdf = FIRST_PDF if round_number == 0 else AGAIN_PDF
            for code in codes:
                base = f"{server.url}/xa/{code}"
                spans = [span.value for span in Span]
                times["overview"] += time_each(spans, partial(_overview, client, base))
                for kind, ending in ((pdf, "pdf"), ("report XLSX", "xlsx")):
                    times[kind] += time_each(labels, partial(_report, client, base, ending))
        hits, typeset = kept_report_counts()
        if typeset != len(codes) * len(labels) or hits != (repeat - 1) * typeset:
            raise RuntimeError(f"kept reports: {hits} given again, {typeset} typeset")
    finally:
        server.stop()
        gc.unfreeze()  # the benchmark's later parts measured as before
    return {kind: Stats.of(samples) for kind, samples in times.items()}
