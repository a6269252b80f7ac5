"""Post-redirect-get for every page: what the next GET of a page says after a form was sent.

A page's POST never answers with a page. It answers `redirect(request, to, ...)`, a 303 to the
GET address `to`, so Back and reload never send the form again and every link on the answer
works. What that GET must say travels beside the redirect, never in an address:

- in the flash cookie (app/web/private.py: signed, HttpOnly, SameSite=Strict, for the path of
  `to` only, FLASH_SECONDS): the template context to add (`message=`, `error=`, `problems=`,
  …: short, plain, nothing personal) and `status`, the 4xx of a refusal, which the GET that
  shows the refusal answers with (as the ballot's draft does);
- sealed in the database (`sealed=`: a form as typed, with personal details or long texts; a
  secret shown once: a new password, a kiosk ticket, new access codes): a `SealedFlash` row
  under a random key that only the cookie holds, so neither the cookie nor the row alone
  reveals it. The GET reads it through the page routers' `ShowFlash` dependency.

The GET's render() (app/web/render.py) adds both to the template's context and clears the
cookie: a reload, Back or Forward finds nothing, so a secret is shown once. Pages that must
show a secret the GET cannot find (Back to the access-code cards) say it was shown once.
The sealed row is not deleted by that GET (a GET only reads: on SQLite it takes no write
lock); without the cookie's key it is noise, it expires with the cookie, and the next value
sealed deletes every expired row.

The seal: JSON, XORed with SHAKE-256 of a fresh 256-bit random key (a new key per value, so
the keystream is never reused), and an HMAC-SHA256 of the result under the same key, kept
in the signed cookie. No new dependency for a value that lives a minute and whose key never
leaves the browser that must see it.
"""

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import delete
from starlette.responses import Response

from app.db import SessionDep, utcnow
from app.web.models import SealedFlash
from app.web.private import clear_flash, read_flash, set_flash

FLASH_SECONDS = 60
# A browser keeps a cookie of up to 4096 bytes, name and attributes included.
MAX_COOKIE_CHARS = 3600


def redirect(
    request: Request,
    to: str,
    *,
    session: Any = None,
    sealed: dict[str, Any] | None = None,
    status: int | None = None,
    **context: Any,
) -> RedirectResponse:
    """303 to the page `to` (its path and query), which says `context` (plain values) and
    `sealed` (needs the request's `session`) once, answering `status` if given."""
    response = RedirectResponse(to, status_code=303)
    said: dict[str, Any] = {}
    plain = {name: value for name, value in context.items() if value is not None}
    if plain:
        said["c"] = plain
    if status and status != 200:
        said["s"] = status
    if sealed:
        said["k"] = _seal(session, sealed)
    if said:
        path = urlsplit(to).path
        set_flash(request, response, path=path, value={"page": said}, seconds=FLASH_SECONDS)
        too_long = len(response.headers.get("set-cookie", "")) > MAX_COOKIE_CHARS
        if too_long and plain and session is not None:
            # More than a browser keeps (a long refusal): all of it goes sealed instead.
            everything = {**plain, **(sealed or {})}
            return redirect(request, to, session=session, sealed=everything, status=status)
    return response


def back(
    request: Request,
    to: str,
    *,
    session: Any = None,
    sealed: dict[str, Any] | None = None,
    **context: Any,
) -> Callable[..., RedirectResponse]:
    """How a refused form is answered: `back(...)(error=..., status_code=...)` is the 303 to
    its page `to`, saying the refusal (in the refusal's status) and showing what was typed
    (`sealed`, e.g. {"form": typed}) again."""

    def answer(*, error: str, status_code: int = 422, **more: Any) -> RedirectResponse:
        return redirect(
            request,
            to,
            session=session,
            sealed=sealed,
            status=status_code,
            error=error,
            **context,
            **more,
        )

    return answer


def shown(request: Request) -> tuple[dict[str, Any], int | None]:
    """What this GET says from the flash (its template context) and the status it answers."""
    said = _said(request)
    return {**said.get("c", {}), **said.get("u", {})}, said.get("s")


