"""The public idea board: ideas by the event they were shared at, with counts; hidden ideas
counted but never shown, merged ideas pointing to the idea they were merged into, filters
by event and neighbourhood as plain links, and no contact details ever."""

import re

import pytest

from app.ideas import board
from tests.ideas.helpers import add_site, advance, create_process, submit_idea

SECTION = re.compile(
    r'<section class="group" aria-labelledby="group-([^"]+)">(.*?)</section>', re.S
)


def groups(page: str) -> dict[str, str]:
    return dict(SECTION.findall(page))


def idea_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li id="idea-(\d+)"', html)]


@pytest.fixture
def collected(client, organizer):
    """A process collecting ideas at a formal and an informal event and online; one idea
    hidden, one merged into another."""
    pid = create_process(client, organizer)["id"]
    advance(client, organizer, pid, "idea_collection")
    kickoff = add_site(
        client,
        organizer,
        pid,
        name="Kickoff at City Hall",
        formal=True,
        neighborhood="Downtown",
        opens_at="2027-03-01T23:00:00Z",
    )
    barbershop = add_site(client, organizer, pid, name="Barbershop chat", neighborhood="Dutchtown")
    typed = organizer.headers
    ideas = {
        "benches": submit_idea(
            client, pid, typed, title="Benches", site_id=kickoff["id"], neighborhood="Downtown"
        ),
        "lights": submit_idea(
            client,
            pid,
            typed,
            title="Brighter lights",
            site_id=kickoff["id"],
            neighborhood="Downtown",
        ),
        "abuse": submit_idea(client, pid, typed, title="Something rude", site_id=kickoff["id"]),
        "childcare": submit_idea(
            client,
            pid,
            typed,
            title="Night childcare",
            site_id=barbershop["id"],
            neighborhood="Dutchtown",
            contact_name="Rosa Secret",
            contact_email="rosa.secret@example.org",
            contact_phone="585-555-0199",
        ),
        "online": submit_idea(
            client,
            pid,
            title="Bus shelters",
            neighborhood="Dutchtown",
            contact_email="online.secret@example.org",
        ),
        "again": submit_idea(client, pid, title="More benches please", neighborhood="Downtown"),
    }
    ids = {name: idea["id"] for name, idea in ideas.items()}
    r = client.post(
        f"/api/ideas/{ids['abuse']}/hide", json={"reason": "Abuse"}, headers=organizer.headers
    )
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/ideas/{ids['again']}/merge",
        json={"into_idea_id": ids["benches"], "reason": "Same idea"},
        headers=organizer.headers,
    )
    assert r.status_code == 200, r.text
    return pid, ids, kickoff["id"], barbershop["id"]


def test_ideas_are_grouped_by_event_with_counts(client, collected):
    pid, ids, kickoff, barbershop = collected
    page = client.get(f"/processes/{pid}/ideas?lang=en")
    assert page.status_code == 200
    found = groups(page.text)
    # Formal events first, then informal ones, then what was shared online.
    assert list(found) == [str(kickoff), str(barbershop), board.ONLINE]
    assert idea_ids(found[str(kickoff)]) == [ids["benches"], ids["lights"]]
    assert idea_ids(found[str(barbershop)]) == [ids["childcare"]]
    assert idea_ids(found[board.ONLINE]) == [ids["online"], ids["again"]]
    assert "Formal event" in found[str(kickoff)] and "Informal event" in found[str(barbershop)]
    assert "2 ideas" in found[str(kickoff)] and "1 idea<" in found[str(barbershop)]
    assert "Shared online" in page.text


def test_a_hidden_idea_is_only_counted(client, collected):
    pid, ids, kickoff, _ = collected
    page = client.get(f"/processes/{pid}/ideas?lang=en").text
    assert "Something rude" not in page and f"idea-{ids['abuse']}" not in page
    assert "hidden by organizers: 1" in groups(page)[str(kickoff)]
    assert "5 ideas · hidden by organizers: 1" in page


