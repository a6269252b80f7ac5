"""Counts and numbers typed by people into forms and CSV files.

ASCII digits only, a few of them: `str.isdigit` also says yes to `¹` and to Arabic-Indic
digits (which `int()` then reads as other numbers or refuses), and `int()` gives up on a
number of thousands of digits. No app imports here: the type-checked CSV reader uses it.
"""


def parse_count(text: str | None, *, max_digits: int = 9) -> int | None:
    """A non-negative whole number written in ASCII digits, or None when it is not one."""
    text = (text or "").strip()
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def parse_money_cents(text: str | None, *, max_digits: int = 10) -> int | None:
    """An amount typed in the process's currency ("15,000", "15000.50", "$ 1,250.5") as
    integer cents, or None when it is not one. Commas group thousands; a point starts at
    most two decimals."""
    text = (text or "").strip().lstrip("$€£¥₫").strip().replace(" ", "")
    whole, point, decimals = text.partition(".")
    groups = whole.split(",")
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        return None
    units = parse_count("".join(groups), max_digits=max_digits)
    if units is None or (point and (not decimals or len(decimals) > 2)):
        return None
    cents = parse_count(decimals.ljust(2, "0"), max_digits=2) if point else 0
    return None if cents is None else units * 100 + cents
