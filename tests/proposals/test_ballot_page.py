from markupsafe import escape

from app.processes.models import Process
from app.proposals.models import Proposal
from app.web import i18n
from tests.ideas.helpers import force_phase
from tests.proposals.helpers import approve, create_proposal, developing


def test_ballot_page_in_the_chosen_language(client, organizer, session):
    pid, ideas = developing(client, organizer, ideas=1, ballot_size=1)
    proposal = create_proposal(
        client,
        organizer,
        pid,
        ideas,
        title="Emergency housing fund",
        cost_cents=25_000_00,
        translations={
            "es": {"title": "Fondo de emergencia", "summary": "Ayuda única."},
            "vi": {"title": "Quỹ nhà ở khẩn cấp", "summary": "Trợ cấp một lần."},
        },
    )
    approve(client, organizer, proposal["id"])
    # Approved before every language was required: the page falls back to English in vi.
    legacy = session.get(Proposal, proposal["id"])
    legacy.translations = {"es": legacy.translations["es"]}
    session.add(legacy)
    session.commit()
    before = client.get(f"/processes/{pid}/ballot")
    assert before.status_code == 200
    assert "published when voting opens" in before.text and "Emergency" not in before.text
    force_phase(session, pid, "voting")
    english = client.get(f"/processes/{pid}/ballot")
    assert "1. Emergency housing fund" in english.text and "$25,000" in english.text
    assert '<html lang="en" dir="ltr">' in english.text
    spanish = client.get(f"/processes/{pid}/ballot", headers={"Accept-Language": "es"})
    assert "1. Fondo de emergencia" in spanish.text and "Costo" in spanish.text
    assert (
        '<html lang="es" dir="ltr">' in spanish.text and spanish.headers["content-language"] == "es"
    )
    vietnamese = client.get(f"/processes/{pid}/ballot?lang=vi")
    assert "Chi phí" in vietnamese.text and "Emergency housing fund" in vietnamese.text
    assert client.get("/processes/999999/ballot").status_code == 404


def test_the_ballot_says_why_ranking_more_than_the_budget_is_fine(client, organizer, session):
    """One sentence per count method (docs/counting.md), in the reader's language."""

    def translate(lang: str, key: str) -> str:
        return str(escape(i18n.translate(lang, key)))  # as the page writes it

    pid, ideas = developing(client, organizer, ideas=1, ballot_size=1)
    approve(client, organizer, create_proposal(client, organizer, pid, ideas)["id"])
    force_phase(session, pid, "voting")
    process = session.get(Process, pid)
    for method, note in [("borda", "ranked"), ("irv", "ranked"), ("approval", "approval")]:
        process.count_method = method
        session.add(process)
        session.commit()
        for lang in ("en", "es", "vi"):
            page = client.get(f"/processes/{pid}/ballot?lang={lang}").text
            assert translate(lang, f"vote.budget_note.{note}") in page, (method, lang)
    process.count_method = "mes"
    session.add(process)
    session.commit()
    page = client.get(f"/processes/{pid}/ballot?lang=vi").text
    assert translate("vi", "vote.budget_note.mes") in page
    assert translate("vi", "vote.budget_note.ranked") not in page
