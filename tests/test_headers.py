"""Every answer carries the safe headers (app/headers.py), and HEAD answers as GET does.

The routes are read from the app itself: every GET route, with its path filled from a
process that has something of every kind, is asked anonymously and as an organizer, by
GET and by HEAD; every other route is sent an empty request. Then the answers no route
gives: static files, an unknown path, a 405, a 413, the 500 page.
"""

import re

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import delete

from app.headers import API_DOCS_PATHS, API_DOCS_POLICY, HSTS, PAGE_POLICY
from app.main import WEB_DIR, create_app
from app.results.models import OfficialResult
from app.voting.ballot_steps import qr_svg
from tests.test_phase_matrix import build

SAFE = {
    "content-security-policy": PAGE_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
# Path parameters no fixture row names: any value gives an answer to check.
OTHER_PARAMS = {
    "sheet": "1",
    "decision": "approve",
    "receipt": "ABCD-EFGH",
    "token": "not-a-token",
    "name": "ballots.csv",
}
STATIC_FILES = sorted(p.name for p in (WEB_DIR / "static").iterdir() if p.is_file())


def assert_safe(response, *, https: bool = False) -> None:
    path = response.request.url.path
    expected = {**SAFE}  # the tests' apps serve no API docs pages (PBVOTE_API_DOCS unset)
    found = {name: response.headers.get(name) for name in expected}
    where = f"{response.request.method} {path} ({response.status_code})"
    assert found == expected, where
    assert ("strict-transport-security" in response.headers) == https, where


def comparable(response) -> tuple[int, dict[str, object], list[str]]:
    """Status and headers; of the cookies set, their names (a value may be new each time);
    of the length, that it is said (a page may say the time, which moves between the two)."""
    headers: dict[str, object] = {
        k: v for k, v in response.headers.items() if k not in ("date", "set-cookie")
    }
    headers["content-length"] = "content-length" in response.headers
    if (
        "location" in headers
    ):  # a page's new form instance (?f=, app/web/form_token.py) is new each time
        headers["location"] = re.sub(r"([?&]f=)[^&]+", r"\1…", str(headers["location"]))
    cookies = sorted(c.split("=", 1)[0] for c in response.headers.get_list("set-cookie"))
    return response.status_code, headers, cookies


def get_and_head(client: TestClient, headers: dict[str, str], path: str) -> None:
    got = client.get(path, headers=headers, follow_redirects=False)
    head = client.head(path, headers=headers, follow_redirects=False)
    assert_safe(got)
    assert_safe(head)
    assert head.content == b"", path
    assert comparable(head) == comparable(got), path


def fill(path: str, ids: dict[str, int]) -> str:
    values = {**OTHER_PARAMS, **{k: str(v) for k, v in ids.items()}}
    return re.sub(r"{(\w+)(:\w+)?}", lambda m: values[m.group(1)], path)


def test_every_route_answers_with_the_safe_headers_and_head_as_get(
    app, client, session_factory, make_staff, organizer
):
    world = build(app, client, session_factory, make_staff, organizer)
    with session_factory() as session:  # the matrix's stand-in count is no real count
        session.execute(delete(OfficialResult))
        session.commit()
    anonymous = TestClient(app, base_url="http://testserver")
    organizer_page, _ = world.clients["organizer_page"]
    routes = [
        (route.path, frozenset(route.original_route.methods))
        for route in iter_route_contexts(app.routes)
        if getattr(route.original_route, "methods", None)  # not the static files' mount
    ]

    def asked(path: str, who: str) -> tuple[TestClient, dict[str, str]]:
        page = {} if path.startswith("/api") else {"Accept": "text/html"}
        if who == "anonymous":
            return anonymous, page
        return organizer_page, {**organizer.headers, **page}  # the page cookie and the token

    for route_path, methods in routes:
        if "GET" in methods:
            path = fill(route_path, world.ids)
            for who in ("anonymous", "organizer"):
                get_and_head(*asked(path, who), path)
    # Then every other method, signing out last (an organizer's empty form may succeed).
    for route_path, methods in sorted(routes, key=lambda r: "logout" in r[0]):
        path = fill(route_path, world.ids)
        for method in sorted(methods - {"GET", "HEAD"}):
            for who in ("anonymous", "organizer"):
                client_of, headers = asked(path, who)
                headers = {**headers, "Origin": "http://testserver"}
                assert_safe(client_of.request(method, path, headers=headers))
    assert len(set(routes)) == len(routes) > 150  # all of them, each once


@pytest.mark.parametrize("name", STATIC_FILES)
def test_static_files_carry_them_and_answer_head(client, name):
    get_and_head(client, {}, f"/static/{name}")
    got, head = client.get(f"/static/{name}"), client.head(f"/static/{name}")
    assert got.status_code == 200
    assert head.headers["content-length"] == got.headers["content-length"] == str(len(got.content))


def test_answers_no_route_gives_carry_them(client, settings):
    html = {"Accept": "text/html"}
    unknown = client.get("/no/such/page", headers=html)
    assert unknown.status_code == 404 and "text/html" in unknown.headers["content-type"]
    assert_safe(unknown)
    json_error = client.get("/api/processes/999999")
    assert json_error.status_code == 404 and json_error.json()["error"] == "not_found"
    assert_safe(json_error)
    not_allowed = client.post("/", headers={"Origin": "http://testserver"})
    assert not_allowed.status_code == 405
    assert_safe(not_allowed)
    head_not_allowed = client.head("/api/auth/token")  # a POST-only route: as its GET
    assert head_not_allowed.status_code == 405 and head_not_allowed.content == b""
    assert_safe(head_not_allowed)
    # Refused by app/bodylimit.py before the app sees the request.
    too_large = client.post("/api/processes", content=b"x" * (settings.max_body_bytes + 1))
    assert too_large.status_code == 413
    assert_safe(too_large)
    get_and_head(client, html, "/no/such/page")


def test_the_500_page_carries_them(app):
    @app.get("/broken-on-purpose")
    def broken():
        raise RuntimeError("a bug")

    client = TestClient(app, raise_server_exceptions=False)
    for headers in ({"Accept": "text/html"}, {}):
        answer = client.get("/broken-on-purpose", headers=headers)
        assert answer.status_code == 500
        assert_safe(answer)
    head = client.head("/broken-on-purpose", headers={"Accept": "text/html"})
    assert head.status_code == 500 and head.content == b""
    assert_safe(head)


@pytest.mark.parametrize("https", [True, False])
def test_hsts_only_when_served_over_https(settings, engine, session_factory, https):
    app = create_app(
        settings.model_copy(update={"https": https}), engine=engine, session_factory=session_factory
    )
    client = TestClient(app, raise_server_exceptions=False)
    answers = [
        client.get("/"),
        client.get("/static/site.css"),
        client.get("/no/such/page", headers={"Accept": "text/html"}),
        client.head("/"),
        client.post("/api/processes", content=b"x" * (settings.max_body_bytes + 1)),
    ]
    for answer in answers:
        assert_safe(answer, https=https)
        if https:
            assert answer.headers["strict-transport-security"] == HSTS


def test_the_pages_have_no_inline_script_or_style():
    """What the policy would block: the templates and the HTML drawn in code (the receipt's
    QR code) load their scripts and styles as files."""
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|javascript:"
        r"|\son(?:click|dblclick|change|input|submit|reset|load|error|focus|blur|pageshow"
        r"|key\w+|mouse\w+|pointer\w+|touch\w+)\s*=",
        re.I,
    )
    drawn = {
        **{
            str(path.relative_to(WEB_DIR)): path.read_text()
            for path in sorted((WEB_DIR / "templates").rglob("*.html"))
        },
        "qr_svg": str(qr_svg("https://pbvote.example/processes/1/receipt", "Check it")),
    }
    found = [f"{name}: {m.group(0)}" for name, html in drawn.items() for m in inline.finditer(html)]
    assert found == []
    assert "<svg" in drawn["qr_svg"]


