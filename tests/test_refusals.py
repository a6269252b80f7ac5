"""Every refusal leaves a trace: staff refusals in the audit chain, anonymous ones counted."""

import pytest
from sqlalchemy import func, select

from app.audit import AuditEntry, RefusalCount
from app.refusals import flush_refusals
from app.users.models import Role
from tests.helpers import PROCESS
from tests.voting.helpers import build_world


def _refused_by(session, user_id: int) -> list[AuditEntry]:
    return list(
        session.execute(
            select(AuditEntry)
            .where(AuditEntry.actor_id == user_id, AuditEntry.outcome == "refused")
            .order_by(AuditEntry.seq)
        ).scalars()
    )


def _chain_length(session) -> int:
    return session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def _counted(session) -> dict[str, int]:
    rows = session.execute(select(RefusalCount.kind, RefusalCount.count)).all()
    totals: dict[str, int] = {}
    for kind, n in rows:
        totals[kind] = totals.get(kind, 0) + n
    return totals


IDEA = {"title": "More benches", "description": "Benches at the bus stops."}
# (role, method, path template, body, status, error code): one refusal of each kind.
STAFF_REFUSALS = [
    ("delegate", "post", "/api/processes", PROCESS, 403, "forbidden"),  # role
    ("organizer", "post", "/api/processes/{pid}/ideas", IDEA, 409, None),  # phase
    ("delegate", "get", "/api/processes/{other}", None, 404, "not_found"),  # not found
    ("organizer", "post", "/api/processes", {"name": ""}, 422, "invalid"),  # validation
    ("poll_worker", "get", "/api/no-such-page", None, 404, "not_found"),  # unrouted
    ("organizer", "delete", "/api/processes/{pid}", None, 405, "method_not_allowed"),
]


@pytest.mark.parametrize("role,method,path,body,status,code", STAFF_REFUSALS)
def test_every_refusal_of_signed_in_staff_is_in_the_chain(
    client, session, session_factory, make_staff, role, method, path, body, status, code
):
    world = build_world(session_factory)
    staff = make_staff(Role(role))
    url = path.format(pid=world.process_id, other=world.process_id + 1000)
    kwargs = {"json": body} if body is not None else {}
    r = getattr(client, method)(url, headers=staff.headers, **kwargs)
    assert r.status_code == status, r.text
    if code:
        assert r.json()["error"] == code
    [entry] = _refused_by(session, staff.user.id)
    assert entry.actor_role == role and entry.detail["status"] == status
    assert entry.detail["error"] == r.json()["error"]
    assert _counted(session) == {}


def test_a_refused_staff_page_post_names_the_person(client, session, make_staff):
    # The staff cookie signs in the pages; a refusal there is theirs, not the public's.
    staff = make_staff(Role.delegate)
    client.cookies.set("pbvote_staff", staff.headers["Authorization"].split()[1])
    r = client.get("/api/no-such-page")
    assert r.status_code == 404
    assert len(_refused_by(session, staff.user.id)) == 1


def test_anonymous_refusals_are_counted_by_kind_not_chained(client, session, session_factory):
    world = build_world(session_factory)
    before = _chain_length(session)
    pid = world.process_id
    for _ in range(30):  # a flood of wrong access codes, as a guesser would send
        r = client.post(
            f"/api/processes/{pid}/ballots",
            json={"credential": {"access_code": "0000-0000-0000"}, "ranking": [world.proposals[0]]},
        )
        assert r.status_code in (401, 422, 409, 429), r.text
    assert client.post("/api/processes", json=PROCESS).status_code == 401
    assert client.get("/api/no-such-page").status_code == 404
    assert (
        client.get("/api/no-such-page", headers={"Authorization": "Bearer forged"}).status_code
        == 404
    )
    flush_refusals(client.app)
    assert _chain_length(session) == before  # nothing anonymous in the chain
    counted = _counted(session)
    assert sum(n for k, n in counted.items() if k.startswith("POST /api/processes/{")) == 30
    assert counted["POST /api/processes 401 not_authenticated"] == 1
    assert counted["GET unrouted 404 not_found"] == 2
    flush_refusals(client.app)  # nothing new: nothing counted twice
    assert sum(_counted(session).values()) == 33


def test_a_refusal_shown_on_a_staff_page_is_in_the_chain(
    client, session, session_factory, organizer
):
    from tests.helpers import form_token as token
    from tests.test_organize_page import ORIGIN, sign_in

    world = build_world(session_factory)
    sign_in(client, organizer)
    url = f"/organize/processes/{world.process_id}/codes"
    made = client.post(
        url, headers=ORIGIN, data={"count": "2", "label": "z3", "form_token": token()}
    )
    assert made.status_code == 200 and str(made.url).endswith("/codes/cards")
    again = client.post(
        url, headers=ORIGIN, data={"count": "2", "label": "z3", "form_token": token()}
    )
    assert again.status_code == 409  # the label is taken: said on the page
    [entry] = _refused_by(session, organizer.user.id)
    assert entry.detail["error"] == "label_taken"


@pytest.mark.parametrize("role", ["poll_worker", "delegate"])
def test_staff_opening_an_organizer_page_is_refused_and_audited_as_by_the_api(
    client, session, session_factory, make_staff, role
):
    world = build_world(session_factory)
    staff = make_staff(Role(role))
    api = client.get("/api/users", headers=staff.headers)
    assert api.status_code == 403
    client.cookies.set("pbvote_staff", staff.headers["Authorization"].split()[1])
    page = f"/organize/processes/{world.process_id}/equity"
    opened = client.get(page, follow_redirects=False)
    # Refused in words that say as whom they are signed in (their header offers Sign out).
    assert opened.status_code == 403 and "Only an organizer may" in opened.text
    sent = client.post(page + "/population", headers={"Origin": "http://testserver"})
    assert sent.status_code == 403 and "Only an organizer may" in sent.text
    by_api, by_page, by_post = _refused_by(session, staff.user.id)
    for entry in (by_page, by_post):
        assert (entry.action, entry.actor_role) == (by_api.action, role)
        assert {k: entry.detail[k] for k in ("status", "error")} == {
            k: by_api.detail[k] for k in ("status", "error")
        }
        assert "Only an organizer may" in entry.detail["message"]
    assert by_page.target == f"GET {page}" and by_post.target == f"POST {page}/population"
    assert _counted(session) == {}
