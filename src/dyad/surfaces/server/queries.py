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

from dyad.corpus.queries import LIKE, code_prefix, dyad_series, escape_like, starts

__all__ = ["EVENT_COLUMNS", "MAX_PAGE_SIZE", "EventFilter", "actors", "article", "event", "events", "failed_pages",
           "locations", "overview", "places", "quotes", "root_codes", "series", "sources", "stories"]

MAX_PAGE_SIZE = 200  # rows per page or list at most: set by hand; measured with benchmarks/serve.py (p99 <= 300 ms)
MAX_SOURCES = 10_000  # sources listed at most: far past any watch list, a bound on the page
MAX_LOCATIONS = 2000  # the map's points at most: set by hand; the map stays legible and fast to draw
EVENT_COLUMNS = ("event_id", "article_id", "sentence_index", "sentence", "date", "date_method", "source_text",
                 "source_code", "source_country", "target_text", "target_code", "target_country", "code",
                 "root_code", "quad_class", "goldstein", "confidence", "plover_event", "location_name",
                 "location_country", "latitude", "longitude", "rule")


@dataclass
class EventFilter:
    """The event filters the API and the explorer share; empty values filter nothing.

    Actor codes match by prefix ("FRA" matches "FRAGOV"), as CAMEO actor codes nest; so does `code`
    ("19" matches "190" and "193"). `country` is an ISO alpha-3 code matched against either actor's
    country and the event's location; `q` is a case-insensitive substring of the sentence.
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
        return " AND ".join(clauses), params

    def as_params(self) -> dict[str, str]:
        """The filters as query-string parameters (for links that keep them)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and value != "":
                out[f.name] = value.isoformat() if isinstance(value, dt.date) else str(value)
        return out


def _dicts(relation) -> list[dict]:
    names = [d[0] for d in relation.description]
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def _page(page: int, per_page: int) -> tuple[int, int]:
    per_page = max(1, min(int(per_page), MAX_PAGE_SIZE))
    return per_page, (max(1, int(page)) - 1) * per_page


def events(con, flt: EventFilter, page: int = 1, per_page: int = 50) -> dict:
    """One page of events, newest first, with the total that match."""
    where, params = flt.where()
    per_page, offset = _page(page, per_page)
    total = con.execute(f"SELECT count(*) FROM events WHERE {where}", params).fetchone()[0]
    rows = _dicts(con.execute(
        f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE {where} "
        "ORDER BY date DESC NULLS LAST, event_id LIMIT ? OFFSET ?", [*params, per_page, offset]))
    return {"total": total, "page": max(1, int(page)), "per_page": per_page, "events": rows}


def event(con, event_id: str) -> dict | None:
    """One event: its columns, its full record and the CAMEO name of its code."""
    rows = _dicts(con.execute(
        f"SELECT {', '.join('e.' + c for c in EVENT_COLUMNS)}, e.record, c.name AS code_name "
        "FROM events e LEFT JOIN cameo_codes c ON c.code = e.code WHERE e.event_id = ?", [event_id]))
    if not rows:
        return None
    row = rows[0]
    row["record"] = json.loads(row["record"]) if row["record"] else None
    return row


def series(con, source: str, target: str, period: str = "month", *, both_ways: bool = False,
           since: dt.date | None = None, until: dt.date | None = None) -> dict:
    """`dyad.corpus.queries.dyad_series` with what was asked, for the API and the timeline page."""
    points = dyad_series(con, source, target, period, both_ways, since, until).dicts()
    return {"source": source.upper(), "target": target.upper(), "period": period, "both_ways": both_ways,
            "points": points}


def actors(con, q: str | None = None, page: int = 1, per_page: int = 50) -> dict:
    """Actor codes with their mentions and the events they take part in, most mentioned first."""
    per_page, offset = _page(page, per_page)
    where, params = "code IS NOT NULL", []
    if q:
        where += f" AND ({starts('code')} OR text I{LIKE})"
        params += [code_prefix(q), "%" + escape_like(q) + "%"]
    rows = _dicts(con.execute(f"""
        WITH a AS (SELECT code, any_value(country) AS country, count(*) AS mentions,
                          count(DISTINCT article_id) AS articles, mode(text) AS example
                   FROM actors WHERE {where} GROUP BY code)
        SELECT a.*, (SELECT count(*) FROM events WHERE source_code = a.code) AS as_source,
               (SELECT count(*) FROM events WHERE target_code = a.code) AS as_target
        FROM a ORDER BY mentions DESC, code LIMIT ? OFFSET ?""", [*params, per_page, offset]))
    total = con.execute(f"SELECT count(DISTINCT code) FROM actors WHERE {where}", params).fetchone()[0]
    return {"total": total, "page": max(1, int(page)), "per_page": per_page, "actors": rows}


