"""The `pbvote` command.

Each command imports what it uses inside itself (the one place in app/ that does so on
purpose): building the parser stays quick, and `pbvote tally` loads neither the settings
nor the database layer, nor the web app.
"""

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.config import Settings


def get_settings() -> "Settings":
    # Imported on use: pydantic-settings adds ~0.15 s to every start, and `pbvote tally`
    # never reads the settings.
    from app.config import get_settings as settings

    return settings()


def _session(*, accept_unkeyed: bool = False):
    """A writing session on the database, refused (exit 2) unless PBVOTE_SECRET_KEY is the
    database's own; its key record is written with the caller's commit."""
    from app.audit import KeyRefused, claim_key, use_secret
    from app.db import make_engine, make_session_factory, open_session
    from app.models import load_all_models

    load_all_models()
    settings = get_settings()
    engine = make_engine(settings.database_url)
    use_secret(engine, settings.secret_key)
    session = open_session(make_session_factory(engine), write=True)
    try:
        claim_key(session=session, accept_unkeyed=accept_unkeyed)
    except KeyRefused as refused:
        session.close()
        print(f"pbvote: refused: {refused}", file=sys.stderr)
        raise SystemExit(2) from None
    return session


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from app import migrate

    migrate.upgrade(get_settings().database_url, args.revision)
    print(f"database at revision {args.revision}")
    return 0


def cmd_db_downgrade(args: argparse.Namespace) -> int:
    from app import migrate

    migrate.downgrade(get_settings().database_url, args.revision)
    print(f"database at revision {args.revision}")
    return 0


def cmd_db_check(_: argparse.Namespace) -> int:
    from app.db import make_engine
    from app.migrate import schema_problem

    problem = schema_problem(make_engine(get_settings().database_url))
    print(problem or "database schema is up to date", file=sys.stderr if problem else sys.stdout)
    return 1 if problem else 0


def _read_password(prompt_twice: bool) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if prompt_twice and getpass.getpass("Password again: ") != first:
        raise SystemExit("The two passwords differ; nothing was created.")
    return first


def cmd_users_create(args: argparse.Namespace) -> int:
    from app.audit import SYSTEM
    from app.errors import DomainError
    from app.users.models import Role
    from app.users.service import create_user

    password = _read_password(prompt_twice=True)
    with _session() as session:
        try:
            user = create_user(
                session=session,
                settings=get_settings(),
                actor=SYSTEM,
                email=args.email,
                role=Role(args.role),
                password=password,
                display_name=args.name or "",
            )
            session.commit()
        except DomainError as exc:
            print(f"error: {exc.message}", file=sys.stderr)
            return 2
        print(f"created {user.role} {user.email} (id {user.id})")
    return 0


def cmd_users_reset_password(args: argparse.Namespace) -> int:
    """For the operator, when no organizer can sign in (the only one forgot): a new
    password, made and printed once, or the one typed (--choose); every sign-in of the
    account ends; audited as the system's."""
    from app.audit import SYSTEM
    from app.errors import DomainError
    from app.users.service import find_user, new_password, reset_password

    password = _read_password(prompt_twice=True) if args.choose else new_password()
    with _session() as session:
        try:
            user = find_user(session=session, email=args.email)
            reset_password(
                session=session,
                settings=get_settings(),
                actor=SYSTEM,
                user_id=user.id,
                password=password,
            )
            session.commit()
        except DomainError as exc:
            print(f"error: {exc.message}", file=sys.stderr)
            return 2
        print(f"password reset for {user.role} {user.email} (id {user.id}); its sign-ins ended")
        if not args.choose:
            print(f"new password (shown once): {password}")
        if not user.is_active:
            print("note: this account is deactivated: an organizer must reactivate it first")
    return 0


DEMO_PASSWORD = "demo-organizer-2019"  # published in the README: development only


