"""Bounded cost per article and one writer at a time (issue 19): run-on sentences are cut, long texts
parsed in pieces, an article past its time budget fails alone, and a second writer waits for a held
store, then names its holder. Invented texts only; no assertion on how fast anything is."""

import signal
import subprocess
import sys
import time

import duckdb
import pytest
from click.testing import CliRunner

from dyad import pipeline
from dyad.budget import OverBudget, budget
from dyad.components import dates
from dyad.components.long_sentences import CUT_WARNING, MAX_SENTENCE_TOKENS
from dyad.corpus.store import Store
from dyad.surfaces.cli import main

CLAUSES = ["the army of Turkey attacked rebels in Syria", "the government of Greece condemned the attack",
           "police in Nairobi arrested protesters", "Egypt accused Israel of supporting militants"]
RUN_ON = ", and ".join(CLAUSES[i % 4] for i in range(120))  # ~1,000 tokens, no full stop
ENGLISH = "Police arrested four protesters in Nairobi on Monday. The Kenyan minister condemned the violence."
SLOW = "Greek troops attacked Turkish soldiers near the SLOW border post on Sunday."


def run(*args):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result


def test_a_run_on_sentence_is_cut_after_commas_and_the_result_says_so(nlp):
    (doc,) = pipeline.parse([RUN_ON], nlp)
    sentences = list(doc.sents)
    assert len(sentences) > 1 and max(len(s) for s in sentences) <= MAX_SENTENCE_TOKENS
    assert all(s[-1].text == "," for s in sentences[:-1])  # between clauses, never inside one
    result = pipeline.result_from_doc(doc)
    assert CUT_WARNING in result.warnings and result.events
    (plain,) = pipeline.process([ENGLISH], nlp)
    assert CUT_WARNING not in plain.warnings


def test_a_long_text_is_parsed_in_pieces_and_coded_whole(nlp, monkeypatch):
    paragraphs = [f"{c[0].upper()}{c[1:]} on Monday, officials said." for c in CLAUSES] * 3
    text = "\n\n".join(paragraphs)
    whole = next(pipeline.process([text], nlp))
    monkeypatch.setattr(pipeline, "LONG_TEXT_CHARS", 150)
    pieces = pipeline._pieces(text)
    assert "".join(pieces) == text and len(pieces) > 5
    assert all(len(p) <= 150 and p.endswith("\n") for p in pieces[:-1])  # cut at a paragraph break
    real, long_texts = pipeline._parse_long, []

    def spy(nlp, article):
        long_texts.append(article)
        return real(nlp, article)

    monkeypatch.setattr(pipeline, "_parse_long", spy)
    (doc,) = pipeline.parse([text], nlp)
    assert len(long_texts) == 1 and doc.text == doc._.article.text
    in_pieces = pipeline.result_from_doc(doc)
    assert [(e.source.code, e.code, e.target and e.target.code, e.sentence) for e in in_pieces.events] == \
           [(e.source.code, e.code, e.target and e.target.code, e.sentence) for e in whole.events]
    assert in_pieces.sentences == whole.sentences


@pytest.fixture
def slow_dates(monkeypatch):
    """Date resolution that hangs on an article marked SLOW (inside the component's `except Exception`,
    which must not swallow the timeout)."""
    real = dates.date_expressions

    def hang(sentence, published):
        if "SLOW" in sentence:
            time.sleep(60)
        return real(sentence, published)

    monkeypatch.setattr(dates, "date_expressions", hang)


@pytest.mark.parametrize("batch_size", [1, 16])
def test_an_article_past_its_budget_fails_and_the_others_are_coded(nlp, slow_dates, batch_size):
    results = list(pipeline.process([ENGLISH, SLOW, ENGLISH + " Again."], nlp, batch_size=batch_size, timeout=0.5))
    assert [r.status for r in results] == ["coded", "failed", "coded"]
    assert results[1].reason == "timed out after 0.5 s" and "SLOW" in results[1].article.text
    assert results[0].events and results[2].events


def test_dyad_code_reports_a_timed_out_article_and_goes_on(nlp, slow_dates, tmp_path):
    slow, fine = tmp_path / "slow.txt", tmp_path / "fine.txt"
    slow.write_text(SLOW)
    fine.write_text(ENGLISH)
    result = run("code", "--article-timeout", "0.5", str(slow), str(fine))
    assert result.exit_code == 0
    assert f"failed {slow}: timed out after 0.5 s" in " ".join(result.stderr.split())  # a terminal may wrap
    assert '"code":"173"' in result.stdout  # the arrest in fine.txt


def test_dyad_ingest_stores_a_timed_out_article_as_failed(nlp, slow_dates, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(ENGLISH)
    (folder / "b.txt").write_text(SLOW)
    (folder / "c.txt").write_text(ENGLISH + " Again.")
    db = tmp_path / "news.duckdb"
    result = run("ingest", str(folder), "--db", str(db), "--article-timeout", "0.5")
    assert result.exit_code == 0
    con = duckdb.connect(str(db), read_only=True)
    rows = dict(con.execute("SELECT origin, status || ' ' || coalesce(reason, '') FROM articles").fetchall())
    con.close()
    assert rows == {str(folder / "a.txt"): "coded ", str(folder / "b.txt"): "failed timed out after 0.5 s",
                    str(folder / "c.txt"): "coded "}


def test_a_budget_ends_with_its_block():
    before = signal.getsignal(signal.SIGALRM)
    with budget(0.05):
        pass
    time.sleep(0.15)  # the timer is off: nothing is raised here
    assert signal.getsignal(signal.SIGALRM) is before
    with pytest.raises(OverBudget), budget(0.05):
        time.sleep(5)
    with budget(None):  # no limit
        time.sleep(0.1)


def test_help_documents_the_timeout_and_the_wait():
    for command in ("code", "ingest"):
        assert "--article-timeout" in run(command, "--help").stdout
    for command in ("ingest", "recode", "migrate"):
        assert "--wait" in run(command, "--help").stdout


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "news.duckdb"
    Store(path).close()
    return path


def hold(store, seconds: float) -> subprocess.Popen:
    """Another process writing the store for `seconds`, then letting it go (and living on a little)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time\nc = duckdb.connect(sys.argv[1])\n"
         "print('ready', flush=True)\ntime.sleep(float(sys.argv[2]))\nc.close()\ntime.sleep(60)",
         str(store), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ready"
    return holder


def test_a_second_writer_waits_for_a_store_held_briefly(store, tmp_path, nlp):
    article = tmp_path / "a.txt"
    article.write_text(ENGLISH)
    holder = hold(store, 1.5)
    try:
        result = run("ingest", str(article), "--db", str(store), "--wait", "30")
        assert result.exit_code == 0, result.stderr
    finally:
        holder.kill()
        holder.wait()
    con = duckdb.connect(str(store), read_only=True)
    assert con.execute("SELECT status FROM articles").fetchall() == [("coded",)]
    con.close()


@pytest.mark.parametrize("command", [["ingest", "{article}"], ["recode"], ["migrate"]])
def test_a_writer_gives_up_after_wait_naming_the_holder(store, tmp_path, command):
    article = tmp_path / "a.txt"
    article.write_text(ENGLISH)
    holder = hold(store, 120)
    try:
        result = run(*[part.format(article=article) for part in command], "--db", str(store), "--wait", "0.5")
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert f"PID {holder.pid}" in result.stderr and "waited 0.5 s" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
