"""What the explorer and the HTTP API ask of a store beyond the common questions of `dyad.corpus.queries`
(which the API answers with the same functions as `dyad query`): parameterised SQL, one function per question.

Every function takes a DuckDB connection (a per-request cursor of a read-only connection) and plain
Python arguments, and returns plain dicts and lists, ready for JSON or a template. Filter values only
ever reach DuckDB as bound parameters: codes match by literal prefix (`starts`), text by ILIKE
through `escape_like`; the few identifiers in the SQL (the period unit, the order) come from fixed
tables, never from the caller.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, fields

from dyad.corpus.queries import GOLDSTEIN_MEAN, LIKE, code_prefix, dyad_series, escape_like, starts
from dyad.resources.ontology import cameo_table

__all__ = ["EVENT_COLUMNS", "MAX_PAGE_SIZE", "SORTS", "EventFilter", "Sort", "after_condition", "article",
           "country_counts", "event", "events", "locations", "overview", "root_codes", "series"]

MAX_PAGE_SIZE = 200  # rows per page or list at most: set by hand; measured with benchmarks/serve.py (p99 <= 300 ms)
MAX_LOCATIONS = 2000  # the map's points at most: set by hand; the map stays legible and fast to draw
EVENT_COLUMNS = ("event_id", "article_id", "sentence_index", "sentence", "date", "date_method", "source_text",
                 "source_code", "source_country", "target_text", "target_code", "target_country", "code",
                 "root_code", "quad_class", "goldstein", "confidence", "plover_event", "location_name",
                 "location_country", "latitude", "longitude", "rule", "plover_mode", "plover_context")


# domestic: both actors' countries known and the same; international: both known and different
SCOPES = {"domestic": "source_country = target_country",
          "international": "source_country <> target_country"}
# the event lists' orders: name -> (column, descending); every order ends with event_id (a total order,
# which keyset paging needs) and puts NULLs last. "-" before a name reverses it.
SORTS = {"date": ("date", True), "goldstein": ("goldstein", False), "confidence": ("confidence", True),
         "code": ("code", False), "source": ("source_code", False), "target": ("target_code", False)}
DEFAULT_SORT = "date"
NUMERIC_SORTS = ("goldstein", "confidence")


@dataclass(frozen=True)
class Sort:
    """An event list's order, parsed from `sort=` ("date", "-goldstein"): a column and a direction."""

    name: str
    column: str
    descending: bool

    @classmethod
    def parse(cls, sort: str | None) -> Sort:
        text = (sort or DEFAULT_SORT).strip()
        name = text.lstrip("-")
        if name not in SORTS:
            raise ValueError(f"sort: one of {', '.join(SORTS)} (\"-\" before it reverses), not {text[:40]!r}")
        column, descending = SORTS[name]
        return cls(text, column, descending != text.startswith("-"))

    @property
    def order_by(self) -> str:
        return f"{self.column} {'DESC' if self.descending else 'ASC'} NULLS LAST, event_id"


