"""The postcode directory's pure rules: UK postcode format and ONS RUC2011 codes to rurality."""

from __future__ import annotations

import pytest

from marketplace.reference.postcodes.rules import (
    RUC2011_TO_RURALITY,
    RURALITY_CATEGORIES,
    NotAPostcode,
    PostcodeEntry,
    SkippedRow,
    normalise_postcode,
    read_directory_row,
)


@pytest.mark.parametrize(
    ("text", "postcode"),
    [
        ("CT1 1AA", "CT1 1AA"),
        ("ct11aa", "CT1 1AA"),
        ("  me14  1xq ", "ME14 1XQ"),
        ("SW1A1AA", "SW1A 1AA"),
        ("W1A 0AX", "W1A 0AX"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_a_uk_postcode_is_normalised_to_upper_case_with_one_space(text: str, postcode: str) -> None:
    assert normalise_postcode(text) == postcode


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "CT1",
        "1AA",
        "CT1 1A",
        "CT1 1AAA",
        "CTT1 1AA",
        "C1 AAA",
        "GIR 1AA",
        "CT1-1AA",
        "12345",
    ],
)
def test_anything_else_is_not_a_postcode(text: str) -> None:
    with pytest.raises(NotAPostcode, match="is not a UK postcode"):
        normalise_postcode(text)


@pytest.mark.parametrize(
    ("code", "rurality"),
    [
        ("A1", "urban_major_conurbation"),
        ("B1", "urban_major_conurbation"),
        ("C1", "urban_city_and_town"),
        ("C2", "urban_city_and_town"),
        ("D1", "rural_town_and_fringe"),
        ("D2", "rural_town_and_fringe"),
        ("E1", "rural_village_and_dispersed"),
        ("E2", "rural_village_and_dispersed"),
        ("F1", "rural_village_and_dispersed"),
        ("F2", "rural_village_and_dispersed"),
    ],
)
def test_every_ruc2011_code_maps_to_its_rurality(code: str, rurality: str) -> None:
    assert read_directory_row("ct1 1aa", "51.280233", "1.078909", code) == PostcodeEntry(
        "CT1 1AA", rurality, 51.280233, 1.078909
    )


def test_the_ten_ruc2011_codes_cover_exactly_the_four_categories() -> None:
    assert set(RUC2011_TO_RURALITY) == {"A1", "B1", "C1", "C2", "D1", "D2", "E1", "E2", "F1", "F2"}
    assert set(RUC2011_TO_RURALITY.values()) == set(RURALITY_CATEGORIES)


def test_a_lower_case_code_with_spaces_is_still_read() -> None:
    entry = read_directory_row("TN27 0AA", "51.17", "0.70", " e2 ")
    assert isinstance(entry, PostcodeEntry)
    assert entry.rurality == "rural_village_and_dispersed"


@pytest.mark.parametrize("code", ["1", "3", "6", "7", "", "Z9", "G1", "A"])
def test_scottish_numeric_and_other_codes_are_an_unknown_code(code: str) -> None:
    assert read_directory_row("EH1 1AA", "55.95", "-3.19", code) == SkippedRow("unknown code")


@pytest.mark.parametrize(
    ("lat", "long"),
    [
        ("99.999999", "0.000000"),
        ("", ""),
        ("", "1.07"),
        ("51.28", ""),
        ("north", "east"),
        ("91", "0"),
        ("51", "181"),
    ],
)
def test_a_row_without_usable_coordinates_has_no_coordinates(lat: str, long: str) -> None:
    assert read_directory_row("CT1 1AA", lat, long, "C1") == SkippedRow("no coordinates")


def test_a_bad_postcode_is_reported_before_anything_else() -> None:
    assert read_directory_row("not a postcode", "", "", "Z9") == SkippedRow("bad postcode")


def test_an_unknown_code_is_reported_before_missing_coordinates() -> None:
    assert read_directory_row("KY16 9AA", "99.999999", "0.000000", "3") == SkippedRow(
        "unknown code"
    )
