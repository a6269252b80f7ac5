"""The staff-accounts page: create with a password shown once, deactivate (sign-in and
open cookies stop working), reactivate, reset a password; the guards of the last organizer."""

import re

import pytest
from sqlalchemy import select

from app.audit import Actor
from app.errors import Conflict
from app.users import service
from app.users.models import Role, User
from tests.helpers import answered, count, form_token, refused_by
from tests.people.helpers import ORIGIN, browser, post, sign_in

NEW = {"display_name": "Lan Nguyen", "email": "Lan@Example.org", "role": "poll_worker"}


def is_active(session, user_id: int) -> bool:
    return session.execute(select(User.is_active).where(User.id == user_id)).scalar_one()


def shown_password(html: str) -> str:
    found = re.search(r'<code class="password">([^<]+)</code>', html)
    assert found, "no password shown"
    return found.group(1)


def try_sign_in(app, email: str, password: str):
    return browser(app).post(
        "/station/login",
        headers=ORIGIN,
        data={"email": email, "password": password},
        follow_redirects=False,
    )


def signed_in(response) -> bool:
    """A sign-in answer (a 303 either way) that set the staff cookie."""
    set_cookies = response.headers.get_list("set-cookie")
    return response.status_code == 303 and any(
        c.startswith("pbvote_staff=") and "Max-Age=0" not in c for c in set_cookies
    )


def test_an_organizer_creates_an_account_and_its_password_is_shown_once(
    client, app, organizer, session
):
    sign_in(client, organizer)
    sent = post(client, "/organize/staff", NEW)
    assert "f=" in sent.headers["location"]  # a fresh form for the next account
    created = answered(client, sent, status=200)
    password = shown_password(created.text)
    assert "Lan Nguyen" in created.text and password not in sent.headers["location"]
    assert try_sign_in(app, "lan@example.org", password).headers["location"] == "/station"
    # Shown once: a reload of the page that showed it, or Back to it, shows it no more.
    assert password not in client.get(sent.headers["location"]).text
    listed = client.get("/organize/staff")
    assert listed.status_code == 200 and "Lan Nguyen" in listed.text
    assert password not in listed.text

    typed = answered(
        client,
        post(
            client,
            "/organize/staff",
            {
                "display_name": "Ana",
                "email": "ana@example.org",
                "role": "delegate",
                "password": "a typed password",
            },
        ),
    )
    assert typed.status_code == 200 and 'class="password"' not in typed.text
    assert (
        try_sign_in(app, "ana@example.org", "a typed password").headers["location"] == "/delegate"
    )


def test_bad_accounts_change_nothing(client, organizer, session):
    sign_in(client, organizer)
    post(client, "/organize/staff", NEW)
    before = count(session, User)
    for bad, status in (
        ({**NEW, "email": "not an email"}, 422),
        ({**NEW, "email": "lan@example.org"}, 409),  # taken
        ({**NEW, "email": "x@example.org", "role": "mayor"}, 422),
        ({**NEW, "email": "y@example.org", "password": "short"}, 422),
    ):
        r = answered(client, post(client, "/organize/staff", bad), status=status)
        assert 'role="alert"' in r.text
        assert bad["email"] in r.text and "short" not in r.text  # typed, but no password
    assert count(session, User) == before
    assert len(refused_by(session, organizer.user.id)) == 4


def test_a_deactivated_account_cannot_sign_in_and_its_cookie_stops(
    client, app, organizer, make_staff, session
):
    worker = make_staff(Role.poll_worker)
    station = browser(app)
    sign_in(station, worker, "/station")
    station_page = station.get("/station")
    assert station_page.status_code == 200 and "Polling station" in station_page.text
    assert 'name="password"' not in station_page.text
    sign_in(client, organizer)
    off = answered(
        client, post(client, f"/organize/staff/{worker.user.id}/active", {"active": "no"})
    )
    assert off.status_code == 200 and "deactivated" in off.text
    assert not is_active(session, worker.user.id)
    # The open sign-in stops at its next request, the API token too, and no new one is made.
    assert 'name="password"' in station.get("/station").text  # the sign-in form again
    assert client.get("/api/users/me", headers=worker.headers).status_code == 401
    refused = try_sign_in(app, worker.user.email, worker.password)
    assert not signed_in(refused) and refused.headers["location"] == "/station"

    on = answered(
        client, post(client, f"/organize/staff/{worker.user.id}/active", {"active": "yes"})
    )
    assert on.status_code == 200 and "active again" in on.text
    # The same form sent again finds the account active and says so, changing nothing.
    again = answered(
        client, post(client, f"/organize/staff/{worker.user.id}/active", {"active": "yes"})
    )
    assert "active already" in again.text and is_active(session, worker.user.id)
    assert signed_in(try_sign_in(app, worker.user.email, worker.password))


