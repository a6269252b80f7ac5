"""The organizers' set-up pages of a process: create and edit it, its overview, the phase
change with its confirmation, the voting window while voting, publish (a draft is for
staff only), archive and copy.

Each page calls the same service functions as the API (app/processes/service.py), so the
same rules hold. Every POST answers 303 (app/web/flash.py): a refusal goes back to the form
with what was typed and a problem by field; a form that changes state carries what it was
made for (the phase it moves from, the window it changes, archived or not), so one sent again
after the change, from Back or another tab, changes nothing and says what happened; making a
process and copying one are one-time forms (app/web/form_token.py).
"""

from datetime import datetime
from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.audit import Actor
from app.db import SessionDep, utcnow
from app.errors import DomainError
from app.paper import service as paper
from app.processes import forms
from app.processes import service as processes
from app.processes.models import Process
from app.processes.phases import (
    COUNTING,
    PROCESS_RULES,
    VOTING_WINDOW_SET,
    Phase,
    differences,
    differences_key,
    guard_problems,
    next_phase,
)
from app.processes.schemas import CountFill, CountMethod, TieBreak
from app.proposals import service as proposals
from app.users.models import User
from app.voting import service as voting
from app.web import flash, form_token, i18n
from app.web.deps import OrganizerPage, PageForm, SameOrigin
from app.web.render import form_refusal, refusal, render, staff_language
from app.web.staff import bad_form, refused, said

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])

# The zones offered first: the United States' (where pbvote's residents mostly are), then
# a few others; "every time zone" lists the rest.
COMMON_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "UTC",
    "America/Toronto",
    "America/Mexico_City",
    "Europe/London",
    "Europe/Madrid",
    "Europe/Warsaw",
    "Asia/Ho_Chi_Minh",
)


def reason_said(language: str, reason: str, process: Process) -> str:
    """A guard's reason in the reader's words where it carries them (phases.Waiting)."""
    key = getattr(reason, "key", None)
    if key is None or i18n.translate(language, key) == key:
        return str(reason)
    values = {
        name: i18n.format_moment(language, v, process.time_zone) if isinstance(v, datetime) else v
        for name, v in reason.values.items()  # type: ignore[attr-defined]
    }
    return i18n.translate(language, key, **values)


def waiting_for(request: Request, session, process: Process, to: Phase | None) -> list[str]:
    if to is None:
        return []
    language = i18n.pick_language(request)
    return [
        reason_said(language, reason, process)
        for reason in guard_problems(session, process, to, utcnow())
    ]


def differences_for(
    request: Request, session, process: Process, to: Phase | None
) -> tuple[list[str], str]:
    """The differences a move to `to` must be acknowledged for, in the reader's words,
    and their fingerprint (the form carries it: the move refuses a note for other numbers)."""
    if to is None:
        return [], ""
    found = differences(session, process, to)
    language = i18n.pick_language(request)
    return [reason_said(language, d, process) for d in found], differences_key(found)


# --- the list ------------------------------------------------------------------------------


def process_list(request: Request, session, user: User, *, message=None, status_code=200):
    archived = request.query_params.get("archived") == "1"
    shown = processes.list_processes(session=session, archived=None if archived else False)
    cards = [
        {
            "process": process,
            "next": next_phase(Phase(process.phase)),
            "counts": processes.counts_of(session=session, process_id=process.id),
            "voters": voting.turnout(session=session, process_id=process.id)["voters"]
            if COUNTING.allows(process.phase)
            else None,
        }
        for process in shown
    ]
    return render(
        request,
        "organize.html",
        {"user": user, "cards": cards, "archived": archived, "message": message},
        status_code=status_code,
    )


# --- the overview of one process -----------------------------------------------------------


def overview_page(
    request: Request,
    session,
    user: User,
    process_id: int,
    *,
    message=None,
    error=None,
    status_code=200,
):
    process = processes.get_process(session=session, process_id=process_id)
    phase = Phase(process.phase)
    following = next_phase(phase)
    context: dict[str, Any] = {
        "user": user,
        "process": process,
        "tab": "",
        "next": following,
        "waiting": waiting_for(request, session, process, following),
        "differences": differences_for(request, session, process, following)[0],
        "counts": processes.counts_of(session=session, process_id=process.id),
        "changes": processes.window_changes(session=session, process_id=process.id),
        "message": message,
        "error": error,
    }
    if phase == Phase.proposal_development:
        context["proposals"] = proposals.list_proposals(
            session=session, process_id=process.id, staff=True
        )
    if COUNTING.allows(phase):
        context["turnout"] = voting.turnout(session=session, process_id=process.id)
        context["paper"] = paper.reconciliation(session=session, process_id=process.id)
        context["batches"] = paper.list_batches(session=session, process_id=process.id)
    return render(request, "processes/overview.html", context, status_code=status_code)


