import datetime as dt

from dyad.records import Actor, Article, Event, Plover, Provenance, Result
from dyad.store import Store


def result(article_id, n_events, status="coded"):
    article = Article(id=article_id, text="Text.", date=dt.date(2026, 1, 5))
    events = [Event(event_id=f"{article_id}-{i}", article_id=article_id, sentence_index=0, sentence="Text.",
                    source=Actor(text="France", code="FRA"), target=Actor(text="Mali", code="MLI"), code="042",
                    root_code="04", quad_class=1, goldstein=1.9, plover=Plover(event="CONSULT"), date=article.date,
                    provenance=Provenance(rule="test")) for i in range(n_events)]
    return Result(article=article, status=status, events=events)


def test_store_writes_articles_and_events_and_replaces_on_rewrite(tmp_path):
    store = Store(tmp_path / "dyad.duckdb")
    assert store.add([result("a", 2), result("b", 0, status="skipped")]) == 2
    assert store.add([result("a", 1)]) == 1  # re-coding an article replaces its events
    assert store.count("articles") == 2 and store.count("events") == 1
    row = store.connection.execute("SELECT source_code, target_code, code, date FROM events").fetchone()
    assert row == ("FRA", "MLI", "042", dt.date(2026, 1, 5))
    statuses = dict(store.connection.execute("SELECT id, status FROM articles").fetchall())
    assert statuses == {"a": "coded", "b": "skipped"}
    store.close()
