"""The ballot's steps on the server, without a browser: review before casting, mistakes
named per field in an error summary, a language switch that keeps the form, the receipt
kept through a language switch on the thank-you page. Every POST answers 303 (a GET
follows), so Back never resends a form."""

import re
from datetime import timedelta

from app.db import utcnow
from app.processes.models import Process
from app.proposals.models import Proposal
from app.voting.ballot_steps import RECEIPT_AGAIN_SECONDS
from app.web import private
from app.web.i18n import translate
from tests.voting.helpers import counts
from tests.voting.test_kiosk_pages import (
    ORIGIN,
    SELECTED,
    kiosk,  # noqa: F401 - a fixture
    ranks,
    start,
    ticket_for,
)


def _page(world):
    return f"/processes/{world.process_id}/vote"


def _titles(session_factory, ids):
    with session_factory() as session:
        return [session.get(Proposal, i).title for i in ids]


def _languages(session_factory, world):
    with session_factory() as session:
        session.get(Process, world.process_id).languages = ["en", "es", "vi"]
        session.commit()


def test_review_then_cast(client, world, codes, session_factory):
    (code,) = codes(1)
    page = _page(world)
    before = counts(session_factory)
    chosen = [world.proposals[2], world.proposals[0], world.proposals[4]]
    fields = {"access_code": code, **{f"rank_{n}": str(p) for n, p in enumerate(chosen, 1)}}
    r = client.post(page, data={**fields, "step": "review"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == page + "/review"
    assert r.headers["cache-control"] == "no-store"
    assert counts(session_factory) == before  # nothing is cast by reviewing

    review = client.get(page + "/review")
    assert review.status_code == 200 and review.headers["cache-control"] == "no-store"
    shown = re.findall(r"<strong>\d+\. ([^<]+)</strong>", review.text)
    assert shown == _titles(session_factory, chosen)  # in the voter's order
    for n in (1, 2, 3):
        assert f'href="{page}#rank_{n}"' in review.text  # "change"
        assert f'name="rank_{n}" value="{chosen[n - 1]}"' in review.text
    assert f'name="access_code" value="{code}"' in review.text
    assert review.text.count('class="cost"') == 3

    # "Change" shows the form with everything kept.
    again = client.get(page)
    assert len(SELECTED.findall(again.text)) == 3 and f'value="{code}"' in again.text

    cast = client.post(page, data={**fields, "step": "cast"}, follow_redirects=False)
    assert cast.status_code == 303 and cast.headers["location"] == page + "/done"
    assert counts(session_factory)["ballots"] == before["ballots"] + 1
    # Nothing of it is left for Back or the next person on this device.
    assert client.get(page + "/review", follow_redirects=False).headers["location"] == page
    form = client.get(page)
    assert form.status_code == 200 and 'name="rank_1"' in form.text
    assert code not in form.text and not SELECTED.search(form.text)


def test_mistakes_are_named_per_field_in_a_summary(client, world, codes, session_factory):
    (code,) = codes(1)
    page = _page(world)
    a, b, c = world.proposals[:3]
    before = counts(session_factory)
    twice = {"access_code": code, "rank_1": a, "rank_2": b, "rank_3": c, "rank_4": b}
    r = client.post(page, data={**twice, "step": "review"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == page
    shown = client.get(page)
    assert shown.status_code == 422
    (title,) = _titles(session_factory, [b])
    said = translate("en", "vote.err_duplicate", a=2, b=4, title=title)
    assert said.startswith("Choice 2 and choice 4 are both “")
    assert f'<a href="#rank_4">{said}</a>' in shown.text.replace("&#34;", '"')
    assert 'id="error-summary"' in shown.text and "autofocus" in shown.text
    select = re.search(r'<select id="rank_4"[^>]*>', shown.text).group(0)
    assert 'aria-invalid="true"' in select and 'aria-describedby="rank_4-error"' in select
    assert 'id="rank_4-error"' in shown.text
    assert len(SELECTED.findall(shown.text)) == 4  # kept, to correct
    # Said once: a reload shows the form without the summary.
    reloaded = client.get(page)
    assert reloaded.status_code == 200 and 'name="rank_1"' in reloaded.text
    assert "error-summary" not in reloaded.text
    assert counts(session_factory)["ballots"] == before["ballots"]

    # Only choices 3 and 5: the empty ones before are named, not closed up silently.
    skipped = {"access_code": code, "rank_3": a, "rank_5": b}
    shown = client.post(page, data=skipped)  # a cast without review is checked the same
    assert shown.status_code == 422
    assert {"#rank_1", "#rank_2", "#rank_4"} == set(re.findall(r'href="(#rank_\d)"', shown.text))
    assert translate("en", "vote.err_skipped", n=1, later=5) in shown.text
    assert counts(session_factory)["ballots"] == before["ballots"]

    # An empty access code and nothing chosen.
    shown = client.post(page, data={"step": "review"})
    assert '<a href="#access_code">' in shown.text and '<a href="#rank_1">' in shown.text


def test_a_refused_cast_is_shown_after_a_redirect(client, world, codes):
    page = _page(world)
    r = client.post(
        page, data={"access_code": "ABCD-EFGH-JKMN-PQRS", **ranks(world, 2)}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == page
    shown = client.get(page)
    assert shown.status_code in (401, 422)
    assert '<a href="#access_code">' in shown.text
    assert len(SELECTED.findall(shown.text)) == 2


def test_the_access_code_is_labelled_once(client, world):
    html = client.get(_page(world)).text
    said = translate("en", "vote.code_legend")
    assert html.count(f">{said}<") == 1 and "<legend>" + said not in html
    assert 'aria-describedby="code-hint"' in html


def test_a_language_switch_keeps_the_form_and_the_review(client, world, codes, session_factory):
    _languages(session_factory, world)
    (code,) = codes(1)
    page = _page(world)
    fields = {"access_code": code, **ranks(world, 2)}
    english = client.get(page)
    assert 'name="switch_lang" value="es"' in english.text and 'form="ballot"' in english.text
    r = client.post(page, data={**fields, "switch_lang": "es"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == page + "?lang=es"
    spanish = client.get(r.headers["location"])
    assert translate("es", "vote.review") in spanish.text
    assert f'value="{code}"' in spanish.text and len(SELECTED.findall(spanish.text)) == 2
    r = client.post(
        page, data={**fields, "page": "review", "switch_lang": "vi"}, follow_redirects=False
    )
    assert r.headers["location"] == page + "/review?lang=vi"
    assert translate("vi", "vote.review_title") in client.get(r.headers["location"]).text
    # A language the process does not offer changes nothing.
    r = client.post(page, data={**fields, "switch_lang": "xx", "step": "review"})
    assert r.url.path == page + "/review"


def test_the_thank_you_page_keeps_the_receipt_in_another_language(
    client, world, codes, session_factory, monkeypatch
):
    _languages(session_factory, world)
    (code,) = codes(1)
    page = _page(world)
    fields = {"access_code": code, **ranks(world, 3), "step": "cast"}
    client.post(page, data=fields, follow_redirects=False)
    done = client.get(page + "/done")
    receipt = re.search(r'class="receipt"><code>([^<]+)</code>', done.text).group(1)
    assert '<svg role="img"' in done.text and "<title>" in done.text  # the QR code
    token = re.search(r'name="receipt_token" value="([^"]+)"', done.text).group(1)
    r = client.post(
        page,
        data={"step": "thanks", "receipt_token": token, "switch_lang": "es"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == page + "/done?lang=es"
    spanish = client.get(r.headers["location"])
    assert translate("es", "vote.thanks_title") in spanish.text and receipt in spanish.text
    # A reload shows it again on this device, for a short time only.
    assert receipt in client.get(page + "/done", follow_redirects=False).text
    later = utcnow() + timedelta(seconds=RECEIPT_AGAIN_SECONDS + 1)
    monkeypatch.setattr(private, "utcnow", lambda: later)
    assert client.get(page + "/done", follow_redirects=False).status_code == 303
    # A made-up token shows no receipt.
    forged = client.post(page, data={"step": "thanks", "receipt_token": "x.y", "switch_lang": "es"})
    assert forged.status_code == 200, forged.text
    assert receipt not in forged.text


def test_the_kiosk_reviews_too_and_the_next_voter_finds_nothing(
    kiosk,  # noqa: F811
    poll_worker,
    world,
    session_factory,
):
    assert start(kiosk, ticket_for(kiosk, poll_worker, world)).status_code == 303
    r = kiosk.post(
        "/kiosk/cast",
        data={**ranks(world, 2), "step": "review"},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/kiosk/review"
    review = kiosk.get("/kiosk/review")
    assert review.status_code == 200 and review.headers["cache-control"] == "no-store"
    assert 'action="/kiosk/cast"' in review.text and 'value="cast"' in review.text
    # The voter walks away; the poll worker taps the kiosk's home: nothing of it is left.
    kiosk.get("/kiosk")
    assert "pbvote_draft" not in kiosk.cookies
    second = ticket_for(kiosk, poll_worker, world, name="Lee Next")
    assert start(kiosk, second).status_code == 303
    assert not SELECTED.search(kiosk.get("/kiosk/ballot").text)
    assert kiosk.get("/kiosk/review", follow_redirects=False).headers["location"] == "/kiosk/ballot"
    cast = kiosk.post(
        "/kiosk/cast",
        data={**ranks(world, 1), "step": "cast"},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert cast.headers["location"] == "/kiosk/done"
    assert "pbvote_draft" not in kiosk.cookies
    done = kiosk.get("/kiosk/done")
    assert '<svg role="img"' in done.text
