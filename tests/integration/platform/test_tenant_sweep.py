"""The tenant sweep: every route of the app, called by every role, from the organisation that owns
the records in its path and from another one, answers the status the matrix below says.

The world is the demo marketplace: Kent's evaluated call-off (with the demo provider's bid), its
packages and admissions. "own" is Kent's staff and the demo provider; "other" is NHS Dorset's
staff and a provider that Kent never admitted or invited (a message is the email telling that
provider's user of its account: only it reads it). Ids of records the demo has none of
(care, quality records, ...) are random: only the role check shows there.

A route missing from the matrix fails the test: a new route needs its rule here.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

from marketplace.accounts.authentication import issue_api_token
from marketplace.accounts.schemas import TokenCreate
from marketplace.demo.loader import load_demo
from marketplace.demo.sign_ins import DEMO_SIGN_INS
from tests.factories import make_organisation, make_user

ACTORS = (
    ("admin", "own"),
    ("commissioner", "own"),
    ("commissioner", "other"),
    ("opener", "own"),
    ("opener", "other"),
    ("provider", "own"),
    ("provider", "other"),
)
# Outside the app's own routes: the API's documentation (public) and its catch-all.
NOT_SWEPT = {("GET", "/api/docs/{path}")}
# Last: signing out (everywhere) ends the actor's token.
LAST = {
    ("POST", "/sign-out"),
    ("POST", "/sign-out-everywhere"),
    ("POST", "/api/v1/auth/sign-out-everywhere"),
}

# "METHOD path" -> "admin A | commissioner C/C' | opener O/O' | provider P/P'": the status for
# each role, own organisation / other organisation (one figure when both are the same).
# Writes are sent an empty body: where validation comes before the lookup, a 400 stands for "let
# through the role check". The demo call-off is evaluated: publishing it is 409, and Kent's
# commissioner confirming its award ({}) is 200. Kept in step by hand, reviewed against the "who"
# column of docs/api.md.
MATRIX: dict[str, str] = {
    "DELETE /api/v1/blocks/{block_id}": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "DELETE /api/v1/call-offs/{call_off_id}/bid": "admin 403 | commissioner 403 | opener 403 | provider 409/404",
    "DELETE /api/v1/call-offs/{call_off_id}/bid/attachments/{attachment_id}": "admin 403 | commissioner 403 | opener 403 | provider 409/404",
    "GET /": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /admin/outbox": "admin 200 | commissioner 403 | opener 403 | provider 403",
    "GET /api/docs": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /api/docs/oauth2-redirect.html": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /api/docs/openapi.json": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /api/v1/admissions": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /api/v1/admissions/{admission_id}": "admin 200 | commissioner 200/404 | opener 200/404 | provider 200/404",
    "GET /api/v1/areas": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /api/v1/audit": "admin 200 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/blocks": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/call-offs": "admin 403 | commissioner 200 | opener 200 | provider 200",
    "GET /api/v1/call-offs/{call_off_id}": "admin 403 | commissioner 200/404 | opener 200/404 | provider 200/404",
    "GET /api/v1/call-offs/{call_off_id}/award": "admin 403 | commissioner 404 | opener 404 | provider 200/404",
    "GET /api/v1/call-offs/{call_off_id}/bid": "admin 403 | commissioner 403 | opener 403 | provider 200/404",
    "GET /api/v1/call-offs/{call_off_id}/bid/attachments": "admin 403 | commissioner 403 | opener 403 | provider 200/404",
    "GET /api/v1/call-offs/{call_off_id}/bid/attachments/{attachment_id}": "admin 403 | commissioner 403 | opener 403 | provider 404",
    "GET /api/v1/call-offs/{call_off_id}/bids": "admin 403 | commissioner 200/404 | opener 200/404 | provider 403",
    "GET /api/v1/call-offs/{call_off_id}/bids/{bid_id}/attachments/{attachment_id}": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "GET /api/v1/call-offs/{call_off_id}/decline": "admin 403 | commissioner 403 | opener 403 | provider 404",
    "GET /api/v1/call-offs/{call_off_id}/evaluation": "admin 403 | commissioner 200/404 | opener 200/404 | provider 403",
    "GET /api/v1/call-offs/{call_off_id}/ocds": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /api/v1/care": "admin 403 | commissioner 200 | opener 200 | provider 200",
    "GET /api/v1/care/tolerance": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/care/{care_id}": "admin 403 | commissioner 404 | opener 404 | provider 404",
    "GET /api/v1/contingency": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/contingency/settings": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/documents/{document_id}": "admin 404 | commissioner 404 | opener 404 | provider 404",
    "GET /api/v1/documents/{document_id}/content": "admin 400 | commissioner 400 | opener 400 | provider 400",
    "GET /api/v1/documents/{document_id}/metadata": "admin 404 | commissioner 404 | opener 404 | provider 404",
    "GET /api/v1/enablement-bars": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/exports/{name}": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/spend": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/framework-share": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/framework-share/target": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/lots": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /api/v1/ocds/releases": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /api/v1/off-framework-placements": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/organisations/{organisation_id}": "admin 200 | commissioner 200 | opener 200 | provider 200/404",
    "GET /api/v1/packages": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/packages/{package_id}": "admin 403 | commissioner 200/404 | opener 200/404 | provider 403",
    "GET /api/v1/postcodes/{postcode}": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /api/v1/pricing": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/pricing/{lot_code}": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/providers/ranking": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/providers/ranking/reviews": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/providers/ranking/reviews/{review_id}": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "GET /api/v1/quality-records": "admin 403 | commissioner 200 | opener 200 | provider 200",
    "GET /api/v1/quality-records/{record_id}": "admin 403 | commissioner 404 | opener 404 | provider 404",
    "GET /api/v1/quality-weights": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /call-offs": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /call-offs/new": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /call-offs/{call_off_id}": "admin 403 | commissioner 200/404 | opener 200/404 | provider 403",
    "GET /call-offs/{call_off_id}/award/report": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "GET /call-offs/{call_off_id}/award/standstill": "admin 403 | commissioner 200/404 | opener 200/404 | provider 403",
    "GET /call-offs/{call_off_id}/evaluation": "admin 403 | commissioner 200/404 | opener 200/404 | provider 403",
    "GET /call-offs/{call_off_id}/scores/{bid_id}/{area_code}": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "GET /call-offs/{call_off_id}/status": "admin 403 | commissioner 200/404 | opener 200/404 | provider 403",
    "GET /care": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /care/tolerance": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /care/{care_id}": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "GET /contingency": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /contingency/countdown": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /contingency/packages/{package_id}/place": "admin 403 | commissioner 200/404 | opener 403 | provider 403",
    "GET /dev/mail": "admin 200 | commissioner 403 | opener 403 | provider 403",
    "GET /dev/mail/{key}": "admin 404 | commissioner 403 | opener 403 | provider 403",
    "GET /enablement-bars": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /exports/{filename}": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /spend": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /spend/{filename}": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "GET /framework-share": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /healthz": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /my-bids": "admin 403 | commissioner 403 | opener 403 | provider 200",
    "GET /my-bids/{call_off_id}/outcome": "admin 403 | commissioner 403 | opener 403 | provider 200/404",
    "GET /my-care": "admin 403 | commissioner 403 | opener 403 | provider 200",
    "GET /my-care/{care_id}": "admin 403 | commissioner 403 | opener 403 | provider 404",
    "GET /notices": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /opportunities": "admin 403 | commissioner 403 | opener 403 | provider 200",
    "GET /opportunities/{call_off_id}": "admin 403 | commissioner 403 | opener 403 | provider 200/404",
    "GET /opportunities/{call_off_id}/bid": "admin 403 | commissioner 403 | opener 403 | provider 200/404",
    "GET /opportunities/{call_off_id}/bid/attachments/{attachment_id}": "admin 403 | commissioner 403 | opener 403 | provider 404",
    "GET /providers/ranking": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /providers/ranking/reviews/{review_id}": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "GET /providers/ranking/weights": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/kpi-returns": "admin 403 | commissioner 200 | opener 200 | provider 200",
    "GET /api/v1/kpi-returns/{return_id}": "admin 403 | commissioner 404 | opener 404 | provider 404",
    "PUT /api/v1/kpi-returns/{return_id}/answers": "admin 403 | commissioner 403 | opener 403 | provider 400",
    "POST /api/v1/kpi-returns/{return_id}/submit": "admin 403 | commissioner 403 | opener 403 | provider 404",
    "GET /kpi-returns": "admin 403 | commissioner 200 | opener 200 | provider 200",
    "GET /kpi-returns/measures": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /kpi-returns/{return_id}": "admin 403 | commissioner 404 | opener 404 | provider 404",
    "POST /kpi-returns/{return_id}": "admin 403 | commissioner 403 | opener 403 | provider 404",
    "GET /quality-records": "admin 403 | commissioner 200 | opener 200 | provider 200",
    "GET /quality-records/new": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /quality-records/{record_id}": "admin 403 | commissioner 404 | opener 404 | provider 404",
    "GET /reference-data": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /sign-in": "admin 303 | commissioner 303 | opener 303 | provider 303",
    "GET /waiting-list": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /waiting-list/bundles": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /waiting-list/new": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "PATCH /api/v1/call-offs/{call_off_id}": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "PATCH /api/v1/organisations/{organisation_id}": "admin 422 | commissioner 422 | opener 422 | provider 403",
    "POST /admin/outbox/{entry_id}/retry": "admin 404 | commissioner 403 | opener 403 | provider 403",
    "POST /api/v1/admissions": "admin 403 | commissioner 403 | opener 403 | provider 400",
    "POST /api/v1/admissions/{admission_id}/decision": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /api/v1/admissions/{admission_id}/documents": "admin 403 | commissioner 403 | opener 403 | provider 400",
    "POST /api/v1/areas": "admin 400 | commissioner 400 | opener 400 | provider 403",
    "POST /api/v1/auth/tokens": "admin 400 | commissioner 400 | opener 400 | provider 400",
    "POST /api/v1/blocks": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /api/v1/call-offs": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /api/v1/call-offs/{call_off_id}/award": "admin 403 | commissioner 200/404 | opener 403 | provider 403",
    "POST /api/v1/call-offs/{call_off_id}/bid/attachments": "admin 403 | commissioner 403 | opener 403 | provider 400",
    "POST /api/v1/call-offs/{call_off_id}/cancel": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /api/v1/call-offs/{call_off_id}/decline": "admin 403 | commissioner 403 | opener 403 | provider 400",
    "POST /api/v1/call-offs/{call_off_id}/documents": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /api/v1/call-offs/{call_off_id}/open": "admin 403 | commissioner 403 | opener 409/404 | provider 403",
    "POST /api/v1/call-offs/{call_off_id}/publish": "admin 403 | commissioner 409/404 | opener 409/404 | provider 403",
    "POST /api/v1/care/{care_id}/end": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /api/v1/care/{care_id}/hand-back": "admin 403 | commissioner 403 | opener 403 | provider 400",
    "POST /api/v1/care/{care_id}/start-correction": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /api/v1/care/{care_id}/variations": "admin 403 | commissioner 403 | opener 403 | provider 400",
    "POST /api/v1/care/{care_id}/variations/{variation_id}/decision": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /api/v1/documents": "admin 400 | commissioner 400 | opener 400 | provider 400",
    "POST /api/v1/enablement-bars/{bar_id}/lift": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /api/v1/lots": "admin 400 | commissioner 403 | opener 403 | provider 403",
    "POST /api/v1/organisations": "admin 400 | commissioner 403 | opener 403 | provider 403",
    "POST /api/v1/organisations/{organisation_id}/users": "admin 400 | commissioner 400 | opener 400 | provider 400",
    "POST /api/v1/packages": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /api/v1/packages/bundle-suggestions": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /api/v1/packages/{package_id}/off-framework": "admin 403 | commissioner 400 | opener 403 | provider 403",
    "POST /api/v1/providers/ranking/reviews": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /api/v1/quality-records": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /api/v1/quality-records/{record_id}/report": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /api/v1/quality-records/{record_id}/withdraw": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /call-offs/new": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "POST /call-offs/{call_off_id}/award": "admin 403 | commissioner 409/404 | opener 403 | provider 403",
    "POST /call-offs/{call_off_id}/cancel": "admin 403 | commissioner 400/404 | opener 400/404 | provider 403",
    "POST /call-offs/{call_off_id}/deadline": "admin 403 | commissioner 400/404 | opener 400/404 | provider 403",
    "POST /call-offs/{call_off_id}/open": "admin 403 | commissioner 403/404 | opener 409/404 | provider 403",
    "POST /call-offs/{call_off_id}/publish": "admin 403 | commissioner 409/404 | opener 409/404 | provider 403",
    "POST /call-offs/{call_off_id}/scores/{bid_id}/{area_code}": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "POST /care/{care_id}/enablement-outcomes": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "POST /care/{care_id}/end": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "POST /care/{care_id}/start-correction": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "POST /care/{care_id}/variations/{variation_id}/decision": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "POST /contingency/packages/{package_id}/place": "admin 403 | commissioner 400/404 | opener 403 | provider 403",
    "POST /enablement-bars/{bar_id}/lift": "admin 403 | commissioner 422 | opener 422 | provider 403",
    "POST /my-care/{care_id}/hand-back": "admin 403 | commissioner 403 | opener 403 | provider 404",
    "POST /my-care/{care_id}/start": "admin 403 | commissioner 403 | opener 403 | provider 404",
    "POST /my-care/{care_id}/variations": "admin 403 | commissioner 403 | opener 403 | provider 404",
    "POST /opportunities/{call_off_id}/bid": "admin 403 | commissioner 403 | opener 403 | provider 400/404",
    "POST /opportunities/{call_off_id}/bid/attachments": "admin 403 | commissioner 403 | opener 403 | provider 400/404",
    "POST /opportunities/{call_off_id}/bid/attachments/{attachment_id}/remove": "admin 403 | commissioner 403 | opener 403 | provider 409/404",
    "POST /opportunities/{call_off_id}/bid/check": "admin 403 | commissioner 403 | opener 403 | provider 200/404",
    "POST /opportunities/{call_off_id}/bid/withdraw": "admin 403 | commissioner 403 | opener 403 | provider 409/404",
    "POST /opportunities/{call_off_id}/decline": "admin 403 | commissioner 403 | opener 403 | provider 400/404",
    "POST /providers/ranking/reviews": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /providers/ranking/weights": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /quality-records/new": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /quality-records/{record_id}/report": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "POST /quality-records/{record_id}/withdraw": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "POST /sign-in": "admin 400 | commissioner 400 | opener 400 | provider 400",
    "POST /waiting-list/new": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "PUT /api/v1/call-offs/{call_off_id}/bid": "admin 403 | commissioner 403 | opener 403 | provider 409/404",
    "PUT /api/v1/call-offs/{call_off_id}/scores": "admin 403 | commissioner 400 | opener 403 | provider 403",
    "PUT /api/v1/care/{care_id}/enablement-outcomes": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "PUT /api/v1/care/{care_id}/start": "admin 403 | commissioner 403 | opener 403 | provider 400",
    "PUT /api/v1/contingency/settings": "admin 403 | commissioner 400 | opener 403 | provider 403",
    "PUT /api/v1/framework-share/target": "admin 403 | commissioner 400 | opener 403 | provider 403",
    "PUT /api/v1/lots/{lot_code}/rules": "admin 400 | commissioner 403 | opener 403 | provider 403",
    "PUT /api/v1/postcodes/{postcode}": "admin 400 | commissioner 403 | opener 403 | provider 403",
    "PUT /api/v1/pricing/{lot_code}": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "PUT /api/v1/quality-weights": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "GET /admin/cqc-ratings": "admin 200 | commissioner 403 | opener 403 | provider 403",
    "GET /admin/cqc-ratings/{provider_id}": "admin 200 | commissioner 403 | opener 403 | provider 403",
    "GET /admin/organisations": "admin 200 | commissioner 403 | opener 403 | provider 403",
    "GET /admin/organisations/new": "admin 200 | commissioner 403 | opener 403 | provider 403",
    "GET /admin/organisations/{organisation_id}": "admin 200 | commissioner 403 | opener 403 | provider 403",
    "GET /admissions": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /admissions/new": "admin 403 | commissioner 403 | opener 403 | provider 200",
    "GET /admissions/{admission_id}": "admin 200 | commissioner 200/404 | opener 200/404 | provider 200/404",
    "GET /api/v1/guest-suppliers": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /api/v1/organisations": "admin 200 | commissioner 403 | opener 403 | provider 403",
    "GET /api/v1/organisations/{organisation_id}/cqc-ratings": "admin 200 | commissioner 200 | opener 200 | provider 200/404",
    "GET /api/v1/organisations/{organisation_id}/users": "admin 200 | commissioner 404 | opener 404 | provider 200/404",
    "GET /audit": "admin 200 | commissioner 200 | opener 200 | provider 403",
    "GET /audit/verification": "admin 200 | commissioner 200 | opener 200 | provider 403",
    "GET /blocks": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /call-offs/{call_off_id}/cancel": "admin 403 | commissioner 303/404 | opener 303/404 | provider 403",
    "GET /call-offs/{call_off_id}/edit": "admin 403 | commissioner 409/404 | opener 409/404 | provider 403",
    "GET /call-offs/{call_off_id}/publish": "admin 403 | commissioner 303/404 | opener 303/404 | provider 403",
    "GET /guest-suppliers": "admin 403 | commissioner 200 | opener 200 | provider 403",
    "GET /guest/call-off": "admin 403 | commissioner 403 | opener 403 | provider 403",
    "GET /guest/call-off/bid/withdraw": "admin 403 | commissioner 403 | opener 403 | provider 403",
    "GET /guest/{token}": "admin 403 | commissioner 403 | opener 403 | provider 403",
    "GET /messages": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /messages/{entry_id}": "admin 404 | commissioner 404 | opener 404 | provider 404/200",
    "GET /opportunities/{call_off_id}/bid/withdraw": "admin 403 | commissioner 403 | opener 403 | provider 303/404",
    "GET /providers/ranking/providers/{provider_id}": "admin 403 | commissioner 200/404 | opener 200/404 | provider 403",
    "GET /sign-in/code": "admin 303 | commissioner 303 | opener 303 | provider 303",
    "GET /status": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /two-factor/enrol": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "GET /waiting-list/packages/{package_id}": "admin 403 | commissioner 200/404 | opener 200/404 | provider 403",
    "POST /admin/cqc-ratings/{provider_id}": "admin 400 | commissioner 403 | opener 403 | provider 403",
    "POST /admin/organisations/new": "admin 400 | commissioner 403 | opener 403 | provider 403",
    "POST /admin/organisations/{organisation_id}/users": "admin 400 | commissioner 403 | opener 403 | provider 403",
    "POST /admin/users/{user_id}/deactivate": "admin 303 | commissioner 403 | opener 403 | provider 403",
    "POST /admin/users/{user_id}/reactivate": "admin 303 | commissioner 403 | opener 403 | provider 403",
    "GET /admin/users/{user_id}/reset-two-factor": "admin 409 | commissioner 403 | opener 403 | provider 403",
    "POST /admin/users/{user_id}/reset-two-factor": "admin 409 | commissioner 403 | opener 403 | provider 403",
    "POST /admissions/new": "admin 403 | commissioner 403 | opener 403 | provider 400",
    "POST /admissions/{admission_id}/decision": "admin 403 | commissioner 400/404 | opener 400/404 | provider 403",
    "POST /admissions/{admission_id}/evidence": "admin 403 | commissioner 403 | opener 403 | provider 400/404",
    "POST /api/v1/guest-suppliers": "admin 403 | commissioner 400 | opener 403 | provider 403",
    "POST /api/v1/users/{user_id}/deactivate": "admin 200 | commissioner 403 | opener 403 | provider 403",
    "POST /api/v1/users/{user_id}/reactivate": "admin 200 | commissioner 403 | opener 403 | provider 403",
    "POST /api/v1/users/{user_id}/reset-two-factor": "admin 400 | commissioner 403 | opener 403 | provider 403",
    "POST /api/v1/auth/recovery-codes": "admin 403 | commissioner 403 | opener 403 | provider 403",
    "POST /two-factor/recovery-codes": "admin 403 | commissioner 403 | opener 403 | provider 403",
    "POST /blocks": "admin 403 | commissioner 400 | opener 400 | provider 403",
    "POST /blocks/{block_id}/lift": "admin 403 | commissioner 404 | opener 404 | provider 403",
    "POST /call-offs/{call_off_id}/award/check": "admin 403 | commissioner 200/404 | opener 403 | provider 403",
    "POST /call-offs/{call_off_id}/documents": "admin 403 | commissioner 400/404 | opener 400/404 | provider 403",
    "POST /call-offs/{call_off_id}/edit": "admin 403 | commissioner 400/404 | opener 400/404 | provider 403",
    "POST /guest-suppliers": "admin 403 | commissioner 400 | opener 403 | provider 403",
    "POST /guest/call-off/bid": "admin 403 | commissioner 403 | opener 403 | provider 403",
    "POST /guest/call-off/bid/check": "admin 403 | commissioner 403 | opener 403 | provider 403",
    "POST /guest/call-off/bid/withdraw": "admin 403 | commissioner 403 | opener 403 | provider 403",
    "POST /sign-in/code": "admin 303 | commissioner 303 | opener 303 | provider 303",
    "POST /two-factor/enrol": "admin 303 | commissioner 303 | opener 303 | provider 303",
    "PUT /api/v1/organisations/{organisation_id}/cqc-rating": "admin 400 | commissioner 403 | opener 403 | provider 403",
    "POST /api/v1/auth/sign-out-everywhere": "admin 200 | commissioner 200 | opener 200 | provider 200",
    "POST /sign-out": "admin 303 | commissioner 303 | opener 303 | provider 303",
    "POST /sign-out-everywhere": "admin 303 | commissioner 303 | opener 303 | provider 303",
}


def _expected(rule: str) -> dict[tuple[str, str], int]:
    expected: dict[tuple[str, str], int] = {}
    for part in rule.split("|"):
        role, statuses = part.split()
        own, _, other = statuses.partition("/")
        expected[(role, "own")] = int(own)
        expected[(role, "other")] = int(other or own)
    return {actor: status for actor, status in expected.items() if actor in ACTORS}


def _routes(app: Any) -> list[tuple[str, str]]:
    routes = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods:
                if method not in ("HEAD", "OPTIONS"):
                    routes.add((method, route.path_format))
    return sorted(routes - NOT_SWEPT, key=lambda route: (route in LAST, route))


async def _world() -> dict[str, Any]:
    """Tokens per actor and the ids that fill the paths."""
    from marketplace.accounts.tables import Organisation
    from marketplace.admissions.tables import Admission
    from marketplace.bids.tables import Bid
    from marketplace.notifications.tables import OutboxEntry
    from marketplace.reference.tables import Lot, Postcode
    from marketplace.tenders.tables import CallOff, Package

    await load_demo()
    tokens: dict[tuple[str, str], str] = {}
    for sign_in in DEMO_SIGN_INS:
        side = "other" if "dorset" in sign_in.email else "own"
        token = await issue_api_token(TokenCreate(sign_in.email, sign_in.password))
        tokens[(sign_in.role, side)] = token.token
    dorset = await Organisation.select(Organisation.id).where(
        Organisation.name == "NHS Dorset (demo)"
    )
    _, tokens[("opener", "other")] = await make_user(dorset[0]["id"], "opener")
    stranger = await make_organisation("provider", name="Stranger Care")
    stranger_user, tokens[("provider", "other")] = await make_user(stranger.id, "provider")

    kent = (
        await Organisation.select(Organisation.id)
        .where(Organisation.name == "Kent County Council (demo)")
        .first()
    )
    provider = (
        await Organisation.select(Organisation.id)
        .where(Organisation.name == "Oakleaf Home Care (demo)")
        .first()
    )
    call_off = await CallOff.select(CallOff.id).where(CallOff.commissioner == kent["id"]).first()
    bid = (
        await Bid.select(Bid.id)
        .where((Bid.call_off == call_off["id"]) & (Bid.provider == provider["id"]))
        .first()
    )
    package = await Package.select(Package.id).where(Package.commissioner == kent["id"]).first()
    admission = (
        await Admission.select(Admission.id)
        .where((Admission.provider == provider["id"]) & (Admission.commissioner == kent["id"]))
        .first()
    )
    # A user of the demo provider only the admin's deactivate and reactivate routes act on.
    spare, _ = await make_user(provider["id"], "provider")
    # The email telling the stranger's user of its account: only its addressee reads it.
    email = (
        await OutboxEntry.select(OutboxEntry.id)
        .where(OutboxEntry.recipient == stranger_user.email.lower())
        .first()
    )
    lot = await Lot.select(Lot.code).first()
    postcode = await Postcode.select(Postcode.postcode).first()
    ids = {
        "call_off_id": call_off["id"],
        "bid_id": bid["id"] if bid else uuid4(),
        "package_id": package["id"],
        "admission_id": admission["id"],
        "organisation_id": provider["id"],
        "provider_id": provider["id"],
        "user_id": spare.id,
        "entry_id": email["id"],
        "lot_code": lot["code"],
        "postcode": postcode["postcode"].replace(" ", "%20"),
        "area_code": "ASHFORD",
        "name": "care",
        "filename": "care.xlsx",
    }
    return {"tokens": tokens, "ids": ids}


def _fill(path: str, ids: dict[str, Any]) -> str:
    return re.sub(r"{(\w+)}", lambda m: str(ids.get(m[1], uuid4())), path)


async def test_every_route_answers_each_role_and_organisation_as_the_matrix_says(
    client: Any,
) -> None:
    from marketplace.app import create_litestar

    world = await _world()
    routes = _routes(create_litestar())
    names = {f"{method} {path}" for method, path in routes}
    missing = [route for route in routes if f"{route[0]} {route[1]}" not in MATRIX]
    stale = [name for name in MATRIX if name not in names]
    observed: dict[tuple[str, str], dict[tuple[str, str], int]] = {}
    for method, path in routes:
        url = _fill(path, world["ids"])
        for actor in ACTORS:
            headers = {"Authorization": f"Bearer {world['tokens'][actor]}"}
            if method in ("GET", "DELETE"):
                response = await client.request(method, url, headers=headers)
            elif path.startswith("/api/"):
                response = await client.request(method, url, headers=headers, json={})
            else:
                response = await client.request(method, url, headers=headers, data={})
            observed.setdefault((method, path), {})[actor] = response.status_code

    def line(route: tuple[str, str]) -> str:
        seen = observed[route]
        parts = []
        for role in ("admin", "commissioner", "opener", "provider"):
            own, other = seen.get((role, "own")), seen.get((role, "other"), seen.get((role, "own")))
            parts.append(f"{role} {own}" + (f"/{other}" if other != own else ""))
        return f'    "{route[0]} {route[1]}": "{" | ".join(parts)}",'

    assert not missing, (
        "These routes have no rule in MATRIX (tests/integration/platform/test_tenant_sweep.py); "
        "add each with the status every role should get (own/other organisation). "
        "What they answer now:\n" + "\n".join(line(route) for route in missing)
    )
    assert not stale, f"MATRIX names routes the app no longer has: {stale}"
    wrong = [
        f"{name}: {actor} expected {expected}, got {observed[tuple(name.split(' ', 1))][actor]}"
        for name, rule in MATRIX.items()
        for actor, expected in _expected(rule).items()
        if observed[tuple(name.split(" ", 1))][actor] != expected
    ]
    assert not wrong, "\n".join(wrong)


async def test_a_guest_pass_is_no_credential_outside_the_guest_pages(client: Any) -> None:
    """Every route outside /guest answers the holder of a live guest pass (its cookie sent on
    every path, as a forged request would) exactly as it answers someone signed out."""
    from marketplace.app import create_litestar
    from marketplace.tenders.tables import GuestPass
    from marketplace.web.security import GUEST_COOKIE, guest_pass_token
    from tests.call_off_fixtures import commissioning
    from tests.integration.bids.test_guest_suppliers import guest_call_off, registered_guest

    c = await commissioning()
    call_off_id = await guest_call_off(client, c, await registered_guest(client, c))
    [guest_pass] = await GuestPass.select(GuestPass.id).where(GuestPass.call_off == call_off_id)
    cookie = {"Cookie": f"{GUEST_COOKIE}={guest_pass_token(guest_pass['id'])}"}
    page = await client.get("/guest/call-off", headers=cookie)
    assert page.status_code == 200, "the pass is live"

    ids = {"call_off_id": call_off_id, "package_id": c.packages["1"]}
    differing = []
    for method, path in _routes(create_litestar()):
        if path.startswith("/guest"):
            continue
        url = _fill(path, ids)
        body: dict[str, Any] = (
            {} if method in ("GET", "DELETE") else {"json": {}} if "/api/" in path else {"data": {}}
        )
        signed_out = await client.request(method, url, **body)
        holding = await client.request(method, url, headers=cookie, **body)
        if holding.status_code != signed_out.status_code:
            differing.append(f"{method} {path}: {holding.status_code}, {signed_out.status_code}")
    assert not differing, "guest pass, signed out:\n" + "\n".join(differing)
