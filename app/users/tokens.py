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
from app.security import TokenError, read_access_token, serializer
from app.users.models import RevokedToken


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def read_live_token(*, session: Session, secret_key: str, token: str) -> int:
    """The user id of a valid access token that was not revoked; TokenError otherwise."""
    user_id = read_access_token(secret_key=secret_key, token=token)
    if session.get(RevokedToken, _token_hash(token)) is not None:
        raise TokenError("This sign-in has ended; sign in again.")
    return user_id


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
