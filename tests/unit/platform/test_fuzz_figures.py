"""The fuzzing figures each pytest-xdist worker counted add up at the controller."""

from __future__ import annotations

from tests.fuzz.figures import Figures


def test_the_figures_of_two_workers_add_up() -> None:
    worker = Figures()
    run = worker.run("schemathesis, postgres")
    run.operations, run.cases, run.exclusions = 3, 10, 1
    run.statuses[200] = 4
    worker.machine.examples, worker.machine.steps = 2, 30
    worker.machine.statuses.update({"closed", "awarded"})
    controller = Figures()
    controller.add(worker.as_data())
    controller.add(worker.as_data())
    added = controller.runs["schemathesis, postgres"]
    assert (added.operations, added.cases, added.exclusions) == (6, 20, 2)
    assert added.statuses == {200: 8}
    assert (controller.machine.examples, controller.machine.steps) == (4, 60)
    assert controller.machine.statuses == {"closed", "awarded"}
