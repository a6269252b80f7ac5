"""Whole request bodies, of a bounded size and in bounded time, before the app sees a request.

The app starts on a request only once its body has fully arrived, so a slow upload never
holds a database slot or a worker thread (see app/db.py). Bytes are counted as they arrive,
whether or not the client sent a Content-Length; past the limit the answer is 413 and
nothing is parsed. A body that has not all arrived `timeout` seconds after the headers is
answered 408 and its connection closed.

Uploads (paths matching `upload_paths`) have the larger limit, and are taken only from a
sender whose staff credential (bearer token or the pages' cookie) we signed: anyone
else is answered 401 before a byte of the body is read, so anonymous connections cannot
make the server hold megabytes each. An upload is written to a temporary file as it
arrives (in memory only up to SPOOL_BYTES) and handed on from there.
"""

import asyncio
import re
import tempfile
import time
from typing import IO, Any

from starlette.requests import Request

from app.handlers import error_response

Scope = dict[str, Any]


SPOOL_BYTES = 256 * 1024
CHUNK_BYTES = 64 * 1024


class BodyTooLarge(Exception):
    pass


class BodyTooSlow(Exception):
    pass


class BodyLimit:
    def __init__(
        self,
        app: Any,
        *,
        limit: int,
        upload_limit: int,
        upload_paths: re.Pattern[str],
        timeout: float,
        upload_sender: Any,
    ) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit
        self.upload_paths = upload_paths
        self.timeout = timeout
        self.upload_sender = upload_sender  # (Request) -> bool: may this sender upload?

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = bool(self.upload_paths.match(scope["path"]))
        if upload and scope["method"] == "POST" and not self.upload_sender(Request(scope)):
            await _refused(scope, 401, "not_authenticated", _SIGN_IN)(scope, receive, send)
            return
        if not upload:
            await self._whole(scope, receive, send, self.limit, None)
            return
        with tempfile.SpooledTemporaryFile(SPOOL_BYTES) as spool:
            await self._whole(scope, receive, send, self.upload_limit, spool)

    async def _whole(
        self, scope: Scope, receive: Any, send: Any, limit: int, spool: IO[bytes] | None
    ) -> None:
        try:
            declared = int(dict(scope["headers"]).get(b"content-length", b"0"))
        except ValueError:
            declared = 0
        try:
            if declared > limit:
                raise BodyTooLarge
            body = await _read_body(receive, limit, time.monotonic() + self.timeout, spool)
        except BodyTooLarge:
            kib = max(limit // 1024, 1)
            message = f"The request body is too large: at most {kib} KiB are accepted here."
            await _refused(scope, 413, "too_large", message)(scope, receive, send)
            return
        except BodyTooSlow:
            message = (
                f"The request body did not arrive within {self.timeout:g} seconds. "
                "Check the connection and send it again."
            )
            await _refused(scope, 408, "too_slow", message)(scope, receive, send)
            return
        if body is not None:  # None: the client went away before sending it all
            await self.app(scope, _replay(body, receive), send)


_SIGN_IN = "Sign in first: files are taken only from signed-in staff."


async def _read_body(
    receive: Any, limit: int, deadline: float, spool: IO[bytes] | None
) -> bytes | IO[bytes] | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            message = await asyncio.wait_for(receive(), deadline - time.monotonic())
        except TimeoutError:
            raise BodyTooSlow from None
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        if spool is not None:
            spool.write(chunk)
        else:
            chunks.append(chunk)
        if not message.get("more_body", False):
            if spool is not None:
                spool.seek(0)
                return spool
            return b"".join(chunks)


def _replay(body: bytes | IO[bytes], receive: Any) -> Any:
    """The body again, for the app: at once if it is in memory, else in chunks of the file."""
    done = False

    async def replay() -> dict[str, Any]:
        nonlocal done
        if done:
            return await receive()  # after the body: wait for the client to disconnect
        if isinstance(body, bytes):
            done = True
            return {"type": "http.request", "body": body, "more_body": False}
        chunk = body.read(CHUNK_BYTES)
        done = len(chunk) < CHUNK_BYTES  # a short read is the end (an empty one may follow)
        return {"type": "http.request", "body": chunk, "more_body": not done}

    return replay


def _refused(scope: Scope, status: int, code: str, message: str) -> Any:
    # Close the connection: the rest of the body is not read.
    body = {"error": code, "message": message}
    return error_response(Request(scope), status, body, {"Connection": "close"})
