"""`pbvote backup FILE` and `pbvote restore FILE`: a consistent copy taken while the server
runs, and a restore that proves it got everything back (docs/operators.md, Backups).

The backup FILE is one tar archive of two members: `manifest.json`, then the database
(`database.sqlite3`, SQLite's online backup API; or `database.pgdump`, `pg_dump
--format=custom`). The manifest is read from the copy's own snapshot, so it describes
exactly what the copy holds: the alembic revision, the audit chain's head (seq and hash)
and, per process, the ballots, participations, used access codes and receipts.

- SQLite: `sqlite3.Connection.backup` copies every page in one step, under one read
  transaction (WAL: writers go on meanwhile); the manifest is then read from the copy.
- PostgreSQL: a REPEATABLE READ transaction exports its snapshot, the manifest is read in
  it, and `pg_dump --snapshot` dumps that same snapshot while the transaction stays open.

A restore goes only into a database without tables, then checks, without writing: the
schema at this pbvote's head, the audit chain verifying with PBVOTE_SECRET_KEY (as `pbvote
audit verify` does) and ending at the manifest's head, and every count equal to the
manifest's (ballots = receipts; online ballots = online participations).

A backup taken during voting holds what the live database holds (who voted, and the
ballots): keep it as secret as the key and delete it after funding (docs/secret-ballot.md).
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine, make_url

from app.audit import AuditHead, use_secret, verify_chain
from app.db import make_engine, make_session_factory, open_session, utcnow
from app.migrate import current_revision, head_revision
from app.processes.models import Process
from app.voting.models import AccessCode, Ballot, BallotReceipt, Channel, Participation

FORMAT = "pbvote-backup-1"
MANIFEST = "manifest.json"
MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
COUNTS = ("ballots", "participations", "used_access_codes", "receipts")


class BackupRefused(Exception):
    """The backup or restore was not made; the message says why (nothing was changed)."""


# --- what a snapshot holds ---------------------------------------------------------------


def _per_process(connection: Connection, query: Any) -> dict[int, int]:
    return {pid: n for pid, n in connection.execute(query).all()}


def snapshot_facts(connection: Connection) -> dict[str, Any]:
    """The manifest's facts, read in `connection`'s transaction: revision, audit head, and
    the counts per process (processes without a ballot included, at 0)."""
    head = connection.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
    counted = {
        "ballots": (Ballot.process_id, ()),
        "participations": (Participation.process_id, ()),
        "used_access_codes": (AccessCode.process_id, (AccessCode.used_at.is_not(None),)),  # type: ignore[union-attr]
        "receipts": (BallotReceipt.process_id, ()),
    }
    by_name = {
        name: _per_process(connection, select(pid, func.count()).where(*where).group_by(pid))
        for name, (pid, where) in counted.items()
    }
    online = Channel.online.value
    online_ballots = _per_process(
        connection,
        select(Ballot.process_id, func.count())
        .where(Ballot.channel == online)
        .group_by(Ballot.process_id),
    )
    online_voters = _per_process(
        connection,
        select(Participation.process_id, func.count())
        .where(Participation.channel == online)
        .group_by(Participation.process_id),
    )
    processes = {}
    for (pid,) in connection.execute(select(Process.id).order_by(Process.id)).all():
        processes[str(pid)] = {name: by_name[name].get(pid, 0) for name in COUNTS} | {
            "online_ballots": online_ballots.get(pid, 0),
            "online_participations": online_voters.get(pid, 0),
        }
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return {
        "alembic_revision": revision,
        "audit_head": {"seq": head.seq, "hash": head.hash},
        "processes": processes,
    }


# --- backup ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict[str, Any]
    size: int


def backup(database_url: str, target: Path) -> Backup:
    """Writes the backup FILE `target` (refused if it exists), readable by its owner only."""
    target = Path(target)
    if target.exists():
        raise BackupRefused(f"{target} exists: choose a new file name (nothing was written)")
    backend = make_url(database_url).get_backend_name()
    if backend not in MEMBER:
        raise BackupRefused(f"cannot back up a {backend} database")
    with tempfile.TemporaryDirectory(prefix="pbvote-backup-") as work:
        dump = Path(work) / MEMBER[backend]
        take = _sqlite_copy if backend == "sqlite" else _postgres_dump
        facts = take(database_url, dump)
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(timespec="seconds"),
            "backend": backend,
            "database_file": dump.name,
            "database_sha256": _sha256(dump),
            **facts,
        }
        partial = target.with_name(f".{target.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w") as tar:
                body = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(body), 0o600, int(time.time())
                tar.addfile(info, io.BytesIO(body))
                tar.add(dump, arcname=dump.name, filter=_private)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return Backup(target, manifest, target.stat().st_size)


def _private(member: tarfile.TarInfo) -> tarfile.TarInfo:
    member.mode, member.uid, member.gid, member.uname, member.gname = 0o600, 0, 0, "", ""
    return member


def _sqlite_copy(database_url: str, copy: Path) -> dict[str, Any]:
    source_path = make_url(database_url).database
    if not source_path or source_path == ":memory:" or not Path(source_path).exists():
        raise BackupRefused(f"no SQLite database file at {source_path}")
    source = sqlite3.connect(source_path, timeout=30)  # it only reads
    destination = sqlite3.connect(copy)
    try:
        source.backup(destination)  # all pages in one step: one snapshot
        destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        destination.close()
        source.close()
    engine = create_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as connection:
            return snapshot_facts(connection)
    finally:
        engine.dispose()


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """The URL pg_dump and pg_restore take, and an environment holding the password."""
    url = make_url(database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupRefused(f"{tool} is not installed (PostgreSQL's client tools are needed)")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupRefused(f"{tool} failed: {done.stderr.strip() or done.stdout.strip()}")


def _postgres_dump(database_url: str, dump: Path) -> dict[str, Any]:
    engine = make_engine(database_url, isolation_level="REPEATABLE READ")
    libpq, env = _libpq(database_url)
    try:
        with engine.connect() as connection, connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            facts = snapshot_facts(connection)
            # The transaction stays open: pg_dump reads the very snapshot counted above.
            _run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", libpq],
                env,
            )
    finally:
        engine.dispose()
    return facts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- restore -----------------------------------------------------------------------------


@dataclass
class Restored:
    manifest: dict[str, Any]
    checks: list[tuple[bool, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(ok for ok, _ in self.checks)


def restore(
    database_url: str, source: Path, *, secret_key: str, say: Callable[[str], None] = print
) -> Restored:
    """Restores the backup FILE `source` into the empty database `database_url` (refused
    otherwise, changing nothing), then verifies it; `say` hears each check as it is made."""
    backend = make_url(database_url).get_backend_name()
    with tempfile.TemporaryDirectory(prefix="pbvote-restore-") as work:
        manifest, dump = _unpack(Path(source), Path(work))
        if manifest["backend"] != backend:
            raise BackupRefused(
                f"{source} is a {manifest['backend']} backup and PBVOTE_DATABASE_URL is a "
                f"{backend} database: restore it into a {manifest['backend']} database"
            )
        engine = make_engine(database_url)
        try:
            tables = inspect(engine).get_table_names()
            if tables:
                raise BackupRefused(
                    f"the database {engine.url.render_as_string(hide_password=True)} is not "
                    f"empty ({len(tables)} tables, e.g. {sorted(tables)[0]}): a backup is "
                    "restored only into a new, empty database (nothing was changed)"
                )
            engine.dispose()
            if backend == "sqlite":
                _sqlite_restore(dump, engine)
            else:
                libpq, env = _libpq(database_url)
                _run(
                    ["pg_restore", "--exit-on-error", "--single-transaction", "--no-owner"]
                    + ["--no-privileges", f"--dbname={libpq}", str(dump)],
                    env,
                )
            say(f"restored {source} (taken {manifest['created_at']})")
            return _verify(engine, manifest, secret_key=secret_key, say=say)
        finally:
            engine.dispose()


def _unpack(source: Path, work: Path) -> tuple[dict[str, Any], Path]:
    if not source.is_file():
        raise BackupRefused(f"no backup file at {source}")
    try:
        with tarfile.open(source, mode="r") as tar:
            manifest = json.load(tar.extractfile(MANIFEST))  # type: ignore[arg-type]
            if manifest.get("format") != FORMAT:
                raise BackupRefused(f"{source} is not a {FORMAT} file")
            name = manifest["database_file"]
            if name not in MEMBER.values():
                raise BackupRefused(f"{source}: unexpected database member {name!r}")
            tar.extract(name, work, filter="data")
    except (tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupRefused(f"{source} is not a pbvote backup file: {exc}") from None
    dump = work / name
    if _sha256(dump) != manifest["database_sha256"]:
        raise BackupRefused(f"{source} is damaged: its database does not match its manifest")
    return manifest, dump


def _sqlite_restore(dump: Path, engine: Engine) -> None:
    target = sqlite3.connect(str(engine.url.database), timeout=30)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")  # as the app runs it
    finally:
        source.close()
        target.close()


def _verify(
    engine: Engine, manifest: dict[str, Any], *, secret_key: str, say: Callable[[str], None]
) -> Restored:
    restored = Restored(manifest)

    def check(ok: bool, line: str) -> None:
        restored.checks.append((ok, line))
        say(f"{'OK  ' if ok else 'FAIL'} {line}")

    revision, head = current_revision(engine), head_revision()
    check(
        revision == manifest["alembic_revision"] == head,
        f"schema at revision {revision} (manifest: {manifest['alembic_revision']}; "
        f"this pbvote's head: {head})",
    )
    expected = manifest["audit_head"]
    use_secret(engine, secret_key)
    with open_session(make_session_factory(engine), write=False) as session:
        chain = verify_chain(
            session=session, expect_heads=[expected["hash"]] * bool(expected["seq"])
        )
    problem = "" if chain.ok else f": {chain.problem}"
    check(
        chain.ok and chain.entries == expected["seq"],
        f"audit chain of {chain.entries} entries verifies with PBVOTE_SECRET_KEY and ends at "
        f"the manifest's head, entry {expected['seq']} {expected['hash'][:16]}…{problem}",
    )
    with engine.connect() as connection:
        found = snapshot_facts(connection)["processes"]
    for pid in sorted(set(found) | set(manifest["processes"]), key=int):
        have, want = found.get(pid, {}), manifest["processes"].get(pid, {})
        counts = ", ".join(f"{have.get(n, 0)} {n.replace('_', ' ')}" for n in COUNTS)
        same = all(have.get(n) == want.get(n) for n in (*COUNTS, "online_ballots"))
        inner = have.get("ballots") == have.get("receipts") and have.get(
            "online_ballots"
        ) == have.get("online_participations")
        check(
            same and inner,
            f"process {pid}: {counts}: "
            + ("as in the manifest" if same else f"the manifest says {want or 'nothing'}")
            + ("" if inner else "; ballots, receipts and online participations disagree"),
        )
    return restored