def test_a_reset_password_replaces_the_old_one(client, app, organizer, make_staff):
    delegate = make_staff(Role.delegate)
    sign_in(client, organizer)
    token = form_token()
    reset = answered(
        client, post(client, f"/organize/staff/{delegate.user.id}/password", token=token)
    )
    assert reset.status_code == 200
    password = shown_password(reset.text)
    assert try_sign_in(app, delegate.user.email, password).headers["location"] == "/delegate"
    assert not signed_in(try_sign_in(app, delegate.user.email, delegate.password))
    # Back + send: the same form again resets nothing and shows no password.
    again = post(client, f"/organize/staff/{delegate.user.id}/password", token=token)
    page = answered(client, again)
    assert "was reset already" in page.text and 'class="password"' not in page.text
    assert try_sign_in(app, delegate.user.email, password).headers["location"] == "/delegate"
    assert post(client, "/organize/staff/999999/password").status_code == 404


def test_an_organizer_cannot_deactivate_themself_nor_the_last_organizer(
    client, organizer, make_staff, session
):
    sign_in(client, organizer)
    page = client.get("/organize/staff")
    assert page.status_code == 200 and organizer.user.email in page.text
    assert f"/organize/staff/{organizer.user.id}/active" not in page.text
    own = post(client, f"/organize/staff/{organizer.user.id}/active", {"active": "no"})
    assert answered(client, own).status_code == 409
    assert is_active(session, organizer.user.id)
    other = make_staff(Role.organizer)
    off = post(client, f"/organize/staff/{other.user.id}/active", {"active": "no"})
    assert answered(client, off).status_code == 200 and not is_active(session, other.user.id)
    # Now the only active organizer: not even the system may switch it off.
    with pytest.raises(Conflict) as refused:
        service.set_active(
            session=session, actor=Actor(role="system"), user_id=organizer.user.id, active=False
        )
    assert refused.value.code == "last_organizer"
    assert is_active(session, organizer.user.id)


def test_only_organizers_manage_accounts(app, organizer, make_staff, session):
    for role, lands in ((Role.delegate, "/delegate"), (Role.poll_worker, "/station")):
        other = browser(app)
        sign_in(other, make_staff(role), lands)
        assert other.get("/organize/staff", follow_redirects=False).status_code == 403
        r = post(other, f"/organize/staff/{organizer.user.id}/active", {"active": "no"})
        assert r.status_code == 403 and "Only an organizer may" in r.text
        assert post(other, "/organize/staff", {**NEW, "role": "organizer"}).status_code == 403
    assert is_active(session, organizer.user.id)
    assert count(session, User, User.email == "lan@example.org") == 0


def test_the_api_deactivates_and_resets_too(client, organizer, make_staff):
    worker = make_staff(Role.poll_worker)
    r = client.patch(
        f"/api/users/{worker.user.id}", json={"is_active": False}, headers=organizer.headers
    )
    assert r.status_code == 200 and r.json()["is_active"] is False
    r = client.post(f"/api/users/{worker.user.id}/password", json={}, headers=organizer.headers)
    assert r.status_code == 200 and len(r.json()["password"]) >= 10
    r = client.patch(
        f"/api/users/{organizer.user.id}", json={"is_active": False}, headers=organizer.headers
    )
    assert r.status_code == 409 and r.json()["error"] == "own_account"


def test_visitors_who_are_not_signed_in_go_to_the_sign_in(client, organizer):
    pid = client.post(
        "/api/processes",
        json={"name": "Parks PB", "budget_cents": 100_000_00},
        headers=organizer.headers,
    ).json()["id"]
    for path in (
        "/organize/staff",
        *(f"/organize/processes/{pid}/{tab}" for tab in ("sites", "criteria", "rules")),
    ):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/station", path
    assert post(client, "/organize/staff", NEW).status_code == 303
    assert client.get(f"/processes/{pid}/paper-rules").status_code == 404  # a draft
    assert client.post(f"/api/processes/{pid}/publish", headers=organizer.headers).is_success
    assert client.get(f"/processes/{pid}/paper-rules").status_code == 200  # public
