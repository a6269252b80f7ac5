"""Password hashing and signed tokens (one itsdangerous salt per purpose)."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer

from app.db import utcnow

# Argon2id, memory-hard. 19 MiB / 2 passes is OWASP's minimum; it keeps a login
# near 20 ms on a small server while making offline guessing costly.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the account does not exist, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password-but-costs-the-same")

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def serializer(secret_key: str, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=f"pbvote.{purpose}")


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: datetime


class TokenError(Exception):
    """The token is forged, altered, malformed or expired; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def issue_access_token(
    *, secret_key: str, user_id: int, ttl: timedelta, now: datetime | None = None
) -> AccessToken:
    expires_at = (now or utcnow()) + ttl
    token = serializer(secret_key, "access-token").dumps(
        # The nonce makes each sign-in its own token, so ending one (revoked_token) ends no other.
        {"uid": user_id, "exp": int(expires_at.timestamp()), "n": secrets.token_urlsafe(6)}
    )
    return AccessToken(token=token, expires_at=expires_at.replace(microsecond=0))


def read_access_token(*, secret_key: str, token: str, now: datetime | None = None) -> int:
    try:
        payload: Any = serializer(secret_key, "access-token").loads(token)
    except BadSignature as exc:
        raise TokenError("The access token is not valid; log in again.") from exc
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("uid"), int)
        or not isinstance(payload.get("exp"), int)
    ):
        raise TokenError("The access token is not valid; log in again.")
    if payload["exp"] <= (now or utcnow()).timestamp():
        raise TokenError("The access token has expired; log in again.")
    return payload["uid"]