def docs_app(settings, engine, session_factory, **changes):
    return create_app(
        settings.model_copy(update=changes), engine=engine, session_factory=session_factory
    )


@pytest.mark.parametrize(
    "changes", [{}, {"env": "production"}, {"env": "development", "api_docs": False}]
)
def test_no_api_docs_pages_nor_their_cdn_unless_asked_for(
    settings, engine, session_factory, changes
):
    client = TestClient(docs_app(settings, engine, session_factory, **changes))
    for path in sorted(API_DOCS_PATHS):
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 404, path
        assert_safe(page)  # the pages' own policy: no CDN, no inline script
        assert "cdn.jsdelivr.net" not in page.text
    schema = client.get("/openapi.json")
    assert schema.status_code == 200 and "/api/processes" in schema.json()["paths"]


@pytest.mark.parametrize("changes", [{"env": "development"}, {"api_docs": True}])
def test_the_api_docs_policy_allows_what_fastapi_docs_pages_load(
    settings, engine, session_factory, changes
):
    """/docs and /redoc are FastAPI's pages: scripts from a CDN and an inline start."""
    client = TestClient(docs_app(settings, engine, session_factory, **changes))
    for path in sorted(API_DOCS_PATHS - {"/docs/oauth2-redirect"}):
        page = client.get(path)
        assert page.headers["content-security-policy"] == API_DOCS_POLICY
        hosts = set(re.findall(r'(?:src|href)="(https://[^/"]+)', page.text))
        assert hosts and all(host in API_DOCS_POLICY for host in hosts), (path, hosts)
    for kept in ("frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'"):
        assert kept in API_DOCS_POLICY
