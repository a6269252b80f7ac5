"""Counts, numbers and amounts typed by people into forms and CSV files.

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


# Written before or after an amount; spaces (a no-break one too) may group thousands.
CURRENCY_SIGNS = ("US$", "$", "€", "£", "¥", "₫")
SPACES = (" ", "\u00a0", "\u202f")


def parse_money(text: str | None, *, max_digits: int = 13) -> int | None:
    """An amount typed into a form in the process's currency as integer cents, or None when
    it is not one. People write it their way: "250,000", "15000.50", "$ 1,250.5", and as
    Spanish in Spain or Vietnamese write it, "25.000", "25.000,50", "15000,50 ₫".

    Money has at most two decimals, so the reading is never a guess: a separator followed
    by exactly three digits groups thousands; one followed by one or two final digits is
    the decimal mark; with both marks, the last is the decimal one. Anything else (groups
    not of three, two decimal marks, 1.234.56) is refused, never misread."""
    text = (text or "").strip()
    for sign in CURRENCY_SIGNS:
        text = text.removeprefix(sign).removesuffix(sign).strip()
    for space in SPACES:
        text = text.replace(space, "")
    marks = [m for m in ".," if m in text]
    if len(marks) == 2:
        point = "." if text.rindex(".") > text.rindex(",") else ","
    elif marks and len(text.split(marks[0])) == 2 and 1 <= len(text.split(marks[0])[1]) <= 2:
        point = marks[0]
    else:
        point = ""
    whole, _, decimals = text.partition(point) if point else (text, "", "")
    group = next((m for m in marks if m != point), "")
    groups = whole.split(group) if group else [whole]
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        return None
    units = parse_count("".join(groups), max_digits=max_digits)
    if units is None or (point and not 1 <= len(decimals) <= 2):
        return None
    cents = parse_count(decimals.ljust(2, "0"), max_digits=2) if point else 0
    return None if cents is None else units * 100 + cents
