"""What a browser may keep. Pages with a ballot, a receipt, personal or staff data are often
seen on a shared device (a kiosk tablet, a library computer): Back must ask the server
again, which then shows nothing of the previous person.

So those responses say `Cache-Control: no-store`: the browser keeps them in no cache and
Chromium keeps them out of the back-forward cache (and evicts them when a cookie changed,
which every step of voting does). Pages also load `private.js`, which reloads a page the
browser restores from that cache anyway. Short-lived values shown once (a receipt) travel
in a signed cookie that the page that shows them clears ("flash").
"""

import re
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import utcnow
from app.security import serializer

COOKIE_PREFIX = "pbvote_"  # every session cookie of ours: staff, kiosk, kiosk voter, flash
FLASH_COOKIE = "pbvote_flash"
PRIVATE_PATHS = re.compile(
    r"^/(station|kiosk|organize|delegate)(/|$)|^/processes/\d+/(vote|receipt|ideas/new)(/|$)"
)


def _is_private(scope: Scope) -> bool:
    if scope["method"] not in ("GET", "HEAD") or PRIVATE_PATHS.match(scope["path"]):
        return True
    for name, value in scope["headers"]:
        if name == b"authorization" or (name == b"cookie" and COOKIE_PREFIX.encode() in value):
            return True  # answered for someone: it may hold their data
    return False


class NoStore:
    """Marks private responses `no-store` (see the module doc); static files stay cacheable."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        private = _is_private(scope)
        if private:
            scope.setdefault("state", {})["private"] = True  # templates add private.js

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if private or "set-cookie" in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_marked)


def set_cookie(
    request: Request,
    response: Response,
    name: str,
    value: str,
    *,
    max_age: int | None,
    path: str = "/",
) -> None:
    """`max_age=None`: a session cookie, which the browser forgets when it is closed."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_cookie(request: Request, response: Response, name: str, *, path: str = "/") -> None:
    response.delete_cookie(
        name, path=path, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )


def set_flash(
    request: Request, response: Response, *, path: str, value: dict[str, Any], seconds: int = 60
) -> None:
    """`value` for the next GET of `path` only, and only within `seconds` (the limit is
    signed inside; the cookie itself is a session cookie, so a closed browser forgets it
    at once: the next person on a shared computer finds no receipt)."""
    expires = utcnow() + timedelta(seconds=seconds)
    token = _signer(request).dumps({"path": path, "exp": int(expires.timestamp()), "v": value})
    set_cookie(request, response, FLASH_COOKIE, token, max_age=None, path=path)


def read_flash(request: Request, *, path: str) -> dict[str, Any] | None:
    """The flash set for `path`, if fresh; the page that shows it must `clear_flash`."""
    for token in _flash_cookies(request):
        try:
            payload = _signer(request).loads(token)
        except BadSignature:
            continue
        fresh = isinstance(payload, dict) and payload.get("exp", 0) > utcnow().timestamp()
        if fresh and payload.get("path") == path and isinstance(payload.get("v"), dict):
            return payload["v"]
    return None


def _flash_cookies(request: Request) -> list[str]:
    """Every flash cookie the browser sent: one per path it was set for (the flash of
    /organize/processes/3 also reaches /organize/processes/3/sites), which a dict of
    cookies would fold into one."""
    found = []
    for header in request.headers.getlist("cookie"):
        for pair in header.split(";"):
            name, _, value = pair.strip().partition("=")
            if name == FLASH_COOKIE and value:
                found.append(value.strip('"'))
    return found


def clear_flash(request: Request, response: Response, *, path: str) -> None:
    """Shown once: a reload, Back or Forward to `path` finds nothing."""
    if FLASH_COOKIE in request.cookies:
        clear_cookie(request, response, FLASH_COOKIE, path=path)


def _signer(request: Request):
    return serializer(request.app.state.settings.secret_key, "flash")
