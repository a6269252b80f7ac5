"""The phase state machine of a PB process: its guards, which phases allow what, and the one
way to read a process for a change.

design -> idea_collection -> proposal_development -> voting -> funding -> closed.
One step forward at a time. A guard looks at the process before it enters a phase
and returns a reason to refuse (a sentence the organizer can act on) or None.
Other domains register their guards here with `@guard(Phase.x)`; modules that do are
imported by app.main, so every guard is in place before the first request.

Which phases allow what is said once, below, as `PhaseRule`s; a service that changes
something bound to a phase reads its process with `process_for_change(..., allowed=RULE)`:
locked and re-read, then checked, so a phase change committed by someone else a moment
before is seen, and one committed after waits for this transaction.
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from app.db import hold, read_for_change
from app.errors import Conflict, NotFound
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


@dataclass(frozen=True)
class PhaseRule:
    """The phases in which something may be done, and how a refusal says so.

    `doing` completes "… only while the process is in …" ("Ideas are shared"). `code` is the
    refusal's error code; `code_after` replaces it once the process is past every allowed
    phase (the rules are *frozen*, not merely early)."""

    phases: frozenset[Phase]
    doing: str
    code: str = "wrong_phase"
    code_after: str | None = None
    why: str = ""
    why_after: str = ""  # said instead of `why` once the process is past every allowed phase

    def allows(self, phase: str | Phase) -> bool:
        return Phase(phase) in self.phases

    def refusal(self, process: Process, *, action: str | None, target: str | None) -> Conflict:
        names = " or ".join(p.value for p in ORDER if p in self.phases)
        past = ORDER.index(Phase(process.phase)) > max(ORDER.index(p) for p in self.phases)
        if process.phase == Phase.closed:
            message = "The process is closed: it is a read-only archive."
        else:
            message = (
                f"{self.doing} only while the process is in {names}; it is in {process.phase}."
            )
        why = self.why_after if past and self.why_after else self.why
        return Conflict(
            f"{message} {why}".strip(),
            code=(self.code_after if past and self.code_after else self.code),
            audit=(action, target or f"process:{process.id}") if action else None,
        )

    def require(self, process: Process, *, action: str | None, target: str | None = None) -> None:
        """Refuse (409, audited as `action` on `target`) unless the process's phase allows it.
        On a process read with `process_for_change`, so the answer holds until commit."""
        if not self.allows(process.phase):
            raise self.refusal(process, action=action, target=target)


def _phases(*phases: Phase) -> frozenset[Phase]:
    return frozenset(phases)


_BEFORE_VOTING = _phases(Phase.design, Phase.idea_collection, Phase.proposal_development)
_UNTIL_VOTING_ENDS = _BEFORE_VOTING | {Phase.voting}
_COUNTED = _phases(Phase.funding, Phase.closed)
_NOT_CLOSED = frozenset(ORDER) - {Phase.closed}

# --- which phases allow what: the one table ----------------------------------------------
# Set-up: the rules residents vote under are published with the vote.
PROCESS_RULES = PhaseRule(
    _phases(Phase.design),
    "The voting rules (budget, ballot size, languages, count) can change",
    code="rules_frozen",
)
VOTING_WINDOW_SET = PhaseRule(_BEFORE_VOTING, "The voting window is set here", code="rules_frozen")
TIME_ZONE = PhaseRule(
    _BEFORE_VOTING,
    "The time zone can change",
    code="rules_frozen",
    why="Residents read every date of the vote in it.",
)
PROCESS_EDIT = PhaseRule(_NOT_CLOSED, "A process can change", code="process_closed")
CRITERIA = PhaseRule(_phases(Phase.design), "Criteria can change")
VOTING_RULES = PhaseRule(_phases(Phase.design), "Voting rules can change", code="rules_frozen")
PAPER_RULES = PhaseRule(
    _phases(Phase.design),
    "The paper interpretation rules can change",
    code="rules_frozen",
    why="They are published with the vote.",
)
SITES = PhaseRule(_NOT_CLOSED, "Sites can be added or changed")
VOTING_SITES = PhaseRule(_UNTIL_VOTING_ENDS, "Voting sites can be added or changed")
STAFFING = PhaseRule(_UNTIL_VOTING_ENDS, "Poll workers are assigned")
ACCESS_CODES = PhaseRule(_UNTIL_VOTING_ENDS, "Access codes are made or withdrawn")
KIOSK_TICKET_LENGTH = PhaseRule(_UNTIL_VOTING_ENDS, "The kiosk ticket's length can change")
IDEA_RATE_LIMIT = PhaseRule(_NOT_CLOSED, "The limit on online ideas can be changed")
POPULATION = PhaseRule(_NOT_CLOSED, "The reference population can change")
SURVEY_QUESTIONS = PhaseRule(
    _UNTIL_VOTING_ENDS, "The survey's questions can change", why="They are asked while voting."
)
# Ideas and proposals.
IDEA_SHARING = PhaseRule(_phases(Phase.idea_collection), "Ideas can be shared")
IDEA_MODERATION = PhaseRule(
    _phases(Phase.idea_collection, Phase.proposal_development),
    "Ideas can be hidden, merged or shown again",
)
IDEA_SCORING = PhaseRule(_phases(Phase.proposal_development), "Delegates score ideas")
PROPOSAL_WRITING = PhaseRule(
    _phases(Phase.proposal_development),
    "Proposals are written, edited, sent, approved or returned",
    code_after="ballot_frozen",
    why_after="The ballot and its costs are fixed once voting opens.",
)
# Voting.
VOTING = PhaseRule(_phases(Phase.voting), "Voting is open")
VOTING_WINDOW_CHANGE = PhaseRule(
    _phases(Phase.voting),
    "The voting window can be extended or shortened",
    why_after="Voting is over and counted: its window cannot reopen.",
)
PAPER_ENTRY = PhaseRule(_phases(Phase.voting), "Paper ballots are entered")
SURVEY = PhaseRule(_phases(Phase.voting), "The survey is open", code="survey_closed")
ARCHIVING = PhaseRule(
    frozenset(ORDER) - {Phase.voting},
    "A process can be archived",
    why="End the voting window, then move it to funding first.",
)
# Counting and funding.
COUNTING = PhaseRule(_phases(Phase.voting) | _COUNTED, "There is a count")
AWARDS = PhaseRule(_COUNTED, "Awards are recorded")
RESULT_PUBLISHING = PhaseRule(
    _COUNTED,
    "The official result is published",
    why="It is counted when the process enters funding.",
)
# What the public sees (pages ask `allows`; nothing is refused with these).
IDEAS_PUBLISHED = PhaseRule(frozenset(ORDER) - {Phase.design}, "The idea board is public")
BALLOT_PUBLISHED = PhaseRule(
    _phases(Phase.voting, Phase.funding, Phase.closed), "The ballot is public"
)
RESULTS_PUBLISHED = PhaseRule(_COUNTED, "The results are public")


def get_process(*, session: Session, process_id: int) -> Process:
    """The process as this session has it (404 if there is none): for reading and showing.
    A change bound to the process's phase or rules reads it with `process_for_change`."""
    process = session.get(Process, process_id)
    if process is None:
        raise NotFound(f"There is no PB process {process_id}.", field="process_id")
    return process


