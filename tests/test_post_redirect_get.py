"""Every form of every page, sent as a browser sends it, then sent again.

The routes are read from the app: a page's POST route that is not in FORMS fails
`test_every_page_form_is_in_the_table`. For each, its page is opened (its hidden fields: the
form instance, the state it was drawn for), the form is sent and must answer 303 to a page of
this site that a GET shows (200: the form did its work); then the very same body is sent
again (Back + send, a reload of a slow answer, a second tab): it answers 303 too, stores
nothing more, and the page it leads to says what happened.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.db import metadata
from app.equity.service import survey_token
from app.processes.models import Process
from app.voting.models import VotingRules
from tests.conftest import TEST_SECRET
from tests.helpers import hidden_fields
from tests.test_phase_matrix import EDITOR_FORM, IDENTITY, World, _fill, _sign_in, build

ORIGIN = {"Origin": "http://testserver"}
CSV = b"sheet,pass,marks,flag\n1,1,1:1,\n"
POPULATION = b"neighbourhood,population\nNorth,10\n"


@dataclass
class Form:
    who: str  # a client of the matrix's world, or one `setup` makes
    phase: str
    page: str  # where the form is drawn ({ids})
    action: str  # where it posts ({ids})
    data: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Any] | None = None
    setup: Callable[[World, Any, Any], None] | None = None
    # What a repeat says: a message or a refusal on its page. A few forms act on the
    # browser only (sign in, start a kiosk ballot): sending them again says nothing new.
    says_again: bool = True
    # Forms that state the whole of what they set: sent again they set the same, so rows
    # are counted (a time stamp may move), not compared.
    counted: bool = False
    drawn_by: str | None = None  # the page's form to read, when it posts elsewhere


def identity_rules(world: World, session_factory, app) -> None:
    """Under `identity` a voter is checked in and votes with name, birth date and ZIP."""
    with session_factory() as session:
        session.merge(VotingRules(process_id=world.ids["process_id"], credential="identity"))
        session.commit()


def kiosk(world: World, session_factory, app, *, with_ticket: bool = True) -> None:
    """A tablet opened as the site's kiosk (a second sign-in of the poll worker), and a
    voter checked in for it at the desk."""
    identity_rules(world, session_factory, app)
    client, headers = world.clients["worker"]
    if with_ticket:
        ticket = client.post(
            f"/api/processes/{world.ids['process_id']}/check-ins",
            json={"site_id": world.ids["site_id"], "mode": "kiosk", "identity": IDENTITY},
            headers=headers,
        ).json()["kiosk_ticket"]
        world.ids["ticket"] = ticket
    tablet = _sign_in(app, _worker(world, session_factory))
    opened = tablet.post(
        f"/station/sites/{world.ids['site_id']}/kiosk", headers=ORIGIN, follow_redirects=False
    )
    assert opened.headers["location"] == "/kiosk", opened.text
    world.clients["kiosk"] = (tablet, {})


def kiosk_voter(world: World, session_factory, app) -> None:
    kiosk(world, session_factory, app)
    tablet, _ = world.clients["kiosk"]
    started = tablet.post(
        "/kiosk/ballot",
        data={"kiosk_ticket": world.ids["ticket"]},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert started.headers["location"] == "/kiosk/ballot", started.text


def _worker(world: World, session_factory) -> Any:
    """The poll worker of the site, as `make_staff` made them (its password)."""
    from types import SimpleNamespace

    from app.users.models import User

    with session_factory() as session:
        user = session.get(User, world.ids["user_id"])
    return SimpleNamespace(user=user, password="correct horse battery")


def signed_out(world: World, session_factory, app) -> None:
    world.clients["visitor"] = (TestClient(app, base_url="http://testserver"), {})
    world.ids["worker_email"] = _worker(world, session_factory).user.email


def draft(world: World, session_factory, app) -> None:
    """The world's process as a new one is: a draft, not published yet."""
    with session_factory() as session:
        session.get(Process, world.ids["process_id"]).published_at = None
        session.commit()


