"""The process form of the organizers' pages: the fields as typed, read into the same
ProcessCreate / ProcessUpdate the API takes, with a problem per field where they are wrong.

Field names on the page: name, description, name_<lang>, description_<lang>, budget,
currency, ballot_size, language_<lang> (checkboxes), time_zone, opens_date, opens_time,
closes_date, closes_time, confirm_window (the "yes, I mean these dates" checkbox), count_method,
count_seats, count_fill, count_min_support, count_exclusive, tie_break.
A problem is a catalog key (`setup.error.<kind>`) said by the page in the reader's language.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from app.digits import parse_count, parse_money
from app.processes.models import Process
from app.processes.schemas import (
    RULE_FIELDS,
    WINDOW_FIELDS,
    ZONE_FIELD,
    ProcessCreate,
    ProcessUpdate,
)

# The form's field for each field of the schema (where they differ).
FORM_FIELD = {
    "budget_cents": "budget",
    "voting_opens_at": "opens",
    "voting_closes_at": "closes",
    "languages": "languages",
}
# What is wrong, said for each form field whatever the validator's words were.
PROBLEM = {
    "name": "setup.error.name",
    "description": "setup.error.description",
    "budget": "setup.error.budget",
    "currency": "setup.error.currency",
    "ballot_size": "setup.error.ballot_size",
    "languages": "setup.error.languages",
    "time_zone": "setup.error.time_zone",
    "opens": "setup.error.moment",
    "closes": "setup.error.moment",
    "count_method": "setup.error.choice",
    "count_fill": "setup.error.choice",
    "tie_break": "setup.error.choice",
    "count_seats": "setup.error.seats",
    "count_exclusive": "setup.error.exclusive",
    "count_min_support": "setup.error.min_support",
}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"[0-9]{1,2}:[0-9]{2}")


@dataclass
class ProcessForm:
    """What the organizer typed (kept to show again) and what it means."""

    typed: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # form field -> catalog key


def zone_of(typed: dict[str, str], default: str) -> str:
    name = typed.get("time_zone", "").strip() or default
    try:
        ZoneInfo(name[:64])
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return default
    return name


def local_moment(day: str, clock: str, zone: str) -> datetime | None:
    """A date and time typed in the process's time zone, in UTC; ValueError if unreadable."""
    day, clock = day.strip(), clock.strip()
    if not day and not clock:
        return None
    if not _DATE.fullmatch(day) or not _TIME.fullmatch(clock):
        raise ValueError("not a date and a time")
    local = datetime.fromisoformat(f"{day}T{clock.zfill(5)}").replace(tzinfo=ZoneInfo(zone))
    try:
        return local.astimezone(UTC)
    except OverflowError:  # the last day of year 9999 in a zone behind UTC
        raise ValueError("out of range") from None


def exclusive_groups(text: str) -> list[list[int]]:
    """ "3, 7" per line (or groups separated by ";"): ballot numbers of which one at most
    is funded."""
    groups = []
    for line in re.split(r"[;\n]", text):
        if not line.strip():
            continue
        numbers = [parse_count(part) for part in re.split(r"[,\s]+", line.strip())]
        if any(n is None for n in numbers):
            raise ValueError("not ballot numbers")
        groups.append(numbers)
    return groups


def form_of(process: Process, languages: list[str]) -> dict[str, str]:
    """A process as its form shows it, in its own time zone."""
    zone = ZoneInfo(process.time_zone)
    typed = {
        "name": process.name,
        "description": process.description,
        "budget": f"{process.budget_cents // 100:,}"
        + (f".{process.budget_cents % 100:02d}" if process.budget_cents % 100 else ""),
        "currency": process.currency,
        "ballot_size": str(process.ballot_size),
        "time_zone": process.time_zone,
        "count_method": process.count_method,
        "count_seats": str(process.count_seats or ""),
        "count_fill": process.count_fill,
        "count_min_support": process.count_min_support,
        "count_exclusive": "\n".join(", ".join(map(str, g)) for g in process.count_exclusive),
        "tie_break": process.tie_break,
    }
    for code in process.languages:
        typed[f"language_{code}"] = "on"
    for code in languages:
        own = (process.translations or {}).get(code, {})
        typed[f"name_{code}"] = own.get("name", "")
        typed[f"description_{code}"] = own.get("description", "")
    for which, at in (("opens", process.voting_opens_at), ("closes", process.voting_closes_at)):
        if at is not None:
            local = at.astimezone(zone)
            typed[f"{which}_date"] = local.strftime("%Y-%m-%d")
            typed[f"{which}_time"] = local.strftime("%H:%M")
    return typed


