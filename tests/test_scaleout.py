"""scripts/scaleout.py, run in a tiny configuration so it cannot rot.

Two instances on a fresh PostgreSQL database, 1,000 codes, about ten seconds of voting
with one instance killed (SIGKILL) and started again: the script must pass every one of
its checks (acknowledged ballots stored, no double vote, funding, recount) and clean up.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_ADMIN_URL, _require
from tests.helpers import HANG_SECONDS

ROOT = Path(__file__).resolve().parent.parent


def _scaleout_databases() -> set[str]:
    engine = create_engine(PG_ADMIN_URL)
    with engine.connect() as conn:
        names = conn.execute(
            text("SELECT datname FROM pg_database WHERE datname LIKE 'pbvote_scaleout_%'")
        ).scalars()
        found = set(names)
    engine.dispose()
    return found


@pytest.mark.pg
@pytest.mark.slow
def test_scaleout_script_passes_its_checks_and_cleans_up(tmp_path):
    _require("postgresql")
    before = _scaleout_databases()
    figures = tmp_path / "figures.json"
    run = subprocess.run(
        [
            sys.executable,
            "scripts/scaleout.py",
            "--pg-url",
            PG_ADMIN_URL,
            "--codes",
            "1000",
            "--minutes",
            "0.15",
            "--instances",
            "2",
            "--workers",
            "1",
            "--clients",
            "16",
            "--kill-at",
            "0.3",
            "--down",
            "1",
            "--json",
            str(figures),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    report = json.loads(figures.read_text())
    assert report["checks"] and all(report["checks"].values()), report["checks"]
    assert report["checks"]["instance killed and back"]
    assert report["checks"]["pbvote tally recount = official result"]
    assert report["figures"]["ballots acknowledged (201)"] > 0
    assert report["figures"]["ballots stored"] >= report["figures"]["ballots acknowledged (201)"]
    assert "all checks passed" in run.stdout
    assert _scaleout_databases() <= before  # its database is dropped
