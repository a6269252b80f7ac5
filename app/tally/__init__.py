"""Pure counting: ranked ballots + rules -> funded projects. No database, no web.

    from collections import Counter
    from app.tally import Rules, TieBreak, tally

    rules = Rules(budget=20_000_000, costs={"p1": 5_000_000, ...}, method="borda",
                  tie_break=TieBreak(seed="<fixed when voting opens>"))
    result = tally(ballots=Counter({(("p1", "p4"), "online"): 812, ...}), rules=rules)
    result.to_dict()

``to_dict()`` (JSON-able, byte-identical for the same ballots in any order):
    method, rules {method, budget, ballot_size, ballot_kind, tie_break, tie_break_rule,
        points | seats | completion where they apply},
    ballots_counted, blank_ballots, ballots_by_channel {channel: n},
    selected [funded ids in funding order], budget_used, budget_left,
    projects [{project, cost, score, funded}] in the method's order,
    rounds [{stage, round, tallies?, exhausted?, elected?, eliminated?, transfers?,
        price_per_point?, supporters?}], tie_breaks [{stage, round, decision, tied, chosen}], notes.
Exact values that are not whole numbers are written as "p/q" strings.
Bad rules or ballots raise TallyError (a ValueError) with a message a person can act on.
"""

from app.tally.ballots import BallotBox, group_ballots
from app.tally.engine import tally
from app.tally.errors import TallyError
from app.tally.result import ProjectLine, Round, TallyResult, TieBreakUse
from app.tally.rules import METHODS, Rules, TieBreak

__all__ = [
    "METHODS",
    "BallotBox",
    "ProjectLine",
    "Round",
    "Rules",
    "TallyError",
    "TallyResult",
    "TieBreak",
    "TieBreakUse",
    "group_ballots",
    "tally",
]