def survey(world: World, session_factory, app) -> None:
    world.ids["survey"] = survey_token(TEST_SECRET, world.ids["process_id"], receipt="R-1")


def scores(world: World, session_factory, app) -> None:
    client, headers = world.clients["delegate"]
    criteria = client.get(f"/api/processes/{world.ids['process_id']}/criteria").json()
    world.ids["scores"] = {f"criterion_{c['id']}": "3" for c in criteria}


P = "/organize/processes/{process_id}"
FORMS: dict[str, Form] = {
    "/station/login": Form(
        "visitor",
        "voting",
        "/station",
        "/station/login",
        {"email": "{worker_email}", "password": "correct horse battery"},
        setup=signed_out,
        says_again=False,
    ),
    "/station/logout": Form(
        "worker_page", "voting", "/station", "/station/logout", says_again=False
    ),
    "/station/sites/{site_id}/check-in": Form(
        "worker_page",
        "voting",
        "/station",
        "/station/sites/{site_id}/check-in",
        {"mode": "paper", **IDENTITY},
        setup=identity_rules,
    ),
    "/station/sites/{site_id}/kiosk": Form(
        "worker_page", "voting", "/station", "/station/sites/{site_id}/kiosk", says_again=False
    ),
    "/kiosk/ballot": Form(
        "kiosk",
        "voting",
        "/kiosk",
        "/kiosk/ballot",
        {"kiosk_ticket": "{ticket}"},
        setup=kiosk,
        says_again=False,
    ),
    "/kiosk/cast": Form(
        "kiosk",
        "voting",
        "/kiosk/ballot",
        "/kiosk/cast",
        {"rank_1": "{funded_id}", "step": "cast"},
        setup=kiosk_voter,
        says_again=False,
    ),
    "/kiosk/release": Form("kiosk", "voting", "/kiosk/ballot", "/kiosk/release", setup=kiosk_voter),
    "/station/tickets/{handle}/release": Form(
        "worker_page",
        "voting",
        "/station",
        "/station/tickets/{handle}/release",
        {"reason": "The voter left."},
    ),
    "/station/tickets/{handle}/reissue": Form(
        "worker_page", "voting", "/station", "/station/tickets/{handle}/reissue"
    ),
    "/organize/processes/{process_id}/check-ins/{handle}/release": Form(
        "organizer_page",
        "voting",
        "/organize/processes/{process_id}/check-ins",
        "/organize/processes/{process_id}/check-ins/{handle}/release",
        {"reason": "The voter left."},
    ),
    "/organize/processes/{process_id}/check-ins/{handle}/reissue": Form(
        "organizer_page",
        "voting",
        "/organize/processes/{process_id}/check-ins",
        "/organize/processes/{process_id}/check-ins/{handle}/reissue",
    ),
    "/processes/{process_id}/vote": Form(
        "public",
        "voting",
        "/processes/{process_id}/vote",
        "/processes/{process_id}/vote",
        {"rank_1": "{funded_id}", "step": "cast", **IDENTITY},
        setup=identity_rules,
    ),
    "/processes/{process_id}/survey": Form(
        "public",
        "voting",
        "/processes/{process_id}/survey/{survey}",
        "/processes/{process_id}/survey",
        {"age_band": "18_24"},
        setup=survey,
    ),
    "/station/sites/{site_id}/paper-batches": Form(
        "worker_page",
        "voting",
        "/station",
        "/station/sites/{site_id}/paper-batches",
        {"sheets": "3"},
    ),
    "/station/batches/{batch_id}": Form(
        "worker_page",
        "voting",
        "/station/batches/{batch_id}",
        None,
        {"sheet": "1", "marks": "1:1"},
    ),
    "/organize/batches/{batch_id}/sheets/{sheet}": Form(
        "organizer_page",
        "voting",
        "/organize/batches/{batch_id}",
        "/organize/batches/{batch_id}/sheets/1",
        {"marks": "1:1", "reason": "Read it."},
        setup=lambda world, sf, app: disputed_sheet(world, sf),
    ),
    "/organize/processes/{process_id}/proposals/{proposal_id}/{decision}": Form(
        "organizer_page",
        "proposal_development",
        P + "/proposals",
        P + "/proposals/{proposal_id}/return",
        {"reason": "Needs a partner."},
    ),
    "/organize/processes/{process_id}/codes": Form(
        "organizer_page", "design", P + "/codes", P + "/codes", {"count": "2", "label": "cards"}
    ),
    "/organize/processes/{process_id}/codes/void": Form(
        "organizer_page",
        "design",
        P + "/codes",
        P + "/codes/void",
        {"label": "m", "reason": "Lost in the mail."},
        counted=True,  # no code left to withdraw: the same, said again
    ),
    "/organize/processes/new": Form(
        "organizer_page",
        "design",
        "/organize/processes/new",
        "/organize/processes/new",
        {
            "name": "Another PB",
            "budget": "1000",
            "currency": "USD",
            "ballot_size": "5",
            "language_en": "on",
        },
    ),
    "/organize/processes/{process_id}/edit": Form(
        "organizer_page",
        "design",
        P + "/edit",
        P + "/edit",
        {"description": "Changed.", "language_en": "on"},
        counted=True,
    ),
    "/organize/processes/{process_id}/phase": Form(
        "organizer_page", "design", P + "/phase", P + "/phase", {"reason": "The calendar says so."}
    ),
    "/organize/processes/{process_id}/window": Form(
        "organizer_page",
        "voting",
        P + "/window",
        P + "/window",
        {"closes_date": "2099-01-01", "closes_time": "20:00", "reason": "Storm."},
    ),
    "/organize/processes/{process_id}/archive": Form(
        "organizer_page", "funding", P, P + "/archive", {"reason": "Done."}
    ),
    "/organize/processes/{process_id}/publish": Form(
        "organizer_page", "design", P, P + "/publish", setup=draft
    ),
    "/organize/processes/{process_id}/results/publish": Form(
        "organizer_page", "funding", P + "/results", P + "/results/publish", {"when": "now"}
    ),
    "/organize/processes/{process_id}/copy": Form(
        "organizer_page", "funding", P, P + "/copy", {"name": "Next year"}
    ),
    "/processes/{process_id}/ideas/new": Form(
        "public",
        "idea_collection",
        "/processes/{process_id}/ideas/new",
        None,
        {"title": "Benches", "description": "At the stops.", "contact_name": "Rosa"},
    ),
    "/organize/processes/{process_id}/ideas/moderate": Form(
        "organizer_page",
        "idea_collection",
        P + "/ideas?idea={idea_id}",
        P + "/ideas/moderate",
        {"idea": "{idea_id}", "decision": "hide", "reason": "Off topic."},
    ),
    "/organize/processes/{process_id}/ideas/paper": Form(
        "organizer_page",
        "idea_collection",
        P + "/ideas/paper",
        None,
        {"title": "Lights", "description": "On the path.", "contact_phone": "585-555-0100"},
    ),
    "/delegate/ideas/{idea_id}": Form(
        "delegate_page",
        "proposal_development",
        "/delegate/ideas/{idea_id}",
        None,
        {"scores": None},
        setup=scores,
        counted=True,
    ),
    "/delegate/processes/{process_id}/proposals/new": Form(
        "delegate_page",
        "proposal_development",
        "/delegate/processes/{process_id}/proposals/new?idea={idea_id}",
        "/delegate/processes/{process_id}/proposals/new",
        EDITOR_FORM["data"],
    ),
    "/delegate/proposals/{proposal_id}": Form(
        "delegate_page",
        "proposal_development",
        "/delegate/proposals/{proposal_id}",
        None,
        EDITOR_FORM["data"],
        counted=True,
    ),
    "/organize/staff": Form(
        "organizer_page",
        "design",
        "/organize/staff",
        "/organize/staff",
        {"display_name": "Lan", "email": "lan@example.org", "role": "poll_worker"},
    ),
    "/organize/staff/{user_id}/active": Form(
        "organizer_page",
        "design",
        "/organize/staff/{spare_id}/deactivate",  # asked first: it signs them out everywhere
        "/organize/staff/{spare_id}/active",
    ),
    "/organize/staff/{user_id}/password": Form(
        "organizer_page",
        "design",
        "/organize/staff/{spare_id}/password",  # asked first: the old password is gone
        "/organize/staff/{spare_id}/password",
    ),
    "/organize/processes/{process_id}/sites": Form(
        "organizer_page",
        "design",
        P + "/sites",
        P + "/sites",
        {"kind": "event_informal", "name": "Kickoff", "address": "2 Main St"},
    ),
    "/organize/processes/{process_id}/sites/{site_id}": Form(
        "organizer_page",
        "design",
        P + "/sites/{site_id}",
        P + "/sites/{site_id}",
        {"kind": "voting_site", "name": "Main Library", "address": "1 Main St"},
        counted=True,
    ),
    "/organize/processes/{process_id}/sites/{site_id}/poll-workers": Form(
        "organizer_page",
        "design",
        P + "/sites",
        P + "/sites/{site_id}/poll-workers",
        {"user_id": "{spare_id}"},
    ),
    "/organize/processes/{process_id}/criteria": Form(
        "organizer_page",
        "design",
        P + "/criteria",
        P + "/criteria",
        {"name": "Cost", "weight": "2"},
    ),
    "/organize/processes/{process_id}/criteria/save": Form(
        "organizer_page", "design", P + "/criteria", P + "/criteria/save", counted=True
    ),
    "/organize/processes/{process_id}/rules/voting": Form(
        "organizer_page",
        "design",
        P + "/rules",
        P + "/rules/voting",
        {"credential": "identity", "min_age": "16", "postal_codes": "14604"},
        counted=True,
    ),
    "/organize/processes/{process_id}/rules/paper": Form(
        "organizer_page",
        "design",
        P + "/rules",
        P + "/rules/paper",
        {"overvote": "end_ballot", "skipped_rank": "end_ballot"},
        counted=True,
    ),
    "/organize/processes/{process_id}/rules/ideas": Form(
        "organizer_page",
        "design",
        P + "/rules",
        P + "/rules/ideas",
        {"idea_rate_limit": "100"},
        counted=True,
    ),
    "/organize/processes/{process_id}/rules/kiosk": Form(
        "organizer_page",
        "design",
        P + "/rules",
        P + "/rules/kiosk",
        {"kiosk_ticket_minutes": "20"},
        counted=True,
    ),
    "/organize/processes/{process_id}/paper/exclude": Form(
        "organizer_page",
        "voting",
        P + "/paper",
        P + "/paper/exclude",
        {"batch": "{batch_id}", "reason": "Water damage."},
    ),
    "/organize/processes/{process_id}/paper/import": Form(
        "organizer_page",
        "voting",
        P + "/paper",
        P + "/paper/import",
        {"batch": "{batch_id}"},
        files={"file": ("sheets.csv", CSV, "text/csv")},
    ),
    "/organize/processes/{process_id}/awards/{proposal_id}": Form(
        "organizer_page",
        "funding",
        P + "/awards",
        P + "/awards/{funded_id}",
        {"amount": "100", "organisation": "Parks", "status": "in_progress"},
    ),
    "/organize/audit/verify": Form(
        "organizer_page", "design", "/organize/audit", "/organize/audit/verify", counted=True
    ),
    "/organize/processes/{process_id}/equity/population": Form(
        "organizer_page",
        "voting",
        P + "/equity",
        P + "/equity/population",
        files={"file": ("p.csv", POPULATION, "text/csv")},
        counted=True,
    ),
    "/organize/processes/{process_id}/equity/survey": Form(
        "organizer_page",
        "design",
        P + "/equity",
        P + "/equity/survey",
        {"q1_text_en": "Rent or own?", "q1_options_en": "Rent\nOwn"},
        counted=True,
    ),
}


