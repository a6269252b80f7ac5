"""Staff accounts, passwords and login throttling."""

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app import audit
from app.audit import Actor
from app.config import Settings
from app.db import utcnow
from app.errors import BadInput, Conflict, Gone, NotFound, TooManyRequests
from app.security import (
    MIN_PASSWORD_LENGTH,
    first_run_token,
    hash_password,
    needs_rehash,
    verify_password,
)
from app.users.models import FirstRun, LoginThrottle, Role, User
from app.users.schemas import normalise_email

FAILURE_WINDOW = timedelta(minutes=15)


def create_user(
    *,
    session: Session,
    settings: Settings,
    actor: Actor,
    email: str,
    role: Role,
    password: str,
    display_name: str = "",
) -> User:
    try:
        email = normalise_email(email)
    except ValueError as exc:
        raise BadInput(f"email {exc}", field="email") from exc
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInput(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )
    taken = session.execute(select(func.count()).where(User.email == email)).scalar_one()
    if taken:
        raise Conflict(
            f"There is already an account for {email}.", field="email", code="email_taken"
        )
    user = User(
        email=email,
        display_name=display_name.strip() or email.split("@")[0],
        role=role.value,
        password_hash=hash_password(password, settings=settings),
        created_by_id=actor.user_id,
    )
    session.add(user)
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action="user.create",
        target=f"user:{user.id}",
        detail={"email": email, "role": role.value},
    )
    return user


def needs_first_run(*, session: Session) -> bool:
    """No staff account at all yet: the first-run setup page is open (and the server
    prints its address at start)."""
    if session.get(FirstRun, 1) is not None:
        return False
    return session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def first_run_notice(*, session: Session, settings: Settings, base: str) -> str | None:
    """What the server says at start while no staff account exists: the one-time setup
    address (`base`: the site's address, or empty for a path on this server), else None."""
    if not needs_first_run(session=session):
        return None
    address = f"{base.rstrip('/')}/setup/{first_run_token(settings.secret_key)}"
    return (
        "No staff account exists yet. To make the first organizer, open this one-time "
        f"setup address in a browser: {address} (it works until an account exists; "
        "`pbvote users create` works too)."
    )


def create_first_organizer(
    *, session: Session, settings: Settings, email: str, display_name: str, password: str
) -> User:
    """The first-run page's one organizer, made only while no staff account exists.

    The setup's row is inserted first, in this transaction: a second setup at the same
    moment, on any app instance, waits on its primary key and is then refused (Gone), as
    is any setup once an account exists (made here or with `pbvote users create`). A
    refused account (a bad email, a short password) rolls the row back with it."""
    used_up = Gone(
        "The first organizer's account exists already: this setup address works no more. "
        "Sign in at /station, or ask an organizer for an account.",
        code="set_up_already",
        audit=("user.first_run", "first_run"),
    )
    if session.get(FirstRun, 1) is not None:
        raise used_up
    setup = FirstRun(id=1)
    try:
        with session.begin_nested():
            session.add(setup)
    except IntegrityError:
        raise used_up from None
    if session.execute(select(func.count()).select_from(User)).scalar_one():
        raise used_up
    user = create_user(
        session=session,
        settings=settings,
        actor=audit.SYSTEM,
        email=email,
        role=Role.organizer,
        password=password,
        display_name=display_name,
    )
    setup.organizer_id = user.id
    session.flush()
    audit.append(
        session=session,
        actor=Actor.of(user),
        action="user.first_run",
        target=f"user:{user.id}",
        detail={"email": user.email},
    )
    return user


def new_password() -> str:
    """A password to hand a person once: 4 groups of 4 letters and digits, easy to read out."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    groups = ("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


def list_users(*, session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.display_name, User.id)).scalars())


def get_user(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no staff account {user_id}.", field="user_id")
    return user


def find_user(*, session: Session, email: str) -> User:
    """The account of this email (as typed: case and spaces do not matter)."""
    user = session.execute(
        select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(f"There is no staff account for {email.strip()}.", field="email")
    return user


def set_active(*, session: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate or reactivate an account. Either ends every sign-in it made before (tokens,
    page cookies, the kiosks it opened) at their next request, so a reactivated account
    starts afresh. An organizer cannot deactivate themself, nor the last active organizer."""
    user = get_user(session=session, user_id=user_id)
    action = "user.activate" if active else "user.deactivate"
    target = f"user:{user.id}"
    if not active and user.id == actor.user_id:
        raise Conflict(
            "You cannot deactivate your own account; ask another organizer.",
            code="own_account",
            audit=(action, target),
        )
    if not active and user.role == Role.organizer.value and user.is_active:
        # Locked so that two organizers deactivating each other cannot both succeed.
        organizers = session.execute(
            select(User.id)
            .where(User.role == Role.organizer.value, User.is_active.is_(True))  # type: ignore[attr-defined]
            .with_for_update()
        ).all()
        if len(organizers) <= 1:
            raise Conflict(
                "This is the last active organizer: someone must be able to run the process.",
                code="last_organizer",
                audit=(action, target),
            )
    if user.is_active != active:
        user.is_active = active
        end_sessions(session=session, user=user)
        audit.append(session=session, actor=actor, action=action, target=target)
    return user


