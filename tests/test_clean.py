"""Behaviour of the cleaning stage on text as scraped from news sites."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import pytest

from dyad.article.boilerplate import load_boilerplate
from dyad.article.clean import Cleaned, clean_text, make_article, parse_date
from dyad.records import Article, article_id

FIXTURES = Path(__file__).parent / "fixtures" / "scraped"
EXPECTED: dict[str, dict] = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))

BODY = "The foreign minister of France met his German counterpart in Berlin on Tuesday, officials said."
BODY2 = "Police arrested 12 protesters outside parliament after clashes that lasted into the night."


def clean_fixture(name: str) -> Cleaned:
    expected = EXPECTED[name]
    return clean_text((FIXTURES / name).read_text(encoding="utf-8"), title=expected.get("given_title"))


def page(*lines: str) -> str:
    return "\n".join(lines)


# --- the fixture corpus --------------------------------------------------------------------


def test_every_fixture_has_expectations():
    names = {path.name for path in FIXTURES.glob("*.txt")}
    assert len(names) >= 12
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_headline_is_found(name):
    assert clean_fixture(name).title == EXPECTED[name]["title"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_dateline_city_is_recorded(name):
    assert clean_fixture(name).dateline == EXPECTED[name]["dateline"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_text_starts_with_first_body_sentence(name):
    assert clean_fixture(name).text.startswith(EXPECTED[name]["starts_with"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_body_paragraphs_are_kept(name):
    text = clean_fixture(name).text
    for snippet in EXPECTED[name]["must_contain"]:
        assert snippet in text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_page_furniture_is_removed(name):
    text = clean_fixture(name).text
    for snippet in EXPECTED[name]["must_not_contain"]:
        assert snippet not in text, snippet
    for snippet in EXPECTED[name].get("occurs_once", []):
        assert text.count(snippet) == 1


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_text_is_normalised(name):
    text = clean_fixture(name).text
    assert "\n\n\n" not in text and "  " not in text and "\r" not in text
    assert all(paragraph == paragraph.strip() and paragraph for paragraph in text.split("\n\n"))
    assert "\n" not in text.replace("\n\n", "")
    assert unicodedata.is_normalized("NFC", text)


# --- headlines and standfirsts ---------------------------------------------------------------


def test_headline_repeated_at_top_is_removed_and_kept_as_title():
    headline = "Ministers agree to extend ceasefire by two weeks"
    cleaned = clean_text(page(headline, headline, "", BODY, "", BODY2))
    assert cleaned.title == headline
    assert headline not in cleaned.text
    assert cleaned.text == f"{BODY}\n\n{BODY2}"


def test_given_title_is_removed_from_text_even_with_site_suffix():
    headline = "Ministers agree to extend ceasefire by two weeks"
    cleaned = clean_text(page(headline, BODY, headline, BODY2), title=f"{headline} | The Daily Example")
    assert cleaned.title == f"{headline} | The Daily Example"
    assert cleaned.text == f"{BODY}\n\n{BODY2}"


def test_section_labels_above_the_headline_are_removed():
    cleaned = clean_text(page("World", "Europe", "Ministers agree to extend ceasefire", BODY))
    assert cleaned.title == "Ministers agree to extend ceasefire"
    assert cleaned.text == BODY


def test_text_without_headline_has_no_title():
    cleaned = clean_text(page(BODY, BODY2))
    assert cleaned.title is None
    assert cleaned.text == f"{BODY}\n\n{BODY2}"


def test_duplicated_standfirst_is_kept_once():
    standfirst = "The measure now goes to the lower house, where a vote is expected on Friday."
    cleaned = clean_text(page("Senate passes budget bill", standfirst, standfirst, BODY, standfirst))
    assert cleaned.text.count(standfirst) == 1
    assert BODY in cleaned.text


# --- photo credits and captions --------------------------------------------------------------


def test_repeated_photo_credit_is_removed():
    credit = "Photo: Jane Roe/Reuters"
    cleaned = clean_text(page(credit, BODY, credit, "Image copyright Getty Images", BODY2, credit))
    assert cleaned.text == f"{BODY}\n\n{BODY2}"
    assert cleaned.removed.count(credit) == 3


@pytest.mark.parametrize("line", [
    "Getty Images",
    "AFP via Getty Images",
    "Image copyright AFP",
    "Image source, Getty Images",
    "Photograph: Sam Roe/AP",
    "REUTERS/Sam Roe/File Photo",
    "(Photo credit: Sam Roe/AFP)",
    "— WAM photo",
    "Supplied photo",
])
def test_photo_credit_line_is_removed(line):
    assert clean_text(page(BODY, line, BODY2)).text == f"{BODY}\n\n{BODY2}"


@pytest.mark.parametrize("caption", [
    "Protesters gather outside parliament on Tuesday. (Photo credit: Sam Roe/AFP)",
    "Protesters gather outside parliament in Paris, France, March 3, 2020. REUTERS/Sam Roe",
    "Soldiers patrol the border town. Photo: Jane Roe/Reuters",
    "Image caption, Police fired tear gas to disperse the crowd",
])
def test_caption_with_credit_is_removed(caption):
    assert clean_text(page(BODY, caption, BODY2)).text == f"{BODY}\n\n{BODY2}"


def test_caption_on_the_line_after_a_caption_label_is_removed():
    cleaned = clean_text(page(BODY, "Image caption,", "Police fired tear gas at the crowd", BODY2))
    assert cleaned.text == f"{BODY}\n\n{BODY2}"


def test_credit_inside_a_long_paragraph_goes_but_the_sentence_stays():
    line = ("Police arrested 12 protesters (Photo: AFP) near the chancellery on Tuesday after a march "
            "that drew several thousand people to the centre of the capital, a spokesman said.")
    cleaned = clean_text(line)
    assert cleaned.text.startswith("Police arrested 12 protesters near the chancellery")
    assert "(Photo: AFP)" in cleaned.removed


def test_sentence_mentioning_a_photo_agency_is_kept():
    line = "Getty Images said on Monday it had withdrawn the picture after the ministry complained."
    assert clean_text(page(BODY, line)).text == f"{BODY}\n\n{line}"


def test_poll_credit_is_not_taken_for_a_photo_credit():
    line = "Support for the government fell to 31 percent, according to a Reuters/Ipsos poll."
    assert clean_text(page(BODY, line)).text == f"{BODY}\n\n{line}"


def assert_removed_between_paragraphs(line: str) -> None:
    """The line between two body paragraphs is removed, recorded, and the body is left whole."""
    cleaned = clean_text(page(BODY, line, BODY2))
    assert cleaned.text == f"{BODY}\n\n{BODY2}"
    assert line in cleaned.removed


# --- bylines and timestamps ------------------------------------------------------------------


@pytest.mark.parametrize("byline", [
    "By Jane Doe",
    "By Jane Doe, Reuters",
    "BY JANE DOE AND SAM ROE",
    "By Jane Doe in Berlin and Sam Roe in Paris",
    "By Jane Doe | Published 3:04 PM EST, Tue March 3, 2020",
    "By Amira al-Masri, Political Correspondent",
    "Reporting by Jane Doe; Editing by Sam Roe",
    "(Reporting by Jane Doe in Kabul; Additional reporting by Sam Roe; Editing by Alex Poe)",
    "Posted by Pieter Vos on March 3, 2020 in Politics",
])
def test_byline_is_removed(byline):
    assert_removed_between_paragraphs(byline)


@pytest.mark.parametrize("sentence", [
    "By Tuesday, the army had withdrawn from the border town.",
    "By Tuesday",
    "By most accounts, the talks had collapsed before the summit.",
    "By March the two sides had exchanged more than 200 prisoners.",
    "By Law Number 12, the president may dissolve parliament.",
    "Reporting by state media suggested the army had withdrawn.",
])
def test_body_sentence_starting_with_by_is_kept(sentence):
    assert sentence in clean_text(page(BODY, sentence, BODY2)).text


@pytest.mark.parametrize("stamp", [
    "Published 3:04 PM EST, Tue March 3, 2020",
    "Updated 3:04 PM EST, Tue March 3, 2020",
    "Published: 14:32, 12 March 2024 | Updated: 16:05, 12 March 2024",
    "Last updated on Tue 3 Mar 2020 16.20 GMT",
    "2 hours ago",
    "22:41 CET",
    "March 3, 2020",
    "2020-03-03T15:04:05Z",
    "5 min read",
])
def test_timestamp_line_is_removed(stamp):
    assert clean_text(page(BODY, stamp, BODY2)).text == f"{BODY}\n\n{BODY2}"


def test_sentence_starting_like_a_timestamp_is_kept():
    sentence = "Published reports said the army had withdrawn from 3 villages."
    assert sentence in clean_text(page(BODY, sentence)).text


# --- trailers and boilerplate ----------------------------------------------------------------


@pytest.mark.parametrize("line", [
    "Read more: EU leaders meet in Brussels to discuss sanctions",
    "READ MORE",
    "Related:",
    "Related: Talks collapse in Geneva",
    "Related articles",
    "Share this article",
    "Share on Facebook",
    "Share on Twitter",
    "Facebook Twitter WhatsApp Email",
    "Subscribe to our newsletter",
    "Sign up for our daily politics briefing",
    "Advertisement",
    "ADVERTISEMENT",
    "Story continues below advertisement",
    "Click here to read the full report",
    "Follow us on Twitter",
    "© 2024 The Daily Example",
    "All rights reserved.",
    "Copyright 2024 Example Media Group",
    "Want more political news? Sign up for our newsletter.",
    "Recommended",
    "Most read",
    "You may also like",
    "We use cookies to give you the best experience. By continuing to browse you accept our use of cookies.",
    "https://www.example.test/news/2024/03/03/talks",
    "www.example.test",
    "Tags: Ukraine, Russia, sanctions",
])
def test_boilerplate_line_is_removed(line):
    assert_removed_between_paragraphs(line)


@pytest.mark.parametrize("sentence", [
    "Related talks between the two delegations are scheduled for Friday.",
    "Copyright laws were debated in parliament on Tuesday.",
    "Subscribers to the state news agency were told the vote had been postponed.",
    "Share prices in Moscow fell after the announcement of new sanctions.",
    "Advertisements for the rally were banned by the election commission.",
    "Recommended measures include a freeze on arms sales to both sides.",
])
def test_body_sentence_starting_with_a_boilerplate_word_is_kept(sentence):
    assert clean_text(page(BODY, sentence)).text == f"{BODY}\n\n{sentence}"


def test_related_links_after_read_more_are_removed_until_the_body_resumes():
    cleaned = clean_text(page(BODY, "READ MORE", "Ministers clash over budget", "Ceasefire holds in north",
                              BODY2))
    assert cleaned.text == f"{BODY}\n\n{BODY2}"
    assert "Ceasefire holds in north" in cleaned.removed


def test_body_after_an_end_trailer_is_kept():
    after = "The ministry later said the talks would resume in Geneva on Monday."
    cleaned = clean_text(page(BODY, "Reporting by Jane Doe; Editing by Sam Roe", after))
    assert cleaned.text == f"{BODY}\n\n{after}"


# --- datelines -------------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "place"), [
    ("PARIS (Reuters) - ", "PARIS"),
    ("PARIS, France — ", "PARIS, France"),
    ("GAZA CITY, Jan 5 (AFP) - ", "GAZA CITY"),
    ("WASHINGTON (AP) — ", "WASHINGTON"),
    ("Kabul, Afghanistan: ", "Kabul, Afghanistan"),
    ("BEIRUT — ", "BEIRUT"),
    ("NEW DELHI, March 3 (Reuters) - ", "NEW DELHI"),
    ("SPRINGFIELD, Ill. — ", "SPRINGFIELD, Ill."),
    ("Nairobi, Kenya, Jan. 5 (AFP) — ", "Nairobi, Kenya"),
    ("ABU DHABI, 5th January, 2024 (WAM) -- ", "ABU DHABI"),
    ("SÃO PAULO (Reuters) - ", "SÃO PAULO"),
    ("Dubai: ", "Dubai"),
])
def test_dateline_city_is_recorded(first, place):
    cleaned = clean_text(page(first + BODY, BODY2))
    assert cleaned.dateline == place
    assert cleaned.text.startswith(BODY)
    assert first.strip() in cleaned.removed


def test_agency_only_dateline_is_removed_without_a_place():
    cleaned = clean_text("(CNN) — " + BODY)
    assert cleaned.text == BODY
    assert cleaned.dateline is None


def test_dateline_after_the_headline_is_found():
    cleaned = clean_text(page("Ministers agree to extend ceasefire", "By Jane Doe", "", "BEIRUT — " + BODY))
    assert (cleaned.title, cleaned.dateline, cleaned.text) == (
        "Ministers agree to extend ceasefire", "BEIRUT", BODY)


@pytest.mark.parametrize("sentence", [
    "Macron — who flew in on Monday — met the German chancellor in Berlin.",
    "The Prime Minister: a profile of the man who survived three confidence votes.",
    "BREAKING: Parliament has voted to dissolve itself ahead of early elections.",
    "NATO said on Tuesday it would send more troops to the eastern flank.",
    "Paris, the French capital, hosted the talks on Tuesday.",
])
def test_sentence_that_only_looks_like_a_dateline_is_kept(sentence):
    cleaned = clean_text(sentence)
    assert cleaned.text == sentence
    assert cleaned.dateline is None


# --- whitespace and unicode ------------------------------------------------------------------


def test_whitespace_is_normalised():
    raw = ("  Ministers\u00a0met   in\tBerlin on Tuesday, officials said.  \r\n\r\n\r\n"
           "\u200bPolice ar\u200brested 12. \n")
    cleaned = clean_text(raw)
    assert cleaned.text == "Ministers met in Berlin on Tuesday, officials said.\n\nPolice arrested 12."


def test_curly_quotes_are_kept():
    line = "“We will not back down,” the minister said, calling the plan ‘a betrayal’."
    assert clean_text(line).text == line


def test_text_is_nfc_normalised():
    assert clean_text("Ministers met in Bogota\u0301 on Tuesday.").text == "Ministers met in Bogotá on Tuesday."


def test_sentence_split_by_an_advertisement_is_rejoined():
    cleaned = clean_text(page("The minister said that", "", "Advertisement", "", "talks would resume on Monday."))
    assert cleaned.text == "The minister said that talks would resume on Monday."


def test_hard_wrapped_paragraphs_are_rejoined():
    raw = page(
        "The foreign minister of France met his German counterpart in Berlin",
        "on Tuesday to discuss border checks, officials from both ministries",
        "said after the meeting.",
        "",
        "Germany reintroduced controls at several crossings in October, citing",
        "a rise in irregular migration.",
    )
    assert clean_text(raw).text.split("\n\n") == [
        "The foreign minister of France met his German counterpart in Berlin on Tuesday to discuss "
        "border checks, officials from both ministries said after the meeting.",
        "Germany reintroduced controls at several crossings in October, citing a rise in irregular "
        "migration.",
    ]


def test_short_lines_in_a_list_are_not_glued_together():
    raw = page(BODY, "Key points", "", "Talks resume in Geneva", "Troops withdraw from the border", BODY2)
    assert "Talks resume in Geneva\n\nTroops withdraw from the border" in clean_text(raw).text


# --- edge cases and scale --------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   ", "\n\n\n", "\u200b\u00a0\n"])
def test_empty_text_gives_empty_cleaned_text(raw):
    cleaned = clean_text(raw)
    assert cleaned.text == ""
    assert cleaned.title is None and cleaned.dateline is None


def test_text_with_only_boilerplate_gives_empty_text():
    raw = page("Advertisement", "Share this article", "Subscribe to our newsletter",
               "Photo: Jane Roe/Reuters", "© 2024 The Daily Example. All rights reserved.")
    cleaned = clean_text(raw)
    assert cleaned.text == ""
    assert len(cleaned.removed) == 5


def test_removed_lists_what_was_taken_out_in_page_order():
    cleaned = clean_text(page(BODY, "Advertisement", "Photo: Jane Roe/Reuters", BODY2, "Share"))
    assert cleaned.removed == ["Advertisement", "Photo: Jane Roe/Reuters", "Share"]


def test_five_megabytes_of_text_are_cleaned():
    unit = page(BODY, "Advertisement", "Photo: Jane Roe/Reuters", BODY2, "Share on Facebook", "")
    raw = "\n".join(f"{i}. {unit}" for i in range(5_000_000 // len(unit)))
    cleaned = clean_text(raw)
    assert len(raw) >= 4_900_000
    assert "Advertisement" not in cleaned.text and BODY2 in cleaned.text


def test_one_huge_line_does_not_blow_up():
    cleaned = clean_text("word " * 1_000_000)
    assert cleaned.text.startswith("word word")


# --- knowledge file --------------------------------------------------------------------------


def test_boilerplate_knowledge_loads_all_sections():
    sections = load_boilerplate()
    for name in ("line", "credit", "caption_end", "fragment", "list_start", "trailer", "dateword"):
        assert sections[name], name


def test_bad_pattern_in_knowledge_file_names_the_line(tmp_path):
    path = tmp_path / "boilerplate.txt"
    path.write_text("# comment\n[line]\nadvertisement\n(unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"boilerplate.txt:4"):
        load_boilerplate(path)


# --- articles --------------------------------------------------------------------------------


def test_a_body_opening_with_its_headline_does_not_repeat_it():
    article, _ = make_article("Ministers agree to extend ceasefire\n\nMinisters agree to extend ceasefire for a "
                              "month, officials in Beirut said on Tuesday after long talks.",
                              title="Ministers agree to extend ceasefire")
    assert article.text.count("Ministers agree to extend ceasefire") == 1


def test_make_article_builds_the_record_from_cleaned_text():
    raw = page("Ministers agree to extend ceasefire", "Advertisement", "BEIRUT (AP) — " + BODY)
    article, cleaned = make_article(raw, url="https://example.test/a", date="2024-03-05",
                                    source="example", origin="feed.jsonl:3", language="en")
    assert isinstance(article, Article)
    assert cleaned.text == BODY
    # the headline is coded too: its own first paragraph; the id is the body's
    assert article.text == "Ministers agree to extend ceasefire\n\n" + BODY
    assert article.id == article_id("https://example.test/a", BODY)
    assert (article.title, article.dateline, article.date) == (
        "Ministers agree to extend ceasefire", "BEIRUT", dt.date(2024, 3, 5))
    assert (article.url, article.source, article.origin, article.language) == (
        "https://example.test/a", "example", "feed.jsonl:3", "en")


def test_make_article_without_url_hashes_the_text():
    article, _ = make_article(BODY)
    assert article.id == article_id(None, BODY)
    assert article.date is None


@pytest.mark.parametrize(("value", "expected"), [
    (dt.date(2024, 3, 5), dt.date(2024, 3, 5)),
    (dt.datetime(2024, 3, 5, 23, 59), dt.date(2024, 3, 5)),
    ("2024-03-05", dt.date(2024, 3, 5)),
    ("2024-03-05T10:30:00", dt.date(2024, 3, 5)),
    ("2024-03-05T10:30:00Z", dt.date(2024, 3, 5)),
    ("2024-03-05T10:30:00+05:30", dt.date(2024, 3, 5)),
    (None, None),
])
def test_article_date_is_parsed(value, expected):
    assert parse_date(value) == expected
    assert make_article(BODY, date=value)[0].date == expected


@pytest.mark.parametrize("value", ["05/03/2024", "yesterday", "2024-13-01", "2024-02-30T10:00", 20240305])
def test_invalid_article_date_raises_a_clear_error(value):
    with pytest.raises(ValueError, match="invalid date"):
        make_article(BODY, date=value)


def test_a_read_more_link_glued_to_a_body_sentence_goes_and_the_sentence_stays():
    raw = ("Ministers agree to extend ceasefire\n\n" + BODY + "\n\n"
           "Read more: Rebels accuse army of shelling over the weekend The army said on Monday it had "
           "withdrawn two units from the border.\n\nAlso read: Talks resume in Geneva")
    cleaned = clean_text(raw)
    assert "The army said on Monday it had withdrawn two units from the border." in cleaned.text
    assert "Read more" not in cleaned.text and "Rebels accuse" not in cleaned.text
    assert "Talks resume" not in cleaned.text
    assert any(r.startswith("Read more: Rebels accuse army") for r in cleaned.removed)
    # after a sentence's end, inside a line
    cleaned = clean_text("Ministers agree to extend ceasefire\n\n" + BODY + "\n\nThe talks ended on Monday. "
                         "Read more: Rebels accuse army of shelling The army said it had withdrawn. It left.")
    assert "The talks ended on Monday. The army said it had withdrawn. It left." in cleaned.text


def test_a_publication_date_on_the_page_dates_an_undated_article():
    from dyad.article.clean import date_on_page, make_article

    text = "Talks stall in Zembia\n\nPublished 14 Feb 2025\n\nBy Jo Roe\n\nNegotiators failed to agree on Thursday."
    article, _ = make_article(text)
    assert article.date.isoformat() == "2025-02-14"
    assert any("read from the page" in w and "Published 14 Feb 2025" in w for w in article.warnings)
    given, _ = make_article(text, date="2025-02-20")
    assert given.date.isoformat() == "2025-02-20" and not given.warnings  # a given date wins
    assert date_on_page(["By Jo Roe | March 3, 2025 10:32 GMT"])[0].isoformat() == "2025-03-03"
    assert date_on_page(["ZEMBIA CITY, Feb 13 (Reuters) -"]) is None  # no year: not a publication date
    assert date_on_page(["Copyright 2024 Reuters"]) is None
