"""The scale-out, proven: several `pbvote serve` instances on one PostgreSQL, one killed mid-run.

    python scripts/scaleout.py [--codes 1000000] [--minutes 10] [--clients 64]
                               [--instances 3] [--workers 2] [--pg-url URL]

What it does, on this machine only (127.0.0.1), and what it checks:
1. creates a fresh database on the PostgreSQL server (--pg-url: an admin URL, default
   postgres@127.0.0.1:5432) and migrates it;
2. a process with 22 proposals and --codes access codes, made by the same service the
   organizers' endpoint uses (the time is printed), opened for voting;
3. --instances `pbvote serve --workers W` on free ports, as a city would run them;
4. --clients concurrent voters, round-robin across the instances, for --minutes: each code
   votes once; a request whose answer is lost (refused or cut connection) is sent again to
   the next instance, as a voter would press again; one vote in a hundred is tried a second
   time on another instance and must be refused;
5. at --kill-at of the run one instance (master and workers) is killed with SIGKILL and,
   --down seconds later, started again on its port;
6. then: every acknowledged (201) ballot's receipt is stored; ballots = participation rows
   = used codes, no code twice (0 double votes); the stored rankings are exactly the
   rankings sent; one `ballot.cast` audit entry per ballot and the chain verifies;
7. an organizer moves the process to funding through the API (timed: the official count
   and the sealed ballots file), the public ballots.pb is downloaded, its SHA-256 checked
   and recounted with `pbvote tally`, which must equal the official result.
It prints a table of figures (--json FILE also writes them) and exits 0 only if every check
held. It stops by itself, and drops its database and stops its servers even on Ctrl-C.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PROPOSALS = 22
ORGANIZER = "scaleout-organizer@example.org"
DOUBLE_SHARE = 0.01  # of acknowledged votes, tried again on another instance
MAX_ATTEMPTS = 200  # per vote; a vote is sent again only when its answer was lost
READY_SECONDS = 120
_STARTED: list["Instance"] = []  # stopped on the way out, whatever happened


def _timed(started: float) -> float:
    return time.perf_counter() - started


# --- the database -----------------------------------------------------------------------


def create_database(admin_url: str) -> str:
    from sqlalchemy import create_engine, text

    name = f"pbvote_scaleout_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(admin_url: str, url: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class Election:
    process_id: int
    codes: list[str]
    proposals: list[int]
    organizer_password: str
    codes_seconds: float


def set_up(url: str, secret: str, n_codes: int) -> Election:
    """A process with its ballot and codes, opened for voting by the phase machine."""
    from app import audit, migrate
    from app.audit import SYSTEM, Actor
    from app.config import Settings
    from app.db import make_engine, make_session_factory, open_session
    from app.models import load_all_models
    from app.processes import service as processes
    from app.processes.models import Process
    from app.processes.phases import Phase
    from app.proposals.models import Proposal
    from app.users.models import Role
    from app.users.service import create_user
    from app.voting import service as voting

    migrate.upgrade(url)
    load_all_models()
    engine = make_engine(url)
    settings = Settings(env="production", database_url=url, secret_key=secret)
    audit.use_secret(engine, secret)  # the servers key the chain with the same secret
    password = secrets.token_urlsafe(16)
    factory = make_session_factory(engine)
    with open_session(factory, write=True) as session:
        organizer = create_user(
            session=session,
            settings=settings,
            actor=SYSTEM,
            email=ORGANIZER,
            role=Role.organizer,
            password=password,
        )
        process = Process(
            name="Scale-out PB",
            phase=Phase.proposal_development.value,
            budget_cents=500_000_00,
            currency="USD",
            ballot_size=5,
            languages=["en"],
        )
        session.add(process)
        session.flush()
        # Whole dollars, so the published file (in dollars) recounts to the same cents.
        proposals = [
            Proposal(
                process_id=process.id,
                title=f"Project {n}",
                summary="A project.",
                cost_cents=(20_000 + 5_000 * (n % 7)) * 100,
                status="approved",
                ballot_number=n,
            )
            for n in range(1, PROPOSALS + 1)
        ]
        session.add_all(proposals)
        session.commit()
        process_id, proposal_ids = process.id, [p.id for p in proposals]
        opener = Actor(role=organizer.role, user_id=organizer.id)
    with open_session(factory, write=True) as session:
        started = time.perf_counter()
        _, codes = voting.generate_access_codes(
            session=session,
            settings=settings,
            actor=SYSTEM,
            process_id=process_id,
            count=n_codes,
            label="scale-out",
        )
        session.commit()
        codes_seconds = _timed(started)
    with open_session(factory, write=True) as session:
        processes.transition(
            session=session,
            actor=opener,
            process_id=process_id,
            to=Phase.voting,
            reason="scale-out run",
        )
        session.commit()
    engine.dispose()
    return Election(process_id, codes, proposal_ids, password, codes_seconds)


# --- the instances ----------------------------------------------------------------------


def this_checkout() -> str:
    """PYTHONPATH for the commands started here: this checkout's code, whatever is installed."""
    return os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Instance:
    port: int
    log: Path
    env: dict[str, str]
    server: subprocess.Popen | None = None
    starts: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, workers: int) -> None:
        pbvote = Path(sys.executable).with_name("pbvote")
        command = [str(pbvote)] if pbvote.exists() else [sys.executable, "-m", "app.cli"]
        command += ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", str(workers)]
        with self.log.open("ab") as log:
            # Its own process group: a kill takes the master and its workers together,
            # as when a machine or container dies.
            self.server = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        if self not in _STARTED:
            _STARTED.append(self)

    def signal(self, sig: int) -> None:
        if self.server is not None and self.server.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.server.pid, sig)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        if self.server is not None:
            self.server.wait()

    def stop(self) -> None:
        if self.server is None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.server.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()
        self.server = None

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


