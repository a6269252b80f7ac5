"""The reference population CSV: neighbourhood, population, then any target groups' counts,
and optionally a `zip_codes` column: the neighbourhood's ZIP codes, separated by spaces
(an online voter who types one of them is counted in that neighbourhood).

A file is read whole before anything is stored; the first problem found is refused with
its row and column named, and nothing changes.
"""

import csv
import io
from dataclasses import dataclass, field

from app.digits import parse_count
from app.errors import BadInput
from app.voting.credentials import normalise_postal_code

NAME_HEADERS = frozenset({"neighbourhood", "neighborhood"})
ZIP_HEADER = "zip_codes"
MAX_ZIP = 12  # as long as a typed postal code may be (app/voting/schemas.py)
MAX_ROWS = 2_000
MAX_GROUPS = 20
MAX_NAME = 120
MAX_GROUP_NAME = 40
MAX_COUNT = 100_000_000
_COUNT_DIGITS = 12  # past leading zeros: a longer number is too large, whatever it is
# What app.exports.csv_files.cell() puts before text a spreadsheet would run as a formula.
_ESCAPED_FORMULA = ("'=", "'+", "'-", "'@")


class PopulationProblem(BadInput):
    """A reference population file that cannot be used; the message names the row/column."""

    code = "bad_population_file"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass(frozen=True)
class PopulationRow:
    neighborhood: str
    population: int
    groups: dict[str, int] = field(default_factory=dict)
    zip_codes: tuple[str, ...] = ()


def _text(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PopulationProblem(
            f"The file is not UTF-8 text (byte {exc.start + 1}): save it as CSV UTF-8."
        ) from None
    if not text.strip():  # nothing, or only a byte order mark and blank lines
        raise PopulationProblem("The file is empty: choose the CSV file to upload.")
    if "\x00" in text:  # a file's text, not a form field: app.inputs never sees it
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise PopulationProblem(
            f"Line {line} holds a NUL character (\\u0000), which no text here may hold "
            "(a UTF-16 file? save it as CSV UTF-8)."
        )
    return text


def _unescaped(value: str) -> str:
    value = value.strip()
    return value[1:] if value.startswith(_ESCAPED_FORMULA) else value


def _count(value: str, *, row: int, column: str) -> int:
    cleaned = value.strip().replace(",", "").replace(" ", "").replace("_", "")
    if not cleaned.isdigit() or not cleaned.isascii():
        raise PopulationProblem(
            f"Row {row}, column “{column}”: “{value.strip()[:40]}” is not a whole number of "
            "people (0 or more)."
        )
    digits = cleaned.lstrip("0") or "0"  # a spreadsheet may pad with zeros
    number = parse_count(digits, max_digits=_COUNT_DIGITS)
    if number is None or number > MAX_COUNT:
        shown = f"{number:,}" if number is not None else f"a number of {len(digits):,} digits"
        raise PopulationProblem(
            f"Row {row}, column “{column}”: {shown} is too large (at most {MAX_COUNT:,})."
        )
    return number


def _header(cells: list[str]) -> list[str]:
    names = [_unescaped(c) for c in cells]
    while names and not names[-1]:
        names.pop()
    if len(names) < 2 or names[0].lower() not in NAME_HEADERS or names[1].lower() != "population":
        raise PopulationProblem(
            "Row 1 must be the header: “neighbourhood,population” and then, if you like, "
            f"one column per target group (found “{','.join(names)[:80]}”)."
        )
    groups = names[2:]
    if len(groups) > MAX_GROUPS:
        raise PopulationProblem(f"Row 1: at most {MAX_GROUPS} target group columns.")
    seen: set[str] = set()
    for n, name in enumerate(groups, start=3):
        if not name:
            raise PopulationProblem(f"Row 1, column {n}: the target group needs a name.")
        if len(name) > MAX_GROUP_NAME:
            raise PopulationProblem(
                f"Row 1, column {n}: “{name[:40]}…” is longer than {MAX_GROUP_NAME} characters."
            )
        if name.lower() in seen or name.lower() in NAME_HEADERS | {"population"}:
            raise PopulationProblem(f"Row 1, column {n}: “{name}” is there twice.")
        seen.add(name.lower())
    return names


def _zip_codes(
    value: str, *, row: int, column: str, seen: dict[str, str], name: str
) -> tuple[str, ...]:
    """A cell's ZIP codes (separated by spaces, commas or semicolons), each in one
    neighbourhood only: a voter's ZIP must place them in one place."""
    codes = []
    for code in value.replace(",", " ").replace(";", " ").split():
        code = normalise_postal_code(_unescaped(code))  # as a voter's typed ZIP is
        if len(code) > MAX_ZIP or not code.isascii() or not code.replace("-", "").isalnum():
            raise PopulationProblem(
                f"Row {row}, column “{column}”: “{code[:40]}” is not a ZIP code."
            )
        if code in seen and seen[code] != name:
            raise PopulationProblem(
                f"Row {row}, column “{column}”: ZIP {code} is already in “{seen[code]}”; "
                "list each ZIP code under one neighbourhood (where most of it lies)."
            )
        if code not in seen:
            seen[code] = name
            codes.append(code)
    return tuple(codes)


def parse_population(raw: bytes) -> list[PopulationRow]:
    """The rows of an uploaded file, or PopulationProblem naming the first thing wrong."""
    try:
        lines = list(csv.reader(io.StringIO(_text(raw), newline="")))
    except csv.Error as exc:
        raise PopulationProblem(f"The file is not readable as CSV: {exc}.") from None
    header = _header(lines[0])
    rows: list[PopulationRow] = []
    names: set[str] = set()
    zip_places: dict[str, str] = {}  # ZIP code -> the neighbourhood that listed it
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # a blank line
        while len(cells) > len(header) and not cells[-1].strip():
            cells = cells[:-1]
        if len(cells) != len(header):
            raise PopulationProblem(
                f"Row {number} has {len(cells)} columns; the header has {len(header)}."
            )
        name = _unescaped(cells[0])
        if not name:
            raise PopulationProblem(f"Row {number}, column “{header[0]}”: the name is empty.")
        if len(name) > MAX_NAME:
            raise PopulationProblem(
                f"Row {number}, column “{header[0]}”: longer than {MAX_NAME} characters."
            )
        if name.casefold() in names:
            raise PopulationProblem(
                f"Row {number}, column “{header[0]}”: “{name}” is already in the file."
            )
        names.add(name.casefold())
        population = _count(cells[1], row=number, column=header[1])
        groups = {}
        zips: tuple[str, ...] = ()
        for column, value in zip(header[2:], cells[2:], strict=True):
            if column.lower() == ZIP_HEADER:
                zips = _zip_codes(value, row=number, column=column, seen=zip_places, name=name)
                continue
            count = _count(value, row=number, column=column) if value.strip() else 0
            if count > population:
                raise PopulationProblem(
                    f"Row {number}, column “{column}”: {count:,} is more than the "
                    f"neighbourhood's population ({population:,})."
                )
            groups[column] = count
        rows.append(PopulationRow(name, population, groups, zips))
        if len(rows) > MAX_ROWS:
            raise PopulationProblem(f"Row {number}: at most {MAX_ROWS:,} neighbourhoods.")
    if not rows:
        raise PopulationProblem("The file has a header but no neighbourhoods (row 2 on).")
    if sum(r.population for r in rows) == 0:
        raise PopulationProblem("Column “population”: every neighbourhood has 0 people.")
    return rows
