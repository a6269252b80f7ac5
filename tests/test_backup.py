"""`pbvote backup` while ballots are being cast, and `pbvote restore` into a new database.

A thread casts ballots through the voting service, committing each, while `pbvote backup`
runs in a process of its own. The backup, restored into a fresh database, holds every
ballot acknowledged before the backup began, exactly the counts its manifest gives, and a
chain that verifies. A restore into a database that has tables is refused and changes
nothing.
"""

import io
import json
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

from sqlalchemy import inspect

from app import audit
from app.audit import verify_chain
from app.backup import MANIFEST, snapshot_facts
from app.config import Settings
from app.db import make_engine, make_session_factory, open_session
from app.voting import service as voting
from app.voting.schemas import CredentialIn
from tests.conftest import REPO, SERVER_SECRET, create_database, drop_database, server_env
from tests.helpers import HANG_SECONDS
from tests.voting.helpers import build_world, issue_codes

READY = 20  # ballots acknowledged before the backup starts


def pbvote(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=server_env(url),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
    )


def manifest_of(path: Path) -> dict:
    with tarfile.open(path) as tar:
        return json.load(tar.extractfile(MANIFEST))


def facts(url: str) -> dict:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {"tables": sorted(inspect(connection).get_table_names())} | snapshot_facts(
                connection
            )
    finally:
        engine.dispose()


class Caster(threading.Thread):
    """Casts one ballot per code, each in its own committed transaction, until stopped;
    `receipts` holds the acknowledged ones (appended after the commit returned)."""

    def __init__(self, factory, settings: Settings, process_id: int, ranking, codes) -> None:
        super().__init__(daemon=True)
        self.factory, self.settings, self.process_id = factory, settings, process_id
        self.ranking, self.codes = ranking, codes
        self.receipts: list[str] = []
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for code in self.codes:
                if self.stop.is_set():
                    return
                with open_session(self.factory, write=True) as session:
                    receipt = voting.cast_ballot(
                        session=session,
                        settings=self.settings,
                        process_id=self.process_id,
                        credential=CredentialIn(access_code=code),
                        ranking=self.ranking,
                    )
                    session.commit()
                self.receipts.append(receipt)
                if len(self.receipts) >= READY:
                    self.ready.set()
        except BaseException as exc:  # the test reports it
            self.error = exc
        finally:
            self.ready.set()


def test_a_backup_taken_during_casts_restores_every_acknowledged_ballot(
    backend, migrated_copy_url, tmp_path
):
    engine = make_engine(migrated_copy_url)
    audit.use_secret(engine, SERVER_SECRET)  # the key `pbvote` runs with: one per database
    factory = make_session_factory(engine)
    settings = Settings(env="test", database_url=migrated_copy_url, secret_key=SERVER_SECRET)
    world = build_world(factory)
    codes = issue_codes(factory, settings, world.process_id, 2000, "backup test")
    caster = Caster(factory, settings, world.process_id, world.proposals[:3], codes)
    caster.start()
    assert caster.ready.wait(HANG_SECONDS) and caster.error is None, caster.error
    acknowledged = list(caster.receipts)  # committed before the backup began
    backup_file = tmp_path / "voting-day.pbvote-backup"
    made = pbvote(migrated_copy_url, "backup", str(backup_file))
    during = len(caster.receipts) - len(acknowledged)
    caster.stop.set()
    caster.join(HANG_SECONDS)
    engine.dispose()
    assert caster.error is None, caster.error
    assert made.returncode == 0, made.stdout + made.stderr
    assert during > 0, "no ballot was cast while the backup ran"
    assert backup_file.stat().st_mode & 0o077 == 0  # as secret as the key

    manifest = manifest_of(backup_file)
    counted = manifest["processes"][str(world.process_id)]
    # Every ballot acknowledged before the backup, and none that was not cast (the caster has
    # ended: every ballot it committed is in its receipts).
    assert len(acknowledged) <= counted["ballots"] <= len(caster.receipts)
    assert (
        counted["ballots"]
        == counted["participations"]
        == counted["used_access_codes"]
        == counted["receipts"]
    )

    target = create_database(backend, tmp_path)
    try:
        restored = pbvote(target, "restore", str(backup_file))
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "FAIL" not in restored.stdout and "restore verified" in restored.stdout
        said = restored.stdout
        assert f"audit chain of {manifest['audit_head']['seq']} entries verifies" in said
        assert f"process {world.process_id}: {counted['ballots']} ballots" in said

        engine = make_engine(target)
        audit.use_secret(engine, SERVER_SECRET)
        with make_session_factory(engine)() as session:
            lost = [
                r
                for r in acknowledged
                if not voting.receipt_counted(
                    session=session, settings=settings, process_id=world.process_id, code=r
                )
            ]
            chain = verify_chain(session=session, expect_heads=[manifest["audit_head"]["hash"]])
        engine.dispose()
        assert lost == []
        assert chain.ok and chain.entries == manifest["audit_head"]["seq"], chain.problem
        restored_facts = facts(target)
        assert restored_facts["processes"] == manifest["processes"]
        assert restored_facts["audit_head"] == manifest["audit_head"]

        # The restored database has tables now: a second restore is refused, changing nothing.
        again = pbvote(target, "restore", str(backup_file))
        assert again.returncode == 2 and "not empty" in again.stderr, again.stderr
        assert facts(target) == restored_facts
    finally:
        drop_database(target)


def test_a_restore_into_a_database_with_tables_is_refused_and_changes_nothing(
    backend, migrated_copy_url, tmp_path
):
    engine = make_engine(migrated_copy_url)
    audit.use_secret(engine, SERVER_SECRET)
    build_world(make_session_factory(engine))
    engine.dispose()
    backup_file = tmp_path / "backup"
    assert pbvote(migrated_copy_url, "backup", str(backup_file)).returncode == 0
    again = pbvote(migrated_copy_url, "backup", str(backup_file))
    assert again.returncode == 2 and "exists" in again.stderr  # never overwritten

    target = create_database(backend, tmp_path)
    try:
        assert pbvote(target, "db", "upgrade").returncode == 0  # tables, no process
        before = facts(target)
        refused = pbvote(target, "restore", str(backup_file))
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "not empty" in refused.stderr and "nothing was changed" in refused.stderr
        assert refused.stdout == ""
        assert facts(target) == before and before["processes"] == {}
    finally:
        drop_database(target)


def test_a_damaged_backup_is_refused(backend, migrated_copy_url, tmp_path):
    backup_file, damaged = tmp_path / "backup", tmp_path / "damaged"
    assert pbvote(migrated_copy_url, "backup", str(backup_file)).returncode == 0
    with tarfile.open(backup_file) as tar, tarfile.open(damaged, "w") as out:
        for member in tar.getmembers():
            body = bytearray(tar.extractfile(member).read())
            if member.name != MANIFEST:
                body[len(body) // 2] ^= 0xFF  # one byte of the database
            out.addfile(member, io.BytesIO(bytes(body)))
    target = create_database(backend, tmp_path)
    try:
        refused = pbvote(target, "restore", str(damaged))
        assert refused.returncode == 2 and "damaged" in refused.stderr, refused.stderr
        engine = make_engine(target)
        assert inspect(engine).get_table_names() == []  # nothing restored
        engine.dispose()
    finally:
        drop_database(target)
