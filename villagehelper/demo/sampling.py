"""Weighted picks and fair splits, fast enough for a million draws."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """A population with weights, picked by bisecting precomputed cumulative weights
    (``random.choices`` rebuilds them on every call when given plain weights)."""

    def __init__(self, items: Sequence[tuple[T, float]]) -> None:
        if not items:
            raise ValueError("a weighted population needs at least one item")
        self.items = [item for item, _ in items]
        self._cumulative = list(accumulate(weight for _, weight in items))
        self._total = self._cumulative[-1]
        if self._total <= 0:
            raise ValueError("weights must add up to more than zero")

    def pick(self, rng: random.Random) -> T:
        index = bisect_right(self._cumulative, rng.random() * self._total)
        return self.items[min(index, len(self.items) - 1)]

    def pick_distinct(self, rng: random.Random, count: int) -> list[T]:
        """``count`` different items (fewer if the population is smaller)."""
        count = min(count, len(self.items))
        chosen: list[T] = []
        while len(chosen) < count:
            item = self.pick(rng)
            if item not in chosen:
                chosen.append(item)
        return chosen


def weighted_words(spec: str) -> Weighted[str]:
    """``"Văn:6 Đức Hữu:2"`` → words with weights (1 when no weight is given)."""
    pairs: list[tuple[str, float]] = []
    for token in spec.split():
        word, _, weight = token.partition(":")
        pairs.append((word, float(weight) if weight else 1.0))
    return Weighted(pairs)


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into whole shares proportional to ``weights`` (largest remainder),
    so that the shares add up to exactly ``total``."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    exact = [total * weight / weight_sum for weight in weights]
    shares = [int(value) for value in exact]
    by_remainder = sorted(
        range(len(weights)), key=lambda index: exact[index] - shares[index], reverse=True
    )
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return shares
