"""The common questions asked of an event store, as parameterised SQL over its tables and views.

Each function returns (column names, rows). Actor arguments match codes by prefix ("FRA" matches
"FRAGOV"), as CAMEO codes nest.
"""

from __future__ import annotations

import duckdb

PERIODS = {"day": "day", "week": "week", "month": "month", "year": "year"}
Table = tuple[list[str], list[tuple]]


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> Table:
    relation = con.execute(sql, params)
    return [d[0] for d in relation.description], relation.fetchall()


def dyad_series(con, source: str, target: str, period: str = "month", both_ways: bool = False) -> Table:
    """Events from `source` to `target` per period: counts, mean Goldstein, QuadClass split."""
    unit = PERIODS[period]
    direction = "(source_code LIKE ? AND target_code LIKE ?)"
    params = [source + "%", target + "%"]
    if both_ways:
        direction = f"({direction} OR (source_code LIKE ? AND target_code LIKE ?))"
        params += [target + "%", source + "%"]
    return _run(con, f"""
        SELECT CAST(date_trunc('{unit}', date) AS DATE) AS {unit}, count(*) AS events,
               round(avg(goldstein), 2) AS goldstein,
               count(*) FILTER (quad_class = 1) AS verbal_coop, count(*) FILTER (quad_class = 2) AS material_coop,
               count(*) FILTER (quad_class = 3) AS verbal_conflict,
               count(*) FILTER (quad_class = 4) AS material_conflict
        FROM events WHERE date IS NOT NULL AND {direction} GROUP BY 1 ORDER BY 1""", params)


def top_dyads(con, limit: int = 20) -> Table:
    return _run(con, """
        SELECT source_code, target_code, count(*) AS events, count(DISTINCT article_id) AS articles,
               round(avg(goldstein), 2) AS goldstein
        FROM events WHERE target_code IS NOT NULL GROUP BY 1, 2 ORDER BY events DESC, 1, 2 LIMIT ?""", [limit])


def root_counts(con, period: str = "month") -> Table:
    unit = PERIODS[period]
    return _run(con, f"""
        SELECT CAST(date_trunc('{unit}', date) AS DATE) AS {unit}, root_code, count(*) AS events
        FROM events WHERE date IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2""", [])


def partners(con, actor: str, limit: int = 20) -> Table:
    return _run(con, """
        SELECT CASE WHEN source_code LIKE ? THEN target_code ELSE source_code END AS partner,
               count(*) FILTER (source_code LIKE ?) AS as_target, count(*) FILTER (target_code LIKE ?) AS as_source,
               count(*) AS events, round(avg(goldstein), 2) AS goldstein
        FROM events WHERE (source_code LIKE ? OR target_code LIKE ?) AND target_code IS NOT NULL
        GROUP BY 1 ORDER BY events DESC LIMIT ?""", [actor + "%"] * 5 + [limit])


def volume(con, period: str = "day") -> Table:
    """Articles per period and news source: the denominator every event count needs."""
    unit = PERIODS[period]
    return _run(con, f"""
        SELECT CAST(date_trunc('{unit}', date) AS DATE) AS {unit}, coalesce(source, '(unknown)') AS source,
               count(*) AS articles, count(*) FILTER (status = 'coded') AS coded
        FROM articles GROUP BY 1, 2 ORDER BY 1, 2""", [])
