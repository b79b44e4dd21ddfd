"""Start-up of the packaged laptop app beside the ``pip install -e .`` app, in one run:

    python3 scripts/build_app.py && python -m benchmarks.bundle      # ~1 minute

The .deb from ``dist/`` is installed into an empty folder and run as on a machine without
Python (scripts/bundle_install.py: empty environment; as root, every Python hidden).  Both
apps open the same demo data offscreen and report when their window is ready
(``VILLAGEHELPER_EXIT_WHEN_READY``): "window" is the window on screen taking input,
"first data" is the store opened and today's visits shown.  Cold: the kernel's page
cache dropped before each start when this process may (root), so every library is read
from disk (median of three; otherwise the first start after the install), beside the
``pip install -e .`` app started the same way; warm: the median of the following starts,
the two apps interleaved.  Prints a table with the ratios (bundle / pip install), the
installed size and the download sizes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.measure import Row, seconds_to_ready, table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from bundle_install import (  # noqa: E402
    COMMAND,
    Sandbox,
    can_hide_python,
    deb_and_tarball,
    install_deb,
    installed_size,
    make_demo_data,
)

WARM_RUNS = 5
COLD_RUNS = 3
READY_STAGES = ("window", "data")
STAGE_NAMES = {"window": "window on screen, typing accepted", "data": "first data shown"}
DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def drop_page_cache() -> bool:
    """Empty the kernel's page cache (root only), so the next start reads from disk."""
    try:
        subprocess.run(["sync"], check=True)
        DROP_CACHES.write_text("3\n")
    except OSError:
        return False
    return True


def measure(dist: Path) -> list[Row]:
    deb, tarball = deb_and_tarball(dist)
    with tempfile.TemporaryDirectory(prefix="villagehelper-bench-") as scratch:
        work = Path(scratch)
        sandbox = Sandbox(work / "home", hide_python=can_hide_python())
        app = install_deb(deb, work / "installed")
        data_dir = work / "data"
        bundle = [str(app / COMMAND), "--data-dir", str(data_dir)]
        pip_app = [sys.executable, "-m", "villagehelper.cli", "--data-dir", str(data_dir)]

        def bundle_ready(stage: str) -> float:
            env = sandbox.environment(VILLAGEHELPER_EXIT_WHEN_READY=stage)
            return seconds_to_ready(sandbox.command(bundle), env)

        def pip_ready(stage: str) -> float:
            env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VILLAGEHELPER_EXIT_WHEN_READY=stage)
            return seconds_to_ready(pip_app, env)

        # The demo data is written by the installed app: its first start is the CLI's.
        make_demo_data(sandbox, app, data_dir, households=300, sessions=1200)
        cold: dict[str, list[float]] = {stage: [] for stage in READY_STAGES}
        pip_cold: dict[str, list[float]] = {stage: [] for stage in READY_STAGES}
        dropped = drop_page_cache()
        # Without root only the first start after the install is cold: one run then.
        for _ in range(COLD_RUNS if dropped else 1):
            for stage in READY_STAGES:
                drop_page_cache()
                cold[stage].append(bundle_ready(stage))
                drop_page_cache()
                pip_cold[stage].append(pip_ready(stage))
        warm: dict[str, list[float]] = {stage: [] for stage in READY_STAGES}
        pip: dict[str, list[float]] = {stage: [] for stage in READY_STAGES}
        for _ in range(WARM_RUNS):  # interleaved, so machine noise hits both alike
            for stage in READY_STAGES:
                warm[stage].append(bundle_ready(stage))
                pip[stage].append(pip_ready(stage))
        size = installed_size(app) / 1e6
    cold_how = f"page cache dropped, median of {COLD_RUNS}" if dropped else "first start"
    baseline = f"pip install -e . app, warm median of {WARM_RUNS}"
    rows: list[Row] = []
    for stage in READY_STAGES:
        pip_median = statistics.median(pip[stage])
        rows.append(
            Row(
                f"bundle cold ({cold_how}): {STAGE_NAMES[stage]}",
                statistics.median(cold[stage]),
                statistics.median(pip_cold[stage]),
                "ms",
                f"pip install -e . app, cold ({cold_how})",
            )
        )
        rows.append(
            Row(
                f"bundle warm (median of {WARM_RUNS}): {STAGE_NAMES[stage]}",
                statistics.median(warm[stage]),
                pip_median,
                "ms",
                baseline,
            )
        )
    rows.append(Row("bundle installed size (/opt/villagehelper)", size, None, "MB", ""))
    rows.append(Row(f"download: {deb.name}", deb.stat().st_size / 1e6, None, "MB", ""))
    rows.append(Row(f"download: {tarball.name}", tarball.stat().st_size / 1e6, None, "MB", ""))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="build_app.py's output")
    args = parser.parse_args(argv)
    print(table(measure(args.dist.resolve())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
