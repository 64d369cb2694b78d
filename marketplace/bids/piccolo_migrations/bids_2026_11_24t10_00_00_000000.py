"""The provider gates a bidder failed at closing, stored against its bid, get their stable codes:
a JSON list of sentences becomes a list of {code, sentence}.

Self-contained on purpose: the sentences as they were written up to this migration are frozen
here, so later changes to the wording cannot change what this migration does. A sentence it does
not recognise keeps its words with the code "unclassified". Backwards keeps the sentences only.
"""

import re

import msgspec
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-11-24T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a bid's provider gate failures are stored with their codes"

UNCLASSIFIED = "unclassified"
PROVIDER_GATES = (
    ("not_admitted", re.compile(r"not admitted to the lot .+ for .+", re.DOTALL)),
    ("blocked", re.compile(r"blocked by this commissioner: .*", re.DOTALL)),
    ("cqc_inadequate", re.compile(r"CQC rating inadequate")),
    ("enforcement_pending", re.compile(r"enforcement action pending")),
)


def code_of(sentence: str) -> str:
    return next(
        (code for code, pattern in PROVIDER_GATES if pattern.fullmatch(sentence)), UNCLASSIFIED
    )


def with_codes(stored: str | None) -> str | None:
    """["CQC rating inadequate"] -> [{"code": "cqc_inadequate", "sentence": "CQC rating
    inadequate"}]; an entry already coded is kept as it is."""
    if stored is None:
        return None
    return msgspec.json.encode(
        [
            item if isinstance(item, dict) else {"code": code_of(item), "sentence": item}
            for item in msgspec.json.decode(stored)
        ]
    ).decode()


def sentences_only(stored: str | None) -> str | None:
    if stored is None:
        return None
    return msgspec.json.encode(
        [
            item["sentence"] if isinstance(item, dict) else item
            for item in msgspec.json.decode(stored)
        ]
    ).decode()


async def _convert(change) -> None:
    engine = engine_finder()
    rows = await engine.run_querystring(
        QueryString("SELECT id, gate_failures FROM bid WHERE gate_failures IS NOT NULL")
    )
    for row in rows:
        changed = change(row["gate_failures"])
        if changed != row["gate_failures"]:
            await engine.run_querystring(
                QueryString("UPDATE bid SET gate_failures = {} WHERE id = {}", changed, row["id"])
            )


async def add_codes() -> None:
    await _convert(with_codes)


async def drop_codes() -> None:
    await _convert(sentences_only)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bids", description=DESCRIPTION)
    manager.add_raw(add_codes)
    manager.add_raw_backwards(drop_codes)
    return manager
