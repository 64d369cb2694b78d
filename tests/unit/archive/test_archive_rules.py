"""The archive's pure rules: who may read what, download names, and signed links."""

from __future__ import annotations

import uuid

import pytest

from marketplace.archive.access import Holding, content_decision, metadata_decision
from marketplace.archive.filenames import content_disposition, sanitise_filename
from marketplace.archive.links import link_is_valid, signed_content_path
from marketplace.principal import Principal

PROVIDER_ORG, OTHER_PROVIDER_ORG = uuid.uuid4(), uuid.uuid4()
COUNCIL, OTHER_COUNCIL = uuid.uuid4(), uuid.uuid4()


def person(role: str, organisation_id: uuid.UUID | None, kind: str | None) -> Principal:
    return Principal(uuid.uuid4(), "x@example.org", role, organisation_id, kind, "Org", "token")


ADMIN = person("admin", None, None)
PROVIDER = person("provider", PROVIDER_ORG, "provider")
OTHER_PROVIDER = person("provider", OTHER_PROVIDER_ORG, "provider")
COMMISSIONER = person("commissioner", COUNCIL, "commissioner")
OTHER_COMMISSIONER = person("opener", OTHER_COUNCIL, "commissioner")


@pytest.mark.parametrize(
    ("holding", "reader", "decision"),
    [
        (Holding("public", PROVIDER_ORG, "provider"), OTHER_PROVIDER, "allow"),
        (Holding("commissioner_only", PROVIDER_ORG, "provider"), PROVIDER, "allow"),
        (Holding("commissioner_only", PROVIDER_ORG, "provider"), COMMISSIONER, "allow"),
        (Holding("commissioner_only", PROVIDER_ORG, "provider"), ADMIN, "allow"),
        (Holding("commissioner_only", PROVIDER_ORG, "provider"), OTHER_PROVIDER, "hidden"),
        (Holding("commissioner_only", COUNCIL, "commissioner"), COMMISSIONER, "allow"),
        (Holding("commissioner_only", COUNCIL, "commissioner"), OTHER_COMMISSIONER, "hidden"),
        (Holding("commissioner_only", COUNCIL, "commissioner"), PROVIDER, "hidden"),
        (Holding("commissioner_only", None, None), COMMISSIONER, "allow"),
        (Holding("commissioner_only", None, None), PROVIDER, "hidden"),
        (Holding("sealed", PROVIDER_ORG, "provider"), PROVIDER, "sealed"),
        (Holding("sealed", PROVIDER_ORG, "provider"), ADMIN, "sealed"),
        (Holding("sealed", PROVIDER_ORG, "provider"), COMMISSIONER, "hidden"),
        (Holding("sealed", PROVIDER_ORG, "provider"), OTHER_PROVIDER, "hidden"),
    ],
)
def test_who_may_read_a_document(holding: Holding, reader: Principal, decision: str) -> None:
    assert content_decision(reader, holding) == decision


def test_a_sealed_documents_owner_may_see_its_record_but_nobody_else() -> None:
    sealed = Holding("sealed", PROVIDER_ORG, "provider")
    assert metadata_decision(PROVIDER, sealed) == "allow"
    assert metadata_decision(ADMIN, sealed) == "sealed"
    assert metadata_decision(OTHER_PROVIDER, sealed) == "hidden"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\bid.pdf", "bid.pdf"),
        ('evil"\r\nX-Header: 1.pdf', "evil___X-Header_ 1.pdf"),
        ("", "document"),
        ("...", "document"),
        ("Café prices.xlsx", "Café prices.xlsx"),
    ],
)
def test_file_names_are_sanitised_for_display(given: str, kept: str) -> None:
    assert sanitise_filename(given) == kept


def test_long_file_names_keep_their_extension() -> None:
    name = sanitise_filename("a" * 300 + ".pdf")
    assert len(name) == 200 and name.endswith(".pdf")


def test_download_header_has_an_ascii_fallback_and_the_exact_name() -> None:
    header = content_disposition("Café prices.xlsx")
    assert header == (
        "attachment; filename=\"Caf_ prices.xlsx\"; filename*=UTF-8''Caf%C3%A9%20prices.xlsx"
    )


def test_signed_links_expire_and_cannot_be_moved_to_another_document() -> None:
    key, document_id = b"k" * 32, uuid.uuid4()
    path = signed_content_path(key, document_id, now=1_000_000)
    query = dict(part.split("=") for part in path.split("?")[1].split("&"))
    expires, signature = int(query["expires"]), query["signature"]
    assert expires == 1_000_300
    assert link_is_valid(key, document_id, expires, signature, now=1_000_299)
    assert not link_is_valid(key, document_id, expires, signature, now=1_000_301)
    assert not link_is_valid(key, uuid.uuid4(), expires, signature, now=1_000_000)
    assert not link_is_valid(key, document_id, expires + 600, signature, now=1_000_000)
    assert not link_is_valid(b"other" * 8, document_id, expires, signature, now=1_000_000)
