"""Regenerate docs/screenshots/console-report-*.png: the commune's report as the server
makes it (server/commune_report/, no Qt), from the demo data the other screenshots use.

    python scripts/screenshot_commune_report.py [--out docs/screenshots] [--look DIR]

console-report-villages.png is last week with villages as rows; console-report-services.png
the quarter with services as rows.  ``--look DIR`` also writes every page of both PDFs
and of a long report (60 more villages) there, to look at what a picture leaves out.
Needs pdftoppm (apt poppler-utils).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from villagehelper.clock import vietnam_today
from villagehelper.demo.generate import generate_demo
from villagehelper.ops.team import add_village, list_team_members
from villagehelper.server.commune_report.figures import commune_figures
from villagehelper.server.commune_report.pdf import commune_report_pdf
from villagehelper.server.commune_report.table import Orientation
from villagehelper.store.engine import Store, open_store
from villagehelper.tally.periods import quarter, week_containing

# The moment of the laptop's screenshots (scripts/screenshot_support.py), so the
# commune's report and the laptop's weekly-report.png show the same week.
MOMENT = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)


def to_png(pdf: bytes, folder: Path, name: str, *, first_page_only: bool) -> None:
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    pages = ["-f", "1", "-l", "1", "-singlefile"] if first_page_only else []
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", *pages, str(source), str(folder / name)], check=True
    )


def report(store: Store, orientation: Orientation, *, whole_quarter: bool) -> bytes:
    """Last week's report, or this quarter's, signed by the demo's team."""
    today = vietnam_today(MOMENT)
    period = (
        quarter(today.year, (today.month - 1) // 3 + 1)
        if whole_quarter
        else week_containing(today - timedelta(days=7))
    )
    team = list_team_members(store)
    return commune_report_pdf(
        commune_figures(store, period),
        orientation,
        printed_on=today,
        prepared_by=next(member for member in team if not member.is_leader).full_name,
        signer_name=next(member for member in team if member.is_leader).full_name,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--look", type=Path, help="every page of every report, to look at")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        store = open_store(Path(work) / "demo", clock=lambda: MOMENT)
        generate_demo(store, households=400, sessions=2500, seed=2025)
        made = {
            "console-report-villages": report(
                store, Orientation.VILLAGES_AS_ROWS, whole_quarter=False
            ),
            "console-report-services": report(
                store, Orientation.SERVICES_AS_ROWS, whole_quarter=True
            ),
        }
        for name, pdf in made.items():
            to_png(pdf, args.out, name, first_page_only=True)
            (args.out / f"{name}.pdf").unlink()
            print(f"wrote {args.out / name}.png")
        if args.look:
            args.look.mkdir(parents=True, exist_ok=True)
            for number in range(60):
                add_village(store, f"Thôn Mới {number + 1:02d}")
            long = report(store, Orientation.VILLAGES_AS_ROWS, whole_quarter=False)
            for name, pdf in (*made.items(), ("console-report-long", long)):
                to_png(pdf, args.look, name, first_page_only=False)
            print(f"every page in {args.look}")
        store.close()


if __name__ == "__main__":
    main()
