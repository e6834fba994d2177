"""What the charts ask of a store: several dyads' series, the root codes and the dyad network of an event
filter, each as a list of plain dicts (a chart's data, for its template and its download alike).

As `queries.py`: filter values reach DuckDB only as bound parameters, and a filter is answered from a
pre-aggregated table (`dyad.corpus.aggregates`) when that table has a column for every filter set
(`queries.answering`), else from the events (a full scan: 50-80 ms over 10^6 events).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from dyad.corpus.queries import GOLDSTEIN_MEAN, dyad_series
from dyad.surfaces.server.queries import EventFilter, answering

__all__ = ["NETWORK_EDGES", "Dyad", "network", "root_distribution", "timelines"]

NETWORK_EDGES = 30  # the network's edges unless asked: set by hand, the most a 900-unit circle keeps legible
MAX_NETWORK_EDGES = 100  # the most that may be asked: labels on the circle overlap past it

# the aggregates that answer each chart, with the filters each has columns for (as queries.COUNTED_BY):
# agg_root_days has dates and root codes; agg_dyads (no dates) and agg_dyad_days have the actors
ROOTS_BY = (("agg_root_days", frozenset({"root", "since", "until"})),)
EDGES_BY = (("agg_dyads", frozenset({"actor", "source", "target", "other_actor"})),
            ("agg_dyad_days", frozenset({"actor", "source", "target", "since", "until", "other_actor"})))


class Dyad(NamedTuple):
    """One line of the timeline: events from `source` to `target` (code prefixes), and back if `both_ways`."""

    source: str
    target: str
    both_ways: bool = False

    @property
    def label(self) -> str:
        return f"{self.source} {'↔' if self.both_ways else '→'} {self.target}"


def timelines(con, dyads: list[Dyad], period: str = "month", since: dt.date | None = None,
              until: dt.date | None = None) -> list[dict]:
    """Every dyad's series (`dyad_series`), one row per dyad and period, the dyad named in each row
    (long form: one table for any number of dyads, as a CSV wants it)."""
    rows = []
    for dyad in dyads:
        for point in dyad_series(con, dyad.source, dyad.target, period, dyad.both_ways, since, until).dicts():
            rows.append({"dyad": dyad.label, "source": dyad.source, "target": dyad.target,
                         "both_ways": dyad.both_ways, **point})
    return rows


def root_distribution(con, flt: EventFilter) -> list[dict]:
    """The events of the filter per CAMEO root code, every root 01-20 listed (zero where none), with
    its name and its share of the filter's events."""
    where, params = flt.where()
    table = answering(flt, ROOTS_BY)
    counted = (f"SELECT root_code, sum(events) AS events FROM {table} WHERE {where} GROUP BY 1" if table else
               f"SELECT root_code, count(*) AS events FROM events WHERE {where} GROUP BY 1")
    rows = con.execute(f"""
        WITH n AS ({counted})
        SELECT c.code AS root_code, c.name, coalesce(n.events, 0) AS events
        FROM cameo_codes c LEFT JOIN n ON n.root_code = c.code WHERE length(c.code) = 2 ORDER BY c.code""",
                       params).fetchall()
    total = sum(events for _, _, events in rows)
    return [{"root_code": code, "name": name, "events": int(events),
             "share": round(events / total, 4) if total else 0.0} for code, name, events in rows]


def network(con, flt: EventFilter, limit: int = NETWORK_EDGES) -> list[dict]:
    """The filter's `limit` most frequent source -> target pairs (events with a target), with their mean
    Goldstein: the network's edges, heaviest first."""
    where, params = flt.where()
    table = answering(flt, EDGES_BY)
    measures = (f"sum(events) AS events, {GOLDSTEIN_MEAN} AS goldstein" if table else
                "count(*) AS events, round(avg(goldstein), 2) AS goldstein")
    relation = con.execute(f"""
        SELECT source_code, target_code, {measures} FROM {table or 'events'}
        WHERE {where} AND target_code IS NOT NULL GROUP BY 1, 2 ORDER BY events DESC, 1, 2 LIMIT ?""",
                           [*params, min(max(1, int(limit)), MAX_NETWORK_EDGES)])
    names = [d[0] for d in relation.description]
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]
