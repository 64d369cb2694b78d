"""What the fuzzing runs did, gathered across tests to be printed once at the end."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Run:
    operations: int = 0
    cases: int = 0
    failures: int = 0
    exclusions: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


@dataclass
class Machine:
    examples: int = 0
    steps: int = 0
    refusals_audited: int = 0
    content_refusals: int = 0
    statuses: set[str] = field(default_factory=set)


@dataclass
class Figures:
    runs: dict[str, Run] = field(default_factory=dict)
    machine: Machine = field(default_factory=Machine)

    def run(self, name: str) -> Run:
        return self.runs.setdefault(name, Run())

    def as_data(self) -> dict[str, Any]:
        """Plain data, to be sent from a pytest-xdist worker to the controller."""
        data = asdict(self)
        data["machine"]["statuses"] = sorted(self.machine.statuses)
        return data

    def add(self, data: dict[str, Any]) -> None:
        """Add what one worker counted (from `as_data`)."""
        for name, counted in data["runs"].items():
            run = self.run(name)
            for key, value in counted.items():
                if key == "statuses":
                    for status, count in value.items():
                        run.statuses[int(status)] = run.statuses.get(int(status), 0) + count
                else:
                    setattr(run, key, getattr(run, key) + value)
        for key, value in data["machine"].items():
            if key == "statuses":
                self.machine.statuses.update(value)
            else:
                setattr(self.machine, key, getattr(self.machine, key) + value)

    def lines(self) -> list[str]:
        machine = self.machine
        lines = (
            [
                f"call-off state machine: {machine.examples} call-offs, {machine.steps} calls, "
                f"{machine.refusals_audited} refusals seen audited ({machine.content_refusals} for a "
                "bid's content), statuses reached: " + ", ".join(sorted(machine.statuses))
            ]
            if machine.examples
            else []
        )
        return lines + [
            f"{name}: {run.operations} operations, {run.cases} cases, {run.failures} failures "
            + f"(and {run.exclusions} open findings or exclusions, docs/api.md); "
            + "answers "
            + ", ".join(f"{status}: {count}" for status, count in sorted(run.statuses.items()))
            for name, run in sorted(self.runs.items())
        ]


FIGURES = Figures()
