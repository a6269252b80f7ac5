"""The hash chain: any later edit, deletion or reordering is found and named."""

import subprocess
import sys

import pytest
from sqlalchemy import delete, select, update

from app import audit
from app.audit import Actor, AuditEntry, AuditHead
from app.db import open_session
from tests.conftest import TEST_SECRET
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
    # Even someone who holds the key cannot edit one entry without breaking the next link.
    entry = chain.get(AuditEntry, 3)
    entry.detail = {"n": 99}
    entry.hash = entry.computed_hash(audit.key_of(chain))
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


@pytest.mark.slow  # five `pbvote` processes
def test_cli_verify_names_the_first_bad_entry(migrated_copy_url):
    from app.db import make_engine, make_session_factory

    engine = make_engine(migrated_copy_url)
    audit.use_secret(engine, TEST_SECRET)
    with open_session(make_session_factory(engine), write=True) as session:
        for n in range(3):
            audit.append(session=session, actor=audit.SYSTEM, action="test.cli", target=f"t:{n}")
        session.commit()
        published = session.get(AuditHead, 1).hash
    env = {
        "PBVOTE_DATABASE_URL": migrated_copy_url,
        "PBVOTE_ENV": "development",
        "PBVOTE_SECRET_KEY": TEST_SECRET,
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
    anchored = _cli("--expect-head", published, env=env)
    assert anchored.returncode == 0 and "1 published head(s) found" in anchored.stdout
    with engine.begin() as conn:  # cut the newest entry and fix the head row
        conn.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
        second = conn.execute(select(AuditEntry.hash).where(AuditEntry.seq == 2)).scalar_one()
        conn.execute(update(AuditHead).values(seq=2, hash=second))
    assert _cli(env=env).returncode == 0
    cut = _cli("--expect-head", published, env=env)
    assert cut.returncode == 1 and f"published head {published} is not in the chain" in cut.stderr
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


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "verify", *args],
        env=env,
        capture_output=True,
        text=True,
    )


def _rewrite_from(session, seq: int, *, scheme: int, key: bytes | None = None) -> None:
    """What a database writer does to hide an edit: redo every hash from `seq` on, and the head."""
    prev = session.get(AuditEntry, seq - 1).hash if seq > 1 else audit.GENESIS_HASH
    for entry in session.execute(
        select(AuditEntry).where(AuditEntry.seq >= seq).order_by(AuditEntry.seq)
    ).scalars():
        entry.prev_hash, entry.scheme = prev, scheme
        entry.hash = prev = entry.computed_hash(key)
        session.add(entry)
    head = session.get(AuditHead, 1)
    head.hash = prev
    session.add(head)
    session.flush()


@pytest.mark.parametrize("scheme", [audit.SCHEME_HMAC, audit.SCHEME_SHA256])
def test_an_edit_with_every_hash_recomputed_without_the_key_is_named(chain, scheme):
    entry = chain.get(AuditEntry, 3)
    entry.detail = {"n": 99}
    _rewrite_from(chain, 3, scheme=scheme)
    check = audit.verify_chain(session=chain)
    assert not check.ok and check.first_bad_seq == 3


def test_a_chain_rewritten_unkeyed_from_the_start_fails_against_its_published_head(chain):
    published = chain.get(AuditHead, 1).hash
    entry = chain.get(AuditEntry, 3)
    entry.detail = {"n": 99}
    _rewrite_from(chain, 1, scheme=audit.SCHEME_SHA256)
    check = audit.verify_chain(session=chain)
    assert check.ok and check.unkeyed == 6  # said plainly: nothing in it is keyed
    anchored = audit.verify_chain(session=chain, expect_heads=[published])
    assert not anchored.ok and published in anchored.problem


def test_cutting_the_newest_entries_and_fixing_the_head_fails_against_a_published_head(chain):
    published = chain.get(AuditHead, 1).hash
    for n in range(10):
        audit.append(session=chain, actor=audit.SYSTEM, action="test.later", target=f"t:{n}")
    assert audit.verify_chain(session=chain, expect_heads=[published]).anchors == (6,)
    chain.execute(delete(AuditEntry).where(AuditEntry.seq > 6 - 1))
    head = chain.get(AuditHead, 1)
    head.seq, head.hash = 5, chain.get(AuditEntry, 5).hash
    chain.add(head)
    chain.flush()
    assert audit.verify_chain(session=chain).ok  # every remaining entry is genuine...
    check = audit.verify_chain(session=chain, expect_heads=[published.upper()])
    assert not check.ok and "not in the chain" in check.problem  # ...but the anchor is gone


def test_entries_from_before_the_key_still_verify_and_are_counted(session):
    # Entries written before the upgrade: plain SHA-256, scheme 1, then keyed appends.
    prev = audit.GENESIS_HASH
    for seq in (1, 2):
        fields = dict(
            seq=seq,
            at=audit.utcnow(),
            actor_id=None,
            actor_role="system",
            action="old",
            target="t",
            outcome="ok",
            detail={},
            prev_hash=prev,
        )
        prev = audit.entry_hash(**fields)
        session.add(AuditEntry(**fields, hash=prev, scheme=audit.SCHEME_SHA256))
    head = session.get(AuditHead, 1)
    head.seq, head.hash = 2, prev
    session.add(head)
    session.flush()
    audit.append(session=session, actor=audit.SYSTEM, action="new", target="t")
    check = audit.verify_chain(session=session)
    assert check.ok and check.entries == 3 and check.unkeyed == 2


def test_another_secret_key_does_not_verify(chain, monkeypatch):
    engine = chain.get_bind().engine
    monkeypatch.setitem(audit._KEYS, engine, audit.chain_key("another-secret-key-of-some-length"))
    check = audit.verify_chain(session=chain)
    assert not check.ok and check.first_bad_seq == 1 and "PBVOTE_SECRET_KEY" in check.problem
