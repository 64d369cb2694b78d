"""How audit events read to people: each action and entity in words, and an event's details as
labelled lines instead of JSON. Ids of organisations are shown by name when the page knows them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import suppress
from datetime import datetime
from typing import Any
from uuid import UUID

ACTION_WORDS = {
    "add_package": "Package added to the waiting list",
    "apply_for_admission": "Applied to join a lot",
    "approve_opening": "Approved the opening of the bids",
    "attach_admission_evidence": "Evidence added to an application",
    "attach_document": "Document attached to a call-off",
    "attach_quality_report": "Visit report archived",
    "attach_to_bid": "Document attached to a bid",
    "bar_from_enablement": "Provider barred from enablement requests",
    "begin_care": "Care began after the award",
    "block_provider": "Provider blocked",
    "cancel_call_off": "Call-off cancelled",
    "change_deadline": "Deadline changed",
    "change_quality_weights": "Quality ranking weights changed",
    "create_admin": "Platform admin created",
    "create_area": "Area created",
    "create_call_off": "Call-off drafted",
    "create_lot": "Lot created",
    "create_organisation": "Organisation created",
    "create_user": "User added",
    "deactivate_user": "User deactivated",
    "reactivate_user": "User reactivated",
    "regenerate_recovery_codes": "New recovery codes made",
    "reset_two_factor": "Two-factor sign-in reset by a platform admin",
    "second_factor_asked": "Session asked for the second factor",
    "decide_admission": "Application decided",
    "decline_call_off": "Call-off declined by an invited provider",
    "document_integrity_failed": "A stored document failed its integrity check",
    "evaluate_call_off": "Bids evaluated",
    "import_postcodes": "Postcode directory imported",
    "issue_api_token": "API token issued",
    "lift_enablement_bar": "Enablement bar lifted",
    "open_bids": "Bids opened",
    "place_off_framework": "Package placed off the framework",
    "publish_call_off": "Call-off published",
    "put_lot_rules": "Lot rules changed",
    "put_postcode": "Postcode recorded",
    "put_pricing": "Pricing set",
    "record_quality": "Quality record added",
    "record_ranking_review": "Ranking review recorded",
    "refused_bid_content": "Bid refused for its content",
    "refused_read": "Refused read of a document",
    "refused_read_sealed": "Refused read of a sealed document",
    "refused_read_sealed_attachment": "Refused read of a sealed bid attachment",
    "refused_read_sealed_bids": "Refused read of sealed bids",
    "remove_attachment": "Attachment removed from a bid",
    "replace_bid": "Bid replaced",
    "reseal_two_factor_secrets": "Two-factor secrets re-sealed under a new key-encryption key",
    "rewrap_data_keys": "Call-off data keys re-wrapped under a new key-encryption key",
    "rotate_kek": "Key-encryption key rotation completed",
    "return_handed_back_package": "Handed-back package returned to the waiting list",
    "score_pilot_bid": "Pilot offer scored",
    "set_contingency_settings": "Contingency time scales set",
    "set_framework_share_target": "Framework share target set",
    "set_password": "Password set",
    "sign_in": "Signed in",
    "sign_in_refused": "Sign-in refused",
    "sign_out": "Signed out",
    "store_document": "Document archived",
    "submit_bid": "Bid submitted",
    "unblock_provider": "Block lifted",
    "update_organisation": "Organisation changed",
    "withdraw_bid": "Bid withdrawn",
    "withdraw_quality_record": "Quality record withdrawn",
}
ENTITY_WORDS = {
    "admission": "Application",
    "api_token": "API token",
    "area": "Area",
    "awarded_care": "Care",
    "bid": "Bid",
    "call_off": "Call-off",
    "call_off_key": "Call-off data keys",
    "document": "Document",
    "enablement_bar": "Enablement bar",
    "key_encryption_key": "Key-encryption key",
    "lot": "Lot",
    "organisation": "Organisation",
    "package": "Package",
    "postcode": "Postcode",
    "postcode_directory": "Postcode directory",
    "pricing": "Pricing",
    "provider_block": "Block",
    "quality_record": "Quality record",
    "quality_weights": "Quality ranking weights",
    "ranking_review": "Ranking review",
    "user": "User",
}
_CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


def words_for_code(code: str) -> str:
    """'submit_bid' -> 'Submit bid': a code no table names yet still reads as words."""
    return (code[:1].upper() + code[1:]).replace("_", " ")


def action_words(action: str) -> str:
    return ACTION_WORDS.get(action) or words_for_code(action)


def entity_words(entity: str) -> str:
    return ENTITY_WORDS.get(entity) or words_for_code(entity)


def _label(key: str) -> str:
    return words_for_code(key.removesuffix("_id").removesuffix("_ids"))


def _value(value: Any, names: Mapping[str, str]) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_value(item, names) for item in value) or "none"
    if isinstance(value, dict):
        if set(value) == {"old", "new"}:
            return f"from {_value(value['old'], names)} to {_value(value['new'], names)}"
        return "; ".join(f"{_label(k)}: {_value(v, names)}" for k, v in value.items())
    text = str(value)
    if text in names:
        return names[text]
    if _CODE.match(text):
        return text.replace("_", " ")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment.strftime("%-d %B %Y %H:%M UTC") if moment.tzinfo else text


def detail_lines(details: Mapping[str, Any], names: Mapping[str, str]) -> list[tuple[str, str]]:
    """Each detail as (label, words), in the order recorded: ids by name where known."""
    return [(_label(key), _value(value, names)) for key, value in details.items()]


def ids_in(details: Any) -> set[UUID]:
    """Every UUID written in the details (to look up the names of those that are
    organisations)."""
    found: set[UUID] = set()
    if isinstance(details, dict):
        for value in details.values():
            found |= ids_in(value)
    elif isinstance(details, list):
        for value in details:
            found |= ids_in(value)
    elif isinstance(details, str) and len(details) == 36:
        with suppress(ValueError):
            found.add(UUID(details))
    return found