@dataclass
class EventFilter:
    """The event filters the API and the explorer share; empty values filter nothing.

    Actor codes match by prefix ("FRA" matches "FRAGOV"), as CAMEO actor codes nest; so does `code`
    ("19" matches "190" and "193"). `country` is an ISO alpha-3 code matched against either actor's
    country and the event's location; `q` is a case-insensitive substring of the sentence; `scope`
    (`SCOPES`), `other_actor` and `other_country` judge the pair of actors.
    """

    actor: str | None = None
    source: str | None = None
    target: str | None = None
    code: str | None = None
    root: str | None = None
    quad_class: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    country: str | None = None
    q: str | None = None
    article_id: str | None = None
    rule: str | None = None
    plover: str | None = None
    confidence: float | None = None
    scope: str | None = None
    other_actor: bool = False
    other_country: bool = False
    place: str | None = None
    place_country: str | None = None

    def where(self) -> tuple[str, list]:
        clauses, params = ["TRUE"], []
        if self.actor:
            clauses.append(f"({starts('source_code')} OR {starts('target_code')})")
            params += [code_prefix(self.actor)] * 2
        if self.source:
            clauses.append(starts("source_code"))
            params.append(code_prefix(self.source))
        if self.target:
            clauses.append(starts("target_code"))
            params.append(code_prefix(self.target))
        if self.code:
            clauses.append(starts("code"))
            params.append(code_prefix(self.code))
        if self.root:
            clauses.append("root_code = ?")
            params.append(self.root.zfill(2))
        if self.quad_class is not None:
            clauses.append("quad_class = ?")
            params.append(self.quad_class)
        if self.since:
            clauses.append("date >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("date <= ?")
            params.append(self.until)
        if self.country:
            clauses.append("(source_country = ? OR target_country = ? OR location_country = ?)")
            params += [self.country.upper()] * 3
        if self.q:
            clauses.append(f"sentence I{LIKE}")
            params.append("%" + escape_like(self.q) + "%")
        if self.article_id:
            clauses.append("article_id = ?")
            params.append(self.article_id)
        if self.rule:
            clauses.append("rule = ?")
            params.append(self.rule)
        if self.plover:
            clauses.append("plover_event = ?")
            params.append(self.plover.strip().upper())
        if self.confidence is not None:
            clauses.append("confidence >= ?")
            params.append(float(self.confidence))
        if self.scope:
            clauses.append(SCOPES[self.scope])
        if self.other_actor:  # an actor "acting on itself" (USAELI -> USAELI) is a coding artefact for most uses
            clauses.append("source_code IS DISTINCT FROM target_code")
        if self.other_country:  # with no target (or no country), the pair is not a same-country one
            clauses.append("NOT coalesce(source_country = target_country, FALSE)")
        if self.place:
            clauses.append("location_name = ?")
            params.append(self.place)
        if self.place_country:
            clauses.append("location_country = ?")
            params.append(self.place_country.upper())
        return " AND ".join(clauses), params

    def as_params(self) -> dict[str, str]:
        """The filters as query-string parameters (for links that keep them)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool):
                if value:
                    out[f.name] = "true"
            elif value is not None and value != "":
                out[f.name] = value.isoformat() if isinstance(value, dt.date) else str(value)
        return out


def dicts(relation) -> list[dict]:
    """A query's rows as dicts keyed by column name (the shape the API and the templates take)."""
    names = [d[0] for d in relation.description]
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def page_window(page: int, per_page: int) -> tuple[int, int]:
    """The rows of a page (at most MAX_PAGE_SIZE) and its offset, for any list the server pages."""
    per_page = max(1, min(int(per_page), MAX_PAGE_SIZE))
    return per_page, (max(1, int(page)) - 1) * per_page


def after_condition(token: str) -> tuple[str, list, str, list]:
    """The rows after `token` ("DATE|EVENT_ID", the `next` of a page) in the events' order (date newest
    first, undated events last, then event id), as two conditions: the rows from the token's date on
    (`scope`), of which those matching `skipped` come first and are skipped. Plain comparisons, which
    DuckDB pushes into the scan: the one condition `date < d OR (date = d AND event_id > id) OR date IS
    NULL` cost 62 ms over 10^6 events, these 13 ms."""
    date, sep, event_id = token.partition("|")
    if not sep or not event_id:
        raise ValueError(f"after: expected DATE|EVENT_ID (a page's `next`), not {token[:60]!r}")
    if not date:
        return "date IS NULL", [], "date IS NULL AND event_id <= ?", [event_id]
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise ValueError(f"after: not a date (YYYY-MM-DD): {date[:20]!r}") from None
    return "(date <= ? OR date IS NULL)", [day], "date = ? AND event_id <= ?", [day, event_id]


# The per-date aggregates that count events for a filter, with the filters each has the columns of
# (under the names EventFilter.where uses): the total and the page's date bound read from them, not
# from the events (1-2 ms against 5-8 ms over 10^6 events).
COUNTED_BY = (("agg_root_days", frozenset({"root", "since", "until"})),
              ("agg_dyad_days", frozenset({"actor", "source", "target", "since", "until"})))


def answering(flt: EventFilter, aggregates: tuple[tuple[str, frozenset], ...]) -> str | None:
    """The first of `aggregates` that has a column for every filter set, whose rows EventFilter.where
    then filters as it filters events (the same column names); None: the events must answer."""
    asked = set(flt.as_params())
    return next((name for name, columns in aggregates if asked <= columns), None)


def _total_and_bound(con, flt: EventFilter, where: str, params: list, scope: tuple[str, list], rank: int):
    """The events matching the filter, and the date of the `rank`-th of those in `scope` in date order
    (newest first): no row among the first `rank` in (date, event_id) order is older, so `date >= bound`
    keeps the page and leaves the sort a few days' rows (sorting 10^6 events on both keys costs 19 ms)."""
    scoped, scoped_params = f"{where} AND {scope[0]}", [*params, *scope[1]]
    table = answering(flt, COUNTED_BY)
    if table is None:
        total = con.execute(f"SELECT count(*) FROM events WHERE {where}", params).fetchone()[0]
        bound = con.execute(f"SELECT date FROM events WHERE {scoped} ORDER BY date DESC NULLS LAST LIMIT 1 OFFSET ?",
                            [*scoped_params, rank - 1]).fetchone()
        return total, bound[0] if bound else None
    # one statement: the per-date counts, their sum and the first date where the running count (newest
    # first, within the scope) reaches `rank` (a window over a few thousand dates; summing them in Python
    # cost three times as much)
    return con.execute(f"""
        WITH days AS (SELECT date, sum(events) AS n, bool_and({scope[0]}) AS in_scope
                      FROM {table} WHERE {where} GROUP BY date)
        SELECT (SELECT coalesce(sum(n), 0) FROM days),
               (SELECT date FROM days WHERE in_scope
                QUALIFY sum(n) OVER (ORDER BY date DESC NULLS LAST ROWS UNBOUNDED PRECEDING) >= ?
                ORDER BY date DESC NULLS LAST LIMIT 1)""", [*scope[1], *params, rank]).fetchone()


def _token(order: Sort, row: dict) -> str:
    """A row's keyset token in `order`: "VALUE|EVENT_ID" (an empty value: NULL)."""
    value = row[order.column]
    text = "" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)
    return f"{text}|{row['event_id']}"


