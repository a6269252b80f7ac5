"""The process id in a path: one validated type for every route and page."""

from fastapi import Path

ProcessId = Path(ge=1, le=2**31 - 1, description="The PB process id")
