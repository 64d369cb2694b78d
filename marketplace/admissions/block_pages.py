"""The blocks page: a commissioner's staff block a provider from their call-offs with a reason,
and lift a block (with an optional reason); both audited by the use cases."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from marketplace.accounts.queries import organisations_of_kind
from marketplace.admissions import blocks, schemas
from marketplace.errors import DomainError, FieldError, NotFound
from marketplace.pagination import MAX_LIMIT
from marketplace.principal import Principal
from marketplace.web.forms import FormBody, FormReader, Labels, error_summary, form_errors
from marketplace.web.security import SignedIn, role_in

LABELS = Labels({"provider_id": "The provider", "reason": "The reason"})


async def _blocks_page(
    principal: Principal,
    errors: list[FieldError] | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
    done: str | None = None,
) -> Template:
    field_errors, error_list = error_summary(errors or [], label=LABELS)
    page = await blocks.list_blocks(principal, MAX_LIMIT, None)
    return Template(
        "admissions/blocks.html",
        context={
            "blocks": page.items,
            "more": page.next_cursor is not None,
            "providers": await organisations_of_kind("provider"),
            "form": form or {},
            "done": done,
            "field_errors": field_errors,
            "errors": error_list,
        },
        status_code=status,
    )


def _block_body(read: FormReader) -> schemas.BlockCreate:
    """The block form: the provider and the reason (both needed, named at once)."""
    chosen = read.text("provider_id")
    reason = read.text("reason")
    provider_id = None
    try:
        provider_id = UUID(chosen)
    except ValueError:
        read.refuse("provider_id", "Choose the provider to block")
    if not reason:
        read.refuse("reason", "Give the reason for the block")
    elif len(reason) > 2000:
        read.refuse("reason", "The reason must be 2,000 characters or fewer")
    read.check("The block is not complete")
    assert provider_id is not None
    return schemas.BlockCreate(provider_id=provider_id, reason=reason)


class BlockPages(Controller):
    path = "/blocks"
    guards = [role_in("commissioner", "opener")]
    include_in_schema = False

    @get("/")
    async def index(self, principal: SignedIn, done: FromQuery[str | None] = None) -> Template:
        return await _blocks_page(principal, done=done if done in ("blocked", "lifted") else None)

    @post("/")
    async def create(self, principal: SignedIn, data: FormBody) -> Template | Redirect:
        read = FormReader(data)
        form = {"provider_id": read.text("provider_id"), "reason": read.text("reason")}
        try:
            await blocks.block(principal, _block_body(read))
        except DomainError as exc:
            errors = form_errors(exc, otherwise="provider_id")
            return await _blocks_page(principal, errors, exc.status_code, form)
        return Redirect(path="/blocks?done=blocked", status_code=303)

    @post("/{block_id:uuid}/lift")
    async def lift(
        self, principal: SignedIn, block_id: FromPath[UUID], data: FormBody
    ) -> Template | Redirect:
        read = FormReader(data)
        reason = read.text("reason")
        try:
            if len(reason) > 2000:
                read.refuse(f"lift-{block_id}", "The reason must be 2,000 characters or fewer")
                read.check()
            await blocks.unblock(principal, block_id, reason or None)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            errors = form_errors(exc, otherwise=f"lift-{block_id}")
            return await _blocks_page(principal, errors, exc.status_code)
        return Redirect(path="/blocks?done=lifted", status_code=303)
