"""``pbvote tally FILE.pb``: recount a published pabulib file."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from app.tally.errors import TallyError
from app.tally.result import TallyResult, json_number
from app.tally.rules import COMPLETIONS, FILLS, METHODS, Rules, TieBreak

EXIT_BAD_INPUT = 2


def add_tally_parser(subparsers) -> None:
    """Add the ``tally`` sub-command to the lead's ``pbvote`` parser."""
    parser = subparsers.add_parser(
        "tally",
        help="recount a pabulib .pb file",
        description="Recount a pabulib .pb file. vote_type ordinal: borda, approval, irv, stv, "
        "mes (utility = rank points); approval and choose-1: approval (greedy by votes), mes "
        "(utility = cost, as equalshares.net); cumulative and scoring: points (greedy by "
        "points), mes (utility = the points).",
    )
    configure_parser(parser)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.pb", help="pabulib file to recount")
    parser.add_argument("--method", choices=METHODS, default="borda")
    parser.add_argument("--seats", type=int, help="winners for stv (and for --cross-check stv)")
    parser.add_argument("--points", help="points by rank, best first, e.g. 5,4,3,2,1")
    parser.add_argument("--tie-break", default="lexicographic", metavar="lexicographic|seed:S")
    parser.add_argument(
        "--completion",
        choices=COMPLETIONS,
        default="none",
        help="mes only: rerun with 1 more unit of money per voter at a time and keep the "
        "last outcome within the budget. add1: pabulib's equalshares/add1 as equalshares.net "
        "describes it, from the share rounded down to a whole unit on until the next outcome "
        "would overshoot the budget; add1-pabutools: pabutools' voter_budget_increment=1, "
        "from the exact share, stopping at the first outcome where no supported project "
        "left fits. Default: none",
    )
    parser.add_argument(
        "--fill",
        choices=FILLS,
        default="skip",
        help="when the next project no longer fits the budget left: skip it and go on down "
        "the list (default), or stop funding there",
    )
    parser.add_argument(
        "--exclusive",
        action="append",
        default=[],
        metavar="ID,ID[,...]",
        help="projects of which at most one may be funded (e.g. two for the same place); "
        "repeat for more groups. Default: the file's META 'exclusive' key, if any",
    )
    parser.add_argument("--json", action="store_true", help="print the result object as JSON")
    parser.add_argument(
        "--cross-check",
        action="store_true",
        help="also count irv and stv with pyrankvote and report agreement",
    )
    parser.set_defaults(func=run_tally)


def run_tally(args: argparse.Namespace) -> int:
    # Imported here so that building the pbvote parser does not load numpy.
    from app.tally.engine import tally
    from app.tally.pabulib import read_pabulib

    try:
        election = read_pabulib(args.file)
        rules = Rules(
            method=args.method,
            budget=election.budget,
            costs=election.costs,
            tie_break=TieBreak.parse(args.tie_break),
            ballot_size=election.ballot_size,
            points=_column_points(args, election),
            completion=args.completion,
            fill=args.fill,
            exclusive=_groups(args.exclusive) or election.exclusive,
            # --seats also sizes the --cross-check stv, so other methods ignore it.
            seats=args.seats if args.method == "stv" else None,
            ballot_kind=_KINDS[election.vote_type],
        )
        result = tally(ballots=election.box, rules=rules)
        result = replace(result, notes=(*result.notes, _rule_note(election.meta, rules)))
        checks = _checks(args, election, rules) if args.cross_check else None
    except TallyError as exc:
        print(f"pbvote tally: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        out = result.to_dict()
        if checks is not None:
            out["cross_check"] = checks
        print(result.to_json() if checks is None else _dumps(out))
    else:
        print(render_table(result))
        for line in checks or []:
            print(line["description"])
    return 0


# pabulib's rule field -> the pbvote tally options that count the same way.
_FILE_RULES = {
    "greedy": ("approval", "none", "skip"),
    "greedy-no-skip": ("approval", "none", "stop"),
    "equalshares": ("mes", "none", "skip"),
    "equalshares/add1": ("mes", "add1", "skip"),
}


def _rule_note(meta: dict[str, str], rules: Rules) -> str:
    rule = meta.get("rule", "")
    if not rule:
        return "the file names no rule (META rule); this count follows the options given"
    if rule not in _FILE_RULES:
        return (
            f"the file's rule {rule!r} is not one pbvote tally implements; "
            "this count follows the options given, not the file"
        )
    method, completion, fill = _FILE_RULES[rule]
    if method == "approval" and rules.ballot_kind != "approval":
        method = "points" if rules.ballot_kind == "points" else "borda"
    asked = (rules.method, rules.completion, rules.fill)
    options = f"--method {method} --completion {completion} --fill {fill}"
    if asked == (method, completion, fill):
        return f"the file's rule {rule!r} is what this count does ({options})"
    return f"the file's rule {rule!r} is counted by {options}; this count differs from it"


_KINDS = {
    "ordinal": "ranked",
    "approval": "approval",
    "choose-1": "approval",
    "cumulative": "points",
    "scoring": "points",
}


def _column_points(args, election) -> tuple[int, ...] | None:
    if election.column_points is None:
        return _points(args.points)
    if args.points is not None:
        raise TallyError(f"--points does not apply: {election.vote_type} ballots give their own")
    return election.column_points


def _groups(texts: list[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(p.strip() for p in text.split(",") if p.strip()) for text in texts)


def _points(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        return tuple(int(p) for p in text.split(","))
    except ValueError:
        raise TallyError(f"--points {text!r} must be whole numbers separated by commas") from None


def _checks(args, election, rules: Rules) -> list[dict[str, object]]:
    from app.tally.crosscheck import cross_check  # as run_tally: numpy only when counting

    if election.vote_type != "ordinal":
        return [
            {
                "method": "irv/stv",
                "agrees": None,
                "description": "cross-check: approval ballots have no order; "
                "irv and stv do not apply",
            }
        ]
    seats = args.seats or min(rules.ballot_size, len(rules.costs))
    return [
        {
            "method": c.method,
            "agrees": c.agrees,
            "ours": list(c.ours),
            "pyrankvote": list(c.theirs),
            "description": "cross-check " + c.describe(),
        }
        for c in cross_check(ballots=election.ballots, rules=rules, seats=seats)
    ]


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def render_table(result: TallyResult) -> str:
    channels = ", ".join(f"{k} {v}" for k, v in result.ballots_by_channel)
    lines = [
        f"method {result.method}; tie-break {result.rules['tie_break']}",
        f"ballots counted {result.ballots_counted} ({channels}); blank {result.blank_ballots}",
        f"{'rank':>4}  {'project':<20} {'score':>14} {'cost':>12} {'funded':<6} {'cumulative':>12}",
    ]
    cumulative = 0
    for rank, line in enumerate(result.projects, start=1):
        cumulative += line.cost if line.funded else 0
        score = "" if line.score is None else str(json_number(line.score))
        lines.append(
            f"{rank:>4}  {line.project:<20} {score:>14} {line.cost:>12} "
            f"{'yes' if line.funded else 'no':<6} {cumulative if line.funded else '':>12}"
        )
    lines.append(
        f"budget used {result.budget_used}, left {result.budget_left}; "
        f"{len(result.rounds)} rounds, {len(result.tie_breaks)} tie-breaks used"
    )
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.tally")
    configure_parser(parser)
    args = parser.parse_args(argv)
    return args.func(args)
