"""Refusals a resident can act on: each names the field and the rule in the reader's
language, marks the field (aria-invalid, an error summary linking to it) and keeps
everything typed, the ranking included."""

import base64
import re
from datetime import date, timedelta

import pytest

from app.db import utcnow
from app.voting import ballot_form
from app.voting.ballot_form import DRAFT_COOKIE, DRAFT_SECONDS
from app.web.i18n import translate
from tests.helpers import hidden_fields, publish_results
from tests.voting.helpers import counts, set_phase
from tests.voting.test_casting import put_rules
from tests.voting.test_kiosk_pages import ORIGIN, SELECTED, ranks, sign_in
from tests.voting.test_rules_and_phases import transition


def _identity_rules(client, organizer, session_factory, world, **rules):
    set_phase(session_factory, world.process_id, "design")
    put_rules(client, organizer, world.process_id, credential="identity", **rules)
    set_phase(session_factory, world.process_id, "voting")


def _marked(page: str, field: str) -> bool:
    tag = re.search(rf'<input id="{field}"[^>]*>', page)
    return tag is not None and 'aria-invalid="true"' in tag.group(0)


def _kept(page: str, person: dict) -> bool:
    return all(f'value="{person[k]}"' in page for k in ("name", "birth_date", "postal_code"))


PERSON = {"name": "Ana Lopez", "birth_date": "1990-04-02", "postal_code": "14605"}


