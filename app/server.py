"""uvicorn's HTTP protocol with a deadline for a request's headers (`pbvote serve`).

uvicorn times out an idle keep-alive connection but not a client that sends its headers
a byte at a time: 600 such connections stayed open, each holding a socket and a buffer.
Here a connection must finish a request's headers within PBVOTE_HEADER_TIMEOUT_SECONDS
of its first byte (or of connecting); otherwise it is closed. The body has its own
deadline, kept by the app (app/bodylimit.py), which answers 408.

A reverse proxy in front (nginx's client_header_timeout) does the same; this keeps the
service safe when it faces the internet directly.
"""

import asyncio
from functools import cache
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.config import get_settings


@cache
def header_timeout() -> float:
    return get_settings().header_timeout_seconds


class HeaderDeadline(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        if self._header_deadline is None:
            self._header_deadline = self.loop.call_later(header_timeout(), self._too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _too_slow(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()  # the next request on a kept-alive connection

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm()  # idle now: uvicorn's keep-alive timeout takes over

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)