async def wait_ready(instance: Instance) -> None:
    import httpx

    deadline = time.monotonic() + READY_SECONDS
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            if instance.server is None or instance.server.poll() is not None:
                raise RuntimeError(f"instance :{instance.port} died:\n{instance.log_tail()}")
            try:
                if (await client.get(f"{instance.base}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"instance :{instance.port} not ready in {READY_SECONDS} s")


# --- the voters -------------------------------------------------------------------------


@dataclass
class Run:
    """What the voters saw. `stored` is every vote known to be in the database."""

    instances: list[Instance]
    process_id: int
    proposals: list[int]
    codes: list[str]
    deadline: float
    rng: random.Random = field(default_factory=lambda: random.Random(13))
    next_code: int = 0
    turn: int = 0
    acknowledged: dict[str, tuple[str, tuple[int, ...]]] = field(default_factory=dict)
    stored_after_loss: dict[str, tuple[int, ...]] = field(default_factory=dict)
    abandoned: int = 0
    lost_answers: int = 0
    server_errors: int = 0
    unexpected: Counter = field(default_factory=Counter)
    doubles_tried: int = 0
    doubles_refused: int = 0
    latencies: list[float] = field(default_factory=list)
    killed_at: float | None = None
    back_at: float | None = None

    def next_instance(self) -> Instance:
        self.turn += 1
        return self.instances[self.turn % len(self.instances)]


async def _post(run: Run, clients: dict, body: dict):
    """One POST to the next instance: (status, json) or None when the answer was lost."""
    import httpx

    instance = run.next_instance()
    url = f"{instance.base}/api/processes/{run.process_id}/ballots"
    started = time.perf_counter()
    try:
        response = await clients[instance.port].post(url, json=body)
    except httpx.TransportError:
        return None
    if response.status_code == 201:
        run.latencies.append(_timed(started))
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, {}


async def cast(run: Run, clients: dict, code: str, ranking: tuple[int, ...]) -> None:
    body = {"credential": {"access_code": code}, "ranking": list(ranking)}
    lost = False
    for _ in range(MAX_ATTEMPTS):
        answer = await _post(run, clients, body)
        if answer is None or answer[0] >= 500:
            run.lost_answers += answer is None
            run.server_errors += answer is not None
            lost = True
            await asyncio.sleep(0.1)
            continue
        status, reply = answer
        if status == 201:
            run.acknowledged[code] = (reply["receipt"], ranking)
        elif status == 409 and reply.get("error") in SPENT and lost:
            # The first try was stored, its answer lost: the voter is told they voted.
            run.stored_after_loss[code] = ranking
        else:
            run.unexpected[f"{status} {reply.get('error')}"] += 1
        return
    run.abandoned += 1


# A second cast with a spent access code: "code_used" (or "already_voted" for the same person).
SPENT = ("code_used", "already_voted")


async def try_double(run: Run, clients: dict, code: str) -> None:
    body = {"credential": {"access_code": code}, "ranking": run.proposals[:1]}
    run.doubles_tried += 1
    for _ in range(MAX_ATTEMPTS):
        answer = await _post(run, clients, body)
        if answer is not None and answer[0] < 500:
            if answer[0] == 409 and answer[1].get("error") in SPENT:
                run.doubles_refused += 1
            else:
                run.unexpected[f"double {answer[0]} {answer[1].get('error')}"] += 1
            return
        await asyncio.sleep(0.1)


async def voter(run: Run, clients: dict) -> None:
    while time.monotonic() < run.deadline and run.next_code < len(run.codes):
        code = run.codes[run.next_code]
        run.next_code += 1
        ranking = tuple(run.rng.sample(run.proposals, run.rng.randint(1, 5)))
        await cast(run, clients, code, ranking)
        if code in run.acknowledged and run.rng.random() < DOUBLE_SHARE:
            await try_double(run, clients, code)


async def chaos(run: Run, victim: Instance, kill_after: float, down: float, workers: int):
    await asyncio.sleep(kill_after)
    victim.kill()
    run.killed_at = time.monotonic()
    await asyncio.sleep(down)
    victim.start(workers)
    await wait_ready(victim)
    run.back_at = time.monotonic()


async def vote(run: Run, args: argparse.Namespace, started: float) -> float:
    import httpx

    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    clients = {
        i.port: httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(120, connect=5))
        for i in run.instances
    }
    try:
        kill_after = args.kill_at * args.minutes * 60
        trouble = asyncio.create_task(
            chaos(run, run.instances[-1], kill_after, args.down, args.workers)
        )
        await asyncio.gather(*(voter(run, clients) for _ in range(args.clients)))
        ended = time.monotonic()
        await trouble  # a short run may end before the instance is back: wait for it
        return ended - started
    finally:
        for client in clients.values():
            await client.aclose()


# --- the checks -------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def stored_figures(url: str, secret: str, run: Run) -> tuple[dict, list[Check]]:
    from sqlalchemy import text

    from app.audit import use_secret, verify_chain
    from app.db import make_engine, make_session_factory
    from app.voting import credentials as cred

    engine = make_engine(url)
    use_secret(engine, secret)
    p = {"p": run.process_id}
    with engine.connect() as conn:

        def one(sql: str) -> int:
            return conn.execute(text(sql), p).scalar_one()

        ballots = one("SELECT count(*) FROM ballot WHERE process_id = :p")
        receipts = one("SELECT count(*) FROM ballot_receipt WHERE process_id = :p")
        participations = one("SELECT count(*) FROM participation WHERE process_id = :p")
        used = one("SELECT count(*) FROM access_code WHERE process_id = :p AND used_at IS NOT NULL")
        doubles = one(
            "SELECT count(*) FROM (SELECT access_code_id FROM participation WHERE process_id = :p"
            " GROUP BY access_code_id HAVING count(*) > 1) AS twice"
        )
        cast_entries = one("SELECT count(*) FROM audit_entry WHERE action = 'ballot.cast'")
        hashes = [
            cred.receipt_hash(secret, run.process_id, receipt)
            for receipt, _ in run.acknowledged.values()
        ]
        found = 0
        for start in range(0, len(hashes), 10_000):
            found += conn.execute(
                text("SELECT count(*) FROM ballot_receipt WHERE receipt_hash = ANY(:h)"),
                {"h": hashes[start : start + 10_000]},
            ).scalar_one()
        rankings = Counter(
            tuple(r)
            for (r,) in conn.execute(text("SELECT ranking FROM ballot WHERE process_id = :p"), p)
        )
    started = time.perf_counter()
    with make_session_factory(engine)() as session:
        chain = verify_chain(session=session)
    chain_seconds = _timed(started)
    engine.dispose()
    sent = Counter(r for _, r in run.acknowledged.values())
    sent.update(run.stored_after_loss.values())
    known = len(run.acknowledged) + len(run.stored_after_loss)
    checks = [
        Check(
            "every acknowledged ballot stored", found == len(hashes), f"{found} of {len(hashes)}"
        ),
        Check(
            "ballots = receipts = participations = used codes",
            ballots == receipts == participations == used,
            f"{ballots} = {receipts} = {participations} = {used}",
        ),
        Check("no code votes twice (double votes)", doubles == 0, str(doubles)),
        Check(
            "stored ballots = votes known stored",
            known <= ballots <= known + run.abandoned,
            f"{ballots} stored, {known} known (+{run.abandoned} abandoned)",
        ),
        Check(
            "stored rankings = rankings sent",
            run.abandoned > 0 or rankings == sent,
            "equal" if rankings == sent else "differ",
        ),
        Check(
            "second tries refused", run.doubles_refused == run.doubles_tried, str(run.doubles_tried)
        ),
        Check("one audit entry per ballot", cast_entries == ballots, f"{cast_entries}"),
        Check("audit chain verifies", chain.ok, f"{chain.entries} entries {chain.problem}"),
        Check(
            "no 5xx, no unexpected answer",
            run.server_errors == 0 and not run.unexpected,
            f"{run.server_errors} 5xx, {dict(run.unexpected)}",
        ),
    ]
    figures = {"ballots stored": ballots, "audit verify s": round(chain_seconds, 1)}
    return figures, checks


async def fund_and_recount(run: Run, election: Election, tmp: Path) -> tuple[dict, list[Check]]:
    import hashlib

    import httpx

    base = f"{run.instances[0].base}/api"
    pid = run.process_id
    async with httpx.AsyncClient(timeout=httpx.Timeout(3600, connect=5)) as client:
        login = await client.post(
            f"{base}/auth/token",
            json={"email": ORGANIZER, "password": election.organizer_password},
        )
        login.raise_for_status()
        staff = {"Authorization": f"Bearer {login.json()['access_token']}"}
        started = time.perf_counter()
        moved = await client.post(
            f"{base}/processes/{pid}/transitions",
            json={"to": "funding", "reason": "scale-out run: voting over"},
            headers=staff,
        )
        funding_seconds = _timed(started)
        if moved.status_code != 201:
            raise RuntimeError(f"move to funding refused: {moved.status_code} {moved.text}")
        # Counted at funding, public once an organizer publishes it (issue 20).
        shown = await client.post(f"{base}/processes/{pid}/results/publish", json={}, headers=staff)
        if shown.status_code != 200:
            raise RuntimeError(f"publishing refused: {shown.status_code} {shown.text}")
        official = (await client.get(f"{base}/processes/{pid}/results")).json()
        started = time.perf_counter()
        published = (await client.get(f"{base}/processes/{pid}/exports/ballots.pb")).content
        download_seconds = _timed(started)
    path = tmp / "ballots.pb"
    path.write_bytes(published)
    recount, recount_seconds = recount_file(path, official["result"]["rules"]["tie_break"])
    result = official["result"]
    same = recount["selected"] == result["selected"] and [
        (p["project"], p["cost"] * 100, p["score"], p["funded"]) for p in recount["projects"]
    ] == [(p["project"], p["cost"], p["score"], p["funded"]) for p in result["projects"]]
    checks = [
        Check(
            "published file = sealed SHA-256",
            hashlib.sha256(published).hexdigest() == official["ballots_sha256"],
            official["ballots_sha256"][:16],
        ),
        Check(
            "pbvote tally recount = official result",
            same and recount["ballots_counted"] == result["ballots_counted"],
            f"selected {', '.join(result['selected'])}",
        ),
    ]
    figures = {
        "move to funding s": round(funding_seconds, 1),
        "ballots.pb MiB": round(len(published) / 2**20, 1),
        "ballots.pb download s": round(download_seconds, 1),
        "pbvote tally recount s": round(recount_seconds, 1),
    }
    return figures, checks


def recount_file(path: Path, tie_break: str) -> tuple[dict, float]:
    pbvote = Path(sys.executable).with_name("pbvote")
    command = [str(pbvote)] if pbvote.exists() else [sys.executable, "-m", "app.cli"]
    command += ["tally", str(path), "--method", "borda", "--tie-break", tie_break, "--json"]
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": this_checkout()}
    out = subprocess.run(command, capture_output=True, text=True, timeout=3600, cwd=ROOT, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"pbvote tally failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout), _timed(started)


# --- the run ----------------------------------------------------------------------------


def run_figures(run: Run, seconds: float, args: argparse.Namespace) -> dict:
    latencies = sorted(run.latencies) or [0.0]
    figures = {
        "instances x workers": f"{args.instances} x {args.workers}",
        "concurrent clients": args.clients,
        "voting seconds": round(seconds, 1),
        "ballots acknowledged (201)": len(run.acknowledged),
        "ballots per second": round(len(run.acknowledged) / seconds, 1),
        "p50 / p99 ms": f"{1000 * statistics.median(latencies):.0f} / "
        f"{1000 * latencies[int(0.99 * (len(latencies) - 1))]:.0f}",
        "requests lost to the killed instance, sent again": run.lost_answers,
        "stored, answer lost (told: voted)": len(run.stored_after_loss),
        "second tries refused": f"{run.doubles_refused} of {run.doubles_tried}",
    }
    if run.killed_at is not None and run.back_at is not None:
        figures["instance down s (kill to ready)"] = round(run.back_at - run.killed_at, 1)
    return figures


async def scale_out(args: argparse.Namespace, url: str, tmp: Path, secret: str) -> bool:
    figures: dict = {"codes": f"{args.codes:,}"}
    print(f"making {args.codes:,} access codes ...", flush=True)
    election = await asyncio.to_thread(set_up, url, secret, args.codes)
    figures["codes generated s"] = round(election.codes_seconds, 1)
    print(f"codes made in {election.codes_seconds:.1f} s; starting instances ...", flush=True)
    env = {
        **os.environ,
        "PBVOTE_ENV": "production",
        "PBVOTE_DATABASE_URL": url,
        "PBVOTE_SECRET_KEY": secret,
        "PYTHONPATH": this_checkout(),
    }
    ports = {free_port() for _ in range(args.instances)}
    while len(ports) < args.instances:
        ports.add(free_port())
    instances = [Instance(port, tmp / f"instance-{port}.log", env) for port in sorted(ports)]
    try:
        for instance in instances:
            instance.start(args.workers)
        await asyncio.gather(*(wait_ready(i) for i in instances))
        print(f"voting for {args.minutes} min on ports {sorted(ports)} ...", flush=True)
        started = time.monotonic()
        run = Run(
            instances=instances,
            process_id=election.process_id,
            proposals=election.proposals,
            codes=election.codes,
            deadline=started + args.minutes * 60,
        )
        seconds = await vote(run, args, started)
        figures.update(run_figures(run, seconds, args))
        print("checking the database ...", flush=True)
        stored, checks = await asyncio.to_thread(stored_figures, url, secret, run)
        figures.update(stored)
        print("moving to funding and recounting ...", flush=True)
        funded, recount_checks = await fund_and_recount(run, election, tmp)
        figures.update(funded)
        checks += recount_checks
        checks.append(Check("instance killed and back", run.back_at is not None, ""))
    finally:
        for instance in instances:
            instance.stop()
    report(figures, checks, args)
    return all(c.ok for c in checks)


def report(figures: dict, checks: list[Check], args: argparse.Namespace) -> None:
    width = max(len(k) for k in [*figures, *(c.name for c in checks)])
    print(f"\n| {'figure':<{width}} | value |\n|{'-' * (width + 2)}|-------|")
    for name, value in figures.items():
        print(f"| {name:<{width}} | {value} |")
    for check in checks:
        print(f"| {check.name:<{width}} | {'ok' if check.ok else 'FAILED'}: {check.detail} |")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"figures": figures, "checks": {c.name: c.ok for c in checks}}, indent=2)
        )


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("PBVOTE_SCALE_PG_URL", DEFAULT_PG_URL),
        help="admin URL of the PostgreSQL server (a database is made and dropped)",
    )
    parser.add_argument("--codes", type=int, default=1_000_000)
    parser.add_argument("--minutes", type=float, default=10.0, help="how long ballots are cast")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers per instance")
    parser.add_argument("--kill-at", type=float, default=0.4, help="share of the run")
    parser.add_argument("--down", type=float, default=5.0, help="seconds before the restart")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.instances < 2 or args.clients < 1 or args.codes < 1 or args.minutes <= 0:
        parser.error("needs at least 2 instances, 1 client, 1 code and a positive duration")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    # Ctrl-C and a plain kill both unwind through the `finally`s: servers stop, the
    # database is dropped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    secret = secrets.token_urlsafe(32)
    url = create_database(args.pg_url)
    try:
        with tempfile.TemporaryDirectory(prefix="pbvote-scaleout-") as tmp:
            ok = asyncio.run(scale_out(args, url, Path(tmp), secret))
    except KeyboardInterrupt:
        print("interrupted: stopping the servers and dropping the database", file=sys.stderr)
        ok = None
    finally:
        for instance in _STARTED:
            instance.stop()
        drop_database(args.pg_url, url)
    if ok is None:
        return 130
    print("all checks passed" if ok else "SOME CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
