"""Wrong tokens and wrong enrolment codes, counted so that a shared address is no
shared fate.

A cultural house, a school or a commune office puts all its laptops behind one router
address.  Counting every wrong token against that address and then refusing it whole
(as the server once did) let one laptop with a revoked token, or one person guessing,
lock every other laptop there out for a minute.  So:

* **Tokens**: a wrong one is counted against the address *and* against the device it
  claims to be (the part before the dot); past either limit the answer is 429 instead
  of 401, which slows a guesser (and a laptop backs off).  The right token is always
  let in, from any address: its secret is 256 random bits, which no number of guesses
  finds, so the count exists to hold a flood back, not to hide a right guess.
* **Enrolment codes** are short (50 bits, read out loud): there a guess could succeed, so
  an address past its limit of *wrong* codes is refused before its code is looked at.
  Right codes are not counted: a room of laptops enrolling together is not throttled.

The address is the one :mod:`addresses` gives: a forwarded one only from a trusted proxy.
On PostgreSQL the counts are shared by every server process (shared_limits.py), so
several processes let a guesser go no faster than one.
"""

from __future__ import annotations

from villagehelper.server.addresses import Address, client_address
from villagehelper.server.limits import LimiterFactory, Throttles


class Guesses:
    def __init__(
        self,
        throttles: Throttles,
        trusted_proxies: frozenset[Address],
        buckets: LimiterFactory,
    ) -> None:
        # ``buckets``: shared by every process on PostgreSQL (shared_limits.buckets_for).
        self.trusted_proxies = trusted_proxies
        self._tokens_by_address = buckets(
            "token-address", throttles.auth_failure_rate, throttles.auth_failure_burst
        )
        self._tokens_by_device = buckets(
            "token-device", throttles.device_failure_rate, throttles.device_failure_burst
        )
        self._codes_by_address = buckets(
            "code-address", throttles.enrol_rate, throttles.enrol_burst
        )

    def address(self, peer: str | None, forwarded: str | None) -> str:
        return client_address(peer, forwarded, self.trusted_proxies)

    def wrong_token(self, address: str, token: str) -> bool:
        """Count one wrong token; True when its address or its claimed device is past
        its limit (answer "too many", not "wrong")."""
        claimed = token.partition(".")[0][:36]
        # Both counts, whatever the first says: each limit holds on its own.
        address_ok = self._tokens_by_address.allow(address)
        device_ok = self._tokens_by_device.allow(claimed)
        return not (address_ok and device_ok)

    def codes_refused(self, address: str) -> bool:
        """Has this address guessed too many codes to have one looked at now?"""
        return self._codes_by_address.exhausted(address)

    def wrong_code(self, address: str) -> None:
        self._codes_by_address.allow(address)
