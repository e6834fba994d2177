import datetime as dt

import pytest

from dyad.dates import resolve_relative

SUNDAY_MARCH_1 = dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Troops crossed the border on Friday.", dt.date(2026, 2, 27)),
        ("The envoy arrived on Sunday.", SUNDAY_MARCH_1),
        ("Rebels shelled the town yesterday.", dt.date(2026, 2, 28)),
        ("Talks resume today.", SUNDAY_MARCH_1),
        ("The minister resigned.", SUNDAY_MARCH_1),
    ],
)
def test_relative_dates_count_back_from_publication(sentence, expected):
    assert resolve_relative(sentence, SUNDAY_MARCH_1)[0] == expected


def test_weekday_before_publication_crosses_year_boundary():
    published = dt.date(2027, 1, 2)  # a Saturday
    date, method = resolve_relative("Police raided the office on Wednesday.", published)
    assert date == dt.date(2026, 12, 30)
    assert "Wednesday" in method
