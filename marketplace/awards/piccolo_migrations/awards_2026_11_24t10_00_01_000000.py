"""Every failed gate of a stored assessment gets its stable code: an assessment's `exclusions`, a
JSON list of sentences, becomes a list of {code, sentence}.

Self-contained on purpose: the sentences as the gates wrote them up to this migration (docs/design.md
section 4.5) are frozen here, so later changes to the wording cannot change what this migration
does. A sentence it does not recognise keeps its words with the code "unclassified". Backwards
keeps the sentences only.
"""

import re

import msgspec
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-11-24T10:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "an assessment's failed gates are stored with their codes"

UNCLASSIFIED = "unclassified"
GATES = (
    # The provider gates.
    ("not_admitted", r"not admitted to the lot .+ for .+"),
    ("blocked", r"blocked by this commissioner: .*"),
    ("cqc_inadequate", r"CQC rating inadequate"),
    ("enforcement_pending", r"enforcement action pending"),
    # The bid gates.
    ("altered", r"its content no longer matches its receipt"),
    ("no_rate", r"gives no hourly rate"),
    ("rate_not_positive", r"does not give a positive hourly rate"),
    ("above_max_rate", r"above the maximum price of .+/h"),
    ("outside_envelope", r"outside the rurality-weighted envelope of .+ a week"),
    ("outside_envelope", r"outside the envelope of .+ a week for .+"),
    ("enablement_budget_not_accepted", r"has not accepted the enablement budget"),
    ("no_mobilisation_date", r"gives no mobilisation date"),
    ("mobilisation_after_latest_start", r"offers to mobilise on .+, after the latest start of .+"),
    ("no_area_offered", r"offers for none of the pilot's areas"),
    ("no_offer_for_area", r"makes no offer for .+"),
    ("not_a_pilot_area", r"offers for .+, which is not an area of this pilot"),
    ("below_min_quality", r"scored .+% for quality, below the minimum of .+%"),
)
_PATTERNS = tuple((code, re.compile(pattern, re.DOTALL)) for code, pattern in GATES)


def code_of(sentence: str) -> str:
    return next((code for code, pattern in _PATTERNS if pattern.fullmatch(sentence)), UNCLASSIFIED)


def with_codes(stored: str) -> str:
    """["above the maximum price of £24.00/h"] -> [{"code": "above_max_rate", "sentence": "above
    the maximum price of £24.00/h"}]; an entry already coded is kept as it is."""
    return msgspec.json.encode(
        [
            item if isinstance(item, dict) else {"code": code_of(item), "sentence": item}
            for item in msgspec.json.decode(stored)
        ]
    ).decode()


def sentences_only(stored: str) -> str:
    return msgspec.json.encode(
        [
            item["sentence"] if isinstance(item, dict) else item
            for item in msgspec.json.decode(stored)
        ]
    ).decode()


async def _convert(change) -> None:
    engine = engine_finder()
    rows = await engine.run_querystring(QueryString("SELECT id, exclusions FROM assessment"))
    for row in rows:
        changed = change(row["exclusions"])
        if changed != row["exclusions"]:
            await engine.run_querystring(
                QueryString(
                    "UPDATE assessment SET exclusions = {} WHERE id = {}", changed, row["id"]
                )
            )


async def add_codes() -> None:
    await _convert(with_codes)


async def drop_codes() -> None:
    await _convert(sentences_only)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="awards", description=DESCRIPTION)
    manager.add_raw(add_codes)
    manager.add_raw_backwards(drop_codes)
    return manager
