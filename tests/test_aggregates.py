"""The pre-aggregated tables stay equal to a rebuild through every write, and the questions read from
them give what the same questions over the rows give; event pages (offset and keyset) list the rows in
the events' order.

The store is written through `Store.add` from invented results (no parsing): random dyads, dates, codes,
places and actors, some articles written again with other events, some with no date.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from dyad.corpus import aggregates, queries
from dyad.corpus.store import Store
from dyad.records import Actor, Article, Event, Place, Plover, Provenance, Result
from dyad.surfaces.server import lists
from dyad.surfaces.server import queries as server_queries

CODES = ["TURGOV", "GRCGOV", "GRC", "TUR", "FRAGOV", "USAMIL", "RUS", None]
PLACES = [("Athens", "GRC", 37.98, 23.73), ("Ankara", "TUR", 39.93, 32.86), ("Paris", "FRA", 48.85, 2.35), None]
DAY0 = dt.date(2024, 1, 1)


def invented(article_id: str, rng: random.Random, version: int = 0) -> Result:
    date = None if rng.random() < 0.1 else DAY0 + dt.timedelta(days=rng.randint(0, 90))
    article = Article(id=article_id, text=f"Invented article {article_id} v{version}.", date=date,
                      source=rng.choice(["Wire A", "Wire B", None]))
    result = Result(article=article, status="coded" if rng.random() < 0.9 else "skipped")
    for n in range(rng.randint(0, 6)):
        source, target = rng.choice(CODES[:-1]), rng.choice(CODES)
        code = rng.choice(["010", "036", "042", "111", "112", "190"])
        place = rng.choice(PLACES)
        location = Place(name=place[0], country_iso3=place[1], latitude=place[2], longitude=place[3]) \
            if place else None
        result.events.append(Event(
            event_id=f"{article_id}-v{version}-{n}", article_id=article_id, sentence_index=n, sentence="A sentence.",
            date=date, source=Actor(text=source, code=source),
            target=Actor(text=target, code=target) if target else None,
            code=code, root_code=code[:2], quad_class=rng.randint(1, 4),
            goldstein=rng.choice([-10.0, -2.0, 0.0, 1.9, 3.4, None]), plover=Plover(), location=location,
            provenance=Provenance(rule="test")))
    for n in range(rng.randint(0, 4)):
        code = rng.choice(CODES[:-1])
        result.actors.append(Actor(text=rng.choice([code.lower(), code + " officials"]), code=code, country=code[:3],
                                   sentence_index=n, start=10 * n, end=10 * n + 5))
        place = rng.choice(PLACES[:-1])
        result.places.append(Place(name=place[0], kind="toponym", country_iso3=place[1], latitude=place[2],
                                   longitude=place[3], geonames_id=hash(place[0]) % 1000, sentence_index=n,
                                   start=10 * n, end=10 * n + 5))
    return result


def aggregate_rows(con) -> dict[str, list[tuple]]:
    return {a.name: sorted(con.execute(f"SELECT * FROM {a.name}").fetchall(), key=repr) for a in aggregates.AGGREGATES}


def rebuilt_rows(con) -> dict[str, list[tuple]]:
    return {a.name: sorted(con.execute(a.select()).fetchall(), key=repr) for a in aggregates.AGGREGATES}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store written in batches: new articles, then some written again (other events, dates, sources)."""
    rng = random.Random(18)
    store = Store(tmp_path_factory.mktemp("aggregates") / "store.duckdb")
    history = []
    for batch in range(6):
        ids = [f"a{batch * 10 + n}" for n in range(10)]
        store.add([invented(i, rng) for i in ids])
        history.append(aggregate_rows(store.connection) == rebuilt_rows(store.connection))
        again = rng.sample(ids, 3) + ([f"a{rng.randint(0, batch * 10)}"] if batch else [])
        store.add([invented(i, rng, version=batch + 1) for i in again])
        history.append(aggregate_rows(store.connection) == rebuilt_rows(store.connection))
    store.history = history
    yield store
    store.close()


def test_every_write_keeps_the_aggregates_equal_to_a_rebuild(store):
    assert store.history and all(store.history)
    assert all(rows for rows in aggregate_rows(store.connection).values())


def indexes(store) -> set[str]:
    return {row[0] for row in store.connection.execute("SELECT index_name FROM duckdb_indexes()").fetchall()}


def test_a_rewriting_block_rebuilds_aggregates_and_indexes_at_its_end_even_when_it_fails(tmp_path):
    rng = random.Random(3)
    store = Store(tmp_path / "s.duckdb")
    before = indexes(store)
    with pytest.raises(RuntimeError), store.rewriting():
        store.add([invented(f"d{n}", rng) for n in range(8)])
        assert store.connection.execute("SELECT count(*) FROM agg_dyads").fetchone()[0] == 0  # deferred
        assert "events_article" not in indexes(store)
        raise RuntimeError("killed mid-way")
    assert aggregate_rows(store.connection) == rebuilt_rows(store.connection)
    assert store.connection.execute(f"SELECT batch FROM {aggregates.STATE}").fetchone()[0] == store.last_batch()
    assert indexes(store) == before and "events_article" in before
    store.close()


