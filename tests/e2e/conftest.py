"""Browser journeys: the real `marketplace` command serving a demo database on SQLite and on
PostgreSQL, driven by Debian's Chromium through Playwright (never `playwright install`)."""

from __future__ import annotations

import functools
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    drop_postgres_database,
    recreate_postgres_database,
    run_in_own_loop,
    service_url,
)

REPO = Path(__file__).parents[2]
MARKETPLACE = REPO / ".venv" / "bin" / "marketplace"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 AA: the A and AA rules of each version (axe tags each rule with the version that
# introduced it).
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Markup that only GOV.UK's own header, footer, icons and typeface use: no page may carry it.
CROWN_MARKERS = (
    "govuk-logo",
    "govuk-header__logotype",
    "govuk-footer__crown",
    "govuk-footer__copyright-logo",
    "govuk-footer__licence-logo",
    "Crown copyright",
    "Royal Arms",
    "Open Government Licence",
    "GDS Transport",
    "/assets/images/",
    "/assets/fonts/",
)
E2E_DATABASE = f"marketplace_e2e_{os.getpid()}"
# With JavaScript off in the browser, the page's timers never fire, though what the test itself
# evaluates still runs: axe-core's zero-delay yields (setTimeout, requestAnimationFrame) then run
# as microtasks, so it checks the page as people without JavaScript see it. Longer delays are
# axe-core's time limits, which never need to fire.
TIMERS_WITHOUT_JAVASCRIPT = """() => {
    window.setTimeout = (run, delay, ...args) => {
        if (!delay) Promise.resolve().then(() => run(...args));
        return 0;
    };
    window.clearTimeout = () => {};
    window.requestAnimationFrame = (run) => {
        Promise.resolve().then(() => run(performance.now()));
        return 0;
    };
}"""
START_TIMEOUT_SECONDS = 60
COMMAND_TIMEOUT_SECONDS = 300


@dataclass
class Server:
    url: str
    engine: str
    log: Path

    def log_text(self, since: int = 0) -> str:
        return self.log.read_text(errors="replace")[since:] if self.log.exists() else ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url(engine: str, folder: Path) -> str:
    if engine == "sqlite":
        return f"sqlite:///{folder / 'marketplace.sqlite'}"
    admin_url = service_url("DATABASE_URL")
    run_in_own_loop(recreate_postgres_database(admin_url, E2E_DATABASE))
    return admin_url.rsplit("/", 1)[0] + f"/{E2E_DATABASE}"


def _run_command(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("a") as out:
        out.write(f"$ marketplace {' '.join(args)}\n")
        out.flush()
        result = subprocess.run(
            [str(MARKETPLACE), *args],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
    if result.returncode != 0:
        pytest.fail(
            f"`marketplace {' '.join(args)}` failed ({result.returncode}):\n{log.read_text()}"
        )


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`marketplace run` exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(
        f"`marketplace run` did not answer /healthz in {START_TIMEOUT_SECONDS} s:\n{log.read_text()}"
    )


@pytest.fixture(scope="package", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A demo marketplace served by `marketplace run` on a fresh database of the engine."""
    engine = str(request.param)
    folder = tmp_path_factory.mktemp(f"e2e-{engine}")
    log = folder / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(engine, folder),
        "MARKETPLACE_VAR_DIR": str(folder / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    _run_command(["migrate"], env, log)
    _run_command(["demo"], env, log)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("a") as out:
        out.write(f"$ marketplace run --port {port}\n")
        out.flush()
        process = subprocess.Popen(
            [str(MARKETPLACE), "run", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_serving(url, process, log)
        yield Server(url=url, engine=engine, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if engine == "postgres":
            run_in_own_loop(drop_postgres_database(service_url("DATABASE_URL"), E2E_DATABASE))


# Package scope, not session: Playwright's sync API keeps an event loop running in this thread
# while the browser is open, and the async tests that follow need the thread to themselves.
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# What makes two pages of one route different kinds: the Design System states they show (an
# error summary, a notification banner, a warning).
PAGE_STATES = ("govuk-error-summary", "govuk-notification-banner", "govuk-warning-text")


def page_kind(url: str, html: str) -> tuple[str, ...]:
    """The page's server and route (ids, references and numbers in its path as placeholders, the
    names of its query's fields) and the Design System states it shows."""
    parts = urllib.parse.urlsplit(url)
    route = re.sub(r"/[^/]*\d[^/]*", "/{}", parts.path.rstrip("/") or "/")
    fields = ",".join(sorted(urllib.parse.parse_qs(parts.query, keep_blank_values=True)))
    return (parts.netloc, route, fields, *(state for state in PAGE_STATES if state in html))


class AccessibilityCheck:
    """Runs axe-core (WCAG 2.2 AA) on every document a test's page loads, and checks that it
    carries none of GOV.UK's own brand (CROWN_MARKERS).

    Each of the page's actions (goto, click, fill, locator, ...) first checks the document on
    screen if it has not been checked yet, so a page is checked before the test leaves it; the
    last one is checked when the test ends. An htmx swap marks the document as changed, so the
    swapped content is checked at the next action. Violations fail the test, listed by rule,
    element and help text. With JavaScript off, axe-core checks each kind of page (page_kind)
    once in the run, the brand on every document."""

    # The page's methods that act on the document or start a navigation.
    BEFORE = (
        "click",
        "fill",
        "check",
        "uncheck",
        "select_option",
        "set_input_files",
        "press",
        "locator",
        "get_by_role",
        "get_by_text",
        "get_by_label",
        "screenshot",
        "goto",
        "go_back",
        "reload",
    )
    # ... and those that wait for a new document to load, checked once they return.
    AFTER = ("goto", "go_back", "reload")
    # The kinds of page (page_kind) checked with JavaScript off, for the whole run.
    KINDS_CHECKED_WITHOUT_JAVASCRIPT: set[tuple[str, ...]] = set()

    # Whether the page's JavaScript runs, and whether the document may have changed since it was
    # last checked (a navigation or an htmx swap since), which spares asking the browser.
    javascript = True
    changed = True

    def __init__(self, page: Any, *, javascript: bool = True) -> None:
        self.page = page
        self.javascript = javascript
        self.checked: list[str] = []
        self.running = False
        page.on("framenavigated", lambda frame: self._changed(frame == page.main_frame))
        if javascript:
            page.expose_binding("__axeDocumentChanged", lambda _source: self._changed(True))
            page.add_init_script(
                "document.addEventListener('htmx:afterSettle', () => {"
                " window.__axeChecked = false; window.__axeDocumentChanged() })"
            )
        for name in self.BEFORE:
            setattr(page, name, self._wrap(name, getattr(page, name)))

    def _wrap(self, name: str, method: Any) -> Any:
        def checked_first(*args: Any, **kwargs: Any) -> Any:
            self.check()
            result = method(*args, **kwargs)
            if name in self.AFTER:
                self.check()
            return result

        return checked_first

    def _changed(self, changed: bool) -> None:
        self.changed = self.changed or changed

    def check(self) -> None:
        """Check the document on screen unless it was checked already."""
        if self.running or not self.changed or self.page.is_closed():
            return
        self.running = True
        self.changed = False
        try:
            for attempt in range(3):
                try:
                    self._check_once()
                    return
                except Exception as error:  # a navigation replaced the document meanwhile
                    if "context was destroyed" not in str(error) or attempt == 2:
                        raise
        finally:
            self.running = False

    def _check_once(self) -> None:
        page = self.page
        page.wait_for_load_state("load")
        if page.url == "about:blank" or page.evaluate("() => window.__axeChecked === true"):
            return
        html = page.content()
        branded = [marker for marker in CROWN_MARKERS if marker in html]
        assert not branded, f"{page.url} carries GOV.UK's own brand: {branded}"
        if not self.javascript:
            # Without JavaScript, each kind of page is checked once per server: the journeys
            # with it on check every document, and axe-core is most of a journey's time.
            kind = page_kind(page.url, html)
            if kind in self.KINDS_CHECKED_WITHOUT_JAVASCRIPT:
                page.evaluate("() => { window.__axeChecked = true }")
                return
            self.KINDS_CHECKED_WITHOUT_JAVASCRIPT.add(kind)
        if not page.evaluate("() => typeof window.axe === 'object'"):
            if not self.javascript:
                page.evaluate(TIMERS_WITHOUT_JAVASCRIPT)
            # Evaluated through the DevTools protocol, not added as a <script>: the page's
            # Content-Security-Policy rightly refuses an inline script without its nonce.
            page.evaluate(_axe_source())
        violations = page.evaluate(
            """async (tags) => {
                const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                window.__axeChecked = true;
                return results.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.map(n => n.target.join(" ")),
                }));
            }""",
            WCAG_22_AA,
        )
        self.checked.append(page.url)
        if violations:
            lines = [
                f"- {v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'][:5])}"
                for v in violations
            ]
            raise AssertionError(
                f"axe-core found {len(violations)} WCAG 2.2 AA violation(s) on {page.url}:\n"
                + "\n".join(lines)
            )


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8") + "\n;undefined"


# The two ways a journey is walked: with the pages' JavaScript (htmx, govuk-frontend, the charts)
# and without it, where every form posts and redirects and every page reads without script.
BOTH_WAYS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])


@contextmanager
def checked_page(browser: Any, server: Server, *, javascript: bool) -> Iterator[Any]:
    """A page in a fresh browser context (no cookies) on the server, with JavaScript on or off;
    axe-core checks every document it shows (AccessibilityCheck), and nothing it uses may be
    blocked by the Content-Security-Policy (web/headers.py). The caller checks the last
    document (`.accessibility.check()`) when what it did passed."""
    context = browser.new_context(
        base_url=server.url,
        viewport={"width": 1280, "height": 900},
        java_script_enabled=javascript,
    )
    # Generous: `make test` runs two pytest processes on a 2-core machine, and a page's first
    # request may wait on the server's start-up work; a real failure still fails, only later.
    context.set_default_timeout(30_000)
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.accessibility_check = AccessibilityCheck(page, javascript=javascript)
    try:
        yield page
    finally:
        page.context.close()
    assert not blocked, f"the Content-Security-Policy blocked: {blocked}"


@pytest.fixture
def javascript() -> bool:
    """Whether the test's `page` runs the pages' JavaScript: on, unless the test is walked both
    ways (BOTH_WAYS) or asks for `page_without_javascript`."""
    return True


def _page_for(
    browser: Any, server: Server, request: pytest.FixtureRequest, *, javascript: bool
) -> Iterator[Any]:
    with checked_page(browser, server, javascript=javascript) as page:
        yield page
        report = getattr(request.node, "report_call", None)
        if report is not None and report.passed:
            page.accessibility_check.check()


@pytest.fixture
def page(
    browser: Any, server: Server, request: pytest.FixtureRequest, javascript: bool
) -> Iterator[Any]:
    """A fresh browser context on the server for one test (checked_page), with JavaScript on
    unless the test is walked both ways (BOTH_WAYS)."""
    yield from _page_for(browser, server, request, javascript=javascript)


@pytest.fixture
def page_without_javascript(
    browser: Any, server: Server, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A fresh browser context with JavaScript turned off: every form must work as a plain POST,
    and axe-core checks each page as it reads without script."""
    yield from _page_for(browser, server, request, javascript=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(autouse=True)
def server_log_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print what the server logged during a test that failed."""
    if "server" not in request.fixturenames:
        yield
        return
    server: Server = request.getfixturevalue("server")
    start = len(server.log_text())
    yield
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        print(f"--- marketplace run ({server.engine}) log during the test ---")
        print(server.log_text(start) or "(nothing)")