def cmd_demo(args: argparse.Namespace) -> int:
    import secrets

    from app.demo import DEMO_POLL_WORKER, load_demo

    if get_settings().env not in ("development", "test"):
        if not args.allow_production:
            print(
                "pbvote demo: refused: this is not a development database (PBVOTE_ENV is "
                "production). The demo adds staff accounts and a made-up vote. To load it "
                "anyway, with random passwords printed once, add --allow-production.",
                file=sys.stderr,
            )
            return 2
        # Never the published password: fresh random ones, shown only here.
        passwords = (secrets.token_urlsafe(18), secrets.token_urlsafe(18))
    else:
        chosen = args.password or os.environ.get("PBVOTE_DEMO_PASSWORD") or DEMO_PASSWORD
        passwords = (chosen, chosen)
    with _session() as session:
        result = load_demo(
            session=session, organizer_password=passwords[0], poll_worker_password=passwords[1]
        )
        session.commit()
    if not result.created:
        print(f"demo process {result.process.id} already loaded: {result.process.name}")
        print(f"demo organizer login: {result.organizer_email} (its password is unchanged)")
        return 0
    print(f"demo process {result.process.id} loaded: {result.process.name}")
    print(f"demo organizer login: {result.organizer_email} / {passwords[0]}")
    print(f"demo poll worker login (/station, practice site): {DEMO_POLL_WORKER} / {passwords[1]}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.audit import key_problem, use_secret
    from app.db import make_engine, make_session_factory
    from app.migrate import schema_problem
    from app.models import load_all_models

    settings = get_settings()
    engine = make_engine(settings.database_url)
    # Checked once here too, before uvicorn starts its workers: one clear line, not a
    # traceback per worker (each worker's start checks again).
    problem = schema_problem(engine)
    notice = None
    if not problem:
        load_all_models()
        use_secret(engine, settings.secret_key)
        problem = key_problem(make_session_factory(engine))
    if not problem:
        from app.users.service import first_run_notice

        wildcard = args.host in ("0.0.0.0", "::", "")
        base = settings.public_url or f"http://{'localhost' if wildcard else args.host}:{args.port}"
        with make_session_factory(engine)() as session:
            notice = first_run_notice(session=session, settings=settings, base=base)
    engine.dispose()
    if problem:
        print(f"pbvote cannot start: {problem}", file=sys.stderr)
        return 1
    if notice:
        print(f"\n{notice}\n", flush=True)
    trusted = (
        settings.forwarded_allow_ips
        if args.forwarded_allow_ips is None
        else args.forwarded_allow_ips
    ).strip()
    uvicorn.run(
        "app.main:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # uvicorn believes 127.0.0.1 by default: only the proxies named are believed here.
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        http="app.server:HeaderDeadline",  # headers must arrive in time (app/server.py)
        log_level="info",
    )
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from app.audit import verify_chain

    with _session() as session:
        check = verify_chain(session=session, expect_heads=args.expect_head)
    return _said(check)


def cmd_audit_accept_unkeyed(args: argparse.Namespace) -> int:
    from app.audit import verify_chain

    with _session(accept_unkeyed=True) as session:
        check = verify_chain(session=session, expect_heads=args.expect_head)
        if check.ok:
            session.commit()
            print(f"the chain is keyed from entry {check.keyed_from} on")
    return _said(check)


def cmd_backup(args: argparse.Namespace) -> int:
    from app.backup import BackupRefused, backup

    try:
        made = backup(get_settings().database_url, args.file)
    except BackupRefused as refused:
        print(f"pbvote backup: refused: {refused}", file=sys.stderr)
        return 2
    head, processes = made.manifest["audit_head"], made.manifest["processes"]
    ballots = sum(p["ballots"] for p in processes.values())
    print(
        f"backed up to {made.path} ({made.size} bytes): revision "
        f"{made.manifest['alembic_revision']}, audit head {head['seq']}, "
        f"{ballots} ballots in {len(processes)} processes"
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app.backup import BackupRefused, restore

    settings = get_settings()
    try:
        restored = restore(settings.database_url, args.file, secret_key=settings.secret_key)
    except BackupRefused as refused:
        print(f"pbvote restore: refused: {refused}", file=sys.stderr)
        return 2
    if restored.ok:
        print("restore verified: the database holds what the backup's manifest says")
        return 0
    print("restore NOT verified: see the FAIL lines above", file=sys.stderr)
    return 1


def _said(check) -> int:
    if check.ok:
        notes = [f"{len(check.anchors)} published head(s) found"] if check.anchors else []
        if check.unkeyed:
            notes.append(f"the first {check.unkeyed} written before the chain was keyed")
        said = f" ({'; '.join(notes)})" if notes else ""
        print(f"audit chain OK: {check.entries} entries{said}")
        return 0
    if check.first_bad_seq is None:
        where, intact = "", f"{check.entries} entries read"
    else:
        where, intact = (
            f" at entry {check.first_bad_seq}",
            f"{check.entries} entries before it are intact",
        )
    print(f"audit chain BROKEN{where}: {check.problem} ({intact})", file=sys.stderr)
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pbvote", description="Participatory budgeting service.")
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db", required=True)
    up = db.add_parser("upgrade", help="migrate the database to the newest schema")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=cmd_db_upgrade)
    down = db.add_parser("downgrade", help="migrate the database back to REVISION")
    down.add_argument("revision")
    down.set_defaults(func=cmd_db_downgrade)
    db.add_parser("check", help="exit 1 unless the schema is current").set_defaults(
        func=cmd_db_check
    )

    users = commands.add_parser("users", help="staff accounts").add_subparsers(
        dest="users", required=True
    )
    create = users.add_parser("create", help="create a staff account (password from stdin)")
    create.add_argument("--email", required=True)
    create.add_argument("--role", required=True, choices=["organizer", "delegate", "poll_worker"])
    create.add_argument("--name")
    create.set_defaults(func=cmd_users_create)
    reset = users.add_parser(
        "reset-password",
        help="give a staff account a new password (printed once) and end its sign-ins",
    )
    reset.add_argument("email")
    reset.add_argument(
        "--choose",
        action="store_true",
        help="type the new password (asked twice, or one line from stdin) instead",
    )
    reset.set_defaults(func=cmd_users_reset_password)

    demo = commands.add_parser("demo", help="load the RMAPI-like demo process (once)")
    demo.add_argument("--password", help="development only (default: the README's)")
    demo.add_argument(
        "--allow-production",
        action="store_true",
        help="load the demo outside development, with random passwords printed once",
    )
    demo.set_defaults(func=cmd_demo)

    serve = commands.add_parser("serve", help="serve the app with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--forwarded-allow-ips",
        help="the reverse proxies whose X-Forwarded-For is believed (IPs or CIDRs, "
        "comma-separated); default PBVOTE_FORWARDED_ALLOW_IPS, empty: none",
    )
    serve.set_defaults(func=cmd_serve)

    audit = commands.add_parser("audit", help="audit log").add_subparsers(
        dest="audit", required=True
    )
    verify = audit.add_parser("verify", help="check the hash chain")
    verify.add_argument(
        "--expect-head",
        action="append",
        default=[],
        metavar="HEX",
        help="a published audit_head (e.g. from a results.json): fail unless it is in the chain",
    )
    verify.set_defaults(func=cmd_audit_verify)
    accept = audit.add_parser(
        "accept-unkeyed",
        help="for a chain from before it was keyed, never served since: record this key and "
        "key the chain from the next entry (check a published head first)",
    )
    accept.add_argument("--expect-head", action="append", default=[], metavar="HEX")
    accept.set_defaults(func=cmd_audit_accept_unkeyed)

    saved = commands.add_parser(
        "backup", help="copy the database while it runs, with a manifest (docs/operators.md)"
    )
    saved.add_argument("file", type=Path, help="the backup file to write (must not exist)")
    saved.set_defaults(func=cmd_backup)
    back = commands.add_parser(
        "restore", help="restore a backup FILE into the empty database, then verify it"
    )
    back.add_argument("file", type=Path)
    back.set_defaults(func=cmd_restore)

    from app.tally.cli import add_tally_parser

    add_tally_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:  # settings refused, e.g. the default secret outside development
        print(f"pbvote: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
