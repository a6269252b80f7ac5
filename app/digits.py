"""Counts, numbers and amounts typed by people into forms and CSV files.

ASCII digits only, a few of them: `str.isdigit` also says yes to `¹` and to Arabic-Indic
digits (which `int()` then reads as other numbers or refuses), and `int()` gives up on a
number of thousands of digits. No app imports here: the type-checked CSV reader uses it.
"""

import re


def parse_count(text: str | None, *, max_digits: int = 9) -> int | None:
    """A non-negative whole number written in ASCII digits, or None when it is not one."""
    text = (text or "").strip()
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


_MONEY = re.compile(r"([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?")


def parse_money(text: str | None, *, max_digits: int = 13) -> int | None:
    """An amount typed into a form ("250,000", "250000.50", "$1,500") in cents, or None
    when it is not one: commas only as thousands separators, at most two decimals."""
    text = (text or "").strip().removeprefix("$").strip()
    found = _MONEY.fullmatch(text)
    if found is None:
        return None
    whole, cents = found.group(1).replace(",", ""), (found.group(2) or "").ljust(2, "0")
    if len(whole) > max_digits:
        return None
    return int(whole) * 100 + int(cents)
