"""Slips the organizers' pages catch (issue 20): each refusal names its field and changes
nothing; the API answers the same rule with a 4xx naming the field."""

from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.processes.models import Process
from app.sites.models import Site
from tests.helpers import answered, count, hidden_fields, put_on_ballot, send
from tests.ideas.helpers import create_process
from tests.people.helpers import fill, post, sign_in
from tests.people.test_sites_page import VOTING_SITE
from tests.voting.helpers import set_phase

ORIGIN = {"Origin": "http://testserver"}


def stored(session, pid: int) -> Process:
    session.expire_all()
    return session.get(Process, pid)


def test_a_site_closing_before_it_opens_names_the_field(client, organizer, session):
    pid = create_process(client, organizer, time_zone="America/New_York")["id"]
    sign_in(client, organizer)
    backwards = {**VOTING_SITE, "closes_at": "2027-04-02T08:00"}
    page = answered(client, post(client, f"/organize/processes/{pid}/sites", backwards), status=422)
    assert "Check these fields and try again: Closes" in page.text, page.text
    assert "—." not in page.text
    assert count(session, Site, Site.process_id == pid) == 0
    api = client.post(
        f"/api/processes/{pid}/sites",
        json={
            "name": "Library",
            "kind": "voting_site",
            "address": "1 Main St",
            "opens_at": "2027-04-02T13:00:00Z",
            "closes_at": "2027-04-02T12:00:00Z",
        },
        headers=organizer.headers,
    )
    assert api.status_code == 422 and api.json()["field"] == "closes_at", api.text
    # A site edited backwards: the same words, nothing changed.
    post(client, f"/organize/processes/{pid}/sites", VOTING_SITE)
    site = session.execute(select(Site).where(Site.process_id == pid)).scalar_one()
    edited = post(client, f"/organize/processes/{pid}/sites/{site.id}", backwards)
    assert "Closes" in answered(client, edited, status=422).text
    session.refresh(site)
    assert site.closes_at.hour == 0  # 20:00 in New York, as added


def test_archive_needs_a_reason_on_the_page_and_the_api(client, organizer, session):
    pid = create_process(client, organizer)["id"]
    sign_in(client, organizer)
    archive = f"/organize/processes/{pid}/archive"
    empty = client.post(
        archive, headers=ORIGIN, data={"archived": "1", "reason": "  "}, follow_redirects=False
    )
    page = answered(client, empty, status=422)
    assert "Say why the process is archived" in page.text
    api = client.post(
        f"/api/processes/{pid}/archive", json={"reason": ""}, headers=organizer.headers
    )
    assert api.status_code == 422 and api.json()["field"] == "reason", api.text
    assert stored(session, pid).archived_at is None
    done = client.post(
        archive, headers=ORIGIN, data={"archived": "1", "reason": "Merged."}, follow_redirects=False
    )
    assert "The process is archived." in answered(client, done).text
    assert stored(session, pid).archived_at is not None


def test_a_copy_never_carries_last_years_translated_name(client, organizer, session):
    source = create_process(
        client,
        organizer,
        name="Eastside PB 2027",
        translations={
            "es": {"name": "PP del Eastside 2027", "description": "Decida."},
            "vi": {"name": "Ngân sách Eastside 2027"},
        },
    )
    sign_in(client, organizer)
    overview = f"/organize/processes/{source['id']}"
    made = send(
        client,
        overview,
        {"name": "Eastside PB 2028", "copy_name_es": "PP del Eastside 2028"},
        action=f"{overview}/copy",
    )
    edit = answered(client, made)
    assert "No name yet in Tiếng Việt" in edit.text, edit.text
    copy = stored(session, int(made.headers["location"].split("/")[3]))
    assert copy.translations == {"es": {"name": "PP del Eastside 2028", "description": "Decida."}}
    assert "2027" not in str(copy.translations)
    api = client.post(
        f"/api/processes/{source['id']}/copy",
        json={"name": "Eastside PB 2028", "names": {"vi": "Ngân sách Eastside 2028"}},
        headers=organizer.headers,
    )
    assert api.status_code == 201
    assert api.json()["translations"] == {
        "vi": {"name": "Ngân sách Eastside 2028", "description": ""}
    }


