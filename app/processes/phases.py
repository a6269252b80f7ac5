"""The phase state machine of a PB process, with its guards.

design -> idea_collection -> proposal_development -> voting -> funding -> closed.
One step forward at a time. A guard looks at the process before it enters a phase
and returns a reason to refuse (a sentence the organizer can act on) or None.
Other domains register their guards here with `@guard(Phase.x)`; modules that do are
imported by app.main, so every guard is in place before the first request.
"""

import secrets
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from app.processes.models import Process
from app.web.i18n import format_moment


class Phase(StrEnum):
    design = "design"
    idea_collection = "idea_collection"
    proposal_development = "proposal_development"
    voting = "voting"
    funding = "funding"
    closed = "closed"


ORDER: tuple[Phase, ...] = tuple(Phase)

Guard = Callable[[Session, Process, datetime], str | None]
OnEnter = Callable[[Session, Process, datetime], None]

GUARDS: dict[Phase, list[Guard]] = {phase: [] for phase in Phase}
ON_ENTER: dict[Phase, list[OnEnter]] = {phase: [] for phase in Phase}


class Waiting(str):
    """A guard's reason: an English sentence (what the API says), which also carries the
    catalog key and values a page says it with in the reader's language."""

    key: str
    values: dict[str, object]

    def __new__(cls, text: str, key: str, **values: object) -> "Waiting":
        reason = super().__new__(cls, text)
        reason.key, reason.values = key, values
        return reason


def local_time(process: Process, when: datetime) -> str:
    """A moment as an English message says it: in the process's own time zone, named."""
    return f"{format_moment('en', when, process.time_zone)} ({process.time_zone})"


def guard(to: Phase) -> Callable[[Guard], Guard]:
    def register(fn: Guard) -> Guard:
        GUARDS[to].append(fn)
        return fn

    return register


def on_enter(to: Phase) -> Callable[[OnEnter], OnEnter]:
    def register(fn: OnEnter) -> OnEnter:
        ON_ENTER[to].append(fn)
        return fn

    return register


def next_phase(phase: Phase) -> Phase | None:
    index = ORDER.index(phase)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def step_problem(current: Phase, to: Phase) -> str | None:
    """Why a move from `current` to `to` is not a single step forward, or None."""
    if current == Phase.closed:
        return "The process is closed: it is a read-only archive and cannot change phase."
    if to == current:
        return f"The process is already in {current.value}."
    following = next_phase(current)
    if to == following:
        return None
    if ORDER.index(to) < ORDER.index(current):
        return (
            f"Phases only move forward: {current.value} cannot go back to {to.value}. "
            f"The next phase is {following.value}."
        )
    return (
        f"Phases move one step at a time: from {current.value} the next phase is "
        f"{following.value}, not {to.value}."
    )


def guard_problems(session: Session, process: Process, to: Phase, now: datetime) -> list[str]:
    return [reason for check in GUARDS[to] if (reason := check(session, process, now))]


@guard(Phase.voting)
def _window_not_over(_: Session, process: Process, now: datetime) -> str | None:
    if process.voting_closes_at and process.voting_closes_at <= now:
        return Waiting(
            f"The voting window closed at {local_time(process, process.voting_closes_at)}; "
            "set a later voting_closes_at before opening the vote.",
            "guard.window_closed",
            when=process.voting_closes_at,
        )
    return None


@guard(Phase.funding)
def _window_over(_: Session, process: Process, now: datetime) -> str | None:
    if process.voting_closes_at and process.voting_closes_at > now:
        return Waiting(
            f"Voting is open until {local_time(process, process.voting_closes_at)}; "
            "funding can start once the voting window is over.",
            "guard.window_open",
            when=process.voting_closes_at,
        )
    return None


@on_enter(Phase.voting)
def _draw_tie_break_seed(_: Session, process: Process, __: datetime) -> None:
    # Fixed when voting opens, before any ballot exists, and published with the result.
    process.tie_break_seed = secrets.token_hex(16)