# The advisory lock space of processes on PostgreSQL ("pb"): (PROCESS_LOCKS, process id).
PROCESS_LOCKS = 0x7062


def process_for_change(
    *,
    session: Session,
    process_id: int,
    allowed: PhaseRule | None = None,
    action: str | None = None,
    target: str | None = None,
    shared: bool = False,
) -> Process:
    """The process read for a change: held until commit and re-read, then, with `allowed`,
    refused unless its phase allows the change.

    `shared` (a ballot, a check-in, a paper sheet, a survey answer, new access codes) lets
    many such changes run at once; a change of the process itself (a phase, the window, its
    rules) holds it alone. Both wait in turn (app.db `hold`): an organizer ending voting
    waits only for the casts already under way, and every cast after that sees it."""
    hold(session, PROCESS_LOCKS, process_id, shared=shared)
    process = read_for_change(session, Process, process_id, locked_by_caller=shared)
    if process is None:
        raise NotFound(f"There is no PB process {process_id}.", field="process_id")
    if allowed is not None:
        allowed.require(process, action=action, target=target)
    return process


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


class VotingState(StrEnum):
    """Where a process stands with its vote, as residents see it: `before` (not yet in
    voting, or in voting before its window opens), `open`, `ended` (past its window, or
    past voting)."""

    before = "before"
    open = "open"
    ended = "ended"


def voting_state(process: Process, now: datetime) -> VotingState:
    phase = Phase(process.phase)
    opens, closes = process.voting_opens_at, process.voting_closes_at
    if ORDER.index(phase) < ORDER.index(Phase.voting) or (
        phase == Phase.voting and opens is not None and now < opens
    ):
        return VotingState.before
    if phase != Phase.voting or (closes is not None and now >= closes):
        return VotingState.ended
    return VotingState.open


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


# What a move may go ahead with once an organizer has acknowledged it in a written note
# (the count's differences before funding): not a guard, which waits for something to be
# done, but a fact the record must carry. Each check returns one `Waiting` per difference.
Differences = Callable[[Session, Process], list[Waiting]]
ACKNOWLEDGE: dict[Phase, list[Differences]] = {phase: [] for phase in Phase}


def acknowledge(to: Phase) -> Callable[[Differences], Differences]:
    def register(fn: Differences) -> Differences:
        ACKNOWLEDGE[to].append(fn)
        return fn

    return register


def differences(session: Session, process: Process, to: Phase) -> list[Waiting]:
    """What a move to `to` must be acknowledged with a note for (none: no note needed)."""
    return [found for check in ACKNOWLEDGE[to] for found in check(session, process)]


def differences_key(found: list[str]) -> str:
    """A short fingerprint of the differences a page showed: the move refuses a note
    written for other numbers."""
    return hashlib.sha256("\n".join(found).encode()).hexdigest()[:16]


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
