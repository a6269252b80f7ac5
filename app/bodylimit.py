"""Whole request bodies, of a bounded size, before the app sees a request.

The app starts on a request only once its body has fully arrived, so a slow upload never
holds a database slot or a worker thread (see app/db.py). Bytes are counted as they arrive,
whether or not the client sent a Content-Length; past the limit the answer is 413 and
nothing is parsed. Uploads (paths matching `upload_paths`) have the larger limit.
"""

import re
from typing import Any

from starlette.requests import Request

from app.handlers import error_response

Scope = dict[str, Any]


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    def __init__(
        self, app: Any, *, limit: int, upload_limit: int, upload_paths: re.Pattern[str]
    ) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if self.upload_paths.match(scope["path"]) else self.limit
        try:
            declared = int(dict(scope["headers"]).get(b"content-length", b"0"))
        except ValueError:
            declared = 0
        try:
            if declared > limit:
                raise BodyTooLarge
            body = await _read_body(receive, limit)
        except BodyTooLarge:
            await _too_large(scope, limit)(scope, receive, send)
            return
        if body is None:  # the client went away before sending it all
            return
        await self.app(scope, _replay(body, receive), send)


async def _read_body(receive: Any, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Any) -> Any:
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the client to disconnect

    return replay


def _too_large(scope: Scope, limit: int) -> Any:
    kib = max(limit // 1024, 1)
    body = {
        "error": "too_large",
        "message": f"The request body is too large: at most {kib} KiB are accepted here.",
    }
    # Close the connection: the rest of the body is not read.
    return error_response(Request(scope), 413, body, {"Connection": "close"})
