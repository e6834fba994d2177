"""HTML pages -> article text (dyad.article.html) and the extraction score (dyad.evaluate.extraction)."""

from __future__ import annotations

import datetime as dt
import gzip
import socket
from pathlib import Path

import pytest

from dyad.article.html import ExtractionError, HtmlArticle, decode_html, extract_html
from dyad.evaluate.extraction import page_scores, score_corpus, shingles, tokens

FIXTURES = Path(__file__).parent / "fixtures" / "html"
GOLD_HTML = Path(__file__).resolve().parents[1].parent / "shared" / "gold" / "html"


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("extract_html tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def news_article(no_network) -> HtmlArticle:
    page = (FIXTURES / "news_page.html").read_bytes()
    return extract_html(page, url="https://ledger.example.org/world/harbour-talks")


# --- extraction -----------------------------------------------------------------------------------


def test_news_page_body_paragraphs_are_extracted(news_article):
    text = news_article.text
    assert "Negotiators from Velmora and the Republic of Ostrand signed a fishing accord" in text
    assert "Radić told reporters" in text
    assert text.rstrip().endswith("the new zone maps next week.")


def test_news_page_paragraphs_are_separated_by_blank_lines(news_article):
    paragraphs = news_article.text.split("\n\n")
    assert any(p.startswith("PORT MERRIN") for p in paragraphs)
    assert any(p.startswith("Fishing crews in Port Merrin") for p in paragraphs)
    assert all(p and p == p.strip() and "\n" not in p for p in paragraphs)


@pytest.mark.parametrize(
    "boilerplate",
    [
        "Subscribe today",  # navigation
        "Accept all cookies",  # banner
        "Trawlers seized near Grey Bank",  # related links
        "Fish prices climb",
        "my cousin has been out of work",  # reader comments
        "we have heard promises before",
        "All rights reserved",  # footer
        "Privacy policy",
        "analyticsQueue",  # script
        "font-family",  # style
    ],
)
def test_news_page_boilerplate_is_left_out(news_article, boilerplate):
    assert boilerplate not in news_article.text


def test_news_page_metadata(news_article):
    assert news_article.title == "Harbour talks end with fishing accord"
    assert news_article.date == dt.date(2021, 3, 14)
    assert news_article.url == "https://ledger.example.org/world/harbour-talks"  # the caller's URL wins
    assert news_article.source == "The Coastal Ledger"


def test_page_canonical_url_is_used_when_caller_gives_none(no_network):
    article = extract_html((FIXTURES / "news_page.html").read_text(encoding="utf-8"))
    assert article.url == "https://ledger.example.org/world/2021/03/14/harbour-talks-fishing-accord"


def test_iso_8859_1_bytes_are_decoded_by_their_meta_charset(no_network):
    data = (FIXTURES / "latin1_page.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    article = extract_html(data)
    assert "Les dockers du port de Saint-Aubré ont cessé le travail" in article.text
    assert "Hélène Dufrêne" in article.text
    assert "dès jeudi — une première" in article.text  # 0x97 under a latin-1 label is windows-1252
    assert article.title == "Grève des dockers à Saint-Aubré"
    assert article.date == dt.date(2019, 6, 2)
    assert "Accueil" not in article.text
    assert "mentions légales" not in article.text


def test_valid_utf8_wins_over_a_wrong_meta_charset():
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>Zürich café</p></body></html>'
    assert "Zürich café" in decode_html(page.encode("utf-8"))


def test_gzip_bytes_are_decompressed_before_decoding():
    page = (FIXTURES / "latin1_page.html").read_bytes()
    assert decode_html(gzip.compress(page)) == decode_html(page)


def test_truncated_page_raises_extraction_error(no_network):
    data = (FIXTURES / "truncated_page.html").read_bytes()
    with pytest.raises(ExtractionError, match="no article text found in HTML page"):
        extract_html(data, url="https://gazette.example.net/council-vote")


def test_extraction_error_names_the_url():
    with pytest.raises(ExtractionError, match=r"gazette\.example\.net/council-vote"):
        extract_html(
            (FIXTURES / "truncated_page.html").read_bytes(),
            url="https://gazette.example.net/council-vote",
        )


@pytest.mark.parametrize(
    "page",
    [b"", "", "  \n ", (FIXTURES / "empty_page.html").read_bytes(), "<html", b"\x00\x01"],
)
def test_empty_or_malformed_page_raises_extraction_error(page):
    with pytest.raises(ExtractionError) as caught:
        extract_html(page)
    assert "HTML page" in str(caught.value)
    assert isinstance(caught.value, ValueError)


# --- scoring --------------------------------------------------------------------------------------


def test_tokens_ignore_punctuation_and_layout():
    assert tokens("Hello, world!\n\n  It's 2024.") == ["Hello", "world", "It", "s", "2024"]


def test_shingles_are_four_token_windows_counted_with_repeats():
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("a b c d a b c d")[("a", "b", "c", "d")] == 2


def test_short_text_is_one_shingle_and_empty_text_none():
    assert shingles("a b") == {("a", "b"): 1}
    assert shingles("  ... ") == {}


def test_page_scores_extra_text_costs_precision_only():
    score = page_scores(
        gold="one two three four five six",
        predicted="one two three four five six seven eight",
    )
    assert (score.overlap, score.predicted, score.gold) == (3, 5, 3)
    assert score.precision == pytest.approx(0.6)
    assert score.recall == pytest.approx(1.0)


def test_page_scores_repeated_paragraph_is_not_double_counted():
    score = page_scores(gold="a b c d", predicted="a b c d a b c d")
    assert score.overlap == 1
    assert score.precision == pytest.approx(1 / 5)
    assert score.recall == pytest.approx(1.0)


def test_page_scores_undefined_when_a_side_is_empty():
    score = page_scores(gold="a b c d e", predicted="")
    assert score.precision is None
    assert score.recall == 0.0


def test_score_corpus_averages_pages_then_takes_f1():
    figures = score_corpus(
        [
            (
                "one two three four five six",
                "one two three four five six seven eight",
            ),  # P 0.6  R 1.0
            ("p q r s t u v", "p q r s t"),  # P 1.0  R 0.5
            ("x y z w v", ""),  # no prediction: R 0, left out of precision
        ]
    )
    assert figures["precision"] == pytest.approx(0.8)
    assert figures["recall"] == pytest.approx(0.5)
    assert figures["f1"] == pytest.approx(2 * 0.8 * 0.5 / 1.3)
    assert figures["pages"] == 3
    assert figures["empty_predictions"] == 1


def test_score_corpus_perfect_extraction_scores_one():
    figures = score_corpus([("The minister resigned on Monday.", "The minister resigned on Monday!")])
    assert figures["f1"] == pytest.approx(1.0)


# --- gold corpus ----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not GOLD_HTML.is_dir(), reason="../shared/gold/html not found")
@pytest.mark.parametrize("clean", [False, True], ids=["extract_html", "extract_html+clean_text"])
def test_gold_html_corpus_f1_at_least_0_95(clean):
    from dyad.evaluate.extraction import evaluate_html_dir

    if clean:
        pytest.importorskip("dyad.article.clean")
    figures = evaluate_html_dir(GOLD_HTML, clean=clean)
    assert figures["pages"] == 181
    assert figures["f1"] >= 0.95, figures
