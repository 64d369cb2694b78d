"""The hash chain of the audit log, as pure functions: one event's canonical form and digest, a
seal's hash, and how an event is named in a verifier's report. Sealing and verifying both use
these, so that they cannot disagree about what was sealed."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

# The previous hash of the first seal.
GENESIS_HASH = "0" * 64
# The first element of every canonical form, so that a later change of form can be told apart.
CANONICAL_VERSION = "audit-event-v1"

# The first element of every anchor's body.
ANCHOR_VERSION = "audit-anchor-v1"

_encoder = msgspec.json.Encoder()
_ANCHOR_NAME = re.compile(r"^([0-9]{12})-([0-9a-f]{64})-([0-9a-f]{64})$")


class BrokenLink(Exception):
    """The first place where the log is not what was sealed (or anchored)."""


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def utc_iso(moment: datetime) -> str:
    """A moment as UTC ISO 8601 with microseconds (a naive moment is taken to be UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_event(event: Mapping[str, Any]) -> bytes:
    """An event row as a JSON array in a fixed field order; the details are the stored text."""
    return _encoder.encode(
        [
            CANONICAL_VERSION,
            int(event["id"]),
            utc_iso(event["occurred_at"]),
            _text(event["actor_user_id"]),
            _text(event["actor_email"]),
            _text(event["actor_organisation_id"]),
            event["action"],
            event["entity"],
            _text(event["entity_id"]),
            _text(event["organisation_id"]),
            event["details"],
        ]
    )


def event_digest(event: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of an event's canonical form."""
    return hashlib.sha256(canonical_event(event)).hexdigest()


def chain_hash(previous_hash: str, digests: Iterable[str]) -> str:
    """A seal's hash: SHA-256 of the previous seal's hash then each event digest, in id order."""
    sha = hashlib.sha256(previous_hash.encode("ascii"))
    for digest in digests:
        sha.update(digest.encode("ascii"))
    return sha.hexdigest()


def describe_event(event: Mapping[str, Any]) -> str:
    """E.g. 'event 42 (create_user on user 1234abcd… at 2026-11-23T10:42:52Z)'."""
    target = event["entity"]
    if event["entity_id"] is not None:
        entity_id = str(event["entity_id"])
        target += f" {entity_id[:8]}…" if len(entity_id) > 12 else f" {entity_id}"
    moment = event["occurred_at"]
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    when = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"event {event['id']} ({event['action']} on {target} at {when})"


@dataclass(frozen=True)
class AnchorName:
    """What an anchor's name says: which seal, the hash it follows, and its own hash."""

    seal_id: int
    previous_hash: str
    hash: str

    def __str__(self) -> str:
        return f"{self.seal_id:012d}-{self.previous_hash}-{self.hash}"

    @classmethod
    def parse(cls, name: str) -> AnchorName | None:
        """The anchor a name stands for, or None for a name that is not an anchor's."""
        match = _ANCHOR_NAME.match(name)
        if not match:
            return None
        return cls(int(match[1]), match[2], match[3])


def anchor_body(seal: Mapping[str, Any], digests: Sequence[Mapping[str, Any]]) -> bytes:
    """What an anchor holds: the seal, and each of its events' id and digest in id order (so a
    verifier can name the event that differs)."""
    return _encoder.encode(
        {
            "format": ANCHOR_VERSION,
            "seal": int(seal["id"]),
            "sealed_at": utc_iso(seal["sealed_at"]),
            "previous_hash": seal["previous_hash"],
            "hash": seal["hash"],
            "events": [[int(row["event_id"]), row["digest"]] for row in digests],
        }
    )


def anchored_digests(body: bytes) -> dict[int, str]:
    """Each event id an anchor's body names, with its digest as sealed."""
    return {int(event_id): str(digest) for event_id, digest in msgspec.json.decode(body)["events"]}
