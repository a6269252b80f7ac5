"""Row ids as the API and the pages take them: whole numbers from 1 to MAX_ID (the
database keeps ids in 32 bits, so a larger one names no row). Imports nothing of app."""

from typing import Annotated, Any

from fastapi import Path
from pydantic import Field, StrictInt

MAX_ID = 2**31 - 1

# An id in a JSON body: a whole number (not text, not a float) in range.
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


def path_id(description: str | None = None) -> Any:
    """An id in the address (`process_id: int = ProcessId`)."""
    return Path(ge=1, le=MAX_ID, description=description)


ProcessId = path_id("The PB process id")
SiteId = path_id("The site id")
UserId = path_id("The staff account's id")
IdeaId = path_id("The idea id")
ProposalId = path_id("The proposal id")
BatchId = path_id("The paper batch id")
