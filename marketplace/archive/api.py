"""JSON API of the archive: upload a document, fetch it through a short-lived link."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect

from marketplace.archive import schemas, service
from marketplace.archive.filenames import content_disposition
from marketplace.archive.storage import sha256_base64
from marketplace.web.security import SignedIn

NO_STORE = {"cache-control": "private, no-store"}
# Room for the multipart framing around the largest document (set on the app in app.py).
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class DocumentApi(Controller):
    path = "/api/v1/documents"
    tags = ["archive"]

    @post("/", status_code=201, summary="Archive a document (multipart: file, confidentiality)")
    async def upload(
        self,
        principal: SignedIn,
        data: Annotated[schemas.DocumentUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> schemas.Document:
        content = await data.file.read()
        await data.file.close()
        return await service.store_document(
            principal, data.file.filename, content, data.confidentiality, principal.organisation_id
        )

    @get(
        "/{document_id:uuid}",
        status_code=303,
        summary="Redirect to a verified copy of the document, for five minutes",
    )
    async def fetch(self, principal: SignedIn, document_id: FromPath[UUID]) -> Redirect:
        url = await service.read_document(principal, document_id)
        return Redirect(path=url, status_code=303, headers=NO_STORE)

    @get("/{document_id:uuid}/metadata", summary="A document's record: name, type, size, SHA-256")
    async def metadata(self, principal: SignedIn, document_id: FromPath[UUID]) -> schemas.Document:
        return await service.document_metadata(principal, document_id)

    @get(
        "/{document_id:uuid}/content",
        opt={"public": True},  # the signature is the permission, as with an S3 presigned URL
        summary="The verified bytes behind a signed link from GET /documents/{id}",
    )
    async def content(
        self, document_id: FromPath[UUID], expires: FromQuery[int], signature: FromQuery[str]
    ) -> Response[bytes]:
        found = await service.document_content(document_id, expires, signature)
        document = found.document
        media_type = document.media_type
        if media_type.startswith("text/"):
            media_type += "; charset=utf-8"
        digest = sha256_base64(document.sha256)
        return Response(
            content=found.content,
            media_type=media_type,
            headers={
                **NO_STORE,
                "content-disposition": content_disposition(document.filename),
                "x-content-type-options": "nosniff",
                "digest": f"sha-256={digest}",
                "repr-digest": f"sha-256=:{digest}:",
            },
        )
