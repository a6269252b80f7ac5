"""The resident's ballot page: rank up to ballot_size proposals, review, cast. No
JavaScript needed (app/web/static/ballot.js only enhances it: ranking by tapping cards).

The same steps (app/voting/ballot_steps.py) serve the vote page (`/processes/{id}/vote`)
and the kiosk (`/kiosk/ballot`, app/voting/station_pages.py), each a `BallotSurface`:

    form (GET) --POST step=review--> review (GET) --POST step=cast--> thank-you (GET)

Every POST answers 303 (post-redirect-get) while voting is open, and the fields travel to
the next GET in the draft cookie (app/voting/ballot_form.py): Back never meets a POST's
answer ("Confirm form resubmission"), a refused form is shown again at its GET with the
refusal's status and an error summary that links to each field to fix, and a language
switch (a button per language that posts the form) keeps everything typed. A POST without
`step` casts at once (the form as it was before the review step; the API's users).
The cast goes through the same casting code as the JSON API (one person, one ballot, the
same throttling and audit).
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.db import SessionDep, utcnow
from app.processes import service as processes
from app.results.service import is_published, official_of
from app.voting import service as voting
from app.voting.ballot_form import FormState
from app.voting.ballot_steps import BallotSurface, ballot_page, ballot_post, receipt_once
from app.voting.casting import cast_in_session
from app.voting.schemas import CredentialIn, IdentityIn
from app.web.deps import PageForm
from app.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/processes/{process_id}/vote", response_class=HTMLResponse)
def vote_page(request: Request, session: SessionDep, process_id: int):
    return ballot_page(request, session, _online(session, process_id))


@router.get("/processes/{process_id}/vote/review", response_class=HTMLResponse)
def vote_review(request: Request, session: SessionDep, process_id: int):
    return ballot_page(request, session, _online(session, process_id), review=True)


@router.post("/processes/{process_id}/vote", response_class=HTMLResponse)
def vote_submit(request: Request, session: SessionDep, process_id: int, fields: PageForm):
    surface = _online(session, process_id)

    def cast(form: FormState) -> str:
        return cast_in_session(
            request=request,
            session=session,
            settings=request.app.state.settings,
            process_id=process_id,
            credential=_credential(form, surface.credential),
            ranking=form.ranking,
        )

    return ballot_post(request, session, surface, fields, cast=cast)


def _online(session, process_id: int) -> BallotSurface:
    process = processes.get_process(session=session, process_id=process_id)
    kind = voting.get_rules(session=session, process_id=process_id).credential
    return BallotSurface.online(process, kind)


def _credential(form: FormState, kind: str) -> CredentialIn:
    identity = None
    if kind in ("identity", "both"):
        identity = IdentityIn(
            name=form.name, birth_date=form.birth_date or None, postal_code=form.postal_code
        )
    code = form.access_code if kind in ("code", "both") else None
    return CredentialIn(access_code=code or None, identity=identity)


# --- the thank-you page


@router.get("/processes/{process_id}/vote/done", response_class=HTMLResponse)
def vote_done(request: Request, session: SessionDep, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    return receipt_once(
        request,
        process,
        path=f"/processes/{process_id}/vote/done",
        elsewhere=f"/processes/{process_id}",
        action=f"/processes/{process_id}/vote",
    )


@router.get("/processes/{process_id}/receipt", response_class=HTMLResponse)
def receipt_page(request: Request, session: SessionDep, process_id: int, code: str = ""):
    process = processes.get_process(session=session, process_id=process_id)
    counted = None
    code = code.strip()[:64]
    if code:
        counted = voting.receipt_counted(
            session=session, settings=request.app.state.settings, process_id=process_id, code=code
        )
    # Every stored ballot is in the count frozen when the process entered funding; the
    # receipt says so once that count is published, and until then when it will be.
    frozen = official_of(session=session, process_id=process_id)
    public = is_published(frozen, utcnow())
    return render(
        request,
        "receipt.html",
        {
            "process": process,
            "code": code,
            "counted": counted,
            "official": bool(counted) and public,
            "publish_at": frozen.publish_at if frozen else None,
        },
        offered=process.languages,
    )
