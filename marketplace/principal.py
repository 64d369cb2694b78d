"""Who is making a request, as every domain's guards and services see it."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import msgspec

Role = Literal["admin", "commissioner", "opener", "provider"]
OrganisationKind = Literal["commissioner", "provider"]

COMMISSIONER_ROLES: frozenset[str] = frozenset({"commissioner", "opener"})
ROLES_BY_ORGANISATION_KIND: dict[str, frozenset[str]] = {
    "commissioner": COMMISSIONER_ROLES,
    "provider": frozenset({"provider"}),
}


class Principal(msgspec.Struct, frozen=True):
    user_id: UUID
    email: str
    role: str
    organisation_id: UUID | None
    organisation_kind: str | None
    organisation_name: str | None
    via: Literal["session", "token"]
    # This session passed the second factor, or this token was created with it.
    second_factor: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_commissioner(self) -> bool:
        """Commissioner staff, including officers who may also open bids."""
        return self.role in COMMISSIONER_ROLES

    @property
    def is_provider(self) -> bool:
        return self.role == "provider"

    def commissioner_organisation(self, refusal: Exception) -> UUID:
        """The commissioner this user works for; `refusal` is raised for anyone else."""
        if not self.is_commissioner or self.organisation_id is None:
            raise refusal
        return self.organisation_id

    def provider_organisation(self, refusal: Exception) -> UUID:
        """The provider this user works for; `refusal` is raised for anyone else."""
        if not self.is_provider or self.organisation_id is None:
            raise refusal
        return self.organisation_id
