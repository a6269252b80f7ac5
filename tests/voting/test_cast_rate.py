"""Made-up identities at speed (issue 18.4): under rule `identity` one address may cast at
most PBVOTE_ONLINE_CASTS_PER_ADDRESS_PER_HOUR online ballots an hour; the turnout page
shows casts by channel and address block, and flags a block near the ceiling."""

import uuid

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from app.voting.cast_rate import address_key, block_of
from app.voting.models import CastRate
from tests.people.helpers import sign_in
from tests.voting.helpers import counts, set_phase

LIMIT = 3


def identity() -> dict:
    return {
        "identity": {
            "name": f"Voter {uuid.uuid4().hex[:8]}",
            "birth_date": "1980-01-01",
            "postal_code": "14605",
        }
    }


def from_address(app, host: str) -> TestClient:
    return TestClient(app, base_url="http://testserver", client=(host, 40000))


def cast(client: TestClient, process_id: int, credential: dict, ranking: list[int]):
    return client.post(
        f"/api/processes/{process_id}/ballots",
        json={"credential": credential, "ranking": ranking},
    )


@pytest.fixture
def limited(app, settings):
    app.state.settings = settings.model_copy(update={"online_casts_per_address_per_hour": LIMIT})
    return app


def rule(client, organizer, world, session_factory, credential: str) -> None:
    set_phase(session_factory, world.process_id, "design")
    r = client.put(
        f"/api/processes/{world.process_id}/voting-rules",
        json={"credential": credential},
        headers=organizer.headers,
    )
    assert r.status_code == 200, r.text
    set_phase(session_factory, world.process_id, "voting")


def test_one_address_casts_at_most_the_ceiling_under_identity(
    limited, client, organizer, world, session_factory
):
    rule(client, organizer, world, session_factory, "identity")
    library = from_address(limited, "203.0.113.7")
    for _ in range(LIMIT):
        assert cast(library, world.process_id, identity(), world.proposals[:2]).status_code == 201
    before = counts(session_factory)
    refused = cast(library, world.process_id, identity(), world.proposals[:2])
    assert refused.status_code == 429 and refused.json()["error"] == "cast_rate"
    assert int(refused.headers["Retry-After"]) > 0
    assert "voting site" in refused.json()["message"]
    assert counts(session_factory) == before  # no ballot, participation or count was kept
    # Another address, even in the same block, and an IPv6 neighbour in another /64, vote on.
    for host in ("203.0.113.8", "2001:db8:0:1::5"):
        r = cast(from_address(limited, host), world.process_id, identity(), world.proposals[:1])
        assert r.status_code == 201, (host, r.text)
    # One /64 is one address: a phone rotating through its prefix gains nothing.
    phone = [from_address(limited, f"2001:db8:0:2::{n}") for n in range(1, LIMIT + 2)]
    answers = [
        cast(c, world.process_id, identity(), world.proposals[:1]).status_code for c in phone
    ]
    assert answers == [201] * LIMIT + [429]
    # The operator turns the ceiling off (0): the address votes again.
    limited.state.settings = limited.state.settings.model_copy(
        update={"online_casts_per_address_per_hour": 0}
    )
    assert cast(library, world.process_id, identity(), world.proposals[:2]).status_code == 201
    with session_factory() as session:
        rows = session.execute(select(CastRate.address, CastRate.casts)).all()
    assert dict(rows) == {
        "203.0.113.7": LIMIT + 1,
        "203.0.113.8": 1,
        "2001:db8:0:1::/64": 1,
        "2001:db8:0:2::/64": LIMIT,
    }


def test_no_ceiling_where_a_code_is_needed(
    app, settings, client, organizer, world, codes, session_factory
):
    app.state.settings = settings.model_copy(update={"online_casts_per_address_per_hour": 1})
    rule(client, organizer, world, session_factory, "both")
    event = from_address(app, "198.51.100.20")
    # Each ballot spends a code: a hall full of voters on one network votes on.
    for code in codes(3):
        r = cast(event, world.process_id, {"access_code": code, **identity()}, world.proposals[:1])
        assert r.status_code == 201, r.text
    # Shown, but not flagged: nobody could make up those voters.
    sign_in(client, organizer)
    page = client.get(f"/organize/processes/{world.process_id}/turnout").text
    assert "198.51.100.0/24" in page and 'role="alert"' not in page


def test_the_turnout_page_shows_the_rate_and_flags_a_busy_block(
    limited, client, organizer, world, session_factory
):
    rule(client, organizer, world, session_factory, "identity")
    page = f"/organize/processes/{world.process_id}/turnout"
    sign_in(client, organizer)
    quiet = client.get(page).text
    assert "No ballots online or at kiosks in the last 24 hours." in quiet
    assert 'role="alert"' not in quiet
    busy = from_address(limited, "192.0.2.44")
    for _ in range(LIMIT + 1):
        cast(busy, world.process_id, identity(), world.proposals[:1])
    cast(from_address(limited, "198.51.100.9"), world.process_id, identity(), world.proposals[:1])
    shown = client.get(page).text
    assert "192.0.2.0/24" in shown and "198.51.100.0/24" in shown
    assert 'role="alert"' in shown and "Address blocks to check: 1" in shown
    assert "at most 3 online ballots an hour" in shown
    # Nothing on the page names a whole address: blocks only.
    assert "192.0.2.44" not in shown
    es = client.get(page, headers={"Accept-Language": "es"}).text
    assert "Bloques de direcciones para revisar: 1" in es


def test_the_rules_page_says_identity_is_self_attestation(client, organizer, world):
    sign_in(client, organizer)
    page = client.get(f"/organize/processes/{world.process_id}/rules").text
    assert "nothing checks them" in page and "only an access code" in page


@pytest.mark.parametrize(
    ("host", "key", "block"),
    [
        ("203.0.113.7", "203.0.113.7", "203.0.113.0/24"),
        ("::ffff:203.0.113.7", "203.0.113.7", "203.0.113.0/24"),
        ("2001:db8:aa:bb:1:2:3:4", "2001:db8:aa:bb::/64", "2001:db8:aa::/48"),
        ("fe80::1%eth0", "fe80::/64", "fe80::/48"),
        ("testclient", "unknown", "unknown"),
        (None, "unknown", "unknown"),
        ("", "unknown", "unknown"),
        ("２０３.0.113.7", "unknown", "unknown"),
    ],
)
def test_addresses_and_blocks(host, key, block):
    assert address_key(host) == key
    assert block_of(address_key(host)) == block
