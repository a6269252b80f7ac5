"""A form a page finds wrong itself (an empty reason, a count out of range, a score off
the scale, a bad date) is a refusal like any other: a signed-in staff member's is in the
audit chain under their name, and it changes nothing."""

import pytest
from sqlalchemy import select

from app.audit import AuditEntry
from app.ideas.models import Idea
from app.paper.models import PaperBatch
from app.users.models import Role
from app.voting.models import PollWorkerSite
from tests.helpers import refused_by
from tests.voting.helpers import build_world, set_phase

ORIGIN = {"Origin": "http://testserver"}

# (role, phase, path template, form, words on the page): one bad submission per form.
BAD_FORMS = [
    (
        "organizer",
        "design",
        "/organize/processes/{pid}/transition",
        {"to": "idea_collection"},
        "Say why the process moves on",
    ),
    (
        "organizer",
        "voting",
        "/organize/batches/{batch}/sheets/1",
        {"reason": ""},
        "give the reason",
    ),
    (
        "organizer",
        "proposal_development",
        "/organize/proposals/{proposal}/return",
        {"reason": ""},
        "Say why the proposal goes back",
    ),
    (
        "organizer",
        "design",
        "/organize/processes/{pid}/access-codes",
        {"count": "0", "label": "x"},
        "Give how many codes",
    ),
    (
        "organizer",
        "design",
        "/organize/processes/{pid}/access-codes",
        {"count": "¹", "label": "x"},
        "Give how many codes",
    ),
    (
        "poll_worker",
        "voting",
        "/station/sites/{site}/paper-batches",
        {"sheets": "0"},
        "Give the number of sheets",
    ),
    (
        "poll_worker",
        "voting",
        "/station/batches/{batch}",
        {"sheet": "1", "marks": "x"},
        "is not rank:number",
    ),
    (
        "delegate",
        "proposal_development",
        "/delegate/ideas/{idea}",
        {"criterion_1": "9"},
        "Give every criterion a score",
    ),
    (
        "poll_worker",
        "voting",
        "/station/sites/{site}/check-in",
        {"name": "A", "birth_date": "someday", "postal_code": "1"},
        "birth_date",
    ),
    (
        "organizer",
        "idea_collection",
        "/processes/{pid}/ideas/new",
        {"title": "", "description": ""},
        None,
    ),
]


@pytest.mark.parametrize("role,phase,path,form,words", BAD_FORMS)
def test_a_bad_form_of_staff_is_audited_as_theirs(
    client, session, session_factory, make_staff, role, phase, path, form, words
):
    world = build_world(session_factory)
    staff = make_staff(Role(role))
    with session_factory() as s:
        idea = Idea(process_id=world.process_id, title="Benches", description="d", channel="online")
        batch = PaperBatch(
            process_id=world.process_id,
            site_id=world.sites[0],
            declared_sheets=2,
            created_by_id=staff.user.id,
        )
        s.add_all([idea, batch, PollWorkerSite(site_id=world.sites[0], user_id=staff.user.id)])
        s.commit()
        ids = {"pid": world.process_id, "site": world.sites[0], "batch": batch.id}
        ids |= {"idea": idea.id, "proposal": world.draft_proposal}
    set_phase(session_factory, world.process_id, phase)
    before = session.execute(select(AuditEntry.seq)).scalars().all()
    client.cookies.set("pbvote_staff", staff.headers["Authorization"].split()[1])
    r = client.post(path.format(**ids), headers=ORIGIN, data=form, follow_redirects=False)
    assert r.status_code == 422, r.text
    if words:
        assert words in r.text
    [entry] = refused_by(session, staff.user.id)
    assert entry.actor_role == role and entry.detail["status"] == 422
    assert entry.detail["error"] == "invalid" and entry.detail["route"].startswith("/")
    after = session.execute(select(AuditEntry.seq)).scalars().all()
    assert len(after) == len(before) + 1  # the refusal, and nothing the form would have done
