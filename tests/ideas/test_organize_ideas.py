"""The organizers' idea pages: the list with filters, hide/merge/unhide with a reason, and
typing in a batch of paper idea forms by keyboard (never rate-limited)."""

import re

from sqlalchemy import select

from app.audit import AuditEntry
from app.ideas.models import Idea
from app.ideas.service import IDEAS_PER_ADDRESS_PER_HOUR
from app.users.models import Role
from tests.helpers import count, form_token, refused_by
from tests.ideas.helpers import add_site, advance, create_process, submit_idea
from tests.test_organize_page import ORIGIN, sign_in


def collecting(client, organizer) -> tuple[int, dict, dict]:
    pid = create_process(client, organizer)["id"]
    kickoff = add_site(client, organizer, pid, name="Kickoff at the library")
    market = add_site(client, organizer, pid, name="Public Market table")
    advance(client, organizer, pid, "idea_collection")
    return pid, kickoff, market


def listed(page: str) -> list[int]:
    """The idea numbers in the list's table, in order."""
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>\s*<th scope="row">', page)]


def test_filters_by_event_language_channel_and_status(client, organizer, session):
    pid, kickoff, market = collecting(client, organizer)
    a = submit_idea(client, pid, organizer.headers, site_id=kickoff["id"], language="es")["id"]
    b = submit_idea(client, pid, organizer.headers, site_id=market["id"], language="en")["id"]
    c = submit_idea(client, pid, title="Online one", language="vi")["id"]
    sign_in(client, organizer)
    url = f"/organize/processes/{pid}/ideas"
    everything = client.get(url)
    assert everything.status_code == 200
    assert listed(everything.text) == [a, b, c]
    assert "3 ideas: 3 visible, 0 hidden, 0 merged" in everything.text
    assert 'aria-current="page">Ideas<' in everything.text  # the process's tab
    assert listed(client.get(url, params={"event": kickoff["id"]}).text) == [a]
    assert listed(client.get(url, params={"event": "0"}).text) == [c]
    assert listed(client.get(url, params={"language": "en"}).text) == [b]
    assert listed(client.get(url, params={"channel": "online"}).text) == [c]
    assert listed(client.get(url, params={"channel": "paper", "language": "es"}).text) == [a]
    assert listed(client.get(url, params={"status": "hidden"}).text) == []
    assert listed(client.get(url, params={"status": "nonsense", "page": "x"}).text) == [a, b, c]


def test_hide_merge_unhide_with_reasons_and_refusals(client, organizer, make_staff, session):
    pid, kickoff, _ = collecting(client, organizer)
    ideas = [submit_idea(client, pid, organizer.headers, title=f"Idea {n}")["id"] for n in range(3)]
    sign_in(client, organizer)
    url = f"/organize/processes/{pid}/ideas/moderate"

    no_reason = client.post(url, headers=ORIGIN, data={"idea": ideas[0], "decision": "hide"})
    assert no_reason.status_code == 422 and "Give a reason" in no_reason.text
    no_target = client.post(
        url, headers=ORIGIN, data={"idea": ideas[0], "decision": "merge", "reason": "Same idea"}
    )
    assert no_target.status_code == 422 and "idea to merge into" in no_target.text
    assert count(session, Idea, Idea.status != "visible") == 0

    hidden = client.post(
        url + "?status=visible",
        headers=ORIGIN,
        data={"idea": ideas[0], "decision": "hide", "reason": "Insults a neighbor"},
    )
    assert hidden.status_code == 200 and f"Idea #{ideas[0]} is hidden." in hidden.text
    assert listed(hidden.text) == ideas[1:]  # the filters ride along in the address
    merged = client.post(
        url,
        headers=ORIGIN,
        data={"idea": ideas[1], "into": f"#{ideas[2]}", "decision": "merge", "reason": "Same"},
    )
    assert f"Idea #{ideas[1]} is merged into idea #{ideas[2]}." in merged.text
    assert "1 hidden, 1 merged" in merged.text and "Same" in merged.text

    into_hidden = client.post(
        url,
        headers=ORIGIN,
        data={"idea": ideas[2], "into": ideas[0], "decision": "merge", "reason": "Dupe"},
    )
    assert into_hidden.status_code == 409 and 'role="alert"' in into_hidden.text, re.findall(
        r'role="alert">.*?</div>', into_hidden.text, re.S
    )
    twice = client.post(
        url, headers=ORIGIN, data={"idea": ideas[0], "decision": "hide", "reason": "Again"}
    )
    assert twice.status_code == 409 and "already hidden" in twice.text
    assert len(refused_by(session, organizer.user.id)) >= 4  # audited as the organizer's

    shown = client.post(
        url, headers=ORIGIN, data={"idea": ideas[0], "decision": "unhide", "reason": "Misread"}
    )
    assert f"Idea #{ideas[0]} is visible again." in shown.text
    session.expire_all()
    assert session.get(Idea, ideas[0]).status == "visible"
    assert session.get(Idea, ideas[0]).moderation_reason == "Misread"
    visible_already = client.post(
        url, headers=ORIGIN, data={"idea": ideas[2], "decision": "unhide", "reason": "Nope"}
    )
    assert visible_already.status_code == 409
    actions = session.execute(
        select(AuditEntry.action).where(
            AuditEntry.outcome == "ok", AuditEntry.action.like("idea.%")
        )
    ).scalars()
    assert {"idea.hide", "idea.merge", "idea.unhide"} <= set(actions)

    other = create_process(client, organizer)["id"]
    elsewhere = client.post(
        f"/organize/processes/{other}/ideas/moderate",
        headers=ORIGIN,
        data={"idea": ideas[2], "decision": "hide", "reason": "Wrong process"},
    )
    assert elsewhere.status_code == 404
    cross_site = client.post(
        url, headers={"Origin": "https://evil.example"}, data={"idea": ideas[2], "decision": "hide"}
    )
    assert cross_site.status_code == 403
    delegate = make_staff(Role.delegate)
    client.cookies.clear()
    sign_in_as = client.post(
        "/station/login",
        headers=ORIGIN,
        follow_redirects=False,
        data={"email": delegate.user.email, "password": delegate.password},
    )
    assert sign_in_as.status_code == 303
    # Signed in, but not an organizer: refused, saying as whom they are signed in.
    assert client.get(f"/organize/processes/{pid}/ideas", follow_redirects=False).status_code == 403


