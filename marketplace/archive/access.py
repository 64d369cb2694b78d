"""Who may read an archived document (pure; see README.md in this folder).

- public: any signed-in user.
- commissioner_only: users of the owning organisation and platform admins; when a provider (or
  the platform) owns it, also commissioner staff, who already see every provider's record. A
  commissioner's document is never shown to another commissioner or to any provider.
- sealed: nobody, until opening (a later issue). The owning organisation and admins are told it
  is sealed (403); anyone else is told it does not exist (404). The owner may read its metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from marketplace.principal import Principal

Confidentiality = Literal["public", "commissioner_only", "sealed"]
CONFIDENTIALITY_LEVELS: tuple[str, ...] = ("public", "commissioner_only", "sealed")
Decision = Literal["allow", "sealed", "hidden"]


@dataclass(frozen=True)
class Holding:
    """What the access rules need to know about a document."""

    confidentiality: str
    owner_organisation_id: UUID | None
    owner_kind: str | None


def _owns(reader: Principal, holding: Holding) -> bool:
    return (
        holding.owner_organisation_id is not None
        and reader.organisation_id == holding.owner_organisation_id
    )


def content_decision(reader: Principal, holding: Holding) -> Decision:
    """Whether `reader` may have the document's bytes."""
    if holding.confidentiality == "sealed":
        return "sealed" if reader.is_admin or _owns(reader, holding) else "hidden"
    if holding.confidentiality == "public":
        return "allow"
    if reader.is_admin or _owns(reader, holding):
        return "allow"
    commissioners_may_see = holding.owner_kind != "commissioner"
    if reader.is_commissioner and commissioners_may_see:
        return "allow"
    return "hidden"


def metadata_decision(reader: Principal, holding: Holding) -> Decision:
    """Whether `reader` may see the document's name, size and digest."""
    if holding.confidentiality == "sealed" and _owns(reader, holding):
        return "allow"
    return content_decision(reader, holding)
