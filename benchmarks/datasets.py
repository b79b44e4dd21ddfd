"""Demo databases for the benchmarks, generated once and cached under benchmarks/.data/.

A cache entry is keyed by the sizes, the seed and a fingerprint of the code that shapes
the data (demo generator, models, migrations, search index), so a change to any of them
regenerates instead of benchmarking a stale schema.  Benchmarks work on a copy: the
cached file is never written after generation.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.measure import timed
from villagehelper.demo.generate import DemoSummary, generate_demo
from villagehelper.paths import DATABASE_FILE
from villagehelper.store.engine import open_store

ROOT = Path(__file__).resolve().parent
DATA_DIR = ROOT / ".data"
_PACKAGE = ROOT.parent / "villagehelper"
_ENTRY = re.compile(r"^h\d+-s\d+-seed-?\d+-(?P<fingerprint>[0-9a-f]{10})(\.partial)?$")
# A fixed "now" for generation: the same data every time, so the cache stays valid.
GENERATED_AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def _fingerprint() -> str:
    sources: Iterable[Path] = sorted(
        [
            *(_PACKAGE / "demo").glob("*.py"),
            *(_PACKAGE / "migrations" / "versions").glob("*.py"),
            _PACKAGE / "store" / "models.py",
            _PACKAGE / "store" / "search_index.py",
            _PACKAGE / "text.py",
        ]
    )
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:10]


@dataclass(frozen=True)
class DatasetSpec:
    households: int
    sessions: int
    seed: int

    @property
    def key(self) -> str:
        return f"h{self.households}-s{self.sessions}-seed{self.seed}-{_fingerprint()}"

    @property
    def label(self) -> str:
        return f"{self.households:,} households, {self.sessions:,} sessions"


@dataclass(frozen=True)
class Dataset:
    spec: DatasetSpec
    database: Path
    generation_seconds: float
    cached: bool
    summary: DemoSummary


def _progress(done: int, total: int) -> None:
    print(f"\r  generating demo data: {done:,}/{total:,}", end="", file=sys.stderr, flush=True)


def ensure(spec: DatasetSpec) -> Dataset:
    """The cached dataset for ``spec``, generating it first when missing."""
    folder = DATA_DIR / spec.key
    meta = folder / "meta.json"
    if meta.exists():
        saved = json.loads(meta.read_text(encoding="utf-8"))
        return Dataset(
            spec,
            folder / DATABASE_FILE,
            saved["generation_seconds"],
            cached=True,
            summary=DemoSummary(**saved["summary"]),
        )
    _prune_stale()
    # Generate beside the cache and rename at the end: an interrupted run leaves no
    # half-filled entry that a later run would trust.
    partial = DATA_DIR / f"{spec.key}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    store = open_store(partial, clock=lambda: GENERATED_AT)
    summaries: list[DemoSummary] = []
    try:
        seconds = timed(
            lambda: summaries.append(
                generate_demo(
                    store,
                    households=spec.households,
                    sessions=spec.sessions,
                    seed=spec.seed,
                    progress=_progress,
                )
            )
        )
        with store.engine.connect() as connection:
            # Fold the WAL into the main file so that one file is the whole dataset.
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    print(file=sys.stderr)
    summary = summaries[0]
    (partial / "meta.json").write_text(
        json.dumps({"generation_seconds": seconds, "summary": asdict(summary)}),
        encoding="utf-8",
    )
    partial.rename(folder)
    return Dataset(spec, folder / DATABASE_FILE, seconds, cached=False, summary=summary)


def _prune_stale() -> None:
    """Drop entries made by other versions of the code: they can never be used again,
    and the large ones take more than a gigabyte each."""
    current = _fingerprint()
    for entry in DATA_DIR.iterdir():
        match = _ENTRY.match(entry.name)
        if match and match["fingerprint"] != current:
            shutil.rmtree(entry, ignore_errors=True)


def working_copy(dataset: Dataset, data_dir: Path) -> Path:
    """A private copy of the dataset in ``data_dir`` (a data dir for ``open_store``)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(dataset.database, data_dir / DATABASE_FILE)
    return data_dir
