"""Counters over fixed time windows, for abuse limits: in Redis when REDIS_URL is set (shared by
every web process), in this process otherwise. A Redis that does not answer never refuses a
request: the counter falls back to this process's own until Redis is back."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from marketplace.config import get_settings

log = logging.getLogger("marketplace")
_PREFIX = "marketplace:limit:"
# The address a request came from (set by the requester middleware; behind a proxy, run uvicorn
# with --forwarded-allow-ips so that this is the client's, not the proxy's).
source_address: ContextVar[str] = ContextVar("source_address", default="unknown")
_TIMEOUT_SECONDS = 0.5


@dataclass(frozen=True)
class Count:
    value: int
    # Seconds until the window (or the mark) ends.
    seconds_left: int


class Counters(Protocol):
    async def add(self, key: str, window_seconds: int) -> Count: ...
    async def read(self, key: str) -> Count: ...
    async def mark(self, key: str, seconds: int) -> None: ...
    async def clear(self, key: str) -> None: ...


class MemoryCounters:
    """This process's counters (the embedded default, and the fallback when Redis is down)."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, float]] = {}

    def _live(self, key: str) -> tuple[int, float] | None:
        found = self._counts.get(key)
        if found is not None and found[1] <= time.monotonic():
            del self._counts[key]
            return None
        return found

    async def add(self, key: str, window_seconds: int) -> Count:
        found = self._live(key)
        value, ends = (found[0] + 1, found[1]) if found else (1, time.monotonic() + window_seconds)
        self._counts[key] = (value, ends)
        return Count(value, max(1, round(ends - time.monotonic())))

    async def read(self, key: str) -> Count:
        found = self._live(key)
        return Count(found[0], max(1, round(found[1] - time.monotonic()))) if found else Count(0, 0)

    async def mark(self, key: str, seconds: int) -> None:
        self._counts[key] = (1, time.monotonic() + seconds)

    async def clear(self, key: str) -> None:
        self._counts.pop(key, None)


class RedisCounters:
    """Counters shared by every process through Redis (INCR with an expiry set on the first)."""

    def __init__(self, url: str, fallback: MemoryCounters) -> None:
        self._redis = Redis.from_url(
            url, socket_connect_timeout=_TIMEOUT_SECONDS, socket_timeout=_TIMEOUT_SECONDS
        )
        self._fallback = fallback

    async def add(self, key: str, window_seconds: int) -> Count:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(_PREFIX + key)
                pipe.expire(_PREFIX + key, window_seconds, nx=True)
                pipe.ttl(_PREFIX + key)
                value, _, ttl = await pipe.execute()
            return Count(int(value), max(1, int(ttl)))
        except RedisError as exc:
            log.warning("abuse limits: Redis is not answering (%s); counting in this process", exc)
            return await self._fallback.add(key, window_seconds)

    async def read(self, key: str) -> Count:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.get(_PREFIX + key)
                pipe.ttl(_PREFIX + key)
                value, ttl = await pipe.execute()
        except RedisError:
            return await self._fallback.read(key)
        return Count(int(value), max(1, int(ttl))) if value is not None else Count(0, 0)

    async def mark(self, key: str, seconds: int) -> None:
        try:
            await self._redis.set(_PREFIX + key, 1, ex=seconds)
        except RedisError:
            await self._fallback.mark(key, seconds)

    async def clear(self, key: str) -> None:
        with contextlib.suppress(RedisError):
            await self._redis.delete(_PREFIX + key)
        await self._fallback.clear(key)


_counters: dict[tuple[str | None, int], Counters] = {}


def counters() -> Counters:
    """The counters for this configuration, made on first use (a Redis client belongs to the
    event loop it was made in, hence one per loop)."""
    url = get_settings().redis_url
    key = (url, id(asyncio.get_running_loop()))
    if key not in _counters:
        memory = MemoryCounters()
        _counters[key] = RedisCounters(url, memory) if url else memory
    return _counters[key]


def forget_counters() -> None:
    """Start from nothing (tests change the configuration between apps)."""
    _counters.clear()
