"""Ballot intake benchmark: POST /ballots against pbvote served as in production.

For SQLite and PostgreSQL in turn: a fresh database (a temp file; a PostgreSQL database
created here and dropped at the end), migrated; a process in voting with 22 proposals and
N access codes made through the service and written to a temp file; pbvote served by
uvicorn with several workers (`--factory app.main:app_from_environment`), and beside it
the floor (scripts/bench_floor.py: a route that only inserts one row, same machinery).
A separate load process drives each at 32 concurrent clients with distinct valid codes,
and reports accepted requests/s and p50/p99 latency; afterwards the stored ballots must
equal the 201s. Traffic goes to 127.0.0.1 only; requests are bounded.

    python scripts/bench_intake.py [--requests 2000] [--workers 4] [--backends sqlite,postgresql]

Never run by the test suite.
"""

import argparse
import asyncio
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.environ.get(
    "PBVOTE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
CONCURRENCY = 32
PROPOSALS = 22


# --- the load process -------------------------------------------------------------------


async def _drive(url: str, bodies: list[dict], concurrency: int) -> dict:
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue: asyncio.Queue = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            while True:
                try:
                    body = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = time.perf_counter()
                try:
                    r = await client.post(url, json=body)
                    status = r.status_code
                except httpx.HTTPError:
                    status = -1
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(bodies),
        "accepted": statuses.get(201, 0),
        "statuses": statuses,
        "seconds": elapsed,
        "per_second": statuses.get(201, 0) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
    }


def load_main(args: argparse.Namespace) -> int:
    bodies = json.loads(Path(args.bodies).read_text())
    result = asyncio.run(_drive(args.url, bodies, args.concurrency))
    print(json.dumps(result))
    return 0


# --- the orchestrator -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fresh_database(backend: str, tmp: Path) -> str:
    from sqlalchemy import create_engine, text

    name = f"pbvote_bench_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        return f"sqlite:///{tmp / (name + '.db')}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def _set_up(url: str, secret: str, codes_needed: int) -> tuple[int, list[int], list[str]]:
    """Migrates, then a process in voting with its ballot and fresh access codes."""
    from sqlalchemy import text

    from app import audit, migrate
    from app.audit import SYSTEM
    from app.config import Settings
    from app.db import make_engine, make_session_factory
    from app.models import load_all_models
    from app.processes.models import Process
    from app.proposals.models import Proposal
    from app.voting import service as voting
    from scripts.bench_floor import CREATE_TABLE

    migrate.upgrade(url)
    load_all_models()
    engine = make_engine(url)
    settings = Settings(env="production", database_url=url, secret_key=secret)
    audit.use_secret(engine, secret)  # the served app keys its audit chain with it too
    with make_session_factory(engine)() as session:
        session.execute(text(CREATE_TABLE))
        process = Process(
            name="Bench PB",
            phase="voting",
            budget_cents=200_000_00,
            currency="USD",
            ballot_size=5,
            languages=["en"],
        )
        session.add(process)
        session.flush()
        proposals = [
            Proposal(
                process_id=process.id,
                title=f"Proposal {n}",
                summary="Bench.",
                cost_cents=10_000_00,
                status="approved",
                ballot_number=n,
            )
            for n in range(1, PROPOSALS + 1)
        ]
        session.add_all(proposals)
        session.flush()
        _, codes = voting.generate_access_codes(
            session=session,
            settings=settings,
            actor=SYSTEM,
            process_id=process.id,
            count=codes_needed,
            label="bench",
        )
        session.commit()
        ids = [p.id for p in proposals]
    engine.dispose()
    return process.id, ids, codes


def _serve(target: str, url: str, secret: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "PBVOTE_ENV": "production",
        "PBVOTE_DATABASE_URL": url,
        "PBVOTE_SECRET_KEY": secret,
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", target]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    command += ["--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE)


