"""The fuzzing tests' figures, printed at the end of every pytest run that ran them (`make test`
included, which does not use -s)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fuzz.figures import FIGURES


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lines = FIGURES.lines()
    if lines:
        terminalreporter.section("fuzzing figures")
        for line in lines:
            terminalreporter.write_line(line)
