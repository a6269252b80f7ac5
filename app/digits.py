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


def parse_cents(text: str | None, *, max_digits: int = 13) -> int | None:
    """An amount of money typed into a form ("15,000", "15000.50", "$15,000"), in cents, or
    None when it is not one: ASCII digits, commas between thousands, at most two decimals."""
    text = (text or "").strip().lstrip("$€£").strip()
    whole, dot, fraction = text.partition(".")
    groups = whole.split(",")
    if len(groups) > 1 and (
        not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:])
    ):
        return None
    units = parse_count("".join(groups), max_digits=max_digits)
    if units is None or (dot and (not 1 <= len(fraction) <= 2 or parse_count(fraction) is None)):
        return None
    return units * 100 + (int(fraction.ljust(2, "0")) if dot else 0)
