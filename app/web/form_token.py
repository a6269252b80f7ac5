"""Forms that make something (an idea, an account, a site, a batch of codes, a check-in, …)
are recognised when they are sent again: Back + send, reload, a double click or a second tab
never make the thing twice.

The page that holds such a form names the form's instance in its own address, `?f=<token>`:
`form_page()` on its GET answers a 303 to the same address with a new token when it has none.
The form sends the token back in a hidden field (`{{ form_token() }}` in the template). Back
returns to the same address, so to the same token, whatever the browser restores of what was
typed. (A token made at each GET cannot do this: a private page is `no-store`, so Back fetches
it again, and the browser puts the typed text back into a form with a new token.)

On the POST, `claim()` inserts a `FormUse` row for (the token, the POST's path) in the
request's transaction, before the service is called. Its primary key lets one sending through;
another one, even at the same moment on another app instance, finds the row and is answered as
a repeat: `FormRepeat`, a 303 back to the page with a fresh form saying nothing was done twice
(a page may catch it to say more, e.g. which idea was shared). When the service refuses, the
refusal rolls the transaction back, the row with it, and the corrected form may be sent again.

The token is signed and carries the moment it was made: one older than LIFETIME (or none, or a
forged one) is refused as out of date (`FormExpired`); rows are kept a day longer, then deleted.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature
from jinja2 import pass_context
from markupsafe import Markup, escape
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.db import utcnow
from app.security import serializer
from app.web import flash, i18n
from app.web.models import FormUse

QUERY = "f"  # the page's address names its form instance
FIELD = "form_token"  # the form sends it back
LIFETIME = timedelta(days=7)
KEPT = LIFETIME + timedelta(days=1)


class FormRepeat(Exception):
    """This form instance was sent to this address already; `made_id` is what it made, and
    `made` (the page of what was made, with `{id}`; a catalog key) where to say so."""

    def __init__(self, page: str, made_id: int | None, made: tuple[str, str] | None = None) -> None:
        super().__init__(page)
        self.page = page
        self.made_id = made_id
        self.made = made


class FormExpired(Exception):
    """The form carries no token we made, or one older than LIFETIME."""

    def __init__(self, page: str) -> None:
        super().__init__(page)
        self.page = page


def _signer(request: Request):
    return serializer(request.app.state.settings.secret_key, "form-instance")


def new_token(request: Request) -> str:
    return make_token(request.app.state.settings.secret_key)


def make_token(secret_key: str) -> str:
    """A new form instance (what a page's `?f=` holds)."""
    payload = {"n": secrets.token_urlsafe(12), "t": int(utcnow().timestamp())}
    return serializer(secret_key, "form-instance").dumps(payload)


def _nonce(request: Request, token: str) -> str | None:
    """The token's random part, if we made it less than LIFETIME ago."""
    try:
        payload: Any = _signer(request).loads(token[:200])
    except BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), str):
        return None
    made = payload.get("t")
    if not isinstance(made, int) or made < (utcnow() - LIFETIME).timestamp():
        return None
    return payload["n"]


def fresh(request: Request, path: str, **query: str) -> str:
    """The address of the page `path` with a new form instance (a redirect's `to`)."""
    return f"{path}?{urlencode({**query, QUERY: new_token(request)})}"


def same(request: Request, path: str, form: dict[str, str], **query: str) -> str:
    """The address of the page `path` with the form instance that was just sent: where a
    refused form goes back to, to be corrected and sent once more."""
    token = form.get(FIELD, "")
    if _nonce(request, token) is None:
        return fresh(request, path, **query)
    return f"{path}?{urlencode({**query, QUERY: token})}"


def form_page(request: Request) -> RedirectResponse | None:
    """For the GET of a page holding a one-time form: None when its address names a form
    instance already, else the 303 to the same address that does."""
    if _nonce(request, request.query_params.get(QUERY, "")) is not None:
        return None
    query = [(k, v) for k, v in request.query_params.multi_items() if k != QUERY]
    query.append((QUERY, new_token(request)))
    return RedirectResponse(f"{request.url.path}?{urlencode(query)}", status_code=303)


def claim(
    request: Request,
    session: Any,
    form: dict[str, str],
    *,
    page: str,
    made: tuple[str, str] | None = None,
) -> FormUse:
    """Marks this form instance sent to this POST's address, in the request's transaction.
    `page`: the form's page (its path), where a repeat or an out-of-date form is answered;
    `made`: (the page of what the form makes, with `{id}`; the catalog key that says it was
    made already, with `{id}`), where a repeat is answered instead once the first sending
    made something. Raises FormRepeat or FormExpired; the caller sets `made_id` on the row."""
    token = form.get(FIELD, "")
    nonce = _nonce(request, token)
    if nonce is None:
        raise FormExpired(page)
    request.state.form_token = token  # a page drawn again at this POST keeps its instance
    key = hashlib.sha256(f"{nonce}\n{request.url.path}".encode()).hexdigest()
    now = utcnow()
    session.execute(delete(FormUse).where(FormUse.used_at < now - KEPT))
    use = FormUse(key=key, used_at=now)
    try:
        with session.begin_nested():
            session.add(use)
    except IntegrityError:
        first = session.execute(select(FormUse.made_id).where(FormUse.key == key)).scalar()
        raise FormRepeat(page, first, made) from None
    return use


@pass_context
def form_token_field(context: Any) -> Markup:
    """The hidden field that sends the page's form instance back (`{{ form_token() }}`)."""
    request = context["request"]
    token = request.query_params.get(QUERY) or getattr(request.state, "form_token", "")
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(token)}">')


def sent_already(request: Request, page: str, message: str) -> RedirectResponse:
    """The answer to a repeat: the page with a fresh form, and `message`."""
    return flash.redirect(request, fresh(request, page), message=message)


def install(app: FastAPI) -> None:
    """Repeats and out-of-date forms a page does not answer itself."""

    def said(request: Request, key: str, **values: object) -> str:
        return i18n.translate(i18n.pick_language(request), key, **values)

    @app.exception_handler(FormRepeat)
    async def _repeat(request: Request, exc: FormRepeat) -> RedirectResponse:
        if exc.made is not None and exc.made_id is not None:
            path, key = exc.made
            shown = said(request, key, id=exc.made_id)
            return flash.redirect(request, path.format(id=exc.made_id), message=shown)
        return sent_already(request, exc.page, said(request, "form.sent_already"))

    @app.exception_handler(FormExpired)
    async def _expired(request: Request, exc: FormExpired) -> RedirectResponse:
        to = fresh(request, exc.page)
        return flash.redirect(request, to, error=said(request, "form.expired"), status=409)
