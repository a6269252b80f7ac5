import json

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
    ],
)
def test_language_choice(query, cookie, accept, offered, expected):
    assert i18n.pick_language(request(query, cookie, accept), offered) == expected


def test_every_language_has_every_english_key():
    english = set(json.loads((i18n.TRANSLATIONS / "en.json").read_text()))
    for code in i18n.available():
        keys = set(json.loads((i18n.TRANSLATIONS / f"{code}.json").read_text()))
        assert keys == english, f"{code}: missing {english - keys}, extra {keys - english}"


def test_missing_text_falls_back_to_english():
    assert i18n.translate("vi", "no.such.key") == "no.such.key"
    assert i18n.translate("es", "process.rank_up_to", n=5) == "Ordene hasta 5 proyectos"
