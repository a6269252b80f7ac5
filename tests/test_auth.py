from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.db import utcnow
from app.security import issue_access_token
from app.users.models import LoginThrottle, Role, User
from tests.helpers import assert_error, audit_actions, count


def login(client, email, password, **kw):
    return client.post("/api/auth/token", json={"email": email, "password": password}, **kw)


def test_login_returns_an_expiring_bearer_token(client, organizer):
    r = login(client, organizer.user.email, organizer.password)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["expires_at"].endswith("Z") or "+00:00" in body["expires_at"]
    me = client.get("/api/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["email"] == organizer.user.email


def test_email_is_case_insensitive(client, organizer):
    r = login(client, organizer.user.email.upper(), organizer.password)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("which", ["wrong password", "unknown account"])
def test_bad_credentials_are_refused_alike(client, organizer, session, which):
    email = organizer.user.email if which == "wrong password" else "nobody@example.org"
    password = "wrong password!" if which == "wrong password" else organizer.password
    body = assert_error(login(client, email, password), 401, "bad_credentials")
    assert "email or password" in body["message"]
    assert ("auth.login", "refused") in audit_actions(session)


def test_repeated_failures_for_one_account_are_slowed_down(client, organizer, settings, session):
    for _ in range(settings.login_free_failures):
        assert login(client, organizer.user.email, "not the password").status_code == 401
    # Locked now from this address: even the right password waits, so guessing gains nothing.
    r = login(client, organizer.user.email, organizer.password)
    body = assert_error(r, 429, "login_throttled")
    assert int(r.headers["Retry-After"]) > 0
    assert "Wait" in body["message"]
    row = session.get(LoginThrottle, f"account-address:{organizer.user.email}|testclient")
    assert row is not None and row.failures == settings.login_free_failures


def from_address(app, address: str) -> TestClient:
    return TestClient(app, base_url="http://testserver", client=(address, 50000))


def test_someone_elses_guesses_never_lock_the_owner_out(app, organizer, settings):
    """Guessing a known staff e-mail from one address slows that address only: the owner's
    right password from another address is never refused for it."""
    with from_address(app, "198.51.100.66") as attacker, from_address(app, "203.0.113.5") as owner:
        statuses = [
            login(attacker, organizer.user.email, f"guess {n}").status_code for n in range(12)
        ]
        free = settings.login_free_failures
        assert statuses == [401] * free + [429] * (12 - free)
        assert login(owner, organizer.user.email, organizer.password).status_code == 200
        # and the attacker is still slowed, even with the right password
        assert_error(login(attacker, organizer.user.email, organizer.password), 429)


def test_one_address_is_slowed_down_only_past_its_much_higher_ceiling(app, make_staff, settings):
    """A shared address (a library, a carrier's CGNAT): one person's wrong passwords lock
    out nobody else behind it; many accounts tried from it reach the address's ceiling."""
    settings.throttle_address_free_failures = 3 * settings.login_free_failures
    typist, neighbour = make_staff(Role.delegate), make_staff(Role.poll_worker)
    with from_address(app, "192.0.2.1") as library, from_address(app, "192.0.2.2") as elsewhere:
        for _ in range(settings.login_free_failures):
            assert login(library, typist.user.email, "wrong wrong wrong").status_code == 401
        assert_error(login(library, typist.user.email, typist.password), 429, "login_throttled")
        assert login(library, neighbour.user.email, neighbour.password).status_code == 200
        sprayed = [make_staff(Role.delegate) for _ in range(2 * settings.login_free_failures)]
        for staff in sprayed:
            assert login(library, staff.user.email, "wrong wrong wrong").status_code == 401
        # the address's ceiling: nobody signs in from it for a while, elsewhere everyone does
        assert_error(login(library, neighbour.user.email, neighbour.password), 429)
        assert login(elsewhere, neighbour.user.email, neighbour.password).status_code == 200


def test_the_longest_email_from_the_longest_address_is_counted(app, settings, session):
    email = "x" * 240 + "@example.org"  # 252 characters, within the 254 allowed
    address = "2001:0db8:85a3:0000:0000:8a2e:0370:7334%eth0.1234"  # an IPv6 with a zone
    with from_address(app, address) as client:
        for _ in range(settings.login_free_failures):
            assert login(client, email, "not the password").status_code == 401
        assert_error(login(client, email, "not the password"), 429, "login_throttled")
    keys = session.execute(select(LoginThrottle.key)).scalars().all()
    assert {len(key) <= 300 for key in keys} == {True} and len(keys) == 2


@pytest.mark.parametrize(("lock_ended", "free_again"), [(1, False), (16, True)])
def test_free_tries_come_back_only_after_a_quiet_time_once_the_lock_ends(
    client, organizer, settings, session, lock_ended, free_again
):
    """Trying again the moment the longest lock ends waits the longest again (about 4 tries
    an hour); 15 quiet minutes after it ends, the free tries are back."""
    for _ in range(settings.login_free_failures):
        login(client, organizer.user.email, "not the password")
    row = session.get(LoginThrottle, f"account-address:{organizer.user.email}|testclient")
    row.locked_until = utcnow() - timedelta(minutes=lock_ended)
    row.last_failure_at = row.locked_until - timedelta(seconds=settings.login_lockout_max_seconds)
    session.add(row)
    session.commit()
    assert login(client, organizer.user.email, "not the password").status_code == 401
    again = login(client, organizer.user.email, organizer.password)
    assert again.status_code == (200 if free_again else 429), again.text


def test_a_lockout_ends(client, organizer, settings, session):
    for _ in range(settings.login_free_failures):
        login(client, organizer.user.email, "not the password")
    for row in session.execute(select(LoginThrottle)).scalars().all():
        row.locked_until = utcnow() - timedelta(seconds=1)
        session.add(row)
    session.commit()
    assert login(client, organizer.user.email, organizer.password).status_code == 200


def test_expired_token_is_refused(client, organizer, settings):
    old = issue_access_token(
        secret_key=settings.secret_key,
        user_id=organizer.user.id,
        ttl=timedelta(minutes=5),
        now=utcnow() - timedelta(minutes=6),
    )
    r = client.get("/api/users/me", headers={"Authorization": f"Bearer {old.token}"})
    body = assert_error(r, 401, "not_authenticated")
    assert "expired" in body["message"]


@pytest.mark.parametrize("tamper", ["payload", "signature", "garbage", "other secret"])
def test_tampered_token_is_refused(client, organizer, settings, tamper):
    token = organizer.headers["Authorization"].split()[1]
    payload, signature = token.rsplit(".", 1)
    if tamper == "payload":
        forged = issue_access_token(
            secret_key=settings.secret_key, user_id=organizer.user.id + 1, ttl=timedelta(hours=1)
        ).token
        token = forged.rsplit(".", 1)[0] + "." + signature
    elif tamper == "signature":
        token = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    elif tamper == "garbage":
        token = "not-a-token"
    else:
        token = issue_access_token(
            secret_key="another-secret-of-some-length", user_id=1, ttl=timedelta(hours=1)
        ).token
    r = client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
    assert_error(r, 401, "not_authenticated")


def test_disabled_account_token_is_refused(client, organizer, session):
    user = session.get(User, organizer.user.id)
    user.is_active = False
    session.add(user)
    session.commit()
    assert_error(client.get("/api/users/me", headers=organizer.headers), 401)


def test_organizer_creates_staff(client, organizer, session):
    r = client.post(
        "/api/users",
        headers=organizer.headers,
        json={
            "email": "Delegate@Example.org",
            "role": "delegate",
            "password": "long enough pass",
            "display_name": "Dee",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["email"] == "delegate@example.org" and r.json()["role"] == "delegate"
    assert "password" not in r.text
    login_r = login(client, "delegate@example.org", "long enough pass")
    assert login_r.status_code == 200
    assert ("user.create", "ok") in audit_actions(session)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "role": "delegate", "password": "long enough pass"}, "email"),
        ({"email": "a@example.org", "role": "mayor", "password": "long enough pass"}, "role"),
        ({"email": "a@example.org", "role": "delegate", "password": "short"}, "password"),
        ({"email": "a@example.org", "role": "delegate"}, "password"),
        (
            {"email": "a@example.org", "role": "delegate", "password": "long enough pass", "x": 1},
            "x",
        ),
    ],
)
def test_bad_staff_input_is_refused_and_stores_nothing(client, organizer, session, body, field):
    before = count(session, User)
    err = assert_error(client.post("/api/users", headers=organizer.headers, json=body), 422)
    assert err["field"] == field
    assert count(session, User) == before


