"""The inputs fuzzing found that crashed dyad or ended without a clear reason (issue 19), kept as fixtures in
tests/fixtures/fuzz/ (invented), each with the behaviour it has now."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from dyad.article.clean import make_article
from dyad.article.language import detect_language
from dyad.article.readers import count_inputs, read_inputs
from dyad.components.events.dictionaries import DictionaryError, load_dictionaries, read_ontology
from dyad.corpus.store import Store
from dyad.evaluate.gold import GoldError
from dyad.evaluate.gold.articles import read_articles
from dyad.evaluate.gold.conflibert import read_conflibert_ner
from dyad.evaluate.gold.petrarch import read_petrarch_xml
from dyad.evaluate.gold.plover_gsr import read_plover_gsr
from dyad.evaluate.gold.tabari import read_tabari
from dyad.evaluate.pentaclass import read_class_gold
from dyad.evaluate.places import read_event_locations, read_gwn
from dyad.evaluate.plover import read_gold_sentences
from dyad.evaluate.quotes import read_polnear
from dyad.records import Article, Result

from .conftest import accounted

FUZZ = Path(__file__).resolve().parents[1] / "fixtures" / "fuzz"
ENGLISH = "Police arrested four men in the capital on Monday."


def test_an_empty_jsonl_file_is_skipped_not_dropped():
    (result,) = read_inputs([FUZZ / "empty.jsonl"])
    assert result.status == "skipped" and result.reason == "an empty JSONL file: no article"
    assert count_inputs([FUZZ / "empty.jsonl"]) == 1


def test_a_field_of_the_wrong_type_fails_its_record_with_the_field_named():
    title, url, source, date = read_inputs([FUZZ / "field-types.jsonl"])
    assert title.reason == "the 'title' field must be a string, not int"
    assert url.reason == "the 'url' field must be a string, not list"  # it crashed HTML extraction
    assert source.reason == "the 'source' field must be a string, not dict"
    assert date.reason.startswith("invalid date {'when': 'xxx") and len(date.reason) < 160
    for item in (title, url, source, date):
        accounted(item)


def test_the_url_of_an_empty_page_is_quoted_on_one_short_line():
    newline, long = read_inputs([FUZZ / "html-odd-urls.jsonl"])
    assert newline.reason.startswith("HTML: no article text found in HTML page (https://news.test/a b): the page")
    assert "(https://news.test/a/a/" in long.reason and "...): the page" in long.reason and len(long.reason) < 300


def test_lone_surrogates_in_a_json_record_are_replaced_and_reported():
    (article,) = read_inputs([FUZZ / "lone-surrogates.jsonl"])
    assert isinstance(article, Article)
    assert "\ufffd" in article.text and article.title == "Arrests \ufffd" and article.id == "s\ufffd"
    assert article.warnings == [f"text repaired: 3 lone surrogate(s) in {FUZZ / 'lone-surrogates.jsonl'}:1 (JSON "
                                "\\ud800-\\udfff escapes that are not characters) replaced with U+FFFD"]
    accounted(article)


def test_lone_surrogates_given_to_the_library_are_replaced_and_reported():
    article, _ = make_article(f"\ud800{ENGLISH}", title="\udfff", origin="mine")
    assert article.text.count("\ufffd") == 1 and article.title == "\ufffd"
    assert article.warnings == ["text repaired: 2 lone surrogate(s) in mine (not characters: no UTF-8 can hold "
                                "them) replaced with U+FFFD"]
    assert detect_language(f"\ud800{ENGLISH}") == "en"  # lingua raised on it


def test_json_nested_deeper_than_the_decoder_goes_is_malformed():
    (result,) = read_inputs([FUZZ / "deep.jsonl"])
    assert result.status == "failed" and result.reason == "malformed JSON: nested too deeply at column 1"


def test_a_warc_gzipped_as_one_stream_says_how_to_fix_it_in_one_line():
    items = list(read_inputs([FUZZ / "single-stream.warc.gz"]))
    assert isinstance(items[0], Article)
    failed = items[-1]
    assert failed.status == "failed" and "\n" not in failed.reason
    assert "compressed as one gzip stream, not record by record; recompress it" in failed.reason


def test_an_ontology_term_with_a_leading_zero_is_decimal():
    ontology = read_ontology(FUZZ / "leading-zero.Coding.Ontology.txt").ontology
    assert ontology["040"].value == 1 and ontology["041"].value == 0x3000 + 10


def test_a_nul_in_a_project_file_name_is_a_dictionary_error():
    with pytest.raises(DictionaryError, match=r"nul-name.project:1: 'demo\\x00.actors' is not a usable file name"):
        load_dictionaries([FUZZ / "nul-name.project"], cache=False)


@pytest.mark.parametrize(("name", "message"), [
    ("exploding.issues.txt", "exploding.issues.txt:3: this phrase expands to more than 4,096 forms"),
    ("exploding.agents.txt", "exploding.agents.txt:3: this phrase's markers expand to 65,536 forms, more than 4,096"),
])
def test_a_phrase_that_would_expand_past_memory_is_a_dictionary_error(name, message):
    with pytest.raises(DictionaryError) as raised:  # it took 24 GB before the OOM killer came
        load_dictionaries([FUZZ / name], cache=False)
    assert message in str(raised.value).splitlines()[0]


@pytest.mark.parametrize(("read", "name", "message"), [
    (read_conflibert_ner, "ner-latin1.txt", "ner-latin1.txt: not UTF-8 text (invalid byte at offset 3)"),
    (read_class_gold, "class-superscript.tsv", "class-superscript.tsv:1: expected sentence<TAB>label"),
    (read_plover_gsr, "plover-truncated.json", "plover-truncated.json:1: malformed JSON: Expecting ',' delimiter"),
    (read_gold_sentences, "plover-truncated.json", "plover-truncated.json:1: malformed JSON"),
    (read_event_locations, "plover-truncated.json", "plover-truncated.json:1: malformed JSON"),
    (lambda p: list(read_gwn(p)), "gwn-no-offsets.xml", "article 1: a <toponym> without integer <start> and <end>"),
    (read_petrarch_xml, "nul-name.validation.xml", "<actorfile> names '\\x00ud.actors.txt', not a usable file name"),
])
def test_unreadable_gold_is_a_gold_error_naming_the_file(read, name, message):
    with pytest.raises(GoldError) as raised:
        read(FUZZ / name)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_gold_fields_of_odd_types_are_read_as_text_or_left_out():
    (record,) = read_plover_gsr(FUZZ / "plover-odd-types.json")[:1]
    assert record.event == "{'type': 'FIGHT'}" and record.actors[0].code == "5"
    assert [s.id for s in read_gold_sentences(FUZZ / "plover-odd-types.json")] == ["t2"]
    assert read_event_locations(FUZZ / "plover-odd-types.json") == []  # its eventLoc is no object
    (article,) = read_articles(FUZZ / "articles-odd-types.jsonl")
    assert article.title == "3" and article.events[0].target == "4" and article.quotes[0].speaker_keys == ()


def test_a_polnear_relation_with_a_bare_word_is_read(tmp_path):
    (article,) = read_polnear(FUZZ / "polnear")
    assert [q.source for q in article.quotes] == ["Duarte"]
    broken = tmp_path / "split"
    (broken / "text").mkdir(parents=True)
    (broken / "attributions").mkdir()
    (broken / "text" / "doc.txt").write_text("x")
    (broken / "attributions" / "doc_aaaa.ann").write_text("T1\tSource 28\tDuarte\n")
    with pytest.raises(GoldError, match=r"doc_aaaa.ann:1: expected character offsets"):
        read_polnear(broken)


def test_the_api_answers_a_body_of_bad_bytes_with_422_not_500(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from dyad.surfaces.server import create_app

    Store(tmp_path / "s.duckdb").close()
    with TestClient(create_app(tmp_path / "s.duckdb"), raise_server_exceptions=False) as client:
        response = client.post("/api/code", content=b"\x80", headers={"content-type": "text/plain"})
        assert response.status_code == 422 and response.json()["detail"][0]["input"] == "\ufffd"
        deep = client.post("/api/code", content=b"[" * 5000, headers={"content-type": "application/json"})
        assert deep.status_code == 400


def test_a_validation_files_broken_option_is_a_one_line_warning():
    gold = read_tabari(FUZZ / "broken-option.validate.txt")
    (warning,) = [w for w in gold.warnings if "not understood" in w]
    assert "\n" not in warning and "expected 'COMMAND: value'" in warning
    assert len(gold.records) == 2  # the records are still read


def test_every_fixture_here_is_used():
    used = {p.name for p in FUZZ.iterdir()}
    source = Path(__file__).read_text()
    assert all(name in source for name in used), sorted(n for n in used if n not in source)


def test_a_result_is_accounted_for():
    accounted(Result(article=Article(id="x", text="", origin="o"), status="skipped", reason="empty text"))
