"""Front-end assets: copied from node_modules into build/, fingerprinted, pre-compressed, and
served by whitenoise in front of the ASGI app (whitenoise speaks WSGI, hence a2wsgi)."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
from functools import cache
from pathlib import Path
from typing import Any

from a2wsgi import WSGIMiddleware
from whitenoise import WhiteNoise

from marketplace.config import PROJECT_ROOT

NODE_MODULES = PROJECT_ROOT / "node_modules"
OWN_STATIC = Path(__file__).parent / "static"
BUILD = PROJECT_ROOT / "build"
STATIC_BUILD = BUILD / "static"
GOVUK_ASSETS = NODE_MODULES / "govuk-frontend" / "dist" / "govuk" / "assets"
MANIFEST = STATIC_BUILD / "manifest.json"
FINGERPRINTED = re.compile(r"\.[0-9a-f]{12}\.")
ONE_YEAR = 365 * 24 * 3600

# logical name -> source file
SOURCES: dict[str, Path] = {
    "govuk-frontend.min.css": NODE_MODULES / "govuk-frontend/dist/govuk/govuk-frontend.min.css",
    "govuk-frontend.min.js": NODE_MODULES / "govuk-frontend/dist/govuk/govuk-frontend.min.js",
    "htmx.min.js": NODE_MODULES / "htmx.org/dist/htmx.min.js",
    "chart.umd.min.js": NODE_MODULES / "chart.js/dist/chart.umd.min.js",
    "marketplace.css": OWN_STATIC / "marketplace.css",
    "evaluation-chart.js": OWN_STATIC / "evaluation-chart.js",
    "framework-share-chart.js": OWN_STATIC / "framework-share-chart.js",
    "swagger-ui-bundle.js": NODE_MODULES / "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js": NODE_MODULES
    / "swagger-ui-dist/swagger-ui-standalone-preset.js",
    "swagger-ui.css": NODE_MODULES / "swagger-ui-dist/swagger-ui.css",
}


class AssetsMissing(Exception):
    pass


def _fingerprinted_name(logical: str, content: bytes) -> str:
    stem, dot, suffix = logical.partition(".")
    return f"{stem}.{hashlib.sha256(content).hexdigest()[:12]}.{suffix}" if dot else logical


def collect_static() -> dict[str, str]:
    """Copy every asset into build/static under a content-hashed name, with a .gz beside it."""
    missing = [str(path) for path in SOURCES.values() if not path.exists()]
    if missing:
        raise AssetsMissing(f"front-end assets are missing ({', '.join(missing)}): run `npm ci`")
    if STATIC_BUILD.exists():
        shutil.rmtree(STATIC_BUILD)
    STATIC_BUILD.mkdir(parents=True)
    manifest: dict[str, str] = {}
    for logical, source in SOURCES.items():
        content = source.read_bytes()
        name = _fingerprinted_name(logical, content)
        (STATIC_BUILD / name).write_bytes(content)
        (STATIC_BUILD / f"{name}.gz").write_bytes(gzip.compress(content, mtime=0))
        manifest[logical] = name
    MANIFEST.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    manifest_of.cache_clear()
    return manifest


def ensure_static() -> None:
    """Collect the assets when build/ is missing or older than a source."""
    if MANIFEST.exists():
        built = MANIFEST.stat().st_mtime
        if all(path.exists() and path.stat().st_mtime <= built for path in SOURCES.values()):
            return
    collect_static()


@cache
def manifest_of() -> dict[str, str]:
    return json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}


def static_url(logical: str) -> str:
    """The URL of an asset, fingerprinted so that it may be cached for a year."""
    return f"/static/{manifest_of().get(logical, logical)}"


class _FingerprintedFiles(WhiteNoise):
    # whitenoise's default "forever" is ten years; a year is what browsers and proxies honour.
    FOREVER = ONE_YEAR


def _not_found(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
    return [b"Not found"]


def with_static_files(app: Any) -> Any:
    """Serve /static (fingerprinted, cached for a year) and /assets (GOV.UK fonts and images)
    through whitenoise; send everything else to the Litestar app."""
    files = _FingerprintedFiles(
        _not_found,
        root=str(STATIC_BUILD),
        prefix="static/",
        max_age=3600,
        immutable_file_test=lambda _path, url: bool(FINGERPRINTED.search(url)),
        autorefresh=False,
    )
    if GOVUK_ASSETS.exists():
        files.add_files(str(GOVUK_ASSETS), prefix="assets/")
    static_app = WSGIMiddleware(files)

    async def front(scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(("/static/", "/assets/")):
            await static_app(scope, receive, send)
        else:
            await app(scope, receive, send)

    return front
