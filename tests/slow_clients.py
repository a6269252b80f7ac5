"""Connections that cost a server before anyone signs in (issue 18.3), against a real
`pbvote serve`: shared by tests/test_slow_clients.py and scripts/bench_slow_clients.py.

Three kinds of hostile connection, none signed in:
- `headers`: sends part of a request's headers, then nothing;
- `uploads`: sends the headers of a 10 MiB upload and then as much of its body as the
  server takes (up to `upload_bytes`);
- `bodies`: sends a ballot's headers and half its declared body, then nothing.
The server's memory (VmRSS of its one process) is read before and with them all open; a
resident's ballot is cast meanwhile.
"""

import os
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """The process's resident memory now (VmRSS) or at its peak so far (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"no {field}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: dict[str, str], port: int, log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


@dataclass
class Hostile:
    kind: str
    sock: socket.socket
    sent: int = 0
    answer: bytes = b""
    closed: bool = False


@dataclass
class Crowd:
    connections: list[Hostile] = field(default_factory=list)

    def open(self) -> list[Hostile]:
        return [c for c in self.connections if not c.closed]

    def poll(self) -> None:
        """Reads what the server said and whether it closed, without waiting."""
        for c in self.open():
            c.sock.setblocking(False)  # a socket with a timeout would wait for it
            try:
                data = c.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                c.answer += data
            else:
                c.closed = True
                c.sock.close()

    def close(self) -> None:
        for c in self.connections:
            c.sock.close()


def _send(c: Hostile, data: bytes) -> None:
    try:
        c.sock.sendall(data)
        c.sent += len(data)
    except OSError:  # the server answered and closed: it reads no more
        pass


def crowd(
    port: int,
    process_id: int,
    *,
    headers: int,
    uploads: int,
    bodies: int,
    upload_bytes: int = 10 * 1024 * 1024,
) -> Crowd:
    made = Crowd()

    def connect(kind: str) -> Hostile:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.settimeout(30)
        made.connections.append(Hostile(kind, sock))
        return made.connections[-1]

    for _ in range(headers):
        _send(connect("headers"), b"POST /api/processes/1/ballots HTTP/1.1\r\nHost: pb")
    declared = 10 * 1024 * 1024
    piece = b"a" * 65536
    pushing = []
    for _ in range(uploads):
        c = connect("uploads")
        _send(
            c,
            b"POST /api/paper-batches/1/import HTTP/1.1\r\nHost: pb\r\n"
            b"Content-Type: text/csv\r\nContent-Length: %d\r\n\r\n" % declared,
        )
        c.sock.setblocking(False)
        pushing.append(c)
    # All uploads at once, a piece each in turn, as long as the server takes any of them.
    idle_since = time.monotonic()
    while pushing and time.monotonic() - idle_since < 2.0:
        for c in list(pushing):
            try:
                c.sent += c.sock.send(piece)
                idle_since = time.monotonic()
            except BlockingIOError:
                continue
            except OSError:  # answered and closed: the server reads no more of it
                pushing.remove(c)
                continue
            if c.sent >= upload_bytes:
                pushing.remove(c)
    for c in made.connections:
        c.sock.settimeout(30)
    for _ in range(bodies):
        c = connect("bodies")
        body = b'{"credential": {"access_code": "' + b" " * 100_000
        _send(
            c,
            b"POST /api/processes/%d/ballots HTTP/1.1\r\nHost: pb\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % (process_id, 2 * len(body))
            + body,
        )
    return made


def wait_until_closed(made: Crowd, server: subprocess.Popen, hang: float) -> float:
    """Seconds until the server has closed every connection (fails past `hang`)."""
    start = time.monotonic()
    while made.open():
        assert server.poll() is None, "the server exited"
        assert time.monotonic() - start < hang, f"{len(made.open())} connections still open"
        # Wait until a socket has something to read (an answer, or the server's close).
        select.select([c.sock for c in made.open()], [], [], 1.0)
        made.poll()
    return time.monotonic() - start