def test_the_time_zone_is_fixed_once_voting_opens(client, organizer, session, session_factory):
    pid = create_process(client, organizer, time_zone="America/New_York")["id"]
    h = organizer.headers
    moved = client.patch(f"/api/processes/{pid}", json={"time_zone": "America/Chicago"}, headers=h)
    assert moved.status_code == 200  # before voting it still moves
    set_phase(session_factory, pid, "voting")
    refused = client.patch(f"/api/processes/{pid}", json={"time_zone": "UTC"}, headers=h)
    assert refused.status_code == 409, refused.text
    assert refused.json()["field"] == "time_zone" and refused.json()["error"] == "rules_frozen"
    same = client.patch(f"/api/processes/{pid}", json={"time_zone": "America/Chicago"}, headers=h)
    assert same.status_code == 200  # saying the zone it has is no change
    sign_in(client, organizer)
    edit = f"/organize/processes/{pid}/edit"
    page = client.get(edit).text
    assert 'name="time_zone"' not in page
    assert "The time zone was fixed when voting opened" in page and "America/Chicago" in page
    forged = client.post(
        edit,
        headers=ORIGIN,
        data={"name": "Test PB", "time_zone": "Europe/London"},
        follow_redirects=False,
    )
    assert forged.headers["location"] == edit
    shown = answered(client, forged, status=409)
    assert "The time zone was fixed when voting opened; it cannot change now." in shown.text
    assert 'href="#f-time_zone"' in shown.text
    assert stored(session, pid).time_zone == "America/Chicago"


NEW = "/organize/processes/new"


def test_a_window_in_the_past_or_far_ahead_asks_to_confirm(client, organizer, session):
    from tests.test_setup_pages import FORM

    sign_in(client, organizer)
    before = count(session, Process)
    for year, words in (("2019", "in the past"), ("2099", "more than a year ahead")):
        typed = {**FORM, "opens_date": f"{year}-04-02", "closes_date": f"{year}-04-23"}
        refused = send(client, NEW, typed, action=NEW)
        assert refused.status_code == 303 and refused.headers["location"].startswith(NEW)
        page = answered(client, refused, status=422)
        assert f"These voting dates are {words}" in page.text
        assert 'href="#f-confirm_window"' in page.text and 'name="confirm_window"' in page.text
        assert f'value="{year}-04-02"' in page.text  # what was typed comes back
        assert count(session, Process) == before
    confirmed = send(client, NEW, {**typed, "confirm_window": "1"}, action=NEW)
    pid = int(confirmed.headers["location"].rsplit("/", 1)[1])
    assert stored(session, pid).voting_closes_at.year == 2099
    # Editing: only a moved window is checked, and the same confirmation is asked.
    edit = f"/organize/processes/{pid}/edit"
    languages = {f"language_{code}": "on" for code in ("en", "es", "vi")}
    renamed = send(client, edit, {"name": "Renamed", **languages}, action=edit)
    assert renamed.headers["location"] == f"/organize/processes/{pid}"
    moved = {
        "closes_date": "2019-01-01",
        "closes_time": "20:00",
        "opens_date": "",
        "opens_time": "",
    }
    moved.update(languages)
    back = send(client, edit, moved, action=edit)
    assert "in the past" in answered(client, back, status=422).text
    assert stored(session, pid).voting_closes_at.year == 2099
    # The API: a 422 naming confirm_window, then accepted with it.
    body = {"name": "Old", "budget_cents": 100, "voting_closes_at": "2019-04-24T00:00:00Z"}
    api = client.post("/api/processes", json=body, headers=organizer.headers)
    assert api.status_code == 422 and api.json()["field"] == "confirm_window", api.text
    assert api.json()["error"] == "window_unusual"
    assert count(session, Process) == before + 1
    ok = client.post(
        "/api/processes", json={**body, "confirm_window": True}, headers=organizer.headers
    )
    assert ok.status_code == 201 and "confirm_window" not in ok.json()
    patch = client.patch(
        f"/api/processes/{pid}",
        json={"voting_closes_at": "2101-01-01T00:00:00Z"},
        headers=organizer.headers,
    )
    assert patch.status_code == 422 and patch.json()["field"] == "confirm_window"


