"""The downloads at a page's address (`/processes/{id}/exports/{name}`): the same files and
the same rules as the API's (app/exports/router.py), read with the pages' staff cookie, so a
person's browser never needs an /api address. Refusals are pages, like every page's."""

from fastapi import APIRouter, Path

from app.db import SessionDep
from app.errors import NotFound
from app.exports import router as files
from app.web.deps import StaffFromCookie

router = APIRouter(include_in_schema=False)
DOWNLOADS = {
    "ballots.pb": files.ballots_pb,
    "ballots.csv": files.ballots_csv,
    "results.json": files.results_json,
    "results.csv": files.results_csv,
    "proposals.csv": files.proposals_csv,
    "ideas.csv": files.ideas_csv,
}


@router.get("/processes/{process_id}/exports/{name}")
def download(session: SessionDep, staff: StaffFromCookie, name: str, process_id: int = Path(ge=1)):
    found = DOWNLOADS.get(name)
    if found is None:
        raise NotFound(
            f"There is no file called {name[:40]!r}; the files are {', '.join(DOWNLOADS)}."
        )
    return found(session=session, user=staff, process_id=process_id)
