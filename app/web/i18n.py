"""Page text in the residents' languages, and dates and money the way they write them.

Texts are gettext catalogs (`locale/<code>/LC_MESSAGES/messages.po`, docs/languages.md)
keyed by a short message id such as `vote.submit`; English is complete and the fallback.
A city adds a language by adding a catalog (here, or in a directory named in
PBVOTE_LOCALE_DIRS) and naming the language in a process's `languages`: no code change.
The `.po` files are read as they are at first use, so there is no compile step to forget.

The language of a page is, in order: `?lang=`, the `lang` cookie, the browser's
Accept-Language, then English; only the languages we have text for are chosen.
"""

import gettext
import io
import os
from datetime import date, datetime, tzinfo
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError, negotiate_locale
from babel.dates import format_date, format_time
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)
from fastapi import Request

HERE = Path(__file__).parent
DOMAIN = "messages"
DEFAULT = "en"
# Our catalogs first; a city's own (PBVOTE_LOCALE_DIRS, like PATH) may add or override.
LOCALE_DIRS: list[Path] = [HERE / "locale"] + [
    Path(p) for p in os.environ.get("PBVOTE_LOCALE_DIRS", "").split(os.pathsep) if p
]
# Where the residents live: languages are written as there (PBVOTE_REGION, a CLDR territory).
REGION = os.environ.get("PBVOTE_REGION", "US")
# The catalog text that names its own language, for languages CLDR does not know.
OWN_NAME = "language.name"
OWN_DIRECTION = "language.direction"
# Where CLDR's "long" date is not what civic texts print.
DATE_PATTERNS = {"vi": "'ngày' d 'tháng' M 'năm' y"}


def _folder(code: str) -> str:
    return code.replace("-", "_")  # process languages say en-XA; gettext folders en_XA


def _po_files(code: str) -> list[Path]:
    return [
        path
        for base in LOCALE_DIRS
        if (path := base / _folder(code) / "LC_MESSAGES" / f"{DOMAIN}.po").exists()
    ]


@cache
def available() -> list[str]:
    codes = {
        folder.name.replace("_", "-")
        for base in LOCALE_DIRS
        if base.is_dir()
        for folder in base.iterdir()
        if (folder / "LC_MESSAGES" / f"{DOMAIN}.po").exists()
    }
    return sorted(codes)


@cache
def translations(code: str) -> gettext.NullTranslations:
    """The language's catalogs (later directories win), falling back to English."""
    chain: gettext.NullTranslations = (
        gettext.NullTranslations() if code == DEFAULT else translations(DEFAULT)
    )
    for path in _po_files(code):
        with path.open("rb") as po:
            catalog = read_po(po, locale=None)
        _drop_partial_plurals(catalog)
        mo = io.BytesIO()
        write_mo(mo, catalog)  # untranslated and fuzzy entries are left out: they fall back
        mo.seek(0)
        found = gettext.GNUTranslations(mo)
        found.add_fallback(chain)
        chain = found
    return chain


def _drop_partial_plurals(catalog: Catalog) -> None:
    """A plural text with any form left empty falls back to English whole.

    Babel's `write_mo` fills an empty plural form with the message's id, which for our
    keyed catalogs is a raw key ("vote.intro.plural") on a resident's page; a language with
    more plural forms than English (Arabic has six) starts with all of them empty."""
    for message in list(catalog):
        if message.id and message.pluralizable and not all(message.string):
            del catalog[message.id]


def reload() -> None:
    """Forget loaded catalogs (after LOCALE_DIRS or a catalog changed)."""
    available.cache_clear()
    translations.cache_clear()
    direction.cache_clear()
    locale.cache_clear()


def _localized(language: str, value: object) -> object:
    """Dates and counts put into a text are written the reader's way."""
    if isinstance(value, date):
        return format_day(language, value)
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(language, value)
    return value


def translate(language: str, key: str, /, **values: object) -> str:
    text = translations(language).gettext(key)
    if not values:
        return text
    return text.format(**{name: _localized(language, v) for name, v in values.items()})


def translate_plural(language: str, key: str, n: int, /, **values: object) -> str:
    """A text with a count: `key` in the catalog has plural forms (`key` / `key.plural`)."""
    text = translations(language).ngettext(key, f"{key}.plural", n)
    return text.format(**{k: _localized(language, v) for k, v in {"n": n, **values}.items()})


def _cldr(*candidates: str) -> Locale:
    for candidate in (*candidates, DEFAULT):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    raise AssertionError("English is always known")


@cache
def locale(code: str) -> Locale:
    """Babel's locale to write dates and money for a language: the language as written in
    REGION where CLDR knows it (Spanish in the US writes $200,000, not 200.000 US$); a
    code CLDR lacks (a city's own, or a pseudo-locale such as en-XA) formats like its
    base language."""
    folder = _folder(code)
    regional = [f"{folder}_{REGION}"] if REGION and "_" not in folder else []
    return _cldr(*regional, folder, folder.split("_")[0])


def _catalog_name(code: str) -> str | None:
    """The name a city's catalog gives its own language (`language.name`), for a language
    CLDR does not know (Hmong, Karen, Chuukese, Marshallese...)."""
    name = translations(code).gettext(OWN_NAME)
    return name if name != OWN_NAME else None


