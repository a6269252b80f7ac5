"""Organizers' paper page: the process's batches, excluding one with a reason, and the
import of a batch's typed-in sheets from a CSV file (a multipart upload: its path is in
UPLOAD_PATHS, app/main.py, so the large-body limit applies). The same services as the API:
one bad row refuses the whole file and nothing is stored. Every POST answers 303 to the
page (app/web/flash.py); a file loaded again is recognised by the service (nothing twice),
and excluding a batch excluded already says so."""

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from app.db import SessionDep
from app.digits import parse_count
from app.errors import DomainError, NotFound
from app.paper import service as paper
from app.paper.csv_format import COLUMNS, MAX_ROWS
from app.processes import service as processes
from app.processes.models import Process
from app.web import flash
from app.web.deps import OrganizerPage, PageForm, SameOrigin
from app.web.render import render
from app.web.staff import bad_form, refused, said

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])


async def upload_form(request: Request) -> tuple[dict[str, str], bytes | None]:
    """A multipart form's text fields and its `file` (the body is whole already)."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    upload = form.get("file")
    data = await upload.read() if isinstance(upload, UploadFile) else None
    return fields, data


UploadForm = Annotated[tuple[dict[str, str], bytes | None], Depends(upload_form)]


def _page(
    request: Request,
    session,
    process: Process,
    *,
    message: str | None = None,
    report: paper.ImportResult | None = None,
    error: str | None = None,
    status_code: int = 200,
):
    batches = paper.list_batches(session=session, process_id=process.id)
    return render(
        request,
        "staff/paper.html",
        {
            "process": process,
            "tab": "paper",
            "batches": [(b, paper.sheet_counts(session=session, batch=b)) for b in batches],
            "open_batches": [b for b in batches if b.status == "open"],
            "sites": {
                row["site_id"]: row["site_name"]
                for row in paper.reconciliation(session=session, process_id=process.id)["sites"]
            },
            "columns": ",".join(COLUMNS),
            "max_rows": MAX_ROWS,
            "message": message,
            "report": report,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/organize/processes/{process_id}/paper", response_class=HTMLResponse)
def paper_page(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    return _page(request, session, processes.get_process(session=session, process_id=process_id))


@router.post(
    "/organize/processes/{process_id}/paper/exclude",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def exclude(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    process = processes.get_process(session=session, process_id=process_id)
    address = _address(process)
    page = flash.back(request, address)
    batch_id = parse_count(form.get("batch"))
    reason = form.get("reason", "").strip()[:2000]
    if batch_id is None or len(reason) < 3:
        return bad_form(request, "paper_page.exclude_needed", session=session, page=page)
    try:
        batch = _of_process(session, process, batch_id)
        if batch.status == "excluded":  # sent again (Back, reload): nothing more to do
            done = said(request, "paper_page.excluded_already", batch=batch_id)
            return flash.redirect(request, address, message=done)
        paper.exclude_batch(session=session, user=user, batch_id=batch_id, reason=reason)
    except DomainError as exc:
        return refused(request, exc, session=session, page=page)
    return flash.redirect(
        request, address, message=said(request, "paper_page.excluded", batch=batch_id)
    )


@router.post(
    "/organize/processes/{process_id}/paper/import",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def import_csv(
    request: Request,
    session: SessionDep,
    user: OrganizerPage,
    upload: UploadForm,
    process_id: int,
):
    process = processes.get_process(session=session, process_id=process_id)
    page = flash.back(request, _address(process))
    fields, data = upload
    batch_id = parse_count(fields.get("batch"))
    if batch_id is None or not data:
        return bad_form(request, "paper_page.import_needed", session=session, page=page)
    try:
        _of_process(session, process, batch_id)
        report = paper.import_csv(session=session, user=user, batch_id=batch_id, data=data)
    except DomainError as exc:  # a bad file: its line and what is wrong there
        return refused(request, exc, session=session, page=page)
    return flash.redirect(
        request,
        _address(process),
        message=said(request, "paper_page.imported", batch=batch_id),
        report=dataclasses.asdict(report),
    )


def _address(process: Process) -> str:
    return f"/organize/processes/{process.id}/paper"


def _of_process(session, process: Process, batch_id: int):
    """The batch; one of another process is not this page's to change."""
    batch = paper.get_batch(session=session, batch_id=batch_id)
    if batch.process_id != process.id:
        raise NotFound(f"There is no paper batch {batch_id} in this process.", field="batch")
    return batch
