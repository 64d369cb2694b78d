"""The framework share in the browser: a Chart.js chart of the last twelve months against the
target, with the same figures in a table (the chart's text alternative)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.response import Template

from marketplace.care.framework_share import FrameworkShare, framework_share
from marketplace.web.security import SignedIn, role_in
from marketplace.web.templating import month_name


def chart_data(share: FrameworkShare) -> dict[str, Any]:
    """The months, each month's share (null when nothing was placed) and the target, for the
    chart."""
    return {
        "labels": [month_name(group.key) for group in share.groups],
        "shares": [
            None if group.share_percent is None else float(group.share_percent)
            for group in share.groups
        ],
        "target": share.target_percent,
    }


class FrameworkSharePages(Controller):
    path = "/framework-share"
    guards = [role_in("commissioner", "opener")]
    include_in_schema = False

    @get("/")
    async def index(self, principal: SignedIn) -> Template:
        share = await framework_share(principal, "month")
        by_lot = await framework_share(principal, "lot")
        by_area = await framework_share(principal, "area")
        return Template(
            "commissioner/framework_share.html",
            context={
                "share": share,
                "by_lot": by_lot,
                "by_area": by_area,
                "chart": chart_data(share),
            },
        )
