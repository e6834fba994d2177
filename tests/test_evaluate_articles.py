"""Tests for the whole-article evaluator (`dyad evaluate --format articles`, dyad.evaluate.articles).

tests/fixtures/gold/articles.jsonl holds two invented articles in the gold's format; the scoring tests feed
them hand-made predictions, so each rule of the gold's README is checked without the model. The real gold in
../shared/gold/articles is only read, by the slow test, which skips when it is absent.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from dyad.evaluate.articles import OPENING_WORDS, evaluate_articles, prefix, reduce_events, score_articles, score_quotes
from dyad.evaluate.cli import TASK_FORMATS, evaluate
from dyad.evaluate.gold import detect_format
from dyad.evaluate.gold.articles import read_articles
from dyad.records import Quote

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "gold" / "articles.jsonl"
REAL = HERE.parents[1] / "shared" / "gold" / "articles" / "gwn-events.jsonl"


def E(source, target, code, sentence="s"):
    """A printed event as the scorer reads it (actors with codes, CAMEO code, its sentence)."""
    return SimpleNamespace(source=SimpleNamespace(code=source),
                           target=None if target is None else SimpleNamespace(code=target), code=code,
                           root_code=code[:2], sentence=sentence)


def result(events=(), quotes=(), status="coded"):
    return SimpleNamespace(status=status, reason=None, events=list(events), quotes=list(quotes))


@pytest.fixture
def golds():
    return read_articles(FIXTURE)


def test_reader_and_detection(golds):
    assert detect_format(FIXTURE) == "articles"
    assert detect_format(HERE / "fixtures" / "gold" / "gold.jsonl") == "jsonl"  # optional events, but sentences
    assert [g.line for g in golds] == [1, 2]
    assert [len(g.events) for g in golds] == [3, 3] and len(golds[0].optional_events) == 1
    assert golds[0].date == "2021-03-04" and golds[1].quotes[0].speaker_keys == ()
    assert "articles" in TASK_FORMATS["events"] and "articles" in TASK_FORMATS["quotes"]


def test_prefix_is_six_letters_for_international_actors_else_three():
    assert prefix("RURGOVMIL") == "RUR"
    assert prefix("IGOUNOKID") == "IGOUNO"
    assert prefix("NGOAMNHRI") == "NGOAMN"
    assert prefix("IGOEEC") == "IGOEU" and prefix("IGOEECLEG").startswith("IGOEU")  # the EU, two spellings
    assert prefix("IMGMUSREB") == "IMGMUS"
    assert prefix("igoeu") == "IGOEU"
    assert prefix("GOV") == "GOV"  # no country: scored as written, so it matches no country
    assert prefix(None) == ""


def test_prefixes_decide_matches(golds):
    first = [E("RURGOVMIL", "BORGOV", "163"), E("IGOUNOHLH", "RURGOV", "102"), E("IGOWTO", "RUR", "10"),
             E("GOV", "BOR", "16")]
    out = score_articles(golds, [result(first), result()])
    assert out["right"] == 2  # RUR->BOR 16 and IGOUNO->RUR 10
    assert out["extra"] == 2  # another IGO, and an actor without a country


def test_predictions_reduced_to_one_per_source_target_root(golds):
    repeated = [E("RURGOV", "BORGOV", "163", "a"), E("RURMIL", "BOR", "1663", "b"), E("RUR", "BORDIP", "16", "c"),
                E("RUR", "BOR", "11", "d"), E("RURGOV", "BORGOV", "111", "e")]
    reduced, said, untargeted = reduce_events(repeated)
    assert [(p.source, p.target, p.code) for p in reduced] == [("RUR", "BOR", "16"), ("RUR", "BOR", "11")]
    assert said[reduced[0]] == "a" and untargeted == 0
    out = score_articles(golds, [result(repeated), result()], n_errors=5)
    assert (out["right"], out["extra"], out["missed"] + out["right"]) == (1, 1, 6)
    assert out["per_article"][0]["predicted"] == 2
    extra = out["errors"][0]["extra"]
    assert extra == [{"source": "RUR", "target": "BOR", "code": "11", "sentence": "d"}]


def test_untargeted_counted_per_printed_event_and_not_dyadic(golds):
    events = [E("RUR", None, "010"), E("RUR", None, "010"), E("BORGOV", None, "111"), E("RUR", "RURCRM", "173")]
    out = score_articles(golds, [result(), result(events)])
    assert out["untargeted"] == 3
    assert out["right"] == 1 and out["extra"] == 0 and out["precision"] == 1.0
    assert out["per_article"][1]["untargeted"] == 3


def test_optional_events_neither_right_nor_wrong(golds):
    with_optional = [E("RUR", "BOR", "16"), E("RURGOV", "BOR", "173")]  # the second matches only an optional
    out = score_articles(golds, [result(with_optional), result()])
    assert (out["right"], out["extra"], out["optional_predicted"]) == (1, 0, 1)
    assert out["precision"] == 1.0
    assert out["gold_events"] == 6  # the optional event is not a gold event: missing it is no error


def test_mutual_events_and_halves(golds):
    second = [E("RURGOV", "BORGOV", "040"), E("BORGOV", "RURGOV", "043"), E("RUR", "RUR", "173")]
    out = score_articles(golds, [result([E("BOR", "BOR", "010")]), result(second)])
    assert out["right"] == 3 and out["recall"] == 0.5
    assert out["halves"]["even"]["f1"] == 1.0 and out["halves"]["even"]["gold_events"] == 3  # line 2
    assert out["halves"]["odd"]["f1"] == 0.0 and out["halves"]["odd"]["extra"] == 1  # line 1
    assert out["halves"]["gap"] == 1.0


def test_a_failed_article_predicts_nothing(golds):
    failed = SimpleNamespace(status="failed", reason="boom", events=[], quotes=[])
    out = score_articles(golds, [failed, result()], n_errors=1)
    assert out["missed"] == 6 and out["errors"][0]["crashed"] == "boom"


def Q(text, speaker=None, speaker_name=None):
    return Quote(text=text, start=0, end=len(text), speaker=speaker, speaker_name=speaker_name)


def test_quote_right_when_its_opening_and_a_speaker_key_match(golds):
    assert OPENING_WORDS >= 2
    right = [Q("We will not accept any interference in our affairs,", "he", "Vasko Petrov")]
    wrong_speaker = [Q("Cooperation works,", "the ministry")]
    out = score_quotes(golds, [result(quotes=right), result(quotes=wrong_speaker)], n_errors=5)
    # the unnamed police official's quote is not counted; Kral's quote is found with a wrong speaker
    assert (out["quotes"], out["found"], out["speakers_right"]) == (2, 2, 1)
    assert out["errors"][0]["printed_speakers"] == ["the ministry"]


def test_quote_keys_match_whole_words_and_a_missing_quote_is_wrong(golds):
    near = [Q("we will NOT accept any", "Petrovsky")]  # the opening words, any case; "Petrov" is not a word here
    out = score_quotes(golds, [result(quotes=near), result()])
    assert (out["quotes"], out["found"], out["speakers_right"]) == (2, 1, 0)
    speaker_only = [Q("We will not accept any", "Minister Petrov")]
    out = score_quotes(golds, [result(quotes=speaker_only), result(quotes=[Q("Cooperation", "Anna Kral")])])
    assert (out["found"], out["speakers_right"]) == (1, 1)  # one opening word is not the gold's opening


def test_cli_on_the_fixture():
    runner = CliRunner()
    out = runner.invoke(evaluate, ["--json", str(FIXTURE)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {"precision", "recall", "f1", "untargeted", "halves", "per_article"} <= set(data)
    assert data["format"] == "articles" and data["gold_events"] == 6 and len(data["per_article"]) == 2
    out = runner.invoke(evaluate, ["--task", "quotes", "--json", str(FIXTURE)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["quotes"] == 2 and 0 <= data["speakers_right"] <= data["found"] <= 2
    out = runner.invoke(evaluate, ["--format", "articles", "--errors", "2", str(FIXTURE)])
    assert out.exit_code == 0 and "by article" in out.output


@pytest.mark.slow
@pytest.mark.skipif(not REAL.is_file(), reason="../shared is absent")
def test_real_article_gold():
    golds = read_articles(REAL)
    assert len(golds) == 32 and sum(len(g.events) for g in golds) > 50
    out = evaluate_articles(REAL, n_errors=3)
    assert out["articles"] == 32 and out["gold_events"] == sum(len(g.events) for g in golds)
    for figure in ("precision", "recall", "f1"):
        assert 0.0 <= out[figure] <= 1.0
    assert out["halves"]["even"]["gold_events"] + out["halves"]["odd"]["gold_events"] == out["gold_events"]
    assert out["untargeted"] >= 0 and len(out["errors"]) == 3
    quotes = evaluate_articles(REAL, "quotes")
    assert 0 < quotes["speakers_right"] <= quotes["found"] <= quotes["quotes"]
