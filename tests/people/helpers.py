"""Signing staff in on the pages, each person in their own browser (TestClient)."""

from html.parser import HTMLParser

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


class _FormValues(HTMLParser):
    """Every value a browser would send from the POST form to `action`, as the page shows it."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.values = action, False, {}
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "form":
            self.inside = found.get("action") == self.action
        if not self.inside or not found.get("name") and tag != "option":
            return
        if tag == "input" and (found.get("type") != "checkbox" or "checked" in found):
            self.values[found["name"]] = found.get("value") or ""
        elif tag == "textarea":
            self.textarea = found["name"]
            self.values[self.textarea] = ""
        elif tag == "select":
            self.select = found["name"]
        elif tag == "option" and self.select and "selected" in found:
            self.values[self.select] = found.get("value") or ""

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def fill(client, page: str, action: str, changes: dict[str, str]):
    """The form to `action` as the page shows it, with `changes` typed in, sent."""
    parser = _FormValues(action)
    parser.feed(client.get(page).text)
    data = {**parser.values, **changes}
    return client.post(action, headers=ORIGIN, data=data, follow_redirects=False)
