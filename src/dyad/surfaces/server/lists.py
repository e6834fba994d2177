"""The explorer's lists beside the events: actor codes, quotations, resolved places and stories, one
page at a time (the actors and places from the store's aggregates, `dyad.corpus.aggregates`).

As in `queries.py`: plain dicts out, filter values only as bound parameters.
"""

from __future__ import annotations

from dyad.corpus.queries import LIKE, code_prefix, escape_like, starts
from dyad.surfaces.server.queries import dicts, page_window

__all__ = ["actors", "places", "quotes", "stories"]


def actors(con, q: str | None = None, page: int = 1, per_page: int = 50) -> dict:
    """Actor codes with their mentions and the events they take part in, most mentioned first (from the
    store's aggregates: `dyad.corpus.aggregates`)."""
    per_page, offset = page_window(page, per_page)
    where, params = "TRUE", []
    if q:
        where = f"({starts('code')} OR code IN (SELECT code FROM agg_actor_texts WHERE text I{LIKE}))"
        params += [code_prefix(q), "%" + escape_like(q) + "%"]
    rows = dicts(con.execute(f"""
        WITH a AS (SELECT code, any_value(country) AS country, sum(mentions) AS mentions, sum(articles) AS articles
                   FROM agg_actor_codes WHERE {where} GROUP BY code ORDER BY mentions DESC, code LIMIT ? OFFSET ?)
        SELECT a.*, (SELECT first(text ORDER BY mentions DESC, text) FROM agg_actor_texts t
                     WHERE t.code = a.code) AS example,
               (SELECT coalesce(sum(events), 0) FROM agg_dyads WHERE source_code = a.code) AS as_source,
               (SELECT coalesce(sum(events), 0) FROM agg_dyads WHERE target_code = a.code) AS as_target
        FROM a ORDER BY mentions DESC, code""", [*params, per_page, offset]))
    total = con.execute(f"SELECT count(DISTINCT code) FROM agg_actor_codes WHERE {where}", params).fetchone()[0]
    return {"total": total, "page": max(1, int(page)), "per_page": per_page, "actors": rows}


def quotes(con, speaker: str | None = None, q: str | None = None, article_id: str | None = None,
           page: int = 1, per_page: int = 50) -> dict:
    per_page, offset = page_window(page, per_page)
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
    rows = dicts(con.execute(
        "SELECT article_id, sentence_index, start_char, end_char, text, speaker, speaker_name, speaker_code, cue "
        f"FROM quotes WHERE {where} ORDER BY article_id, start_char LIMIT ? OFFSET ?",
        [*params, per_page, offset]))
    return {"total": total, "page": max(1, int(page)), "per_page": per_page, "quotes": rows}


def places(con, country: str | None = None, page: int = 1, per_page: int = 50) -> dict:
    """Resolved places with their mentions and the articles they are in (from the store's aggregates)."""
    per_page, offset = page_window(page, per_page)
    where, params = "TRUE", []
    if country:
        where, params = "country_iso3 = ?", [country.upper()]
    rows = dicts(con.execute(f"""
        SELECT name, any_value(kind) AS kind, country_iso3, any_value(feature) AS feature,
               any_value(latitude) AS latitude, any_value(longitude) AS longitude, geonames_id,
               sum(mentions) AS mentions, sum(articles) AS articles
        FROM agg_places WHERE {where} GROUP BY name, country_iso3, geonames_id
        ORDER BY mentions DESC, name LIMIT ? OFFSET ?""", [*params, per_page, offset]))
    total = con.execute(f"SELECT count(*) FROM (SELECT 1 FROM agg_places WHERE {where} "
                        "GROUP BY name, country_iso3, geonames_id)", params).fetchone()[0]
    return {"total": total, "page": max(1, int(page)), "per_page": per_page, "places": rows}


def stories(con, page: int = 1, per_page: int = 50) -> dict:
    """Stories, most articles first: the page's stories are ranked on counts, then only they are listed
    with their sources and URLs (listing every story first costs 0.26 s on 130,000 articles)."""
    per_page, offset = page_window(page, per_page)
    total = con.execute("SELECT count(DISTINCT story_id) FROM stories").fetchone()[0]
    rows = dicts(con.execute("""
        WITH ranked AS (
            SELECT s.story_id, count(*) AS articles, min(a.date) AS first_date, max(a.date) AS last_date
            FROM stories s JOIN articles a ON a.id = s.article_id GROUP BY s.story_id
            ORDER BY articles DESC, first_date DESC NULLS LAST, story_id LIMIT ? OFFSET ?)
        SELECT r.story_id, r.articles, list(DISTINCT a.source) FILTER (a.source IS NOT NULL) AS sources,
               list(DISTINCT a.url) FILTER (a.url IS NOT NULL) AS urls, r.first_date, r.last_date
        FROM ranked r JOIN stories s ON s.story_id = r.story_id JOIN articles a ON a.id = s.article_id
        GROUP BY ALL ORDER BY r.articles DESC, r.first_date DESC NULLS LAST, r.story_id""", [per_page, offset]))
    return {"total": total, "page": max(1, int(page)), "per_page": per_page, "stories": rows}
