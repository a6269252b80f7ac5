"""The downloads under /api (app/exports/files.py makes them).

Organizers may download from voting on (previews say so in their name); the ballots
and results are public once the count is official and an organizer has published it.
"""

from fastapi import APIRouter

from app.errors import Conflict, Forbidden, NotFound, error_responses
from app.exports.files import DOWNLOADS

router = APIRouter(prefix="/api/processes/{process_id}/exports", tags=["exports"])
_errors = error_responses(Forbidden, NotFound, Conflict)

for _name, _make in DOWNLOADS.items():
    router.get(f"/{_name}", responses=_errors)(_make)