def keyset_condition(order: Sort, token: str, backwards: bool = False) -> tuple[str, list]:
    """The rows after `token` (a page's `next`) in `order`, or before it (a page's `previous`), as SQL:
    NULLs come last, and event_id breaks ties, so every row has one place."""
    text, sep, event_id = token.rpartition("|")
    if not sep or not event_id:
        raise ValueError(f"expected VALUE|EVENT_ID (a page's `next` or `previous`), not {token[:60]!r}")
    try:
        value = None if text == "" else dt.date.fromisoformat(text) if order.column == "date" else \
            float(text) if order.column in NUMERIC_SORTS else text
    except ValueError:
        raise ValueError(f"not a {order.name.lstrip('-')} value: {text[:20]!r}") from None
    c = order.column
    if not backwards:
        if value is None:
            return f"{c} IS NULL AND event_id > ?", [event_id]
        return f"({c} {'<' if order.descending else '>'} ? OR ({c} = ? AND event_id > ?) OR {c} IS NULL)", \
            [value, value, event_id]
    if value is None:
        return f"({c} IS NOT NULL OR event_id < ?)", [event_id]
    return f"({c} {'>' if order.descending else '<'} ? OR ({c} = ? AND event_id < ?))", [value, value, event_id]


def _total(con, flt: EventFilter, where: str, params: list) -> int:
    table = answering(flt, COUNTED_BY)
    sql = f"SELECT coalesce(sum(events), 0) FROM {table}" if table else "SELECT count(*) FROM events"
    return con.execute(f"{sql} WHERE {where}", params).fetchone()[0]


def _newest_first_ids(con, flt: EventFilter, where: str, params: list, offset: int, per_page: int,
                      after: str | None) -> tuple[int, list[tuple]]:
    """The default order's page (date newest first), fast on a big store: the total and a date bound
    from the per-date aggregates (`_total_and_bound`), then a sort of the few days' rows within it."""
    scope: tuple[str, list] = ("TRUE", [])
    if after:
        scope_sql, scope_params, skipped, skipped_params = after_condition(after)
        scope = (scope_sql, scope_params)
        offset = con.execute(f"SELECT count(*) FROM events WHERE {where} AND {skipped}",
                             [*params, *skipped_params]).fetchone()[0]
    total, bound = _total_and_bound(con, flt, where, params, scope, offset + per_page)
    where, params = f"{where} AND {scope[0]}", [*params, *scope[1]]
    if bound is not None:
        where, params = f"{where} AND date >= ?", [*params, bound]
    return total, con.execute(
        f"SELECT event_id, date FROM events WHERE {where} ORDER BY date DESC NULLS LAST, event_id LIMIT ? OFFSET ?",
        [*params, per_page, offset]).fetchall()


