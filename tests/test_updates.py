"""GDELT-style update files (dyad.corpus.updates) and the gdelt-mentions layout they carry."""

import datetime as dt
import hashlib
import tracemalloc
import zipfile
from collections import Counter

import pytest
from click.testing import CliRunner

from dyad.corpus.layouts import GDELT, GDELT_MENTIONS, layout_sql
from dyad.corpus.store import Store
from dyad.corpus.updates import LAST_UPDATE, due_updates, last_update_end, write_update
from dyad.records import Actor, Article, Event, Plover, Provenance, Result
from dyad.surfaces.cli import main

QUARTER = dt.timedelta(minutes=15)
EVENT_COLUMNS = [name for name, _ in GDELT]
MENTION_COLUMNS = [name for name, _ in GDELT_MENTIONS]
TEXT = "France consulted Mali. Talks went on."  # "France" at 0-6, "Mali" at 18-22


def at(hour: int, minute: int = 0, day: int = 5) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=dt.UTC)


def result(article_id: str, events: list[tuple[str, int]], url: str | None = None, source: str = "news.test",
           target: Actor | None = None) -> Result:
    """A coded article with one event per (CAMEO code, sentence index), France -> Mali unless `target`."""
    article = Article(id=article_id, text=TEXT, url=url, source=source, date=dt.date(2026, 1, 5))
    target = target or Actor(text="Mali", code="MLI", start=18, end=22)
    made = [Event(event_id=f"{article_id}-{k}", article_id=article_id, sentence_index=sentence, sentence="France "
                  "consulted Mali.", source=Actor(text="France", code="FRA", start=0, end=6), target=target, code=code,
                  root_code=code[:2], quad_class=1, goldstein=1.0, plover=Plover(event="CONSULT"),
                  date=article.date, confidence=0.87, provenance=Provenance(rule="test"))
            for k, (code, sentence) in enumerate(events)]
    return Result(article=article, events=made)


def stored_at(store: Store, batch: int, when: dt.datetime) -> None:
    """Say batch `batch` was committed at `when` (Store.add stamps the time of the test run)."""
    store.connection.execute("UPDATE batches SET committed_at = ? WHERE batch = ?", [when, batch])


def rows(path) -> list[list[str]]:
    """The tab-separated rows of an update zip, which holds one file named like it without `.zip`."""
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [path.name.removesuffix(".zip")]
        text = archive.read(archive.namelist()[0]).decode()
    return [line.split("\t") for line in text.splitlines()]


def ids(path) -> list[str]:
    return [row[0] for row in rows(path)]


def mention(row: list[str]) -> dict[str, str]:
    return dict(zip(MENTION_COLUMNS, row, strict=True))


def test_mentions_have_16_columns_a_row_per_mention_and_join_the_events_file(tmp_path):
    db = tmp_path / "dyad.duckdb"
    store = Store(db)
    implicit = Actor(text="", code="MLI", start=3, end=3, basis="implicit")  # no words of its own
    store.add([result("a", [("042", 0), ("042", 1), ("0421", 0)], url="https://news.test/a"),  # 0421: no CAMEO code
               result("b", [("042", 0), ("051", 1)], target=implicit)])
    stored_at(store, 1, at(10, 5))
    export, mentions = write_update(store.connection, tmp_path / "updates", at(10), at(10, 15))
    store.close()
    assert (export.name, mentions.name) == ("20260105101500.export.CSV.zip", "20260105101500.mentions.CSV.zip")
    events, mentioned = rows(export), rows(mentions)
    assert len(MENTION_COLUMNS) == 16 and all(len(row) == 16 for row in mentioned)
    assert all(len(row) == 61 for row in events)
    assert len(mentioned) == 4  # every CAMEO-coded events row once, the private code's not
    numbers = {row[0]: int(row[EVENT_COLUMNS.index("NumMentions")]) for row in events}
    assert numbers == Counter(row[0] for row in mentioned)  # GLOBALEVENTID joins, counts agree
    first = mention(next(r for r in mentioned if r[5] == "https://news.test/a" and r[6] == "1"))
    assert first == {"GLOBALEVENTID": first["GLOBALEVENTID"], "EventTimeDate": "20260105100500",
                     "MentionTimeDate": "20260105100500", "MentionType": "1", "MentionSourceName": "news.test",
                     "MentionIdentifier": "https://news.test/a", "SentenceID": "1", "Actor1CharOffset": "0",
                     "Actor2CharOffset": "18", "ActionCharOffset": "", "InRawText": "1", "Confidence": "87",
                     "MentionDocLen": str(len(TEXT)), "MentionDocTone": "", "MentionDocTranslationInfo": "",
                     "Extras": ""}
    no_url = mention(next(r for r in mentioned if r[5] == "b" and r[6] == "2"))
    assert no_url["Actor2CharOffset"] == ""  # an implicit target has no characters
    exported = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "gdelt-mentions"])
    assert exported.exit_code == 0, exported.output
    assert sorted(line.split("\t") for line in exported.stdout.splitlines()) == sorted(mentioned)  # no header


