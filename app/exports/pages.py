"""The downloads at a page's address (`/processes/{id}/exports/{name}`): the same files and
the same rules as the API's (app/exports/files.py), read with the pages' staff cookie, so a
person's browser never needs an /api address. Refusals are pages, like every page's."""

from fastapi import APIRouter

from app.db import SessionDep
from app.errors import NotFound
from app.exports.files import DOWNLOADS
from app.ids import ProcessId
from app.web.deps import StaffFromCookie

router = APIRouter(include_in_schema=False)


@router.get("/processes/{process_id}/exports/{name}")
def download(session: SessionDep, staff: StaffFromCookie, name: str, process_id: int = ProcessId):
    found = DOWNLOADS.get(name)
    if found is None:
        raise NotFound(
            f"There is no file called {name[:40]!r}; the files are {', '.join(DOWNLOADS)}."
        )
    return found(session=session, user=staff, process_id=process_id)
