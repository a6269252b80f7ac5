"""How many official pabulib selections ``pbvote tally`` reproduces, and why the rest differ.

For every ``.pb`` file with a ``selected`` column in the folder given (e.g. pabutools'
``tests/pabulib/All``, brought here with the fetch tool and ``git show``; the files are not
committed), the official outcome is the set of projects marked ``selected;1`` (2 marks a
later stage of funding, outside the rule). Each file is counted:

1. with the file's rule and no options (``pbvote tally FILE``);
2. if that differs, with options, first match wins: ``--fill stop``; ``--min-support
   votes:N`` (and ``points:N``) for the smallest N that reproduces it, alone and with
   ``--fill stop``; ``--zero-cost fund``; ordinal files also ``--method approval``
   (greedy by votes instead of rank points);
3. the rest get a reason, from the official selection itself (over the budget, a project
   funded below one left out that would fit, ...).

Usage: python scripts/pabulib_reproduce.py DIR [--list]   (about a minute on 2 cores)
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.tally.cli import configure_parser, file_rules  # noqa: E402
from app.tally.engine import tally  # noqa: E402
from app.tally.errors import TallyError  # noqa: E402
from app.tally.pabulib import read_pabulib  # noqa: E402
from app.tally.rules import TieBreak  # noqa: E402
from app.tally.support import support_of  # noqa: E402


def _options(path: Path, *extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    return parser.parse_args([str(path), *extra])


def _selected(election, path: Path, *extra: str) -> set[str]:
    rules = file_rules(election, _options(path, *extra))
    return set(tally(ballots=election.box, rules=rules).selected)


def _thresholds(election, path: Path, kind: str) -> list[int]:
    """Every minimum support that changes who may be funded: one above each support."""
    rules = file_rules(election, _options(path, "--min-support", f"{kind}:0"))
    support = support_of(box=election.box, rules=rules)
    return sorted({int(s) + 1 for s in support.tolist()})


def _with_options(election, path: Path, official: set[str]) -> str | None:
    tries = [("--fill", "stop")]
    if election.vote_type == "ordinal":
        tries += [("--method", "approval"), ("--method", "approval", "--fill", "stop")]
    for extra in tries:
        if _selected(election, path, *extra) == official:
            return " ".join(extra)
    for kind in ("votes", "points"):
        for fill in ((), ("--fill", "stop")):
            levels = _thresholds(election, path, kind)
            works = [
                n
                for n in levels
                if _selected(election, path, "--min-support", f"{kind}:{n}", *fill) == official
            ]
            if works:
                # Every level from the least that works to the next support level up.
                low, high = works[0], levels[levels.index(works[-1]) + 1] - 1
                if works[-1] == levels[-1]:
                    high = works[-1]
                total = election.box.total
                return (
                    f"--min-support {kind}:{low} {' '.join(fill)} (up to {high}; "
                    f"{100 * low / total:.2f}%..{100 * high / total:.2f}% of {total} ballots)"
                )
    if any(c == 0 for c in election.costs.values()):
        for extra in (("--zero-cost", "fund"), ("--zero-cost", "fund", "--min-support", "votes:0")):
            if _selected(election, path, *extra) == official:
                return " ".join(extra)
    return None


def _ties_favouring(election, rules, official: set[str]) -> set[str]:
    """The count with ties broken in favour of the official projects (renamed so that
    they sort first), in the official names."""
    rename = {p: f"{0 if p in official else 1}:{p}" for p in election.box.projects}
    renamed = tuple(sorted(rename.values()))
    where = np.array([renamed.index(rename[p]) for p in election.box.projects] + [-1])
    box = replace(election.box, projects=renamed, ranks=where[election.box.ranks])
    costs = {rename[p]: c for p, c in rules.costs.items()}
    exclusive = tuple(tuple(rename[p] for p in group) for group in rules.exclusive)
    tied = replace(rules, costs=costs, exclusive=exclusive, tie_break=TieBreak.lexicographic())
    return {p.split(":", 1)[1] for p in tally(ballots=box, rules=tied).selected}


def _why(election, path: Path, official: set[str], ours: set[str]) -> str:
    costs = election.costs
    spent = sum(costs[p] for p in official)
    if spent > election.budget:
        return "the official selection costs more than the budget"
    rules = file_rules(election, _options(path))
    support = support_of(box=election.box, rules=rules).tolist()
    score = dict(zip(election.box.projects, support, strict=True))
    extra, missing = ours - official, official - ours
    if _ties_favouring(election, rules, official) == official:
        return "a tie in support broken otherwise: the file does not say how"
    if not missing:
        return (
            "money left unspent: the official selection leaves out a supported project "
            "that fits the budget left (the city's reason is not in the file)"
        )
    left_out = [p for p in extra if score[p] > min(score[q] for q in missing)]
    if left_out:
        return (
            "a project funded over one with more support that would have fit, "
            "greedy order not followed (a rule not in the file: e.g. areas or categories)"
        )
    return f"other: ours {sorted(extra)} official {sorted(missing)}"


def measure(folder: Path, *, show: bool) -> None:
    files = sorted(folder.glob("*.pb"))
    counted = Counter()
    reasons: Counter = Counter()
    for path in files:
        with path.open(encoding="utf-8-sig") as handle:
            if not any(line.startswith("project_id") and "selected" in line for line in handle):
                continue
        counted["files with a selected column"] += 1
        try:
            election = read_pabulib(path)
            ours = _selected(election, path)
        except TallyError as exc:
            counted["refused"] += 1
            reasons[f"refused: {str(exc).split(': ', 1)[1][:60]}"] += 1
            continue
        official = set(election.official_selected)
        if election.warnings:
            counted["read with warnings (a project named twice)"] += 1
        if election.money_scale != 1:
            counted["read with decimal money"] += 1
        if any(c == 0 for c in election.costs.values()):
            counted["read with a cost-0 project"] += 1
        if ours == official:
            counted["reproduced with the file's rule"] += 1
            continue
        how = _with_options(election, path, official)
        if how is not None:
            counted["reproduced with options"] += 1
            reasons[f"options: {re.sub(r':[0-9]+', ':N', how.split(' (')[0])}"] += 1
            if show:
                print(f"{path.name}: {how}")
            continue
        counted["not reproduced"] += 1
        why = _why(election, path, official, ours)
        reasons[f"differs: {why}"] += 1
        if show:
            print(f"{path.name}: {why}")
    for key, n in counted.items():
        print(f"{n:5}  {key}")
    for key, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f"{n:5}    {key}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--list", action="store_true", help="one line per file not reproduced")
    args = parser.parse_args()
    measure(args.folder, show=args.list)


if __name__ == "__main__":
    main()
