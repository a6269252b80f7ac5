"""The CSV of raw paper marks: one row per sheet and pass, validated as a whole.

    sheet,pass,marks,flag
    1,1,1:7 2:3 3:12,
    1,2,1:7 2:3 3:12,
    2,1,,blank

`marks` lists `rank:ballot_number` pairs exactly as written (spaces between pairs);
`flag` is empty, `blank` or `unreadable`. The file must be UTF-8 without a byte-order
mark. One bad row rejects the whole file, and the error names its line.
"""

import csv
import io
from dataclasses import dataclass

from app.digits import parse_count
from app.paper.interpret import Mark

COLUMNS = ["sheet", "pass", "marks", "flag"]
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_RANK = 30
FLAGS = {"": (False, False), "blank": (True, False), "unreadable": (False, True)}


class CsvProblem(ValueError):
    def __init__(self, line: int | None, message: str) -> None:
        where = f"line {line}: " if line else ""
        super().__init__(where + message)
        self.line = line
        self.message = where + message


@dataclass(frozen=True)
class SheetPass:
    line: int
    sheet: int
    pass_number: int
    marks: tuple[Mark, ...]
    blank: bool
    unreadable: bool


def parse_marks(text: str, line: int | None = None) -> tuple[Mark, ...]:
    marks = []
    for token in text.replace(",", " ").replace(";", " ").split():
        rank, colon, number = token.partition(":")
        rank_value, number_value = parse_count(rank), parse_count(number)
        if not colon or rank_value is None or number_value is None:
            raise CsvProblem(line, f"mark {token[:40]!r} is not rank:number, e.g. 1:7")
        if not 1 <= rank_value <= MAX_RANK:
            raise CsvProblem(line, f"rank {rank_value} in {token!r} must be 1 to {MAX_RANK}")
        if number_value < 1 or number_value > 10_000:
            raise CsvProblem(
                line, f"ballot number {number_value} in {token!r} is not a ballot number"
            )
        marks.append(Mark(rank_value, number_value))
    return tuple(marks)


def _decode(data: bytes) -> str:
    if not data.strip():
        raise CsvProblem(None, "the file is empty")
    if len(data) > MAX_BYTES:
        raise CsvProblem(
            None,
            f"the file is {len(data):,} bytes; at most {MAX_BYTES:,} "
            "are accepted (split it into batches)",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        raise CsvProblem(
            1,
            "the file starts with a byte-order mark (Excel's 'CSV UTF-8'); "
            "save it as plain UTF-8 CSV",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvProblem(
            line, "the file is not UTF-8 (Latin-1 or Windows-1252?); save it as UTF-8"
        ) from exc


def parse_csv(data: bytes, *, declared_sheets: int) -> list[SheetPass]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvProblem(None, "the file is empty") from None
    if [h.strip().lower() for h in header] != COLUMNS:
        raise CsvProblem(
            1, f"the columns must be {','.join(COLUMNS)}; found {','.join(header) or 'nothing'}"
        )
    rows: list[SheetPass] = []
    seen: dict[tuple[int, int], int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) >= MAX_ROWS:
                raise CsvProblem(line, f"more than {MAX_ROWS:,} rows; split the file")
            entry = _row(row, line, declared_sheets)
            key = (entry.sheet, entry.pass_number)
            if key in seen:
                raise CsvProblem(
                    line,
                    f"sheet {entry.sheet} pass {entry.pass_number} is already on line {seen[key]}",
                )
            seen[key] = line
            rows.append(entry)
    except csv.Error as exc:
        raise CsvProblem(reader.line_num, f"not valid CSV: {exc}") from exc
    if not rows:
        raise CsvProblem(None, "the file has a header but no sheets")
    return rows


def _row(row: list[str], line: int, declared_sheets: int) -> SheetPass:
    if len(row) != len(COLUMNS):
        raise CsvProblem(
            line, f"{len(row)} fields; each row needs {len(COLUMNS)} ({','.join(COLUMNS)})"
        )
    sheet, pass_text, marks_text, flag = (cell.strip() for cell in row)
    sheet_number = parse_count(sheet)
    if sheet_number is None or not 1 <= sheet_number <= declared_sheets:
        raise CsvProblem(
            line,
            f"sheet {sheet[:40]!r} must be a number from 1 to {declared_sheets}"
            " (the batch's declared sheet count)",
        )
    if pass_text not in ("1", "2"):
        raise CsvProblem(line, f"pass {pass_text!r} must be 1 or 2")
    if flag.lower() not in FLAGS:
        raise CsvProblem(line, f"flag {flag!r} must be empty, blank or unreadable")
    blank, unreadable = FLAGS[flag.lower()]
    marks = parse_marks(marks_text, line)
    if blank and marks:
        raise CsvProblem(line, "the sheet is flagged blank but has marks")
    return SheetPass(
        line=line,
        sheet=sheet_number,
        pass_number=int(pass_text),
        marks=marks,
        blank=blank,
        unreadable=unreadable,
    )
