"""A real server (uvicorn, as `pbvote serve` runs it) and Debian's Chromium, for page tests."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import REPO, demo_copy, drop_database, server_env
from tests.helpers import HANG_SECONDS, free_port, wait_for_health

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The database each live server serves (its base address -> URL), for tests that count rows.
DATABASE_OF: dict[str, str] = {}
# The screenshots the docs show: refreshed in docs/screenshots with PBVOTE_DOCS_SCREENSHOTS=1,
# else written to var/screenshots, so that a test run leaves the work tree as it was.
DOCS_SCREENSHOTS = (
    REPO / ("docs" if os.environ.get("PBVOTE_DOCS_SCREENSHOTS") else "var") / "screenshots"
)
DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@contextmanager
def serving(database_url: str, tmp_path: Path, **env: str) -> Iterator[str]:
    """`pbvote serve` on a free port for `database_url` (with `env` added), its address;
    stopped and the database dropped at the end."""
    port = free_port()
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env={**server_env(database_url), **env},
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, server, log=(tmp_path / "server.log").read_text)
        DATABASE_OF[base] = database_url
        yield base
    finally:
        server.terminate()
        server.wait(timeout=HANG_SECONDS)
        log.close()
        drop_database(database_url)


@pytest.fixture(scope="module")
def live_server(backend, tmp_path_factory) -> Iterator[str]:
    """The demo served by uvicorn on a free port, one per test module and backend.

    Tests may change what it serves (e.g. cast ballots); each module gets its own copy.
    """
    tmp_path = tmp_path_factory.mktemp("live")
    with serving(demo_copy(backend, tmp_path).url, tmp_path) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Chromium for the page tests (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# How Chromium reports what the Content-Security-Policy blocked, in the console:
# "Refused to … because it violates the following Content Security Policy directive …" or,
# in newer versions, "Executing inline script violates the following … directive …".
CSP_VIOLATION = "violates the following Content Security Policy directive"


@pytest.fixture(autouse=True)
def no_csp_violations(request, monkeypatch) -> Iterator[list[str]]:
    """Every browser test fails if a page it opened had something blocked by the
    Content-Security-Policy (app/headers.py): an inline script or style, an inline event
    handler, a load from elsewhere. Each context the test makes (`browser.new_context`, as
    the `page` fixture and the tests do) is watched from its first page on."""
    if "browser" not in request.fixturenames:
        yield []
        return
    browser = request.getfixturevalue("browser")
    refused: list[str] = []
    new_context = browser.new_context

    def note(text: str) -> None:
        if CSP_VIOLATION in text:
            refused.append(text)

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("console", lambda message: note(message.text))
        context.on("weberror", lambda error: note(str(error.error)))
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    yield refused
    if refused:
        pytest.fail("the Content-Security-Policy blocked:\n" + "\n".join(refused))


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a small phone
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshots() -> Path:
    """Where page tests leave screenshots for people to look at (var/screenshots)."""
    path = REPO / "var" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
