import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import HANG_SECONDS

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # mypy
def test_the_counting_code_type_checks():
    """mypy over the pure modules listed in pyproject's [tool.mypy] files."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout
