"""Every staff page names who is signed in and offers Sign out (issue 20): the sign-out
ends that sign-in on the server, so a copy of the cookie opens nothing afterwards; the
footer no longer says "Staff sign-in" while someone is signed in."""

import pytest

from app.auth import STAFF_COOKIE
from app.users.models import Role
from tests.helpers import hidden_fields
from tests.people.helpers import ORIGIN, browser, sign_in, sign_out

HEADER_FORM = 'action="/station/logout"'


def cookie_opens(app, cookie: str, page: str) -> bool:
    """Whether a copy of the staff cookie, sent from another browser, still opens `page`."""
    copy = browser(app)
    copy.cookies.set(STAFF_COOKIE, cookie)
    opened = copy.get(page, follow_redirects=False)
    return opened.status_code == 200 and 'action="/station/login"' not in opened.text


@pytest.mark.parametrize(
    ("role", "lands", "page"),
    [
        (Role.organizer, "/organize", "/organize/audit"),
        (Role.delegate, "/delegate", "/delegate"),
        (Role.poll_worker, "/station", "/station"),
    ],
)
def test_sign_out_on_a_staff_page_ends_the_sign_in(app, make_staff, role, lands, page):
    person = make_staff(role)
    client = browser(app)
    sign_in(client, person, lands)
    cookie = client.cookies[STAFF_COOKIE]
    opened = client.get(page)
    header = opened.text.split("</header>")[0]
    assert "Signed in as" in header and person.user.display_name in header
    assert HEADER_FORM in header and "Sign out" in header
    footer = opened.text.split('<footer class="site">')[1]
    assert "Staff sign-in" not in footer and f'href="{lands}"' in footer

    out = sign_out(client, page)
    assert out.status_code == 303 and out.headers["location"] == "/station"
    assert any(
        c.startswith(f"{STAFF_COOKIE}=") and "Max-Age=0" in c
        for c in out.headers.get_list("set-cookie")
    )
    said = client.get("/station")
    assert 'role="status"' in said.text and "You are signed out" in said.text
    assert 'name="password"' in said.text  # the sign-in form
    assert "Staff sign-in" in said.text.split('<footer class="site">')[1]
    # A copy of the cookie taken before: refused on every page, as the API refuses it.
    assert not cookie_opens(app, cookie, page)
    me = browser(app).get("/api/users/me", headers={"Authorization": f"Bearer {cookie}"})
    assert me.status_code == 401


def test_a_sign_out_without_this_sign_ins_token_ends_nothing(app, organizer):
    client = browser(app)
    sign_in(client, organizer)
    cookie = client.cookies[STAFF_COOKIE]
    for token in ("", "0" * 32):
        r = client.post(
            "/station/logout", headers=ORIGIN, data={"form_token": token}, follow_redirects=False
        )
        assert r.status_code == 303
        refused = client.get(r.headers["location"])
        assert refused.status_code == 403 and "Sign out button" in refused.text
    # Another site's page cannot send it at all.
    fields = hidden_fields(client.get("/organize").text, "/station/logout")
    other = client.post("/station/logout", headers={"Origin": "https://evil.example"}, data=fields)
    assert other.status_code == 403
    assert cookie_opens(app, cookie, "/organize")


def test_the_header_speaks_the_pages_language(app, organizer):
    client = browser(app)
    sign_in(client, organizer)
    for lang, words in (("es", "Cerrar sesión"), ("vi", "Đăng xuất")):
        header = client.get(f"/organize?lang={lang}").text.split("</header>")[0]
        assert words in header
    out = sign_out(client, "/organize?lang=es")
    assert "Cerró la sesión" in client.get(out.headers["location"]).text


def test_a_second_sign_out_finds_nothing_to_end(app, organizer):
    client = browser(app)
    sign_in(client, organizer)
    fields = hidden_fields(client.get("/organize").text, "/station/logout")
    assert sign_out(client, "/organize").status_code == 303
    again = client.post("/station/logout", headers=ORIGIN, data=fields, follow_redirects=False)
    assert again.status_code == 303 and client.get("/station").status_code == 200
