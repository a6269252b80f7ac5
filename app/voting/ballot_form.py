"""The resident's ballot form, shared by the vote page and the kiosk: its fields, the
mistakes found before casting (each tied to the field to fix), and the draft that carries
the fields from one page to the next (review, a language switch, a refusal shown again).

The draft is an encrypted cookie (app/web/flash.py `encrypt`: the name, birth date, ZIP
code and ranking are never readable in it) for the ballot's own path only
(`/processes/{id}/vote` or `/kiosk`), HttpOnly and SameSite=Strict. It is a session
cookie (a closed browser forgets it) and holds its own expiry, DRAFT_SECONDS after the
voter last did something on the ballot (each page of it renews it): left idle longer, it
is emptied and the form says so. It is cleared when the ballot is cast or the kiosk
starts the next voter: every page after a POST is a GET (post-redirect-get), so Back
never resends a form, and after casting finds nothing. See docs/secret-ballot.md.
"""

from dataclasses import asdict, dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.db import utcnow
from app.digits import parse_count
from app.web.flash import decrypt, encrypt
from app.web.private import clear_cookie, set_cookie

DRAFT_COOKIE = "pbvote_draft"
DRAFT_SECONDS = 20 * 60


@dataclass
class FormState:
    access_code: str = ""
    name: str = ""
    birth_date: str = ""
    postal_code: str = ""
    choices: list[int | None] = field(default_factory=list)  # one per rank, None if empty

    @property
    def ranking(self) -> list[int]:
        return [c for c in self.choices if c is not None]

    def choice(self, n: int) -> int | None:
        return self.choices[n - 1] if n <= len(self.choices) else None

    def without_credential(self) -> "FormState":
        return FormState(choices=list(self.choices))


@dataclass
class FieldError:
    """A mistake to fix: `field` is the id of the form field it is about (or None)."""

    field: str | None
    message: str


def form_state(fields: dict[str, str], ballot_size: int) -> FormState:
    choices = [parse_count(fields.get(f"rank_{n}")) for n in range(1, ballot_size + 1)]
    while choices and choices[-1] is None:
        choices.pop()
    return FormState(
        access_code=fields.get("access_code", "").strip()[:40],
        name=fields.get("name", "").strip()[:200],
        birth_date=fields.get("birth_date", "").strip()[:10],
        postal_code=fields.get("postal_code", "").strip()[:20],
        choices=choices,
    )


def ballot_mistakes(form: FormState, titles: dict[int, str], t) -> list[FieldError]:
    """What is wrong with the ranking, said per choice: a project chosen twice, an empty
    choice before a filled one, a project not on the ballot, nothing chosen."""
    mistakes: list[FieldError] = []
    if not form.ranking:
        return [FieldError("rank_1", t("vote.err_none"))]
    last = max(n for n, c in enumerate(form.choices, start=1) if c is not None)
    first_at: dict[int, int] = {}
    for n, chosen in enumerate(form.choices, start=1):
        if chosen is None:
            if n < last:
                mistakes.append(FieldError(f"rank_{n}", t("vote.err_skipped", n=n, later=last)))
        elif chosen not in titles:
            mistakes.append(FieldError(f"rank_{n}", t("vote.err_unknown", n=n)))
        elif chosen in first_at:
            said = t("vote.err_duplicate", a=first_at[chosen], b=n, title=titles[chosen])
            mistakes.append(FieldError(f"rank_{n}", said))
        else:
            first_at[chosen] = n
    return mistakes


def credential_mistakes(form: FormState, credential: str, t) -> list[FieldError]:
    """Fields of the voter's credential left empty (the service checks what is filled)."""
    wanted = []
    if credential in ("code", "both"):
        wanted.append(("access_code", form.access_code))
    if credential in ("identity", "both"):
        wanted += [
            ("name", form.name),
            ("birth_date", form.birth_date),
            ("postal_code", form.postal_code),
        ]
    return [FieldError(name, t(f"vote.err_{name}")) for name, value in wanted if not value]


# --- the draft


def _secret(request: Request) -> str:
    return request.app.state.settings.secret_key


def save_draft(
    request: Request,
    response: Response,
    *,
    path: str,
    form: FormState,
    errors: list[FieldError] = (),  # type: ignore[assignment]
    status: int = 200,
) -> None:
    expires = int(utcnow().timestamp()) + DRAFT_SECONDS
    payload = {
        "path": path,
        "exp": expires,
        "form": asdict(form),
        "errors": [asdict(e) for e in errors],
        "status": status,
    }
    token = encrypt(_secret(request), "ballot-draft", payload)
    set_cookie(request, response, DRAFT_COOKIE, token, max_age=None, path=path)


@dataclass
class Draft:
    form: FormState
    errors: list[FieldError]
    status: int
    expired: bool = False  # left idle too long: emptied, and the page says why


def read_draft(request: Request, *, path: str) -> Draft | None:
    payload: Any = decrypt(_secret(request), "ballot-draft", request.cookies.get(DRAFT_COOKIE, ""))
    if not isinstance(payload, dict) or payload.get("path") != path:
        return None
    if payload.get("exp", 0) <= utcnow().timestamp():
        return Draft(form=FormState(), errors=[], status=200, expired=True)
    try:
        raw = payload["form"]
        form = FormState(
            access_code=str(raw["access_code"]),
            name=str(raw["name"]),
            birth_date=str(raw["birth_date"]),
            postal_code=str(raw["postal_code"]),
            choices=[c if isinstance(c, int) else None for c in raw["choices"]],
        )
        errors = [FieldError(e["field"], str(e["message"])) for e in payload["errors"]]
        return Draft(form=form, errors=errors, status=int(payload["status"]))
    except (KeyError, TypeError, ValueError):
        return None


def clear_draft(request: Request, response: Response, *, path: str) -> None:
    if DRAFT_COOKIE in request.cookies:
        clear_cookie(request, response, DRAFT_COOKIE, path=path)
