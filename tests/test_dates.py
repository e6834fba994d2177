import datetime as dt

import pytest

from dyad.components.dates import resolve_date

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
    assert resolve_date(sentence, SUNDAY_MARCH_1)[0] == expected


def test_weekday_before_publication_crosses_year_boundary():
    published = dt.date(2027, 1, 2)  # a Saturday
    date, method, precision = resolve_date("Police raided the office on Wednesday.", published)
    assert date == dt.date(2026, 12, 30) and precision == "day"
    assert "Wednesday" in method


# Saturday 2 January 2027: the weekday before publication lies in the previous month and year
SATURDAY_JAN_2 = dt.date(2027, 1, 2)


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        ("The council met on Thursday.", dt.date(2026, 3, 2), dt.date(2026, 2, 26)),  # across a month
        ("The council met on Monday.", dt.date(2026, 3, 2), dt.date(2026, 3, 2)),  # same day
        ("The council met on Sunday.", SATURDAY_JAN_2, dt.date(2026, 12, 27)),  # across a year
        ("Talks collapsed on Friday night.", SATURDAY_JAN_2, dt.date(2027, 1, 1)),
        ("Rebels shelled the town yesterday.", dt.date(2026, 1, 1), dt.date(2025, 12, 31)),
        ("Police made arrests last night.", dt.date(2026, 3, 1), dt.date(2026, 2, 28)),
        ("The ministers met last week.", dt.date(2026, 3, 4), dt.date(2026, 2, 25)),
        ("The minister resigned last month.", dt.date(2026, 3, 31), dt.date(2026, 2, 28)),  # clamped
        ("The minister resigned last month.", dt.date(2026, 1, 15), dt.date(2025, 12, 15)),
        ("The vote was held three days ago.", dt.date(2026, 3, 2), dt.date(2026, 2, 27)),
        ("The treaty was signed on March 3.", dt.date(2026, 3, 10), dt.date(2026, 3, 3)),
        ("The treaty was signed on 28 December.", dt.date(2026, 1, 5), dt.date(2025, 12, 28)),  # last year's
        ("The treaty was signed on 3 March 2024.", dt.date(2026, 3, 10), dt.date(2024, 3, 3)),
        ("The treaty was signed on March 3, 2024, in the capital.", dt.date(2026, 3, 10), dt.date(2024, 3, 3)),
        ("Crowds march 3 miles every year.", dt.date(2026, 3, 10), dt.date(2026, 3, 10)),  # a verb, not a month
    ],
)
def test_relative_and_explicit_dates(sentence, published, expected):
    assert resolve_date(sentence, published)[0] == expected


def test_each_date_says_how_it_was_derived():
    assert resolve_date("The raid took place on 3 March 2024.", dt.date(2026, 3, 10))[1].startswith("explicit date")
    assert "latest such date" in resolve_date("It began on March 3.", dt.date(2026, 3, 10))[1]
    assert resolve_date("The minister resigned.", dt.date(2026, 3, 10))[1] == "publication date"


def test_explicit_date_needs_no_publication_date():
    assert resolve_date("The accord was signed on 12 May 2021.", None)[0] == dt.date(2021, 5, 12)
    assert resolve_date("The accord was signed on Monday.", None)[0] is None


def test_the_expression_nearest_the_verb_wins():
    sentence = "On Monday the ministry said the strike happened on Thursday."
    verb = sentence.index("happened")
    assert resolve_date(sentence, dt.date(2026, 3, 4), anchor=verb)[0] == dt.date(2026, 2, 26)


def test_events_get_dates_and_methods_from_the_pipeline(nlp):
    from dyad.pipeline import code_text

    result = code_text("Rebel fighters attacked government troops near the border yesterday.", date="2026-03-04",
                       nlp=nlp)
    assert result.events
    for event in result.events:
        assert event.date == dt.date(2026, 3, 3)
        assert "yesterday" in event.date_method


def test_spacy_checks_that_dates_run_after_the_events_they_date(nlp):
    import spacy

    assert nlp.analyze_pipes()["problems"]["dyad_dates"] == []
    alone = spacy.blank("en")
    alone.add_pipe("dyad_dates")
    assert set(alone.analyze_pipes()["problems"]["dyad_dates"]) == {"doc._.events", "doc.sents"}


def test_a_sentence_without_a_date_takes_the_recent_day_its_paragraph_named(nlp):
    from dyad.pipeline import code_text

    text = ("Greek Prime Minister Nikos Andreou met Turkish envoys on Tuesday in Athens. Andreou also "
            "condemned Turkey.\n\nTurkish troops attack Kurdish fighters in Syria.")
    result = code_text(text, date="2026-03-06", nlp=nlp)  # a Friday
    condemned = next(e for e in result.events if e.code.startswith("11"))
    assert condemned.date.isoformat() == "2026-03-03" and "paragraph's day" in condemned.date_method
    attack = next(e for e in result.events if e.code.startswith("19"))
    assert attack.date.isoformat() == "2026-03-06"  # a new paragraph, told in the present: the publication date


