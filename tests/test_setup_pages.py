"""The organizers' set-up pages: a process created and edited through forms, the phase
change confirmed in plain words, the voting window moved while voting, archive and copy,
and every date in the process's own time zone."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.audit import AuditEntry
from app.ideas.models import Criterion, Idea
from app.paper.models import PaperRules
from app.processes.models import PhaseTransition, Process, WindowChange
from app.processes.service import window_of
from app.proposals.models import Proposal
from app.sites.models import Site
from app.voting.models import AccessCode, VotingRules
from app.web.i18n import translate
from tests.helpers import answered, count, hidden_fields, put_on_ballot, refused_by, send
from tests.test_organize_page import sign_in
from tests.voting.helpers import set_phase

ORIGIN = {"Origin": "http://testserver"}
# 20:00 in New York on 23 April 2027 (summer time, UTC-4) is midnight UTC on the 24th.
CLOSE_NY = datetime(2027, 4, 24, 0, 0, tzinfo=UTC)

FORM = {
    "name": "Eastside PB 2027",
    "description": "Decide how to spend $250,000.",
    "name_es": "PP del Eastside 2027",
    "description_es": "Decida cómo gastar $250,000.",
    "name_vi": "",
    "description_vi": "",
    "budget": "250,000",
    "currency": "USD",
    "ballot_size": "5",
    "language_en": "on",
    "language_es": "on",
    "language_vi": "on",
    "time_zone": "America/New_York",
    "opens_date": "2027-04-02",
    "opens_time": "09:00",
    "closes_date": "2027-04-23",
    "closes_time": "20:00",
    "count_method": "borda",
    "count_seats": "",
    "count_fill": "skip",
    "count_exclusive": "3, 7",
    "count_min_support": "votes:1",
    "tie_break": "seeded",
}


def plain(text: str) -> str:
    """CLDR writes "8:00 PM" with a narrow no-break space; the tests read it as a space."""
    return text.replace("\u202f", " ")


NEW = "/organize/processes/new"


def create(client, **changes) -> int:
    r = send(client, NEW, {**FORM, **changes}, action=NEW)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def phase_form(client, pid: int, reason: str, headers=None):
    """The phase page's confirmation, sent with `reason` (it carries the phase it moves from)."""
    page, action = f"/organize/processes/{pid}/phase", f"/organize/processes/{pid}/phase"
    return send(client, page, {"reason": reason}, action=action, headers=headers)


def window_form(client, pid: int, data: dict):
    """The window page's form, sent (it carries the window it was made for)."""
    page = f"/organize/processes/{pid}/window"
    return send(client, page, data, action=page)


def window_post(client, session, pid: int, data: dict):
    """The window form as it was made for the window stored now, sent (when the page no
    longer shows it: the process has left voting)."""
    was = window_of(stored(session, pid))
    return client.post(
        f"/organize/processes/{pid}/window",
        headers=ORIGIN,
        data={**data, "was": was},
        follow_redirects=False,
    )


def stored(session, pid: int) -> Process:
    session.expire_all()
    return session.get(Process, pid)


def test_an_organizer_creates_a_process_through_the_form(client, organizer, session):
    sign_in(client, organizer)
    page = client.get("/organize/processes/new")
    assert page.status_code == 200
    assert 'name="budget"' in page.text and "America/New_York" in page.text
    assert page.text.index("America/New_York") < page.text.index("America/Chicago")
    pid = create(client, count_min_support=" votes:2.5% ")
    process = stored(session, pid)
    assert process.name == "Eastside PB 2027" and process.phase == "design"
    assert process.budget_cents == 250_000_00 and process.currency == "USD"
    assert process.languages == ["en", "es", "vi"]
    assert process.translations == {
        "es": {"name": "PP del Eastside 2027", "description": "Decida cómo gastar $250,000."}
    }
    assert process.time_zone == "America/New_York"
    assert process.voting_opens_at == datetime(2027, 4, 2, 13, 0, tzinfo=UTC)
    assert process.voting_closes_at == CLOSE_NY
    assert process.count_exclusive == [[3, 7]] and process.tie_break == "seeded"
    assert process.count_min_support == "votes:2.5%"
    # The overview says the close in New York's time, on that date.
    overview = client.get(f"/organize/processes/{pid}")
    assert "April 23, 2027, 8:00 PM" in plain(overview.text)
    assert "design" not in overview.text.split("<main", 1)[1].replace("/", "")
    assert "Design" in overview.text
    # The organizer's list shows it, its phase in words.
    listed = client.get("/organize")
    assert "Eastside PB 2027" in listed.text and "New process" in listed.text
    assert "proposal_development" not in listed.text