def quotes(con, speaker: str | None = None, q: str | None = None, article_id: str | None = None,
           page: int = 1, per_page: int = 50) -> dict:
    per_page, offset = _page(page, per_page)
    clauses, params = ["TRUE"], []
    if speaker:
        clauses.append(f"({starts('speaker_code')} OR speaker_name I{LIKE} OR speaker I{LIKE})")
        params += [code_prefix(speaker)] + ["%" + escape_like(speaker) + "%"] * 2
    if q:
        clauses.append(f"text I{LIKE}")
        params.append("%" + escape_like(q) + "%")
    if article_id:
        clauses.append("article_id = ?")
        params.append(article_id)
    where = " AND ".join(clauses)
    total = con.execute(f"SELECT count(*) FROM quotes WHERE {where}", params).fetchone()[0]
    rows = _dicts(con.execute(
        "SELECT article_id, sentence_index, start_char, end_char, text, speaker, speaker_name, speaker_code, cue "
        f"FROM quotes WHERE {where} ORDER BY article_id, start_char LIMIT ? OFFSET ?",
        [*params, per_page, offset]))
    return {"total": total, "page": max(1, int(page)), "per_page": per_page, "quotes": rows}


def places(con, country: str | None = None, page: int = 1, per_page: int = 50) -> dict:
    """Resolved places with their mentions and the events located there."""
    per_page, offset = _page(page, per_page)
    where, params = "TRUE", []
    if country:
        where, params = "country_iso3 = ?", [country.upper()]
    rows = _dicts(con.execute(f"""
        SELECT name, any_value(kind) AS kind, country_iso3, any_value(feature) AS feature,
               any_value(latitude) AS latitude, any_value(longitude) AS longitude, geonames_id,
               count(*) AS mentions, count(DISTINCT article_id) AS articles
        FROM places WHERE {where} GROUP BY name, country_iso3, geonames_id
        ORDER BY mentions DESC, name LIMIT ? OFFSET ?""", [*params, per_page, offset]))
    total = con.execute(f"SELECT count(*) FROM (SELECT 1 FROM places WHERE {where} "
                        "GROUP BY name, country_iso3, geonames_id)", params).fetchone()[0]
    return {"total": total, "page": max(1, int(page)), "per_page": per_page, "places": rows}


def stories(con, page: int = 1, per_page: int = 50) -> dict:
    per_page, offset = _page(page, per_page)
    total = con.execute("SELECT count(*) FROM story_summary").fetchone()[0]
    rows = _dicts(con.execute(
        "SELECT story_id, articles, sources, urls, first_date, last_date FROM story_summary "
        "ORDER BY articles DESC, first_date DESC NULLS LAST, story_id LIMIT ? OFFSET ?", [per_page, offset]))
    return {"total": total, "page": max(1, int(page)), "per_page": per_page, "stories": rows}


