"""Whose request is this: the address the throttles count.

The connecting address, unless it is a reverse proxy the server was told to trust
(``serve --trusted-proxy ADDRESS``, or ``VILLAGEHELPER_TRUSTED_PROXIES``; none by
default): then the client that proxy names in ``X-Forwarded-For``.  From anyone else the
header means nothing, or a guesser would only have to change it on every request to
escape the per-address throttles.

uvicorn's own handling of the header is turned off where the server starts
(cli/serve.py, embedded): it trusts 127.0.0.1 by default, which would make every program
on the server PC a trusted proxy.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable

from villagehelper.errors import UserError

TRUSTED_PROXIES_ENV = "VILLAGEHELPER_TRUSTED_PROXIES"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def trusted_proxies(
    given: Iterable[str] = (), environ: dict[str, str] | None = None
) -> frozenset[Address]:
    """The proxies to trust: those ``given`` (the command line), else the environment's
    (comma or space separated).  A value that is no IP address is refused: a typo here
    would silently throttle every laptop behind the proxy as one."""
    values = [value for value in given if value.strip()]
    if not values:
        configured = (os.environ if environ is None else environ).get(TRUSTED_PROXIES_ENV, "")
        values = configured.replace(",", " ").split()
    return frozenset(_address(value) for value in values)


def _address(value: str) -> Address:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        shown = value.strip()[:60]
        raise UserError(
            f"Địa chỉ proxy tin cậy {shown!r} không phải một địa chỉ IP (ví dụ 127.0.0.1). "
            "Hãy ghi đúng địa chỉ của reverse proxy (nginx, Caddy) chuyển yêu cầu tới máy chủ xã.",
            f"Trusted proxy {shown!r} is not an IP address (e.g. 127.0.0.1). Give the address "
            "of the reverse proxy (nginx, Caddy) that forwards requests to the server.",
        ) from None


def client_address(peer: str | None, forwarded: str | None, trusted: frozenset[Address]) -> str:
    """The address to count a request against.

    ``peer``: the connecting address; ``forwarded``: its X-Forwarded-For header.  Each
    proxy appends the address it saw, so the list is read from the right, past the
    trusted proxies, to the first address none of ours added: the client.  A malformed
    entry ends the walk at the proxy that passed it on.
    """
    if peer is None:
        return "?"
    current = _parsed(peer)
    if current is None or current not in trusted or not forwarded:
        return peer
    for entry in reversed(forwarded.split(",")):
        named = _parsed(entry)
        if named is None:
            break
        current = named
        if named not in trusted:
            break
    return str(current)


def forwarded_over_tls(peer: str | None, proto: str | None, trusted: frozenset[Address]) -> bool:
    """Did a trusted proxy say (``X-Forwarded-Proto: https``) that the client reached it
    over TLS?  From anyone else the header means nothing, as X-Forwarded-For."""
    current = _parsed(peer) if peer else None
    return current is not None and current in trusted and (proto or "").strip() == "https"


def _parsed(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
