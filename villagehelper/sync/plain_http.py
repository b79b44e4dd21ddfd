"""Where a laptop may speak plain ``http://``: this PC and the local network only.

Tokens, and residents' names and phone numbers, travel in every sync.  Over the
commune office's or cultural house's own network, plain HTTP is a choice the server's
administrator made (``serve --allow-plain-http``); across the Internet anyone on the
way could read them, so an ``http://`` address there is refused and ``https://`` asked
for.  The local network is: loopback and private addresses (10/8, 172.16/12,
192.168/16, link-local, IPv6 unique-local), and names that only a local network
resolves (one word with no dot such as ``mayxa``, ``localhost``, and ``.local``,
``.lan``, ``.home.arpa``, ``.internal``).  Any other name is taken as public: the laptop
cannot know where it points without asking the network, and may be offline.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

_LOCAL_SUFFIXES = (".localhost", ".local", ".lan", ".home.arpa", ".internal", ".intranet")


def plain_http_problem(url: str) -> tuple[str, str] | None:
    """Why ``url`` must not be used (Vietnamese, English), or None."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "http":
        return None
    try:
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return None  # not a URL requests can use anyway: it says so itself
    if not host or _local(host):
        return None
    return (
        f"Máy chủ {host} nằm ngoài mạng nội bộ: không gửi dữ liệu qua HTTP không mã hoá "
        "(ai ở giữa cũng đọc được mã truy cập và thông tin người dân). Hãy dùng địa chỉ "
        "https:// do người quản lý máy chủ xã cho, hoặc địa chỉ trong mạng nội bộ "
        "(ví dụ http://192.168.1.10:8765).",
        f"The server {host} is outside the local network: no data goes there over plain "
        "HTTP (anyone on the way could read the token and residents' details). Use the "
        "https:// address the server's administrator gives, or a local-network address "
        "(e.g. http://192.168.1.10:8765).",
    )


def _local(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        name = host.lower()
        return "." not in name or name == "localhost" or name.endswith(_LOCAL_SUFFIXES)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    # is_private alone also counts documentation and reserved ranges no LAN uses, and
    # not the shared range (100.64/10) carriers put between a router and the Internet.
    return address.is_loopback or address.is_link_local or _in_private_ranges(address)


_PRIVATE = tuple(
    ipaddress.ip_network(block)
    for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)


def _in_private_ranges(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address.version == block.version and address in block for block in _PRIVATE)