def test_a_merged_idea_says_where_it_went(client, collected):
    pid, ids, *_ = collected
    page = client.get(f"/processes/{pid}/ideas?lang=en").text
    item = re.search(rf'<li id="idea-{ids["again"]}" class="merged">(.*?)</li>', page, re.S)
    assert item, page
    assert f'href="/processes/{pid}/ideas#idea-{ids["benches"]}"' in item.group(1)
    assert f"Merged into #{ids['benches']}" in item.group(1)


def test_contact_details_are_never_on_the_board(client, collected):
    pid, ids, *_ = collected
    for language in ("en", "es", "vi"):
        page = client.get(f"/processes/{pid}/ideas?lang={language}")
        # The board itself, with the ideas whose sharers left contact details on it.
        assert page.status_code == 200, page.text
        assert f'<html lang="{language}"' in page.text
        shown = idea_ids(page.text)
        assert ids["childcare"] in shown and ids["online"] in shown
        assert "Night childcare" in page.text and "Bus shelters" in page.text
        for secret in ("Rosa Secret", "rosa.secret", "585-555-0199", "online.secret"):
            assert secret not in page.text


def test_filters_by_event_and_neighbourhood_are_links(client, collected):
    pid, ids, kickoff, barbershop = collected
    page = client.get(f"/processes/{pid}/ideas?lang=en").text
    assert f'href="/processes/{pid}/ideas?event={kickoff}"' in page
    assert f'href="/processes/{pid}/ideas?neighborhood=Dutchtown"' in page
    by_event = client.get(f"/processes/{pid}/ideas?event={kickoff}").text
    assert list(groups(by_event)) == [str(kickoff)]
    assert f'href="/processes/{pid}/ideas?event={kickoff}" aria-current="page"' in by_event
    by_place = client.get(f"/processes/{pid}/ideas?neighborhood=Dutchtown").text
    found = groups(by_place)
    assert idea_ids(found[str(barbershop)]) == [ids["childcare"]]
    assert idea_ids(found[board.ONLINE]) == [ids["online"]]
    assert str(kickoff) not in found
    # A hidden idea's neighbourhood is content too: not counted by neighbourhood.
    assert "hidden by organizers" not in by_place
    both = client.get(f"/processes/{pid}/ideas?neighborhood=Downtown&event={board.ONLINE}").text
    assert idea_ids(both) == [ids["again"]]
    nothing = client.get(f"/processes/{pid}/ideas?event=999999&lang=es")
    assert nothing.status_code == 200 and "Ninguna idea coincide" in nothing.text


def test_the_process_page_links_to_the_board_from_idea_collection(client, organizer):
    pid = create_process(client, organizer)["id"]
    before = client.get(f"/processes/{pid}")
    assert before.status_code == 200 and "<h1>Test PB</h1>" in before.text
    assert f'href="/processes/{pid}/ideas"' not in before.text
    early = client.get(f"/processes/{pid}/ideas?lang=vi")
    assert early.status_code == 200 and "Các ý tưởng sẽ được hiển thị ở đây" in early.text
    advance(client, organizer, pid, "idea_collection")
    assert f'href="/processes/{pid}/ideas"' in client.get(f"/processes/{pid}").text


def test_a_long_board_comes_a_page_at_a_time(client, organizer, monkeypatch):
    monkeypatch.setattr(board, "PAGE_SIZE", 2)
    pid = create_process(client, organizer)["id"]
    advance(client, organizer, pid, "idea_collection")
    made = [submit_idea(client, pid, title=f"Idea {n}")["id"] for n in range(5)]
    first = client.get(f"/processes/{pid}/ideas?lang=en").text
    assert idea_ids(first) == made[:2] and "Page 1 of 3" in first and "5 ideas" in first
    assert f'href="/processes/{pid}/ideas?page=2"' in first
    last = client.get(f"/processes/{pid}/ideas?page=3").text
    assert idea_ids(last) == made[4:]
    assert idea_ids(client.get(f"/processes/{pid}/ideas?page=99").text) == made[4:]
    assert client.get(f"/processes/{pid}/ideas?page=x").status_code == 200
