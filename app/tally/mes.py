"""The Method of Equal Shares, exact, as pabutools' ``method_of_equal_shares`` computes it.

Every ballot starts with budget / ballots. A project is affordable when its supporters
can pay its cost; each pays min(own budget, rho * utility), and the project with the
smallest rho is funded (ties: tie-break). Utility is the rank points (ranked ballots) or
the project's cost (approval data, the equalshares.net convention).

Completion (``rules.completion``): rerun with more money per voter, 1 unit at a time, and
keep the last outcome that fits the real budget. ``add1`` is pabulib's ``equalshares/add1``
as equalshares.net describes it: from the share rounded down to a whole unit, +1, +2, ...
until the next outcome would overshoot the budget. ``add1-pabutools`` is pabutools'
``voter_budget_increment=1``: from the exact share, and it also stops at the first outcome
where no supported project left fits. Only ``add1`` reproduces Wieliczka 2023.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from app.tally.ballots import BallotBox
from app.tally.greedy import score_projects
from app.tally.outcome import MethodOutcome, Preference
from app.tally.result import Round, TieBreakUse, json_number
from app.tally.rules import Rules, exclusive_rivals

# One MES run: funded project indices in order, their rounds, the tie-breaks used.
_Run = tuple[list[int], list[Round], list[TieBreakUse]]


@dataclass(frozen=True, kw_only=True)
class _Setup:
    box: BallotBox
    costs: list[int]
    column_utility: tuple[int, ...] | None  # ranked: utility by rank; None: utility = cost
    supported: list[int]
    totals: list[int]
    preference: Preference
    rivals: dict[int, set[int]]  # exclusive groups: who drops out once a project is funded

    def utility(self, project: int, column: int) -> int:
        if self.column_utility is None:
            return self.costs[project]
        return self.column_utility[column]


def count_mes(
    *, box: BallotBox, rules: Rules, preference: Preference, barred: frozenset[int] = frozenset()
) -> MethodOutcome:
    """``barred``: projects left out of the count (below the minimum support, cost 0)."""
    costs = [rules.costs[p] for p in box.projects]
    ranked = rules.ballot_kind != "approval"  # utility by column: rank or given points
    points = rules.rank_points() if ranked else (1,) * rules.ballot_size
    # Total utility: points for ranked ballots, approvals x cost for approval data.
    support = score_projects(box=box, points=points)
    totals = [int(support[i]) * (1 if ranked else costs[i]) for i in range(len(costs))]
    setup = _Setup(
        box=box,
        costs=costs,
        column_utility=points if ranked else None,
        # Supported: on some ballot (a project of cost 0 has no cost utility, but may be
        # funded when barred does not hold it: --zero-cost fund).
        supported=[i for i in range(len(costs)) if support[i] > 0 and i not in barred],
        totals=totals,
        preference=preference,
        rivals=exclusive_rivals(box.projects, rules.exclusive),
    )
    per_voter = Fraction(rules.budget, box.total)
    chosen, rounds, uses = _equal_shares(setup, per_voter)
    notes = []
    if rules.completion != "none":
        (chosen, rounds, uses), note = _complete(setup, rules, (chosen, rounds, uses))
        notes.append(note)
    rest = sorted(
        set(range(len(costs))) - set(chosen), key=lambda i: (-totals[i], preference.rank[i])
    )
    return MethodOutcome(
        order=[*chosen, *rest],
        fundable=list(chosen),
        scores={i: totals[i] for i in range(len(costs))},
        rounds=rounds,
        tie_breaks=uses,
        notes=notes,
    )


def _complete(setup: _Setup, rules: Rules, first: _Run) -> tuple[_Run, str]:
    pabutools = rules.completion == "add1-pabutools"
    per_voter = Fraction(rules.budget, setup.box.total)
    unit = rules.money_unit
    # equalshares.net's reference code restarts from a whole unit per voter.
    start = per_voter if pabutools else Fraction(rules.budget // (setup.box.total * unit) * unit)
    run, steps = _add_one(setup, rules.budget, (start, unit), first, pabutools=pabutools)
    final = start + steps * unit if steps else per_voter
    return run, (
        f"{rules.completion}: {steps} increments of {unit} per voter from "
        f"{json_number(start)}; final per-voter budget {json_number(final)}"
    )


def _add_one(
    setup: _Setup, budget: int, start: tuple[Fraction, int], first: _Run, *, pabutools: bool
):
    """Rerun with ``start + 1``, ``start + 2``, ... per voter until the next outcome would
    overshoot the budget (then keep the one before). pabutools also stops as soon as the
    outcome is exhaustive; equalshares/add1 goes on, since more money can still reshuffle
    the outcome into one that spends more (Wieliczka 2023: 31 projects at 302 per voter,
    the official 30 at 315). Every supported project funded ends both: nothing can change."""
    (begin, unit), current, steps = start, first, 0
    while not _exhaustive(setup, budget, current[0], everything=not pabutools):
        following = _equal_shares(setup, begin + (steps + 1) * unit)
        if sum(setup.costs[i] for i in following[0]) > budget:
            break
        current, steps = following, steps + 1
    return current, steps


def _exhaustive(setup: _Setup, budget: int, chosen: list[int], *, everything: bool) -> bool:
    """No supported project left that fits (``everything``: no supported project left)."""
    # Only supported projects: MES never funds the others, so waiting for them never ends.
    left = budget - sum(setup.costs[i] for i in chosen)
    out = set(chosen).union(*(setup.rivals.get(i, set()) for i in chosen))
    missing = [i for i in setup.supported if i not in out]
    return not missing if everything else all(setup.costs[i] > left for i in missing)


def _equal_shares(setup: _Setup, per_voter: Fraction) -> _Run:
    box = setup.box
    budgets = _Budgets(len(box.counts), per_voter)
    remaining = set(setup.supported)
    # rho only grows as budgets shrink, so the last one computed bounds it from below.
    lower_bound = {
        i: Fraction(setup.costs[i], setup.totals[i]) if setup.costs[i] else Fraction(0)
        for i in remaining
    }
    chosen: list[int] = []
    rounds: list[Round] = []
    uses: list[TieBreakUse] = []
    while remaining:
        tables = budgets.tables(box, len(setup.costs), by_column=setup.column_utility is not None)
        best: Fraction | None = None
        tied: list[int] = []
        for project in sorted(remaining, key=lambda i: lower_bound[i]):
            # Checked before affordability (pabutools checks after): a project that
            # cannot be afforded now never can be, so dropping it later changes nothing.
            if best is not None and lower_bound[project] > best:
                break
            if setup.costs[project] == 0:  # free: no one pays anything
                rho = Fraction(0)
            else:
                entries, rough = _entries(setup, tables, budgets, project)
                if not _can_afford(entries, rough, setup.costs[project]):
                    remaining.discard(project)
                    continue
                rho = _price(entries, setup.costs[project])
            lower_bound[project] = rho
            if best is None or rho < best:
                best, tied = rho, [project]
            elif rho == best:
                tied.append(project)
        if best is None:
            break
        winner = setup.preference.best(tied)
        if len(tied) > 1:
            names = setup.preference.names(setup.preference.by_preference(tied))
            uses.append(
                TieBreakUse(
                    stage=1,
                    round=len(chosen) + 1,
                    decision="fund",
                    tied=names,
                    chosen=box.projects[winner],
                )
            )
        supporters = budgets.pay(setup, winner, best)
        remaining.discard(winner)
        remaining -= setup.rivals.get(winner, set())
        chosen.append(winner)
        rounds.append(
            Round(
                stage=1,
                round=len(chosen),
                elected=box.projects[winner],
                price=best,
                supporters=supporters,
            )
        )
    return chosen, rounds, uses


def _entries(setup: _Setup, tables, budgets: _Budgets, project: int):
    """(budget, utility, ballots) for every group of supporters with money left, in
    increasing budget / utility, and roughly how much money they hold. Voters with
    nothing left can never pay, so they are left out of the list and the utility total."""
    classes, utilities, ballots = [], [], []
    for column, table in enumerate(tables):
        held = np.flatnonzero(table[project] * budgets.positive)
        classes.append(held)
        utilities.append(np.full(len(held), setup.utility(project, column), dtype=np.int64))
        ballots.append(table[project, held])
    cls, utility, n = (np.concatenate(parts) for parts in (classes, utilities, ballots))
    approx = budgets.approx_array[cls]
    ratio = approx / utility
    order = np.argsort(ratio, kind="stable")
    cls, utility, n, ratio = cls[order], utility[order], n[order], ratio[order]
    values = budgets.values
    entries = [
        (values[c], u, k)
        for c, u, k in zip(cls.tolist(), utility.tolist(), n.tolist(), strict=True)
    ]
    return _exact_order(entries, ratio), float(np.dot(n, approx[order]))


def _exact_order(entries, ratio: np.ndarray):
    """Sorting by float is fast; where neighbours are too close for floats to tell them
    apart, re-sort that run exactly, so the order is the exact one."""
    close = np.flatnonzero(np.diff(ratio) <= 1e-9 * np.abs(ratio[1:]))
    if not len(close):
        return entries
    out, start = [], 0
    close_set = set((close + 1).tolist())
    for i in range(1, len(entries) + 1):
        if i == len(entries) or i not in close_set:
            run = entries[start:i]
            if len(run) > 1:
                run.sort(key=lambda e: e[0] / e[1])
            out += run
            start = i
    return out


def _can_afford(entries, rough: float, cost: int) -> bool:
    if abs(rough - cost) > 1e-6 * cost:  # floats decide unless it is close
        return rough > cost
    return sum(n * b for b, _, n in entries) >= cost


def _price(entries, cost: int) -> Fraction:
    """Smallest rho with sum(min(budget, rho * utility)) = cost (pabutools' inner loop)."""
    paid = Fraction(0)
    weight = sum(n * u for _, u, n in entries)
    for budget, utility, n in entries:
        rho = (cost - paid) / weight
        if rho * utility <= budget:
            return rho
        paid += n * budget
        weight -= n * utility
    raise AssertionError("called only for affordable projects")


class _Budgets:
    """Voters' remaining budgets as interned classes: ballots that paid alike stay alike."""

    def __init__(self, rows: int, start: Fraction) -> None:
        self.values: list[Fraction] = [start]
        self.approx: list[float] = [float(start)]
        self.ids: dict[Fraction, int] = {start: 0}
        self.of_row = np.zeros(rows, dtype=np.int64)

    def intern(self, value: Fraction) -> int:
        if value not in self.ids:
            self.ids[value] = len(self.values)
            self.values.append(value)
            self.approx.append(float(value))
        return self.ids[value]

    def tables(self, box: BallotBox, n_projects: int, *, by_column: bool) -> list[np.ndarray]:
        """Ballots per (project, budget class): one table per rank column when utility
        depends on the rank, else one for all columns. Also refreshes the float view of
        the budgets used to sort and pre-check."""
        self.approx_array = np.array(self.approx)
        self.positive = np.array([v > 0 for v in self.values], dtype=np.int64)
        width = len(self.values)
        weights = box.counts.astype(np.float64)
        columns = (
            [box.ranks[:, [j]] for j in range(box.ranks.shape[1])] if by_column else [box.ranks]
        )
        tables = []
        for ranks in columns:
            # Shifted by one row of classes so blanks (-1) land in a block that is dropped.
            keys = (ranks.astype(np.int64) + 1) * width + self.of_row[:, None]
            sums = np.bincount(
                keys.ravel(),
                weights=np.repeat(weights, ranks.shape[1]),
                minlength=(n_projects + 1) * width,
            )
            tables.append(np.rint(sums[width:]).astype(np.int64).reshape(n_projects, width))
        return tables

    def pay(self, setup: _Setup, project: int, rho: Fraction) -> int:
        """Every supporter pays min(own budget, rho * utility); returns how many ballots
        paid something (those with money left)."""
        rows, columns = np.nonzero(setup.box.ranks == project)
        old = self.of_row[rows]
        had_money = np.array([self.values[c] > 0 for c in old.tolist()], dtype=bool)
        paying = int(setup.box.counts[rows][had_money].sum()) if len(rows) else 0
        pairs = np.unique(old * setup.box.ranks.shape[1] + columns)
        new_of_pair = {}
        for pair in pairs.tolist():
            cls, column = divmod(pair, setup.box.ranks.shape[1])
            budget = self.values[cls]
            new_of_pair[pair] = self.intern(
                budget - min(budget, rho * setup.utility(project, column))
            )
        lookup = np.array([new_of_pair[p] for p in pairs.tolist()], dtype=np.int64)
        self.of_row[rows] = lookup[np.searchsorted(pairs, old * setup.box.ranks.shape[1] + columns)]
        return paying
