"""Every message id the code and templates use is in every catalog, and a city adds a
language with a catalog and a process's `languages`, no code change."""

from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app.db import utcnow
from app.paper.models import SheetState
from app.processes.models import Process
from app.processes.phases import ORDER
from app.results.models import AwardStatus
from app.web import i18n
from tests import pseudo_locale
from tests.pseudo_locale import pseudo  # noqa: F401 - the fixture

ROOT = Path(__file__).parent.parent
KEYWORDS = {"t": None, "tn": None, "translate": (2,), "translate_plural": (2,)}
SHIPPED = ["en", "es", "vi"]
# Ids made at run time, which no extractor can see.
RESIDENT_ERRORS = [
    *("already_voted", "not_eligible", "bad_credential", "code_not_found", "credential_voided"),
    *("credential_missing", "ballot_throttled", "bad_ranking", "voting_closed", "invalid"),
    *("voting_not_open", "code_typo", "bad_ticket", "ticket_used", "ticket_expired"),
    *("ticket_wrong_site", "kiosk_not_open", "wrong_kiosk", "wrong_phase", "too_many_ideas"),
    *("code_used", "postal_code_format", "survey_field", "survey_choice"),
    *("not_eligible.min_age", "not_eligible.area", "invalid.birth_date", "invalid.name"),
    *("invalid.postal_code", "invalid.access_code"),
]
IDEA_FIELDS = ["title", "description", "neighborhood", "contact_name", "contact_email"]
IDEA_FIELDS += ["contact_phone"]
CHANNELS = ["online", "kiosk", "paper", "unspecified"]


@cache
def used_ids() -> set[str]:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS
        )
    }
    return {
        *found,
        *(f"phase.{p.value}" for p in ORDER),
        *(f"error.{code}" for code in RESIDENT_ERRORS),
        *(f"idea.{field}" for field in IDEA_FIELDS),
        *(f"channel.{c}" for c in CHANNELS),
        *(f"results.status.{s.value}" for s in AwardStatus),
        *(f"paper.state.{s.value}" for s in SheetState),
    }


def catalog_ids(code: str) -> set[str]:
    path = i18n.HERE / "locale" / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        messages = [m for m in read_po(po) if m.id and m.string]
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages}


def test_the_extractor_sees_the_code_and_the_templates():
    ids = used_ids()
    assert {"vote.submit", "results.ballots", "error.invalid", "vote.opens_at"} <= ids


@pytest.mark.parametrize("code", SHIPPED)
def test_every_message_id_used_is_translated(code):
    missing = used_ids() - catalog_ids(code)
    assert not missing, f"{code} lacks {sorted(missing)}"


def test_the_template_lists_every_id_used():
    with (i18n.HERE / "locale" / "messages.pot").open("rb") as pot:
        listed = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot) if m.id}
    extracted = used_ids() & {m for m in used_ids() if not m.startswith(("error.", "phase."))}
    assert extracted - listed <= {f"idea.{f}" for f in IDEA_FIELDS} | {
        f"channel.{c}" for c in CHANNELS
    } | {f"results.status.{s.value}" for s in AwardStatus} | {
        f"paper.state.{s.value}" for s in SheetState
    }, "re-run pybabel extract"


def test_a_city_adds_a_language_without_code(pseudo, client, session):  # noqa: F811
    process = Process(
        name="Pseudo PB",
        phase="design",
        budget_cents=1_000_000_00,
        currency="USD",
        languages=["en", pseudo],
        published_at=utcnow(),
    )
    session.add(process)
    session.commit()
    page = client.get(f"/processes/{process.id}", headers={"Accept-Language": "en-XA, en;q=0.5"})
    assert page.status_code == 200
    assert pseudo_locale.accent(i18n.translate("en", "process.budget")) in page.text
    assert 'lang="en-XA"' in page.text and "English (en-XA)" in page.text
    assert "$1,000,000" in page.text  # formatted like its base language
    english = client.get(f"/processes/{process.id}?lang=en")
    assert english.status_code == 200 and i18n.translate("en", "process.budget") in english.text
    assert "⟦" not in english.text


def test_placeholders_survive_the_pseudo_locale(pseudo):  # noqa: F811
    text = i18n.translate_plural(pseudo, "results.ballots", 3)
    assert text.startswith("⟦3 ") and text.endswith("⟧") and "ballots" not in text


def test_a_process_is_named_in_each_language(client, organizer):
    body = {
        "name": "Parks PB",
        "description": "Choose the park projects.",
        "budget_cents": 100_000_00,
        "languages": ["en", "es"],
        "translations": {"es": {"name": "PP de parques", "description": "Elija los proyectos."}},
    }
    r = client.post("/api/processes", json=body, headers=organizer.headers)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert client.post(f"/api/processes/{pid}/publish", headers=organizer.headers).is_success
    spanish = client.get(f"/processes/{pid}?lang=es").text
    assert "PP de parques" in spanish and "Elija los proyectos." in spanish
    assert "Parks PB" not in spanish
    assert "Parks PB" in client.get(f"/processes/{pid}?lang=en").text
    bad = {**body, "translations": {"Spanish": {"name": "x"}}}
    assert client.post("/api/processes", json=bad, headers=organizer.headers).status_code == 422
