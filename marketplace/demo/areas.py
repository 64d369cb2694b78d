"""The demo's areas: Kent's cluster groups (with their weekly hours) and Dorset's five localities,
each with a few real postcode districts and towns around which demo postcodes are invented.

The towns' coordinates are approximate and their rurality is a plausible reading of the ONS
Rural-Urban Classification, good enough for a demo and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

CONURBATION = "urban_major_conurbation"
TOWN = "urban_city_and_town"
FRINGE = "rural_town_and_fringe"
VILLAGE = "rural_village_and_dispersed"


@dataclass(frozen=True)
class Place:
    """A postcode district (outward code) and the town or village the demo places people in."""

    outward: str
    town: str
    rurality: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class DemoArea:
    code: str
    name: str
    weekly_hours: Decimal | None
    places: tuple[Place, ...]


def _area(
    code: str, name: str, hours: str | None, *places: tuple[str, str, str, float, float]
) -> DemoArea:
    return DemoArea(code, name, Decimal(hours) if hours else None, tuple(Place(*p) for p in places))


# Kent's cluster groups and their weekly hours of care, as the issue gives them.
KENT_AREAS: tuple[DemoArea, ...] = (
    _area("KENT-ASHFORD", "Ashford", "5253.25",
          ("TN23", "Ashford", TOWN, 51.139, 0.866), ("TN24", "Kennington", TOWN, 51.163, 0.893),
          ("TN30", "Tenterden", FRINGE, 51.069, 0.688), ("TN25", "Wye", VILLAGE, 51.184, 0.938),
          ("TN26", "Hamstreet", VILLAGE, 51.064, 0.857)),
    _area("KENT-THANET-COASTAL", "Thanet & Coastal", "5578.59",
          ("CT9", "Margate", TOWN, 51.386, 1.383), ("CT11", "Ramsgate", TOWN, 51.336, 1.413),
          ("CT10", "Broadstairs", TOWN, 51.359, 1.432), ("CT12", "Minster", FRINGE, 51.331, 1.316),
          ("CT7", "St Nicholas at Wade", VILLAGE, 51.353, 1.253)),
    _area("KENT-SHEPPEY", "Sheppey", "2697.25",
          ("ME12", "Sheerness", TOWN, 51.441, 0.763), ("ME12", "Minster-on-Sea", TOWN, 51.423, 0.806),
          ("ME12", "Leysdown-on-Sea", FRINGE, 51.397, 0.921),
          ("ME12", "Eastchurch", VILLAGE, 51.409, 0.858)),
    _area("KENT-SWALE-CANTERBURY", "Swale & Canterbury", "3789.00",
          ("ME10", "Sittingbourne", TOWN, 51.340, 0.733), ("ME13", "Faversham", TOWN, 51.315, 0.891),
          ("ME9", "Teynham", FRINGE, 51.333, 0.808), ("ME9", "Bredgar", VILLAGE, 51.311, 0.700),
          ("ME13", "Boughton under Blean", VILLAGE, 51.297, 0.953)),
    _area("KENT-CANTERBURY-COASTAL", "Canterbury & Coastal", "5423.99",
          ("CT1", "Canterbury", TOWN, 51.279, 1.080), ("CT5", "Whitstable", TOWN, 51.360, 1.025),
          ("CT6", "Herne Bay", TOWN, 51.371, 1.128), ("CT6", "Herne", FRINGE, 51.349, 1.133),
          ("CT5", "Yorkletts", VILLAGE, 51.337, 0.985)),
    _area("KENT-CANTERBURY-RURAL", "Canterbury and Rural", "2172.30",
          ("CT2", "Hales Place", TOWN, 51.293, 1.076), ("CT2", "Sturry", FRINGE, 51.300, 1.123),
          ("CT4", "Chartham", FRINGE, 51.256, 1.018), ("CT4", "Bridge", VILLAGE, 51.245, 1.125),
          ("CT3", "Littlebourne", VILLAGE, 51.275, 1.167)),
    _area("KENT-SOUTH-KENT-COASTAL", "South Kent Coastal", "6189.96",
          ("CT20", "Folkestone", TOWN, 51.081, 1.166), ("CT21", "Hythe", TOWN, 51.072, 1.084),
          ("TN28", "New Romney", FRINGE, 50.985, 0.941), ("TN29", "Lydd", FRINGE, 50.951, 0.907),
          ("TN29", "Brookland", VILLAGE, 50.999, 0.830)),
    _area("KENT-CANTERBURY-SOUTH-KENT-COAST", "Canterbury & South Kent Coast", "7912.80",
          ("CT17", "Dover", TOWN, 51.128, 1.308), ("CT14", "Deal", TOWN, 51.223, 1.401),
          ("CT13", "Sandwich", FRINGE, 51.272, 1.340), ("CT18", "Hawkinge", FRINGE, 51.113, 1.165),
          ("CT15", "Eastry", VILLAGE, 51.246, 1.309), ("CT4", "Barham", VILLAGE, 51.206, 1.157)),
    _area("KENT-DGS-EAST", "DGS East", "6655.86",
          ("DA11", "Gravesend", TOWN, 51.441, 0.368), ("DA12", "Riverview Park", TOWN, 51.425, 0.393),
          ("DA13", "Istead Rise", FRINGE, 51.403, 0.363), ("DA13", "Meopham", VILLAGE, 51.372, 0.357),
          ("ME3", "Higham", VILLAGE, 51.413, 0.463)),
    _area("KENT-DGS-WEST", "DGS West", "4593.75",
          ("DA1", "Dartford", CONURBATION, 51.446, 0.218),
          ("DA2", "Wilmington", CONURBATION, 51.432, 0.197),
          ("BR8", "Swanley", CONURBATION, 51.397, 0.173),
          ("DA9", "Greenhithe", CONURBATION, 51.451, 0.283),
          ("DA3", "Longfield", FRINGE, 51.396, 0.302), ("DA4", "Horton Kirby", VILLAGE, 51.393, 0.244)),
    _area("KENT-MAIDSTONE-WEST", "Maidstone West", "9366.70",
          ("ME16", "Barming", TOWN, 51.268, 0.485), ("ME15", "Shepway", TOWN, 51.255, 0.540),
          ("ME20", "Larkfield", TOWN, 51.303, 0.447), ("ME19", "West Malling", FRINGE, 51.294, 0.408),
          ("ME17", "Coxheath", FRINGE, 51.233, 0.500), ("ME18", "Wateringbury", VILLAGE, 51.252, 0.421)),
    _area("KENT-WEST-KENT-RURAL-EAST", "West Kent Rural East", "586.25",
          ("TN12", "Paddock Wood", FRINGE, 51.181, 0.390), ("TN17", "Cranbrook", FRINGE, 51.097, 0.535),
          ("TN18", "Hawkhurst", FRINGE, 51.047, 0.508), ("TN12", "Marden", VILLAGE, 51.176, 0.493),
          ("TN17", "Goudhurst", VILLAGE, 51.113, 0.460)),
    _area("KENT-WEST-KENT-RURAL-WEST", "West Kent Rural West", "1301.50",
          ("TN8", "Edenbridge", FRINGE, 51.197, 0.064), ("TN16", "Westerham", FRINGE, 51.266, 0.074),
          ("TN15", "Kemsing", FRINGE, 51.302, 0.233), ("TN14", "Otford", VILLAGE, 51.313, 0.188),
          ("TN15", "West Kingsdown", VILLAGE, 51.345, 0.262)),
    _area("KENT-WEST-KENT3", "West Kent3", "2239.40",
          ("TN1", "Royal Tunbridge Wells", TOWN, 51.132, 0.263),
          ("TN4", "Southborough", TOWN, 51.158, 0.255), ("TN2", "Pembury", FRINGE, 51.145, 0.322),
          ("TN3", "Langton Green", VILLAGE, 51.130, 0.207)),
    _area("KENT-WEST-KENT4", "West Kent4", "3964.75",
          ("TN9", "Tonbridge", TOWN, 51.195, 0.274), ("TN10", "Higham Wood", TOWN, 51.209, 0.286),
          ("TN11", "Hildenborough", FRINGE, 51.214, 0.240), ("TN11", "Leigh", VILLAGE, 51.196, 0.215),
          ("TN11", "Hadlow", VILLAGE, 51.224, 0.339)),
    _area("KENT-WEST-KENT10", "West Kent10", "2453.89",
          ("TN13", "Sevenoaks", TOWN, 51.272, 0.190), ("TN14", "Dunton Green", FRINGE, 51.296, 0.178),
          ("TN15", "Borough Green", FRINGE, 51.290, 0.307), ("TN14", "Shoreham", VILLAGE, 51.333, 0.178)),
    _area("KENT-WEST-KENT2", "West Kent2", "677.70",
          ("ME6", "Snodland", TOWN, 51.330, 0.445), ("ME19", "Kings Hill", TOWN, 51.274, 0.403),
          ("ME19", "Offham", VILLAGE, 51.289, 0.375), ("ME19", "Birling", VILLAGE, 51.317, 0.410)),
    _area("KENT-WEST-KENT1", "West Kent1", "1792.25",
          ("ME14", "Penenden Heath", TOWN, 51.285, 0.535), ("ME14", "Bearsted", TOWN, 51.276, 0.577),
          ("ME17", "Lenham", FRINGE, 51.237, 0.719), ("TN27", "Headcorn", FRINGE, 51.171, 0.627),
          ("ME17", "Sutton Valence", VILLAGE, 51.213, 0.594)),
    _area("KENT-WEST-KENT8", "West Kent8", "3778.50",
          ("TN2", "Sherwood", TOWN, 51.142, 0.290), ("TN4", "Rusthall", TOWN, 51.133, 0.234),
          ("TN12", "Horsmonden", VILLAGE, 51.138, 0.432), ("TN12", "Brenchley", VILLAGE, 51.150, 0.398),
          ("TN3", "Lamberhurst", VILLAGE, 51.100, 0.391), ("TN3", "Speldhurst", VILLAGE, 51.153, 0.220)),
)  # fmt: skip

# Dorset's five localities (NHS Dorset's integrated care localities, simplified for the demo).
DORSET_AREAS: tuple[DemoArea, ...] = (
    _area("DORSET-NORTH", "North Dorset", None,
          ("DT11", "Blandford Forum", TOWN, 50.856, -2.163), ("SP8", "Gillingham", TOWN, 51.038, -2.277),
          ("SP7", "Shaftesbury", FRINGE, 51.006, -2.198),
          ("DT10", "Sturminster Newton", FRINGE, 50.925, -2.305),
          ("DT10", "Marnhull", VILLAGE, 50.965, -2.310)),
    _area("DORSET-MID", "Mid Dorset", None,
          ("DT1", "Dorchester", TOWN, 50.715, -2.437), ("DT9", "Sherborne", FRINGE, 50.947, -2.517),
          ("DT2", "Crossways", FRINGE, 50.695, -2.310), ("DT2", "Puddletown", VILLAGE, 50.748, -2.345),
          ("DT2", "Maiden Newton", VILLAGE, 50.777, -2.570)),
    _area("DORSET-WEYMOUTH-PORTLAND", "Weymouth & Portland", None,
          ("DT4", "Weymouth", TOWN, 50.614, -2.457), ("DT3", "Preston", TOWN, 50.641, -2.415),
          ("DT5", "Portland", TOWN, 50.548, -2.441), ("DT3", "Chickerell", FRINGE, 50.624, -2.500),
          ("DT3", "Portesham", VILLAGE, 50.668, -2.565)),
    _area("DORSET-PURBECK", "Purbeck", None,
          ("BH19", "Swanage", TOWN, 50.608, -1.960), ("BH20", "Wareham", FRINGE, 50.686, -2.110),
          ("BH20", "Wool", VILLAGE, 50.680, -2.218), ("BH20", "Corfe Castle", VILLAGE, 50.639, -2.057)),
    _area("DORSET-EAST", "East Dorset", None,
          ("BH22", "Ferndown", TOWN, 50.807, -1.899), ("BH31", "Verwood", TOWN, 50.881, -1.877),
          ("BH21", "Wimborne Minster", TOWN, 50.800, -1.988),
          ("BH24", "St Leonards", FRINGE, 50.830, -1.840),
          ("BH21", "Sturminster Marshall", VILLAGE, 50.790, -2.070)),
)  # fmt: skip
