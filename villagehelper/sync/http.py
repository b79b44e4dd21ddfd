"""Talking to the commune server over HTTP (requests): timeouts, retries, gzip, errors.

Retrying a push is safe because the server deduplicates on change ids; retrying a pull
is safe because it only reads.  Every failure becomes a :class:`SyncError` whose message
tells the person what happened in plain Vietnamese.
"""

from __future__ import annotations

import email.utils
import gzip
import json
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import requests

from villagehelper import __version__
from villagehelper.errors import UserError
from villagehelper.exchange import update_offer, wire
from villagehelper.ops.trusted_time import parse_server_time
from villagehelper.sync.plain_http import plain_http_problem
from villagehelper.sync.tls_clock import certificate_date_problem
from villagehelper.sync.too_old import update_pointer

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
PROBE_TIMEOUT = 2.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# The longest wait a server's Retry-After may ask for between two tries: a sync the
# person started should not sit silent for minutes on a mistaken header.
MAX_RETRY_AFTER = 30.0
_DOWNLOAD_CHUNK = 1 << 20
_STREAM_CHUNK = 1 << 16
T = TypeVar("T")


class SyncError(UserError):
    """Sync did not finish; the message says why and what to do."""


class ServerUnreachableError(SyncError):
    pass


class ServerRefusedError(SyncError):
    """The server answered with an error; ``status`` and ``code`` are its verdict."""

    def __init__(
        self,
        status: int,
        code: str,
        message_vi: str,
        message_en: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message_vi, message_en)
        self.status = status
        self.code = code
        self.details = details or {}  # the rest of the server's error body


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int, asked: float = 0.0) -> float:
        # Exponential back-off with full jitter: many laptops coming back online at once
        # (the cultural house's Wi-Fi returns) must not hammer the server in step.  A
        # server that says how long to wait (Retry-After) is waited for, within reason.
        ceiling = min(self.max_delay, self.base_delay * 2**attempt)
        return max(random.uniform(ceiling / 2, ceiling), min(asked, MAX_RETRY_AFTER))


