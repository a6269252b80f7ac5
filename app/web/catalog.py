"""The translators' workflow, one command each (docs/languages.md):

    python -m app.web.catalog extract   # messages.pot: every id, with its English
    python -m app.web.catalog update    # each catalog gains the new ids, keeps every one
    python -m app.web.catalog check     # complete, placeholders kept, plurals sized

The English catalog is the source of the English texts. The template lists every id the
code and templates use (Babel's extractor over babel.cfg) and every id made at run time
(`runtime_ids`, which no extractor can see), each with its English as a `#. en:` comment.
Unlike `pybabel update`, `update` never comments an entry out nor marks a plural fuzzy: an
id the code stopped using stays (check names it), a new one is added empty at the end.
"""

import contextlib
import io
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from app.paper.models import SheetState
from app.processes.phases import ORDER
from app.results.models import AwardStatus
from app.web import i18n

ROOT = Path(__file__).resolve().parent.parent.parent
LOCALE = i18n.HERE / "locale"
TEMPLATE = LOCALE / "messages.pot"
KEYWORDS = {"t": None, "tn": None, "translate": (2,), "translate_plural": (2,)}
SHIPPED = ["en", "es", "vi"]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
WIDTH = 100  # lines of the .po files

# Ids made at run time ("error." + code, "phase." + phase ...), which no extractor can see.
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


def runtime_ids() -> set[str]:
    return {
        *(f"phase.{p.value}" for p in ORDER),
        *(f"error.{code}" for code in RESIDENT_ERRORS),
        *(f"idea.{field}" for field in IDEA_FIELDS),
        *(f"channel.{c}" for c in CHANNELS),
        *(f"results.status.{s.value}" for s in AwardStatus),
        *(f"paper.state.{s.value}" for s in SheetState),
        *(f"setup.min_support.{k}" for k in ("votes", "points", "votes_share", "points_share")),
    }


@cache
def extracted() -> dict[str, list[tuple[str, int]]]:
    """Every id the code and templates name, with where. (An id made at run time, an
    f-string, is skipped by the extractor with a warning; `runtime_ids` lists those.)"""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, list[tuple[str, int]]] = {}
    with contextlib.redirect_stderr(io.StringIO()):
        messages = list(extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS))
    for path, line, message, _comments, _context in messages:
        key = message if isinstance(message, str) else message[0]
        found.setdefault(key, []).append((path, line))
    return found


def used_ids() -> set[str]:
    return set(extracted()) | runtime_ids()


def catalog_path(code: str) -> Path:
    return LOCALE / code.replace("-", "_") / "LC_MESSAGES" / "messages.po"


def read(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po)


def write(path: Path, catalog: Catalog) -> None:
    with path.open("wb") as po:  # as the catalogs are written; entries stay where they were
        write_po(po, catalog, width=WIDTH, sort_output=False, include_previous=False)


def key(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def english_of(message: Message) -> str:
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return " / ".join(forms)


def entries(catalog: Catalog) -> dict[str, Message]:
    return {key(m): m for m in catalog if m.id}


def extract(target: Path | None = None) -> Catalog:
    """messages.pot (or `target`): every id used or in the English catalog, with its English."""
    target = target or TEMPLATE
    english = entries(read(catalog_path("en")))
    where = extracted()
    template = Catalog(project="pbvote", fuzzy=False)
    template.header_comment = "# pbvote's texts, to translate (docs/languages.md)."
    for name in sorted(set(english) | set(where) | runtime_ids()):
        source = english.get(name)
        plural = source is not None and isinstance(source.id, tuple)
        template.add(
            (name, f"{name}.plural") if plural else name,
            ("", "") if plural else "",
            locations=where.get(name, []),
            auto_comments=[f"en: {english_of(source)}"] if source else [],
        )
    with target.open("wb") as pot:
        write_po(pot, template, width=WIDTH, omit_header=False, include_previous=False)
    return template


def update(codes: Iterable[str] | None = None) -> dict[str, int]:
    """Adds each template id a catalog lacks (empty, at the end) and refreshes the English
    comments; keeps every entry and translation. Returns how many were added per language."""
    template = entries(read(TEMPLATE))
    added = {}
    for code in codes or [c for c in i18n.available() if catalog_path(c).exists()]:
        path = catalog_path(code)
        catalog = read(path)
        have = entries(catalog)
        forms = catalog.num_plurals
        added[code] = 0
        for name, message in template.items():
            comments = list(message.auto_comments) if code != i18n.DEFAULT else []
            if name in have:
                have[name].auto_comments = comments
                continue
            plural = isinstance(message.id, tuple)
            string = ("",) * forms if plural else ""
            catalog.add(message.id, string, auto_comments=comments)
            added[code] += 1
        write(path, catalog)
    return added


def problems(code: str) -> list[str]:
    """What a catalog gets wrong: an id used but missing or empty, a placeholder lost or
    made up, a plural with the wrong number of forms."""
    catalog = read(catalog_path(code))
    have = entries(catalog)
    english = entries(read(catalog_path("en")))
    found = []
    for name in sorted(used_ids()):
        message = have.get(name)
        forms = message and (message.string if isinstance(message.string, tuple) else None)
        if message is None or not message.string or (forms and not all(forms)):
            found.append(f"{code}: {name} is not translated")
    for name, message in have.items():
        if name not in english:
            continue
        expected = set(PLACEHOLDER.findall(english_of(english[name])))
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            if text and set(PLACEHOLDER.findall(text)) - expected:
                found.append(f"{code}: {name} has a placeholder English does not: {text!r}")
        if isinstance(message.string, tuple) and len(message.string) != catalog.num_plurals:
            found.append(f"{code}: {name} has {len(message.string)} plural forms, not "
                         f"{catalog.num_plurals}")  # fmt: skip
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        template = extract()
        print(f"{TEMPLATE.relative_to(ROOT)}: {len(template)} ids")
    elif command == "update":
        for code, n in update(argv[1:] or None).items():
            print(f"{code}: {n} new ids to translate")
    elif command == "check":
        found = [p for code in SHIPPED for p in problems(code)]
        print("\n".join(found) or f"{', '.join(SHIPPED)}: every id used is translated")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