def read(
    typed: dict[str, str],
    *,
    languages: list[str],
    translated: list[str],
    zone: str,
    translations: dict[str, dict[str, str]] | None = None,
) -> ProcessForm:
    """Every field the form sent, read into schema values (absent fields stay unset).

    `languages`: the checkboxes shown; `translated`: the languages whose name and
    description were shown; `zone`: the process's zone, used when the form's is unusable."""
    form = ProcessForm(typed={k: v[:20_001] for k, v in typed.items()})
    typed, values, problems = form.typed, form.values, form.problems
    for name in ("name", "description", "currency", "time_zone", "count_min_support"):
        if name in typed:
            values[name] = typed[name].strip()
    if "currency" in values:
        values["currency"] = values["currency"].upper()
    for name in ("count_method", "count_fill", "tie_break"):
        if name in typed:
            values[name] = typed[name]
    if typed.get("confirm_window"):  # "Yes, I mean these dates" (after a warning)
        values["confirm_window"] = True
    if "budget" in typed:
        cents = parse_money(typed["budget"])
        if not cents:
            problems["budget"] = PROBLEM["budget"]
        values["budget_cents"] = cents
    if "ballot_size" in typed:
        values["ballot_size"] = parse_count(typed["ballot_size"], max_digits=2) or 0
    if "count_seats" in typed:
        seats = typed["count_seats"].strip()
        values["count_seats"] = parse_count(seats, max_digits=4) if seats else None
        if seats and values["count_seats"] is None:
            problems["count_seats"] = PROBLEM["count_seats"]
    if "count_exclusive" in typed:
        try:
            values["count_exclusive"] = exclusive_groups(typed["count_exclusive"])
        except ValueError:
            problems["count_exclusive"] = PROBLEM["count_exclusive"]
    if typed.get("languages_shown"):
        values["languages"] = [code for code in languages if typed.get(f"language_{code}")]
    own = {code: dict(text) for code, text in (translations or {}).items()}
    translated = [c for c in translated if f"name_{c}" in typed or f"description_{c}" in typed]
    for code in translated:
        name = typed.get(f"name_{code}", "").strip()
        description = typed.get(f"description_{code}", "").strip()
        if name:
            own[code] = {"name": name, "description": description}
        elif description:
            problems[f"name_{code}"] = "setup.error.translation"
        else:
            own.pop(code, None)
    if translated:
        values["translations"] = own
    here = zone_of(typed, zone)
    if values.get("time_zone") and here != values["time_zone"]:
        problems["time_zone"] = PROBLEM["time_zone"]
    for which, key in (("opens", "voting_opens_at"), ("closes", "voting_closes_at")):
        if f"{which}_date" in typed or f"{which}_time" in typed:
            try:
                values[key] = local_moment(
                    typed.get(f"{which}_date", ""), typed.get(f"{which}_time", ""), here
                )
            except ValueError:
                problems[which] = PROBLEM[which]
    opens, closes = values.get("voting_opens_at"), values.get("voting_closes_at")
    if opens and closes and opens >= closes and "closes" not in problems:
        problems["closes"] = "setup.error.window"
    return form


def problems_of(error: ValidationError) -> dict[str, str]:
    """A validator's complaints, as the form's fields and our words."""
    found: dict[str, str] = {}
    for item in error.errors():
        loc = [str(part) for part in item.get("loc", ())]
        if not loc:
            if "count_seats" in str(item.get("msg", "")):
                found.setdefault("count_seats", PROBLEM["count_seats"])
            elif "count_min_support" in str(item.get("msg", "")):
                found.setdefault("count_min_support", PROBLEM["count_min_support"])
            else:
                found.setdefault("closes", "setup.error.window")
            continue
        if loc[0] == "translations" and len(loc) > 1:
            found.setdefault(f"name_{loc[1]}", "setup.error.translation")
            continue
        where = FORM_FIELD.get(loc[0], loc[0])
        if item.get("type") == "window_order":
            found.setdefault(where, "setup.error.window")
            continue
        found.setdefault(where, PROBLEM.get(where, "setup.error.choice"))
    return found


def create_data(form: ProcessForm) -> ProcessCreate | None:
    """The new process, or None with the form's problems filled in."""
    values = {k: v for k, v in form.values.items() if v is not None or k in WINDOW_FIELDS}
    if form.problems:
        return None
    try:
        return ProcessCreate(**values)
    except ValidationError as exc:
        form.problems.update(problems_of(exc))
        return None


def update_data(form: ProcessForm, process: Process, *, rules_open: bool, window_open: bool):
    """The changes to send to update_process, or None with the problems filled in.

    A rule, window or time zone field the phase has fixed is sent only when it differs
    from what is stored, so the service refuses it (rules_frozen) as the API would."""
    if form.problems:
        return None
    changes = {}
    for key, value in form.values.items():
        fixed = (key in RULE_FIELDS and not rules_open) or (
            (key in WINDOW_FIELDS or key == ZONE_FIELD) and not window_open
        )
        if fixed and value == getattr(process, key):
            continue
        changes[key] = value
    try:
        return ProcessUpdate(**changes)
    except ValidationError as exc:
        form.problems.update(problems_of(exc))
        return None