def _wait_up(port: int, path: str, server: subprocess.Popen) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server died: {server.stderr.read().decode()[-3000:]}")
        try:
            httpx.get(f"http://127.0.0.1:{port}{path}", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("server did not start in 60 s")


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _load(url: str, bodies: list[dict], tmp: Path, concurrency: int) -> dict:
    path = tmp / f"bodies-{uuid.uuid4().hex[:6]}.json"
    path.write_text(json.dumps(bodies))
    out = subprocess.run(
        [sys.executable, __file__, "load", url, str(path), "--concurrency", str(concurrency)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(out.stdout)


def _count(url: str, sql: str) -> int:
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text(sql)).scalar_one()
    engine.dispose()
    return n


def bench_backend(backend: str, requests: int, workers: int, tmp: Path) -> dict:
    secret = secrets.token_urlsafe(32)
    url = _fresh_database(backend, tmp)
    warmup = 64
    servers: list[subprocess.Popen] = []
    try:
        process_id, proposals, codes = _set_up(url, secret, requests + warmup)
        codes_file = tmp / f"codes-{backend}.json"
        codes_file.write_text(json.dumps(codes))  # for the load process; deleted with tmp
        rng = random.Random(7)

        def ballot(code: str) -> dict:
            ranking = rng.sample(proposals, rng.randint(1, 5))
            return {"credential": {"access_code": code}, "ranking": ranking}

        codes = json.loads(codes_file.read_text())
        ballots = [ballot(c) for c in codes]
        floor_bodies = [{"ranking": b["ranking"]} for b in ballots]
        app_port, floor_port = _free_port(), _free_port()
        servers.append(_serve("app.main:app_from_environment", url, secret, app_port, workers))
        servers.append(
            _serve("scripts.bench_floor:app_from_environment", url, secret, floor_port, workers)
        )
        _wait_up(app_port, "/healthz", servers[0])
        _wait_up(floor_port, "/docs", servers[1])
        app_url = f"http://127.0.0.1:{app_port}/api/processes/{process_id}/ballots"
        floor_url = f"http://127.0.0.1:{floor_port}/floor"
        # Warm both (connections, imports), then measure floor and ballots in turn.
        _load(floor_url, floor_bodies[:warmup], tmp, CONCURRENCY)
        _load(app_url, ballots[:warmup], tmp, CONCURRENCY)
        floor = _load(floor_url, floor_bodies[warmup:], tmp, CONCURRENCY)
        cast = _load(app_url, ballots[warmup:], tmp, CONCURRENCY)
        for server in servers:
            _stop(server)
        servers = []
        stored = _count(url, f"SELECT count(*) FROM ballot WHERE process_id = {process_id}")
        receipts = _count(url, "SELECT count(*) FROM ballot_receipt")
        floor_rows = _count(url, "SELECT count(*) FROM bench_floor")
        accepted = cast["accepted"] + warmup  # the warm-up ballots are stored too
        return {
            "backend": backend,
            "floor": floor,
            "cast": cast,
            "stored_ok": stored == receipts == accepted
            and floor_rows == floor["accepted"] + warmup,
            "stored": stored,
            "accepted_incl_warmup": accepted,
        }
    finally:
        for server in servers:
            _stop(server)
        _drop_database(url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    load = sub.add_parser("load", help="(internal) drive one endpoint")
    load.add_argument("url")
    load.add_argument("bodies")
    load.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    if args.command == "load":
        return load_main(args)
    failed = False
    print(
        f"{args.requests} requests per case, {CONCURRENCY} concurrent clients, "
        f"{args.workers} uvicorn workers, {os.cpu_count()} CPUs"
    )
    print(f"{'backend':<11}{'endpoint':<10}{'ok/s':>8}{'p50 ms':>9}{'p99 ms':>9}  statuses")
    with tempfile.TemporaryDirectory(prefix="pbvote-bench-") as tmp_dir:
        for backend in args.backends.split(","):
            result = bench_backend(backend, args.requests, args.workers, Path(tmp_dir))
            for name in ("floor", "cast"):
                r = result[name]
                print(
                    f"{backend:<11}{name:<10}{r['per_second']:>8.0f}{r['p50_ms']:>9.1f}"
                    f"{r['p99_ms']:>9.1f}  {r['statuses']}"
                )
            ratio = result["cast"]["per_second"] / result["floor"]["per_second"]
            errors = result["cast"]["requests"] - result["cast"]["accepted"]
            ok = ratio >= 0.5 and result["cast"]["p99_ms"] < 250 and errors == 0
            print(
                f"{backend:<11}ballots/floor = {ratio:.2f}; errors {errors}; stored ballots "
                f"{result['stored']} = 201s {result['accepted_incl_warmup']}: "
                f"{'yes' if result['stored_ok'] else 'NO'}; goal met: {'yes' if ok else 'no'}"
            )
            failed |= not result["stored_ok"] or errors > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
