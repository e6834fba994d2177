"""The five common questions of an event store, answered once for every surface (`dyad query`, the API).

Each function takes a DuckDB connection and plain arguments and returns an `Answer`: column names and
rows. Actor arguments match codes by prefix ("fra" matches "FRAGOV"), as CAMEO codes nest; they are
matched case-insensitively and as data, never as patterns (`starts_with`, not LIKE: `%` and `_` match
themselves). Values reach DuckDB only as bound parameters; the one identifier in the SQL, the period
unit, comes from `PERIODS`. The counts come from the store's aggregates (`dyad.corpus.aggregates`), which
every write keeps current: a few thousand rows read where the events table has millions.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # the CLI imports this module to build its options: no DuckDB at import
    import duckdb

__all__ = ["LIKE", "LIMIT", "PERIODS", "ROLES", "Answer", "actor_series", "code_prefix", "dyad_series", "escape_like",
           "partners", "root_counts", "starts", "top_dyads", "volume"]

PERIODS = ("day", "week", "month", "year")
ROLES = ("either", "source", "target")  # an actor's events: as source or target, as source only, as target only
LIMIT = 20  # rows of a ranked answer (top dyads, partners) unless asked: set by hand, one screen
LIKE = "LIKE ? ESCAPE '\\'"  # the one way a filter value becomes a pattern: with escape_like, as data
# the mean Goldstein of a group of aggregate rows (`dyad.corpus.aggregates`), as avg(goldstein) over its events
GOLDSTEIN_MEAN = "round(CAST(sum(goldstein_sum) AS DOUBLE) / nullif(sum(goldstein_n), 0), 2)"
# QuadClass 1-4 by their names in agg_dyad_days and the answers
QUAD_NAMES = ("verbal_coop", "material_coop", "verbal_conflict", "material_conflict")


class Answer(NamedTuple):
    """Column names and rows, in order (a table for the CLI; `dicts()` for JSON)."""

    columns: list[str]
    rows: list[tuple]

    def dicts(self) -> list[dict]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def escape_like(text: str) -> str:
    """`text` as a LIKE pattern that matches only itself (use with `LIKE`, whose escape is a backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def starts(column: str) -> str:
    """SQL true where `column` starts with the bound parameter, a `code_prefix`: a literal prefix, three
    times faster than a LIKE pattern on 100,000 events (measured by hand on the store of benchmarks/serve.py)."""
    return f"starts_with({column}, ?)"


def code_prefix(code: str) -> str:
    """The prefix parameter of `starts` for an actor or event code in any case (codes are stored upper case)."""
    return code.strip().upper()


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> Answer:
    relation = con.execute(sql, params)
    return Answer([d[0] for d in relation.description], relation.fetchall())


def _unit(period: str) -> str:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    return period


def dyad_series(con, source: str, target: str, period: str = "month", both_ways: bool = False,
                since: dt.date | None = None, until: dt.date | None = None) -> Answer:
    """Events from `source` to `target` per period: count, mean Goldstein, the QuadClass split, and the
    articles published that period (all of them: the denominator), with events per 100 of them."""
    unit = _unit(period)
    direction = f"({starts('source_code')} AND {starts('target_code')})"
    params: list = [code_prefix(source), code_prefix(target)]
    if both_ways:
        direction = f"({direction} OR ({starts('source_code')} AND {starts('target_code')}))"
        params += [code_prefix(target), code_prefix(source)]
    if since:
        direction += " AND date >= ?"
        params.append(since)
    if until:
        direction += " AND date <= ?"
        params.append(until)
    return _run(con, _with_volume(unit, f"""
        SELECT CAST(date_trunc('{unit}', date) AS DATE) AS period, sum(events) AS events,
               {GOLDSTEIN_MEAN} AS goldstein,
               sum(verbal_coop) AS verbal_coop, sum(material_coop) AS material_coop,
               sum(verbal_conflict) AS verbal_conflict, sum(material_conflict) AS material_conflict
        FROM agg_dyad_days WHERE date IS NOT NULL AND {direction} GROUP BY 1"""), params)


def _with_volume(unit: str, counts: str) -> str:
    """`counts` (one row per `period`, with `events`) and each period's articles, all of them (the
    denominator), with events per 100 of them: the SQL of a series."""
    return f"""
        WITH e AS ({counts}),
        v AS (
            SELECT CAST(date_trunc('{unit}', date) AS DATE) AS period, sum(articles) AS articles
            FROM agg_article_days WHERE date IS NOT NULL GROUP BY 1)
        SELECT e.*, coalesce(v.articles, 0) AS articles,
               round(100 * e.events / nullif(v.articles, 0), 3) AS per_100_articles
        FROM e LEFT JOIN v USING (period) ORDER BY e.period"""


def actor_series(con, actor: str | None = None, period: str = "month", role: str = "either", *,
                 country: str | None = None, since: dt.date | None = None, until: dt.date | None = None) -> Answer:
    """An actor's (code prefix) or a country's (ISO alpha-3, either actor's country) events per period:
    count, the QuadClass split, mean Goldstein, and the period's articles with events per 100 of them.

    `role`: the actor or country as source or target (an event on both sides counts once), as source
    only, or as target only. An actor is answered from agg_dyad_days; a country from the events, since
    an actor's country is not always its code's first letters (organisations) and the aggregates keep codes."""
    unit = _unit(period)
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if (actor is None) == (country is None):
        raise ValueError("an actor code prefix or a country, one of them")
    if actor is not None:
        table, mean = "agg_dyad_days", GOLDSTEIN_MEAN
        sides = {"source": starts("source_code"), "target": starts("target_code")}
        value = code_prefix(actor)
        counts = "sum(events), " + ", ".join(f"sum({name})" for name in QUAD_NAMES)
    else:
        table, mean = "events", "round(avg(goldstein), 2)"
        sides = {"source": "source_country = ?", "target": "target_country = ?"}
        value = country.strip().upper()
        counts = "count(*), " + ", ".join(f"count(*) FILTER (quad_class = {q})" for q in range(1, 5))
    chosen = list(sides) if role == "either" else [role]
    where, params = f"({' OR '.join(sides[side] for side in chosen)})", [value] * len(chosen)
    if since:
        where, params = f"{where} AND date >= ?", [*params, since]
    if until:
        where, params = f"{where} AND date <= ?", [*params, until]
    names = ", ".join(("period", "events", *QUAD_NAMES, "goldstein"))
    return _run(con, _with_volume(unit, f"""
        SELECT * FROM (SELECT CAST(date_trunc('{unit}', date) AS DATE), {counts}, {mean}
                       FROM {table} WHERE date IS NOT NULL AND {where} GROUP BY 1) AS counts({names})"""), params)


def top_dyads(con, limit: int = LIMIT) -> Answer:
    """The most frequent source-target pairs, with the articles they come from and mean Goldstein."""
    return _run(con, f"""
        SELECT source_code, target_code, events, articles, {GOLDSTEIN_MEAN} AS goldstein
        FROM agg_dyads WHERE target_code IS NOT NULL GROUP BY ALL ORDER BY events DESC, 1, 2 LIMIT ?""", [limit])


def root_counts(con, period: str = "month") -> Answer:
    """Events per CAMEO root code per period."""
    unit = _unit(period)
    return _run(con, f"""
        SELECT CAST(date_trunc('{unit}', date) AS DATE) AS period, root_code, sum(events) AS events
        FROM agg_root_days WHERE date IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2""", [])


def partners(con, actor: str, limit: int = LIMIT) -> Answer:
    """The actors `actor` deals with most, either way: `as_target` counts the events `actor` did to the
    partner, `as_source` those the partner did to `actor` (an event within `actor`'s codes counts in both)."""
    pattern = code_prefix(actor)
    return _run(con, f"""
        SELECT CASE WHEN {starts('source_code')} THEN target_code ELSE source_code END AS partner,
               coalesce(sum(events) FILTER ({starts('source_code')}), 0) AS as_target,
               coalesce(sum(events) FILTER ({starts('target_code')}), 0) AS as_source,
               sum(events) AS events, {GOLDSTEIN_MEAN} AS goldstein
        FROM agg_dyads WHERE ({starts('source_code')} OR {starts('target_code')}) AND target_code IS NOT NULL
        GROUP BY 1 ORDER BY events DESC, partner LIMIT ?""", [pattern] * 5 + [limit])


def volume(con, period: str = "month") -> Answer:
    """Articles per period and news source, and how many were coded: the denominator every event count needs."""
    unit = _unit(period)
    return _run(con, f"""
        SELECT CAST(date_trunc('{unit}', date) AS DATE) AS period, coalesce(source, '(unknown)') AS source,
               sum(articles) AS articles, sum(coded) AS coded
        FROM agg_article_days GROUP BY 1, 2 ORDER BY 1, 2""", [])
