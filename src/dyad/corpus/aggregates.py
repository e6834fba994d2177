"""Pre-aggregated tables: the counts the explorer, the API and `dyad query` ask for, kept current by every write.

On a store of 10^6 events a question answered from `events` scans the table (top dyads 55 ms, the map
65 ms, the actors list 0.8 s, measured with benchmarks/bigstore.py's store); answered from these tables
it reads a few thousand rows. Each aggregate is a GROUP BY over one store table whose every measure is
a sum over articles: `count(*)`, a sum, or `count(DISTINCT article_id)` (an article either has a key or
not, so the distinct count of a set of articles is the sum of the counts of its parts). That makes
them exact under incremental upkeep: a write subtracts what its articles contributed before and adds
what they contribute now (`apply`, inside the write's transaction), and `refresh` rebuilds them in full
(bulk loads, `recode`, the migration). Goldstein sums are DECIMAL, so adding and subtracting them
never drifts.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

__all__ = ["AGGREGATES", "STATE", "Aggregate", "apply", "create", "refresh"]

STATE = "agg_state"  # one row: the last batch (`batches`) the aggregates include
# Goldstein values have one decimal; 0, not NULL, for a group without any, so that sums add up
GOLDSTEIN_SUM = "coalesce(sum(CAST(goldstein AS DECIMAL(18, 3))), 0)"


@dataclass(frozen=True)
class Aggregate:
    """A table `name` holding `measures` per `keys` of the rows of `source` that pass `where`; `serves`
    names the questions read from it. Keys and measures are (column, DuckDB type, SQL expression); the
    first measure counts rows, and a key whose count falls to zero is deleted."""

    name: str
    source: str
    keys: tuple[tuple[str, str, str], ...]
    measures: tuple[tuple[str, str, str], ...]
    serves: str
    where: str = "TRUE"

    @property
    def article_key(self) -> str:
        return "id" if self.source == "articles" else "article_id"

    def select(self, ids: str | None = None, sign: int = 1) -> str:
        """The aggregate's rows over the whole source, or over the articles whose ids table `ids` holds,
        each measure times `sign`."""
        scope = f" AND {self.article_key} IN (SELECT id FROM {ids})" if ids else ""
        factor = "" if sign == 1 else f"{sign} * "
        items = [f"{expr} AS {col}" for col, _, expr in self.keys]
        items += [f"CAST({factor}{expr} AS {kind}) AS {col}" for col, kind, expr in self.measures]
        return (f"SELECT {', '.join(items)} FROM {self.source} WHERE ({self.where}){scope} "
                f"GROUP BY {', '.join(str(i + 1) for i in range(len(self.keys)))}")


_GOLDSTEIN = (("goldstein_sum", "DECIMAL(18, 3)", GOLDSTEIN_SUM), ("goldstein_n", "BIGINT", "count(goldstein)"))
_EVENTS = ("events", "BIGINT", "count(*)")
_ARTICLES = ("articles", "BIGINT", "count(DISTINCT article_id)")
_DYAD = (("source_code", "VARCHAR", "source_code"), ("target_code", "VARCHAR", "target_code"))
_DATE = ("date", "DATE", "date")
_PLACE = (("location_name", "VARCHAR", "location_name"), ("location_country", "VARCHAR", "location_country"),
          ("latitude", "DOUBLE", "round(latitude, 3)"), ("longitude", "DOUBLE", "round(longitude, 3)"))

AGGREGATES: tuple[Aggregate, ...] = (
    Aggregate("agg_dyads", "events", _DYAD, (_EVENTS, _ARTICLES, *_GOLDSTEIN),
              "top dyads, partners, an actor's events as source and as target"),
    Aggregate("agg_dyad_days", "events", (_DATE, *_DYAD),
              (_EVENTS, *_GOLDSTEIN, *((name, "BIGINT", f"count(*) FILTER (quad_class = {q})") for q, name in
                                       enumerate(("verbal_coop", "material_coop", "verbal_conflict",
                                                  "material_conflict"), start=1))),
              "a dyad's series (the timeline)"),
    Aggregate("agg_root_days", "events", (_DATE, ("root_code", "VARCHAR", "root_code")), (_EVENTS,),
              "events per root code per period"),
    Aggregate("agg_article_days", "articles", (_DATE, ("source", "VARCHAR", "source")),
              (("articles", "BIGINT", "count(*)"), ("coded", "BIGINT", "count(*) FILTER (status = 'coded')")),
              "volume, and the articles per period a series is normalised by"),
    Aggregate("agg_place_days", "events", (_DATE, ("root_code", "VARCHAR", "root_code"),
                                           ("quad_class", "INTEGER", "quad_class"), *_PLACE),
              (_EVENTS, *_GOLDSTEIN), "the map's points, unfiltered or by dates, root code and QuadClass",
              where="latitude IS NOT NULL AND longitude IS NOT NULL"),
    # a code's country is its code's (CAMEO codes begin with it): a key here, never two rows for one mention
    Aggregate("agg_actor_codes", "actors", (("code", "VARCHAR", "code"), ("country", "VARCHAR", "country")),
              (("mentions", "BIGINT", "count(*)"), _ARTICLES), "the actors list", where="code IS NOT NULL"),
    Aggregate("agg_actor_texts", "actors", (("code", "VARCHAR", "code"), ("text", "VARCHAR", "text")),
              (("mentions", "BIGINT", "count(*)"),), "each actor code's most frequent wording",
              where="code IS NOT NULL"),
    # kind, feature and coordinates follow from the gazetteer entry (geonames_id): keys, not measures
    Aggregate("agg_places", "places", tuple((c, t, c) for c, t in (
        ("name", "VARCHAR"), ("country_iso3", "VARCHAR"), ("geonames_id", "BIGINT"), ("kind", "VARCHAR"),
        ("feature", "VARCHAR"), ("latitude", "DOUBLE"), ("longitude", "DOUBLE"))),
              (("mentions", "BIGINT", "count(*)"), _ARTICLES), "the places list"),
)


def create(con: duckdb.DuckDBPyConnection) -> None:
    """The aggregate tables, empty, and their state (current at batch 0)."""
    for aggregate in AGGREGATES:
        columns = [f"{col} {kind}" for col, kind, _ in (*aggregate.keys, *aggregate.measures)]
        con.execute(f"CREATE TABLE {aggregate.name} ({', '.join(columns)})")
    con.execute(f"CREATE TABLE {STATE} (batch BIGINT NOT NULL)")
    con.execute(f"INSERT INTO {STATE} VALUES (0)")


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every aggregate from its source table, current at the last batch (inside the caller's
    transaction)."""
    for aggregate in AGGREGATES:
        con.execute(f"DELETE FROM {aggregate.name}")
        con.execute(f"INSERT INTO {aggregate.name} {aggregate.select()}")
    con.execute(f"UPDATE {STATE} SET batch = (SELECT coalesce(max(batch), 0) FROM batches)")


def apply(con: duckdb.DuckDBPyConnection, ids: str, sign: int) -> None:
    """Add (`sign` 1) or subtract (-1) what the articles whose ids table `ids` holds contribute to every
    aggregate, as their rows stand now: a write subtracts before it deletes and adds after it inserts."""
    for aggregate in AGGREGATES:
        name, keys, measures = aggregate.name, aggregate.keys, aggregate.measures
        on = " AND ".join(f"{name}.{col} IS NOT DISTINCT FROM delta.{col}" for col, _, _ in keys)
        first = measures[0][0]
        update = ", ".join(f"{col} = {name}.{col} + delta.{col}" for col, _, _ in measures)
        values = ", ".join(f"delta.{col}" for col, _, _ in (*keys, *measures))
        con.execute(f"""MERGE INTO {name} USING ({aggregate.select(ids, sign)}) AS delta ON ({on})
            WHEN MATCHED AND {name}.{first} + delta.{first} = 0 THEN DELETE
            WHEN MATCHED THEN UPDATE SET {update}
            WHEN NOT MATCHED THEN INSERT VALUES ({values})""")
