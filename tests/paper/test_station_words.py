"""The paper-entry page and the station sign-in speak the poll worker's language."""

import pytest

from tests.helpers import form_token
from tests.paper.test_batches import new_batch
from tests.paper.test_odd_digits import ORIGIN, sign_in

SAID = {
    "es": "Guardado: hoja 1, transcripción 1 (falta la segunda transcripción).",
    "vi": "Đã lưu: tờ phiếu số 1, lần nhập 1 (đang chờ lần nhập thứ hai).",
}


@pytest.mark.parametrize("language", sorted(SAID))
def test_a_saved_sheet_is_confirmed_in_the_poll_workers_language(client, paper, language):
    batch = new_batch(client, paper, sheets=1)
    sign_in(client, paper.first)
    headers = {**ORIGIN, "Accept-Language": language}
    saved = client.post(
        f"/station/batches/{batch}",
        headers=headers,
        data={"sheet": "1", "marks": "1:1", "form_token": form_token()},
    )
    assert saved.status_code == 200, saved.text
    assert SAID[language] in saved.text
    assert "Saved" not in saved.text


def test_the_page_address_cannot_put_words_on_the_batch_page(client, paper):
    batch = new_batch(client, paper, sheets=1)
    sign_in(client, paper.first)
    # The confirmation used to be read back from free text in the address.
    for query in ("saved=polls+closed+early", "sheet=1&entry=1&state=polls+closed+early"):
        page = client.get(f"/station/batches/{batch}?{query}")
        assert page.status_code == 200
        assert "polls closed early" not in page.text


def test_a_locked_out_sign_in_is_explained_in_spanish(client, make_staff):
    staff = make_staff()
    headers = {**ORIGIN, "Accept-Language": "es"}
    answers = [
        client.post(
            "/station/login", headers=headers, data={"email": staff.user.email, "password": "no"}
        )
        for _ in range(8)
    ]
    locked = [a for a in answers if a.status_code == 429]
    assert locked, [a.status_code for a in answers]
    assert "Demasiados intentos fallidos" in locked[0].text
    assert "Too many failed" not in locked[0].text
