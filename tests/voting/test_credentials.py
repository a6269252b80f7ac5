"""Access codes, tickets and identity keys: pure functions, no database."""

from datetime import date

import pytest

from app.voting import credentials as cred


def test_a_new_code_reads_back_whatever_the_typing():
    for _ in range(200):
        code = cred.new_access_code()
        assert len(code) == 16 and code.count("-") == 3
        plain = code.replace("-", "")
        assert cred.canonical_access_code(code) == plain
        assert cred.canonical_access_code(f"  {plain.lower()} ") == plain
        assert cred.canonical_access_code(" ".join(plain)) == plain
        assert not set(plain) & set("ILOU")


def test_confusable_letters_read_as_digits():
    code = cred.new_access_code().replace("-", "")
    typed = code.replace("0", "O").replace("1", "l")
    assert cred.canonical_access_code(typed) == code


@pytest.mark.parametrize("seed", range(20))
def test_every_single_typo_and_neighbour_swap_is_caught(seed):
    code = cred.new_access_code().replace("-", "")
    for i in range(13):
        for symbol in cred.ALPHABET:
            if symbol == code[i]:
                continue
            with pytest.raises(cred.CodeTypo):
                cred.canonical_access_code(code[:i] + symbol + code[i + 1 :])
    for i in range(11):  # swaps among the 12 random symbols
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            with pytest.raises(cred.CodeTypo):
                cred.canonical_access_code(swapped)


@pytest.mark.parametrize("typed", ["", "ABC", "ABCD-EFGH-JKMN-PQ", "ABCD-EFGH-JKMN-#", "ÀBCD"])
def test_malformed_codes_are_typos(typed):
    with pytest.raises(cred.CodeTypo):
        cred.canonical_access_code(typed)


def test_codes_hash_differently_per_process_and_secret():
    code = cred.new_access_code().replace("-", "")
    a = cred.access_code_hash("secret-one-xxxxxxxx", 1, code)
    assert a != cred.access_code_hash("secret-one-xxxxxxxx", 2, code)
    assert a != cred.access_code_hash("secret-two-xxxxxxxx", 1, code)
    assert code not in a


def test_person_key_ignores_accents_case_and_spacing_but_not_the_person():
    key = cred.person_key(
        "s" * 20, process_id=1, name="José  Núñez", birth_date=date(1990, 5, 1), postal_code="14604"
    )
    same = cred.person_key(
        "s" * 20,
        process_id=1,
        name=" jose nunez ",
        birth_date=date(1990, 5, 1),
        postal_code="14604",
    )
    other = cred.person_key(
        "s" * 20, process_id=1, name="Jose Nunez", birth_date=date(1990, 5, 2), postal_code="14604"
    )
    assert key == same != other
    assert cred.normalise_postal_code(" k1a 0b1 ") == "K1A0B1"


def test_age_on_a_day():
    assert cred.age_on(date(2008, 6, 1), date(2026, 5, 31)) == 17
    assert cred.age_on(date(2008, 6, 1), date(2026, 6, 1)) == 18


def test_kiosk_tokens_are_signed_bound_and_expire():
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    token, expires_at = cred.issue_kiosk_token(
        "k" * 20, process_id=3, site_id=7, opened_by_id=5, generation=2, now=now
    )
    kiosk = cred.read_kiosk_token("k" * 20, token, now=now + timedelta(hours=23))
    assert (kiosk.process_id, kiosk.site_id, kiosk.opened_by_id, kiosk.generation) == (3, 7, 5, 2)
    with pytest.raises(cred.KioskTokenError):
        cred.read_kiosk_token("k" * 20, token, now=expires_at)
    with pytest.raises(cred.KioskTokenError):
        cred.read_kiosk_token("other-secret-xxxxxxx", token, now=now)
    with pytest.raises(cred.KioskTokenError):
        cred.read_kiosk_token("k" * 20, token[:-2] + "xx", now=now)


@pytest.mark.parametrize("birth", ["2999-01-01", "1800-01-01"])
def test_implausible_birth_dates_are_refused(birth):
    from pydantic import ValidationError

    from app.voting.schemas import IdentityIn

    with pytest.raises(ValidationError):
        IdentityIn(name="A", birth_date=birth, postal_code="1")
