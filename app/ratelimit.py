"""Per-principal request limits: a token bucket per caller, in this process's memory.

Hand-written on purpose: the `limits` package costs about 110 ms of import, which every
cold start would pay, for what is a few lines here. Under Azure Functions each
instance counts on its own (there is no client address in the ASGI scope); a global
limit belongs in front of the app (API Management or Front Door).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

# Callers idle this long are forgotten, which bounds the memory the buckets take.
_IDLE_SECONDS = 600.0
_PRUNE_EVERY = 1_000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, *, per_minute: int):
        self._capacity = float(per_minute)
        self._rate = per_minute / 60.0
        self._buckets: dict[str, _Bucket] = {}
        self._calls = 0

    def acquire(self, key: str) -> float:
        """Take one request's token; 0.0 if allowed, else seconds until one is free."""
        now = time.monotonic()
        self._calls += 1
        if self._calls % _PRUNE_EVERY == 0:
            self._prune(now)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=self._capacity, updated=now)
        bucket.tokens = min(
            self._capacity, bucket.tokens + (now - bucket.updated) * self._rate
        )
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self._rate

    def _prune(self, now: float) -> None:
        idle = [k for k, b in self._buckets.items() if now - b.updated > _IDLE_SECONDS]
        for key in idle:
            del self._buckets[key]


def retry_after_header(wait_seconds: float) -> int:
    return max(1, math.ceil(wait_seconds))
