"""The shape of the matcher's results (``campaigns.matching``) as far as storing a
matched list needs it: ``store_ops`` reads them through these protocols, so it needs
nothing of the matcher itself, and its tests can hand it the real result types or any
other of the same shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class KnownPersonLike(Protocol):
    @property
    def member_id(self) -> str: ...
    @property
    def household_id(self) -> str: ...
    @property
    def village_id(self) -> str: ...


class CandidateLike(Protocol):
    @property
    def person(self) -> KnownPersonLike: ...


class TargetRowLike(Protocol):
    @property
    def line(self) -> int: ...
    @property
    def full_name(self) -> str: ...
    @property
    def birth_year(self) -> int | None: ...
    @property
    def village_name(self) -> str: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def id_last_digits(self) -> str | None: ...


class TargetMatchLike(Protocol):
    """campaigns.matching.TargetMatch, as far as storing it needs."""

    @property
    def row(self) -> TargetRowLike: ...
    @property
    def kind(self) -> str: ...
    @property
    def candidates(self) -> Sequence[CandidateLike]: ...
