"""Read a pabulib ``.pb`` file: META, PROJECTS and VOTES sections, ``;``-separated."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from app.tally.errors import TallyError

SECTIONS = ("meta", "projects", "votes")
VOTE_TYPES = ("ordinal", "approval")


class PabulibError(TallyError):
    """A malformed file; the message names the file and line."""


@dataclass(frozen=True, kw_only=True)
class PabulibElection:
    meta: dict[str, str]
    costs: dict[str, int]
    budget: int
    vote_type: str
    ballot_size: int
    ballots: Counter  # Counter[(ranking, channel)]; channel from the voting_method column
    official_selected: tuple[str, ...]  # projects marked selected=1, in file order


def read_pabulib(path: str | Path) -> PabulibElection:
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            sections = _read_sections(csv.reader(handle, delimiter=";", quotechar='"'), path)
    except OSError as exc:
        raise PabulibError(f"{path}: cannot read: {exc.strerror}") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise PabulibError(f"{path}: not a UTF-8 pabulib file: {exc}") from exc
    for name in SECTIONS:
        if name not in sections:
            raise PabulibError(f"{path}: no {name.upper()} section")
    meta = {row[0]: row[1] if len(row) > 1 else "" for _, row in sections["meta"][1]}
    vote_type = meta.get("vote_type", "")
    if vote_type not in VOTE_TYPES:
        raise PabulibError(f"{path}: vote_type {vote_type!r} is not supported; use ordinal or approval")
    costs, selected = _projects(sections["projects"], path)
    ballots = _votes(sections["votes"], costs, path)
    longest = max((len(r) for r, _ in ballots), default=1)
    return PabulibElection(
        meta=meta, costs=costs, budget=_money(meta.get("budget", ""), "budget", path, None),
        vote_type=vote_type, ballots=ballots, official_selected=selected,
        ballot_size=max(longest, int(meta.get("max_length", "0") or 0), 1),
    )


def _read_sections(reader, path: Path) -> dict[str, tuple[list[str], list]]:
    sections: dict[str, tuple[list[str], list]] = {}
    current = None
    for row in reader:
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) == 1 and row[0].strip().lower() in SECTIONS:
            current = row[0].strip().lower()
            sections[current] = ([], [])
            continue
        if current is None:
            raise PabulibError(f"{path}:{reader.line_num}: expected META, PROJECTS or VOTES first")
        header, rows = sections[current]
        if not header:
            header.extend(cell.strip() for cell in row)
        else:
            if len(row) != len(header):
                raise PabulibError(
                    f"{path}:{reader.line_num}: {len(row)} fields, but the {current.upper()} "
                    f"header has {len(header)}"
                )
            rows.append((reader.line_num, row))
    return sections


def _column(header: list[str], name: str, section: str, path: Path) -> int:
    if name not in header:
        raise PabulibError(f"{path}: the {section} header has no {name!r} column")
    return header.index(name)


def _money(text: str, what: str, path: Path, line: int | None) -> int:
    where = f"{path}:{line}" if line else str(path)
    try:
        value = float(text) if "." in text else int(text)
    except ValueError:
        raise PabulibError(f"{where}: {what} {text!r} is not a number") from None
    if value != int(value) or value <= 0:
        raise PabulibError(f"{where}: {what} {text!r} must be a positive whole number")
    return int(value)


def _projects(section, path: Path) -> tuple[dict[str, int], tuple[str, ...]]:
    header, rows = section
    id_col = _column(header, "project_id", "PROJECTS", path)
    cost_col = _column(header, "cost", "PROJECTS", path)
    sel_col = header.index("selected") if "selected" in header else None
    costs: dict[str, int] = {}
    selected = []
    for line, row in rows:
        project = row[id_col].strip()
        if not project or project in costs:
            raise PabulibError(f"{path}:{line}: project id {project!r} is empty or repeated")
        costs[project] = _money(row[cost_col].strip(), f"cost of project {project}", path, line)
        if sel_col is not None and row[sel_col].strip() == "1":
            selected.append(project)
    return costs, tuple(selected)


def _votes(section, costs: dict[str, int], path: Path) -> Counter:
    header, rows = section
    vote_col = _column(header, "vote", "VOTES", path)
    channel_col = header.index("voting_method") if "voting_method" in header else None
    ballots: Counter = Counter()
    for line, row in rows:
        ranking = tuple(p.strip() for p in row[vote_col].split(",") if p.strip())
        for project in ranking:
            if project not in costs:
                raise PabulibError(f"{path}:{line}: vote names project {project!r}, not in PROJECTS")
        if len(set(ranking)) != len(ranking):
            raise PabulibError(f"{path}:{line}: vote lists a project twice")
        channel = row[channel_col].strip() or None if channel_col is not None else None
        ballots[(ranking, channel)] += 1
    return ballots
