"""The public process page says the vote as it is: "Vote now" only while the window is
open; once it has closed, no "Vote now" and no stale "Voting was extended", but when it
ended (and why the window moved); before it opens, when it opens. In English, Spanish and
Vietnamese."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from app.db import utcnow
from app.processes.models import Process, WindowChange
from app.processes.phases import voting_state
from app.results.models import OfficialResult
from app.web.i18n import format_moment, translate
from tests.voting.helpers import set_phase

LANGUAGES = ["en", "es", "vi"]


def extended(session_factory, process_id: int, organizer_id: int, closes) -> None:
    with session_factory() as session:
        session.add(
            WindowChange(
                process_id=process_id,
                old_closes_at=closes - timedelta(days=1),
                new_closes_at=closes,
                actor_id=organizer_id,
                reason="The library was closed on Monday.",
            )
        )
        session.commit()


@pytest.mark.parametrize("language", LANGUAGES)
def test_after_the_window_closes_the_page_says_voting_ended(
    client, world, organizer, session_factory, language
):
    pid = world.process_id
    closes = utcnow().replace(microsecond=0) - timedelta(hours=2)
    set_phase(
        session_factory,
        pid,
        "voting",
        languages=LANGUAGES,
        time_zone="America/New_York",
        voting_opens_at=closes - timedelta(days=7),
        voting_closes_at=closes,
    )
    extended(session_factory, pid, organizer.user.id, closes)
    page = client.get(f"/processes/{pid}?lang={language}").text
    when = format_moment(language, closes, "America/New_York")
    assert translate(language, "process.voting_ended_counting", when=when) in page
    assert translate(language, "vote.cta") not in page
    assert f'href="/processes/{pid}/vote"' not in page
    extension = translate(language, "process.window_extended", when=when)
    assert extension not in page  # stale once the window has closed; why it moved stays
    assert f"{translate(language, 'process.window_reason')}: The library was closed" in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_while_open_it_says_vote_now_and_the_extension(
    client, world, organizer, session_factory, language
):
    pid = world.process_id
    closes = utcnow().replace(microsecond=0) + timedelta(days=1)
    set_phase(
        session_factory,
        pid,
        "voting",
        languages=LANGUAGES,
        time_zone="America/New_York",
        voting_opens_at=closes - timedelta(days=7),
        voting_closes_at=closes,
    )
    extended(session_factory, pid, organizer.user.id, closes)
    page = client.get(f"/processes/{pid}?lang={language}").text
    assert translate(language, "vote.cta") in page
    assert "The library was closed on Monday." in page
    assert 'id="voting-state"' not in page


def test_before_it_opens_it_says_when(client, world, session_factory):
    pid = world.process_id
    opens = utcnow().replace(microsecond=0) + timedelta(days=2)
    set_phase(
        session_factory,
        pid,
        "voting",
        time_zone="America/New_York",
        voting_opens_at=opens,
        voting_closes_at=opens + timedelta(days=7),
    )
    page = client.get(f"/processes/{pid}?lang=en").text
    when = format_moment("en", opens, "America/New_York")
    assert translate("en", "process.voting_opens", when=when) in page
    assert translate("en", "vote.cta") not in page


def test_after_funding_it_says_when_voting_ended_and_links_the_results(
    client, world, session_factory
):
    pid = world.process_id
    closes = utcnow().replace(microsecond=0) - timedelta(days=1)
    set_phase(
        session_factory,
        pid,
        "funding",
        languages=LANGUAGES,
        time_zone="America/New_York",
        voting_closes_at=closes,
    )
    page = client.get(f"/processes/{pid}?lang=vi").text
    when = format_moment("vi", closes, "America/New_York")
    assert translate("vi", "process.voting_ended", when=when) in page
    # Counted but not published: it says so, and links no results yet.
    assert translate("vi", "results.not_published") in page
    assert f'href="/processes/{pid}/results"' not in page
    with session_factory() as session:
        session.add(
            OfficialResult(
                process_id=pid,
                result={},
                ballots_counted=0,
                ballots_sha256="0" * 64,
                ballots_file="",
                publish_at=utcnow(),
            )
        )
        session.commit()
    page = client.get(f"/processes/{pid}?lang=vi").text
    assert f'href="/processes/{pid}/results"' in page
    assert translate("vi", "vote.cta") not in page


@pytest.mark.parametrize(
    ("phase", "opens", "closes", "state"),
    [
        ("proposal_development", None, None, "before"),
        ("voting", timedelta(days=2), timedelta(days=9), "before"),
        ("voting", -timedelta(days=7), -timedelta(hours=2), "ended"),
        ("funding", -timedelta(days=7), -timedelta(hours=2), "ended"),
        ("voting", -timedelta(days=1), timedelta(days=1), "open"),
    ],
)
def test_the_ballot_says_the_phase_as_the_process_page_does(
    client, world, session_factory, phase, opens, closes, state
):
    """The vote page's "not open yet" / "voting has ended" read the one function the process
    page reads (phases.voting_state), in each language."""
    pid, now = world.process_id, utcnow().replace(microsecond=0)
    set_phase(
        session_factory,
        pid,
        phase,
        languages=LANGUAGES,
        time_zone="America/New_York",
        voting_opens_at=now + opens if opens is not None else None,
        voting_closes_at=now + closes if closes is not None else None,
    )
    with session_factory() as session:
        assert voting_state(session.get(Process, pid), utcnow()).value == state
    for language in LANGUAGES:
        ballot = client.get(f"/processes/{pid}/vote?lang={language}")
        assert ballot.status_code == 200
        if state == "before" and opens is not None:
            day = (now + opens).astimezone(ZoneInfo("America/New_York")).date()
            said = [translate(language, "vote.opens_at", when=day)]
        else:
            said = [translate(language, "vote.not_open")] if state == "before" else []
        if state == "ended":
            said = [translate(language, "vote.ended")]
        for key in ("vote.not_open", "vote.ended"):
            shown = translate(language, key) in ballot.text
            assert shown == (translate(language, key) in said), (language, key)
        assert all(words in ballot.text for words in said), (language, said)
        process_page = client.get(f"/processes/{pid}?lang={language}").text
        assert (translate(language, "vote.cta") in process_page) == (state == "open")
