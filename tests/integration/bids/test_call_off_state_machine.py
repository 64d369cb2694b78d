"""A hypothesis state machine drives one call-off (an enablement request, or a pilot whose bids
are scored) through random sequences of publish, extend, bid, replace, withdraw, cancel,
deadline, close, open, read the bids, score, award and the end of the standstill (conclusion), by
random actors (its commissioner, its opener, two invited providers, a provider never invited),
through the API in-process, on both engines. After every step:

- nothing answers 5xx;
- no bid is accepted at or after the deadline;
- a rate is accepted or refused for its content (422: above the maximum or outside the envelope,
  which no later step changes) consistently: every accepted rate is below every refused one;
- one live bid per provider;
- no sealed content is returned before the bids are opened;
- no OCDS release of the call-off holds a package's reference or postcode, and none before the
  award holds a sealed rate (its only money is the maximum rate, the envelope and the budget);
- the call-off only moves as MOVES allows (marketplace/tenders/call_offs/status.py);
- every refused submission (409 for the state, 422 for the content), withdrawal and read of
  sealed bids is audited.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import hypothesis
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from marketplace.audit.tables import AuditEvent
from marketplace.awards.closing import close_call_off
from marketplace.awards.conclusion import conclude_due_awards
from marketplace.awards.tables import Award
from marketplace.bids.tables import Bid, Opening
from marketplace.notifications.relay import run_due_in_process
from marketplace.tenders.call_offs.status import MOVES, CallOffStatus
from marketplace.tenders.tables import CallOff
from marketplace.transparency.tables import OcdsRelease
from tests.call_off_fixtures import (
    POSTCODES,
    admitted_provider,
    commissioning,
    enablement_body,
    pilot_body,
    suffix_of,
)
from tests.factories import bearer, make_organisation, make_user
from tests.fuzz.figures import FIGURES

OFFICERS = ("commissioner", "opener", "provider_a")
BIDDERS = ("provider_a", "provider_b", "stranger")
REFUSALS_AUDITED = {
    ("PUT", "bid", 409): "refused_bid",
    ("PUT", "bid", 422): "refused_bid_content",
    ("DELETE", "bid", 409): "refused_withdrawal",
    ("GET", "bids", 409): "refused_read_sealed_bids",
}
# What a complete bid's content may be refused for at submission (bids/rules.py never_compliant).
CONTENT_REFUSALS = {"above_max_rate", "outside_envelope"}
# The releases written once an award is made public: they name the winners' rates.
AWARD_NOTICES = {"awarded", "concluded"}
ANSWERS = {"q1": "Carers recruited in the villages", "q2": "Outcome stars every month"}


class CallOffMachine(RuleBasedStateMachine):
    """One call-off per example; `self.run` drives the app on the machine's own event loop."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        from marketplace.app import create_app

        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app()), base_url="http://testserver.local"
        )
        self.steps: list[str] = []
        self.accepted_rates: set[int] = set()
        self.refused_rates: set[int] = set()
        FIGURES.machine.examples += 1

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.run(self.client.aclose())
        self.loop.close()

    @initialize(
        start_published=st.sampled_from([True, True, True, False]),
        kind=st.sampled_from(["enablement", "enablement", "pilot"]),
    )
    def a_call_off(self, start_published: bool, kind: str) -> None:
        self.start_published = start_published
        self.kind = kind
        self.run(self._set_up())

    async def _set_up(self) -> None:
        c = await commissioning(f"Council {id(self)}")
        _, opener = await make_user(c.commissioner.id, "opener")
        _, provider_a = await admitted_provider(c, f"Agency A {id(self)}")
        _, provider_b = await admitted_provider(c, f"Agency B {id(self)}")
        stranger = await make_organisation("provider", name=f"Stranger {id(self)}")
        _, stranger_token = await make_user(stranger.id, "provider")
        self.tokens = {
            "commissioner": c.token,
            "opener": opener,
            "provider_a": provider_a,
            "provider_b": provider_b,
            "stranger": stranger_token,
        }
        self.ashford = f"ASHFORD-{suffix_of(c)}"
        body = pilot_body(c) if self.kind == "pilot" else enablement_body(c)
        created = await self.client.post("/api/v1/call-offs", json=body, headers=bearer(c.token))
        assert created.status_code == 201, created.text
        self.call_off_id = created.json()["id"]
        terms = created.json()
        self.public_money = {
            terms["max_hourly_rate_pence"],
            (terms.get("envelope") or {}).get("weekly_pence"),
            (terms.get("enablement") or {}).get("budget_pence"),
        } - {None}
        self.never_published = [f"P-{suffix_of(c)}-", *(p.postcode for p in POSTCODES)]
        # Most examples start published, so that the sequences reach the later statuses; the
        # others start as a draft.
        if self.start_published:
            published = await self.client.post(
                f"/api/v1/call-offs/{self.call_off_id}/publish", headers=bearer(c.token)
            )
            assert published.status_code == 200, published.text
            # ... with one compliant bid in, so that an award is within reach.
            await self._bid("provider_a", 1900)

    # --- steps -------------------------------------------------------------------------------

    async def _call(
        self, actor: str, method: str, tail: str, body: Any = None, kind: str = ""
    ) -> httpx.Response:
        before = await self._refusals()
        url = f"/api/v1/call-offs/{self.call_off_id}{tail}"
        response = await self.client.request(
            method, url, json=body, headers=bearer(self.tokens[actor])
        )
        self.steps.append(f"{actor} {method} {tail or '/'} -> {response.status_code}")
        FIGURES.machine.steps += 1
        assert response.status_code < 500, (self.steps, response.text)
        action = REFUSALS_AUDITED.get((method, kind, response.status_code))
        if action is not None:
            after = await self._refusals()
            assert after.get(action, 0) == before.get(action, 0) + 1, (
                f"the refusal ({action}) was not audited",
                self.steps,
            )
            FIGURES.machine.refusals_audited += 1
        return response

    async def _refusals(self) -> dict[str, int]:
        rows = await AuditEvent.select(AuditEvent.action).where(
            AuditEvent.entity_id == self.call_off_id
        )
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["action"]] = counts.get(row["action"], 0) + 1
        return counts

    @rule(actor=st.sampled_from(OFFICERS))
    def publish(self, actor: str) -> None:
        self.run(self._call(actor, "POST", "/publish"))

    @rule(actor=st.sampled_from(OFFICERS), days=st.integers(1, 5))
    def extend(self, actor: str, days: int) -> None:
        deadline = (datetime.now(UTC) + timedelta(days=days)).isoformat()
        self.run(self._call(actor, "PATCH", "", {"deadline": deadline}))

    @rule(actor=st.sampled_from(BIDDERS), rate=st.integers(1500, 2600))
    def bid_or_replace(self, actor: str, rate: int) -> None:
        self.run(self._bid(actor, rate))

    @rule(actor=st.sampled_from(BIDDERS[:2]), rate=st.integers(2401, 3500))
    def bid_above_the_envelope(self, actor: str, rate: int) -> None:
        # Above the maximum of £24.00 an hour (tests/call_off_fixtures.py): refused for its
        # content (422) whenever the call-off is open for bids.
        self.run(self._bid(actor, rate))

    @rule(actor=st.sampled_from(BIDDERS[:2]), rate=st.integers(1500, 1950))
    def bid_again(self, actor: str, rate: int) -> None:
        # Bidding twice as likely as any other step, by the invited providers, within the envelope:
        # the sequences reach an award.
        self.run(self._bid(actor, rate))

    async def _bid(self, actor: str, rate: int) -> None:
        if self.kind == "pilot":
            offer = {"area_code": self.ashford, "hourly_rate_pence": rate, "answers": ANSWERS}
            body: dict[str, Any] = {"areas": [offer]}
        else:
            body = {"hourly_rate_pence": rate, "accepts_enablement_budget": True}
        response = await self._call(actor, "PUT", "/bid", body, kind="bid")
        if response.status_code == 422:
            codes = {error["code"] for error in response.json()["errors"]}
            assert codes and codes <= CONTENT_REFUSALS, (codes, self.steps)
            self.refused_rates.add(rate)
            FIGURES.machine.content_refusals += 1
        if response.status_code == 201:
            self.accepted_rates.add(rate)
            deadline = await CallOff.select(CallOff.deadline).where(CallOff.id == self.call_off_id)
            received = datetime.fromisoformat(response.json()["received_at"])
            assert received < deadline[0]["deadline"], (
                "accepted at or after the deadline",
                self.steps,
            )

    @rule(actor=st.sampled_from(BIDDERS))
    def withdraw(self, actor: str) -> None:
        self.run(self._call(actor, "DELETE", "/bid", kind="bid"))

    @rule(actor=st.sampled_from(OFFICERS), now=st.integers(0, 5))
    def cancel(self, actor: str, now: int) -> None:
        # Cancelling ends the call-off: tried one time in six, so that most sequences go on.
        if now == 0:
            self.run(self._call(actor, "POST", "/cancel", {"reason": "No longer needed"}))

    @rule()
    def the_deadline_passes(self) -> None:
        self.run(
            CallOff.update({CallOff.deadline: datetime.now(UTC) - timedelta(seconds=1)}).where(
                CallOff.id == self.call_off_id
            )
        )
        self.steps.append("the deadline passes")

    @rule()
    def the_deadline_passes_and_the_close_runs(self) -> None:
        # The scheduler's usual sequence, as one step too, so that most sequences get past it.
        self.the_deadline_passes()
        self.close()

    @rule()
    def close(self) -> None:
        outcome = self.run(close_call_off(self.call_off_id))
        self.steps.append(f"close -> {outcome}")

    @rule(actor=st.sampled_from(OFFICERS))
    def open(self, actor: str) -> None:
        self.run(self._call(actor, "POST", "/open"))

    @rule(actor=st.sampled_from(OFFICERS))
    def read_the_bids(self, actor: str) -> None:
        response = self.run(self._call(actor, "GET", "/bids", kind="bids"))
        if response.status_code == 200:
            opened = self.run(Opening.exists().where(Opening.call_off == self.call_off_id))
            assert opened, ("sealed content returned before opening", self.steps)

    @rule(actor=st.sampled_from(OFFICERS), which=st.integers(0, 3), mark=st.integers(0, 100))
    def score(self, actor: str, which: int, mark: int) -> None:
        self.run(self._score(actor, which, mark))

    @rule(which=st.integers(0, 3), mark=st.integers(40, 100))
    def the_commissioner_scores(self, which: int, mark: int) -> None:
        # Scoring by the commissioner, as often as bidding: a pilot's sequences reach the award.
        self.run(self._score("commissioner", which, mark))

    async def _score(self, actor: str, which: int, mark: int) -> None:
        if self.kind != "pilot":
            # An enablement call-off has no questions to score: always refused, never a 5xx.
            body = {"bid_id": self.call_off_id, "area_code": self.ashford, "scores": {"q1": 50}}
            response = await self._call(actor, "PUT", "/scores", body)
            assert response.status_code >= 400
            return
        evaluation = await self.client.get(
            f"/api/v1/call-offs/{self.call_off_id}/evaluation",
            headers=bearer(self.tokens["commissioner"]),
        )
        items = evaluation.json().get("items", []) if evaluation.status_code == 200 else []
        bid_id = items[which % len(items)]["bid_id"] if items else self.call_off_id
        body = {"bid_id": bid_id, "area_code": self.ashford, "scores": {"q1": mark, "q2": mark}}
        response = await self._call(actor, "PUT", "/scores", body)
        if response.status_code == 200:
            assert actor == "commissioner" and items, ("scored by whom?", self.steps)

    @rule(actor=st.sampled_from(("commissioner", *OFFICERS)))
    def award(self, actor: str) -> None:
        self.run(self._call(actor, "POST", "/award", {}))

    @rule()
    def the_commissioner_scores_every_bid_and_awards(self) -> None:
        # What a commissioner does once the bids are open, as one step, so that the sequences
        # reach the award and the standstill (each part is also a step of its own above).
        for which in range(4):
            self.run(self._score("commissioner", which, 70))
        self.award("commissioner")

    @rule()
    def the_standstill_ends(self) -> None:
        # The outbox runs first (the summaries, then the award notice, from which the standstill
        # counts), then the standstill is over and the conclusion runs.
        self.run(run_due_in_process())
        self.run(
            Award.update(
                {Award.standstill_ends_at: datetime.now(UTC) - timedelta(seconds=1)}, force=True
            ).where(Award.call_off == self.call_off_id)
        )
        concluded = self.run(conclude_due_awards())
        self.steps.append(f"the standstill ends -> {concluded} concluded")

    # --- after every step --------------------------------------------------------------------

    @invariant()
    def only_allowed_moves(self) -> None:
        """Every move (each audited with its from and to, several in one step when the close
        opens and evaluates) is one MOVES allows, and they chain to the status now."""
        if not hasattr(self, "call_off_id"):
            return
        rows = self.run(
            AuditEvent.select(AuditEvent.details)
            .where(AuditEvent.entity_id == self.call_off_id)
            .order_by(AuditEvent.id)
        )
        moves = [json.loads(row["details"]) for row in rows]
        moves = [(m["from_status"], m["to_status"]) for m in moves if "to_status" in m]
        status = CallOffStatus.DRAFT
        for before, after in moves:
            assert before == status, ("a move from a status it was not in", moves, self.steps)
            assert CallOffStatus(after) in MOVES[status], (f"{before} -> {after}", self.steps)
            status = CallOffStatus(after)
            FIGURES.machine.statuses.add(str(status))
        now = self.run(CallOff.select(CallOff.status).where(CallOff.id == self.call_off_id))
        assert now[0]["status"] == status, ("a move that was not audited", moves, self.steps)

    @invariant()
    def accepted_rates_are_below_refused_ones(self) -> None:
        """The maximum and the envelope are upper bounds fixed at publication: a rate refused
        for its content is above every rate accepted, whenever and by whoever submitted."""
        if self.accepted_rates and self.refused_rates:
            assert max(self.accepted_rates) < min(self.refused_rates), (
                sorted(self.accepted_rates),
                sorted(self.refused_rates),
                self.steps,
            )

    @invariant()
    def no_sealed_rate_or_package_reference_in_any_release(self) -> None:
        """No release holds a package's reference or postcode; those before the award is made
        public (publication, extension, documents, cancellation) hold only public money."""
        if not hasattr(self, "call_off_id"):
            return
        rows = self.run(
            OcdsRelease.select(OcdsRelease.body, OcdsRelease.notice).where(
                OcdsRelease.call_off == self.call_off_id
            )
        )
        for row in rows:
            body = row["body"]
            for text in self.never_published:
                assert text not in body, (text, self.steps)
            if row["notice"] in AWARD_NOTICES:
                continue
            money = {round(Decimal(str(a)) * 100) for a in amounts(json.loads(body))}
            money |= {
                int(Decimal(p.replace(",", "")) * 100) for p in re.findall(r"£([\d,]+\.\d\d)", body)
            }
            assert money <= self.public_money, (money - self.public_money, self.steps)

    @invariant()
    def one_live_bid_per_provider(self) -> None:
        if not hasattr(self, "call_off_id"):
            return
        rows = self.run(
            Bid.select(Bid.provider).where(
                (Bid.call_off == self.call_off_id) & Bid.withdrawn_at.is_null()
            )
        )
        providers = [row["provider"] for row in rows]
        assert len(providers) == len(set(providers)), ("two live bids", self.steps)


def amounts(value: Any) -> list[Any]:
    """Every `amount` in a release, however deep."""
    if isinstance(value, dict):
        found = [value["amount"]] if "amount" in value else []
        return found + [a for v in value.values() for a in amounts(v)]
    if isinstance(value, list):
        return [a for v in value for a in amounts(v)]
    return []


def test_a_call_off_survives_random_sequences_of_actions(db: str) -> None:
    run_state_machine_as_test(
        CallOffMachine,
        settings=hypothesis.settings(
            max_examples=10,
            stateful_step_count=25,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck),
        ),
    )
