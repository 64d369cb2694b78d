"""create_app(): the one place that assembles routes, middleware, plugins and the lifespan."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.plugins.htmx import HTMXPlugin

from marketplace.accounts.admin_pages import OrganisationPages, UserPages
from marketplace.accounts.api import GuestSupplierApi, OrganisationApi, TokenApi, UserApi
from marketplace.accounts.authentication import principal_for_api_token, principal_for_session
from marketplace.accounts.cqc_api import CqcRatingApi
from marketplace.accounts.cqc_pages import CqcRatingPages
from marketplace.accounts.guest_supplier_pages import GuestSupplierPages
from marketplace.accounts.pages import SignInPages
from marketplace.accounts.two_factor_pages import RecoveryCodePages, TwoFactorPages
from marketplace.admissions.api import AdmissionApi, BlockApi, EnablementBarApi
from marketplace.admissions.block_pages import BlockPages
from marketplace.admissions.pages import AdmissionPages
from marketplace.archive.api import MULTIPART_OVERHEAD_BYTES, DocumentApi
from marketplace.audit.api import AuditApi
from marketplace.audit.pages import AuditPages
from marketplace.awards.web.api import AwardApi, OpeningApi
from marketplace.awards.web.pages import AwardPages, OutcomePages
from marketplace.awards.web.ranking_api import QualityWeightsApi, RankingApi
from marketplace.awards.web.ranking_breakdown import RankingBreakdownPages
from marketplace.awards.web.ranking_pages import RankingPages
from marketplace.bids.api import BidApi, DeclineApi, OpenedBidsApi
from marketplace.bids.guest_pages import GuestPages
from marketplace.bids.opportunity_pages import OpportunityPages
from marketplace.bids.pages import BidPages, MyBidsPages
from marketplace.binding import bind_engine
from marketplace.care.api import CareApi
from marketplace.care.commissioner_pages import CarePages, EnablementBarPages
from marketplace.care.provider_pages import MyCarePages
from marketplace.care.share_api import FrameworkShareApi
from marketplace.care.share_pages import FrameworkSharePages
from marketplace.config import get_settings
from marketplace.db import current_engine, start_engine, stop_engine
from marketplace.health import healthz, service_status
from marketplace.home import home
from marketplace.idempotency.middleware import HonourIdempotencyKeys
from marketplace.jobs import periodic_upkeep
from marketplace.kpi.api import KpiReturnApi
from marketplace.kpi.pages import KpiReturnPages
from marketplace.notifications.message_pages import MessagePages
from marketplace.notifications.pages import DevelopmentMailPages, OutboxPages
from marketplace.notifications.relay import InProcessRunner
from marketplace.quality.api import QualityRecordApi
from marketplace.quality.pages import QualityRecordPages
from marketplace.reference.api import AreaApi, LotApi, PostcodeApi, PricingApi
from marketplace.reference.pages import reference_data
from marketplace.reference.queries import names_of_codes
from marketplace.reporting.export_routes import ExportApi, ExportDownloads
from marketplace.reporting.spend_routes import SpendApi, SpendPages
from marketplace.tenders.call_offs.api import CallOffApi
from marketplace.tenders.call_offs.pages import CallOffPages
from marketplace.tenders.waiting_list.api import PackageApi
from marketplace.tenders.waiting_list.contingency_api import ContingencyApi
from marketplace.tenders.waiting_list.contingency_pages import ContingencyPages
from marketplace.tenders.waiting_list.pages import WaitingListPages
from marketplace.tenders.waiting_list.placement_api import PlacementApi
from marketplace.tenders.waiting_list.placement_pages import PlacementPages
from marketplace.transparency.api import OcdsApi
from marketplace.transparency.pages import NoticesPages
from marketplace.web.assets import ensure_static, static_url, with_static_files
from marketplace.web.banners import OneTimeBanners
from marketplace.web.headers import SecurityHeaders
from marketplace.web.names import OWN_NAMES, Names, use_names
from marketplace.web.nul import refuse_nul_characters
from marketplace.web.openapi import CompletedJson, CompletedSwagger
from marketplace.web.problems import EXCEPTION_HANDLERS
from marketplace.web.security import (
    IdentifyRequester,
    check_csrf,
    signed_in,
    signed_in_principal,
)
from marketplace.web.strict_bodies import check_body_strictly
from marketplace.web.templating import template_config
from marketplace.wiring import wire

ROUTES: list[Any] = [
    home,
    reference_data,
    OutboxPages,
    CqcRatingPages,
    TwoFactorPages,
    RecoveryCodePages,
    DevelopmentMailPages,
    healthz,
    service_status,
    SignInPages,
    TokenApi,
    OrganisationApi,
    GuestSupplierApi,
    CqcRatingApi,
    AdmissionApi,
    BlockApi,
    LotApi,
    AreaApi,
    PricingApi,
    PostcodeApi,
    PackageApi,
    ContingencyApi,
    PlacementApi,
    FrameworkShareApi,
    CallOffApi,
    BidApi,
    DeclineApi,
    OpeningApi,
    OpenedBidsApi,
    AwardApi,
    RankingApi,
    CareApi,
    EnablementBarApi,
    QualityWeightsApi,
    QualityRecordApi,
    KpiReturnApi,
    AuditApi,
    DocumentApi,
    OcdsApi,
    NoticesPages,
    CallOffPages,
    OpportunityPages,
    BidPages,
    MyBidsPages,
    GuestPages,
    GuestSupplierPages,
    WaitingListPages,
    ContingencyPages,
    FrameworkSharePages,
    ExportDownloads,
    ExportApi,
    SpendPages,
    SpendApi,
    PlacementPages,
    AwardPages,
    OutcomePages,
    CarePages,
    EnablementBarPages,
    MyCarePages,
    RankingPages,
    QualityRecordPages,
    KpiReturnPages,
    AdmissionPages,
    BlockPages,
    RankingBreakdownPages,
    AuditPages,
    OrganisationPages,
    UserPages,
    UserApi,
    MessagePages,
]


GC_YOUNG_THRESHOLD = 20_000


@asynccontextmanager
async def lifespan(_: Litestar) -> AsyncIterator[None]:
    await start_engine()
    # Without Redis the web process runs the outbox itself (the embedded default).
    runner = None if get_settings().redis_url else InProcessRunner(periodic_upkeep)
    if runner is not None:
        runner.start()
    # What was built at start-up lives as long as the process: keep it out of the collector's
    # full passes, and collect the young generation less often (fewer pauses in the tail).
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 20, 20)
    try:
        yield
    finally:
        if runner is not None:
            await runner.stop()
        await stop_engine()


async def before_request(request: Request[Any, Any, Any]) -> None:
    """Refuse a forged browser request; read a JSON body strictly; a page request then loads the
    names its codes read as (the API answers codes; a page marked OWN_NAMES reads the names of
    only the codes it shows with its own data, web/names.py)."""
    await check_csrf(request)
    await refuse_nul_characters(request)
    await check_body_strictly(request)
    # The API answers codes, and the health checks must answer even when the database does not.
    if not request.url.path.startswith(
        ("/api/", "/static/", "/assets/", "/healthz", "/status")
    ) and not request.route_handler.opt.get(OWN_NAMES):
        areas, lots = await names_of_codes()
        use_names(Names(areas=areas, lots=lots))


def create_litestar() -> Litestar:
    get_settings()
    ensure_static()
    wire()
    bind_engine(current_engine())
    return Litestar(
        route_handlers=ROUTES,
        # In order, outermost first: the idempotency keys belong to the requester it identifies.
        middleware=[
            DefineMiddleware(
                IdentifyRequester,
                by_token=principal_for_api_token,
                by_session=principal_for_session,
            ),
            DefineMiddleware(HonourIdempotencyKeys),
        ],
        guards=[signed_in],
        # A handler asks for the signed-in user as `principal: SignedIn` (never a parameter of
        # the API: the OpenAPI schema leaves dependencies out).
        dependencies={"principal": Provide(signed_in_principal, sync_to_thread=False)},
        before_request=before_request,
        # A file just past the upload limit gets the archive's own 413 naming the limit; a body
        # far past it is cut off by Litestar (its 413 is worded in problems.py).
        request_max_body_size=get_settings().max_upload_bytes + MULTIPART_OVERHEAD_BYTES,
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=template_config(),
        plugins=[HTMXPlugin()],
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(
            title="Care call-off marketplace API",
            version="1.0.0",
            path="/api/docs",
            # Served from our own static files: no third-party host is contacted. Both render the
            # generated document completed with the errors and the bearer scheme (web/openapi.py).
            render_plugins=[
                CompletedJson(path="/openapi.json"),
                CompletedSwagger(
                    path="/",
                    js_url=static_url("swagger-ui-bundle.js"),
                    css_url=static_url("swagger-ui.css"),
                    standalone_preset_js_url=static_url("swagger-ui-standalone-preset.js"),
                    favicon=f'<link rel="icon" href="{static_url("favicon.svg")}">',
                ),
            ],
        ),
        debug=False,
        logging_config=None,
    )


def create_app() -> Any:
    """The ASGI application: static files in front of the Litestar app."""
    logging.basicConfig(level=logging.INFO)
    ensure_static()
    return SecurityHeaders(
        with_static_files(OneTimeBanners(create_litestar())), production=get_settings().production
    )
