"""Quote attribution scoring against brat annotations in PolNeAR's layout (fixtures written for dyad)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dyad.evaluate.quotes import evaluate_polnear, match_quotes, read_polnear
from dyad.records import Quote
from dyad.surfaces.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "polnear"
SHARED_DEV = Path(__file__).resolve().parents[1].parent / "shared/gold/quotes/polnear/data/dev"


def test_gold_passages_are_the_quoted_words_inside_content_spans():
    (article,) = read_polnear(FIXTURE)  # the second annotator's empty file is ignored
    passages = [article.text[q.start:q.end] for q in article.quotes]
    assert passages == ["The port will reopen next week,", "a needless standoff.", "We were never consulted,"]
    assert [q.source for q in article.quotes] == ["Duarte", "She", "it"]


def test_match_needs_half_of_the_longer_passage():
    text = "alpha beta gamma delta epsilon"
    (gold,) = read_polnear(FIXTURE)[0].quotes[:1]
    gold.start, gold.end = 0, len(text)
    half = Quote(text="alpha beta gamma", start=0, end=16)
    short = Quote(text="alpha beta", start=0, end=10)
    assert len(match_quotes(text, [gold], [half])) == 1
    assert match_quotes(text, [gold], [short]) == []


def test_scores_on_the_fixture(nlp):
    report = evaluate_polnear(FIXTURE, nlp=nlp)
    assert report["gold_quotes"] == 3 and report["recall"] == 1.0
    assert report["speaker_accuracy"] == 1.0  # "Duarte" is the only named source
    assert report["pronoun_resolved"] == 0.5  # "She" resolves to Ines Duarte, "it" (the union) stays unnamed


def test_cli_reports_json(nlp):
    out = CliRunner().invoke(main, ["evaluate", "--task", "quotes", "--json", str(FIXTURE)])
    assert out.exit_code == 0, out.output
    assert {"precision", "recall", "f1", "speaker_accuracy", "pronoun_resolved"} <= set(json.loads(out.stdout))


def test_cli_says_what_a_quotes_gold_must_be(tmp_path):
    out = CliRunner().invoke(main, ["evaluate", "--task", "quotes", str(tmp_path)])
    assert out.exit_code == 1 and "text/ and attributions/" in out.stderr


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_DEV.is_dir(), reason="../shared is absent")
def test_polnear_dev_meets_the_bar(nlp):
    report = evaluate_polnear(SHARED_DEV, nlp=nlp)
    assert not report["failed_articles"] and not report["articles_with_quote_marks_but_no_quote"]
    assert report["f1"] >= 0.80 and report["speaker_accuracy"] >= 0.88 and report["pronoun_resolved"] >= 0.80