def _event_rows(con, keys: list[tuple]) -> list[dict]:
    """The rows of the events `keys` (event_id, date) names, in that order, with their code's CAMEO name.

    By their key (index look-ups): reading every column of rows scattered over the table costs 14-27 ms
    over 10^6 events, 50 look-ups 7 ms. The date comes from the page's own query and the name from the
    ontology: the date column is run-length encoded, and fetching it row by row, and joining the names
    table, cost 6 ms of 15 more (benchmarks/output/bigstore.duckdb, measured by hand)."""
    found = {row["event_id"]: row for row in dicts(con.execute(
        f"SELECT {', '.join(c for c in EVENT_COLUMNS if c != 'date')} FROM events "
        "WHERE event_id IN (SELECT unnest(?))", [[key[0] for key in keys]]))}
    rows = []
    for event_id, date in keys:
        row = found[event_id]
        row["date"], row["code_name"] = date, _cameo_name(row["code"])
        rows.append({c: row[c] for c in (*EVENT_COLUMNS, "code_name")})
    return rows


def _cameo_name(code: str | None) -> str | None:
    entry = cameo_table().get(code or "")
    return entry.name if entry else None


def events(con, flt: EventFilter, page: int = 1, per_page: int = 50, after: str | None = None,
           sort: str | None = None, before: str | None = None) -> dict:
    """One page of events in `sort`'s order (default: newest first), with the total that match, and the
    keyset tokens `next` and `previous` of the pages on either side (`after=` / `before=`: no OFFSET, so a
    deep page costs what the first one does; `page` then only labels it)."""
    order = Sort.parse(sort)
    where, params = flt.where()
    per_page, offset = page_window(page, per_page)
    if order.column == "date" and order.descending and not before:
        total, keys = _newest_first_ids(con, flt, where, params, offset, per_page, after)
    else:
        total = _total(con, flt, where, params)
        order_by = order.order_by
        if after or before:
            condition, condition_params = keyset_condition(order, after or before, backwards=bool(before))
            where, params, offset = f"{where} AND {condition}", [*params, *condition_params], 0
        if before:  # the rows just before the token: the reversed order's first, turned back
            order_by = (f"{order.column} {'ASC' if order.descending else 'DESC'} NULLS FIRST, event_id DESC")
        keys = con.execute(f"SELECT event_id, date FROM events WHERE {where} ORDER BY {order_by} LIMIT ? OFFSET ?",
                           [*params, per_page, offset]).fetchall()
        if before:
            keys.reverse()
    rows = _event_rows(con, keys)
    more_after = len(rows) == per_page if not before else bool(rows)
    more_before = bool(rows) and (len(rows) == per_page if before else bool(after) or offset > 0)
    return {"total": total, "page": max(1, int(page)), "per_page": per_page, "sort": order.name, "events": rows,
            "next": _token(order, rows[-1]) if more_after else None,
            "previous": _token(order, rows[0]) if more_before else None}


def event(con, event_id: str) -> dict | None:
    """One event: its columns, its full record and the CAMEO name of its code."""
    rows = dicts(con.execute(f"SELECT {', '.join(EVENT_COLUMNS)}, record FROM events WHERE event_id = ?", [event_id]))
    if not rows:
        return None
    row = rows[0]
    row["record"] = json.loads(row["record"]) if row["record"] else None
    row["code_name"] = _cameo_name(row["code"])
    return row


def series(con, source: str, target: str, period: str = "month", *, both_ways: bool = False,
           since: dt.date | None = None, until: dt.date | None = None) -> dict:
    """`dyad.corpus.queries.dyad_series` with what was asked, for the API and the timeline page."""
    points = dyad_series(con, source, target, period, both_ways, since, until).dicts()
    return {"source": source.upper(), "target": target.upper(), "period": period, "both_ways": both_ways,
            "points": points}