def test_a_store_whose_aggregates_lag_is_rebuilt_when_opened_for_writing(tmp_path):
    rng = random.Random(4)
    store = Store(tmp_path / "s.duckdb")
    store.add([invented(f"l{n}", rng) for n in range(8)])
    store.connection.execute("DELETE FROM agg_dyads")  # as if a recode had been killed before its rebuild
    store.connection.execute(f"UPDATE {aggregates.STATE} SET batch = 0")
    store.connection.execute("DROP INDEX actors_article")
    store.close()
    store = Store(tmp_path / "s.duckdb")
    assert aggregate_rows(store.connection) == rebuilt_rows(store.connection)
    assert "actors_article" in indexes(store)
    store.close()


def _same(answer, sql, con, params=()):
    expected = con.execute(sql, list(params)).fetchall()
    assert [tuple(row) for row in answer.rows] == expected


def test_the_common_questions_read_from_aggregates_equal_the_same_questions_over_the_rows(store):
    con = store.connection
    _same(queries.top_dyads(con, 50), """
        SELECT source_code, target_code, count(*), count(DISTINCT article_id), round(avg(goldstein), 2)
        FROM events WHERE target_code IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 50""", con)
    _same(queries.root_counts(con, "week"), """
        SELECT CAST(date_trunc('week', date) AS DATE), root_code, count(*) FROM events WHERE date IS NOT NULL
        GROUP BY 1, 2 ORDER BY 1, 2""", con)
    _same(queries.volume(con, "month"), """
        SELECT CAST(date_trunc('month', date) AS DATE), coalesce(source, '(unknown)'), count(*),
               count(*) FILTER (status = 'coded') FROM articles GROUP BY 1, 2 ORDER BY 1, 2""", con)
    _same(queries.partners(con, "TUR"), """
        SELECT CASE WHEN starts_with(source_code, 'TUR') THEN target_code ELSE source_code END AS partner,
               count(*) FILTER (starts_with(source_code, 'TUR')), count(*) FILTER (starts_with(target_code, 'TUR')),
               count(*) AS events, round(avg(goldstein), 2)
        FROM events WHERE (starts_with(source_code, 'TUR') OR starts_with(target_code, 'TUR'))
          AND target_code IS NOT NULL GROUP BY 1 ORDER BY events DESC, partner LIMIT 20""", con)
    series = queries.dyad_series(con, "TUR", "GRC", "month", both_ways=True).dicts()
    expected = con.execute("""
        SELECT CAST(date_trunc('month', date) AS DATE) AS p, count(*), count(*) FILTER (quad_class = 4)
        FROM events WHERE date IS NOT NULL
          AND ((starts_with(source_code, 'TUR') AND starts_with(target_code, 'GRC'))
           OR (starts_with(source_code, 'GRC') AND starts_with(target_code, 'TUR')))
        GROUP BY 1 ORDER BY 1""").fetchall()
    assert [(p["period"], p["events"], p["material_conflict"]) for p in series] == expected


def test_the_lists_and_the_map_read_from_aggregates_count_the_rows(store):
    con = store.connection
    actors = lists.actors(con, per_page=200)
    expected = dict(con.execute("SELECT code, count(*) FROM actors WHERE code IS NOT NULL GROUP BY 1").fetchall())
    assert {a["code"]: a["mentions"] for a in actors["actors"]} == expected and actors["total"] == len(expected)
    usamil = next(a for a in actors["actors"] if a["code"] == "USAMIL")
    assert usamil["as_source"] == con.execute("SELECT count(*) FROM events WHERE source_code = 'USAMIL'").fetchone()[0]
    assert usamil["example"] in {"usamil", "USAMIL officials"}
    places = lists.places(con, per_page=200)["places"]
    assert {p["name"]: p["articles"] for p in places} == dict(con.execute(
        "SELECT name, count(DISTINCT article_id) FROM places GROUP BY 1").fetchall())
    for flt in (server_queries.EventFilter(), server_queries.EventFilter(root="11", since=DAY0 + dt.timedelta(days=30)),
                server_queries.EventFilter(actor="TUR")):  # the last from the events: no aggregate has actors
        where, params = flt.where()
        expected = con.execute(f"SELECT location_name, count(*) FROM events WHERE {where} AND latitude IS NOT NULL "
                               "GROUP BY 1", params).fetchall()
        assert {p["location_name"]: p["events"] for p in server_queries.locations(con, flt)} == dict(expected)


@pytest.mark.parametrize("flt", [server_queries.EventFilter(), server_queries.EventFilter(source="TUR"),
                                 server_queries.EventFilter(root="01", until=DAY0 + dt.timedelta(days=45)),
                                 server_queries.EventFilter(quad_class=1)])  # the last counted over the events
def test_event_pages_by_offset_and_by_keyset_list_the_rows_in_order(store, flt):
    con = store.connection
    where, params = flt.where()
    expected = [row[0] for row in con.execute(
        f"SELECT event_id FROM events WHERE {where} ORDER BY date DESC NULLS LAST, event_id", params).fetchall()]
    by_offset, by_keyset, after, page = [], [], None, 1
    while True:
        found = server_queries.events(con, flt, page, 7)
        assert found["total"] == len(expected)
        by_offset += [e["event_id"] for e in found["events"]]
        if len(found["events"]) < 7:
            break
        page += 1
    while True:
        found = server_queries.events(con, flt, 1, 7, after=after)
        by_keyset += [e["event_id"] for e in found["events"]]
        after = found["next"]
        if after is None:
            break
    assert by_offset == expected and by_keyset == expected
    with pytest.raises(ValueError, match=r"DATE\|EVENT_ID"):
        server_queries.events(con, flt, after="no-bar")