def test_a_process_is_made_in_spanish_too(client, organizer):
    sign_in(client, organizer)
    page = client.get("/organize/processes/new", headers={"Accept-Language": "es"})
    assert "Presupuesto" in page.text and "Zona horaria" in page.text
    # A language inside a sentence is named in Spanish (the column's heading in itself);
    # the labels are Spanish, what is typed into the field is Vietnamese.
    assert "Nombre en vietnamita" in page.text and "Nombre en Tiếng Việt" not in page.text
    assert '<h2 class="column" lang="vi" dir="ltr">Tiếng Việt</h2>' in page.text
    assert re.search(r'<input[^>]*name="name_vi"[^>]*lang="vi"', page.text)
    pid = create(client)
    overview = client.get(f"/organize/processes/{pid}", headers={"Accept-Language": "es"})
    assert "23 de abril de 2027, 8:00 p.m." in plain(overview.text)


@pytest.mark.parametrize(
    "changes,field,words",
    [
        ({"budget": "lots"}, "budget", "Write the budget as an amount"),
        ({"budget": "0"}, "budget", "Write the budget as an amount"),
        ({"closes_date": "2027-04-01"}, "closes", "Voting must close after it opens."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Choose a time zone from the list"),
        ({"opens_time": ""}, "opens", "Give both the date and the time"),
        ({"name": ""}, "name", "Give the process a name"),
        ({"count_method": "stv"}, "count_seats", "For stv, give how many projects"),
        ({"count_exclusive": "3, seven"}, "count_exclusive", "Write each group"),
        ({"count_min_support": "many"}, "count_min_support", "Write votes:N, points:N"),
        (
            {"count_method": "irv", "count_min_support": "votes:3"},
            "count_min_support",
            "IRV and STV take only votes:1",
        ),
        ({"currency": "dollars"}, "currency", "three capital letters"),
        ({"language_en": "", "language_es": "", "language_vi": ""}, "languages", "at least one"),
        ({"name_vi": "", "description_vi": "Mô tả"}, "name_vi", "Give the name in this language"),
    ],
)
def test_a_wrong_form_is_shown_again_with_the_problem_by_its_field(
    client, organizer, session, changes, field, words
):
    sign_in(client, organizer)
    before = count(session, Process)
    r = answered(client, send(client, NEW, {**FORM, **changes}, action=NEW), status=422)
    assert words in r.text
    assert f'href="#f-{field}"' in r.text and f'id="f-{field}"' in r.text  # summary links to it
    assert 'value="Eastside PB 2027"' in r.text or field == "name"  # what was typed is kept
    assert count(session, Process) == before
    [refusal] = refused_by(session, organizer.user.id)
    assert refusal.detail["status"] == 422


def test_settings_are_edited_in_design_and_the_rules_are_fixed_after(
    client, organizer, session, session_factory
):
    sign_in(client, organizer)
    pid = create(client)
    form = client.get(f"/organize/processes/{pid}/edit").text
    assert 'value="250,000"' in form and 'value="20:00"' in form and 'value="2027-04-23"' in form
    edit = f"/organize/processes/{pid}/edit"
    saved = answered(
        client,
        send(
            client,
            edit,
            {**FORM, "budget": "300000.50", "ballot_size": "4", "closes_time": "21:30"},
            action=edit,
        ),
    )
    assert saved.status_code == 200 and "The settings are saved." in saved.text
    process = stored(session, pid)
    assert process.budget_cents == 300_000_50 and process.ballot_size == 4
    assert process.voting_closes_at == datetime(2027, 4, 24, 1, 30, tzinfo=UTC)

    set_phase(session_factory, pid, "idea_collection")
    fixed = client.get(f"/organize/processes/{pid}/edit").text
    assert "fixed when the process left design" in fixed and 'name="budget"' not in fixed
    audit_before = count(session, AuditEntry)
    refused = client.post(
        edit,
        headers=ORIGIN,
        data={"name": "Eastside PB 2027", "budget": "1,000,000", "time_zone": "America/New_York"},
        follow_redirects=False,
    )
    assert refused.headers["location"] == edit
    refused = answered(client, refused, status=409)
    assert "fixed when the process left design" in refused.text
    assert 'href="#f-budget"' in refused.text and 'id="f-budget"' in refused.text
    assert stored(session, pid).budget_cents == 300_000_50
    assert count(session, AuditEntry) == audit_before + 1  # the refusal only
    # Texts still change after design: a description, a translation.
    renamed = client.post(
        edit,
        headers=ORIGIN,
        data={
            "name": "Eastside PB 2027",
            "description": "New words.",
            "name_vi": "Ngân sách có sự tham gia Eastside",
            "time_zone": "America/New_York",
            "opens_date": "2027-04-02",
            "opens_time": "09:00",
            "closes_date": "2027-04-23",
            "closes_time": "21:30",
        },
        follow_redirects=False,
    )
    assert renamed.status_code == 303, renamed.text
    process = stored(session, pid)
    assert process.description == "New words." and process.budget_cents == 300_000_50
    assert process.translations["vi"]["name"] == "Ngân sách có sự tham gia Eastside"
    assert process.translations["es"]["name"] == "PP del Eastside 2027"


def test_the_phase_changes_only_after_a_confirmation_in_plain_words(
    client, organizer, session, session_factory
):
    sign_in(client, organizer)
    pid = create(client)
    set_phase(session_factory, pid, "proposal_development")
    page = client.get(f"/organize/processes/{pid}/phase")
    assert page.status_code == 200
    assert "The ballot is frozen" in page.text
    assert "0 on the ballot; at least 5 are needed" in page.text  # what the guard waits for
    shown = re.sub(r'<input type="hidden"[^>]*>', "", page.text)  # what the reader sees
    assert "proposal_development" not in shown
    assert count(session, PhaseTransition) == 0  # a look changes nothing
    no_reason = answered(client, phase_form(client, pid, ""), status=422)
    assert "Say why the process moves on" in no_reason.text
    put_on_ballot(session_factory, pid)
    set_phase(
        session_factory,
        pid,
        "proposal_development",
        voting_opens_at=datetime.now(UTC) - timedelta(hours=1),
        voting_closes_at=datetime.now(UTC) + timedelta(days=20),
    )
    page = client.get(f"/organize/processes/{pid}/phase").text
    assert "Nothing is waiting" in page
    sent = phase_form(client, pid, "The ballot is ready.")
    assert sent.headers["location"] == f"/organize/processes/{pid}"  # the overview, a GET
    moved = answered(client, sent)
    assert moved.status_code == 200 and "now in the phase “Voting”" in moved.text
    [step] = session.execute(select(PhaseTransition)).scalars().all()
    assert step.to_phase == "voting" and step.reason == "The ballot is ready."
    # The same form again (Back, then send; or a second tab): it moves nothing further.
    again = client.post(
        f"/organize/processes/{pid}/phase",
        headers=ORIGIN,
        data={"from": "proposal_development", "to": "voting", "reason": "The ballot is ready."},
        follow_redirects=False,
    )
    said = answered(client, again)
    assert "already in the phase “Voting”" in said.text
    assert count(session, PhaseTransition) == 1
    # Funding waits for the window: said in New York's time, never as a UTC timestamp.
    waiting = client.get(f"/organize/processes/{pid}/phase").text
    assert "Voting is open until" in waiting and "+00:00" not in waiting


def test_a_guard_reads_in_local_time_in_spanish(client, organizer, session_factory):
    sign_in(client, organizer)
    pid = create(client)
    set_phase(session_factory, pid, "voting")
    page = client.get(f"/organize/processes/{pid}/phase", headers={"Accept-Language": "es"})
    assert "La votación está abierta hasta el 23 de abril de 2027, 8:00 p.m." in plain(page.text)
    refused = client.post(
        f"/api/processes/{pid}/transitions",
        json={"to": "funding", "reason": "Over?"},
        headers=organizer.headers,
    )
    assert refused.status_code == 409
    assert "April 23, 2027, 8:00 PM (America/New_York)" in plain(refused.json()["message"])
    assert "+00:00" not in refused.json()["message"]


def _voting(client, session_factory, closes: datetime) -> int:
    pid = create(client)
    set_phase(
        session_factory,
        pid,
        "voting",
        voting_opens_at=datetime.now(UTC) - timedelta(days=1),
        voting_closes_at=closes,
    )
    return pid


def test_the_window_is_extended_with_a_reason_residents_read(
    client, organizer, session, session_factory
):
    sign_in(client, organizer)
    pid = _voting(client, session_factory, CLOSE_NY)
    assert "2027-04-23" in client.get(f"/organize/processes/{pid}/window").text
    storm = {
        "closes_date": "2027-04-30",
        "closes_time": "20:00",
        "reason": "A storm closed the voting sites.",
    }
    sent = window_form(client, pid, storm)
    moved = answered(client, sent)
    assert "Voting now closes April 30, 2027, 8:00 PM." in plain(moved.text)
    # Sent again (reload of an old answer, Back + send): made for the old window, it changes
    # nothing.
    again = client.post(
        f"/organize/processes/{pid}/window",
        headers=ORIGIN,
        data={**storm, "was": f"{int((datetime.now(UTC) - timedelta(days=1)).timestamp())}/x"},
        follow_redirects=False,
    )
    assert "changed after this form was opened" in answered(client, again, status=409).text
    assert stored(session, pid).voting_closes_at == datetime(2027, 5, 1, 0, 0, tzinfo=UTC)
    [change] = session.execute(select(WindowChange)).scalars().all()
    assert change.old_closes_at == CLOSE_NY and change.reason == "A storm closed the voting sites."
    entries = session.execute(
        select(AuditEntry).where(AuditEntry.action == "process.window").order_by(AuditEntry.seq)
    ).scalars()
    done, stale = entries.all()
    assert done.actor_id == organizer.user.id and done.outcome == "ok"
    # The stale form's refusal is in the audit chain, under the organizer's name.
    assert (stale.actor_id, stale.outcome) == (organizer.user.id, "refused")
    public = client.get(f"/processes/{pid}")
    assert (
        "Voting was extended to April 30, 2027, 8:00 PM: A storm closed the voting sites."
        in plain(public.text)
    )
    spanish = client.get(f"/processes/{pid}", headers={"Accept-Language": "es"})
    assert "La votación se amplió hasta el 30 de abril de 2027, 8:00 p.m." in plain(spanish.text)


def test_the_window_is_shortened_but_never_into_the_past_nor_reopened(
    client, organizer, session, session_factory
):
    sign_in(client, organizer)
    later = datetime.now(UTC) + timedelta(days=90)
    pid = _voting(client, session_factory, later)
    soon = (datetime.now(UTC) + timedelta(days=2)).astimezone()
    past = window_form(
        client, pid, {"closes_date": "2020-01-01", "closes_time": "20:00", "reason": "Too long."}
    )
    past = answered(client, past, status=409)
    assert "in the past" in past.text
    assert 'value="2020-01-01"' in past.text  # what was typed is kept
    no_reason = window_form(
        client, pid, {"closes_date": "2099-01-01", "closes_time": "20:00", "reason": " "}
    )
    no_reason = answered(client, no_reason, status=422)
    assert "Say why the voting window moves" in no_reason.text
    assert stored(session, pid).voting_closes_at == later
    assert count(session, WindowChange) == 0
    shortened = window_form(
        client,
        pid,
        {
            "closes_date": soon.strftime("%Y-%m-%d"),
            "closes_time": "12:00",
            "reason": "The city ends the vote early.",
        },
    )
    assert answered(client, shortened).status_code == 200
    assert "Voting was shortened to" in client.get(f"/processes/{pid}").text
    # Once counted, never reopened.
    set_phase(session_factory, pid, "funding")
    reopened = window_post(
        client,
        session,
        pid,
        {"closes_date": "2099-01-01", "closes_time": "20:00", "reason": "One more week."},
    )
    assert "cannot reopen" in answered(client, reopened, status=409).text
    assert count(session, WindowChange) == 1


def test_an_archived_process_leaves_the_lists_but_keeps_its_address(
    client, organizer, session, session_factory
):
    sign_in(client, organizer)
    pid = create(client)
    overview, archive = f"/organize/processes/{pid}", f"/organize/processes/{pid}/archive"
    publish = send(client, overview, action=f"/organize/processes/{pid}/publish")
    assert "residents see it now" in answered(client, publish).text
    archived = answered(client, send(client, overview, {"reason": "Abandoned."}, action=archive))
    assert "The process is archived." in archived.text
    assert stored(session, pid).archived_at is not None
    listed = client.get("/organize")
    assert listed.status_code == 200 and "New process" in listed.text
    assert "Eastside PB 2027" not in listed.text
    assert "Eastside PB 2027" in client.get("/organize?archived=1").text
    home = client.get("/")
    assert home.status_code == 200 and translate("en", "home.none") in home.text
    assert "Eastside PB 2027" not in home.text
    assert client.get(f"/processes/{pid}").status_code == 200
    assert [p["id"] for p in client.get("/api/processes").json()] == [pid]  # the record
    # Sent again (Back + send): archived already, nothing changes.
    again = client.post(archive, headers=ORIGIN, data={"archived": "1"}, follow_redirects=False)
    assert "archived already" in answered(client, again).text
    back = answered(client, send(client, overview, action=archive))
    assert back.status_code == 200 and "Eastside PB 2027" in client.get("/").text
    # Never while residents are voting.
    set_phase(session_factory, pid, "voting")
    refused = client.post(archive, headers=ORIGIN, data={"archived": "1"}, follow_redirects=False)
    assert answered(client, refused).status_code == 409
    assert stored(session, pid).archived_at is None


def test_a_copy_takes_the_set_up_and_nothing_of_the_old_cycle(
    client, organizer, session, session_factory
):
    sign_in(client, organizer)
    pid = create(client, count_method="stv", count_seats="3", count_fill="stop")
    headers = organizer.headers
    client.post(
        f"/api/processes/{pid}/sites",
        json={"name": "Library", "kind": "voting_site", "address": "1 Main St"},
        headers=headers,
    )
    client.put(
        f"/api/processes/{pid}/criteria",
        json={"criteria": [{"name": "Need", "weight": 2}, {"name": "Reach", "weight": 1}]},
        headers=headers,
    )
    client.put(
        f"/api/processes/{pid}/voting-rules",
        json={"credential": "identity", "min_age": 14, "postal_codes": ["14605"]},
        headers=headers,
    )
    client.put(
        f"/api/processes/{pid}/paper-rules",
        json={"overvote": "end_ballot", "skipped_rank": "end_ballot"},
        headers=headers,
    )
    client.post(
        f"/api/processes/{pid}/access-codes", json={"count": 3, "label": "m"}, headers=headers
    )
    put_on_ballot(session_factory, pid)
    with session_factory() as s:
        s.add(Idea(process_id=pid, title="Benches", description="d", channel="online"))
        s.commit()
    set_phase(session_factory, pid, "closed")

    overview = client.get(f"/organize/processes/{pid}")
    copy_form = {
        **hidden_fields(overview.text, f"/organize/processes/{pid}/copy"),
        "name": "Eastside PB 2028",
        "copy_name_es": "PP del Eastside 2028",
    }
    assert "PP del Eastside 2027" in overview.text  # shown beside the field, not carried
    made = client.post(
        f"/organize/processes/{pid}/copy", headers=ORIGIN, data=copy_form, follow_redirects=False
    )
    assert made.status_code == 303, made.text
    copy_id = int(made.headers["location"].split("/")[3])
    assert made.headers["location"] == f"/organize/processes/{copy_id}/edit"
    # The same form sent again (Back + send, a reload of a slow answer): no second copy.
    processes_now = count(session, Process)
    again = client.post(
        f"/organize/processes/{pid}/copy", headers=ORIGIN, data=copy_form, follow_redirects=False
    )
    assert again.headers["location"] == f"/organize/processes/{copy_id}/edit"
    assert "made the copy" in answered(client, again).text
    assert count(session, Process) == processes_now
    source, copy = stored(session, pid), stored(session, copy_id)
    assert copy.name == "Eastside PB 2028" and copy.phase == "design"
    for name in ("budget_cents", "currency", "ballot_size", "languages"):
        assert getattr(copy, name) == getattr(source, name), name
    # Last year's name never rides along in another language: the new one, as typed.
    assert copy.translations == {
        "es": {"name": "PP del Eastside 2028", "description": "Decida cómo gastar $250,000."}
    }
    for name in ("time_zone", "count_method", "count_seats", "count_fill", "count_exclusive"):
        assert getattr(copy, name) == getattr(source, name), name
    for name in ("count_min_support",):
        assert getattr(copy, name) == getattr(source, name), name
    assert copy.voting_opens_at is None and copy.voting_closes_at is None
    assert copy.tie_break_seed is None and copy.archived_at is None

    def of(model, pid_, *columns):
        rows = session.execute(select(model).where(model.process_id == pid_)).scalars()
        return sorted(tuple(getattr(r, c) for c in columns) for r in rows)

    assert of(Site, copy_id, "name", "kind", "address") == [("Library", "voting_site", "1 Main St")]
    assert of(Criterion, copy_id, "position", "name", "weight") == of(
        Criterion, pid, "position", "name", "weight"
    )
    assert of(VotingRules, copy_id, "credential", "min_age", "postal_codes") == [
        ("identity", 14, ["14605"])
    ]
    assert of(PaperRules, copy_id, "overvote", "skipped_rank") == [("end_ballot", "end_ballot")]
    for model in (Idea, Proposal, AccessCode):
        assert count(session, model, model.process_id == copy_id) == 0, model
    assert count(session, Proposal, Proposal.process_id == pid) == 5  # the old one is untouched
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.action == "process.copy")
    ).scalar_one()
    assert entry.detail["from"] == pid and entry.detail["sites"] == 1


