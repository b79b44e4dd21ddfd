"""One generator process of the province load run (``benchmarks/load_province.py``).

A thousand laptops in one Python process would make the generator the bottleneck (each
request's JSON, gzip and HTTP parsing hold its GIL), so the province's laptops are dealt
out to a few processes; each drives its share, one thread per laptop, and sends back
what they recorded and what they hold for the count check.

A laptop's day here is the app's schedule (``villagehelper/ui/syncing/sync_controller.py``):
a visit saved now and then (the gaps drawn from an exponential distribution around
``visit_every``: visits arrive independently of each other), a sync 5 seconds after the
last save, and a sync every 5 minutes anyway (its first at a random moment, as laptops
opened at different times).  That is the normal phase.  In the saturation phase the
laptops chosen for it (``saturating``) log and sync back to back, with no pause, while the
others go on with their day: the requests answered then are what the server can serve.

Then the end, as in ``benchmarks/load.py``: every laptop uploads what it still holds;
all of them, in every generator process, wait for each other; then each downloads to
the feed's end.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from benchmarks.load import finish, total_of
from benchmarks.load_laptop import Identity, Outcomes, SimulatedLaptop

if TYPE_CHECKING:
    from multiprocessing.queues import Queue
    from multiprocessing.synchronize import Barrier

SYNC_AFTER_SAVE = 5.0  # s: the app's delay between a save and its sync (debounced)
SYNC_EVERY = 300.0  # s: the app's periodic sync
OTHERS_TIMEOUT = 600.0  # s: a safety net for a generator process that died, never met


@dataclass(frozen=True)
class Schedule:
    """The phases every generator process runs, in seconds from a common start."""

    normal_seconds: float
    saturation_seconds: float
    visit_every: float  # mean seconds between two visits saved on one laptop
    # The app's timers (sync_controller.py); shorter only in the test's few seconds.
    sync_after_save: float = SYNC_AFTER_SAVE
    sync_every: float = SYNC_EVERY


@dataclass(frozen=True)
class Share:
    """The laptops one generator process drives."""

    server_url: str
    identities: list[Identity]
    seeds: list[int]
    saturating: list[bool]  # per laptop: syncing back to back in the saturation phase


@dataclass
class GeneratorResult:
    normal: Outcomes
    saturation: Outcomes
    end: Outcomes
    laptops: list[SimulatedLaptop]
    failures: list[str]


@dataclass
class _Laptops:
    laptops: list[SimulatedLaptop]
    schedule: Schedule
    saturating: list[bool]
    started: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)
    normal: list[Outcomes] = field(default_factory=list)
    saturation: list[Outcomes] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.normal = [Outcomes() for _ in self.laptops]
        self.saturation = [Outcomes() for _ in self.laptops]

    @property
    def saturation_starts(self) -> float:
        return self.started + self.schedule.normal_seconds

    def day(self, index: int, everyone_uploaded: threading.Barrier) -> None:
        try:
            self._day(index, everyone_uploaded)
        except BaseException as exc:
            # The others must not wait at the barrier for a laptop that is gone.
            self.failures.append(f"laptop {index}: {exc!r}")
            everyone_uploaded.abort()
            raise

    def _day(self, index: int, everyone_uploaded: threading.Barrier) -> None:
        laptop = self.laptops[index]
        self._normal_day(index)
        if self.saturating[index]:
            while not self.stop.is_set():
                laptop.log_work()
                laptop.sync()
        self.saturation[index], laptop.outcomes = laptop.outcomes, Outcomes()
        finish(laptop, everyone_uploaded.wait)  # the others: in every generator process
        laptop.end_round()

    def _normal_day(self, index: int) -> None:
        """Visits and syncs on the app's schedule until the stop; a laptop chosen for the
        saturation phase leaves it when that phase starts.  What was recorded before that
        moment is the normal phase's."""
        laptop, schedule = self.laptops[index], self.schedule
        rng = laptop.rng
        now = time.monotonic()
        next_visit = now + rng.expovariate(1.0 / schedule.visit_every)
        next_periodic = now + rng.uniform(0.0, schedule.sync_every)
        sync_due: float | None = None
        normal = True
        while not self.stop.is_set():
            now = time.monotonic()
            if normal and now >= self.saturation_starts:
                self.normal[index], laptop.outcomes = laptop.outcomes, Outcomes()
                normal = False
                if self.saturating[index]:
                    return
            if now >= next_visit:
                laptop.log_work()
                sync_due = now + schedule.sync_after_save  # a later save moves it on
                next_visit = now + rng.expovariate(1.0 / schedule.visit_every)
                continue
            if (sync_due is not None and now >= sync_due) or now >= next_periodic:
                laptop.sync()
                sync_due = None
                next_periodic = time.monotonic() + schedule.sync_every
                continue
            wake = min(next_visit, next_periodic, sync_due or next_visit)
            if normal:
                wake = min(wake, self.saturation_starts)
            self.stop.wait(max(0.0, wake - now))
        if normal:  # no saturation phase at all
            self.normal[index], laptop.outcomes = laptop.outcomes, Outcomes()


def drive(
    share: Share,
    schedule: Schedule,
    start: Barrier,
    uploaded: Barrier,
    results: Queue[GeneratorResult],
) -> None:
    """A generator process's whole life: its laptops made, the common start awaited, the
    phases run, the end, the results sent back."""
    laptops = [
        SimulatedLaptop(share.server_url, identity, seed)
        for identity, seed in zip(share.identities, share.seeds, strict=True)
    ]
    fleet = _Laptops(laptops, schedule, share.saturating)
    # The last of this process's laptops to finish its uploads waits for the other
    # processes' laptops (the barrier's action) before any of them downloads.
    everyone_uploaded = threading.Barrier(
        len(laptops), action=lambda: _wait_for_the_others(uploaded)
    )
    threads = [
        threading.Thread(target=fleet.day, args=(index, everyone_uploaded), daemon=True)
        for index in range(len(laptops))
    ]
    start.wait()
    fleet.started = time.monotonic()
    for thread in threads:
        thread.start()
    fleet.stop.wait(schedule.normal_seconds + schedule.saturation_seconds)  # fixed length
    fleet.stop.set()
    for thread in threads:
        thread.join()
    for laptop in laptops:
        laptop.close()
    results.put(
        GeneratorResult(
            total_of(fleet.normal),
            total_of(fleet.saturation),
            total_of([laptop.outcomes for laptop in laptops]),
            laptops,
            fleet.failures,
        )
    )


def _wait_for_the_others(uploaded: Barrier) -> None:
    uploaded.wait(OTHERS_TIMEOUT)
