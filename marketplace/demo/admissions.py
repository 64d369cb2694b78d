"""Which demo providers are admitted to the Care and Support at Home lot, and where: most Kent
agencies in three Kent areas each and most Dorset agencies in three Dorset localities each.
Oakleaf Home Care, the demo provider's organisation, is admitted in Ashford among others."""

from __future__ import annotations

from marketplace.demo.areas import DORSET_AREAS, KENT_AREAS
from marketplace.demo.catalogue import DORSET, KENT, PROVIDERS

ADMISSION_LOT = "CSH"
AREAS_EACH = 3
# A new agency that has not applied yet, and the specialist agencies of the other lots.
NOT_ADMITTED = frozenset(
    {
        "Lantern Care Partnership (demo)",
        "Seaward Nights Care (demo)",
        "Evergreen Live-in Care (demo)",
        "Brightwater Complex Care (demo)",
    }
)
_FIRST_DORSET_AGENCY = "Purbeck Hills Care (demo)"


def demo_admissions() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each admitted demo provider's name -> (its commissioner's name, the area codes)."""
    first_dorset = next(i for i, p in enumerate(PROVIDERS) if p.name == _FIRST_DORSET_AGENCY)
    admitted: dict[str, tuple[str, tuple[str, ...]]] = {}
    for i, provider in enumerate(PROVIDERS):
        if provider.name in NOT_ADMITTED:
            continue
        commissioner, areas, n = (
            (KENT, KENT_AREAS, i) if i < first_dorset else (DORSET, DORSET_AREAS, i - first_dorset)
        )
        codes = tuple(areas[(n * AREAS_EACH + k) % len(areas)].code for k in range(AREAS_EACH))
        admitted[provider.name] = (commissioner, codes)
    return admitted
