"""The corpus store as users drive it: ingest, re-ingest, kill and resume, status and export."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from click.testing import CliRunner

from dyad.cli import main
from dyad.ingest import ingest
from dyad.readers import read_inputs

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
    assert con.execute(f"SELECT count(*) FROM '{parquet}/articles.parquet'").fetchone()[0] == 4


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
