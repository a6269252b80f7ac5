"""Bad input is a clear 4xx that changes nothing: NUL characters, odd digits, numeric times."""

from datetime import UTC, datetime

import pytest

from app.audit import AuditEntry
from app.digits import parse_count
from app.processes.models import Process
from app.sites.models import Site
from app.users.models import LoginThrottle
from tests.helpers import assert_error, count
from tests.ideas.helpers import add_site, create_process

NUL = "a\u0000b"


@pytest.mark.parametrize(
    "method, path, kwargs, field",
    [
        ("post", "/api/processes", {"json": {"name": NUL, "budget_cents": 100}}, "name"),
        (
            "post",
            "/api/processes",
            {"json": {"name": "PB", "budget_cents": 100, "languages": ["en", NUL]}},
            "languages.1",
        ),
        ("post", "/api/auth/token", {"json": {"email": NUL, "password": "x"}}, "email"),
        ("post", "/api/auth/token", {"json": {"email": "a@b.org", "password": NUL}}, "password"),
        ("post", "/api/processes/1/ideas", {"json": {"title": NUL, "description": "d"}}, "title"),
        ("post", "/api/processes/1/ideas", {"json": {NUL: "x"}}, "a\\u0000b"),
        ("get", "/api/processes/1/sites", {"params": {"kind": NUL}}, "kind"),
        ("post", "/processes/1/vote", {"data": {"name": NUL}}, "name"),
        ("post", "/station/login", {"data": {"email": NUL, "password": "x"}}, "email"),
        ("post", "/api/paper-batches/1/import", {"content": b"sheet\x00"}, None),
    ],
)
def test_a_nul_character_is_refused_before_anything_is_stored(
    client, organizer, session, method, path, kwargs, field
):
    # The organizer's refusal itself is audited (tests/test_refusals.py): nothing else.
    tables = ((AuditEntry, AuditEntry.outcome != "refused"), (Process,), (LoginThrottle,))
    before = [count(session, *table) for table in tables]
    headers = {**organizer.headers, "Accept": "application/json"}
    body = assert_error(
        getattr(client, method)(path, headers=headers, **kwargs), 422, "nul_character"
    )
    assert body.get("field") == field
    assert "NUL character" in body["message"]
    session.expire_all()
    assert [count(session, *table) for table in tables] == before


def test_a_nul_character_in_a_site_name_is_refused(client, organizer, session):
    pid = create_process(client, organizer)["id"]
    r = client.post(
        f"/api/processes/{pid}/sites",
        json={"name": NUL, "kind": "event", "address": "1 Main St"},
        headers=organizer.headers,
    )
    assert_error(r, 422, "nul_character")
    assert count(session, Site, Site.process_id == pid) == 0


def test_an_escaped_backslash_before_u0000_is_plain_text(client, organizer):
    r = client.post(
        "/api/processes",
        content=b'{"name": "a\\\\u0000b", "budget_cents": 100, "languages": ["en"]}',
        headers={**organizer.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "a\\u0000b"


@pytest.mark.parametrize(
    "text, number",
    [("7", 7), (" 12 ", 12), ("0", 0), ("123456789", 123456789)],
)
def test_counts_are_ascii_digits(text, number):
    assert parse_count(text) == number


@pytest.mark.parametrize(
    "text", ["", " ", "¹", "٣", "１", "-1", "+1", "1.0", "1e3", "9" * 5000, None]
)
def test_other_text_is_not_a_count(text):
    assert parse_count(text) is None


@pytest.mark.parametrize("when", [0, 1700000000, "0", "1700000000", 1.5, True, "tomorrow"])
def test_a_site_time_must_be_an_iso_date_time(client, organizer, session, when):
    pid = create_process(client, organizer)["id"]
    r = client.post(
        f"/api/processes/{pid}/sites",
        json={"name": "Kickoff", "kind": "event", "address": "1 Main St", "opens_at": when},
        headers=organizer.headers,
    )
    body = assert_error(r, 422)
    assert body["field"] == "opens_at" and "ISO 8601" in body["message"]
    assert count(session, Site, Site.process_id == pid) == 0


def test_an_iso_site_time_is_kept(client, organizer):
    pid = create_process(client, organizer)["id"]
    site = add_site(client, organizer, pid, opens_at="2027-03-02T15:00:00+01:00")
    assert datetime.fromisoformat(site["opens_at"]) == datetime(2027, 3, 2, 14, tzinfo=UTC)


def test_a_voting_window_must_be_iso(client, organizer):
    pid = create_process(client, organizer)["id"]
    r = client.patch(
        f"/api/processes/{pid}", json={"voting_closes_at": 0}, headers=organizer.headers
    )
    assert assert_error(r, 422)["field"] == "voting_closes_at"
    assert client.get(f"/api/processes/{pid}").json()["voting_closes_at"] is None


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/processes/99999999999/vote"),
        ("get", "/processes/99999999999"),
        ("get", "/processes/99999999999/results"),
        ("post", "/processes/99999999999/vote"),
        ("post", "/processes/99999999999/ideas/new"),
        ("get", "/station/batches/2147483648"),
    ],
)
def test_an_id_beyond_32_bits_in_a_page_address_is_404(client, method, path):
    r = getattr(client, method)(
        path, headers={"Accept": "text/html", "Origin": "http://testserver"}
    )
    assert r.status_code == 404, r.text[:300]