def test_a_refusal_to_vote_early_says_the_local_time(client, organizer, session_factory):
    sign_in(client, organizer)
    pid = create(client)
    client.put(
        f"/api/processes/{pid}/voting-rules",
        json={"credential": "identity"},
        headers=organizer.headers,
    )
    put_on_ballot(session_factory, pid)
    set_phase(session_factory, pid, "voting")
    r = client.post(
        f"/api/processes/{pid}/ballots",
        json={
            "credential": {
                "identity": {"name": "Ana", "birth_date": "1990-04-02", "postal_code": "14604"}
            },
            "ranking": [1],
        },
    )
    assert r.status_code == 409 and r.json()["error"] == "voting_not_open"
    assert (
        plain(r.json()["message"]) == "Voting opens at April 2, 2027, 9:00 AM (America/New_York)."
    )


def test_the_vote_page_says_the_opening_day_as_residents_count_days(client, organizer):
    sign_in(client, organizer)
    pid = create(client, opens_date="2027-04-23", opens_time="21:00", closes_date="2027-05-01")
    # 21:00 in New York is 01:00 UTC on the 24th: residents read the 23rd.
    page = client.get(f"/processes/{pid}/vote")
    assert "Voting opens on April 23, 2027." in page.text
    spanish = client.get(f"/processes/{pid}/vote", headers={"Accept-Language": "es"})
    assert "23 de abril de 2027" in spanish.text


