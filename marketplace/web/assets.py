"""Front-end assets: the GOV.UK stylesheet compiled from our Sass entry (system font, no GOV.UK
brand), the rest copied from node_modules; all fingerprinted into build/, pre-compressed, and
served by whitenoise in front of the ASGI app (whitenoise speaks WSGI, hence a2wsgi)."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import subprocess
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
STYLES = Path(__file__).parent / "styles"
SASS = NODE_MODULES / ".bin" / "sass"
COMPILED_CSS = BUILD / "compiled" / "govuk-frontend.min.css"
# What the compiled stylesheet is made from: a newer one means compiling again.
STYLE_INPUTS = [*sorted(STYLES.glob("*.scss")), NODE_MODULES / "govuk-frontend" / "package.json"]
MANIFEST = STATIC_BUILD / "manifest.json"
FINGERPRINTED = re.compile(r"\.[0-9a-f]{12}\.")
ONE_YEAR = 365 * 24 * 3600

# logical name -> source file
SOURCES: dict[str, Path] = {
    "govuk-frontend.min.css": COMPILED_CSS,
    "govuk-frontend.min.js": NODE_MODULES / "govuk-frontend/dist/govuk/govuk-frontend.min.js",
    "htmx.min.js": NODE_MODULES / "htmx.org/dist/htmx.min.js",
    "chart.umd.min.js": NODE_MODULES / "chart.js/dist/chart.umd.min.js",
    "marketplace.css": OWN_STATIC / "marketplace.css",
    "favicon.svg": OWN_STATIC / "favicon.svg",
    "charts.js": OWN_STATIC / "charts.js",
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


def _stylesheet_is_current() -> bool:
    if not COMPILED_CSS.exists():
        return False
    built = COMPILED_CSS.stat().st_mtime
    return all(path.exists() and path.stat().st_mtime <= built for path in STYLE_INPUTS)


def compile_stylesheet() -> None:
    """Compile styles/govuk-frontend.scss (govuk-frontend's Sass with the marketplace's font and
    brand settings) with Dart Sass from node_modules, unless the compiled file is newer than
    every input (the container image compiles it in its Node.js stage: infra/Dockerfile)."""
    if _stylesheet_is_current():
        return
    if not SASS.exists():
        raise AssetsMissing(f"the Sass compiler is missing ({SASS}): run `npm ci`")
    COMPILED_CSS.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(  # noqa: S603 (our own entry file and node_modules' compiler)
        [
            str(SASS),
            f"--load-path={NODE_MODULES}",
            "--style=compressed",
            "--no-source-map",
            "--quiet-deps",
            str(STYLES / "govuk-frontend.scss"),
            str(COMPILED_CSS),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssetsMissing(f"the stylesheet did not compile:\n{result.stderr}")


def collect_static() -> dict[str, str]:
    """Compile the stylesheet, then copy every asset into build/static under a content-hashed
    name, with a .gz beside it."""
    compile_stylesheet()
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
        inputs = [*STYLE_INPUTS, *(path for path in SOURCES.values() if path != COMPILED_CSS)]
        if all(path.exists() and path.stat().st_mtime <= built for path in inputs):
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
    """Serve /static (fingerprinted, cached for a year) through whitenoise; send everything else
    to the Litestar app. GOV.UK's own fonts and images (/assets in govuk-frontend) are not
    served: they are the GDS Transport typeface and the crown, reserved for GOV.UK."""
    files = _FingerprintedFiles(
        _not_found,
        root=str(STATIC_BUILD),
        prefix="static/",
        max_age=3600,
        immutable_file_test=lambda _path, url: bool(FINGERPRINTED.search(url)),
        autorefresh=False,
    )
    static_app = WSGIMiddleware(files)

    async def front(scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/static/"):
            await static_app(scope, receive, send)
        else:
            await app(scope, receive, send)

    return front
