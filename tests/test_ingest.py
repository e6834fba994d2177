"""The corpus store as users drive it: ingest, re-ingest, kill and resume, status and export."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from dyad.article.readers import read_inputs
from dyad.corpus.ingest import ingest
from dyad.surfaces.cli import main

DYAD = str(Path(sys.executable).with_name("dyad"))
SENTENCES = ["Police arrested {n} protesters in Nairobi on Monday.",
             "Greek troops attacked Turkish soldiers near the border.",
             "The United Nations urged Sudan to protect civilians.",
             "France and Germany condemned Russia."]


def corpus(path: Path, n: int) -> Path:
    with path.open("w") as handle:
        for i in range(n):
            text = f"Report number {i} from our correspondents.\n\n" + SENTENCES[i % 4].format(n=i + 2)
            handle.write(json.dumps({"id": f"art-{i}", "text": text, "date": "2026-02-0" + str(1 + i % 9)}) + "\n")
    return path


def counts(db: Path) -> tuple[int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "events"))
    finally:
        con.close()


def test_reingesting_the_same_input_adds_nothing(tmp_path, nlp):
    feed = corpus(tmp_path / "feed.jsonl", 6)
    first = ingest(read_inputs([feed]), tmp_path / "a.duckdb", batch_size=4)
    again = ingest(read_inputs([feed]), tmp_path / "a.duckdb", batch_size=4)
    assert first.coded == 6 and first.events > 0
    assert again.already_stored == 6 and again.coded == 0
    assert counts(tmp_path / "a.duckdb") == (6, first.events)


def test_sigkill_mid_ingest_then_rerun_equals_a_clean_run(tmp_path):
    feed = corpus(tmp_path / "feed.jsonl", 48)
    clean, killed = tmp_path / "clean.duckdb", tmp_path / "killed.duckdb"
    subprocess.run([DYAD, "ingest", str(feed), "--db", str(clean), "--batch-size", "4"], check=True,
                   capture_output=True)
    run = subprocess.Popen([DYAD, "ingest", str(feed), "--db", str(killed), "--batch-size", "4"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wal = Path(str(killed) + ".wal")
    deadline = time.monotonic() + 120
    while not wal.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # the write-ahead log appears with the first committed batch
    time.sleep(0.3)
    was_running = run.poll() is None
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert was_running, "the ingest finished before it could be killed; make the corpus larger"
    subprocess.run([DYAD, "ingest", str(feed), "--db", str(killed), "--batch-size", "4"], check=True,
                   capture_output=True)
    assert counts(killed) == counts(clean)
    assert counts(clean)[0] == 48


def test_status_and_exports(tmp_path, nlp):
    feed = corpus(tmp_path / "feed.jsonl", 4)
    db = tmp_path / "s.duckdb"
    ingest(read_inputs([feed]), db)
    runner = CliRunner()
    status = runner.invoke(main, ["status", "--db", str(db)])
    assert status.exit_code == 0 and "coded" in status.stdout and "events:" in status.stdout
    jsonl = runner.invoke(main, ["export", "--db", str(db), "--format", "jsonl"])
    events = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert events and all({"event_id", "source", "target", "code"} <= set(e) for e in events)
    csv_out = runner.invoke(main, ["export", "--db", str(db), "--format", "csv", "--since", "2026-02-03"])
    header, *rows = csv_out.stdout.splitlines()
    assert header.startswith("event_id,article_id") and len(rows) < len(events)
    parquet = tmp_path / "pq"
    assert runner.invoke(main, ["export", "--db", str(db), "--format", "parquet", "-o", str(parquet)]).exit_code == 0
    con = duckdb.connect()
    n = con.execute(f"SELECT count(*) FROM read_parquet('{parquet}/events/**/*.parquet')").fetchone()[0]
    assert n == len(events)
    stored = duckdb.connect(str(db), read_only=True)
    for table in ("articles", "sentences", "actors", "quotes", "places", "stories"):
        exported = con.execute(f"SELECT count(*) FROM '{parquet}/{table}.parquet'").fetchone()[0]
        assert exported == stored.execute(f"SELECT count(*) FROM {table}").fetchone()[0], table


def test_queries_answer_from_the_store(tmp_path, nlp):
    feed = corpus(tmp_path / "feed.jsonl", 8)
    db = tmp_path / "q.duckdb"
    ingest(read_inputs([feed]), db)
    runner = CliRunner()
    top = json.loads(runner.invoke(main, ["query", "--db", str(db), "--format", "json", "top-dyads"]).stdout)
    assert top and {"source_code", "target_code", "events"} <= set(top[0])
    series = json.loads(runner.invoke(main, ["query", "--db", str(db), "--format", "json", "dyad",
                                             top[0]["source_code"][:3], top[0]["target_code"][:3]]).stdout)
    assert sum(row["events"] for row in series) >= top[0]["events"]
    volume = json.loads(runner.invoke(main, ["query", "--db", str(db), "--format", "json", "volume"]).stdout)
    assert sum(row["articles"] for row in volume) == 8
    con = duckdb.connect(str(db), read_only=True)
    mentions, aggregated = con.execute("SELECT count(*), (SELECT sum(mentions) FROM aggregated_events) "
                                       "FROM events").fetchone()
    assert mentions == aggregated  # every mention is counted in exactly one aggregate


GDELT_FILLED = ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate", "Actor1Code", "Actor1Name",
                "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
                "NumMentions", "NumSources", "NumArticles", "DATEADDED", "SOURCEURL"]


def test_gdelt_export_has_61_columns_valid_codes_and_fills_what_dyad_knows(tmp_path, nlp):
    from dyad.corpus.layouts import GDELT
    from dyad.resources.ontology import is_cameo

    feed = tmp_path / "feed.jsonl"
    with feed.open("w") as handle:
        for i, sentence in enumerate(SENTENCES * 2):
            handle.write(json.dumps({"text": sentence.format(n=i + 2) + " It happened in Athens.",
                                     "url": f"https://news.test/{i}", "source": "Test Wire",
                                     "date": "2026-03-0" + str(1 + i)}) + "\n")
    db = tmp_path / "g.duckdb"
    ingest(read_inputs([feed]), db)
    out = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "gdelt"])
    rows = [line.split("\t") for line in out.stdout.splitlines()]
    assert rows and all(len(row) == 61 for row in rows)
    names = [name for name, _ in GDELT]
    assert len(names) == 61
    for row in rows:
        record = dict(zip(names, row, strict=True))
        assert is_cameo(record["EventCode"])
        assert all(record[column] for column in GDELT_FILLED), record
    located = [dict(zip(names, row, strict=True)) for row in rows]
    assert sum(bool(r["ActionGeo_Lat"]) for r in located) / len(located) >= 0.5


def test_phoenix_one_a_day_keeps_one_event_per_day_dyad_and_code(tmp_path, nlp):
    feed = tmp_path / "feed.jsonl"
    text = "Police arrested protesters in Nairobi. Police arrested protesters in Mombasa."
    feed.write_text("".join(json.dumps({"text": text, "date": "2026-03-02", "id": f"p{i}"}) + "\n"
                            for i in range(3)))
    db = tmp_path / "p.duckdb"
    ingest(read_inputs([feed]), db)
    every = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "phoenix"]).stdout.splitlines()
    daily = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "phoenix", "--one-a-day"]).stdout
    assert len(every[0].split("\t")) == 26
    assert len(every) - 1 > len(daily.splitlines()) - 1 == 1


def test_recode_from_stored_parses_keeps_unchanged_event_ids(tmp_path, nlp):
    from dyad.corpus.ingest import recode

    feed = corpus(tmp_path / "feed.jsonl", 6)
    db = tmp_path / "r.duckdb"
    ingest(read_inputs([feed]), db)
    con = duckdb.connect(str(db), read_only=True)
    before = sorted(con.execute("SELECT event_id, code, source_code, target_code FROM events").fetchall())
    con.close()
    summary = recode(db, batch_size=4)  # several batches, written in between
    assert summary.read == 6
    con = duckdb.connect(str(db), read_only=True)
    after = sorted(con.execute("SELECT event_id, code, source_code, target_code FROM events").fetchall())
    assert after == before and before
    assert_aggregates_current(con)


def test_recode_of_a_store_another_process_writes_raises_its_busy_error(tmp_path, nlp):
    """The store process cannot open the store: its error reaches the caller as it was raised there."""
    from dyad.corpus.ingest import recode
    from dyad.corpus.store import Store, StoreBusyError

    feed = corpus(tmp_path / "feed.jsonl", 2)
    db = tmp_path / "busy.duckdb"
    ingest(read_inputs([feed]), db)
    holder = Store(db)  # this process holds it open for writing
    try:
        with pytest.raises(StoreBusyError):
            recode(db, wait=0)
    finally:
        holder.close()


def test_a_recode_stopped_midway_leaves_the_store_whole_and_free(tmp_path, nlp):
    """The coder stops after its first batch: the store process rebuilds indexes and aggregates, closes
    the store, and every event is still there (the recoded ones with the same ids)."""
    from dyad.corpus.ingest import recode
    from dyad.corpus.store import ARTICLE_INDEXED

    feed = corpus(tmp_path / "feed.jsonl", 6)
    db = tmp_path / "stopped.duckdb"
    ingest(read_inputs([feed]), db)
    with duckdb.connect(str(db), read_only=True) as con:
        before = sorted(con.execute("SELECT event_id, code FROM events").fetchall())

    def stop(summary, written):
        raise RuntimeError(f"stopped after {summary.read} articles")

    with pytest.raises(RuntimeError, match="stopped after 2 articles"):
        recode(db, batch_size=2, on_batch=stop)
    with duckdb.connect(str(db)) as con:  # writable: the store process has let go of it
        assert sorted(con.execute("SELECT event_id, code FROM events").fetchall()) == before and before
        indexes = {r[0] for r in con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()}
        assert {f"{table}_article" for table in ARTICLE_INDEXED} <= indexes
        assert_aggregates_current(con)


def assert_aggregates_current(con) -> None:
    """Every aggregate holds what its rows give (recode rewrites the store under one final rebuild)."""
    from dyad.corpus.aggregates import AGGREGATES

    for aggregate in AGGREGATES:
        held = sorted(con.execute(f"SELECT * FROM {aggregate.name}").fetchall(), key=repr)
        assert held == sorted(con.execute(aggregate.select()).fetchall(), key=repr), aggregate.name
    assert con.execute("SELECT sum(events) FROM agg_dyads").fetchone()[0] == con.execute(
        "SELECT count(*) FROM events").fetchone()[0]


def test_warnings_are_stored_counted_by_status_and_kept_by_recode(tmp_path, nlp):
    from dyad.corpus.ingest import recode
    from dyad.pipeline import NO_DATE_WARNING

    feed = tmp_path / "feed.jsonl"
    dated = json.dumps({"id": "dated", "text": SENTENCES[1], "date": "2026-02-01"}, ensure_ascii=False).encode()
    undated = json.dumps({"id": "undated", "text": "Reporters \u201cfled\u201d. " + SENTENCES[1]},
                         ensure_ascii=False).encode()
    feed.write_bytes(dated + b"\n" + undated[:30] + b"\xff" + undated[30:] + b"\n")
    db = tmp_path / "w.duckdb"
    ingest(read_inputs([feed]), db)

    def stored() -> dict:
        con = duckdb.connect(str(db), read_only=True)
        try:
            return dict(con.execute("SELECT id, warnings FROM articles").fetchall())
        finally:
            con.close()

    warnings = stored()
    assert warnings["dated"] == []
    repaired, undated_warning = warnings["undated"]
    assert repaired.startswith("text repaired") and undated_warning == NO_DATE_WARNING
    status = CliRunner().invoke(main, ["status", "--db", str(db)])
    assert status.exit_code == 0 and "articles with warnings: 1" in status.stdout
    recode(db)
    assert stored() == warnings  # the reader's warning kept, the coding's given again, not twice


def test_schema_page_names_every_table_view_and_version():
    from dyad.corpus.aggregates import AGGREGATES, STATE
    from dyad.corpus.schema import META, SCHEMA, SCHEMA_VERSION, VIEWS

    page = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text()
    assert all(f"`{name}`" in page for name in [*SCHEMA, *VIEWS, META, STATE, *(a.name for a in AGGREGATES)])
    assert f"\n| {SCHEMA_VERSION} | " in page  # the versions table names the current one