def test_the_api_moves_the_window_archives_and_copies_by_the_same_rules(
    client, organizer, session, session_factory
):
    sign_in(client, organizer)
    pid = _voting(client, session_factory, CLOSE_NY)
    h = organizer.headers
    moved = client.post(
        f"/api/processes/{pid}/window",
        json={"voting_closes_at": "2027-05-01T00:00:00Z", "reason": "A storm."},
        headers=h,
    )
    assert moved.status_code == 201, moved.text
    assert moved.json()["old_closes_at"].startswith("2027-04-24T00:00")
    past = client.post(
        f"/api/processes/{pid}/window",
        json={"voting_closes_at": "2020-05-01T00:00:00Z", "reason": "Oops."},
        headers=h,
    )
    assert past.status_code == 409 and past.json()["error"] == "window_in_past"
    assert "(America/New_York)" in past.json()["message"]
    missing = client.post(f"/api/processes/{pid}/window", json={"reason": "x"}, headers=h)
    assert missing.status_code == 422
    assert [c["reason"] for c in client.get(f"/api/processes/{pid}/window").json()] == ["A storm."]
    refused = client.post(f"/api/processes/{pid}/archive", json={}, headers=h)
    assert refused.status_code == 409 and refused.json()["error"] == "wrong_phase"
    set_phase(session_factory, pid, "funding")
    archived = client.post(f"/api/processes/{pid}/archive", json={"reason": "Done."}, headers=h)
    assert archived.status_code == 200 and archived.json()["archived_at"]
    copy = client.post(f"/api/processes/{pid}/copy", json={"name": "Next year"}, headers=h)
    assert copy.status_code == 201 and copy.json()["phase"] == "design"
    assert copy.json()["voting_closes_at"] is None and copy.json()["archived_at"] is None
    anonymous = client.post(f"/api/processes/{pid}/copy", json={"name": "Mine"})
    assert anonymous.status_code == 401