# --- create and edit -----------------------------------------------------------------------


def _zones(request: Request, current: str) -> list[str]:
    if request.query_params.get("zones") == "all":
        return sorted(available_timezones() | {"UTC"})
    return list(COMMON_ZONES) + ([current] if current not in COMMON_ZONES else [])


def _form_page(
    request: Request,
    *,
    user: User,
    process: Process | None,
    form: forms.ProcessForm,
    status_code: int = 200,
):
    language = i18n.pick_language(request)
    problems = {
        name: (i18n.translate(language, key) if key.startswith("setup.") else key)
        for name, key in form.problems.items()
    }
    phase = Phase(process.phase) if process else Phase.design
    zone = forms.zone_of(form.typed, process.time_zone if process else "America/New_York")
    return render(
        request,
        "processes/form.html",
        {
            "user": user,
            "process": process,
            "tab": "edit",
            "typed": form.typed,
            "problems": problems,
            "rules_open": PROCESS_RULES.allows(phase),
            "window_open": VOTING_WINDOW_SET.allows(phase),
            "closed": phase == Phase.closed,
            "zone": zone,
            "zones": _zones(request, zone),
            "all_languages": _offered(process),
            "translated": _translated(process),
            "methods": [m.value for m in CountMethod],
            "fills": [f.value for f in CountFill],
            "tie_breaks": [t.value for t in TieBreak],
        },
        status_code=status_code,
    )


def _offered(process: Process | None) -> list[str]:
    """The languages a process may have: those pbvote has catalogs for, and its own."""
    return sorted(set(i18n.available()) | set(process.languages if process else []))


def _translated(process: Process | None) -> list[str]:
    """The languages whose name and description the form asks for, beside English."""
    return [code for code in _offered(process) if code != i18n.DEFAULT]


def _refused(request: Request, session, form: forms.ProcessForm) -> None:
    """Audits the form's first problem as the organizer's refusal, rolling back."""
    first = next(iter(form.problems))
    key = form.problems[first]
    form_refusal(
        request,
        said(request, key) if key.startswith("setup.") else key,
        session=session,
        field=first,
    )


def _service_problem(request: Request, session, form: forms.ProcessForm, exc: DomainError):
    words = refusal(request, exc, staff_language(request), session=session)
    where = forms.FORM_FIELD.get(exc.field or "", exc.field or "form")
    if exc.code == "rules_frozen" and exc.field == "time_zone":
        form.problems[where] = "setup.error.zone_frozen"
    elif exc.code == "rules_frozen":
        form.problems[where] = "setup.error.rules_frozen"
    elif exc.code == "window_unusual":
        form.problems["confirm_window"] = f"setup.error.window_{exc.extra['problem']}_confirm"
        form.typed.pop("confirm_window", None)
    elif exc.code == "invalid_window":
        form.problems["closes"] = "setup.error.window"
    elif exc.code == "invalid_rules":
        field = where if where in forms.PROBLEM else "count_seats"
        form.problems[field] = forms.PROBLEM[field]
    else:
        form.problems[where] = words


def _sent_back(request: Request, form: forms.ProcessForm | None) -> forms.ProcessForm | None:
    """The process form as a refused POST left it for this GET (typed, problems), if any."""
    said_again, _ = flash.shown(request)
    kept = said_again.get("process_form")
    if form is not None or not isinstance(kept, dict):
        return form
    return forms.ProcessForm(typed=kept.get("typed", {}), problems=kept.get("problems", {}))


def _refused_form(request: Request, session, to: str, form: forms.ProcessForm, status: int):
    """Back to the form `to` with what was typed and the problem of each field."""
    kept = {"typed": form.typed, "problems": form.problems}
    return flash.redirect(
        request, to, session=session, sealed={"process_form": kept}, status=status
    )


NEW = "/organize/processes/new"


@router.get(NEW, response_class=HTMLResponse)
def new_process(request: Request, session: SessionDep, user: OrganizerPage):
    if instance := form_token.form_page(request):
        return instance
    if kept := _sent_back(request, None):
        return _form_page(request, user=user, process=None, form=kept)
    typed = {
        "currency": "USD",
        "ballot_size": "5",
        "time_zone": "America/New_York",
        "count_method": "borda",
        "count_fill": "skip",
        "count_min_support": "votes:1",
        "tie_break": "seeded",
        **{f"language_{code}": "on" for code in ("en", "es", "vi") if code in i18n.available()},
    }
    return _form_page(request, user=user, process=None, form=forms.ProcessForm(typed=typed))


