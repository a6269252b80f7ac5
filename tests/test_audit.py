"""The hash chain: any later edit, deletion or reordering is found and named."""

import subprocess
import sys

import pytest
from sqlalchemy import delete, update

from app import audit
from app.audit import Actor, AuditEntry, AuditHead
from app.db import open_session
from tests.helpers import count


@pytest.fixture
def chain(session):
    actor = Actor(role="organizer", user_id=None)
    for n in range(1, 7):
        audit.append(
            session=session,
            actor=actor,
            action="test.step",
            target=f"thing:{n}",
            detail={"n": n, "text": "café ✓"},
        )
    session.commit()
    return session


def test_an_untouched_chain_verifies(chain):
    check = audit.verify_chain(session=chain)
    assert check.ok and check.entries == 6 and check.first_bad_seq is None


def test_an_empty_chain_verifies(session):
    assert audit.verify_chain(session=session).ok


def test_small_batches_verify_the_same(chain):
    assert audit.verify_chain(session=chain, batch_size=2).ok


@pytest.mark.parametrize(
    "column,value",
    [
        ("detail", {"n": 99}),
        ("action", "test.other"),
        ("outcome", "refused"),
        ("target", "thing:x"),
        ("actor_role", "public"),
    ],
)
def test_an_edited_entry_is_named(chain, column, value):
    chain.execute(update(AuditEntry).where(AuditEntry.seq == 3).values({column: value}))
    check = audit.verify_chain(session=chain)
    assert not check.ok and check.first_bad_seq == 3
    assert "changed" in check.problem


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(chain):
    entry = chain.get(AuditEntry, 3)
    entry.detail = {"n": 99}
    entry.hash = entry.computed_hash()
    chain.add(entry)
    chain.flush()
    check = audit.verify_chain(session=chain)
    assert not check.ok and check.first_bad_seq == 4


def test_a_deleted_entry_is_named(chain):
    chain.execute(delete(AuditEntry).where(AuditEntry.seq == 4))
    check = audit.verify_chain(session=chain)
    assert not check.ok and check.first_bad_seq == 4 and "missing" in check.problem


def test_deleting_the_newest_entries_is_found(chain):
    chain.execute(delete(AuditEntry).where(AuditEntry.seq >= 5))
    check = audit.verify_chain(session=chain)
    assert not check.ok and check.first_bad_seq == 5 and "deleted" in check.problem


def test_reordered_entries_are_named(chain):
    # Swap the content of entries 2 and 3 (seq numbers stay in place).
    two, three = chain.get(AuditEntry, 2), chain.get(AuditEntry, 3)
    fields = ["at", "action", "target", "outcome", "detail", "prev_hash", "hash"]
    saved = {f: getattr(two, f) for f in fields}
    for f in fields:
        setattr(two, f, getattr(three, f))
        setattr(three, f, saved[f])
    chain.add_all([two, three])
    chain.flush()
    check = audit.verify_chain(session=chain)
    assert not check.ok and check.first_bad_seq == 2


def test_appending_keeps_one_order(chain):
    head = chain.get(AuditHead, 1)
    assert head.seq == count(chain, AuditEntry) == 6


def test_cli_verify_names_the_first_bad_entry(fresh_database_url):
    from app import migrate
    from app.db import make_engine, make_session_factory

    migrate.upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    with open_session(make_session_factory(engine), write=True) as session:
        for n in range(3):
            audit.append(session=session, actor=audit.SYSTEM, action="test.cli", target=f"t:{n}")
        session.commit()
    env = {
        "PBVOTE_DATABASE_URL": fresh_database_url,
        "PBVOTE_ENV": "development",
        "PATH": "/usr/bin:/bin",
    }
    ok = subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert "OK: 3 entries" in ok.stdout
    with engine.begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(target="t:forged"))
    bad = subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert "BROKEN at entry 2" in bad.stderr
    engine.dispose()
