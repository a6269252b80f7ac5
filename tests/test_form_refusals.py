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
from app.web.i18n import translate
from tests.helpers import form_token, refused_by
from tests.voting.helpers import build_world, set_phase

ORIGIN = {"Origin": "http://testserver"}

# (role, phase, path template, form, words on the page): one bad submission per form.
BAD_FORMS = [
    (
        "organizer",
        "design",
        "/organize/processes/{pid}/phase",
        {"from": "design", "to": "idea_collection"},
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
        "/organize/processes/{pid}/proposals/{proposal}/return",
        {"reason": ""},
        "Say why the proposal goes back",
    ),
    (
        "organizer",
        "design",
        "/organize/processes/{pid}/codes",
        {"count": "0", "label": "x", "back": "overview"},
        "Give how many codes",
    ),
    (
        "organizer",
        "design",
        "/organize/processes/{pid}/codes",
        {"count": "¹", "label": "x", "back": "overview"},
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


def _send_bad_form(client, session_factory, make_staff, role, phase, path, form, headers=None):
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
    client.cookies.set("pbvote_staff", staff.headers["Authorization"].split()[1])
    with session_factory() as s:
        before = len(s.execute(select(AuditEntry.seq)).scalars().all())
    headers = {**ORIGIN, **(headers or {})}
    form = {"form_token": form_token(), **form}
    response = client.post(path.format(**ids), headers=headers, data=form, follow_redirects=False)
    if response.status_code == 303:  # the form's page again, saying the refusal once
        response = client.get(response.headers["location"], headers=headers)
    return staff, response, before


@pytest.mark.parametrize("role,phase,path,form,words", BAD_FORMS)
def test_a_bad_form_of_staff_is_audited_as_theirs(
    client, session, session_factory, make_staff, role, phase, path, form, words
):
    staff, r, before = _send_bad_form(client, session_factory, make_staff, role, phase, path, form)
    assert r.status_code == 422, r.text
    if words:
        assert words in r.text
    [entry] = refused_by(session, staff.user.id)
    assert entry.actor_role == role and entry.detail["status"] == 422
    assert entry.detail["error"] == "invalid" and entry.detail["route"].startswith("/")
    after = session.execute(select(AuditEntry.seq)).scalars().all()
    assert len(after) == before + 1  # the refusal, and nothing the form would have done


# The same refusals said to a Spanish- or Vietnamese-speaking organizer, poll worker or delegate.
SAID = {
    ("es", "Say why the process moves on"): "Indique por qué el proceso avanza",
    ("es", "Say why the proposal goes back"): "Indique por qué la propuesta vuelve",
    ("es", "Give how many codes"): "Indique cuántos códigos de acceso",
    ("es", "Give the number of sheets"): "Indique el número de hojas",
    ("es", "Give every criterion a score"): "Dé a cada criterio una calificación",
    ("vi", "Say why the process moves on"): "Xin ghi rõ lý do chuyển sang giai đoạn",
    ("vi", "Give the number of sheets"): "Xin nhập số tờ phiếu trong lô",
    ("vi", "Give every criterion a score"): "Xin cho điểm từ 1 đến 5",
}


@pytest.mark.parametrize("language,english", sorted(SAID))
def test_a_bad_staff_form_is_explained_in_the_staff_members_language(
    client, session_factory, make_staff, language, english
):
    role, phase, path, form, _ = next(f for f in BAD_FORMS if f[4] == english)
    headers = {"Accept-Language": language}
    _, r, _ = _send_bad_form(client, session_factory, make_staff, role, phase, path, form, headers)
    assert r.status_code == 422
    assert SAID[language, english] in r.text
    assert english not in r.text


def test_a_bad_check_in_is_explained_in_the_poll_workers_language(
    client, session_factory, make_staff
):
    form = {"name": "A", "birth_date": "someday", "postal_code": "1"}
    path = "/station/sites/{site}/check-in"
    headers = {"Accept-Language": "es"}
    _, r, _ = _send_bad_form(
        client, session_factory, make_staff, "poll_worker", "voting", path, form, headers
    )
    assert r.status_code == 422
    # The wrong field named, with its rule.
    label, rule = translate("es", "vote.birth_date"), translate("es", "error.invalid.birth_date")
    assert f"{label}: {rule}" in r.text
    assert "Input should be" not in r.text  # no raw validator English
