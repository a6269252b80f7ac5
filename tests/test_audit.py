"""The hash chain: any later edit, deletion or reordering is found and named."""

import subprocess
import sys

import pytest
from sqlalchemy import delete, select, update

from app import audit
from app.audit import Actor, AuditEntry, AuditHead, InstanceKey, KeyRefused
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


def _downgrade_all(session) -> None:
    """Issue 18, item 5: what a writer without the key does to the whole chain. Entry 3 is
    changed, entry 4 (a phase move) deleted and the later ones renumbered, then every entry
    is rewritten as scheme 1 with plain SHA-256 redone, and the head fixed to match."""
    moved = session.get(AuditEntry, 4)
    moved.action, moved.target = "process.transition.voting", "process:1"
    session.get(AuditEntry, 3).detail = {"n": 99}
    session.flush()
    session.execute(delete(AuditEntry).where(AuditEntry.seq == 4))
    for seq in (5, 6):
        session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(seq=seq - 1))
    session.expire_all()
    _rewrite_from(session, 1, scheme=audit.SCHEME_SHA256)
    head = session.get(AuditHead, 1)
    head.seq = 5
    session.add(head)
    session.flush()


def test_a_chain_downgraded_to_unkeyed_is_refused(chain):
    published = chain.get(AuditHead, 1).hash
    assert audit.verify_chain(session=chain).keyed_from == 1  # written with the first entry
    _downgrade_all(chain)
    assert chain.execute(select(AuditEntry.action)).scalars().all() == ["test.step"] * 5
    check = audit.verify_chain(session=chain)
    assert not check.ok and check.first_bad_seq == 1
    assert "unkeyed but the chain is keyed from entry 1 on" in check.problem
    anchored = audit.verify_chain(session=chain, expect_heads=[published])
    assert not anchored.ok


@pytest.mark.slow  # two `pbvote` processes
def test_cli_verify_refuses_a_downgraded_chain(migrated_copy_url):
    from app.db import make_engine, make_session_factory

    engine = make_engine(migrated_copy_url)
    audit.use_secret(engine, TEST_SECRET)
    env = {
        "PBVOTE_DATABASE_URL": migrated_copy_url,
        "PBVOTE_ENV": "development",
        "PBVOTE_SECRET_KEY": TEST_SECRET,
        "PATH": "/usr/bin:/bin",
    }
    with open_session(make_session_factory(engine), write=True) as session:
        for n in range(6):
            audit.append(session=session, actor=audit.SYSTEM, action="test.cli", target=f"t:{n}")
        _downgrade_all(session)
        session.commit()
    forged = _cli(env=env)
    assert forged.returncode == 1 and "BROKEN at entry 1" in forged.stderr
    assert "keyed from entry 1" in forged.stderr
    with engine.begin() as conn:
        conn.execute(delete(InstanceKey))
    unrecorded = _cli(env=env)
    assert unrecorded.returncode == 2 and "5 entries, none keyed" in unrecorded.stderr
    engine.dispose()


def test_a_downgraded_chain_without_its_key_record_is_refused(chain):
    _downgrade_all(chain)
    chain.execute(delete(InstanceKey))
    check = audit.verify_chain(session=chain)
    assert not check.ok and check.entries == 5 and check.unkeyed == 5
    assert "none of its 5 entries is keyed" in check.problem
    assert "no record of its key" in check.problem
    # Nor does the app take it as a database from before the key: it refuses to write to it.
    with pytest.raises(KeyRefused, match="none keyed"):
        audit.claim_key(session=chain)
    with pytest.raises(KeyRefused, match="none keyed"):
        audit.append(session=chain, actor=audit.SYSTEM, action="test.after", target="t")


def test_a_moved_key_mark_is_refused(chain):
    # Moving the mark past the forged entries would make them "from before the key".
    _downgrade_all(chain)
    chain.execute(update(InstanceKey).values(keyed_from=6))
    check = audit.verify_chain(session=chain)
    assert not check.ok and "its seal does not verify" in check.problem


def test_without_its_key_record_a_keyed_chain_still_verifies_and_records_it_again(chain):
    chain.execute(delete(InstanceKey))
    check = audit.verify_chain(session=chain)
    assert check.ok and check.keyed_from is None  # every entry is keyed: nothing to hide
    audit.append(session=chain, actor=audit.SYSTEM, action="test.after", target="t")
    assert chain.get(InstanceKey, 1).keyed_from == 1  # from its first keyed entry
    assert audit.verify_chain(session=chain).ok


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


def test_entries_from_before_the_key_still_verify_once_accepted(session):
    # A database from before migration 0014, not served since: plain SHA-256, scheme 1.
    session.execute(delete(InstanceKey))
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
    # It looks like a downgraded chain whose record was deleted: refused until accepted.
    with pytest.raises(KeyRefused, match="accept-unkeyed"):
        audit.append(session=session, actor=audit.SYSTEM, action="new", target="t")
    assert audit.claim_key(session=session, accept_unkeyed=True).keyed_from == 3
    audit.append(session=session, actor=audit.SYSTEM, action="new", target="t")
    check = audit.verify_chain(session=session)
    assert check.ok and check.entries == 3 and check.unkeyed == 2 and check.keyed_from == 3
    # From the mark on, an unkeyed entry is a forgery.
    _rewrite_from(session, 3, scheme=audit.SCHEME_SHA256)
    check = audit.verify_chain(session=session)
    assert not check.ok and check.first_bad_seq == 3


def test_another_secret_key_does_not_verify_nor_write(chain, monkeypatch):
    engine = chain.get_bind().engine
    monkeypatch.setitem(audit._KEYS, engine, audit.chain_key("another-secret-key-of-some-length"))
    check = audit.verify_chain(session=chain)
    assert not check.ok and "PBVOTE_SECRET_KEY is not the key" in check.problem
    with pytest.raises(KeyRefused, match="PBVOTE_SECRET_KEY is not the key"):
        audit.append(session=chain, actor=audit.SYSTEM, action="test.other-key", target="t")
    chain.execute(delete(InstanceKey))  # and without the record, the newest entry says so
    with pytest.raises(KeyRefused, match=r"newest keyed audit entry \(6\)"):
        audit.claim_key(session=chain)
