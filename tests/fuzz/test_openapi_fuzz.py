"""Schemathesis over the whole OpenAPI document, in-process, signed in as each role, on the demo
marketplace (so that ids exist), with every check: no 5xx, and the answers conform to the
document (status, content type, headers, schema), schema-valid data is accepted and invalid data
refused. The figures (operations, cases, failures) are printed at the end of the run.

Exclusions (each with its reason) are listed in docs/api.md, "What the fuzzing proves".
"""

from __future__ import annotations

import re
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from marketplace.accounts.authentication import issue_api_token
from marketplace.accounts.schemas import TokenCreate
from marketplace.demo.loader import load_demo
from marketplace.demo.sign_ins import DEMO_SIGN_INS
from tests.fuzz.figures import FIGURES

# A few examples per operation, role and mode: the whole run stays within minutes.
EXAMPLES = 3
ROLES = ("admin", "commissioner", "opener", "provider")

# Schema-valid data the API refuses for a reason no schema can say: a rule of the domain or across
# fields (422, e.g. a deadline in the past, a rejection without a reason), a document's content
# (415: not an accepted type) or size (413). docs/api.md lists this.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "413", "415", "422", "429"]

# Refusals of schema-valid data that are right, or a finding left open with its reason
# (docs/api.md, exclusions):
EXCLUSIONS = (
    # A NUL character in any text is refused (PostgreSQL cannot store one; marketplace/web/nul.py);
    # the document does not repeat that on every string.
    ("*", "must not contain NUL"),
)


def _is_excluded(label: str, text: str) -> bool:
    return "ST202" in text and any(
        (operation in ("*", label)) and phrase in text for operation, phrase in EXCLUSIONS
    )


def _config(token: str) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "auth": {"openapi": {"bearerAuth": {"bearer": token}}},
            "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
        }
    )


async def _known_ids() -> dict[str, str]:
    """One existing id (or code) for each kind of path parameter, from the seeded database."""
    from marketplace.admissions.tables import Admission, Block, EnablementBar
    from marketplace.archive.tables import Document
    from marketplace.awards.tables import RankingReview
    from marketplace.bids.tables import Bid, BidAttachment
    from marketplace.care.tables import AwardedCare, HoursVariation
    from marketplace.quality.tables import QualityRecord
    from marketplace.reference.tables import Lot, Postcode
    from marketplace.tenders.tables import CallOff, Package

    columns: dict[str, Any] = {
        "admission_id": Admission.id,
        "attachment_id": BidAttachment.id,
        "bar_id": EnablementBar.id,
        "bid_id": Bid.id,
        "block_id": Block.id,
        "call_off_id": CallOff.id,
        "care_id": AwardedCare.id,
        "document_id": Document.id,
        "lot_code": Lot.code,
        "package_id": Package.id,
        "postcode": Postcode.postcode,
        "record_id": QualityRecord.id,
        "review_id": RankingReview.id,
        "variation_id": HoursVariation.id,
    }
    known: dict[str, str] = {}
    for name, column in columns.items():
        row = await column._meta.table.select(column).first()
        if row is not None:
            known[name] = str(next(iter(row.values())))
    return known


@pytest.fixture
async def seeded(db: str) -> dict[str, Any]:
    await load_demo()
    tokens = {}
    for sign_in in DEMO_SIGN_INS:
        if sign_in.role not in tokens:
            created = await issue_api_token(TokenCreate(sign_in.email, sign_in.password))
            tokens[sign_in.role] = created.token
    from marketplace.accounts.tables import Organisation

    known = await _known_ids()
    organisation = await Organisation.select(Organisation.id).first()
    known["organisation_id"] = str(organisation["id"])
    return {"tokens": tokens, "known": known, "engine": db}


def _strategy(operation: Any, known: dict[str, str]) -> st.SearchStrategy[Any]:
    names = re.findall(r"{(\w+)}", operation.path)
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    ids = {name: known[name] for name in names if name in known}
    if ids:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=ids))
    return st.one_of(strategies)


def _fuzz(operation: Any, known: dict[str, str], figures: Any) -> list[str]:
    """Run one operation's examples; each failure is kept (not shrunk) and the run goes on."""
    failures: list[str] = []

    @hypothesis.settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=_strategy(operation, known))
    def run(case: Any) -> None:
        figures.cases += 1
        try:
            response = case.call_and_validate()
            figures.statuses[response.status_code] = (
                figures.statuses.get(response.status_code, 0) + 1
            )
        except (Exception, BaseExceptionGroup) as error:  # every check's failure
            text = str(error)
            if _is_excluded(operation.label, text):
                figures.exclusions += 1
                return
            figures.failures += 1
            failures.append(f"{operation.label}: {text[:800]}")

    run()
    return failures


# On PostgreSQL only, the production engine: the run is the suite's longest, and the API's
# answers do not depend on the engine (every other API test runs on both).
@pytest.mark.parametrize("db", ["postgres"], indirect=True)
@pytest.mark.parametrize("role", ROLES)
def test_every_operation_conforms_for_each_role(seeded: dict[str, Any], role: str) -> None:
    from marketplace.app import create_app

    config = _config(seeded["tokens"][role])
    schema = schemathesis.openapi.from_asgi("/api/docs/openapi.json", create_app(), config=config)
    figures = FIGURES.run(f"schemathesis, {seeded['engine']}")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    # Signing out everywhere revokes the role's token: last, or every later case would be a 401.
    operations.sort(key=lambda operation: operation.path == "/api/v1/auth/sign-out-everywhere")
    for operation in operations:
        figures.operations += 1
        failures += _fuzz(operation, seeded["known"], figures)
    assert not failures, f"{role}: " + "\n\n".join(failures[:20])
