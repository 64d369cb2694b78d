"""The in-process counters behind the abuse limits: fixed windows and marks that run out."""

from __future__ import annotations

import pytest

from marketplace.web import limits


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr(limits.time, "monotonic", fake)
    return fake


async def test_a_window_counts_until_it_ends_then_starts_again(clock: _Clock) -> None:
    counters = limits.MemoryCounters()
    assert (await counters.add("k", 60)).value == 1
    clock.now += 30
    second = await counters.add("k", 60)
    assert (second.value, second.seconds_left) == (2, 30)
    clock.now += 30
    assert (await counters.read("k")).value == 0
    assert (await counters.add("k", 60)).value == 1


async def test_a_mark_lasts_its_time_and_clearing_forgets(clock: _Clock) -> None:
    counters = limits.MemoryCounters()
    await counters.mark("locked", 900)
    clock.now += 899
    assert (await counters.read("locked")).value == 1
    clock.now += 1
    assert (await counters.read("locked")).value == 0
    await counters.add("k", 60)
    await counters.clear("k")
    assert (await counters.read("k")).value == 0
