"""``villagehelper-server serve`` started as a real process, for the tests that need the
command itself (its options, its signals, its workers)."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from villagehelper.server.cli.serve import READY_LINE


def free_port() -> int:
    """A loopback port nothing listens on now (the server binds it next)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def metric_total(url: str, name: str, **labels: str) -> float:
    """The sum of the samples ``name`` whose labels include ``labels``, from the
    server's ``/metrics`` at ``url`` (every worker's, added up, with ``--workers``)."""
    with requests.get(url + "/metrics", timeout=30) as answer:
        answer.raise_for_status()
        text = answer.text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def start_serving(
    command: list[str], env: dict[str, str], log: Path
) -> tuple[subprocess.Popen[str], str]:
    """The process, once it printed its ready line (returned too); its errors go to
    ``log``.  Fails with the log if the process ended before listening."""
    with log.open("ab") as errors:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, text=True, encoding="utf-8", env=env
        )
    assert process.stdout is not None
    # A blocking read: the line comes once the port accepts connections, and the end of
    # the output means the server stopped first.
    for line in process.stdout:
        if READY_LINE in line:
            return process, line
    process.wait(timeout=30)
    raise AssertionError(f"the server stopped before listening:\n{log.read_text()}")


def run_to_the_end(command: list[str]) -> subprocess.CompletedProcess[str]:
    """A command expected to end by itself (a refused start): its output, UTF-8."""
    return subprocess.run(
        command, capture_output=True, text=True, encoding="utf-8", timeout=60, check=False
    )