@router.post(NEW, response_class=HTMLResponse, dependencies=[SameOrigin])
def create(request: Request, session: SessionDep, user: OrganizerPage, typed: PageForm):
    form = forms.read(
        {k: v for k, v in typed.items() if k != form_token.FIELD} | {"languages_shown": "1"},
        languages=_offered(None),
        translated=_translated(None),
        zone="America/New_York",
    )
    again = form_token.same(request, NEW, typed)
    data = forms.create_data(form)
    if data is None:
        _refused(request, session, form)
        return _refused_form(request, session, again, form, 422)
    made = ("/organize/processes/{id}", "setup.created_already")
    use = form_token.claim(request, session, typed, page=NEW, made=made)
    try:
        process = processes.create_process(session=session, actor=Actor.of(user), data=data)
    except DomainError as exc:
        _service_problem(request, session, form, exc)
        return _refused_form(request, session, again, form, exc.status_code)
    use.made_id = process.id
    return flash.redirect(
        request, f"/organize/processes/{process.id}", message=said(request, "setup.created")
    )


# After /organize/processes/new, which it would otherwise take for a process id.
@router.get("/organize/processes/{process_id}", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep, user: OrganizerPage, process_id: int):
    if instance := form_token.form_page(request):  # the copy form is a one-time form
        return instance
    return overview_page(request, session, user, process_id)


