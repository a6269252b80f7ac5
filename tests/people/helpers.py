"""Signing staff in on the pages, each person in their own browser (TestClient)."""

from fastapi.testclient import TestClient

from tests.helpers import form_token, hidden_fields

ORIGIN = {"Origin": "http://testserver"}


def browser(app) -> TestClient:
    return TestClient(app, base_url="http://testserver")


def sign_in(client, staff, lands: str = "/organize") -> None:
    r = client.post(
        "/station/login",
        headers=ORIGIN,
        follow_redirects=False,
        data={"email": staff.user.email, "password": staff.password},
    )
    assert r.status_code == 303 and r.headers["location"] == lands, r.text


def post(client, url: str, data: dict | None = None, *, token: str | None = None):
    """A page's form, sent with a new form instance (or `token`, the same one again)."""
    data = {"form_token": token or form_token(), **(data or {})}
    return client.post(url, headers=ORIGIN, data=data, follow_redirects=False)


def sign_out(client, page: str = "/station"):
    """The header's Sign out, sent as a browser sends it from `page` (its token included)."""
    opened = client.get(page)
    assert opened.status_code == 200, opened.text
    fields = hidden_fields(opened.text, "/station/logout")
    return client.post("/station/logout", headers=ORIGIN, data=fields, follow_redirects=False)