def criteria_of(client, pid: int) -> list[dict]:
    return client.get(f"/api/processes/{pid}/criteria").json()


def test_every_criterion_is_saved_by_one_save(client, organizer, session):
    pid = create_process(client, organizer)["id"]
    sign_in(client, organizer)
    page_address = f"/organize/processes/{pid}/criteria"
    page = client.get(page_address).text
    assert page.count('type="submit" class="primary"') == 1  # one Save for the list
    need, feasibility, equity, principles = (c["id"] for c in criteria_of(client, pid))
    changes = {
        f"weight-{need}": "3",
        f"name_es-{feasibility}": "Viabilidad",
        f"position-{equity}": "1",
        f"remove-{principles}": "1",
    }
    saved = fill(client, page_address, f"{page_address}/save", changes)
    assert "The criteria were saved (3 in the list, 1 removed)" in answered(client, saved).text
    after = criteria_of(client, pid)
    assert [c["name"] for c in after] == ["Equity", "Need", "Feasibility"]
    assert after[1]["weight"] == 3  # both edits kept: neither drops the other
    assert after[2]["translations"]["es"]["name"] == "Viabilidad"
    # A refusal names the field, keeps what was typed, changes nothing.
    before = criteria_of(client, pid)
    bad = fill(
        client,
        page_address,
        f"{page_address}/save",
        {f"weight-{need}": "two", f"name-{feasibility}": "Doable"},
    )
    shown = answered(client, bad, status=422).text
    assert "Check these fields and try again: Weight" in shown
    assert 'value="Doable"' in shown and 'value="two"' in shown
    assert criteria_of(client, pid) == before
    # A form made for another list (Back after a save elsewhere) saves nothing.
    stale = client.post(
        f"{page_address}/save",
        headers=ORIGIN,
        data={"criteria": f"{need},{principles}", f"weight-{need}": "5"},
        follow_redirects=False,
    )
    assert "nothing was saved" in answered(client, stale, status=409).text
    assert criteria_of(client, pid) == before


def test_the_overview_leads_to_the_ranking_and_the_proposal_editor(
    client, organizer, session_factory
):
    pid = create_process(client, organizer)["id"]
    sign_in(client, organizer)
    assert "/ranking" not in client.get(f"/organize/processes/{pid}").text  # nothing in design
    set_phase(session_factory, pid, "proposal_development")
    (proposal, *_) = put_on_ballot(session_factory, pid, count=1)
    overview = client.get(f"/organize/processes/{pid}").text
    for link in (
        f"/delegate/processes/{pid}/ranking",
        f"/delegate/processes/{pid}/proposals/new",
        f"/delegate/proposals/{proposal}",
    ):
        assert f'href="{link}"' in overview, link
        opened = client.get(link)  # the editor first names its one-time form (?f=)
        assert opened.status_code == 200 and opened.url.path == link, link


def test_deactivating_an_account_asks_first_and_acts_once(client, organizer, make_staff, session):
    from app.users.models import Role, User

    worker = make_staff(Role.poll_worker)
    sign_in(client, organizer)
    staff_page = client.get("/organize/staff").text
    ask = f"/organize/staff/{worker.user.id}/deactivate"
    assert f'href="{ask}"' in staff_page
    asked = client.get(ask)
    assert asked.status_code == 200 and "signed out at once on every device" in asked.text
    assert f'action="/organize/staff/{worker.user.id}/active"' in asked.text
    account = session.get(User, worker.user.id)
    assert account.is_active  # a look changes nothing
    confirmed = send(client, ask, action=f"/organize/staff/{worker.user.id}/active")
    assert "is deactivated" in answered(client, confirmed).text
    session.refresh(account)
    assert not account.is_active
    resent = client.post(
        f"/organize/staff/{worker.user.id}/active",
        headers=ORIGIN,
        data={"active": "no"},
        follow_redirects=False,
    )
    assert "already" in answered(client, resent).text
    assert "already" in answered(client, client.get(ask, follow_redirects=False)).text


