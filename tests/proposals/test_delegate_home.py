"""The delegate home (/delegate) follows the delegate's own proposals through every phase:
draft, sent, returned with the reason, on the ballot as No. N, funded or not, and says
what to do next; the scoring of ideas stays there during proposal development."""

import re

import pytest

from app.processes.models import Process
from app.proposals.models import Proposal
from app.results import awards
from app.web.i18n import translate
from tests.equity.helpers import sign_in
from tests.ideas.helpers import advance
from tests.results import cycle as cycles

LANGUAGES = ["en", "es", "vi"]


def steps(page: str) -> dict[int, str]:
    """Proposal id: the step its row is in (the row's class)."""
    return {
        int(pid): step
        for step, pid in re.findall(r'<li class="step-([a-z_]+)" id="proposal-(\d+)">', page)
    }


def row(page: str, proposal_id: int) -> str:
    return page.split(f'id="proposal-{proposal_id}"', 1)[1].split("</li>", 1)[0]


def home(client, delegate, language: str = "en") -> str:
    client.cookies.clear()
    sign_in(client, delegate)
    page = client.get(f"/delegate?lang={language}")
    assert page.status_code == 200
    return page.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_delegate_follows_their_proposals_through_every_phase(
    client, organizer, make_staff, session_factory, language
):
    t = lambda key, **v: translate(language, key, **v)  # noqa: E731
    cycle = cycles.written(client, organizer, make_staff)
    someone_else = make_staff(cycles.Role.delegate)
    page = home(client, cycle.delegate, language)
    waiting = "on_ballot_waiting"
    assert steps(page) == dict(
        zip(cycle.mine, (waiting, waiting, "returned", "draft", "submitted"), strict=True)
    )
    with session_factory() as session:
        number = session.get(Proposal, cycle.funded).ballot_number
    assert t("delegate.ballot_no", number=number) in row(page, cycle.funded)
    returned = row(page, cycle.returned)
    assert t("delegate.returned_reason", reason=cycles.RETURN_REASON) in returned
    assert t("delegate.step.returned") in returned and "/delegate/proposals/" in returned
    assert t("delegate.step.draft") in row(page, cycle.draft)
    sent = row(page, cycle.sent)
    assert t("proposal.status.submitted") in sent and t("delegate.step.submitted") in sent
    # The scoring of ideas is still there while proposals are written.
    assert "/delegate/ideas/" in page and t("delegate.none") not in page
    assert steps(home(client, someone_else, language)) == {}

    cycles.voted(client, organizer, cycle, session_factory)
    page = home(client, cycle.delegate, language)
    voting, gone = "on_ballot_voting", "not_on_ballot"
    assert steps(page) == dict(zip(cycle.mine, (voting, voting, gone, gone, gone), strict=True))
    assert t("delegate.none") in page  # nothing to score, but the proposals are all there
    assert t("delegate.returned_reason", reason=cycles.RETURN_REASON) in row(page, cycle.returned)
    assert f"/processes/{cycle.process_id}/proposals/{cycle.funded}" in row(page, cycle.funded)

    cycles.funded(client, organizer, cycle)
    page = home(client, cycle.delegate, language)
    with session_factory() as session:
        process = session.get(Process, cycle.process_id)
        selected = {
            p["proposal_id"]: p for p in awards.funded_projects(session=session, process=process)
        }
    assert set(selected) == {cycle.funded}
    assert steps(page)[cycle.funded] == "funded"
    assert steps(page)[cycle.not_funded] == "not_funded"
    funded = row(page, cycle.funded)
    assert t("results.funded") in funded and t("results.status.in_progress") in funded
    assert t("delegate.step.not_funded") in row(page, cycle.not_funded)
    assert f'href="/processes/{cycle.process_id}/report"' in page

    advance(client, organizer, cycle.process_id, "closed")
    assert steps(home(client, cycle.delegate, language))[cycle.funded] == "funded"