def test_duplicate_email_is_a_conflict(client, organizer, session):
    before = count(session, User)
    r = client.post(
        "/api/users",
        headers=organizer.headers,
        json={"email": organizer.user.email, "role": "delegate", "password": "long enough pass"},
    )
    assert_error(r, 409, "email_taken")
    assert count(session, User) == before


@pytest.mark.parametrize("role", [Role.delegate, Role.poll_worker])
def test_only_organizers_create_staff(client, make_staff, session, role):
    staff = make_staff(role)
    before = count(session, User)
    r = client.post(
        "/api/users",
        headers=staff.headers,
        json={"email": "x@example.org", "role": "organizer", "password": "long enough pass"},
    )
    assert_error(r, 403, "forbidden")
    assert count(session, User) == before


def test_no_login_means_401(client):
    r = client.post(
        "/api/users",
        json={"email": "x@example.org", "role": "organizer", "password": "long enough pass"},
    )
    assert_error(r, 401, "not_authenticated")
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_signing_out_ends_the_token_everywhere(client, organizer, make_staff):
    other = make_staff(Role.delegate)
    assert client.get("/api/users/me", headers=organizer.headers).status_code == 200
    out = client.post("/api/auth/logout", headers=organizer.headers)
    assert out.status_code == 204
    assert_error(client.get("/api/users/me", headers=organizer.headers), 401, "not_authenticated")
    assert client.post("/api/auth/logout", headers=organizer.headers).status_code == 401
    # Only the token presented ends: anyone else's sign-in lives on.
    assert client.get("/api/users/me", headers=other.headers).status_code == 200
    assert client.post("/api/auth/logout").status_code == 401
