from datetime import date

import pytest
from starlette.requests import Request

from app.web import i18n


def request(query: str = "", cookie: str = "", accept: str = "") -> Request:
    headers = []
    if cookie:
        headers.append((b"cookie", f"lang={cookie}".encode()))
    if accept:
        headers.append((b"accept-language", accept.encode()))
    return Request({"type": "http", "query_string": query.encode(), "headers": headers})


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "offered", "expected"),
    [
        ("", "", "", None, "en"),
        ("lang=vi", "es", "es", None, "vi"),
        ("", "es", "vi", None, "es"),
        ("", "", "fr;q=1, vi;q=0.8, es;q=0.9", None, "es"),
        ("", "", "es-MX,es;q=0.9", None, "es"),
        ("lang=vi", "", "", ["en", "es"], "en"),
        ("lang=xx", "", "", None, "en"),
        ("", "", "garbage;q=abc", None, "en"),
        ("lang=ES", "", "", None, "es"),
        ("", "", "ES-mx;q=0.5, fr", None, "es"),
        ("", "", "fr, " * 30 + "vi", None, "en"),  # only the first preferences count
    ],
)
def test_language_choice(query, cookie, accept, offered, expected):
    assert i18n.pick_language(request(query, cookie, accept), offered) == expected


def test_plural_forms_follow_each_language():
    assert i18n.translate_plural("en", "results.ballots", 1) == "1 ballot counted"
    assert i18n.translate_plural("en", "results.ballots", 1200) == "1,200 ballots counted"
    assert i18n.translate_plural("vi", "results.ballots", 2).startswith("2 ")


def test_dates_and_money_are_written_the_readers_way():
    day = date(2025, 6, 1)
    assert i18n.format_day("en", day) == "June 1, 2025"
    assert i18n.format_day("es", day) == "1 de junio de 2025"
    assert i18n.format_day("vi", day) == "ngày 1 tháng 6 năm 2025"
    assert i18n.format_money("en", 25_000_000, "USD") == "$250,000"
    assert i18n.format_money("en", 1_050, "USD") == "$10.50"
    assert i18n.format_money("es", 25_000_000, "USD") == "$250,000"  # Spanish in the US
    assert i18n.format_money("vi", 150_000_000, "VND").replace("\xa0", " ") == "1.500.000 ₫"
    assert i18n.translate_plural("es", "results.ballots", 1200).startswith("1,200 ")


def test_the_ballot_script_is_told_how_the_server_writes_money():
    """What ballot.js writes totals with (tests/browser/test_keyboard_and_money.py checks
    the totals it writes against format_money)."""
    assert i18n.money_shape("en", "USD") == {
        "before": "$",
        "after": "",
        "group": ",",
        "decimal": ".",
        "grouping": "3,3",
    }
    assert i18n.money_shape("es", "USD")["before"] == "$"  # Spanish in the US: not 47.000 US$
    assert i18n.money_shape("vi", "USD") == {
        "before": "",
        "after": "\xa0US$",
        "group": ".",
        "decimal": ",",
        "grouping": "3,3",
    }


def test_a_city_elsewhere_writes_its_languages_as_there(monkeypatch):
    monkeypatch.setattr(i18n, "REGION", "ES")
    i18n.reload()
    try:
        assert i18n.format_money("es", 25_000_000, "EUR") == "250.000\xa0€"
        assert i18n.format_number("es", 12_000) == "12.000"
    finally:
        monkeypatch.undo()
        i18n.reload()


def test_missing_text_falls_back_to_english():
    assert i18n.translate("vi", "no.such.key") == "no.such.key"
    assert i18n.translate("es", "ballot.title") != i18n.translate("en", "ballot.title")


def test_a_plural_text_a_city_has_not_translated_falls_back_to_english(tmp_path, monkeypatch):
    """Arabic has six plural forms: an untranslated or half-translated plural text must read
    as English, never as its raw key (Babel's write_mo fills empty forms with the key)."""
    folder = tmp_path / "ar" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    empty = "\n".join(f'msgstr[{i}] ""' for i in range(6))
    half = '\nmsgstr[0] "نص"\n' + "\n".join(f'msgstr[{i}] ""' for i in range(1, 6))
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: ar\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : '
        'n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);\\n"\n\n'
        'msgid "ballot.title"\nmsgstr "ورقة الاقتراع"\n\n'
        f'msgid "vote.intro"\nmsgid_plural "vote.intro.plural"\n{empty}\n\n'
        f'msgid "process.rank_up_to"\nmsgid_plural "process.rank_up_to.plural"{half}\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALE_DIRS", [*i18n.LOCALE_DIRS, tmp_path])
    i18n.reload()
    try:
        assert i18n.translate("ar", "ballot.title") == "ورقة الاقتراع"
        for key in ("vote.intro", "process.rank_up_to"):
            for n in (0, 1, 2, 5, 11, 100):
                text = i18n.translate_plural("ar", key, n, budget="$1", n_max=5)
                assert "plural" not in text and text == i18n.translate_plural(
                    "en", key, n, budget="$1", n_max=5
                ), (key, n, text)
    finally:
        monkeypatch.undo()
        i18n.reload()


def test_a_language_is_named_in_the_readers_words_inside_a_sentence():
    assert i18n.display_name("vi") == "Tiếng Việt"  # the menu: each language in itself
    assert i18n.name_in("vi", "es") == "vietnamita"  # "Nombre en vietnamita"
    assert i18n.name_in("es", "vi") == "Tiếng Tây Ban Nha"
    assert i18n.name_in("vi", "en") == "Vietnamese"
    assert i18n.display_name("es-MX") == "Español (México)"


def test_a_language_cldr_does_not_know_is_named_by_its_own_catalog(tmp_path, monkeypatch):
    assert i18n.display_name("hmn") == "hmn"  # never "English (hmn)"
    folder = tmp_path / "hmn" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f'msgid "{i18n.OWN_NAME}"\nmsgstr "Hmoob"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALE_DIRS", [*i18n.LOCALE_DIRS, tmp_path])
    i18n.reload()
    try:
        assert "hmn" in i18n.available()
        assert i18n.display_name("hmn") == "Hmoob"
        assert i18n.name_in("hmn", "es") == "Hmoob"
        assert i18n.format_number("hmn", 12_000) == "12,000"  # dates and numbers: English's
        assert i18n.translate("hmn", "ballot.title") == i18n.translate("en", "ballot.title")
    finally:
        monkeypatch.undo()
        i18n.reload()
