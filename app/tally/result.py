"""What a count returns, and its JSON form. Exact numbers stay exact: a Fraction that is
not whole is written as the string "p/q"."""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction

Number = int | Fraction


def json_number(value: Number) -> int | str:
    if isinstance(value, Fraction):
        return (
            value.numerator if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
        )
    return int(value)


@dataclass(frozen=True, kw_only=True)
class ProjectLine:
    """One project in the method's order. ``score``: points or approvals for greedy
    methods, the winning tally for irv/stv, total points (utility) for mes."""

    project: str
    cost: int
    score: Number | None
    funded: bool

    def to_dict(self) -> dict[str, object]:
        score = None if self.score is None else json_number(self.score)
        return {"project": self.project, "cost": self.cost, "score": score, "funded": self.funded}


@dataclass(frozen=True, kw_only=True)
class Round:
    """One round of a method with rounds. ``stage`` counts sequential IRV runs (1 otherwise).
    ``tallies`` plus ``exhausted`` always add up to the ballots counted."""

    stage: int
    round: int
    tallies: tuple[tuple[str, Number], ...] = ()
    exhausted: Number = 0
    elected: str | None = None
    eliminated: str | None = None
    transfers: tuple[tuple[str, Number], ...] = ()
    price: Fraction | None = None
    # mes: the ballots that paid for the project elected this round.
    supporters: int | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"stage": self.stage, "round": self.round}
        if self.tallies:
            out["tallies"] = {p: json_number(v) for p, v in self.tallies}
            out["exhausted"] = json_number(self.exhausted)
        if self.elected is not None:
            out["elected"] = self.elected
        if self.eliminated is not None:
            out["eliminated"] = self.eliminated
        if self.transfers:
            out["transfers"] = {p: json_number(v) for p, v in self.transfers}
        if self.price is not None:
            out["price_per_point"] = json_number(self.price)
        if self.supporters is not None:
            out["supporters"] = self.supporters
        return out


@dataclass(frozen=True, kw_only=True)
class TieBreakUse:
    """A decision the tie-break rule made: among ``tied`` (equal on the method's measure),
    ``chosen`` was funded/elected first or eliminated."""

    stage: int
    round: int
    decision: str
    tied: tuple[str, ...]
    chosen: str

    def to_dict(self) -> dict[str, object]:
        return {
            "stage": self.stage,
            "round": self.round,
            "decision": self.decision,
            "tied": list(self.tied),
            "chosen": self.chosen,
        }


@dataclass(frozen=True, kw_only=True)
class TallyResult:
    rules: dict[str, object]
    ballots_counted: int
    blank_ballots: int
    ballots_by_channel: tuple[tuple[str, int], ...]
    projects: tuple[ProjectLine, ...]
    selected: tuple[str, ...]
    budget_used: int
    budget_left: int
    rounds: tuple[Round, ...] = ()
    tie_breaks: tuple[TieBreakUse, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def method(self) -> str:
        return str(self.rules["method"])

    def to_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "rules": self.rules,
            "ballots_counted": self.ballots_counted,
            "blank_ballots": self.blank_ballots,
            "ballots_by_channel": dict(self.ballots_by_channel),
            "selected": list(self.selected),
            "budget_used": self.budget_used,
            "budget_left": self.budget_left,
            "projects": [line.to_dict() for line in self.projects],
            "rounds": [r.to_dict() for r in self.rounds],
            "tie_breaks": [t.to_dict() for t in self.tie_breaks],
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
