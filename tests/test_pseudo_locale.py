"""Every page, resident and staff, in the pseudo-locale en-XA: any plain English word left on
it is a text that bypassed the catalogs (data such as names and titles is taken out)."""

import html
import re

import pytest
from babel import Locale

from app.processes.models import Process
from app.users.models import Role
from tests.ideas.helpers import submit_idea
from tests.paper.conftest import paper  # noqa: F401 - a process in voting with poll workers
from tests.paper.test_batches import new_batch
from tests.paper.test_funding_differences import check_in as paper_check_in
from tests.paper.test_import_and_count import PASS_1, PASS_2, load
from tests.pseudo_locale import pseudo  # noqa: F401 - the fixture
from tests.results.conftest import world  # noqa: F401 - the paper world, opened
from tests.results.test_results_and_exports import cast_online, to_funding
from tests.voting.conftest import codes  # noqa: F401
from tests.voting.helpers import set_phase
from tests.voting.test_casting import identity
from tests.voting.test_in_person import check_in
from tests.voting.test_kiosk_pages import sign_in

ORIGIN = {"Origin": "http://testserver"}
# en-XA has no CLDR data of its own: its dates and the names of languages inside its
# sentences ("Name in Spanish") are written like English ones.
MONTHS = [*Locale("en").months["format"]["wide"].values(), "Spanish", "Vietnamese"]
# A message id shown as it is: its text is missing from every catalog.
RAW_ID = re.compile(r"\b(?:error|idea|vote|kiosk|results|station|organize|delegate)\.[a-z_.]+")
# The language menu names each language in itself; scripts and styles are not text.
TAG = re.compile(r'<(script|style)\b.*?</\1>|<nav class="languages".*?</nav>|<[^>]+>', re.S)
WORD = re.compile(r"(?<![\w.@/-])[A-Za-z]{3,}(?![\w.@/-])")
# Data, not text: the test world's names, file names, formats, codes and the product's name.
DATA = re.compile(
    r"Test PB|Other PB|Proposal \d+|Site \d+|Idea \d+|A project\.|Draft|Not approved\."
    r"|The vote is over\.|test|Kim Kiosk|borda|sha256|seed:\w+|"
    + "|".join(MONTHS)
    + r"|pbvote audit verify --expect-head|pbvote|SHA-256|USD|JSON|CSV|API|[\w.-]+@[\w.-]+"
    + r"|\b[\w-]+\.(pb|csv|json)\b|\b[A-Z0-9]{4,}(-[A-Z0-9]+)+\b|\b[0-9a-f]{16,}\b|https?://\S+"
)


def english_in(page: str, data: tuple[str, ...] = ()) -> list[str]:
    text = html.unescape(TAG.sub(" ", page))
    for value in data:
        text = text.replace(value, " ")
    text = DATA.sub(" ", text)
    return RAW_ID.findall(text) + WORD.findall(RAW_ID.sub(" ", text))


def resident_pages(client, pid: int) -> dict[str, str]:
    pages = {
        "home": client.get("/"),
        "process": client.get(f"/processes/{pid}"),
        "ballot": client.get(f"/processes/{pid}/ballot"),
        "vote": client.get(f"/processes/{pid}/vote"),
        "vote refused": client.post(
            f"/processes/{pid}/vote", headers=ORIGIN, data={"access_code": "ABCD-EFGH-JKMN-P"}
        ),
        "receipt": client.get(f"/processes/{pid}/receipt", params={"code": "NOPE-NOPE"}),
        "idea form": client.get(f"/processes/{pid}/ideas/new"),
        "results": client.get(f"/processes/{pid}/results"),
        "idea board": client.get(f"/processes/{pid}/ideas"),
        "proposals": client.get(f"/processes/{pid}/proposals"),
    }
    for proposal in client.get(f"/api/processes/{pid}/proposals").json()[:1]:
        pages["proposal"] = client.get(f"/processes/{pid}/proposals/{proposal['id']}")
    return {name: r.text for name, r in pages.items()}


def staff_pages(client, paper, pid: int) -> dict[str, str]:  # noqa: F811
    pages = {"station sign-in": client.get("/station").text}
    sign_in(client, paper.first)
    pages["station"] = client.get("/station").text
    batch = new_batch(client, paper)
    pages["paper batch"] = client.get(f"/station/batches/{batch}").text
    pages["station refusal"] = client.post(
        f"/station/sites/{paper.world.sites[0]}/check-in",
        headers=ORIGIN,
        data={"name": "X", "birth_date": "2000-01-01", "postal_code": "1", "mode": "kiosk"},
    ).text
    sign_in(client, paper.organizer)
    pages["organize"] = client.get("/organize").text
    pages["organize batch"] = client.get(f"/organize/batches/{batch}").text
    pages.update(setup_pages(client, pid))
    paper_check_in(client, paper, 3)  # the sheets' voters: the count has no difference to note
    load(client, paper.first, batch, PASS_1)
    load(client, paper.second, batch, PASS_2)
    closed = client.post(f"/api/paper-batches/{batch}/close", headers=paper.first.headers)
    assert closed.status_code == 200, closed.text
    return pages