def test_background_history_is_not_a_paragraphs_day(nlp):
    from dyad.pipeline import code_text

    text = "Greek troops fought Turkish troops in 1974. Greek Prime Minister Nikos Andreou condemned Turkey."
    result = code_text(text, date="2026-03-06", nlp=nlp)
    condemned = next(e for e in result.events if e.code.startswith("11"))
    assert condemned.date.isoformat() == "2026-03-06"


def test_a_month_or_a_year_alone_is_kept_at_that_precision(nlp):
    from dyad.pipeline import code_text

    result = code_text("Police arrested the Zembian opposition leader in May 2017.", date="2026-03-06", nlp=nlp)
    arrest = next(e for e in result.events if e.code.startswith("17"))
    assert (arrest.date, arrest.date_precision) == (dt.date(2017, 5, 1), "month")
    assert "May 2017" in arrest.date_method


def test_a_year_that_does_not_modify_the_event_does_not_date_it(nlp):
    from dyad.pipeline import code_text

    text = "Greek Prime Minister Nikos Andreou, who took office in 2019, condemned Turkey."
    condemned = next(e for e in code_text(text, date="2026-03-06", nlp=nlp).events if e.code.startswith("11"))
    assert (condemned.date, condemned.date_precision) == (dt.date(2026, 3, 6), "day")


def test_an_offset_counts_from_the_day_of_the_event_it_names(nlp):
    from dyad.pipeline import code_text

    text = ("Zembia held a presidential vote on March 1. Two days after the vote, police arrested the "
            "opposition leader in Zembia.")
    arrest = next(e for e in code_text(text, date="2026-03-10", nlp=nlp).events if e.code.startswith("17"))
    assert arrest.date == dt.date(2026, 3, 3) and "2026-03-01 + 2 days" in arrest.date_method


def test_an_offset_from_an_undated_event_or_without_a_count_leaves_the_event_undated(nlp):
    from dyad.pipeline import code_text

    for text in ("Days after the vote, police arrested the opposition leader in Zembia.",
                 "Two days after the vote, police arrested the opposition leader in Zembia."):
        arrest = next(e for e in code_text(text, date="2026-03-10", nlp=nlp).events if e.code.startswith("17"))
        assert arrest.date is None and arrest.date_method.startswith("none")


def test_past_perfect_background_does_not_take_the_articles_day(nlp):
    from dyad.pipeline import code_text

    text = "The army said on Tuesday that it had shelled rebel positions. Britain condemned Russia on Friday."
    events = code_text(text, date="2026-03-10", nlp=nlp).events
    shelled = next(e for e in events if e.code.startswith("19"))
    assert shelled.date is None and "background" in shelled.date_method
    condemned = next(e for e in events if e.code.startswith("11"))
    assert condemned.date == dt.date(2026, 3, 6)


def test_a_past_report_without_a_date_takes_the_day_the_lead_names(nlp):
    from dyad.pipeline import code_text

    text = ("Zembia suspends opposition party\n\nZembian authorities ordered the opposition party to disband "
            "on Thursday.\n\nThe opposition leader Jo Roe condemned the government. The opposition says "
            "it will appeal.")
    events = code_text(text, date="2026-03-07", nlp=nlp).events  # a Saturday
    condemned = next(e for e in events if e.code.startswith("11"))
    assert condemned.date == dt.date(2026, 3, 5) and "lead" in condemned.date_method


def test_an_article_without_any_date_says_so_and_its_events_are_undated(nlp):
    from dyad.pipeline import code_text

    result = code_text("Rebel fighters attacked government troops near the border.", nlp=nlp)
    assert result.events and any("no publication date" in w for w in result.warnings)
    assert all(e.date is None and e.date_method == "none" for e in result.events)


def test_an_appeal_made_days_before_the_news_is_not_given_the_news_day(nlp):
    from dyad.pipeline import code_text

    text = ("Islamist militants attacked an army base near the town of Gao on Sunday, the Malian army said, "
            "days after the United Nations urged the government to protect civilians in the region.")
    events = code_text(text, date="2024-05-14", nlp=nlp).events
    attack = next(e for e in events if e.code.startswith("19"))
    appeal = next(e for e in events if e.code.startswith("02"))
    assert attack.date == dt.date(2024, 5, 12)
    assert appeal.date is None and appeal.date_method.startswith("none")