def test_an_interval_holds_the_events_first_stored_in_it_and_the_mentions_stored_in_it(tmp_path):
    store = Store(":memory:")
    store.connection.execute("SET GLOBAL TimeZone = 'America/New_York'")  # file times stay UTC
    store.add([result("a", [("042", 0)])])
    store.add([result("b", [("042", 0), ("051", 0)])])  # a second mention of a's event, and a new event
    stored_at(store, 1, at(10, 5))
    stored_at(store, 2, at(10, 20))
    con = store.connection
    first, second, empty = (write_update(con, tmp_path, start, start + QUARTER) for start in (at(10), at(10, 15),
                                                                                             at(10, 30)))
    (consult,), (meet,) = ids(first[0]), ids(second[0])  # each event in one update only
    assert rows(first[0])[0][EVENT_COLUMNS.index("NumMentions")] == "2"  # counts as of writing, as GDELT's
    assert rows(first[0])[0][EVENT_COLUMNS.index("DATEADDED")] == "20260105100500"
    assert [mention(r)["MentionIdentifier"] for r in rows(first[1])] == ["a"]
    later = {mention(r)["GLOBALEVENTID"]: mention(r) for r in rows(second[1])}
    assert set(later) == {consult, meet}  # b's mention of the earlier event comes with b
    assert (later[consult]["EventTimeDate"], later[consult]["MentionTimeDate"]) == ("20260105100500",
                                                                                    "20260105102000")
    assert [rows(path) for path in empty] == [[], []]  # an interval with nothing new: empty files, written
    assert [line.split()[2] for line in (tmp_path / LAST_UPDATE).read_text().splitlines()] == [p.name for p in empty]
    store.add([result("a", [("042", 0)])])  # a re-coded article: its mentions again, its event not
    stored_at(store, 3, at(10, 50))
    recoded = write_update(con, tmp_path, at(10, 45), at(11))
    assert ids(recoded[0]) == [] and ids(recoded[1]) == [consult]
    store.close()


def test_lastupdate_gives_each_files_size_and_md5_and_a_rewrite_gives_the_same_bytes(tmp_path):
    store = Store(":memory:")
    store.add([result("a", [("042", 0), ("051", 1)], url="https://news.test/a")])
    stored_at(store, 1, at(10, 5))
    files = write_update(store.connection, tmp_path, at(10), at(10, 15))
    lines = (tmp_path / LAST_UPDATE).read_text().splitlines()
    assert lines == [f"{f.stat().st_size} {hashlib.md5(f.read_bytes()).hexdigest()} {f.name}" for f in files]
    before = [f.read_bytes() for f in files]
    assert write_update(store.connection, tmp_path, at(10), at(10, 15)) == files
    assert [f.read_bytes() for f in files] == before  # the same rows zip to the same bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*(f.name for f in files), LAST_UPDATE])
    store.close()


def test_a_value_with_a_tab_or_line_break_keeps_its_row_and_nothing_is_quoted(tmp_path):
    store = Store(":memory:")
    store.add([result("a", [("042", 0)], url='https://news.test/"a"', source="news\ttest",
                      target=Actor(text="Ma\nli", code="MLI", start=18, end=22))])
    stored_at(store, 1, at(10, 5))
    export, mentions = write_update(store.connection, tmp_path, at(10), at(10, 15))
    (event,), (row,) = rows(export), rows(mentions)
    assert len(event) == 61 and event[EVENT_COLUMNS.index("Actor2Name")] == "MA LI"
    assert event[EVENT_COLUMNS.index("SOURCEURL")] == 'https://news.test/"a"'
    assert mention(row)["MentionSourceName"] == "news test"
    store.close()


def test_rows_stored_before_batches_take_their_dates_and_are_in_no_update(tmp_path):
    store = Store(":memory:")
    store.add([result("a", [("042", 0)])])
    for table in ("event_batches", "article_batches", "batches"):
        store.connection.execute(f"DELETE FROM {table}")  # as a store upgraded to schema 5 has them
    (row,) = store.connection.execute(layout_sql("gdelt-mentions")).fetchall()
    assert (row[1], row[2]) == ("20260105000000", "20260105000000")  # the event's and article's dates
    export, mentions = write_update(store.connection, tmp_path, at(10), at(10, 15))
    assert rows(export) == rows(mentions) == []
    store.close()


def test_due_updates_are_aligned_to_the_wall_clock():
    assert due_updates(None, at(10, 7), QUARTER) == [(at(9, 45), at(10))]  # a new folder: the last interval
    assert due_updates(at(10), at(10, 14), QUARTER) == []
    assert due_updates(at(10), at(10, 15), QUARTER) == [(at(10), at(10, 15))]
    down_an_hour = due_updates(at(9), at(10, 7), QUARTER)
    assert down_an_hour == [(at(9), at(9, 15)), (at(9, 15), at(9, 30)), (at(9, 30), at(9, 45)), (at(9, 45), at(10))]
    assert due_updates(at(10, 7), at(10, 31), QUARTER) == [(at(10, 7), at(10, 15)), (at(10, 15), at(10, 30))]
    assert due_updates(at(10), at(12, 5), dt.timedelta(hours=1)) == [(at(10), at(11)), (at(11), at(12))]
    paris = at(10, 20).astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert due_updates(at(10), paris, QUARTER) == due_updates(at(10), at(10, 20).replace(tzinfo=None), QUARTER)
    assert due_updates(at(11), at(10, 20), QUARTER) == []  # a clock set back owes nothing
    with pytest.raises(ValueError):
        due_updates(None, at(10), dt.timedelta(0))


