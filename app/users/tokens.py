"""Staff access tokens that are still live: read one, end one before it expires.

Below app/auth.py, which reads every request's token here, apart from the account
services (app/users/service.py) that a page's rendering must not pull in.
"""

import hashlib
from datetime import UTC, datetime

from itsdangerous import BadSignature
from sqlalchemy import delete
from sqlmodel import Session

from app.db import utcnow
from app.security import TokenError, read_access_claims, read_access_token, serializer
from app.users.models import RevokedToken, User


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def signed_in_user(*, session: Session, secret_key: str, token: str) -> User:
    """The account of a valid access token that was not revoked, is active, and was signed
    since its last password reset, deactivation or reactivation; TokenError otherwise.
    Read from the database on every request, so an ending holds on every app instance."""
    claims = read_access_claims(secret_key=secret_key, token=token)
    if session.get(RevokedToken, _token_hash(token)) is not None:
        raise TokenError("This sign-in has ended; sign in again.")
    user = session.get(User, claims.user_id, populate_existing=True)
    if user is None or not user.is_active:
        raise TokenError("This account no longer exists or is disabled.")
    if user.session_generation != claims.generation:
        raise TokenError("This sign-in has ended: the account was changed since; sign in again.")
    return user


def revoke_token(*, session: Session, secret_key: str, token: str) -> None:
    """Ends this sign-in for every app instance; forged or expired tokens need nothing."""
    try:
        read_access_token(secret_key=secret_key, token=token)
        expires = serializer(secret_key, "access-token").loads(token)["exp"]
    except (TokenError, BadSignature):
        return
    now = utcnow()
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at <= now))
    if session.get(RevokedToken, _token_hash(token)) is None:
        session.add(
            RevokedToken(
                token_hash=_token_hash(token), expires_at=datetime.fromtimestamp(expires, tz=UTC)
            )
        )
        session.flush()