def reset_password(
    *, session: Session, settings: Settings, actor: Actor, user_id: int, password: str
) -> User:
    """Set a new password (told to the person once) and end every sign-in made with the old
    one (tokens, page cookies, the kiosks it opened) on every app instance."""
    user = get_user(session=session, user_id=user_id)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInput(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )
    user.password_hash = hash_password(password, settings=settings)
    end_sessions(session=session, user=user)
    audit.append(
        session=session, actor=actor, action="user.password_reset", target=f"user:{user.id}"
    )
    return user


def end_sessions(*, session: Session, user: User) -> None:
    """Every sign-in this account made so far ends: its tokens and kiosks carry the old
    generation, checked against the database on each request (signed_in_user)."""
    user.session_generation = User.session_generation + 1  # in SQL: no lost update
    session.add(user)
    session.flush()


ADDRESS_KEYS = ("address:", "ballot-code:")  # held to the per-address ceiling


def throttle_keys(*, email: str, client_address: str | None) -> list[str]:
    """The counters a login from this address counts on: the account *and* this address
    (whoever guesses slows only themself: the owner signing in from elsewhere is never
    refused for it), and the address alone, with a much higher ceiling (one address trying
    many accounts; a shared address, a library's or a carrier's, stays usable)."""
    address = (client_address or "unknown")[:80]  # both fit login_throttle.key's 300
    account = email.strip().lower()[:200]  # a cut shares a counter with its own address only
    return [f"account-address:{account}|{address}", f"address:{address}"]


def lock_counters(*, session: Session, keys: list[str], now: datetime) -> list[LoginThrottle]:
    """The counters of these keys, made if new, locked until the transaction ends.

    INSERT ... ON CONFLICT DO NOTHING, then SELECT ... FOR UPDATE, in key order: attempts
    on one key take turns across every app instance, so none is lost and the lockout holds
    after exactly the allowed failures; no two requests insert the same key (a 409).
    SQLite takes its one write lock at BEGIN, which serialises the same way.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for key in sorted(keys):
        session.execute(
            insert(LoginThrottle)
            .values(key=key, failures=0, last_failure_at=now, locked_until=None)
            .on_conflict_do_nothing(index_elements=["key"])
        )
    return list(
        session.execute(
            select(LoginThrottle)
            .where(LoginThrottle.key.in_(keys))  # type: ignore[attr-defined]
            .order_by(LoginThrottle.key)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalars()
    )


def _refuse_if_locked(rows: Iterable[LoginThrottle], now: datetime) -> None:
    wait = max(
        (
            (row.locked_until - now).total_seconds()
            for row in rows
            if row.locked_until and row.locked_until > now
        ),
        default=0,
    )
    if wait > 0:
        seconds = int(wait) + 1
        raise TooManyRequests(
            f"Too many failed logins. Wait {seconds} seconds, then try again.",
            code="login_throttled",
            headers={"Retry-After": str(seconds)},
        )


def check_not_locked(*, session: Session, keys: list[str], now: datetime) -> None:
    rows = session.execute(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).scalars()
    _refuse_if_locked(rows, now)


def _free_failures(key: str, settings: Settings) -> int:
    if key.startswith(ADDRESS_KEYS):
        return settings.throttle_address_free_failures
    return settings.login_free_failures


def _count_failure(rows: list[LoginThrottle], settings: Settings, now: datetime) -> None:
    for row in rows:
        # Forgotten only after FAILURE_WINDOW of quiet once the lock is over: trying again
        # the moment a lock ends doubles the next wait instead of earning fresh free tries.
        if now - max(row.last_failure_at, row.locked_until or row.last_failure_at) > FAILURE_WINDOW:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        over = row.failures - _free_failures(row.key, settings)
        if over >= 0:
            delay = min(
                settings.login_lockout_base_seconds * 2**over, settings.login_lockout_max_seconds
            )
            row.locked_until = now + timedelta(seconds=delay)


def record_failure(*, session: Session, keys: list[str], settings: Settings, now: datetime) -> None:
    _count_failure(lock_counters(session=session, keys=keys, now=now), settings, now)
    session.flush()


def authenticate(
    *,
    session: Session,
    settings: Settings,
    email: str,
    password: str,
    client_address: str | None,
) -> User | None:
    """The active user with these credentials, or None (the failure is recorded).

    Raises TooManyRequests while this account from this address, or this address, is
    locked out; never for failures from other addresses.
    """
    now = utcnow()
    keys = throttle_keys(email=email, client_address=client_address)
    # Taken before the password is checked and held to the commit: see lock_counters.
    counters = lock_counters(session=session, keys=keys, now=now)
    _refuse_if_locked(counters, now)
    user = session.execute(
        select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()
    ok = verify_password(password, user.password_hash if user else None, settings=settings)
    if not ok or user is None or not user.is_active:
        _count_failure(counters, settings, now)
        session.flush()
        audit.append(
            session=session,
            actor=audit.PUBLIC,
            action="auth.login",
            target=f"account:{email.strip().lower()[:100]}",
            outcome="refused",
        )
        return None
    for row in counters:  # the address's count stays: one good account must not reset it
        if row.key == keys[0] or row.failures == 0:
            session.delete(row)
    if needs_rehash(user.password_hash, settings=settings):
        # Made at an older cost: made again at today's, now that the password is at hand.
        user.password_hash = hash_password(password, settings=settings)
        session.add(user)
    session.flush()
    return user