# what the article view lists of each table, in its order: (table, fields ("name" or "name := expression"), order)
ARTICLE_PARTS = (
    ("sentences", ("sentence_index", "start_char", "end_char"), "sentence_index"),
    ("actors", ("sentence_index", "start_char", "end_char", "text", "code", "country", "evidence"), "start_char"),
    ("quotes", ("sentence_index", "start_char", "end_char", "text", "speaker", "speaker_name", "speaker_code", "cue"),
     "start_char"),
    ("places", ("sentence_index", "start_char", "end_char", "name", "kind", "country_iso3", "latitude", "longitude",
                "feature"), "start_char"),
    ("events", (*EVENT_COLUMNS, "spans := json_extract(record, '$.provenance.spans')"), "sentence_index, event_id"),
)


def article(con, article_id: str) -> dict | None:
    """An article with everything found in it: sentences, actors, quotes, places and events, each part
    an index look-up by article id (seven plain statements: 9 ms on 10^6 events, where one statement
    building the parts as lists of structs took 29 ms)."""
    rows = dicts(con.execute(
        "SELECT id, url, source, title, date, dateline, language, status, reason, text, warnings, "
        "(SELECT story_id FROM stories WHERE article_id = $1) AS story_id FROM articles WHERE id = $1",
        [article_id]))
    if not rows:
        return None
    out = rows[0]
    out["warnings"] = out["warnings"] or []  # NULL: stored before schema version 3, none recorded
    for table, cols, order in ARTICLE_PARTS:
        items = ", ".join(f"{c.split(' := ')[1]} AS {c.split(' := ')[0]}" if ":=" in c else c for c in cols)
        out[table] = dicts(con.execute(f"SELECT {items} FROM {table} WHERE article_id = ? ORDER BY {order}",
                                        [article_id]))
    for e in out["events"]:
        e["spans"] = json.loads(e["spans"]) if e["spans"] else {}
    return out


# the map's aggregate, with the filters it has columns for (as COUNTED_BY)
MAPPED_BY = (("agg_place_days", frozenset({"root", "quad_class", "since", "until"})),)


def locations(con, flt: EventFilter, limit: int = MAX_LOCATIONS) -> list[dict]:
    """Event locations with their counts (the map's points): from the store's aggregate when the filter
    is by dates, root code or QuadClass only, else from the events."""
    where, params = flt.where()
    table = answering(flt, MAPPED_BY)
    if table is not None:
        sql = f"""SELECT location_name, location_country, latitude, longitude, sum(events) AS events,
                         {GOLDSTEIN_MEAN} AS goldstein
                  FROM {table} WHERE {where} GROUP BY 1, 2, 3, 4"""
    else:
        sql = f"""SELECT location_name, location_country, round(latitude, 3) AS latitude,
                         round(longitude, 3) AS longitude, count(*) AS events, round(avg(goldstein), 2) AS goldstein
                  FROM events WHERE {where} AND latitude IS NOT NULL AND longitude IS NOT NULL GROUP BY 1, 2, 3, 4"""
    return dicts(con.execute(f"{sql} ORDER BY events DESC, 1, 2, 3, 4 LIMIT ?", [*params, limit]))


def country_counts(con, flt: EventFilter) -> dict[str, int]:
    """Events per country of their location (the map's shading), from the map's aggregate when it can answer."""
    where, params = flt.where()
    table = answering(flt, MAPPED_BY)
    sql = (f"SELECT location_country, sum(events) FROM {table}" if table
           else "SELECT location_country, count(*) FROM events")
    return dict(con.execute(f"{sql} WHERE {where} AND location_country IS NOT NULL GROUP BY 1", params).fetchall())


def root_codes(con) -> list[dict]:
    """The CAMEO root codes (two digits) with their names, for filter menus."""
    return dicts(con.execute("SELECT code, name FROM cameo_codes WHERE length(code) = 2 ORDER BY code"))


def overview(con) -> dict:
    counts = con.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM events), "
        "(SELECT min(date) FROM events), (SELECT max(date) FROM events)").fetchone()
    return {"articles": counts[0], "events": counts[1], "first_date": counts[2], "last_date": counts[3]}
