"""Who is making a request, as every domain's guards and services see it."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import msgspec

from marketplace.errors import NotSignedIn

Role = Literal["admin", "commissioner", "opener", "provider", "guest"]
# A guest supplier (docs/design.md 3.5): outside the framework, registered by a commissioner,
# bidding on one call-off with a guest pass; it has no users.
OrganisationKind = Literal["commissioner", "provider", "guest"]

COMMISSIONER_ROLES: frozenset[str] = frozenset({"commissioner", "opener"})
ROLES_BY_ORGANISATION_KIND: dict[str, frozenset[str]] = {
    "commissioner": COMMISSIONER_ROLES,
    "provider": frozenset({"provider"}),
    "guest": frozenset(),
}


class Principal(msgspec.Struct, frozen=True):
    """A signed-in user, or a guest supplier holding a guest pass (no user: `user_id` None,
    `email` its contact email, `role` "guest"), which only its call-off's guest pages accept."""

    user_id: UUID | None
    email: str
    role: str
    organisation_id: UUID | None
    organisation_kind: str | None
    organisation_name: str | None
    via: Literal["session", "token", "guest_pass"]
    # This session passed the second factor, or this token was created with it.
    second_factor: bool = False

    @property
    def signed_in_user(self) -> UUID:
        """The user's id: every route but a guest pass's has one (a guest is refused here)."""
        if self.user_id is None:
            raise NotSignedIn("Sign in to continue")
        return self.user_id

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

    @property
    def is_guest(self) -> bool:
        return self.role == "guest"

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

    def bidder_organisation(self, refusal: Exception) -> UUID:
        """The provider this user works for, or the guest supplier holding a guest pass (the bid
        use cases accept both); `refusal` is raised for anyone else."""
        if not (self.is_provider or self.is_guest) or self.organisation_id is None:
            raise refusal
        return self.organisation_id
