from datetime import timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select

from app.audit import Actor
from app.auth import CurrentOrganizer, CurrentUser, SettingsDep
from app.db import SessionDep
from app.errors import (
    BadInput,
    Conflict,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
    error_responses,
)
from app.ids import UserId
from app.security import issue_access_token
from app.users import service, tokens
from app.users.models import User
from app.users.schemas import (
    PasswordOut,
    PasswordReset,
    TokenRequest,
    TokenResponse,
    UserActive,
    UserCreate,
    UserOut,
)

router = APIRouter(prefix="/api", tags=["staff"])


@router.post(
    "/auth/token",
    response_model=TokenResponse,
    responses=error_responses(NotAuthenticated, TooManyRequests),
)
def login(body: TokenRequest, request: Request, session: SessionDep, settings: SettingsDep):
    client = request.client.host if request.client else None
    user = service.authenticate(
        session=session,
        settings=settings,
        email=body.email,
        password=body.password,
        client_address=client,
    )
    if user is None:
        # Returned, not raised: the recorded failure must be committed with this request.
        error = NotAuthenticated("The email or password is wrong.", code="bad_credentials")
        return JSONResponse(status_code=401, content=error.body())
    token = issue_access_token(
        secret_key=settings.secret_key,
        user_id=user.id,
        generation=user.session_generation,
        ttl=timedelta(minutes=settings.token_ttl_minutes),
    )
    return TokenResponse(access_token=token.token, expires_at=token.expires_at)


@router.post("/auth/logout", status_code=204, responses=error_responses(NotAuthenticated))
def logout(request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser):
    """Ends this token's sign-in on every app instance (a shared computer's script, a
    leaked token): it is refused from now on, as the pages' sign-out does for the cookie."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        tokens.revoke_token(session=session, secret_key=settings.secret_key, token=token.strip())
    return Response(status_code=204)


@router.get("/users/me", response_model=UserOut)
def me(user: CurrentUser):
    return user


@router.get("/users", response_model=list[UserOut])
def list_users(session: SessionDep, _: CurrentOrganizer):
    return session.execute(select(User).order_by(User.id)).scalars().all()


@router.post(
    "/users", response_model=UserOut, status_code=201, responses=error_responses(BadInput, Conflict)
)
def create_user(
    body: UserCreate, session: SessionDep, settings: SettingsDep, organizer: CurrentOrganizer
):
    return service.create_user(
        session=session,
        settings=settings,
        actor=Actor.of(organizer),
        email=body.email,
        role=body.role,
        password=body.password,
        display_name=body.display_name,
    )


@router.patch(
    "/users/{user_id}", response_model=UserOut, responses=error_responses(NotFound, Conflict)
)
def set_active(
    body: UserActive, session: SessionDep, organizer: CurrentOrganizer, user_id: int = UserId
):
    """Deactivate (sign-ins stop working at once) or reactivate a staff account."""
    return service.set_active(
        session=session, actor=Actor.of(organizer), user_id=user_id, active=body.is_active
    )


@router.post(
    "/users/{user_id}/password",
    response_model=PasswordOut,
    responses=error_responses(NotFound, BadInput),
)
def reset_password(
    body: PasswordReset,
    session: SessionDep,
    settings: SettingsDep,
    organizer: CurrentOrganizer,
    user_id: int = UserId,
):
    """Give an account a new password: the one sent, or a new one answered once."""
    password = body.password or service.new_password()
    service.reset_password(
        session=session,
        settings=settings,
        actor=Actor.of(organizer),
        user_id=user_id,
        password=password,
    )
    return PasswordOut(user_id=user_id, password=password)
