"""A pseudo-locale, `en-XA`, made from the English catalog: every letter accented and every
text in brackets, placeholders kept. It is the fourth language a city could add (a catalog
and a name in the process's languages, no code change), and on a page in it any English
left is text that bypassed the catalogs."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from app.web import i18n

CODE = "en-XA"
PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
ACCENTED = "àƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÀƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ"
ACCENT = str.maketrans(PLAIN, ACCENTED)
# Kept as they are: {placeholders}, `commands`, <tags>, &entities; and URLs.
KEEP = re.compile(r"(\{[^}]*\}|`[^`]*`|<[^>]*>|&\w+;|https?://\S+)")


def accent(text: str) -> str:
    if not text:
        return text
    parts = KEEP.split(text)
    return "⟦" + "".join(p if KEEP.fullmatch(p) else p.translate(ACCENT) for p in parts) + "⟧"


def write_catalog(base: Path, code: str = CODE) -> Path:
    english = i18n.HERE / "locale" / i18n.DEFAULT / "LC_MESSAGES" / "messages.po"
    with english.open("rb") as po:
        catalog = read_po(po)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.string, tuple):
            message.string = tuple(accent(s) for s in message.string)
        else:
            message.string = accent(message.string)
    catalog.locale = None  # CLDR has no en-XA: the header says it
    target = base / code.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    target.parent.mkdir(parents=True)
    with target.open("wb") as po:
        write_po(po, catalog)
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace('"Language: en\\n"', f'"Language: {code}\\n"'), "utf-8")
    return target


@pytest.fixture
def pseudo(tmp_path, monkeypatch):
    """The pseudo-locale, added as a city would: a catalog in a directory of its own."""
    write_catalog(tmp_path)
    monkeypatch.setattr(i18n, "LOCALE_DIRS", [*i18n.LOCALE_DIRS, tmp_path])
    i18n.reload()
    yield CODE
    monkeypatch.undo()
    i18n.reload()
