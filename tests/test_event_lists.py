"""Event lists as an analyst uses them: every order pages through the same rows forwards and backwards
(keyset tokens), and every filter keeps exactly the rows it names.

The store is written through `Store.add` from invented results: many ties (Goldstein values, codes,
dates), NULLs in every sortable column, PLOVER types, confidences and actor countries.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest

from dyad.corpus.store import Store
from dyad.records import Actor, Article, Event, Place, Plover, Provenance, Result
from dyad.surfaces.server import queries

DAY0 = dt.date(2024, 3, 1)
ACTORS = [("TURGOV", "TUR"), ("GRCGOV", "GRC"), ("TUR", "TUR"), ("USAELI", "USA"), ("USAGOV", "USA"),
          ("IGOUNO", None), (None, None)]
PLOVER = ["CONSULT", "PROTEST", "ASSAULT", None]


def invented(n: int, rng: random.Random) -> Result:
    date = None if rng.random() < 0.1 else DAY0 + dt.timedelta(days=rng.randint(0, 20))
    article = Article(id=f"L{n}", text=f"Invented article {n}.", date=date)
    result = Result(article=article, status="coded")
    for k in range(rng.randint(0, 5)):
        (scode, scountry), (tcode, tcountry) = rng.choice(ACTORS[:-1]), rng.choice(ACTORS)
        code = rng.choice(["010", "036", "042", "111", "145", "190"])
        place = rng.choice([("Athens", "GRC", 37.98, 23.73), ("Ankara", "TUR", 39.93, 32.86), None])
        result.events.append(Event(
            event_id=f"L{n}-{k}", article_id=article.id, sentence_index=k, sentence="A sentence.", date=date,
            source=Actor(text="s", code=scode, country=scountry),
            target=Actor(text="t", code=tcode, country=tcountry) if tcode or rng.random() < 0.5 else None,
            code=code, root_code=code[:2], quad_class=rng.randint(1, 4),
            goldstein=rng.choice([-10.0, -2.0, 0.0, 3.4, None]), plover=Plover(event=rng.choice(PLOVER)),
            confidence=rng.choice([0.3, 0.55, 0.8, None]),
            location=Place(name=place[0], country_iso3=place[1], latitude=place[2], longitude=place[3])
            if place else None, provenance=Provenance(rule="test")))
    return result


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    rng = random.Random(20)
    store = Store(tmp_path_factory.mktemp("lists") / "store.duckdb")
    store.add([invented(n, rng) for n in range(120)])
    yield store.connection
    store.close()


def everything(con) -> list[dict]:
    return queries.dicts(con.execute(f"SELECT {', '.join(queries.EVENT_COLUMNS)} FROM events"))


def in_order(rows: list[dict], sort: str) -> list[str]:
    """The event ids in `sort`'s order, computed here in Python: NULLs last, ties by event id."""
    order = queries.Sort.parse(sort)

    def key(row):
        value = row[order.column]
        if value is None:
            return (1, 0, row["event_id"])
        if isinstance(value, dt.date):
            value = value.toordinal()
        if isinstance(value, str):  # a descending string order: compare the negated code points
            return (0, (*(-ord(c) for c in value), math.inf) if order.descending else value, row["event_id"])
        return (0, -value if order.descending else value, row["event_id"])
    return [row["event_id"] for row in sorted(rows, key=key)]


@pytest.mark.parametrize("sort", ["date", "-date", "goldstein", "-goldstein", "confidence", "code", "-code",
                                  "source", "target"])
def test_every_order_pages_forwards_and_backwards_through_the_same_rows(con, sort):
    expected = in_order(everything(con), sort)
    assert len(expected) > 150
    pages, after = [], None
    while True:
        found = queries.events(con, queries.EventFilter(), 1, 11, after=after, sort=sort)
        assert found["total"] == len(expected) and found["sort"] == sort
        pages.append([e["event_id"] for e in found["events"]])
        after = found["next"]
        if after is None:
            break
    assert [i for page in pages for i in page] == expected
    backwards, before = [], found["previous"]  # from the last page back to the first
    assert before
    while before:
        found = queries.events(con, queries.EventFilter(), 1, 11, before=before, sort=sort)
        backwards.insert(0, [e["event_id"] for e in found["events"]])
        before = found["previous"]
    assert [i for page in backwards for i in page] + pages[-1] == expected


def test_the_first_page_has_no_previous_and_offsets_agree_with_keysets(con):
    first = queries.events(con, queries.EventFilter(), 1, 10, sort="-goldstein")
    second = queries.events(con, queries.EventFilter(), 2, 10, sort="-goldstein")
    assert first["previous"] is None and second["previous"] is not None
    assert queries.events(con, queries.EventFilter(), 1, 10, sort="-goldstein",
                          after=first["next"])["events"] == second["events"]


@pytest.mark.parametrize(("flt", "keeps"), [
    (queries.EventFilter(plover="protest"), lambda e: e["plover_event"] == "PROTEST"),
    (queries.EventFilter(confidence=0.55), lambda e: e["confidence"] is not None and e["confidence"] >= 0.55),
    (queries.EventFilter(scope="domestic"),
     lambda e: None not in (e["source_country"], e["target_country"]) and e["source_country"] == e["target_country"]),
    (queries.EventFilter(scope="international"),
     lambda e: None not in (e["source_country"], e["target_country"]) and e["source_country"] != e["target_country"]),
    (queries.EventFilter(other_actor=True), lambda e: e["source_code"] != e["target_code"]),
    (queries.EventFilter(other_country=True),
     lambda e: None in (e["source_country"], e["target_country"]) or e["source_country"] != e["target_country"]),
    (queries.EventFilter(place="Athens", place_country="grc"), lambda e: e["location_name"] == "Athens"),
    (queries.EventFilter(root="14", other_country=True, confidence=0.3),
     lambda e: e["root_code"] == "14" and e["confidence"] is not None and (
         None in (e["source_country"], e["target_country"]) or e["source_country"] != e["target_country"])),
])
def test_each_filter_keeps_exactly_the_rows_it_names(con, flt, keeps):
    expected = in_order([e for e in everything(con) if keeps(e)], "date")
    assert 0 < len(expected) < len(everything(con))
    listed, after = [], None
    while True:
        found = queries.events(con, flt, 1, 50, after=after)
        assert found["total"] == len(expected)
        listed += [e["event_id"] for e in found["events"]]
        if (after := found["next"]) is None:
            break
    assert listed == expected


def test_rows_carry_the_cameo_label_and_plover_columns(con):
    rows = queries.events(con, queries.EventFilter(code="145"), 1, 5)["events"]
    assert rows and all(r["code_name"] and "protest" in r["code_name"].lower() for r in rows)
    assert {"plover_event", "plover_mode", "confidence", "location_name"} <= set(rows[0])


@pytest.mark.parametrize(("sort", "token", "message"), [
    ("sideways", None, "sort: one of"), ("goldstein", "abc|L1-0", "not a goldstein value"),
    ("-date", "2024-03-01", "VALUE|EVENT_ID")])
def test_a_bad_order_or_token_is_named(con, sort, token, message):
    with pytest.raises(ValueError, match=message):
        queries.events(con, queries.EventFilter(), sort=sort, before=token)