def forget(request: Request, response: Response) -> None:
    """Clears this page's flash: said once."""
    if _said(request):
        clear_flash(request, response, path=request.url.path)


def secret_was_shown(request: Request) -> bool:
    """The flash of this GET pointed at a sealed value that is no longer there (read once
    already or expired): the page says so rather than showing nothing."""
    said = _said(request)
    return "k" in said and not said.get("u")


def _said(request: Request) -> dict[str, Any]:
    cached = getattr(request.state, "page_flash", None)
    if cached is None:
        value = None
        if request.method == "GET":  # a HEAD (a link checker) leaves it for the page
            value = read_flash(request, path=request.url.path)
        said = value.get("page") if isinstance(value, dict) else None
        cached = said if isinstance(said, dict) else {}
        request.state.page_flash = cached
    return cached


def unseal(request: Request, session: SessionDep) -> None:
    """The page routers' dependency: the sealed part of this GET's flash, read in the
    request's own session (a GET only reads)."""
    said = _said(request)
    reference = said.get("k")
    if isinstance(reference, dict) and "u" not in said:
        said["u"] = _unseal(session, reference) or {}


ShowFlash = Depends(unseal)


def _seal(session: Any, value: dict[str, Any]) -> dict[str, str]:
    if session is None:
        raise ValueError("a sealed flash needs the request's session")
    now = utcnow()
    session.execute(delete(SealedFlash).where(SealedFlash.expires_at <= now))
    key = secrets.token_bytes(32)
    plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    sealed = _xor(plain, key)
    row = SealedFlash(
        id=secrets.token_hex(16),
        sealed=sealed,
        expires_at=now + timedelta(seconds=FLASH_SECONDS),
    )
    session.add(row)
    session.flush()
    return {
        "id": row.id,
        "key": base64.urlsafe_b64encode(key).decode(),
        "mac": hmac.new(key, sealed, hashlib.sha256).hexdigest(),
    }


def _unseal(session: Any, reference: dict[str, Any]) -> dict[str, Any] | None:
    try:
        key = base64.urlsafe_b64decode(str(reference["key"]))
        row = session.get(SealedFlash, str(reference["id"]))
    except (KeyError, ValueError):
        return None
    if row is None or row.expires_at <= utcnow():
        return None
    mac = hmac.new(key, row.sealed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac, str(reference.get("mac", ""))):
        return None
    value = json.loads(_xor(row.sealed, key))
    return value if isinstance(value, dict) else None


def encrypt(secret_key: str, purpose: str, value: dict[str, Any]) -> str:
    """`value` for a cookie that the browser keeps but nobody can read (a ballot's draft
    with the voter's name and birth date): the same seal, its key derived from the
    server's secret and a fresh 128-bit nonce, so no database row is needed."""
    nonce = secrets.token_bytes(16)
    key = _derived(secret_key, purpose, nonce)
    plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    sealed = _xor(plain, key)
    mac = hmac.new(key, sealed, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(nonce + mac + sealed).decode().rstrip("=")


def decrypt(secret_key: str, purpose: str, token: str) -> dict[str, Any] | None:
    """What `encrypt` sealed, or None if it was not ours or was changed."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        return None
    nonce, mac, sealed = raw[:16], raw[16:48], raw[48:]
    key = _derived(secret_key, purpose, nonce)
    if len(mac) < 32 or not hmac.compare_digest(
        hmac.new(key, sealed, hashlib.sha256).digest(), mac
    ):
        return None
    try:
        value = json.loads(_xor(sealed, key))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _derived(secret_key: str, purpose: str, nonce: bytes) -> bytes:
    return hmac.new(
        secret_key.encode(), f"pbvote.{purpose}\x00".encode() + nonce, "sha256"
    ).digest()


def _xor(data: bytes, key: bytes) -> bytes:
    stream = hashlib.shake_256(b"pbvote.sealed-flash\x00" + key).digest(len(data))
    mixed = int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")
    return mixed.to_bytes(len(data), "big")