def test_extending_the_window_offers_to_move_the_site_hours(
    client, organizer, session, session_factory
):
    from datetime import UTC, datetime, timedelta

    from app.audit import AuditEntry

    closes = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0, second=0, minute=0)
    pid = create_process(client, organizer, time_zone="America/New_York")["id"]
    h = organizer.headers
    with_window, earlier = (
        client.post(
            f"/api/processes/{pid}/sites",
            json={"name": name, "kind": "voting_site", "address": "1 Main St", "closes_at": at},
            headers=h,
        ).json()["id"]
        for name, at in (
            ("Library", closes.isoformat()),
            ("School", (closes - timedelta(hours=2)).isoformat()),
        )
    )
    opened = {"voting_opens_at": datetime.now(UTC) - timedelta(days=1), "voting_closes_at": closes}
    set_phase(session_factory, pid, "voting", **opened)
    sign_in(client, organizer)
    window = f"/organize/processes/{pid}/window"
    page = client.get(window).text
    assert 'name="move_sites" value="1" checked' in page and "Library" in page
    assert "School" not in page.split('id="f-move_sites"')[1].split("</fieldset>")[0]
    later = closes + timedelta(days=1)
    local = later.astimezone(ZoneInfo("America/New_York"))
    typed = {
        "closes_date": local.strftime("%Y-%m-%d"),
        "closes_time": local.strftime("%H:%M"),
        "reason": "A storm closed the library.",
    }
    moved = fill(client, window, window, typed)
    assert "1 voting sites now close with the new window" in answered(client, moved).text
    session.expire_all()
    assert session.get(Site, with_window).closes_at == later
    assert session.get(Site, earlier).closes_at == closes - timedelta(hours=2)  # not at the close
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.action == "site.hours")
    ).scalar_one()
    assert entry.detail["sites"] == [with_window]
    # Unticked (or through the API without the flag): the sites keep their hours.
    again = later + timedelta(days=1)
    api = client.post(
        f"/api/processes/{pid}/window",
        json={"voting_closes_at": again.isoformat(), "reason": "Longer."},
        headers=h,
    )
    assert api.status_code == 201, api.text
    session.expire_all()
    assert session.get(Site, with_window).closes_at == later
    flag = client.post(
        f"/api/processes/{pid}/window",
        json={"voting_closes_at": "2099-01-01T00:00:00Z", "reason": "x", "move_site_hours": "y"},
        headers=h,
    )
    assert flag.status_code == 422 and flag.json()["field"] == "move_site_hours"


def test_a_new_password_is_asked_first_and_made_once(client, organizer, make_staff, session):
    from app.users.models import Role, User

    worker = make_staff(Role.poll_worker)
    sign_in(client, organizer)
    ask = f"/organize/staff/{worker.user.id}/password"
    assert f'href="{ask}"' in client.get("/organize/staff").text
    hash_before = session.get(User, worker.user.id).password_hash
    asked = client.get(ask)  # names its one-time form first (?f=)
    assert asked.status_code == 200 and "stops working for good" in asked.text
    session.expire_all()
    assert session.get(User, worker.user.id).password_hash == hash_before  # a look: nothing
    made = send(client, str(asked.url).removeprefix(str(client.base_url)), action=ask)
    assert 'class="password"' in answered(client, made).text
    session.expire_all()
    hash_after = session.get(User, worker.user.id).password_hash
    assert hash_after != hash_before
    again = client.post(
        ask,
        headers=ORIGIN,
        data={"form_token": hidden_fields(asked.text, ask)["form_token"]},
        follow_redirects=False,
    )
    assert "already" in answered(client, again).text
    session.expire_all()
    assert session.get(User, worker.user.id).password_hash == hash_after
