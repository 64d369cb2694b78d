"""Benchmarks, run by `make bench` (`python -m bench [module ...]`); never part of the tests.

Each module here has `run() -> list[Figure]`. A figure is a median time and, where there is one,
the median time of a baseline measured in the same run, so that figures are read as ratios rather
than as absolute times that depend on the machine.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Figure:
    name: str
    median_ms: float
    runs: int
    baseline: str | None = None
    baseline_median_ms: float | None = None

    @property
    def ratio(self) -> float | None:
        """How many times faster than the baseline (above 1 is faster)."""
        if self.baseline_median_ms is None:
            return None
        return self.baseline_median_ms / self.median_ms

    def line(self) -> str:
        text = f"{self.name}: median {self.median_ms:.1f} ms over {self.runs} runs"
        if self.baseline is not None and self.baseline_median_ms is not None:
            text += (
                f"; baseline {self.baseline}: median {self.baseline_median_ms:.1f} ms"
                f"; {self.ratio:.1f}x faster than the baseline"
            )
        return text


def median_ms(work: Callable[[], Any], runs: int) -> float:
    """The median wall-clock time of `runs` calls of `work`, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def in_own_process(module: str, *arguments: str, env: dict[str, str], timeout_s: float) -> Any:
    """Run `python -m bench.<module> <arguments>` in a process of its own (the marketplace's
    settings and database engine are process-wide: a set-up against the bench's services needs
    its own) and return what it printed as JSON on its last line."""
    done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", f"bench.{module}", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if done.returncode != 0:
        step = arguments[0] if arguments else module
        raise RuntimeError(f"{step} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
