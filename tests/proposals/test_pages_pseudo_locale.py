"""The idea, ranking, editor and review pages in the pseudo-locale en-XA: any plain English
word left on them is a text that bypassed the catalogs (data such as titles taken out)."""

from tests.ideas.helpers import add_site, advance, create_process
from tests.proposals.helpers import EQUITY, TRANSLATIONS, create_proposal, developing
from tests.proposals.test_editor_pages import sign_in
from tests.pseudo_locale import pseudo  # noqa: F401 - the fixture
from tests.test_organize_page import ORIGIN
from tests.test_pseudo_locale import english_in

DATA = (
    "Food recovery",
    "Bring landfill-bound food to community pantries.",
    "Benches at the bus stops.",
    "Kickoff",
    "English",
    "Español",
    "Tiếng Việt",
    "Spanish",  # CLDR's name of a language inside an en-XA sentence (en-XA has no CLDR data)
    "Vietnamese",
    *EQUITY.values(),
    *(text for t in TRANSLATIONS.values() for text in t.values()),
)


def test_no_english_is_left_on_the_ideas_and_proposal_pages(client, organizer, pseudo):  # noqa: F811
    pid, ideas = developing(client, organizer, ideas=2)
    proposal = create_proposal(client, organizer, pid, ideas, equity_assessment=None)
    client.patch(
        f"/api/proposals/{proposal['id']}",
        json={"summary": "Food recovery"},
        headers=organizer.headers,
    )
    collecting = create_process(client, organizer)["id"]
    add_site(client, organizer, collecting)
    advance(client, organizer, collecting, "idea_collection")
    sign_in(client, organizer, "/organize")
    client.headers["Accept-Language"] = "en-XA"
    pages = {
        "ideas": client.get(f"/organize/processes/{pid}/ideas"),
        "ideas picked": client.get(f"/organize/processes/{pid}/ideas?idea={ideas[0]}"),
        "ideas refused": client.post(
            f"/organize/processes/{pid}/ideas/moderate", headers=ORIGIN, data={"idea": "1"}
        ),
        "paper closed": client.get(f"/organize/processes/{pid}/ideas/paper"),
        "paper": client.get(f"/organize/processes/{collecting}/ideas/paper"),
        "paper refused": client.post(
            f"/organize/processes/{collecting}/ideas/paper", headers=ORIGIN, data={"title": "T"}
        ),
        "ranking": client.get(f"/delegate/processes/{pid}/ranking"),
        "new": client.get(f"/delegate/processes/{pid}/proposals/new?idea={ideas[0]}"),
        "editor": client.get(f"/delegate/proposals/{proposal['id']}"),
        "editor refused": client.post(
            f"/delegate/proposals/{proposal['id']}",
            headers=ORIGIN,
            data={"title": "Food recovery", "summary": "Food recovery", "lines": "1"},
        ),
        "review": client.get(f"/organize/processes/{pid}/proposals"),
        "review refused": client.post(
            f"/organize/processes/{pid}/proposals/{proposal['id']}/approve", headers=ORIGIN
        ),
    }
    assert pages["review refused"].status_code == 409
    assert pages["editor refused"].status_code == 422
    # The criteria's names are the organizers' data (translated with the criteria).
    criteria = tuple(c["name"] for c in client.get(f"/api/processes/{pid}/criteria").json())
    english = {
        name: words for name, r in pages.items() if (words := english_in(r.text, DATA + criteria))
    }
    assert english == {}
