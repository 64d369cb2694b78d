"""A call-off's maximum price from the pricing's rate for the highest service level among its
packages (docs/design.md 4.3), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from tests.call_off_fixtures import cluster_body, commissioning, enablement_body
from tests.factories import bearer

LEVELLED = {
    "max_hourly_rate_pence": 2400,
    "envelope_base_rate_pence": 1950,
    "max_complex_hourly_rate_pence": 2650,
    "max_highly_complex_hourly_rate_pence": 3100,
}


async def _drafted(client: Any, token: str, body: dict[str, Any]) -> Any:
    return await client.post("/api/v1/call-offs", json=body, headers=bearer(token))


async def test_a_call_off_with_a_complex_package_takes_the_complex_maximum(client) -> None:
    c = await commissioning()
    priced = await client.put("/api/v1/pricing/CSH", json=LEVELLED, headers=bearer(c.token))
    assert priced.status_code == 200, priced.text
    with_complex = await _drafted(client, c.token, cluster_body(c))
    assert with_complex.status_code == 201, with_complex.text
    assert with_complex.json()["max_hourly_rate_pence"] == 2650
    standard_only = await _drafted(client, c.token, enablement_body(c))
    assert standard_only.json()["max_hourly_rate_pence"] == 2400


async def test_a_maximum_above_the_service_levels_rate_is_refused_naming_the_level(
    client,
) -> None:
    c = await commissioning()
    await client.put("/api/v1/pricing/CSH", json=LEVELLED, headers=bearer(c.token))
    too_high = await _drafted(client, c.token, cluster_body(c, max_hourly_rate_pence=2700))
    assert too_high.status_code == 422
    [error] = too_high.json()["errors"]
    assert error["field"] == "max_hourly_rate_pence"
    assert "£26.50 an hour" in error["message"] and "complex care" in error["message"]
    lowered = await _drafted(client, c.token, cluster_body(c, max_hourly_rate_pence=2500))
    assert lowered.json()["max_hourly_rate_pence"] == 2500


async def test_without_rates_per_level_a_complex_package_takes_the_standard_maximum(
    client,
) -> None:
    c = await commissioning()
    drafted = await _drafted(client, c.token, cluster_body(c))
    assert drafted.json()["max_hourly_rate_pence"] == 2400
