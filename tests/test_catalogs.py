"""Every message id the code and templates use is in every catalog, and a city adds a
language with a catalog and a process's `languages`, no code change."""

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.db import utcnow
from app.processes.models import Process
from app.web import catalog, i18n
from tests import pseudo_locale
from tests.pseudo_locale import pseudo  # noqa: F401 - the fixture

ROOT = Path(__file__).parent.parent
SHIPPED = catalog.SHIPPED
IDEA_FIELDS, CHANNELS = catalog.IDEA_FIELDS, catalog.CHANNELS


def used_ids() -> set[str]:
    return catalog.used_ids()


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


def test_the_template_is_what_the_workflow_writes(tmp_path):
    """messages.pot lists every id (runtime ones too) with its English: re-run
    `python -m app.web.catalog extract` (docs/languages.md) when this fails."""
    fresh = catalog.extract(tmp_path / "messages.pot")
    committed = catalog.read(catalog.TEMPLATE)

    def listed(template):
        return {catalog.key(m): " ".join(m.auto_comments) for m in template if m.id}  # wrapped

    assert listed(committed) == listed(fresh), "run python -m app.web.catalog extract"


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


@pytest.fixture
def locale_copy(tmp_path, monkeypatch) -> Path:
    """The catalogs copied aside, for the workflow to work on."""
    shutil.copytree(catalog.LOCALE, tmp_path / "locale")
    monkeypatch.setattr(catalog, "LOCALE", tmp_path / "locale")
    monkeypatch.setattr(catalog, "TEMPLATE", tmp_path / "locale" / "messages.pot")
    return tmp_path / "locale"


def translations_in(code: str) -> dict[str, object]:
    return {catalog.key(m): m.string for m in catalog.read(catalog.catalog_path(code)) if m.id}


def test_the_workflow_keeps_every_translation_and_lists_every_id(locale_copy):
    before = {code: translations_in(code) for code in SHIPPED}
    template = catalog.extract()
    listed = {catalog.key(m): m for m in template if m.id}
    assert used_ids() <= set(listed)  # the runtime ids too (the pot once lacked 217)
    english = translations_in("en")
    for name, message in listed.items():
        assert message.auto_comments == [f"en: {catalog.english_of(message_of('en', name))}"]
        assert isinstance(message.id, tuple) == isinstance(english[name], tuple), name
    assert catalog.update(SHIPPED) == {"en": 0, "es": 0, "vi": 0}
    # Nothing commented out, nothing fuzzy, every translation as it was.
    assert {code: translations_in(code) for code in SHIPPED} == before
    for code in SHIPPED:
        text = catalog.catalog_path(code).read_text("utf-8")
        assert "#~" not in text and "#, fuzzy" not in text.split("msgid", 2)[2]
    assert [p for code in SHIPPED for p in catalog.problems(code)] == []


def message_of(code: str, name: str):
    return next(m for m in catalog.read(catalog.catalog_path(code)) if catalog.key(m) == name)


def test_a_new_text_reaches_every_catalog_empty_and_check_names_it(locale_copy):
    english_path = catalog.catalog_path("en")
    english_path.write_text(
        english_path.read_text("utf-8")
        + '\nmsgid "vote.brand_new"\nmsgstr "A new text for {name}"\n'
        + '\nmsgid "vote.brand_new_n"\nmsgid_plural "vote.brand_new_n.plural"\n'
        + 'msgstr[0] "{n} thing"\nmsgstr[1] "{n} things"\n',
        "utf-8",
    )
    catalog.extract()
    assert catalog.update(["es", "vi"]) == {"es": 2, "vi": 2}
    spanish = message_of("es", "vote.brand_new")
    assert spanish.string == "" and spanish.auto_comments == ["en: A new text for {name}"]
    assert message_of("es", "vote.brand_new_n").string == ("", "", "")  # Spanish: 3 forms
    assert message_of("vi", "vote.brand_new_n").string == ("",)  # Vietnamese: 1
    # check reads only the ids the code uses: the new ones are not used, a wrong one is.
    spanish_path = catalog.catalog_path("es")
    spanish_path.write_text(
        spanish_path.read_text("utf-8").replace(
            'msgstr "Ir al contenido"', 'msgstr "Ir al {contenido}"'
        ),
        "utf-8",
    )
    assert catalog.problems("es") == [
        "es: site.skip has a placeholder English does not: 'Ir al {contenido}'"
    ]
