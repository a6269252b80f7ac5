"""Pure counting: ranked ballots + rules -> funded projects. No database, no web."""

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
