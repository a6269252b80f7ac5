"""The request pipeline: whole bodies of bounded size first, a database slot only while the
request talks to the database (see app/db.py).

The slow-client tests drive the ASGI app directly, so a client can stall mid-body or stop
reading the response for as long as the test wants; they run on real databases that
commit for real.
"""

import asyncio
import json
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import settings_for
from tests.helpers import HANG_SECONDS
from tests.voting.test_concurrency import live, make_codes, row_counts  # noqa: F401 (fixture)

# A healthy pipeline answers in well under a second; a blocked one never does. The limit
# only stops a real hang (a loaded machine may be very slow, never this slow).
ANSWER_WITHIN = HANG_SECONDS


@pytest.fixture
def live_app(live):  # noqa: F811 (the imported fixture)
    url, engine, factory, world = live
    return create_app(settings_for(url), engine=engine), factory, world


def _run(coroutine):
    """asyncio.run in a thread of its own: a browser test's sync Playwright may have left
    an event loop running in this one."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _scope(path: str, length: int) -> dict:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(length).encode())]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }


async def _post(
    app,
    path: str,
    body: bytes,
    *,
    stall_after: int | None = None,
    stalled: asyncio.Event | None = None,
    reader=None,
):
    """POST `body`; with `stall_after`, send that many bytes and then nothing more until
    cancelled (`stalled` is set once the app waits for the rest). `reader` receives the
    response messages (it may block, like a slow client)."""
    chunks = [body] if stall_after is None else [body[:stall_after]]
    sent: list[dict] = []
    never = asyncio.Event()

    async def receive() -> dict:
        if chunks:
            chunk = chunks.pop(0)
            more = stall_after is not None
            return {"type": "http.request", "body": chunk, "more_body": more}
        if stalled is not None:
            stalled.set()
        await never.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)
        if reader is not None:
            await reader(message)

    await app(_scope(path, len(body)), receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def _ballot(world, code: str) -> bytes:
    body = {"credential": {"access_code": code}, "ranking": world.proposals[:3]}
    return json.dumps(body).encode()


def test_a_stalled_upload_does_not_stop_another_voters_cast(live_app):
    app, factory, world = live_app
    first, second = make_codes(factory, world.process_id, 2)
    path = f"/api/processes/{world.process_id}/ballots"

    async def scenario() -> int:
        body = _ballot(world, first)
        waiting = asyncio.Event()
        stalled = asyncio.create_task(_post(app, path, body, stall_after=10, stalled=waiting))
        try:
            # As far as the stalled request can get: the app holds its first bytes and
            # waits for the rest.
            await asyncio.wait_for(waiting.wait(), ANSWER_WITHIN)
            status, _ = await asyncio.wait_for(
                _post(app, path, _ballot(world, second)), ANSWER_WITHIN
            )
        finally:
            stalled.cancel()
        return status

    assert _run(scenario()) == 201
    assert row_counts(factory) == (1, 1, 1)


def test_a_slow_reader_of_a_response_holds_no_slot_and_its_ballot_is_stored(live_app):
    app, factory, world = live_app
    first, second = make_codes(factory, world.process_id, 2)
    path = f"/api/processes/{world.process_id}/ballots"

    async def scenario() -> tuple[int, tuple, int]:
        release = asyncio.Event()
        started = asyncio.Event()

        async def slow_reader(message: dict) -> None:
            started.set()
            await release.wait()

        slow = asyncio.create_task(_post(app, path, _ballot(world, first), reader=slow_reader))
        await asyncio.wait_for(started.wait(), ANSWER_WITHIN)
        # The first voter's answer is on its way: its ballot is on disk already.
        stored_before = row_counts(factory)
        status, _ = await asyncio.wait_for(_post(app, path, _ballot(world, second)), ANSWER_WITHIN)
        release.set()
        first_status, _ = await asyncio.wait_for(slow, ANSWER_WITHIN)
        return status, stored_before, first_status

    status, stored_before, first_status = _run(scenario())
    assert (status, first_status) == (201, 201)
    assert stored_before == (1, 1, 1)
    assert row_counts(factory) == (2, 2, 2)


@pytest.fixture
def small_client(settings, engine, session_factory):
    limited = settings.model_copy(update={"max_body_bytes": 1000, "max_upload_bytes": 5000})
    app = create_app(limited, engine=engine, session_factory=session_factory)
    with TestClient(app) as client:
        yield client


def _chunks(total: int, size: int = 100):
    for _ in range(total // size):
        yield b" " * size


def test_an_oversized_json_body_is_refused_before_it_is_parsed(small_client):
    # Not even valid JSON: the size, not the content, is refused.
    r = small_client.post("/api/processes/1/ballots", content=b"x" * 1001)
    assert r.status_code == 413
    assert r.json()["error"] == "too_large"
    assert "at most" in r.json()["message"]


def test_an_oversized_body_without_length_is_refused_while_it_arrives(small_client):
    r = small_client.post(
        "/api/processes/1/ballots", content=_chunks(3000), headers={"content-type": "text/json"}
    )
    assert "content-length" not in r.request.headers
    assert r.status_code == 413
    assert r.json()["error"] == "too_large"


def test_a_body_without_length_below_the_limit_is_read_as_usual(small_client):
    body = iter([b'{"credential": {"access_code": ', b'"AAAA"}, "ranking": [1]}'])
    r = small_client.post("/api/processes/1/ballots", content=body)
    assert "content-length" not in r.request.headers
    assert r.status_code not in (413, 500)
    assert r.json()["error"] != "too_large"


def test_an_oversized_form_gets_an_error_page(small_client):
    r = small_client.post(
        "/processes/1/vote",
        data={"rank_1": "1" * 2000},
        headers={"accept": "text/html", "origin": "http://testserver"},
    )
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("text/html")
    assert "at most" in r.text


def test_a_csv_upload_may_be_larger_than_a_json_body_up_to_its_own_limit(small_client, organizer):
    csv_headers = {"content-type": "text/csv", **organizer.headers}
    r = small_client.post("/api/paper-batches/1/import", content=b"a" * 3000, headers=csv_headers)
    assert r.status_code == 404  # read in full, then refused: there is no batch 1
    r = small_client.post("/api/paper-batches/1/import", content=b"a" * 5001, headers=csv_headers)
    assert r.status_code == 413


def test_an_upload_from_someone_not_signed_in_is_refused_before_its_body_is_read(
    small_client,
):
    """The answer, here; that nothing of the body is held is shown against a real server
    (tests/test_slow_clients.py)."""
    for headers in ({}, {"Authorization": "Bearer forged.token"}):
        r = small_client.post(
            "/api/paper-batches/1/import",
            content=b"a" * 4000,
            headers={"content-type": "text/csv", **headers},
        )
        assert r.status_code == 401 and r.json()["error"] == "not_authenticated"
        assert r.headers["connection"] == "close"
    pages = ["/organize/processes/1/paper/import", "/organize/processes/1/equity/population"]
    for path in pages:
        r = small_client.post(path, content=b"a" * 4000, headers={"accept": "text/html"})
        assert r.status_code == 401 and "Sign in first" in r.text


def test_rendering_a_page_imports_no_domain_service():
    """errors -> web -> processes/service -> ideas/criteria was an import circle."""
    code = (
        "import sys, app.errors, app.web.render, app.web.deps; "
        "print(sorted(m for m in sys.modules if m.startswith('app.') and m.endswith('service')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


STAFF_PAGE_POSTS = [
    "/station/login",
    "/station/logout",
    "/station/sites/1/check-in",
    "/station/sites/1/kiosk",
    "/station/sites/1/paper-batches",
    "/station/batches/1",
    "/delegate/ideas/1",
    "/organize/batches/1/sheets/1",
    "/organize/processes/1/proposals/1/approve",
    "/organize/processes/1/codes",
    "/organize/processes/new",
    "/organize/processes/1/edit",
    "/organize/processes/1/phase",
    "/organize/processes/1/window",
    "/organize/processes/1/archive",
    "/organize/processes/1/copy",
    "/organize/processes/1/ideas/moderate",
    "/organize/processes/1/ideas/paper",
    "/delegate/processes/1/proposals/new",
    "/delegate/proposals/1",
    "/organize/processes/1/proposals/1/approve",
]


@pytest.mark.parametrize("path", STAFF_PAGE_POSTS)
def test_every_staff_page_post_must_come_from_this_site(client, path):
    r = client.post(path, data={"x": "1"}, headers={"origin": "https://elsewhere.example"})
    assert r.status_code == 403
    assert r.json()["error"] == "cross_site"
