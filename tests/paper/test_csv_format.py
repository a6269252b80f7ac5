import pytest

from app.paper.csv_format import MAX_BYTES, CsvProblem, parse_csv, parse_marks
from app.paper.interpret import Mark

GOOD = (
    b"sheet,pass,marks,flag\n"
    b"1,1,1:7 2:3 3:12,\n"
    b"1,2,1:7 2:3 3:12,\n"
    b"2,1,,blank\n"
    b"3,1,1:4 1:5,unreadable\n"
)


def test_a_good_file():
    rows = parse_csv(GOOD, declared_sheets=3)
    assert [(r.sheet, r.pass_number) for r in rows] == [(1, 1), (1, 2), (2, 1), (3, 1)]
    assert rows[0].marks == (Mark(1, 7), Mark(2, 3), Mark(3, 12))
    assert rows[2].blank and not rows[2].marks
    assert rows[3].unreadable and rows[3].marks == (Mark(1, 4), Mark(1, 5))
    assert rows[1].line == 3


def test_crlf_quoted_fields_and_blank_lines_are_fine():
    data = b'sheet,pass,marks,flag\r\n1,1,"1:7, 2:3",\r\n\r\n2,1,1:1,\r\n'
    rows = parse_csv(data, declared_sheets=2)
    assert rows[0].marks == (Mark(1, 7), Mark(2, 3)) and len(rows) == 2


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"", None, "empty"),
        (b"   \n", None, "empty"),
        (b"sheet,pass,marks,flag\n", None, "no sheets"),
        (b"\xef\xbb\xbfsheet,pass,marks,flag\n1,1,1:1,\n", 1, "byte-order mark"),
        ("sheet,pass,marks,flag\n1,1,1:1,\n2,1,1:2,señal\n".encode("latin-1"), 3, "not UTF-8"),
        (b"sheet,pass,ranking\n1,1,1:1\n", 1, "columns must be"),
        (b"sheet,pass,marks,flag\n1,1,1:1\n", 2, "4 ("),
        (b"sheet,pass,marks,flag\n0,1,1:1,\n", 2, "from 1 to 3"),
        (b"sheet,pass,marks,flag\n4,1,1:1,\n", 2, "from 1 to 3"),
        (b"sheet,pass,marks,flag\n1,3,1:1,\n", 2, "1 or 2"),
        (b"sheet,pass,marks,flag\n1,1,1-7,\n", 2, "rank:number"),
        (b"sheet,pass,marks,flag\n1,1,0:7,\n", 2, "rank 0"),
        (b"sheet,pass,marks,flag\n1,1,1:0,\n", 2, "not a ballot number"),
        (b"sheet,pass,marks,flag\n1,1,1:7,maybe\n", 2, "flag"),
        (b"sheet,pass,marks,flag\n1,1,1:7,blank\n", 2, "flagged blank"),
        (b"sheet,pass,marks,flag\n1,1,1:7,\n2,1,1:1,\n1,1,1:2,\n", 4, "already on line 2"),
        (b'sheet,pass,marks,flag\n1,1,"1:7,\n', 2, "CSV"),
    ],
)
def test_a_bad_file_is_refused_whole_and_names_its_line(data, line, words):
    with pytest.raises(CsvProblem) as problem:
        parse_csv(data, declared_sheets=3)
    assert problem.value.line == line
    assert words in problem.value.message
    if line:
        assert problem.value.message.startswith(f"line {line}: ")


def test_a_huge_file_is_refused():
    data = b"sheet,pass,marks,flag\n" + b"1,1,1:1,\n" * (MAX_BYTES // 8)
    with pytest.raises(CsvProblem, match="at most"):
        parse_csv(data, declared_sheets=1)


def test_marks_accept_commas_and_semicolons():
    assert parse_marks("1:7;2:3, 3:12") == (Mark(1, 7), Mark(2, 3), Mark(3, 12))
