"""What the server counts for an operator's Prometheus: requests, latencies, pushes,
how far laptops are behind the feed, and how long replicas and snapshots take to build.

Made with the maintained ``prometheus_client``.  With ``serve --workers N`` every worker
writes its figures to files in ``PROMETHEUS_MULTIPROC_DIR`` (a private folder ``serve``
makes before the workers start, workers.py), and a scrape of any worker adds up all of
them: one address, one answer for the whole server.

No personal data and nothing unbounded in a label: routes are the API's templates
(``/v1/changes``, never the address asked for), unknown addresses are ``unrouted``,
communes appear only in the build times, by their code.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from villagehelper.server.limits import Scope

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
UNMATCHED = "unrouted"  # an unknown address, or refused before routing (limits.py)
PUSH_ROUTE = "/v1/push"
CHANGE_OUTCOMES = frozenset({"applied", "unchanged", "conflict", "moved", "superseded"})
# A client may send any word as its method: the rest are "other", not a series each.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# Not the library's global registry: an app made twice in one process (tests) still
# exposes each series once, and nothing of the library's own process collectors, which
# a multiprocess scrape could not add up anyway.
_OWN = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "villagehelper_requests",
    "HTTP requests answered, by route template, method and status",
    ["route", "method", "status"],
    registry=_OWN,
)
LATENCY = Histogram(
    "villagehelper_request_seconds",
    "Time from a request's arrival to the last byte of its answer, by route template",
    ["route"],
    # From a cached health check to a first download's large feed page.
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0),
    registry=_OWN,
)
PUSHES = Counter(
    "villagehelper_pushes",
    "Pushes (POST /v1/push): accepted (200) or refused (any other answer)",
    ["outcome"],
    registry=_OWN,
)
CHANGES = Counter(
    "villagehelper_pushed_changes",
    "Changes in accepted pushes, by their result",
    ["result"],
    registry=_OWN,
)
PULLS = Counter(
    "villagehelper_pulls",
    "Feed pages answered: caught_up=no means the laptop is a page or more behind the feed",
    ["caught_up"],
    registry=_OWN,
)
BUILDS = Histogram(
    "villagehelper_build_seconds",
    "Time to build a commune's replica or snapshot",
    ["commune", "what"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0),
    registry=_OWN,
)
# One series per live worker (its pid): how the requests spread over the processes.
# "liveall": a dead worker's series go with it (workers.py marks it dead).
WORKER_REQUESTS = Gauge(
    "villagehelper_worker_requests",
    "Requests answered by each server process since it started",
    registry=_OWN,
    multiprocess_mode="liveall",
)


def observe_build(commune_code: str, what: str, seconds: float) -> None:
    """A replica's or snapshot's build took ``seconds`` (``what``: "replica", "snapshot")."""
    BUILDS.labels(commune=commune_code, what=what).observe(seconds)


def counted_changes(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results of an accepted push, one per change, counted; returned as they are."""
    for result in results:
        status = result.get("status")
        CHANGES.labels(result=status if status in CHANGE_OUTCOMES else "other").inc()
    return results


def counted_pull(page: bytes) -> bytes:
    """A feed page just made (feed.page_json), counted, returned as it is: it ends with
    ``"more":true}`` while the laptop is still behind, read from its last bytes, no query."""
    PULLS.labels(caught_up="no" if page.endswith(b'"more":true}') else "yes").inc()
    return page


def exposition() -> bytes:
    """Every series in the text format: this process's, or all workers' added up."""
    folder = os.environ.get(MULTIPROC_ENV)
    if not folder:
        return generate_latest(_OWN)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def _route_of(scope: Scope) -> str:
    # Set by the router on the scope it was given (FastAPI's APIRoute, Starlette's Mount):
    # the template, bounded, whatever address was asked for.
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


def count_request(scope: Scope, status: int, seconds: float) -> None:
    """One request answered (access_log.py, which times every request): ``status`` 0
    when the client went away before any answer."""
    route = _route_of(scope)
    shown = str(status) if status else "none"  # the client went away before an answer
    method = scope.get("method")
    shown_method = method if method in METHODS else "other"
    REQUESTS.labels(route=route, method=shown_method, status=shown).inc()
    LATENCY.labels(route=route).observe(seconds)
    WORKER_REQUESTS.inc()
    # By the address, not the route: a push the request limits refused (426, 413) never
    # reached the router.
    if scope.get("path") == PUSH_ROUTE and scope.get("method") == "POST":
        PUSHES.labels(outcome="accepted" if status == 200 else "refused").inc()
