"""The demo's organisations and reference data: two commissioners, the DPS lots, each
commissioner's pricing, and 36 invented home care agencies. Every name ends in "(demo)"."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from marketplace.demo.areas import DORSET_AREAS, KENT_AREAS, DemoArea

KENT = "Kent County Council (demo)"
DORSET = "NHS Dorset (demo)"


@dataclass(frozen=True)
class DemoCommissioner:
    name: str
    reference_prefix: str  # of its packages' pseudonymous references, e.g. DEMO-KENT-0001
    areas: tuple[DemoArea, ...]
    packages: int  # about how many packages its waiting list holds
    pricing: dict[str, tuple[int, int]]  # lot code -> (max hourly rate, envelope base rate), pence
    rurality_weights: dict[str, Decimal]


def _weights(conurbation: str, town: str, fringe: str, village: str) -> dict[str, Decimal]:
    return {
        "urban_major_conurbation": Decimal(conurbation),
        "urban_city_and_town": Decimal(town),
        "rural_town_and_fringe": Decimal(fringe),
        "rural_village_and_dispersed": Decimal(village),
    }


LOTS: dict[str, str] = {
    "CSH": "Care and Support at Home",
    "NIGHTS": "Roaming Nights",
    "COMPLEX": "Complex Care",
    "LIVEIN": "Live-in Care",
}

COMMISSIONERS: tuple[DemoCommissioner, ...] = (
    DemoCommissioner(
        name=KENT,
        reference_prefix="DEMO-KENT",
        areas=KENT_AREAS,
        packages=150,
        pricing={
            "CSH": (2400, 2000),
            "NIGHTS": (2650, 2250),
            "COMPLEX": (2950, 2500),
            "LIVEIN": (2200, 1850),
        },
        rurality_weights=_weights("1.00", "1.00", "1.05", "1.10"),
    ),
    DemoCommissioner(
        name=DORSET,
        reference_prefix="DEMO-DORSET",
        areas=DORSET_AREAS,
        packages=50,
        pricing={
            "CSH": (2450, 2100),
            "NIGHTS": (2700, 2300),
            "COMPLEX": (3000, 2550),
            "LIVEIN": (2250, 1900),
        },
        rurality_weights=_weights("1.00", "1.00", "1.05", "1.15"),
    ),
)


@dataclass(frozen=True)
class DemoProvider:
    name: str
    cqc_location_id: str
    cqc_rating: str
    enforcement_pending: bool = False


def _provider(name: str, location: str, rating: str, enforcement: bool = False) -> DemoProvider:
    return DemoProvider(f"{name} (demo)", f"1-{location}", rating, enforcement)


# Mostly good, some outstanding, a few requiring improvement (one of them with enforcement action
# pending), some new and not yet rated, and exactly one inadequate (which the gates exclude).
PROVIDERS: tuple[DemoProvider, ...] = (
    _provider("Oakleaf Home Care", "104729361", "good"),
    _provider("Medway Valley Carers", "118204577", "good"),
    _provider("Harbourside Home Support", "121930468", "outstanding"),
    _provider("Weald Community Care", "135502719", "good"),
    _provider("Stourside Care at Home", "142876630", "good"),
    _provider("Downs and Coast Homecare", "150331294", "requires_improvement"),
    _provider("Blean Woods Care", "163948205", "good"),
    _provider("Pilgrims Way Support", "171265843", "outstanding"),
    _provider("Orchard Lane Care", "186620417", "good"),
    _provider("Hop Garden Homecare", "190457738", "not_yet_rated"),
    _provider("Chalk Cliff Care Services", "203318964", "good"),
    _provider("Marshside Home Support", "219874502", "requires_improvement", enforcement=True),
    _provider("Greensand Ridge Care", "224690183", "good"),
    _provider("Kingfisher Domiciliary Care", "238015576", "good"),
    _provider("Swale Estuary Care", "241779320", "inadequate"),
    _provider("Thanet Shore Carers", "256102847", "good"),
    _provider("Romney Marsh Home Care", "263548091", "good"),
    _provider("Darent Valley Care", "277930654", "outstanding"),
    _provider("Bramley Court Home Support", "280417736", "good"),
    _provider("Lantern Care Partnership", "294863120", "not_yet_rated"),
    _provider("Willowbrook Care at Home", "301256489", "good"),
    _provider("Saxon Shore Support", "317702953", "good"),
    _provider("Heathland Home Care", "325189047", "good"),
    _provider("Purbeck Hills Care", "338640215", "outstanding"),
    _provider("Stour and Avon Homecare", "342097581", "good"),
    _provider("Jurassic Coast Care", "359411862", "good"),
    _provider("Blackmore Vale Support", "360872394", "requires_improvement"),
    _provider("Chesil Home Care", "374326508", "good"),
    _provider("Cranborne Chase Carers", "381659027", "good"),
    _provider("Portland Stone Care", "395003741", "not_yet_rated"),
    _provider("Wessex Lanes Home Support", "402418865", "good"),
    _provider("Frome Valley Care", "417835290", "outstanding"),
    _provider("Hardy Country Homecare", "423160974", "good"),
    _provider("Seaward Nights Care", "438597612", "good"),
    _provider("Evergreen Live-in Care", "441920358", "not_yet_rated"),
    _provider("Brightwater Complex Care", "456274089", "good"),
)
