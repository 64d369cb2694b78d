"""The cluster form's package picker: filters, pages, and the chosen packages kept."""

from __future__ import annotations

from dataclasses import dataclass

from marketplace.tenders.call_offs.picker import PAGE_SIZE, pick


@dataclass
class Waiting:
    id: str
    area_code: str
    urgency: str = "standard"
    service_level: str = "standard"


PACKAGES = [Waiting(f"a{n:02d}", "ASHFORD") for n in range(PAGE_SIZE + 5)] + [
    Waiting("c1", "CANTERBURY", urgency="urgent", service_level="complex")
]


def test_the_first_page_shows_a_page_of_every_package() -> None:
    shown = pick(PACKAGES, {}, [])
    assert (shown.page, shown.pages, shown.matching) == (1, 2, PAGE_SIZE + 6)
    assert len(shown.shown) == PAGE_SIZE


def test_filters_narrow_the_packages() -> None:
    urgent = pick(PACKAGES, {"picker_urgency": "urgent"}, [])
    assert [p.id for p in urgent.shown] == ["c1"]
    complex_in_ashford = pick(
        PACKAGES, {"picker_area_code": "ASHFORD", "picker_service_level": "complex"}, []
    )
    assert complex_in_ashford.shown == [] and complex_in_ashford.pages == 1


def test_a_chosen_package_off_the_page_is_kept() -> None:
    second = pick(PACKAGES, {"picker_page": "2"}, ["a00", "a21"])
    assert second.page == 2
    assert second.chosen_elsewhere == ["a00"]
    assert [p.id for p in second.chosen] == ["a00", "a21"]


def test_a_page_out_of_range_or_not_a_number_is_the_nearest_page() -> None:
    assert pick(PACKAGES, {"picker_page": "99"}, []).page == 2
    assert pick(PACKAGES, {"picker_page": "two"}, []).page == 1
    assert pick(PACKAGES, {"picker_page": "0"}, []).page == 1