def _named(code: str, reader: str | None) -> str:
    exact, known = True, None
    for candidate in (_folder(code), code.split("-")[0]):
        try:
            known = Locale.parse(candidate)
            break
        except (UnknownLocaleError, ValueError):
            exact = False
    if known is None:  # CLDR lacks the language itself
        return _catalog_name(code) or code
    in_words = _cldr(_folder(reader), reader.split("-")[0]) if reader else known
    name = known.get_display_name(in_words) or code
    name = name if exact else f"{name} ({code})"  # a region CLDR lacks: en-XA
    return name[:1].upper() + name[1:] if reader is None else name


def display_name(code: str) -> str:
    """The language's name in itself, as the language menu shows it."""
    return _named(code, None)


def name_in(code: str, reader: str) -> str:
    """The language's name as the reader's language writes it, for a sentence ("Nombre en
    vietnamita", not "Nombre en Tiếng Việt"); a language CLDR lacks is named by its own
    catalog (or its code)."""
    return _named(code, reader)


@cache
def direction(code: str) -> str:
    """ "rtl" for a language written right to left (Arabic, Persian, Hebrew, Urdu...), from
    CLDR; a catalog CLDR lacks may say so itself (`language.direction`: rtl)."""
    try:
        order = Locale.parse(_folder(code).split("_")[0]).character_order
    except (UnknownLocaleError, ValueError):
        said = translations(code).gettext(OWN_DIRECTION)
        return "rtl" if said == "rtl" else "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def format_number(language: str, n: int) -> str:
    return format_decimal(n, locale=locale(language))


def format_money(language: str, cents: int, currency: str) -> str:
    """Money in the reader's way of writing it; whole amounts without the cents."""
    where = locale(language)
    pattern = _money_pattern(where)
    if cents % 100 == 0:
        pattern = pattern.replace("0.00", "0")
    return format_currency(
        cents / 100, currency, format=pattern, locale=where, currency_digits=False
    )


def _money_pattern(where: Locale) -> str:
    return where.currency_formats["standard"].pattern.split(";")[0]


def money_shape(language: str, currency: str) -> dict[str, str]:
    """How `format_money` writes a positive amount, for the ballot's script, which adds
    costs up as the voter ranks: what goes before and after the number, the separators,
    and the size of the digit groups (the last group, then the others: "3,3"; "3,2" where
    lakhs are written). The script writes with these only, never with its own rules, so a
    total reads like every amount the server wrote beside it."""
    where = locale(language)
    shape = where.currency_formats["standard"]
    symbol = get_currency_symbol(currency, where)
    return {
        "before": shape.prefix[0].replace("¤", symbol),
        "after": shape.suffix[0].replace("¤", symbol),
        "group": get_group_symbol(where),
        "decimal": get_decimal_symbol(where),
        "grouping": ",".join(str(size) for size in shape.grouping),
    }


def format_day(language: str, when: date | datetime, zone: str | tzinfo | None = None) -> str:
    """A date as the reader writes it ("1 de junio de 2025"); a moment is first put into
    the process's time zone when it has one."""
    if isinstance(when, datetime):
        if zone is not None:
            when = when.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)
        when = when.date()
    pattern = DATE_PATTERNS.get(language.split("-")[0], "long")
    return format_date(when, pattern, locale=locale(language))


def format_moment(language: str, when: datetime, zone: str | tzinfo | None = None) -> str:
    """A date and time in the process's time zone, the date as `format_day` writes it and
    the time without seconds ("April 23, 2027, 8:00 PM"; "23 de abril de 2027, 20:00")."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    local = when.astimezone(tz) if tz is not None else when
    where = locale(language)
    clock = format_time(local, "short", locale=where)
    return where.datetime_formats["medium"].format(clock, format_day(language, local))


def _accept_language(header: str) -> list[str]:
    """Accept-Language's tags, most wanted first (Babel matches them, not this). Only the
    first preferences matter: a long header is cut, not refused."""
    weighted = []
    for part in header[:500].split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        try:
            weight = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            weight = 0.0
        if tag.strip() and weight > 0:
            weighted.append((-weight, tag.strip()))
    return [tag for _, tag in sorted(weighted, key=lambda pair: pair[0])]


def negotiate(offered: list[str], *asked: str | None, header: str | None = None) -> str | None:
    """The first of `asked`, then of the Accept-Language `header`, that one of `offered`
    languages serves (es-MX is served by es), or None."""
    wanted = [code for code in asked if code] + _accept_language(header or "")
    found = negotiate_locale(wanted, offered, sep="-", aliases=None) if wanted else None
    # Babel answers in the asker's spelling (ES, es-mx's es): give the offered one.
    return {code.lower(): code for code in offered}.get(found.lower()) if found else None


def pick_language(request: Request, offered: list[str] | None = None) -> str:
    """The language to show this request, among `offered` (default: all we have)."""
    choices = [c for c in (offered or available()) if c in available()] or [DEFAULT]
    found = negotiate(
        choices,
        request.query_params.get("lang"),
        request.cookies.get("lang"),
        header=request.headers.get("accept-language"),
    )
    return found or (DEFAULT if DEFAULT in choices else choices[0])
