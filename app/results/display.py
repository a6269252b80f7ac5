"""The count as the results page shows it: the bar chart's geometry and the rounds of
IRV, STV and MES as rows of tables, numbers written the reader's way.

Reads only the stored result (`OfficialResult.result`, the tally's `to_dict()`), so what
the page shows is what anyone recounting the published ballots gets.
"""

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from babel.numbers import format_decimal

from app.web import i18n

# Methods whose score is a count of points; the others count votes (ballots).
POINT_METHODS = frozenset({"borda", "points", "mes"})
ROUND_METHODS = frozenset({"irv", "stv", "mes"})
BAR_HEIGHT = 14
ROW_HEIGHT = 40  # a label line above each bar, then the bar


def exact(value: Any) -> Fraction | None:
    """A result number (int, or "p/q" text for an exact fraction) as a Fraction."""
    if value is None:
        return None
    return Fraction(value) if isinstance(value, str) else Fraction(int(value))


def number_text(value: Any, language: str) -> str:
    """Whole numbers with the reader's separators; fractions to two decimals."""
    amount = exact(value)
    if amount is None:
        return ""
    if amount.denominator == 1:
        return i18n.format_number(language, amount.numerator)
    return format_decimal(float(amount), format="#,##0.##", locale=i18n.locale(language))


@dataclass(frozen=True)
class Bar:
    rank: int
    ballot_number: int
    title: str
    score: str  # written the reader's way
    width: str  # of the chart, "43.5%"
    y: int
    funded: bool


def chart(lines: list[dict[str, Any]], result: dict[str, Any], language: str) -> dict[str, Any]:
    """One bar per project in the count's order, as long as its score against the top.
    IRV and STV place most projects without a score of their own: their bars are the
    first choices every project had (the first round), which every project has."""
    first = first_choices(result)
    values = [first[line["project"]] if first else line["score"] for line in lines]
    scores = [exact(value) or Fraction(0) for value in values]
    top = max(scores, default=Fraction(0)) or Fraction(1)
    bars = [
        Bar(
            rank=rank,
            ballot_number=line["ballot_number"],
            title=line["title"],
            score=number_text(value or 0, language),
            width=f"{float(score / top) * 100:.1f}%",
            y=(rank - 1) * ROW_HEIGHT,
            funded=bool(line["funded"]),
        )
        for rank, (line, value, score) in enumerate(zip(lines, values, scores, strict=True), 1)
    ]
    return {
        "bars": bars,
        "height": len(bars) * ROW_HEIGHT,
        "bar_height": BAR_HEIGHT,
        "first_choices": bool(first),
    }


def first_choices(result: dict[str, Any]) -> dict[str, Any] | None:
    """IRV and STV: each project's votes in the first round (its first choices)."""
    if result["method"] not in ("irv", "stv") or not result.get("rounds"):
        return None
    tallies = result["rounds"][0].get("tallies", {})
    return {line["project"]: tallies.get(line["project"], 0) for line in result["projects"]}


def rounds(result: dict[str, Any], titles: dict[str, str], language: str) -> list[dict]:
    """IRV and STV: one table per stage, a row per round (who was elected or eliminated,
    their votes, where the ballots went). MES: one table, a row per project funded."""
    method = result["method"]
    if method not in ROUND_METHODS or not result.get("rounds"):
        return []
    ties = {(use["stage"], use["round"]): use for use in result.get("tie_breaks", [])}
    stages: dict[int, list[dict]] = {}
    for record in result["rounds"]:
        if method == "mes":
            row = _mes_row(record, result, titles, language)
        else:
            row = _runoff_row(record, titles, language)
        use = ties.get((record["stage"], record["round"]))
        # The names of the projects the decided one was tied with, in the tie-break's order.
        row["tied_with"] = (
            [f"#{p}" for p in use["tied"] if p != row["project"]] if use is not None else []
        )
        stages.setdefault(record["stage"], []).append(row)
    return [{"stage": stage, "rows": rows} for stage, rows in sorted(stages.items())]


