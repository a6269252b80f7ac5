"""Write the anonymised ballots as a pabulib `.pb` file (ordinal), for anyone to recount.

Written with the csv module (`;` delimiter, `"` quoting). Voter ids are 1..n in the
order given, which must already be random (the ballots' random ids), so the file says
nothing about who voted when. Money: pabulib counts whole currency units; when some
amount has cents, every amount is written in cents and META says `cost_unit;cent`,
so the recount stays exact either way.
"""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PbProject:
    project_id: str
    cost_cents: int
    name: str
    votes: int | None = None  # e.g. points or approvals in the official count
    selected: bool | None = None


def money_unit(amounts: Iterable[int]) -> tuple[int, str | None]:
    """(divisor, cost_unit META value) that keeps every amount a whole number."""
    return (100, None) if all(a % 100 == 0 for a in amounts) else (1, "cent")


def write_pabulib(
    *,
    meta: Mapping[str, str],
    budget_cents: int,
    projects: Sequence[PbProject],
    ballots: Iterable[tuple[Sequence[str], str]],
    ballot_size: int,
    exclusive: Sequence[Sequence[str]] = (),
) -> str:
    """The `.pb` text; `ballots` are (ranking best first, channel) in random order.
    `exclusive`: groups of projects of which at most one may be funded, kept in META as
    `exclusive;12,40|7,9` so that `pbvote tally` applies them on a recount."""
    ballots = list(ballots)
    divisor, unit = money_unit([budget_cents, *(p.cost_cents for p in projects)])
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    fixed = {
        "num_projects": str(len(projects)),
        "num_votes": str(len(ballots)),
        "budget": str(budget_cents // divisor),
        "vote_type": "ordinal",
        "max_length": str(ballot_size),
    }
    if unit:
        fixed["cost_unit"] = unit
    if exclusive:
        fixed["exclusive"] = "|".join(",".join(group) for group in exclusive)
    for key, value in {**meta, **fixed}.items():
        writer.writerow([key, " ".join(value.split())])
    writer.writerow(["PROJECTS"])
    with_results = any(p.selected is not None for p in projects)
    writer.writerow(
        ["project_id", "cost", "name"] + (["votes", "selected"] if with_results else [])
    )
    for p in projects:
        # One line per record: readers such as pabutools split the file on line breaks.
        row = [p.project_id, str(p.cost_cents // divisor), " ".join(p.name.split())]
        if with_results:
            row += ["" if p.votes is None else str(p.votes), "1" if p.selected else "0"]
        writer.writerow(row)
    writer.writerow(["VOTES"])
    writer.writerow(["voter_id", "vote", "voting_method"])
    for voter_id, (ranking, channel) in enumerate(ballots, start=1):
        writer.writerow([str(voter_id), ",".join(ranking), channel])
    return out.getvalue()