@pytest.mark.parametrize(
    ("typed", "field", "rule"),
    [
        ({"birth_date": "2020-01-01"}, "birth_date", "min_age"),
        ({"postal_code": "14620"}, "postal_code", "area"),
    ],
)
def test_an_eligibility_refusal_names_its_field_and_rule_and_keeps_the_form(
    client, organizer, world, session_factory, typed, field, rule
):
    _identity_rules(client, organizer, session_factory, world, min_age=16, postal_codes=["14605"])
    page = f"/processes/{world.process_id}/vote"
    person = {**PERSON, **typed}
    before = counts(session_factory)
    r = client.post(page, data={**person, **ranks(world, 2)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == page
    shown = client.get(page)
    assert shown.status_code == 403
    assert translate("en", "error.not_eligible") not in shown.text
    if rule == "min_age":
        assert "at least 16 years old" in shown.text
    else:
        assert translate("en", "error.not_eligible.area") in shown.text
    assert f'<a href="#{field}">' in shown.text and _marked(shown.text, field)
    assert _kept(shown.text, person) and len(SELECTED.findall(shown.text)) == 2
    assert counts(session_factory) == before
    # In Spanish, the same rule in Spanish words.
    said = client.get(page + "?lang=es")
    assert _kept(said.text, person)  # the refusal was said once; the fields stay


def test_the_age_rule_in_spanish(client, organizer, world, session_factory):
    from app.processes.models import Process

    with session_factory() as session:
        session.get(Process, world.process_id).languages = ["en", "es", "vi"]
        session.commit()
    _identity_rules(client, organizer, session_factory, world, min_age=16)
    page = f"/processes/{world.process_id}/vote"
    person = {**PERSON, "birth_date": "2020-01-01"}
    client.post(page + "?lang=es", data={**person, **ranks(world, 1)}, follow_redirects=False)
    client.cookies["lang"] = "es"
    shown = client.get(page)
    assert "debe tener al menos 16 años" in shown.text
    assert _marked(shown.text, "birth_date") and _kept(shown.text, person)


def test_a_birth_date_in_the_future_is_named(client, organizer, world, session_factory):
    _identity_rules(client, organizer, session_factory, world)
    page = f"/processes/{world.process_id}/vote"
    person = {**PERSON, "birth_date": (date.today() + timedelta(days=30)).isoformat()}
    client.post(page, data={**person, **ranks(world, 2)}, follow_redirects=False)
    shown = client.get(page)
    assert shown.status_code == 422
    assert translate("en", "error.invalid.birth_date") in shown.text
    assert translate("en", "error.invalid") not in shown.text
    assert _marked(shown.text, "birth_date") and _kept(shown.text, person)
    assert len(SELECTED.findall(shown.text)) == 2


def test_a_used_code_keeps_the_ranking_and_marks_the_code(client, world, codes, session_factory):
    (code,) = codes(1)
    page = f"/processes/{world.process_id}/vote"
    r = client.post(page, data={"access_code": code, **ranks(world, 1)}, follow_redirects=False)
    assert r.headers["location"] == page + "/done"
    client.cookies.clear()
    again = {"access_code": code, **ranks(world, 3)}
    client.post(page, data=again, follow_redirects=False)
    shown = client.get(page)
    assert shown.status_code == 409
    assert translate("en", "error.code_used") in shown.text
    assert _marked(shown.text, "access_code") and f'value="{code}"' in shown.text
    assert len(SELECTED.findall(shown.text)) == 3


def test_the_draft_is_unreadable_forgotten_with_the_browser_and_emptied_when_idle(
    client, organizer, world, session_factory, monkeypatch
):
    _identity_rules(client, organizer, session_factory, world)
    page = f"/processes/{world.process_id}/vote"
    r = client.post(page, data={**PERSON, **ranks(world, 2), "step": "review"})
    assert r.status_code == 200 and "Ana Lopez" in r.text  # the review page
    cookie = next(c for c in client.cookies.jar if c.name == DRAFT_COOKIE)
    raw = base64.urlsafe_b64decode(cookie.value + "=" * (-len(cookie.value) % 4))
    for typed in ("Ana", "Lopez", "1990", "14605"):
        assert typed.encode() not in raw and typed not in cookie.value
    assert cookie.expires is None  # a session cookie: a closed browser forgets it
    header = r.history[-1].headers["set-cookie"]
    assert "max-age" not in header.lower() and "expires" not in header.lower()

    # Still at it: each page renews the draft, so "Change" after 15 + 15 minutes keeps all.
    now = utcnow()
    for minutes in (15, 30):
        monkeypatch.setattr(ballot_form, "utcnow", lambda m=minutes: now + timedelta(minutes=m))
        kept = client.get(page)
        assert _kept(kept.text, PERSON) and len(SELECTED.findall(kept.text)) == 2
    # Idle longer than DRAFT_SECONDS: nothing is left, and the page says why.
    idle = now + timedelta(minutes=30, seconds=DRAFT_SECONDS + 1)
    monkeypatch.setattr(ballot_form, "utcnow", lambda: idle)
    review = client.get(page + "/review", follow_redirects=False)
    assert review.headers["location"] == page
    emptied = client.get(page)
    assert "Ana Lopez" not in emptied.text and not SELECTED.search(emptied.text)
    assert translate("en", "vote.draft_expired", minutes=DRAFT_SECONDS // 60) in emptied.text


def _check_in_page(client, poll_worker, world, data):
    sign_in(client, poll_worker)
    station = client.get("/station")
    site = world.sites[0]
    form = hidden_fields(station.text, f"/station/sites/{site}/check-in")  # its token
    r = client.post(
        f"/station/sites/{site}/check-in",
        headers=ORIGIN,
        follow_redirects=False,
        data={**form, **data},
    )
    assert r.status_code == 303
    return client.get(r.headers["location"])


def _station_marked(page: str, field: str, site: int) -> bool:
    short = {"name": "name", "birth_date": "birth", "postal_code": "zip", "access_code": "code"}
    tag = re.search(rf'<input id="{short[field]}-{site}"[^>]*>', page)
    return tag is not None and 'aria-invalid="true"' in tag.group(0)


@pytest.mark.parametrize(
    ("typed", "field", "said", "status"),
    [
        ({"birth_date": "2020-01-01"}, "birth_date", "at least 16 years old", 403),
        ({"postal_code": "14620"}, "postal_code", "not in the area", 403),
        ({"birth_date": "2999-01-01"}, "birth_date", "cannot be today or in the future", 422),
        ({"access_code": "ABCD"}, "access_code", "Access code", 422),
    ],
)
def test_a_refused_check_in_names_the_field_and_keeps_what_was_typed(
    client, organizer, poll_worker, world, session_factory, typed, field, said, status
):
    _identity_rules(client, organizer, session_factory, world, min_age=16, postal_codes=["14605"])
    person = {**PERSON, **typed}
    before = counts(session_factory)
    shown = _check_in_page(client, poll_worker, world, {**person, "mode": "kiosk"})
    assert shown.status_code == status
    alert = re.search(r'role="alert">(.*?)</div>', shown.text, re.S).group(1)
    assert said in alert and "access_code" not in alert
    assert _kept(shown.text, person) and f'value="{person.get("access_code", "")}"' in shown.text
    assert _station_marked(shown.text, field, world.sites[0])
    assert counts(session_factory) == before


def test_a_refused_sign_in_keeps_the_email_sealed_and_never_the_password(client, poll_worker):
    email = poll_worker.user.email
    r = client.post(
        "/station/login",
        headers=ORIGIN,
        follow_redirects=False,
        data={"email": email, "password": "not-the-password-42"},
    )
    assert r.status_code == 303
    assert email not in r.headers["set-cookie"] and "@" not in r.headers["set-cookie"]
    shown = client.get(r.headers["location"])
    assert shown.status_code == 401
    assert f'value="{email}"' in shown.text and "not-the-password-42" not in shown.text
    assert translate("en", "station.wrong_password") in shown.text


def test_idle_the_page_warns_then_empties_the_ballot(client, organizer, world, session_factory):
    _identity_rules(client, organizer, session_factory, world)
    page = f"/processes/{world.process_id}/vote"
    review = client.post(page, data={**PERSON, **ranks(world, 2), "step": "review"})
    # Both pages carry the warning and the script that leaves for ?idle=1 after it.
    for shown in (review, client.get(page)):
        assert f'data-seconds="{DRAFT_SECONDS}" data-to="{page}?idle=1"' in shown.text
        assert 'src="/static/idle.js"' in shown.text
    idle = client.get(page + "?idle=1")
    assert "Ana Lopez" not in idle.text and not SELECTED.search(idle.text)
    assert translate("en", "vote.draft_expired", minutes=DRAFT_SECONDS // 60) in idle.text
    assert DRAFT_COOKIE not in client.cookies  # nothing left for the next person
    assert client.get(page + "/review", follow_redirects=False).headers["location"] == page


def test_the_receipt_check_says_counted_in_the_official_result_once_it_is(
    client, organizer, world, codes, session_factory
):
    (code,) = codes(1)
    page = f"/processes/{world.process_id}/vote"
    client.post(page, data={"access_code": code, **ranks(world, 2)}, follow_redirects=False)
    done = client.get(page + "/done")
    receipt = re.search(r'class="receipt"><code>([^<]+)</code>', done.text).group(1)
    check = f"/processes/{world.process_id}/receipt?code={receipt}"
    stored = client.get(check).text
    assert translate("en", "receipt.counted") in stored
    assert translate("en", "receipt.counted_official") not in stored
    set_phase(session_factory, world.process_id, "voting", voting_closes_at=None)
    assert transition(client, organizer, world, "funding").status_code == 201
    # Counted, not published yet: the receipt says it is stored and that results wait.
    waiting = client.get(check).text
    assert translate("en", "receipt.counted_official") not in waiting
    assert translate("en", "receipt.counted") in waiting
    assert translate("en", "results.not_published") in waiting
    publish_results(client, organizer.headers, world.process_id)
    counted = client.get(check).text
    assert translate("en", "receipt.counted_official") in counted
    assert translate("en", "receipt.counted") not in counted
    unknown = client.get(f"/processes/{world.process_id}/receipt?code=AAAA-BBBB-CCCC-DDDD")
    assert translate("en", "receipt.unknown") in unknown.text