def test_a_refused_phase_change_is_said_in_vietnamese(client, organizer, session_factory):
    sign_in(client, organizer)
    pid = create(client)
    set_phase(session_factory, pid, "proposal_development")
    vietnamese = {"Accept-Language": "vi"}
    r = phase_form(client, pid, "Sẵn sàng", headers=vietnamese)
    r = answered(client, r, status=409, headers=vietnamese)
    assert "Chưa thể chuyển bước" in r.text
    assert "0 đề xuất trên lá phiếu; cần ít nhất 5" in r.text
    assert "are needed" not in r.text
    assert "Sẵn sàng</textarea>" in r.text  # the reason typed is kept


def test_only_organizers_reach_the_set_up_pages(client, organizer, make_staff, session):
    from app.users.models import Role

    sign_in(client, organizer)
    pid = create(client)
    assert client.get("/organize/processes/99999").status_code == 404
    client.cookies.clear()
    delegate = make_staff(Role.delegate)
    client.post(
        "/station/login",
        headers=ORIGIN,
        data={"email": delegate.user.email, "password": delegate.password},
    )
    before = count(session, Process)
    for path in ("/organize/processes/new", f"/organize/processes/{pid}/edit"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 403 and "signed in as a budget delegate" in r.text
    for path in ("new", f"{pid}/copy", f"{pid}/archive", f"{pid}/phase", f"{pid}/window"):
        r = client.post(
            f"/organize/processes/{path}",
            headers=ORIGIN,
            data={**FORM, "name": "Mine", "reason": "x", "to": "idea_collection"},
            follow_redirects=False,
        )
        assert r.status_code == 403, path
    assert count(session, Process) == before
    assert stored(session, pid).phase == "design" and stored(session, pid).archived_at is None


def test_a_vote_set_months_out_can_be_brought_forward_before_it_opens(
    client, organizer, session, session_factory
):
    """Voting entered months before its window is not stuck: the opening moves while it is
    still ahead; once voting has opened, only the close moves."""
    sign_in(client, organizer)
    pid = create(client)
    opens, closes = datetime(2099, 4, 2, 13, 0, tzinfo=UTC), datetime(2099, 4, 24, 0, 0, tzinfo=UTC)
    set_phase(session_factory, pid, "voting", voting_opens_at=opens, voting_closes_at=closes)
    page = client.get(f"/organize/processes/{pid}/window").text
    assert 'name="opens_date"' in page and 'value="2099-04-02"' in page
    soon = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d")
    moved = window_form(
        client,
        pid,
        {
            "opens_date": (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d"),
            "opens_time": "09:00",
            "closes_date": soon,
            "closes_time": "20:00",
            "reason": "The city voted to hold it now.",
        },
    )
    assert answered(client, moved).status_code == 200
    process = stored(session, pid)
    assert process.voting_opens_at < datetime.now(UTC) < process.voting_closes_at
    [change] = session.execute(select(WindowChange)).scalars().all()
    assert change.old_opens_at == opens and change.new_opens_at == process.voting_opens_at
    assert "Voting was moved: it opens" in client.get(f"/processes/{pid}").text
    # Open now: the opening no longer moves (ballots may exist), the close still does.
    window = client.get(f"/organize/processes/{pid}/window")
    assert window.status_code == 200 and 'name="closes_date"' in window.text
    assert 'name="opens_date"' not in window.text
    late = client.post(
        f"/api/processes/{pid}/window",
        json={
            "voting_opens_at": "2099-01-01T00:00:00Z",
            "voting_closes_at": "2099-02-01T00:00:00Z",
            "reason": "Later after all.",
        },
        headers=organizer.headers,
    )
    assert late.status_code == 409 and late.json()["error"] == "window_started"
    assert stored(session, pid).voting_opens_at == process.voting_opens_at


def test_voting_ends_now_with_a_reason_and_funding_may_follow(
    client, organizer, session, session_factory
):
    sign_in(client, organizer)
    later = datetime.now(UTC) + timedelta(days=30)
    pid = _voting(client, session_factory, later)
    put_on_ballot(session_factory, pid, count=7)  # the form's exclusive group names 3 and 7
    early = answered(client, phase_form(client, pid, "x"), status=409)
    assert stored(session, pid).phase == "voting"
    assert "once the voting window is over" in early.text
    quiet = window_form(client, pid, {"end_now": "1", "reason": ""})
    assert answered(client, quiet).status_code == 422
    assert stored(session, pid).voting_closes_at == later
    before = datetime.now(UTC)
    ended = window_form(
        client,
        pid,
        {"end_now": "1", "closes_date": "", "closes_time": "", "reason": "Every site closed."},
    )
    assert answered(client, ended).status_code == 200
    closes = stored(session, pid).voting_closes_at
    assert before <= closes <= datetime.now(UTC)
    [change] = session.execute(select(WindowChange)).scalars().all()
    assert change.old_closes_at == later and change.reason == "Every site closed."
    # Once ended, the page says so (no stale "Voting was shortened to"), and why.
    public = client.get(f"/processes/{pid}").text
    assert "Voting ended on" in public and "Voting was shortened to" not in public
    assert "Why the voting window changed: Every site closed." in public
    # The window has ended: it no longer holds the count back (here, no ballot does).
    moved = answered(client, phase_form(client, pid, "Voting ended early."))
    assert "once the voting window is over" not in moved.text
    assert "No ballots have been cast yet." in moved.text
