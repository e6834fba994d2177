import datetime as dt

import pyarrow as pa
import pytest

from dyad.corpus.store import TABLES, Store
from dyad.records import Actor, Article, Event, Plover, Provenance, Quote, Result


def result(article_id, n_events, status="coded"):
    article = Article(id=article_id, text="Text.", date=dt.date(2026, 1, 5))
    events = [Event(event_id=f"{article_id}-{i}", article_id=article_id, sentence_index=0, sentence="Text.",
                    source=Actor(text="France", code="FRA"), target=Actor(text="Mali", code="MLI"), code="042",
                    root_code="04", quad_class=1, goldstein=1.9, plover=Plover(event="CONSULT"), date=article.date,
                    provenance=Provenance(rule="test")) for i in range(n_events)]
    quotes = [Quote(text="We came.", start=0, end=8, speaker="she", speaker_name="Ana Roe")]
    return Result(article=article, status=status, events=events, quotes=quotes,
                  actors=[Actor(text="France", code="FRA")])


def test_store_writes_every_table_and_replaces_an_article_on_rewrite(tmp_path):
    store = Store(tmp_path / "dyad.duckdb")
    assert store.add([result("a", 2), result("b", 0, status="skipped")]) == 2
    assert store.add([result("a", 1)]) == 1  # re-coding an article replaces its rows
    assert store.count("articles") == 2 and store.count("events") == 1
    assert store.count("quotes") == 2 and store.count("actors") == 2
    row = store.connection.execute("SELECT source_code, target_code, code, date FROM events").fetchone()
    assert row == ("FRA", "MLI", "042", dt.date(2026, 1, 5))
    assert dict((s, n) for s, _, n in store.status()) == {"coded": 1, "skipped": 1}
    assert store.known_ids() == {"a", "b"}
    store.close()


def test_a_failing_batch_writes_nothing(tmp_path, monkeypatch):
    store = Store(tmp_path / "dyad.duckdb")
    bad = result("c", 1)
    bad.events[0].quad_class = "not a number"  # DuckDB rejects it inside the transaction
    with pytest.raises(pa.ArrowInvalid):
        store.add([result("d", 1), bad])
    assert all(store.count(t) == 0 for t in TABLES)