def order_ties(result: dict[str, Any]) -> list[list[str]]:
    """Borda, approval and points: each group of projects tied on their score, as "#n" in
    the order the tie-break put them (the first goes ahead). Counts in rounds (IRV, STV,
    MES) say their ties on the round the tie-break decided (`rounds`)."""
    return [
        [f"#{p}" for p in use["tied"]]
        for use in result.get("tie_breaks", [])
        if use["decision"] == "order"
    ]


def _named(project: str, titles: dict[str, str]) -> str:
    return f"#{project} {titles.get(project, '')}".strip()


def _runoff_row(record: dict, titles: dict[str, str], language: str) -> dict:
    decided = record.get("elected") or record.get("eliminated")
    tallies = record.get("tallies", {})
    return {
        "round": record["round"],
        "decision": "elected" if record.get("elected") else "eliminated",
        "project": decided,
        "name": _named(decided, titles),
        "votes": number_text(tallies.get(decided), language) if decided in tallies else "",
        "exhausted": number_text(record.get("exhausted", 0), language),
        "transfers": [
            # Ballot numbers only (the names are in the rows above), in number order.
            (None if to == "exhausted" else f"#{to}", number_text(n, language))
            for to, n in sorted(record.get("transfers", {}).items(), key=_number_order)
            if exact(n)
        ],
    }


def _number_order(item: tuple[str, Any]) -> tuple:
    """1, 2, 10 (not 1, 10, 2); "exhausted" last."""
    project = item[0]
    return (project == "exhausted", int(project) if project.isdigit() else 0, project)


def _mes_row(record: dict, result: dict, titles: dict[str, str], language: str) -> dict:
    project = record["elected"]
    cost = next(line["cost"] for line in result["projects"] if line["project"] == project)
    price = exact(record.get("price_per_point"))
    points = result["rules"].get("points")
    supporters = record.get("supporters")
    return {
        "round": record["round"],
        "project": project,
        "name": _named(project, titles),
        "cost": cost,
        "supporters": i18n.format_number(language, supporters) if supporters else "",
        # What the count asked of each supporter: the average paid, and at most what a
        # first choice pays (price per point x a first choice's points).
        "per_supporter": round(cost / supporters) if supporters else None,
        "first_choice": round(price * points[0]) if price is not None and points else None,
    }


def stv_quota(result: dict[str, Any]) -> int | None:
    """The Droop quota the STV count used (app/tally/stv.py): floor(valid / (seats + 1)) + 1."""
    seats = result["rules"].get("seats")
    if result["method"] != "stv" or not seats:
        return None
    return (result["ballots_counted"] - result["blank_ballots"]) // (seats + 1) + 1


def leftover(result: dict[str, Any]) -> dict[str, Any] | None:
    """Why money is left after a count that funds projects in rounds (MES): the cheapest
    project not funded, and whether it would have fitted in what is left. None when
    nothing is left or every project was funded."""
    left = result["budget_left"]
    unfunded = [line for line in result["projects"] if not line["funded"]]
    if result["method"] != "mes" or left <= 0 or not unfunded:
        return None
    cheapest = min(unfunded, key=lambda line: line["cost"])
    return {
        "left": left,
        "project": cheapest["project"],
        "cost": cheapest["cost"],
        "fits": cheapest["cost"] <= left,
    }


def count_note(transition: Any, language: str) -> dict[str, Any] | None:
    """The organizer's note acknowledging the count's differences (kept on the move to
    funding, app/processes/service.py), with those differences in the reader's language;
    None when the count went ahead with none."""
    if transition is None or not transition.note:
        return None
    said = []
    for found in transition.differences or []:
        words = i18n.translate(language, found["key"], **found["values"])
        said.append(found["text"] if words == found["key"] else words)
    return {"note": transition.note, "differences": said, "at": transition.at}