@dataclass
class ServerConnection:
    base_url: str
    token: str | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT)
    _http: requests.Session = field(default_factory=requests.Session, repr=False)
    # The server's time on its latest answer and the monotonic clock then (a first
    # download may take minutes: the server's time now is that plus the time since).
    _server_time: tuple[datetime, float] | None = field(default=None, init=False, repr=False)
    # The server's epoch as its last answer named it (server/epochs.py), if it did.
    server_epoch: str | None = field(default=None, init=False)
    # The newest app version the server's last answer offered ("" for none; None before
    # any answer): every answer names it, refusals included (exchange/update_offer.py).
    offered_version: str | None = field(default=None, init=False)
    # Counts the laptop's changes not yet on the server, asked before every call that
    # carries the token (sent as wire.WAITING_HEADER); None: not said (enrolment).
    waiting: Callable[[], int] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.base_url = normalise_url(self.base_url)
        self._http.headers.update(
            {
                wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION),
                wire.APP_VERSION_HEADER: __version__,
                update_offer.PLATFORM_HEADER: update_offer.this_platform(),
                "Accept-Encoding": "gzip",
                "User-Agent": f"VillageHelper/{__version__}",
            }
        )

    def close(self) -> None:
        self._http.close()

    def state_epoch(self, epoch: str | None) -> None:
        """Name the server epoch this laptop synced with on every call (the server
        refuses the call if it has another: sync/epoch.py)."""
        if epoch:
            self._http.headers[wire.EPOCH_HEADER] = epoch
        else:
            self._http.headers.pop(wire.EPOCH_HEADER, None)

    def _own_headers(self) -> dict[str, str]:
        """The token, and the changes waiting as they are at this very call."""
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
            if self.waiting is not None:
                headers[wire.WAITING_HEADER] = str(self.waiting())
        return headers

    def _note(self, response: requests.Response) -> None:
        """What every answer says of the server: its epoch, its time, the app's newest version."""
        self.server_epoch = response.headers.get(wire.EPOCH_HEADER) or self.server_epoch
        self._note_time(response)
        self.offered_version = _offered_version(response)

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._call("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", path, body=json.dumps(body, ensure_ascii=False).encode())

    def post_json(self, path: str, body: bytes) -> dict[str, Any]:
        """POST a body that is JSON text already."""
        return self._call("POST", path, body=body)

    def download(
        self,
        path: str,
        params: dict[str, Any],
        target: Path,
        limit: int,
        progress: Callable[[int, int], None],
    ) -> bool:
        """Write the (gzip-decoded) body of a GET to ``target``; False if the server has
        nothing there for this laptop (404, 409).  Retried from the start like any call;
        ``progress`` gets bytes received and expected (0 when not known)."""

        def attempt() -> bool:
            headers = self._own_headers()
            try:
                with self._http.get(
                    self.base_url + path,
                    params=params,
                    headers=headers,
                    timeout=self.timeout,
                    stream=True,
                ) as response:
                    self._note(response)
                    if response.status_code in (404, 409):
                        return False
                    _refuse_failed(response)
                    _save_body(response, target, limit, progress)
                    return True
            except requests.RequestException as exc:
                raise _RetryableError(_unreachable(self.base_url, exc)) from exc

        return self._retrying(attempt)

    @contextmanager
    def stream(self, path: str, headers: Mapping[str, str]) -> Iterator[StreamedAnswer]:
        """A GET whose body the caller reads as it arrives, tried once: what it fetches (an
        installer) resumes where it stopped instead.  Refusals raise as for any call, except
        416 (a range the server cannot give), which the caller judges."""
        # Byte ranges of the file itself.
        sent = {"Accept-Encoding": "identity", **headers, **self._own_headers()}
        try:
            response = self._http.get(
                self.base_url + path, headers=sent, timeout=self.timeout, stream=True
            )
        except requests.RequestException as exc:
            raise _unreachable(self.base_url, exc) from exc
        with response:
            self._note(response)
            if response.status_code != 416:
                try:
                    _refuse_failed(response)
                except _RetryableError as busy:
                    raise busy.error from None
            yield StreamedAnswer(response.status_code, response.headers, self._chunks(response))

    def _chunks(self, response: requests.Response) -> Iterator[bytes]:
        try:
            # Small pieces: what arrived before a cut is on disk, to resume from.
            yield from response.iter_content(_STREAM_CHUNK)
        except requests.RequestException as exc:
            raise _unreachable(self.base_url, exc) from exc

    def _retrying(self, attempt: Callable[[], T]) -> T:
        """``attempt`` as often as the retry policy allows while it raises
        :class:`_RetryableError`, waiting between tries; the last try's error if none answered."""
        last_error: SyncError | None = None
        asked = 0.0
        for number in range(self.retry.attempts):
            if number:
                self.sleep(self.retry.delay(number - 1, asked))
            try:
                return attempt()
            except _RetryableError as again:
                last_error, asked = again.error, again.asked
        assert last_error is not None
        raise last_error

    def _note_time(self, response: requests.Response) -> None:
        moment = parse_server_time(
            response.headers.get(wire.SERVER_TIME_HEADER), response.headers.get("Date")
        )
        if moment is not None:
            self._server_time = (moment, time.monotonic())

    def server_now(self) -> datetime | None:
        """The server's time now, as its latest answer told it (None before any)."""
        if self._server_time is None:
            return None
        moment, seen = self._server_time
        return moment + timedelta(seconds=time.monotonic() - seen)

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: bytes | None = None,
    ) -> dict[str, Any]:
        headers: dict[str, str] = {}
        data = None
        if body is not None:
            # Level 1: a batch of 1,000 changes packs in a third of level 5's time, for a
            # body a few percent larger.
            data = gzip.compress(body, compresslevel=1)
            headers["Content-Type"] = "application/json"
            headers["Content-Encoding"] = "gzip"

        def attempt() -> dict[str, Any]:
            try:
                response = self._http.request(
                    method,
                    self.base_url + path,
                    params=params,
                    data=data,
                    headers={**headers, **self._own_headers()},
                    timeout=self.timeout,
                )
            except requests.RequestException as exc:
                raise _RetryableError(_unreachable(self.base_url, exc)) from exc
            self._note(response)
            _refuse_failed(response)
            try:
                answer: dict[str, Any] = response.json()
            except ValueError:
                raise _RetryableError(_garbled(self.base_url)) from None
            return answer

        return self._retrying(attempt)


@dataclass(frozen=True)
class StreamedAnswer:
    """An answer whose body is read chunk by chunk (:meth:`ServerConnection.stream`)."""

    status: int
    headers: Mapping[str, str]
    chunks: Iterator[bytes]


def _offered_version(response: requests.Response) -> str:
    """The version an answer's update header names; "" when none or not a version."""
    named = response.headers.get(update_offer.UPDATE_HEADER, "").strip()
    try:
        update_offer.parse_version(named)
    except update_offer.UpdateOfferError:
        return ""
    return named


class _RetryableError(Exception):
    """One try failed in a way another may not: ``error`` is raised if none is left;
    ``asked`` is the wait the server asked for (Retry-After), 0 if it did not."""

    def __init__(self, error: SyncError, asked: float = 0.0) -> None:
        super().__init__(error)
        self.error = error
        self.asked = asked


def _refuse_failed(response: requests.Response) -> None:
    """Raise for an error status: :class:`_RetryableError` where the server may answer on a
    later try (busy, down), the server's refusal otherwise."""
    if response.status_code in RETRY_STATUSES:
        raise _RetryableError(_refused(response), retry_after(response))
    if response.status_code >= 400:
        raise _refused(response)