def disputed_sheet(world: World, session_factory) -> None:
    """Sheet 1 of the batch typed in twice, differently: an organizer settles it."""
    from app.paper.models import PaperEntry, PaperSheet

    with session_factory() as session:
        for pass_number, marks in ((1, [[1, 1]]), (2, [[1, 2]])):
            session.add(
                PaperEntry(
                    batch_id=world.ids["batch_id"],
                    sheet=1,
                    pass_number=pass_number,
                    marks=marks,
                    entered_by_id=world.ids["user_id"],
                )
            )
        session.add(PaperSheet(batch_id=world.ids["batch_id"], sheet=1, state="disputed"))
        session.commit()


def page_form_routes(app) -> set[str]:
    return {
        route.path
        for route in iter_route_contexts(app.routes)
        if "POST" in (getattr(route.original_route, "methods", None) or set())
        and not route.path.startswith("/api")
    }


# Forms whose page only a database without any staff account shows (this test's world has
# accounts): sent, and sent again, in their own tests.
ON_AN_EMPTY_DATABASE = {"/setup/{token}": "tests/people/test_first_run.py"}


def test_every_page_form_is_in_the_table(app):
    assert page_form_routes(app) - set(ON_AN_EMPTY_DATABASE) == set(FORMS)


# What a repeat may not touch: every stored row, but the audit log's and the counters'
# (a refusal is recorded there, by design) and the sealed flash (what a page says next).
NOT_STORED = {"audit_entry", "audit_head", "login_throttle", "refusal_count", "sealed_flash"}


