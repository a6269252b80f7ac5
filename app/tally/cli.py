"""``pbvote tally FILE.pb``: recount a published pabulib file."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from app.tally.errors import TallyError
from app.tally.result import TallyResult, json_number
from app.tally.rules import (
    COMPLETIONS,
    FILLS,
    METHODS,
    SUPPORT_METHODS,
    ZERO_COSTS,
    MinSupport,
    Rules,
    TieBreak,
)

EXIT_BAD_INPUT = 2


def add_tally_parser(subparsers) -> None:
    """Add the ``tally`` sub-command to the lead's ``pbvote`` parser."""
    parser = subparsers.add_parser(
        "tally",
        help="recount a pabulib .pb file",
        description="Recount a pabulib .pb file. vote_type ordinal: borda, approval, irv, stv, "
        "mes (utility = rank points); approval and choose-1: approval (greedy by votes), mes "
        "(utility = cost, as equalshares.net); cumulative and scoring: points (greedy by "
        "points), mes (utility = the points). Without --method, the file's META rule decides "
        "(pabulib's greedy, greedy-no-skip, equalshares, equalshares/add1, or a pbvote "
        "method). Amounts with decimals are counted exactly, in the smallest decimal unit the "
        "file writes (hundredths for cents).",
    )
    configure_parser(parser)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.pb", help="pabulib file to recount")
    parser.add_argument(
        "--method",
        choices=METHODS,
        help="default: the file's META rule; with none pbvote knows, borda (ordinal), "
        "approval (approval, choose-1) or points (cumulative, scoring)",
    )
    parser.add_argument("--seats", type=int, help="winners for stv (and for --cross-check stv)")
    parser.add_argument("--points", help="points by rank, best first, e.g. 5,4,3,2,1")
    parser.add_argument(
        "--tie-break",
        metavar="lexicographic|seed:S",
        help="default: the file's META tie_break, else lexicographic",
    )
    parser.add_argument(
        "--completion",
        choices=COMPLETIONS,
        help="mes only: rerun with 1 more unit of money per voter at a time and keep the "
        "last outcome within the budget. add1: pabulib's equalshares/add1 as equalshares.net "
        "describes it, from the share rounded down to a whole unit on until the next outcome "
        "would overshoot the budget; add1-pabutools: pabutools' voter_budget_increment=1, "
        "from the exact share, stopping at the first outcome where no supported project "
        "left fits. Default: as the file's rule says (equalshares/add1: add1), else none",
    )
    parser.add_argument(
        "--fill",
        choices=FILLS,
        help="when the next project no longer fits the budget left: skip it and go on down "
        "the list, or stop funding there. Default: as the file's rule says "
        "(greedy-no-skip: stop), else skip",
    )
    parser.add_argument(
        "--min-support",
        metavar="votes:N|points:N|votes:P%%|points:P%%",
        help="greedy methods and mes: fund only projects with at least this support, in "
        "ballots naming them (votes) or points, as a number or a share of the ballots. "
        "Default: the file's META min_support, else votes:1 (a project nobody voted for "
        "is never funded); votes:0 funds such projects too",
    )
    parser.add_argument(
        "--zero-cost",
        choices=ZERO_COSTS,
        default="skip",
        help="a project that costs 0: never funded (skip, default) or funded like any other "
        "once its support is enough (fund)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse a vote that names the same project twice (default: count it once and "
        "warn, naming the line)",
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


def count_file(args: argparse.Namespace):
    """(result, election, rules) for the parsed options; raises TallyError."""
    # Imported here so that building the pbvote parser does not load numpy.
    from app.tally.engine import tally
    from app.tally.pabulib import read_pabulib

    election = read_pabulib(args.file, strict=args.strict)
    rules = file_rules(election, args)
    result = tally(ballots=election.box, rules=rules)
    notes = (*_read_notes(election), *result.notes, _rule_note(election.meta, rules))
    return replace(result, notes=notes), election, rules


def file_rules(election, args: argparse.Namespace) -> Rules:
    """The rules for a file read by ``read_pabulib``: the options given, else the file's."""
    kind = _KINDS[election.vote_type]
    method, completion, fill = _file_rule(election.meta.get("rule", ""), kind)
    method = args.method or method
    support = args.min_support or election.meta.get("min_support") or MinSupport().label()
    return Rules(
        method=method,
        budget=election.budget,
        costs=election.costs,
        tie_break=TieBreak.parse(args.tie_break or _meta_tie_break(election.meta)),
        ballot_size=election.ballot_size,
        points=_column_points(args, election),
        completion=args.completion or (completion if method == "mes" else "none"),
        fill=args.fill or fill,
        exclusive=_groups(args.exclusive) or election.exclusive,
        # --seats also sizes the --cross-check stv, so other methods ignore it.
        seats=args.seats if method == "stv" else None,
        ballot_kind=kind,
        # A META min_support does not apply to irv or stv; --min-support is refused there.
        min_support=MinSupport.parse(support)
        if method in SUPPORT_METHODS or args.min_support
        else MinSupport(),
        zero_cost=args.zero_cost,
        money_unit=election.money_unit,
    )


_SHOWN_WARNINGS = 10


def _meta_tie_break(meta: dict[str, str]) -> str:
    """The file's META tie_break (pbvote writes it), if it is one pbvote knows."""
    text = meta.get("tie_break", "")
    try:
        return TieBreak.parse(text).label()
    except TallyError:
        return "lexicographic"


def _read_notes(election) -> list[str]:
    notes = []
    given = election.meta.get("tie_break", "")
    if given not in ("", "lexicographic") and _meta_tie_break(election.meta) == "lexicographic":
        notes.append(
            f"the file's tie_break {given!r} is not one pbvote knows; ties are broken "
            "lexicographically unless --tie-break says otherwise"
        )
    if election.money_scale != 1:
        notes.append(
            f"amounts with decimals: money is counted exactly in 1/{election.money_scale} of "
            f"the file's unit (budget {election.meta['budget']} = {election.budget})"
        )
    warnings = election.warnings
    if warnings:
        notes.append(
            f"{len(warnings)} votes name a project more than once; each is counted once "
            "(--strict refuses the file instead)"
        )
        notes += warnings[:_SHOWN_WARNINGS]
        if len(warnings) > _SHOWN_WARNINGS:
            notes.append(f"... and {len(warnings) - _SHOWN_WARNINGS} more such votes")
    return notes


def run_tally(args: argparse.Namespace) -> int:
    try:
        result, election, rules = count_file(args)
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


# pabulib's rule field -> the pbvote tally options that count the same way; a pbvote
# method name (a file pbvote wrote) is its own count.
_FILE_RULES = {
    "greedy": ("approval", "none", "skip"),
    "greedy-no-skip": ("approval", "none", "stop"),
    "equalshares": ("mes", "none", "skip"),
    "equalshares/add1": ("mes", "add1", "skip"),
    **{method: (method, "none", "skip") for method in METHODS},
}
# What greedy means for each kind of ballot, and the count of a file with no known rule.
_GREEDY = {"ranked": "borda", "approval": "approval", "points": "points"}


def _file_rule(rule: str, kind: str) -> tuple[str, str, str]:
    """(method, completion, fill) the file's rule names, for these ballots."""
    method, completion, fill = _FILE_RULES.get(rule, ("approval", "none", "skip"))
    if method == "approval" and kind != "approval":
        method = _GREEDY[kind]
    return method, completion, fill


def _rule_note(meta: dict[str, str], rules: Rules) -> str:
    rule = meta.get("rule", "")
    if not rule:
        return "the file names no rule (META rule); this count follows the options given"
    if rule not in _FILE_RULES:
        return (
            f"the file's rule {rule!r} is not one pbvote tally implements; "
            "this count follows the options given, not the file"
        )
    method, completion, fill = _file_rule(rule, rules.ballot_kind)
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
