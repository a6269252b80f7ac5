"""Page text in the residents' languages.

Translations are JSON files, one per language (`translations/<code>.json`), keyed by a
short name; English is complete and the fallback. The language of a page is, in order:
`?lang=`, the `lang` cookie, the browser's Accept-Language, then English; only the
languages we have text for are chosen.
"""

import json
from functools import cache
from pathlib import Path

from fastapi import Request

TRANSLATIONS = Path(__file__).parent / "translations"
LANGUAGE_NAMES = {"en": "English", "es": "Español", "vi": "Tiếng Việt"}
DEFAULT = "en"


@cache
def catalog(language: str) -> dict[str, str]:
    path = TRANSLATIONS / f"{language}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def available() -> list[str]:
    return sorted(p.stem for p in TRANSLATIONS.glob("*.json"))


def translate(language: str, key: str, **values: object) -> str:
    text = catalog(language).get(key) or catalog(DEFAULT).get(key) or key
    return text.format(**values) if values else text


def _accept_language(header: str) -> list[str]:
    weighted = []
    for part in header.split(","):
        code, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if code:
            weighted.append((weight, code.split("-")[0].lower()))
    return [code for _, code in sorted(weighted, key=lambda pair: -pair[0])]


def pick_language(request: Request, offered: list[str] | None = None) -> str:
    """The language to show this request, among `offered` (default: all we have)."""
    choices = [c for c in (offered or available()) if c in available()] or [DEFAULT]
    candidates = [
        request.query_params.get("lang"),
        request.cookies.get("lang"),
        *_accept_language(request.headers.get("accept-language", "")),
    ]
    for code in candidates:
        if code and code.lower() in choices:
            return code.lower()
    return DEFAULT if DEFAULT in choices else choices[0]