def stored(session_factory, *, counted: bool) -> dict[str, Any]:
    with session_factory() as session:
        tables = [t for t in metadata.sorted_tables if t.name not in NOT_STORED]
        if counted:
            return {
                t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
                for t in tables
            }
        return {
            t.name: session.execute(select(t).order_by(*t.primary_key.columns)).all()
            for t in tables
        }


def _ready(form: Form, world: World, app, session_factory, phase: str) -> None:
    with session_factory() as session:
        process = session.get(Process, world.ids["process_id"])
        process.phase = phase
        process.tie_break_seed = "5eed" * 8
        session.commit()
    if form.setup:
        form.setup(world, session_factory, app)


def _sent(client, form: Form, world: World, fields: dict[str, str]):
    action = (form.action or form.page.split("?")[0]).format(**world.ids)
    files = dict(form.files) if form.files else None
    return client.post(action, data=fields, files=files, headers=ORIGIN, follow_redirects=False)


@pytest.mark.parametrize("path", sorted(FORMS))
def test_a_form_answers_303_and_sent_again_stores_nothing_twice(
    app, client, session_factory, make_staff, organizer, path
):
    form = FORMS[path]
    world = build(app, client, session_factory, make_staff, organizer)
    _ready(form, world, app, session_factory, form.phase)
    browser, headers = world.clients[form.who]
    page = browser.get(form.page.format(**world.ids), headers=headers)
    assert page.status_code == 200, page.text
    action = form.action.format(**world.ids) if form.action else None
    drawn_by = form.drawn_by.format(**world.ids) if form.drawn_by else action
    typed = _fill(form.data, world.ids)
    if "scores" in typed:
        typed = world.ids["scores"]
    fields = {**hidden_fields(page.text, drawn_by), **typed}

    first = _sent(browser, form, world, fields)
    assert first.status_code == 303, first.text
    location = first.headers["location"]
    assert location.startswith("/") and "correct horse" not in location, location
    landed = browser.get(location, headers=headers)
    assert landed.status_code == 200, landed.text  # a GET page: the form did its work
    after_first = stored(session_factory, counted=form.counted)

    again = _sent(browser, form, world, fields)
    assert again.status_code == 303, again.text
    said = browser.get(again.headers["location"], headers=headers)
    assert said.status_code < 500
    assert stored(session_factory, counted=form.counted) == after_first
    if form.says_again:
        assert 'role="status"' in said.text or 'role="alert"' in said.text, said.text