def retry_after(response: requests.Response) -> float:
    """The seconds a 429/503 answer's Retry-After asks for (delay or HTTP date), 0 if none."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return 0.0
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    if when.tzinfo is None:
        return 0.0
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _save_body(
    response: requests.Response, target: Path, limit: int, progress: Callable[[int, int], None]
) -> None:
    expected = int(response.headers.get("Content-Length") or 0)  # of the packed body
    received = 0
    with target.open("wb") as out:
        for chunk in response.iter_content(_DOWNLOAD_CHUNK):
            out.write(chunk)
            if out.tell() > limit:
                raise SyncError(
                    "Dữ liệu máy chủ gửi về lớn bất thường nên máy đã dừng tải; hãy báo "
                    "người quản lý máy chủ xã.",
                    f"The server's download went past {limit:,} bytes; stopped.",
                )
            received = response.raw.tell()
            progress(received, expected)


def normalise_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise SyncError(
            f"Địa chỉ máy chủ phải bắt đầu bằng http:// hoặc https:// (nhận được {url!r}).",
            f"The server address must start with http:// or https:// (got {url!r}).",
        )
    refused = plain_http_problem(url)
    if refused is not None:
        raise SyncError(*refused)
    return url


def probe(base_url: str, timeout: float = PROBE_TIMEOUT) -> bool:
    """Is the server reachable right now?  A short health call, not the OS's flag."""
    try:
        response = requests.get(normalise_url(base_url) + "/v1/health", timeout=timeout)
    except (requests.RequestException, SyncError):
        return False
    return response.status_code == 200


def _unreachable(url: str, exc: Exception) -> ServerUnreachableError:
    problem = certificate_date_problem(exc)
    if problem is not None:
        return _certificate_dates(url, problem)
    return ServerUnreachableError(
        f"Không kết nối được máy chủ xã ({url}). Dữ liệu vẫn an toàn trên máy này và sẽ "
        "được gửi khi có mạng.",
        f"Cannot reach the commune server ({url}): {type(exc).__name__}. "
        "Nothing is lost; it will be sent when online.",
    )


class CertificateDateError(ServerUnreachableError):
    """The server's certificate was refused for its dates: the clock is the likely cause."""


def _certificate_dates(url: str, problem: str) -> CertificateDateError:
    if problem == "expired":
        state_vi, state_en = "đã hết hạn", "has expired"
        likely_vi, likely_en = "đồng hồ máy này đang chạy nhanh (sau ngày thật)", "ahead"
    else:
        state_vi, state_en = "chưa đến ngày có hiệu lực", "is not valid yet"
        likely_vi, likely_en = "đồng hồ máy này đang chạy chậm (trước ngày thật)", "behind"
    return CertificateDateError(
        f"Không kết nối an toàn được với máy chủ xã ({url}): theo ngày giờ của máy này, chứng "
        f"chỉ bảo mật của máy chủ {state_vi}. Nguyên nhân thường gặp nhất là {likely_vi}: "
        f"{_DATE_FIX_VI} Nếu ngày giờ đã đúng, hãy báo người quản lý máy chủ xã (có thể "
        "chứng chỉ cần gia hạn). Dữ liệu vẫn an toàn trên máy này.",
        f"Cannot connect securely to the commune server ({url}): by this laptop's clock the "
        f"server's certificate {state_en}. The likely cause is this laptop's clock running "
        f"{likely_en}: {_DATE_FIX_EN} If the date and time are right, tell the commune "
        "server's administrator (the certificate may need renewing). Nothing is lost.",
    )


_DATE_FIX_VI = (
    "hãy chỉnh ngày giờ trong Windows (Cài đặt → Thời gian và ngôn ngữ → Ngày và giờ), rồi "
    "đồng bộ lại."
)
_DATE_FIX_EN = "set the date and time in Windows (Settings → Time & language), then sync."


def _garbled(url: str) -> ServerUnreachableError:
    return ServerUnreachableError(
        f"Máy chủ {url} trả lời không đúng dạng (có thể do mạng chập chờn); sẽ thử lại.",
        f"The server {url} sent an unreadable reply; will try again.",
    )


def _refused(response: requests.Response) -> ServerRefusedError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    status = response.status_code
    message_vi = body.get("message_vi") or (
        f"Máy chủ xã đang gặp lỗi (mã {status}); sẽ thử lại sau. Dữ liệu vẫn an toàn trên máy."
    )
    message_en = body.get("message_en") or f"The commune server failed (HTTP {status})."
    code = str(body.get("error", "http_error"))
    if status == 426:
        pointed = update_pointer(body, _offered_version(response))
        message_vi, message_en = pointed or (message_vi, message_en)
    return ServerRefusedError(status, code, message_vi, message_en, body)