def setup_pages(client, pid: int) -> dict[str, str]:
    """The organizer's set-up pages of the process (in voting) and a new one's form."""
    pages = {
        "process overview": client.get(f"/organize/processes/{pid}"),
        "process settings": client.get(f"/organize/processes/{pid}/edit"),
        "phase change": client.get(f"/organize/processes/{pid}/phase"),
        "voting window": client.get(f"/organize/processes/{pid}/window"),
        "window refused": client.post(
            f"/organize/processes/{pid}/window",
            headers=ORIGIN,
            data={"closes_date": "2020-01-01", "closes_time": "20:00", "reason": "x"},
        ),
        "new process": client.get("/organize/processes/new"),
        "new process refused": client.post(
            "/organize/processes/new", headers=ORIGIN, data={"name": "x", "budget": "lots"}
        ),
    }
    # Data, not text: time zones as the IANA database names them, languages in themselves.
    return {name: re.sub(r"\bUTC\b|English", " ", r.text) for name, r in pages.items()}


def kiosk_pages(client, paper, pid: int) -> dict[str, str]:  # noqa: F811
    r = check_in(client, paper.first, paper.world, **identity(name="Kim Kiosk"))
    ticket = r.json()["kiosk_ticket"]
    sign_in(client, paper.first)
    client.post(f"/station/sites/{paper.world.sites[0]}/kiosk", headers=ORIGIN)
    pages = {
        "kiosk": client.get("/kiosk"),
        "kiosk bad ticket": client.post(
            "/kiosk/ballot", headers=ORIGIN, data={"kiosk_ticket": "AAAAA-AAAAA"}
        ),
        "kiosk ballot": client.post("/kiosk/ballot", headers=ORIGIN, data={"kiosk_ticket": ticket}),
    }
    ranks = {f"rank_{i}": str(p) for i, p in enumerate(paper.world.proposals[:3], start=1)}
    pages["kiosk done"] = client.post("/kiosk/cast", headers=ORIGIN, data=ranks)
    return {name: r.text for name, r in pages.items()}


def delegate_pages(client, make_staff, session_factory, pid: int) -> dict[str, str]:
    idea = submit_idea(client, pid, title="Idea 1", description="Idea 1")["id"]
    set_phase(session_factory, pid, "proposal_development")
    delegate = make_staff(Role.delegate)
    sign_in(client, delegate)
    return {
        "delegate": client.get("/delegate").text,
        "delegate score": client.get(f"/delegate/ideas/{idea}").text,
    }


@pytest.fixture
def pseudo_world(pseudo, paper, world, session_factory):  # noqa: F811
    with session_factory() as session:
        session.get(Process, paper.world.process_id).languages = ["en", pseudo]
        session.commit()
    return paper


def test_no_english_is_left_on_any_page(
    client,
    pseudo_world,
    codes,  # noqa: F811
    make_staff,
    session_factory,
):
    papers, pid = pseudo_world, pseudo_world.world.process_id
    client.headers["Accept-Language"] = "en-XA"
    pages = {f"{k} (voting)": v for k, v in resident_pages(client, pid).items()}
    pages.update(staff_pages(client, papers, pid))
    client.cookies.clear()
    pages.update(kiosk_pages(client, papers, pid))
    client.cookies.clear()
    cast_online(client, papers.world, codes)
    to_funding(client, papers)
    pages.update({f"{k} (funding)": v for k, v in resident_pages(client, pid).items()})
    for phase in ("design", "idea_collection"):
        set_phase(session_factory, pid, phase)
        pages.update({f"{k} ({phase})": v for k, v in resident_pages(client, pid).items()})
    pages["idea refused"] = client.post(
        f"/processes/{pid}/ideas/new",
        headers=ORIGIN,
        data={"title": "T", "description": "D", "contact_email": "not an address"},
    ).text
    pages.update(delegate_pages(client, make_staff, session_factory, pid))
    assert 'name="comment"' in pages["delegate score"]  # the page, not a redirect
    english = {name: words for name, page in pages.items() if (words := english_in(page))}
    found = sum(len(w) for w in english.values())
    assert not english, f"{found} English words on {len(english)} pages: {english}"