def article(con, article_id: str) -> dict | None:
    """An article with everything found in it: sentences, actors, quotes, places and events."""
    rows = _dicts(con.execute(
        "SELECT id, url, source, title, date, dateline, language, status, reason, text, warnings FROM articles "
        "WHERE id = ?", [article_id]))
    if not rows:
        return None
    out = rows[0]
    out["warnings"] = out["warnings"] or []  # NULL: stored before schema version 3, none recorded
    out["sentences"] = _dicts(con.execute(
        "SELECT sentence_index, start_char, end_char FROM sentences WHERE article_id = ? ORDER BY sentence_index",
        [article_id]))
    out["actors"] = _dicts(con.execute(
        "SELECT sentence_index, start_char, end_char, text, code, country, evidence FROM actors "
        "WHERE article_id = ? ORDER BY start_char", [article_id]))
    out["quotes"] = _dicts(con.execute(
        "SELECT sentence_index, start_char, end_char, text, speaker, speaker_name, speaker_code, cue FROM quotes "
        "WHERE article_id = ? ORDER BY start_char", [article_id]))
    out["places"] = _dicts(con.execute(
        "SELECT sentence_index, start_char, end_char, name, kind, country_iso3, latitude, longitude, feature "
        "FROM places WHERE article_id = ? ORDER BY start_char", [article_id]))
    out["events"] = _dicts(con.execute(
        f"SELECT {', '.join(EVENT_COLUMNS)}, json_extract(record, '$.provenance.spans') AS spans FROM events "
        "WHERE article_id = ? ORDER BY sentence_index, event_id", [article_id]))
    for e in out["events"]:
        e["spans"] = json.loads(e["spans"]) if e["spans"] else {}
    story = con.execute("SELECT story_id FROM stories WHERE article_id = ?", [article_id]).fetchone()
    out["story_id"] = story[0] if story else None
    return out


def locations(con, flt: EventFilter, limit: int = MAX_LOCATIONS) -> list[dict]:
    """Event locations with their counts (the map's points)."""
    where, params = flt.where()
    return _dicts(con.execute(f"""
        SELECT location_name, location_country, round(latitude, 3) AS latitude, round(longitude, 3) AS longitude,
               count(*) AS events, round(avg(goldstein), 2) AS goldstein
        FROM events WHERE {where} AND latitude IS NOT NULL AND longitude IS NOT NULL
        GROUP BY 1, 2, 3, 4 ORDER BY events DESC LIMIT ?""", [*params, limit]))


def root_codes(con) -> list[dict]:
    """The CAMEO root codes (two digits) with their names, for filter menus."""
    return _dicts(con.execute("SELECT code, name FROM cameo_codes WHERE length(code) = 2 ORDER BY code"))


def overview(con) -> dict:
    counts = con.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM events), "
        "(SELECT min(date) FROM events), (SELECT max(date) FROM events)").fetchone()
    return {"articles": counts[0], "events": counts[1], "first_date": counts[2], "last_date": counts[3]}


def sources(con, limit: int = MAX_SOURCES) -> dict:
    """The sources `dyad watch` follows with their health, failing ones first, and its pages by status."""
    rows = _dicts(con.execute("""
        SELECT url, kind, site, label, language, interval_seconds, added_at, last_poll, next_poll, last_success,
               last_error, last_error_at, coalesce(consecutive_failures, 0) AS consecutive_failures,
               coalesce(items_seen, 0) AS items_seen, coalesce(articles_stored, 0) AS articles_stored,
               CASE WHEN consecutive_failures > 0 THEN 'failing' WHEN last_poll IS NULL THEN 'not polled yet'
                    ELSE 'ok' END AS health
        FROM sources ORDER BY coalesce(consecutive_failures, 0) > 0 DESC, lower(coalesce(label, site, url)), url
        LIMIT ?""", [limit]))
    pages = dict(con.execute("SELECT coalesce(status, 'unknown'), count(*) FROM pages GROUP BY 1 ORDER BY 1"
                             ).fetchall())
    return {"total": con.execute("SELECT count(*) FROM sources").fetchone()[0], "sources": rows,
            "pages_by_status": pages}


def failed_pages(con, page: int = 1, per_page: int = 50) -> dict:
    """One page of the URLs `dyad watch` failed to fetch or read, newest first, with why and when."""
    per_page, offset = _page(page, per_page)
    total = con.execute("SELECT count(*) FROM pages WHERE status = ?", ["failed"]).fetchone()[0]
    rows = _dicts(con.execute("""
        SELECT p.url, p.kind, p.source, coalesce(s.label, s.site) AS source_label, p.http_status, p.reason,
               coalesce(p.fetched_at, p.first_seen) AS failed_at
        FROM pages p LEFT JOIN sources s ON s.url = p.source WHERE p.status = ?
        ORDER BY failed_at DESC NULLS LAST, p.url LIMIT ? OFFSET ?""", ["failed", per_page, offset]))
    return {"total": total, "page": max(1, int(page)), "per_page": per_page, "failed": rows}
