"""Fuzzing cleaning and the language check (issue 19): any text cleans to text, any article record is built
or refused with one clear line (a bad date), and any text gets a language or none, never an exception."""

from __future__ import annotations

import re

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from dyad.article.clean import Cleaned, clean_text, make_article
from dyad.article.language import detect_language
from dyad.pipeline import _admit
from dyad.records import Article, Result

from .conftest import accounted, one_line
from .strategies import hostile_text, records, seed_files

pytestmark = pytest.mark.fuzz

SEEDS = tuple(s.decode("utf-8", "replace") for s in seed_files("scraped", "*.txt") + seed_files("articles", "*.txt"))
DATES = st.one_of(st.none(), st.dates(), st.sampled_from(["2024-05-14", "2024-05-14T09:30:00z", "", " ", "2024-13-01"]),
                  hostile_text())
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f\r\u2028\u2029\ufeff]")


@given(raw=hostile_text(SEEDS), title=st.none() | hostile_text(SEEDS))
def test_cleaning(raw, title):
    cleaned = clean_text(raw, title=title)
    assert isinstance(cleaned, Cleaned) and isinstance(cleaned.text, str)
    assert not _INVISIBLE.search(cleaned.text), "control characters survive cleaning"
    assert cleaned.title is None or isinstance(cleaned.title, str)
    assert cleaned.dateline is None or cleaned.dateline.strip()


@given(raw=hostile_text(SEEDS), title=st.none() | hostile_text(), date=DATES, url=st.none() | hostile_text())
def test_article_records(raw, title, date, url):
    try:
        article, _ = make_article(raw, title=title, date=date, url=url, origin="fuzz")
    except ValueError as error:  # the documented refusal: a date that is not one
        one_line(str(error))
        assert "date" in str(error)
        return
    assert isinstance(article, Article) and article.id


@given(text=hostile_text(SEEDS))
def test_language_check(text):
    language = detect_language(text)
    event(f"language {language}")
    assert language is None or re.fullmatch("[a-z]{2}", language), language


@given(item=hostile_text(SEEDS) | records({"text": hostile_text(SEEDS), "title": hostile_text(), "date": DATES,
                                            "language": st.sampled_from(["en", "fr", None])}))
def test_admission(item):
    """What `dyad.process` does before parsing: a text or a record becomes an Article to code, or a Result."""
    admitted = _admit(item)
    accounted(admitted)
    if isinstance(admitted, Article):
        assert admitted.language == "en" and admitted.text.strip()
    else:
        assert isinstance(admitted, Result)