def test_a_restarted_watcher_writes_each_missed_interval_once(tmp_path):
    store = Store(":memory:")
    for k, (code, minute) in enumerate((("042", 5), ("051", 20), ("190", 50))):
        store.add([result(f"a{k}", [(code, 0)])])
        stored_at(store, k + 1, at(9, minute))
    folder = tmp_path / "updates"
    assert last_update_end(folder) is None

    def watch(now: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
        due = due_updates(last_update_end(folder), now, QUARTER)
        for start, end in due:
            write_update(store.connection, folder, start, end)
        return due

    assert watch(at(9, 20)) == [(at(9), at(9, 15))]  # then down until 10:07
    assert [end for _, end in watch(at(10, 7))] == [at(9, 30), at(9, 45), at(10)]
    assert watch(at(10, 8)) == [] and last_update_end(folder) == at(10)
    exported = [i for path in sorted(folder.glob("*.export.CSV.zip")) for i in ids(path)]
    assert len(exported) == len(set(exported)) == 3  # every event once
    (folder / LAST_UPDATE).unlink()  # the file names say it too
    assert last_update_end(folder) == at(10)
    (folder / "20260105101500.export.CSV.zip").write_bytes(b"")  # an update cut short: not done
    assert last_update_end(folder) == at(10)
    (folder / LAST_UPDATE).write_text("1 0f 20260105103000.export.CSV.zip\n"  # GDELT's own gives URLs
                                      "1 0f http://data.test/gdeltv2/20260105103000.mentions.CSV.zip\n")
    assert last_update_end(folder) == at(10, 30)
    store.close()


# The large interval: rows inserted by SQL, as many as a busy day; DuckDB's memory capped well below what
# they take (the write fails if it needs more), Python's measured (the rows never pass through it)
MANY_EVENTS, PER_ARTICLE = 200_000, 10
RECORD_MD5S = 64  # each event's JSON record holds 64 md5s, 2 KB: 400 MB of records
DUCKDB_LIMIT, DUCKDB_THREADS = "250MB", 2  # its buffers grow with its threads: fixed, so the cap holds anywhere
PYTHON_PEAK_BYTES = 10_000_000


def test_a_large_interval_streams_with_bounded_memory(tmp_path):
    store = Store(tmp_path / "big.duckdb")
    con = store.connection
    con.execute(f"""INSERT INTO articles (id, url, source, date, status, text)
        SELECT 'art' || i, 'https://news.test/' || i, 'news.test', DATE '2026-01-01' + (i % 300)::INTEGER, 'coded',
               repeat(md5(i::VARCHAR), 30) FROM range({MANY_EVENTS // PER_ARTICLE}) t(i)""")
    con.execute(f"""INSERT INTO events (event_id, article_id, sentence_index, date, source_code, target_code, code,
            root_code, confidence, record)
        SELECT 'ev' || i, 'art' || (i // {PER_ARTICLE}), (i % {PER_ARTICLE})::INTEGER,
               DATE '2026-01-01' + ((i // {PER_ARTICLE}) % 300)::INTEGER, ['USA', 'FRA', 'MLI'][1 + i % 3],
               ['GBR', 'DEU'][1 + i % 2], ['042', '051', '190'][1 + (i // 2) % 3], '04', 0.5,
               '{{"source": {{"start": 0, "end": 6}}, "sentence": "' || repeat(md5(i::VARCHAR), {RECORD_MD5S}) || '"}}'
        FROM range({MANY_EVENTS}) t(i)""")
    con.execute("INSERT INTO batches VALUES (1, ?, 0, 0)", [at(10, 5)])
    con.execute("INSERT INTO event_batches SELECT event_id, 1 FROM events")
    con.execute("INSERT INTO article_batches SELECT id, 1 FROM articles")
    con.execute("CHECKPOINT")  # on disk, so DuckDB may drop what it read
    con.execute(f"SET memory_limit = '{DUCKDB_LIMIT}'")
    con.execute(f"SET threads = {DUCKDB_THREADS}")
    tracemalloc.start()
    try:
        export, mentions = write_update(con, tmp_path / "updates", at(10), at(10, 15))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    store.close()
    assert peak < PYTHON_PEAK_BYTES
    with zipfile.ZipFile(mentions) as archive, archive.open(archive.namelist()[0]) as lines:
        assert sum(1 for _ in lines) == MANY_EVENTS
    assert len(ids(export)) == 300 * 6  # every date has the six (source, target, code) of i mod 6
