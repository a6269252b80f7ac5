"""The process form read into the API's schemas: any text in any field gives a problem by
field or valid values, never an exception (no database: fast, many examples)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.processes import forms

FIELDS = [
    "name", "description", "name_es", "description_es", "budget", "currency", "ballot_size",
    "time_zone", "opens_date", "opens_time", "closes_date", "closes_time", "count_method",
    "count_seats", "count_fill", "count_exclusive", "count_min_support", "tie_break",
    "language_en", "language_es", "languages_shown",
]  # fmt: skip
ODD = st.sampled_from(
    ["", "9999-12-31", "0001-01-01", "23:59", "00:00", "24:00", "America/New_York", "UTC",
     "../../etc/passwd", "a" * 300, "1,000,000.5", "0", "-5", "١٢", "3, 7\n4;5", "stv", "10"]
)  # fmt: skip
TEXT = st.one_of(st.text(st.characters(exclude_categories=["Cs"]), max_size=40), ODD)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(typed=st.dictionaries(st.sampled_from(FIELDS), TEXT, max_size=12))
def test_any_form_is_read_without_an_exception(typed):
    form = forms.read(typed, languages=["en", "es"], translated=["es"], zone="America/New_York")
    data = forms.create_data(form)
    assert (data is None) == bool(form.problems)
    assert all(key.startswith("setup.error.") for key in form.problems.values())


def test_the_example_form_reads_as_the_api_would_take_it():
    form = forms.read(
        {
            "name": "PB",
            "budget": "1,500.25",
            "time_zone": "America/New_York",
            "closes_date": "2027-04-23",
            "closes_time": "20:00",
            "count_exclusive": "3, 7\n4, 9",
            "languages_shown": "1",
            "language_en": "on",
        },
        languages=["en", "es"],
        translated=[],
        zone="UTC",
    )
    data = forms.create_data(form)
    assert data is not None, form.problems
    assert data.budget_cents == 1_500_25 and data.languages == ["en"]
    assert data.voting_closes_at.isoformat() == "2027-04-24T00:00:00+00:00"
    assert data.count_exclusive == [[3, 7], [4, 9]]


def test_money_is_read_as_people_type_it():
    from app.digits import parse_money

    assert parse_money("250,000") == 250_000_00 and parse_money("$1,500") == 1_500_00
    assert parse_money("250000.5") == 250_000_50 and parse_money(" 12.34 ") == 12_34
    # As Spanish in Spain and Vietnamese write it (the awards page once refused "15.000").
    assert parse_money("15.000") == parse_money("15,000") == parse_money("15 000") == 15_000_00
    assert parse_money("25.000,50 ₫") == parse_money("25,000.50") == 25_000_50
    assert parse_money("15000,5") == parse_money("15000.50") == parse_money("US$15,000.5")
    assert parse_money("1.234.567") == parse_money("1\u00a0234\u00a0567") == 1_234_567_00
    for wrong in (
        "1,2345", "1.234.56", "12.3.4", "1,234,56", "1.2,3", "1,,000", "15.", ".5,5",
        "abc", "١٢", "1e3", "9" * 20, "", "-5", "$", "1.000.000,000",
    ):  # fmt: skip
        assert parse_money(wrong) is None, wrong


def test_a_moment_is_written_in_the_process_zone_without_seconds():
    from datetime import UTC, datetime

    from app.web.i18n import format_moment

    close = datetime(2027, 4, 24, 0, 0, tzinfo=UTC)  # 20:00 in New York on the 23rd
    said = {lang: format_moment(lang, close, "America/New_York").replace("\u202f", " ")
            for lang in ("en", "es", "vi")}  # fmt: skip
    assert said == {
        "en": "April 23, 2027, 8:00 PM",
        "es": "23 de abril de 2027, 8:00 p.m.",
        "vi": "20:00 ngày 23 tháng 4 năm 2027",
    }


@settings(max_examples=300, deadline=None, derandomize=True)
@given(cents=st.integers(0, 10**12), language=st.sampled_from(["en", "es", "vi"]))
def test_an_amount_the_pages_write_reads_back_in_every_language(cents, language):
    from app.digits import parse_money
    from app.web.i18n import format_money

    written = format_money(language, cents, "USD")  # "$1,234.50", "1.234,50 US$" in vi
    assert parse_money(written) == cents, written
