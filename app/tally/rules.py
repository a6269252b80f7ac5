"""Counting rules: fixed before voting opens, printed with every result."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from app.tally.errors import TallyError

METHODS = ("borda", "approval", "points", "irv", "stv", "mes")
# mes only; see app/tally/mes.py for what each does.
COMPLETIONS = ("none", "add1", "add1-pabutools")
# When the next project in the method's order no longer fits: skip it and go on down the
# list, or stop funding there (the rest carries over).
FILLS = ("skip", "stop")
# A project that costs nothing (pabulib files have some, e.g. one the city removed): never
# funded (skip), or funded like any other once its support is enough (fund).
ZERO_COSTS = ("skip", "fund")
# Methods that fund down an order of support, where a minimum support applies.
SUPPORT_METHODS = ("borda", "approval", "points", "mes")
BALLOT_KINDS = ("ranked", "approval", "points")
# What each kind of ballot can be counted with.
KIND_METHODS = {
    "ranked": ("borda", "approval", "points", "irv", "stv", "mes"),  # points = borda here
    "approval": ("approval", "mes"),
    "points": ("points", "mes"),
}


@dataclass(frozen=True, kw_only=True)
class TieBreak:
    """How ties are broken: a seeded permutation of the projects, or lexicographic.

    Seeded order: projects sorted by the hex sha256 of ``f"{seed}:{project_id}"`` (UTF-8),
    then by id. It is stable across Python versions, unlike ``random``. In both kinds the
    project earlier in the order is preferred: funded first, elected first, eliminated last.
    """

    seed: str | None = None

    @classmethod
    def lexicographic(cls) -> TieBreak:
        return cls(seed=None)

    @classmethod
    def parse(cls, text: str) -> TieBreak:
        if text == "lexicographic":
            return cls.lexicographic()
        if text.startswith("seed:") and len(text) > len("seed:"):
            return cls(seed=text[len("seed:") :])
        raise TallyError(f"tie-break {text!r} is not 'lexicographic' or 'seed:<seed>'")

    def describe(self) -> str:
        if self.seed is None:
            return "lexicographic: the project whose id sorts first as text is preferred"
        return (
            f"seed:{self.seed}: projects ordered by sha256(seed + ':' + project_id) as hex, "
            "then by id; the earlier project is preferred"
        )

    def label(self) -> str:
        return "lexicographic" if self.seed is None else f"seed:{self.seed}"

    def order(self, project_ids: Sequence[str]) -> tuple[str, ...]:
        """All projects, most preferred first."""
        if self.seed is None:
            return tuple(sorted(project_ids))
        seed = self.seed
        return tuple(
            sorted(
                project_ids,
                key=lambda p: (hashlib.sha256(f"{seed}:{p}".encode()).hexdigest(), p),
            )
        )


_SUPPORT = re.compile(r"(?:(votes|points):)?([0-9]+(?:\.[0-9]+)?)(%?)")


def _decimal(value: Fraction) -> str:
    """A Fraction read from a decimal, written back exactly (0.5, 12, 0.125)."""
    places = 0
    while (value * 10**places).denominator != 1:
        places += 1
    whole = value.numerator * 10**places // value.denominator
    if not places:
        return str(whole)
    digits = str(whole).rjust(places + 1, "0")
    return f"{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")


@dataclass(frozen=True, kw_only=True)
class MinSupport:
    """The least support a project needs to be funded by a greedy method or mes.

    ``kind``: ``votes`` (ballots that name the project) or ``points`` (its score: approvals
    for approval ballots, rank points for ranked ones, the given points for points
    ballots). ``amount``: a whole number, or with ``percent`` a share of the ballots counted
    (blank ones included). A project is funded only if support >= the threshold. The
    default, ``votes:1``, means a project nobody voted for is never funded.
    """

    kind: str = "votes"
    amount: Fraction = Fraction(1)
    percent: bool = False

    @classmethod
    def parse(cls, text: str) -> MinSupport:
        """``votes:N``, ``points:N``, ``votes:P%``, ``points:P%`` (``N`` alone: votes)."""
        match = _SUPPORT.fullmatch(text.strip())
        if match is None:
            raise TallyError(
                f"minimum support {text!r} is not votes:N, points:N, votes:P% or points:P%"
            )
        kind, number, percent = match.groups()
        amount = Fraction(number)
        if not percent and amount.denominator != 1:
            raise TallyError(f"minimum support {text!r}: a count of {kind or 'votes'} is whole")
        if percent and amount > 100:
            raise TallyError(f"minimum support {text!r}: a share is at most 100%")
        return cls(kind=kind or "votes", amount=amount, percent=bool(percent))

    def label(self) -> str:
        return f"{self.kind}:{_decimal(self.amount)}{'%' if self.percent else ''}"

    def threshold(self, ballots: int) -> Fraction:
        return self.amount * ballots / 100 if self.percent else self.amount


@dataclass(frozen=True, kw_only=True)
class Rules:
    """Everything a count depends on besides the ballots. Money is integer cents.

    ``ballot_kind="approval"`` is for imported approval data (pabulib): order carries no
    meaning, so only ``approval`` and ``mes`` (utility = the project's cost) apply.
    ``ballot_kind="points"`` (pabulib cumulative and scoring): ``points[j]`` is what column
    j of every ballot gives its project; ``points`` (greedy by total points) and ``mes``
    (utility = the points) apply.
    ``completion`` (mes only): ``add1`` is equalshares.net's / pabulib's ``equalshares/add1``,
    ``add1-pabutools`` pabutools' ``voter_budget_increment=1``.
    ``fill``: ``skip`` or ``stop`` at the first project that no longer fits.
    ``exclusive``: groups of mutually exclusive projects; at most one of each is funded
    (greedy walks past the others, MES drops them once one is funded).
    ``min_support`` (greedy methods and mes): projects below it are left out of the count.
    ``zero_cost``: ``skip`` (default) never funds a project that costs nothing; ``fund``
    funds it like any other.
    ``money_unit``: how many units of ``budget`` make one unit of the currency; the mes
    completions add one currency unit per voter at a time (a pabulib file with cents: 100).
    """

    budget: int
    costs: Mapping[str, int]
    tie_break: TieBreak
    method: str = "borda"
    ballot_size: int = 5
    points: tuple[int, ...] | None = None
    seats: int | None = None
    completion: str = "none"
    fill: str = "skip"
    exclusive: tuple[tuple[str, ...], ...] = ()
    ballot_kind: str = "ranked"
    min_support: MinSupport = MinSupport()
    zero_cost: str = "skip"
    money_unit: int = 1
    project_ids: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_rules(self)
        object.__setattr__(self, "project_ids", tuple(sorted(self.costs)))

    def rank_points(self) -> tuple[int, ...]:
        if self.points is not None:
            return tuple(self.points)
        return tuple(range(self.ballot_size, 0, -1))

    def summary(self) -> dict[str, object]:
        summary: dict[str, object] = {
            "method": self.method,
            "budget": self.budget,
            "ballot_size": self.ballot_size,
            "ballot_kind": self.ballot_kind,
            "tie_break": self.tie_break.label(),
            "tie_break_rule": self.tie_break.describe(),
        }
        if self.method in ("borda", "points", "mes") and self.ballot_kind != "approval":
            summary["points"] = list(self.rank_points())
        if self.method == "stv":
            summary["seats"] = self.seats
        if self.method == "mes":
            summary["completion"] = self.completion
            if self.money_unit != 1:
                summary["money_unit"] = self.money_unit
        summary["fill"] = self.fill
        if self.method in SUPPORT_METHODS:
            summary["min_support"] = self.min_support.label()
        if any(cost == 0 for cost in self.costs.values()):
            summary["zero_cost"] = self.zero_cost
        if self.exclusive:
            summary["exclusive"] = [list(group) for group in self.exclusive]
        return summary


def exclusive_rivals(
    projects: tuple[str, ...], groups: tuple[tuple[str, ...], ...]
) -> dict[int, set[int]]:
    """For each project index, the indices that cannot be funded once it is."""
    index = {p: i for i, p in enumerate(projects)}
    rivals: dict[int, set[int]] = {}
    for group in groups:
        members = {index[p] for p in group}
        for member in members:
            rivals.setdefault(member, set()).update(members - {member})
    return rivals


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_rules(rules: Rules) -> None:
    if rules.method not in METHODS:
        raise TallyError(f"unknown method {rules.method!r}; use one of {', '.join(METHODS)}")
    if rules.ballot_kind not in BALLOT_KINDS:
        raise TallyError(f"unknown ballot kind {rules.ballot_kind!r}; use ranked or approval")
    allowed = KIND_METHODS[rules.ballot_kind]
    if rules.method not in allowed:
        raise TallyError(
            f"method {rules.method} does not apply to {rules.ballot_kind} ballots; "
            f"count them with {' or '.join(allowed)}"
        )
    if rules.ballot_kind == "points" and rules.points is None:
        raise TallyError("points ballots need the points of each ballot column")
    if not _is_int(rules.budget) or rules.budget <= 0:
        raise TallyError(f"budget must be a positive whole number of cents, got {rules.budget!r}")
    if not _is_int(rules.ballot_size) or rules.ballot_size < 1:
        raise TallyError(f"ballot size must be a whole number >= 1, got {rules.ballot_size!r}")
    if not rules.costs:
        raise TallyError("there are no projects: costs is empty")
    for project_id, cost in rules.costs.items():
        if not isinstance(project_id, str) or not project_id:
            raise TallyError(f"project id {project_id!r} must be a non-empty string")
        if not _is_int(cost) or cost < 0:
            raise TallyError(
                f"cost of project {project_id!r} must be a whole number of cents >= 0, got {cost!r}"
            )
    if not isinstance(rules.tie_break, TieBreak):
        raise TallyError("tie_break must be a TieBreak (lexicographic or seeded)")
    if rules.completion not in COMPLETIONS:
        raise TallyError(
            f"unknown completion {rules.completion!r}; use one of {', '.join(COMPLETIONS)}"
        )
    if rules.completion != "none" and rules.method != "mes":
        raise TallyError(f"completion {rules.completion} applies to mes only, not {rules.method}")
    _check_funding(rules)
    _check_points(rules)
    _check_seats(rules)


def _check_funding(rules: Rules) -> None:
    if rules.fill not in FILLS:
        raise TallyError(f"unknown fill {rules.fill!r}; use skip or stop")
    if rules.zero_cost not in ZERO_COSTS:
        raise TallyError(f"unknown zero-cost policy {rules.zero_cost!r}; use skip or fund")
    if not _is_int(rules.money_unit) or rules.money_unit < 1:
        raise TallyError(f"money unit must be a whole number >= 1, got {rules.money_unit!r}")
    support = rules.min_support
    if not isinstance(support, MinSupport) or support.kind not in ("votes", "points"):
        raise TallyError("min_support must be a MinSupport of votes or points")
    if rules.method not in SUPPORT_METHODS and support != MinSupport():
        raise TallyError(
            f"a minimum support applies to {', '.join(SUPPORT_METHODS)}, not {rules.method}"
        )
    for group in rules.exclusive:
        if len(group) < 2 or len(set(group)) != len(group):
            raise TallyError(
                f"exclusive group {list(group)} must name at least two different projects"
            )
        unknown = [p for p in group if p not in rules.costs]
        if unknown:
            raise TallyError(f"exclusive group {list(group)} names unknown projects {unknown}")


def _check_points(rules: Rules) -> None:
    if rules.points is None:
        return
    points = tuple(rules.points)
    if len(points) != rules.ballot_size:
        raise TallyError(
            f"points vector {list(points)} has {len(points)} entries; the ballot has "
            f"{rules.ballot_size} ranks, so give exactly {rules.ballot_size}"
        )
    if not all(_is_int(p) and p >= 1 for p in points):
        raise TallyError(f"points vector {list(points)} must hold whole numbers >= 1")
    if any(later > earlier for earlier, later in zip(points, points[1:], strict=False)):
        raise TallyError(f"points vector {list(points)} must not increase from rank 1 down")


def _check_seats(rules: Rules) -> None:
    if rules.method != "stv":
        if rules.seats is not None:
            raise TallyError(f"seats applies to stv only, not {rules.method}")
        return
    if rules.seats is None:
        raise TallyError("method stv needs seats: the number of projects to elect")
    if not _is_int(rules.seats) or not 1 <= rules.seats <= len(rules.costs):
        raise TallyError(
            f"seats must be a whole number from 1 to the {len(rules.costs)} projects, "
            f"got {rules.seats!r}"
        )
