"""Recount irv and stv with pyrankvote and explain any difference.

pyrankvote is an independent implementation but not a correct one in every case; the
faults that can make it differ from a correct count are listed in KNOWN_FAULTS.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from app.tally.engine import tally
from app.tally.result import TallyResult
from app.tally.rules import Rules

KNOWN_FAULTS = {
    "batch": "pyrankvote eliminates several candidates in one round when their combined votes "
    "do not exceed the next candidate's, and the set need not be the lowest ones (it can drop "
    "a 30-vote candidate and keep a 20-vote one); one elimination per round is the rule here",
    "average": "pyrankvote's STV transfers a surplus as an equal share per ballot, ignoring "
    "each ballot's current weight, so ballots of different weight are averaged",
    "quota": "pyrankvote's STV quota is votes / (seats + 1) as a float, not the Droop "
    "floor(valid / (seats + 1)) + 1, and it elects every candidate over quota at once",
    "ties": "pyrankvote breaks equal tallies by second-choice votes and then at random "
    "(unseeded), not by the published tie-break",
    "majority": "pyrankvote's IRV accepts exactly half of the active ballots as a majority",
}


@dataclass(frozen=True, kw_only=True)
class CrossCheck:
    method: str
    ours: tuple[str, ...]
    theirs: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def agrees(self) -> bool:
        return self.ours == self.theirs

    def describe(self) -> str:
        head = f"{self.method}: ours {list(self.ours)}, pyrankvote {list(self.theirs)}"
        if self.agrees:
            return f"{head}: agree"
        why = "; ".join(self.reasons) or "no known cause found: please report"
        return f"{head}: DIFFER. Likely because {why}"


def cross_check(*, ballots: Counter, rules: Rules, seats: int) -> list[CrossCheck]:
    """Compare our IRV winner and STV winners (as sets, in election order) with pyrankvote's."""
    irv_rules = _with(rules, method="irv", seats=None)
    stv_rules = _with(rules, method="stv", seats=seats)
    ours_irv = tally(ballots=ballots, rules=irv_rules)
    ours_stv = tally(ballots=ballots, rules=stv_rules)
    theirs_irv, irv_rounds = _pyrankvote(ballots, sorted(rules.costs), None)
    theirs_stv, stv_rounds = _pyrankvote(ballots, sorted(rules.costs), seats)
    irv_winner = (ours_irv.projects[0].project,)
    stv_winners = tuple(line.project for line in ours_stv.projects[:seats])
    return [
        CrossCheck(
            method="irv (first winner)",
            ours=irv_winner,
            theirs=tuple(theirs_irv),
            reasons=_reasons(ours_irv, irv_rounds, stv=False),
        ),
        CrossCheck(
            method=f"stv ({seats} seats, as a set)",
            ours=tuple(sorted(stv_winners)),
            theirs=tuple(sorted(theirs_stv)),
            reasons=_reasons(ours_stv, stv_rounds, stv=True),
        ),
    ]


def _with(rules: Rules, **changes) -> Rules:
    fields = {
        f: getattr(rules, f)
        for f in (
            "budget",
            "costs",
            "tie_break",
            "method",
            "ballot_size",
            "points",
            "seats",
            "ballot_kind",
        )
    }
    fields.update(changes)
    fields["points"] = None
    return Rules(**fields)


def _pyrankvote(ballots: Counter, candidates: list[str], seats: int | None):
    import pyrankvote
    from pyrankvote import Ballot, Candidate

    people = {c: Candidate(c) for c in candidates}
    papers = [
        Ballot(ranked_candidates=[people[p] for p in ranking])
        for (ranking, _channel), n in sorted(ballots.items(), key=repr)
        for _ in range(n)
    ]
    if seats is None:
        result = pyrankvote.instant_runoff_voting(list(people.values()), papers)
    else:
        result = pyrankvote.single_transferable_vote(list(people.values()), papers, seats)
    return [c.name for c in result.get_winners()], result.rounds


def _reasons(ours: TallyResult, their_rounds, *, stv: bool) -> tuple[str, ...]:
    reasons = []
    if _batch_eliminations(their_rounds):
        reasons.append(KNOWN_FAULTS["batch"])
    if stv:
        reasons += [KNOWN_FAULTS["average"], KNOWN_FAULTS["quota"]]
    if ours.tie_breaks or _their_ties(their_rounds):
        reasons.append(KNOWN_FAULTS["ties"])
    if not stv:
        reasons.append(KNOWN_FAULTS["majority"])
    return tuple(reasons)


def _batch_eliminations(rounds) -> bool:
    seen: set[str] = set()
    for round_ in rounds:
        rejected = {r.candidate.name for r in round_.candidate_results if r.status == "Rejected"}
        hopeful_left = any(r.status == "Hopeful" for r in round_.candidate_results)
        if len(rejected - seen) > 1 and hopeful_left:
            return True
        seen |= rejected
    return False


def _their_ties(rounds) -> bool:
    for round_ in rounds:
        votes = [
            round(r.number_of_votes, 6) for r in round_.candidate_results if r.status == "Hopeful"
        ]
        if len(set(votes)) < len(votes):
            return True
    return False