@router.get("/organize/processes/{process_id}/edit", response_class=HTMLResponse)
def edit_process(request: Request, session: SessionDep, user: OrganizerPage, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    typed = forms.form_of(process, _translated(process))
    form = _sent_back(request, None) or forms.ProcessForm(typed=typed)
    return _form_page(request, user=user, process=process, form=form)


@router.post(
    "/organize/processes/{process_id}/edit",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def update(
    request: Request, session: SessionDep, user: OrganizerPage, typed: PageForm, process_id: int
):
    process = processes.get_process(session=session, process_id=process_id)
    phase = Phase(process.phase)
    form = forms.read(
        typed,
        languages=_offered(process),
        translated=_translated(process),
        zone=process.time_zone,
        translations=process.translations,
    )
    changes = forms.update_data(
        form,
        process,
        rules_open=PROCESS_RULES.allows(phase),
        window_open=VOTING_WINDOW_SET.allows(phase),
    )
    edit = f"/organize/processes/{process_id}/edit"
    if changes is None:
        _refused(request, session, form)
        return _refused_form(request, session, edit, form, 422)
    try:
        processes.update_process(
            session=session, actor=Actor.of(user), process_id=process_id, changes=changes
        )
    except DomainError as exc:
        _service_problem(request, session, form, exc)
        return _refused_form(request, session, edit, form, exc.status_code)
    saved = said(request, "setup.saved")
    return flash.redirect(request, f"/organize/processes/{process_id}", message=saved)


# --- the phase change, confirmed -----------------------------------------------------------


def _phase_page(
    request: Request,
    session,
    user: User,
    process_id: int,
    *,
    error=None,
    status_code: int = 200,
):
    process = processes.get_process(session=session, process_id=process_id)
    following = next_phase(Phase(process.phase))
    found, seen = differences_for(request, session, process, following)
    return render(
        request,
        "processes/phase.html",
        {
            "user": user,
            "process": process,
            "tab": "",
            "next": following,
            "waiting": waiting_for(request, session, process, following),
            "differences": found,
            "seen": seen,
            "error": error,
            # A refused form's reason and note come back through the flash.
            "reason": "",
            "note": "",
        },
        status_code=status_code,
    )


@router.get("/organize/processes/{process_id}/phase", response_class=HTMLResponse)
def phase_page(request: Request, session: SessionDep, user: OrganizerPage, process_id: int):
    return _phase_page(request, session, user, process_id)


@router.post(
    "/organize/processes/{process_id}/phase",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def move(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    """The confirmed step to the next phase.
    The form carries the phase it moves from: sent again once the process has moved (Back,
    reload, another tab), it changes nothing and says where the process is."""
    to, reason = form.get("to", ""), form.get("reason", "").strip()[:2000]
    note = form.get("note", "").strip()[:4000]
    process = processes.get_process(session=session, process_id=process_id)
    overview_address = f"/organize/processes/{process_id}"
    if form.get("from") != process.phase:
        now = said(
            request, "setup.phase_moved_already", phase=said(request, f"phase.{process.phase}")
        )
        return flash.redirect(request, overview_address, message=now)
    typed = {name: text for name, text in (("reason", reason), ("note", note)) if text}
    page = flash.back(
        request,
        f"/organize/processes/{process_id}/phase",
        session=session,
        sealed=typed or None,
    )
    if not reason or to not in Phase.__members__:
        return bad_form(request, "organize.reason_needed", session=session, page=page)
    try:
        processes.transition(
            session=session,
            actor=Actor.of(user),
            process_id=process_id,
            to=Phase(to),
            reason=reason,
            note=note,
            seen=form.get("seen"),
        )
    except DomainError as exc:
        if exc.field == "note":  # said beside the note, where it is written
            error = refusal(request, exc, staff_language(request), session=session)
            key = f"count.diff.{exc.code}"
            words = said(request, key) if i18n.translate("en", key) != key else error
            return page(error=words, note_problem=words, status_code=exc.status_code)
        return refused(request, exc, session=session, page=page)
    moved = said(request, "organize.moved", process=process_id, phase=said(request, f"phase.{to}"))
    return flash.redirect(request, overview_address, message=moved)


# --- the voting window while voting --------------------------------------------------------


def _window_page(
    request: Request,
    session,
    user: User,
    process_id: int,
    *,
    typed=None,
    problems=None,
    message=None,
    status_code: int = 200,
):
    process = processes.get_process(session=session, process_id=process_id)
    if typed is None:
        window = ("opens_", "closes_")
        typed = {k: v for k, v in forms.form_of(process, []).items() if k.startswith(window)}
    return render(
        request,
        "processes/window.html",
        {
            "user": user,
            "process": process,
            "tab": "",
            "typed": typed,
            "problems": problems or {},
            "changes": processes.window_changes(session=session, process_id=process.id),
            "opening_ahead": bool(process.voting_opens_at and process.voting_opens_at > utcnow()),
            # The sites whose hours end with the window: an extension offers to move them.
            "closing_with_window": processes.sites_closing_at(
                session=session, process_id=process.id, at=process.voting_closes_at
            )
            if process.voting_closes_at
            else [],
            "was": processes.window_of(process),
            "message": message,
        },
        status_code=status_code,
    )


@router.get("/organize/processes/{process_id}/window", response_class=HTMLResponse)
def window_page(request: Request, session: SessionDep, user: OrganizerPage, process_id: int):
    return _window_page(request, session, user, process_id)


@router.post(
    "/organize/processes/{process_id}/window",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def move_window(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    """The form carries the window it was made for (`was`): sent again once the window has
    changed (Back, reload, another tab), it changes nothing and says what the window is (the
    service compares it with the window under the lock)."""
    process = processes.get_process(session=session, process_id=process_id)
    window_address = f"/organize/processes/{process_id}/window"
    names = ("opens_date", "opens_time", "closes_date", "closes_time", "reason")
    typed = {k: form.get(k, "")[:2000] for k in names}
    typed["move_sites"] = "1" if form.get("move_sites") == "1" else "0"
    page = flash.back(request, window_address, session=session, sealed={"typed": typed})
    problems = {}
    end_now = form.get("end_now") == "1"  # "End voting now": the close is this moment
    moments = {}
    for which in ("opens", "closes"):
        if end_now and which == "closes":
            continue
        try:
            moments[which] = forms.local_moment(
                typed[f"{which}_date"], typed[f"{which}_time"], process.time_zone
            )
        except ValueError:
            problems[which] = said(request, "setup.error.moment")
    closes = moments.get("closes")
    if closes is None and not end_now:
        problems.setdefault("closes", said(request, "setup.error.moment"))
    if not typed["reason"].strip():
        problems["reason"] = said(request, "setup.error.window_reason")
    if problems:
        form_refusal(request, next(iter(problems.values())), session=session)
        return page(error=None, problems=problems, status_code=422)
    try:
        processes.change_window(
            session=session,
            actor=Actor.of(user),
            process_id=process_id,
            closes_at=None if end_now else closes,
            opens_at=moments.get("opens"),
            reason=typed["reason"],
            made_for=form.get("was", ""),
            move_site_hours=typed["move_sites"] == "1",
        )
    except DomainError as exc:
        if exc.code == "window_changed":
            refusal(request, exc, staff_language(request), session=session)
            changed = {"form": said(request, "setup.window_changed_since")}
            return flash.redirect(request, window_address, problems=changed, status=409)
        words = refusal(request, exc, staff_language(request), session=session)
        key = {"window_in_past": "setup.error.window_past", "invalid_window": "setup.error.window"}
        problem = said(request, key[exc.code]) if exc.code in key else words
        field = {"reason": "reason", "voting_opens_at": "opens"}.get(exc.field or "", "closes")
        return page(error=None, problems={field: problem}, status_code=exc.status_code)
    process = processes.get_process(session=session, process_id=process_id)
    message = said(
        request,
        "setup.window_moved",
        when=i18n.format_moment(
            i18n.pick_language(request), process.voting_closes_at, process.time_zone
        ),
    )
    if typed["move_sites"] == "1" and process.voting_closes_at:
        with_window = processes.sites_closing_at(
            session=session, process_id=process_id, at=process.voting_closes_at
        )
        if with_window:
            message += " " + said(request, "setup.sites_moved", n=len(with_window))
    return flash.redirect(request, window_address, message=message)


# --- archive and copy ------------------------------------------------------------------------


@router.post(
    "/organize/processes/{process_id}/archive",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def archive(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    """`archived` is the state the form asks for: sent again, it finds it so and says so."""
    archived = form.get("archived", "1") != "0"
    overview_address = f"/organize/processes/{process_id}"
    process = processes.get_process(session=session, process_id=process_id)
    if (process.archived_at is not None) == archived:
        key = "setup.archived_already" if archived else "setup.unarchived_already"
        return flash.redirect(request, overview_address, message=said(request, key))
    try:
        processes.archive_process(
            session=session,
            actor=Actor.of(user),
            process_id=process_id,
            archived=archived,
            reason=form.get("reason", "")[:2000],
        )
    except DomainError as exc:
        return refused(request, exc, session=session, page=flash.back(request, overview_address))
    key = "setup.archived" if archived else "setup.unarchived"
    return flash.redirect(request, overview_address, message=said(request, key))


@router.post(
    "/organize/processes/{process_id}/publish",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def publish(request: Request, session: SessionDep, user: OrganizerPage, process_id: int):
    """Publish a draft; sent again (Back, another tab), it finds it published and says so."""
    overview_address = f"/organize/processes/{process_id}"
    process = processes.get_process(session=session, process_id=process_id)
    if process.published_at is not None:
        return flash.redirect(
            request, overview_address, message=said(request, "setup.published_already")
        )
    try:
        processes.publish_process(session=session, actor=Actor.of(user), process_id=process_id)
    except DomainError as exc:
        return refused(request, exc, session=session, page=flash.back(request, overview_address))
    return flash.redirect(request, overview_address, message=said(request, "setup.published"))


@router.post(
    "/organize/processes/{process_id}/copy",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def copy(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    """A one-time form: sent again (Back, reload), it makes no second copy."""
    name = form.get("name", "").strip()
    overview_address = f"/organize/processes/{process_id}"
    page = flash.back(request, form_token.same(request, overview_address, form))
    if not name or len(name) > 200:
        error = form_refusal(
            request, said(request, "setup.error.name"), session=session, field="name"
        )
        return page(error=error, status_code=422)
    copied_already = ("/organize/processes/{id}/edit", "setup.copied_already")
    use = form_token.claim(request, session, form, page=overview_address, made=copied_already)
    source = processes.get_process(session=session, process_id=process_id)
    names = {
        code: form.get(f"copy_name_{code}", "").strip()[:200]
        for code in source.languages
        if code != i18n.DEFAULT and form.get(f"copy_name_{code}", "").strip()
    }
    try:
        made = processes.copy_process(
            session=session, actor=Actor.of(user), process_id=process_id, name=name, names=names
        )
    except DomainError as exc:
        return refused(request, exc, session=session, page=page)
    use.made_id = made.id
    copied = said(request, "setup.copied", name=name)
    unnamed = [c for c in made.languages if c != i18n.DEFAULT and c not in made.translations]
    if unnamed:
        listed = ", ".join(i18n.display_name(code) for code in unnamed)
        copied += " " + said(request, "setup.copied_unnamed", languages=listed)
    return flash.redirect(request, f"/organize/processes/{made.id}/edit", message=copied)


@router.get("/organize", response_class=HTMLResponse)
def organize(request: Request, session: SessionDep, user: OrganizerPage):
    return process_list(request, session, user)
