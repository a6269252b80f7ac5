"""Rendering pages: templates, the visitor's language, money, and refusals said on a page."""

from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from app.errors import BadInput, DomainError
from app.processes.phases import ORDER
from app.refusals import audit_refusal
from app.security import STAFF_COOKIE, sign_out_token
from app.tally.errors import TallyError
from app.tally.rules import MinSupport
from app.web import flash, form_token, i18n

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


@pass_context
def money(context: Any, cents: int, currency: str = "USD") -> str:
    return i18n.format_money(context.get("lang", i18n.DEFAULT), cents, currency)


@pass_context
def money_shape(context: Any, currency: str = "USD") -> dict[str, str]:
    """`money`'s way of writing amounts, for a script (data-* attributes)."""
    return i18n.money_shape(context.get("lang", i18n.DEFAULT), currency)


@pass_context
def number(context: Any, n: int) -> str:
    return i18n.format_number(context.get("lang", i18n.DEFAULT), n)


@pass_context
def day(context: Any, when: Any, zone: str | None = None) -> str:
    return i18n.format_day(context.get("lang", i18n.DEFAULT), when, zone)


@pass_context
def moment(context: Any, when: Any, zone: str | None = None) -> str:
    """A date and time in the process's time zone (`{{ at|moment(process.time_zone) }}`)."""
    return i18n.format_moment(context.get("lang", i18n.DEFAULT), when, zone)


@pass_context
def localized(context: Any, thing: Any, field: str) -> Any:
    """A process's, site's or criterion's name or description in the reader's language
    where the city wrote one (`thing` may be a row or a dict with the same keys)."""
    read = thing.get if isinstance(thing, dict) else partial(getattr, thing)
    own = (read("translations", None) or {}).get(context.get("lang"), {})
    return own.get(field) or read(field, None)


STAFF_HOMES = {"organizer": "/organize", "delegate": "/delegate"}


@pass_context
def signed_in(context: Any) -> dict[str, str] | None:
    """Who this page's staff cookie signed in (read by the page: app/auth.py), for the
    header's name and sign-out: their name, their home page and the sign-out form's token."""
    request = context["request"]
    staff = getattr(request.state, "staff", None)
    token = request.cookies.get(STAFF_COOKIE)
    if staff is None or not token:
        return None
    secret_key = request.app.state.settings.secret_key
    return {
        "name": staff["name"],
        "home": STAFF_HOMES.get(staff["role"], "/station"),
        "sign_out_token": sign_out_token(secret_key=secret_key, staff_token=token),
    }


templates.env.filters.update(
    money=money, number=number, day=day, moment=moment, localized=localized
)
templates.env.globals["PHASES"] = ORDER
templates.env.globals["money_shape"] = money_shape
templates.env.globals["language_name"] = i18n.display_name  # a menu: each in itself


@pass_context
def _language_in_sentence(context: Any, code: str) -> str:
    return i18n.name_in(code, context["lang"])


templates.env.globals["language_in"] = _language_in_sentence  # inside the reader's sentence
templates.env.globals["direction"] = i18n.direction


@pass_context
def _arrow(context: Any, way: str) -> str:
    """An arrow pointing back or onward in the reader's direction (an arrow is not mirrored
    by the bidirectional algorithm: "←" in Arabic would point onward)."""
    back = way == "back"
    rtl = i18n.direction(context["lang"]) == "rtl"
    return "→" if back == rtl else "←"


templates.env.globals["arrow"] = _arrow


@pass_context
def _support_words(context: Any, text: str) -> str:
    """A count rule's minimum support ("votes:5%") in the reader's words."""
    try:
        support = MinSupport.parse(text or "")
    except TallyError:
        return text
    amount = support.amount
    n = int(amount) if amount.denominator == 1 else float(amount)
    key = f"setup.min_support.{support.kind}{'_share' if support.percent else ''}"
    return i18n.translate(context["lang"], key, n=n)


templates.env.filters["support_words"] = _support_words
templates.env.globals["form_token"] = form_token.form_token_field
templates.env.globals["signed_in"] = signed_in


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    offered: list[str] | None = None,
    status_code: int = 200,
    remember_language: bool = True,
) -> HTMLResponse:
    """A page in the visitor's language; `offered` limits it to a process's languages.
    What the form sent before this GET said (app/web/flash.py) is added to `context`, once.
    A `?lang=` choice is remembered (a cookie) unless the page only prints in a language
    (`remember_language=False`: the Vietnamese paper ballot leaves the organizer's pages
    in their own language)."""
    language = i18n.pick_language(request, offered)
    choices = [c for c in (offered or i18n.available()) if c in i18n.available()]
    said, status = flash.shown(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            **context,
            **said,
            "lang": language,
            "languages": choices,
            "t": partial(i18n.translate, language),
            "tn": partial(i18n.translate_plural, language),
        },
        status_code=status if status and status_code == 200 else status_code,
    )
    flash.forget(request, response)
    if remember_language and request.query_params.get("lang") == language:
        response.set_cookie("lang", language, max_age=365 * 24 * 3600, samesite="lax")
    return response


def refusal(
    request: Request,
    exc: DomainError,
    language: str | None = None,
    *,
    session: Any = None,
    rollback: bool = True,
) -> str:
    """A refusal shown on a page (the one place pages handle them): the request's own
    transaction is rolled back first when `session` is given (what the service began
    stays undone; the session dependency then commits nothing), the refusal is audited as
    the API's error handler would, and said in the visitor's language where we have words.
    `rollback=False`: the caller rolled its work back already and wrote what must stay
    (a ballot's wrong-code guess, app/voting/casting.py)."""
    if session is not None and rollback:
        session.rollback()
    audit_refusal(request, exc, session=session)
    if language:
        return refusal_words(exc, language)
    return exc.message


def refusal_words(exc: DomainError, language: str) -> str:
    """A refusal in `language`: `error.<code>.<rule>` when the refusal names the rule it
    applied (its `extra["rule"]`, with the rule's values: "must be at least 16"), else
    `error.<code>`, else the service's own message."""
    rule = exc.extra.get("rule")
    keys = ([f"error.{exc.code}.{rule}"] if rule else []) + [f"error.{exc.code}"]
    values = {k: _day_or_value(v) for k, v in exc.extra.items() if k != "rule"}
    for key in keys:
        text = i18n.translate(language, key, **values)
        if text != key:
            return text
    return exc.message


def _day_or_value(value: Any) -> Any:
    """An ISO day in a refusal's values is written as the reader writes days."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return value


def staff_language(request: Request) -> str | None:
    """The language a staff page words a refusal in: None in English, where the service's
    own message (more specific than the catalog's words for its code) is said as it is."""
    language = i18n.pick_language(request)
    return None if language == i18n.DEFAULT else language


def form_refusal(request: Request, message: str, *, session: Any, field: str | None = None) -> str:
    """A form the page itself finds wrong (an empty reason, a count out of range): refused
    like any other refusal, so a signed-in staff member's bad form is audited as theirs.
    `message` is said as it is (already in the visitor's words)."""
    return refusal(request, BadInput(message, field=field), session=session)
