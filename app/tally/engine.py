"""The one entry point: ballots + rules -> result."""

from __future__ import annotations

from app.tally.ballots import BallotBox, BallotInput, check_box, group_ballots
from app.tally.greedy import count_greedy
from app.tally.irv import count_irv
from app.tally.mes import count_mes
from app.tally.outcome import MethodOutcome, Preference
from app.tally.result import ProjectLine, TallyResult
from app.tally.rules import Rules, exclusive_rivals
from app.tally.stv import count_stv
from app.tally.support import Barred, barred


def tally(*, ballots: BallotInput | BallotBox, rules: Rules) -> TallyResult:
    """Count ``ballots`` — ``Counter[(ranking, channel)]``, pairs, or a BallotBox made by
    ``group_ballots`` for these rules — and fund the winners within ``rules.budget``."""
    if isinstance(ballots, BallotBox):
        check_box(ballots, rules)
        box = ballots
    else:
        box = group_ballots(ballots, rules=rules)
    preference = Preference.build(projects=box.projects, order=rules.tie_break.order(box.projects))
    out = barred(box=box, rules=rules)
    outcome = _count(box=box, rules=rules, preference=preference, out=out)
    return _fund(box=box, rules=rules, outcome=outcome, out=out)


def _count(*, box: BallotBox, rules: Rules, preference: Preference, out: Barred) -> MethodOutcome:
    method = rules.method
    if method in ("borda", "points"):
        return count_greedy(box=box, points=rules.rank_points(), preference=preference)
    if method == "approval":
        return count_greedy(box=box, points=(1,) * rules.ballot_size, preference=preference)
    if method == "irv":
        return count_irv(box=box, rules=rules, preference=preference)
    if method == "stv":
        return count_stv(box=box, seats=rules.seats or 0, preference=preference)
    return count_mes(box=box, rules=rules, preference=preference, barred=out.all)


def _fund(*, box: BallotBox, rules: Rules, outcome: MethodOutcome, out: Barred) -> TallyResult:
    costs = [rules.costs[p] for p in box.projects]
    left = rules.budget
    funded: list[int] = []
    excluded: set[int] = set(out.all)  # never funded, and no reason to stop at them
    rivals = exclusive_rivals(box.projects, rules.exclusive)
    for index in outcome.fundable:
        if index in excluded:
            continue
        if costs[index] > left:
            if rules.fill == "stop":
                break
            continue  # skip: smaller projects further down may still fit
        funded.append(index)
        left -= costs[index]
        excluded |= rivals.get(index, set())
    funded_set = set(funded)
    lines = tuple(
        ProjectLine(
            project=box.projects[i],
            cost=costs[i],
            score=outcome.scores.get(i),
            funded=i in funded_set,
        )
        for i in outcome.order
    )
    return TallyResult(
        rules=rules.summary(),
        ballots_counted=box.total,
        blank_ballots=box.blank,
        ballots_by_channel=box.by_channel,
        projects=lines,
        selected=tuple(box.projects[i] for i in funded),
        budget_used=rules.budget - left,
        budget_left=left,
        rounds=tuple(outcome.rounds),
        tie_breaks=tuple(outcome.tie_breaks),
        notes=(*outcome.notes, *out.notes(box, rules)),
    )