def test_unhide_through_the_api(client, organizer):
    pid, *_ = collecting(client, organizer)
    idea = submit_idea(client, pid, organizer.headers)["id"]
    r = client.post(f"/api/ideas/{idea}/hide", json={"reason": "Spam"}, headers=organizer.headers)
    assert r.status_code == 200
    back = client.post(
        f"/api/ideas/{idea}/unhide", json={"reason": "Not spam"}, headers=organizer.headers
    )
    assert back.status_code == 200 and back.json()["status"] == "visible"
    assert back.json()["moderation_reason"] == "Not spam"
    again = client.post(
        f"/api/ideas/{idea}/unhide", json={"reason": "x"}, headers=organizer.headers
    )
    assert again.status_code == 409 and again.json()["error"] == "idea_visible"


def test_a_batch_of_paper_forms_by_keyboard_is_never_rate_limited(client, organizer, session):
    pid, kickoff, market = collecting(client, organizer)
    sign_in(client, organizer)
    url = f"/organize/processes/{pid}/ideas/paper"
    form = client.get(url)
    assert form.status_code == 200 and "autofocus" in form.text
    # The fields come in the order of the paper form.
    order = [m for m in re.findall(r'<label for="(\w+)">', form.text)]
    assert order == [
        "event",
        "language",
        "title",
        "description",
        "category",
        "neighborhood",
        "contact_name",
        "contact_phone",
        "contact_email",
    ]
    typed = IDEAS_PER_ADDRESS_PER_HOUR + 5
    for n in range(1, typed + 1):
        saved = client.post(
            url,
            headers=ORIGIN,
            data={
                "event": kickoff["id"],
                "language": "es",
                "title": f"Bancas {n}",
                "description": "Bancas en las paradas.",
                "contact_phone": "585-555-0100",
                "form_token": form_token(),  # each form typed in on its own page
            },
        )
        assert saved.status_code == 200, saved.text  # after the 303 back to the empty form
        assert f"({n} from this event so far)" in saved.text
    assert f'<option value="{kickoff["id"]}" selected>' in saved.text  # the event is kept
    assert '<option value="es" selected>' in saved.text
    assert 'name="title" required maxlength="200" autofocus value=""' in saved.text
    ideas = session.execute(select(Idea).where(Idea.process_id == pid)).scalars().all()
    assert len(ideas) == typed
    assert {(i.channel, i.site_id, i.language) for i in ideas} == {("paper", kickoff["id"], "es")}
    newest = max(i.id for i in ideas)
    assert f"Saved idea #{newest} ({typed} from this event so far)." in saved.text

    lights = {
        "event": market["id"],
        "title": "Luces",
        "description": "Más luz.",
        "form_token": form_token(),
    }
    other = client.post(url, headers=ORIGIN, follow_redirects=False, data=lights)
    assert other.status_code == 303
    assert "(1 from this event so far)" in client.get(other.headers["location"]).text
    # The same form again (Back + Save): typed in once only.
    again = client.post(url, headers=ORIGIN, data=lights)
    assert "typed in already" in again.text and "(1 from this event so far)" in again.text

    empty = client.post(url, headers=ORIGIN, data={"event": kickoff["id"], "title": "Only"})
    assert empty.status_code == 422 and "Description" in empty.text
    assert 'value="Only"' in empty.text  # what was typed stays
    bad_mail = client.post(
        url,
        headers=ORIGIN,
        data={"title": "T", "description": "D", "contact_email": "not-an-address"},
    )
    assert bad_mail.status_code == 422 and "Email" in bad_mail.text
    assert count(session, Idea, Idea.process_id == pid) == typed + 1


def test_paper_forms_only_while_ideas_are_collected(client, organizer, session):
    pid = create_process(client, organizer)["id"]
    sign_in(client, organizer)
    url = f"/organize/processes/{pid}/ideas/paper"
    assert "during idea collection" in client.get(url).text
    refused = client.post(
        url, headers=ORIGIN, data={"title": "T", "description": "D", "form_token": form_token()}
    )
    assert refused.status_code == 409 and 'role="alert"' in refused.text
    assert count(session, Idea, Idea.process_id == pid) == 0
