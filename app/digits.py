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
