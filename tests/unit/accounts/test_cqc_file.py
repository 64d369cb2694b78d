"""Reading the regulator's "care directory with ratings" export: columns found by name, odd rows
reported with their line and reason, never a crash."""

from __future__ import annotations

import io
from datetime import date

import pytest

from marketplace.accounts.cqc_file import (
    CqcFileError,
    OddRow,
    RegulatorRating,
    read_cqc_file,
    read_date,
    read_rating,
)

HEADER = "Location ID,Location Name,Location Latest Overall Rating,Publication Date,Provider ID\n"


def read(text: str) -> tuple[list[RegulatorRating], list[OddRow]]:
    found = read_cqc_file(io.StringIO(text, newline=""))
    return found.ratings, found.odd_rows


def test_a_well_formed_row_is_read_in_our_words() -> None:
    ratings, odd = read(HEADER + "1-104729361,Oakleaf,Requires improvement,04/10/2025,1-9\n")
    assert ratings == [RegulatorRating("1-104729361", "requires_improvement", date(2025, 10, 4), 2)]
    assert odd == []


def test_headers_are_matched_by_name_whatever_the_order_case_spacing_or_bom() -> None:
    text = (
        "\ufeffPUBLICATION  DATE, extra ,location_latest_overall_rating,  Location Id \n"
        "2025-06-03,x,Outstanding,1-123456789\n"
    )
    ratings, odd = read(text)
    assert ratings == [RegulatorRating("1-123456789", "outstanding", date(2025, 6, 3), 2)]
    assert odd == []


def test_blank_and_not_rated_read_as_not_yet_rated_without_a_date() -> None:
    ratings, odd = read(HEADER + "1-1234567,A,,,\n1-7654321,B,Not rated,,\n")
    assert [(r.rating, r.published_on) for r in ratings] == [
        ("not_yet_rated", None),
        ("not_yet_rated", None),
    ]
    assert odd == []


def test_odd_rows_are_reported_with_line_and_reason_and_the_rest_still_read() -> None:
    text = (
        HEADER
        + "not-an-id,A,Good,01/01/2025,\n"
        + "1-1111111,B,Superb,01/01/2025,\n"
        + "1-2222222,C,Good,31/02/2025,\n"
        + "1-3333333,D,Inadequate,,\n"
        + "1-4444444,E\n"
        + "\n"
        + "1-5555555,F,Good,02/02/2025,\n"
    )
    ratings, odd = read(text)
    assert [r.location_id for r in ratings] == ["1-5555555"]
    assert [(o.line, o.why) for o in odd] == [
        (2, "location id 'not-an-id' is not 1- and 6 to 12 digits"),
        (3, "rating 'Superb' is not one of CQC's"),
        (4, "publication date '31/02/2025' is not a date"),
        (5, "a rating without its publication date"),
        (6, "too few columns"),
    ]


def test_a_location_given_twice_keeps_its_last_row_and_reports_the_first() -> None:
    ratings, odd = read(
        HEADER + "1-1234567,A,Good,01/01/2024,\n1-1234567,A,Inadequate,01/01/2025,\n"
    )
    assert [(r.rating, r.line) for r in ratings] == [("inadequate", 3)]
    assert odd == [OddRow(2, "1-1234567 repeated on line 3 (that one kept)")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        (
            "Name,Rating\nA,Good\n",
            'no column "Location ID", "Location Latest Overall Rating", "Publication Date"',
        ),
        ("Location ID;Rating;Publication Date\n", "no column"),
    ],
)
def test_a_file_that_is_not_the_export_is_refused_whole(text: str, message: str) -> None:
    with pytest.raises(CqcFileError, match=message):
        read(text)


def test_ratings_and_dates_in_the_regulators_words() -> None:
    assert read_rating(" requires   IMPROVEMENT ") == "requires_improvement"
    assert read_rating("Inadequate") == "inadequate"
    assert read_rating("Awful") is None
    assert read_date("4 October 2025") == date(2025, 10, 4)
    assert read_date("2025-13-01") is None
