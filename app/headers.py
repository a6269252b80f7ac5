"""The headers every answer carries, and HEAD answered wherever GET is.

Both wrap the whole app, outside Starlette's ServerErrorMiddleware (see `PbvoteApp` in
app/main.py), so the 500 page, the 413 that BodyLimit sends before the app sees a request,
404/405s, static files and JSON all carry the same headers.

The pages load only their own scripts and style sheets (no inline script, style or event
handler: app/web/static/), so the policy needs no 'unsafe-inline'. A receipt link carries
the receipt code, hence `Referrer-Policy: same-origin`.

FastAPI's API documentation pages (/docs, /redoc) are the one exception, with a wider
policy of their own (API_DOCS_POLICY): they are FastAPI's own HTML, which loads Swagger UI
and ReDoc from a CDN and starts them with an inline script; ReDoc adds inline styles.
Self-hosting (our own HTML, the start in a file) would still need ReDoc's inline styles,
and would put 1.5 MB of someone else's JavaScript in this repository to keep patched.
So the pages are served only in development or when asked for (PBVOTE_API_DOCS,
app/config.py), and only then do those paths get the wider policy: elsewhere they are
404s under the pages' own policy. They show only the OpenAPI schema (/openapi.json,
served always); the CDN is trusted there and nowhere else.
Checked in Chromium with Swagger UI 5 and ReDoc 2 answered from their npm packages: both
draw with nothing blocked; without script 'unsafe-inline' neither starts, and without
style 'unsafe-inline' ReDoc's styles are refused.
"""

from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)
_DOCS_CDN = "https://cdn.jsdelivr.net"  # where FastAPI's docs pages load their scripts
API_DOCS_POLICY = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {_DOCS_CDN}; "
    f"style-src 'self' 'unsafe-inline' {_DOCS_CDN} https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src 'self' blob:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
API_DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
HSTS = "max-age=31536000"  # a year; not includeSubDomains: the city's other sites are not ours


def safe_headers(*, https: bool, policy: str = PAGE_POLICY) -> list[tuple[str, str]]:
    headers = [
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if https:
        headers.append(("Strict-Transport-Security", HSTS))
    return headers


class SafeHeaders:
    """Sets the headers above on every HTTP answer (replacing any the app set)."""

    def __init__(self, app: ASGIApp, *, https: bool, api_docs: bool = False) -> None:
        self.app = app
        self.headers = safe_headers(https=https)
        self.docs_headers = safe_headers(https=https, policy=API_DOCS_POLICY)
        self.docs_paths = API_DOCS_PATHS if api_docs else frozenset()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = self.docs_headers if scope["path"] in self.docs_paths else self.headers

        async def send_safe(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted:
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_safe)


class HeadAsGet:
    """HEAD is GET without the body, for every route: FastAPI's routes answer only the
    methods they declare, so `HEAD /` would be 405. The app sees a GET (the same status
    and headers, Content-Length included); the body it sends is dropped here."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        # A copy: the server keeps reading its own scope, and must still see a HEAD.
        as_get: dict[str, Any] = {**scope, "method": "GET"}

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(as_get, receive, send_without_body)
