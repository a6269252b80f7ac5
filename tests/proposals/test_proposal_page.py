"""A proposal's public page: in the reader's language where the delegates translated it
(else in the original, said so), its cost, place, equity assessment, the ideas it came
from and where and when to vote; the list of proposals; drafts are not found."""

import re
from datetime import datetime

import pytest

from app.web.i18n import format_moment, translate
from tests.ideas.helpers import add_site, force_phase
from tests.proposals.helpers import EQUITY as HELPER_EQUITY
from tests.proposals.helpers import approve, create_proposal, developing

EQUITY = {
    **HELPER_EQUITY,
    "goal": "Keep families housed through a crisis.",
    "benefits": "Renters in the northeast quadrant.",
}
VI_GOAL = "Giữ cho các gia đình có nhà ở."


@pytest.fixture
def on_ballot(client, organizer, session):
    pid, ideas = developing(
        client,
        organizer,
        ideas=3,
        ballot_size=1,
        time_zone="America/New_York",
        voting_opens_at="2027-06-01T13:00:00Z",
        voting_closes_at="2027-06-22T01:00:00Z",
    )
    add_site(
        client,
        organizer,
        pid,
        name="Central Library",
        kind="voting_site",
        address="115 South Ave, Rochester",
        opens_at="2027-06-01T13:00:00Z",
        closes_at="2027-06-01T21:00:00Z",
    )
    housing = create_proposal(
        client,
        organizer,
        pid,
        ideas[:2],
        title="Emergency housing fund",
        summary="One-time help with rent.",
        cost_cents=25_000_00,
        location="Northeast quadrant",
        translations={
            "es": {
                "title": "Fondo de vivienda de emergencia",
                "summary": "Ayuda única con el alquiler.",
                "location": "Cuadrante noreste",
            },
            # No place in Vietnamese: the page says the original's, marked as English.
            "vi": {
                "title": "Quỹ nhà ở khẩn cấp",
                "summary": "Hỗ trợ tiền thuê nhà một lần.",
                # One answer translated: the reader reads it, the others fall back.
                "equity_assessment": {"goal": VI_GOAL},
            },
        },
        equity_assessment=EQUITY,
    )
    draft = create_proposal(client, organizer, pid, ideas[2:], title="Secret draft plan")
    approve(client, organizer, housing["id"])
    # An idea merged after the proposal was written still shows where it came from.
    r = client.post(
        f"/api/ideas/{ideas[1]}/merge",
        json={"into_idea_id": ideas[2], "reason": "Same"},
        headers=organizer.headers,
    )
    assert r.status_code == 200, r.text
    force_phase(session, pid, "voting")
    return pid, housing["id"], draft["id"], ideas


def page(client, pid, proposal_id, language):
    r = client.get(f"/processes/{pid}/proposals/{proposal_id}?lang={language}")
    assert r.status_code == 200, r.text
    return r.text


def test_the_proposal_in_spanish(client, on_ballot):
    pid, housing, _, _ = on_ballot
    text = page(client, pid, housing, "es")
    assert "<h1>Fondo de vivienda de emergencia</h1>" in text
    assert "Ayuda única con el alquiler." in text and "Cuadrante noreste" in text
    assert "$25,000" in text
    assert translate("es", "proposal.ballot_number", n="1") in text
    assert 'id="not-translated"' not in text
    assert translate("es", "equity.q.goal") in text and EQUITY["goal"] in text
    # The assessment is in the delegates' language: marked so for screen readers.
    assert f'<dd lang="en" dir="ltr">{EQUITY["goal"]}</dd>' in text


def test_the_proposal_in_vietnamese(client, on_ballot):
    # Every language of the process is required before a proposal reaches the ballot, so
    # a reader of one of them finds it translated (the original's fallback is for places
    # and answers the delegates left in their own language).
    pid, housing, _, _ = on_ballot
    text = page(client, pid, housing, "vi")
    assert "<h1>Quỹ nhà ở khẩn cấp</h1>" in text and "Hỗ trợ tiền thuê nhà một lần." in text
    assert translate("vi", "proposal.equity") in text and "Chi phí" in text
    assert "25.000" in text  # the money written the Vietnamese way
    # The answer the delegates translated reads in Vietnamese; the rest in the original,
    # marked as English, and the page says some answers are in the original language.
    assert f"<dd>{VI_GOAL}</dd>" in text and EQUITY["goal"] not in text
    assert f'<dd lang="en" dir="ltr">{EQUITY["needs"]}</dd>' in text
    assert translate("vi", "proposal.equity_language") in text


def test_the_ideas_it_came_from_link_to_the_board(client, on_ballot):
    pid, housing, _, ideas = on_ballot
    text = page(client, pid, housing, "en")
    for idea in ideas[:2]:
        assert f'href="/processes/{pid}/ideas#idea-{idea}"' in text
    board = client.get(f"/processes/{pid}/ideas?lang=es").text
    assert all(f'id="idea-{idea}"' in board for idea in ideas[:2])
    # And back: each idea links to the proposal it became, titled in the reader's language.
    became = translate("es", "board.became", number="1", title="Fondo de vivienda de emergencia")
    link = f'<a href="/processes/{pid}/proposals/{housing}">{became}</a>'
    assert board.count(link) == 2


def test_where_and_when_to_vote_in_the_process_time_zone(client, on_ballot):
    pid, housing, _, _ = on_ballot
    text = page(client, pid, housing, "en")
    assert f'href="/processes/{pid}/vote"' in text
    assert "Central Library" in text and "115 South Ave, Rochester" in text
    # 13:00 UTC is 9:00 in Rochester (EDT), 21:00 UTC is 17:00.
    for utc in ("2027-06-01T13:00:00+00:00", "2027-06-01T21:00:00+00:00"):
        local = format_moment("en", datetime.fromisoformat(utc), "America/New_York")
        assert local in text
    assert "9:00" in format_moment(
        "en", datetime.fromisoformat("2027-06-01T13:00:00+00:00"), "America/New_York"
    )


def test_drafts_and_strangers_are_not_found(client, on_ballot, organizer):
    pid, housing, draft, _ = on_ballot
    assert client.get(f"/processes/{pid}/proposals/{draft}").status_code == 404
    assert client.get(f"/processes/{pid}/proposals/999999").status_code == 404
    other, _ = developing(client, organizer, ideas=1)
    assert client.get(f"/processes/{other}/proposals/{housing}").status_code == 404


def test_the_proposal_is_public_only_from_voting(client, organizer):
    pid, ideas = developing(client, organizer, ideas=1, ballot_size=1)
    proposal = create_proposal(client, organizer, pid, ideas)
    approve(client, organizer, proposal["id"])
    assert client.get(f"/processes/{pid}/proposals/{proposal['id']}").status_code == 404
    listing = client.get(f"/processes/{pid}/proposals?lang=es")
    assert listing.status_code == 200
    assert translate("es", "proposals.not_yet") in listing.text


def test_the_list_links_every_proposal_on_the_ballot(client, on_ballot):
    pid, housing, draft, _ = on_ballot
    text = client.get(f"/processes/{pid}/proposals?lang=es").text
    links = re.findall(rf'href="/processes/{pid}/proposals/(\d+)"', text)
    assert links == [str(housing)]
    assert "Fondo de vivienda de emergencia" in text and "Secret draft" not in text
    process_page = client.get(f"/processes/{pid}").text
    assert f'href="/processes/{pid}/proposals"' in process_page
