"""The field's exchange layouts, filled from the store: GDELT 2.0 events and mentions, Phoenix, ICEWS.

Each layout is a list of (column name, SQL expression over `aggregated_events`/`event_mentions` or
`events`) so the column order is data, visible in one place. Columns dyad has no data for are empty.
"""

from __future__ import annotations

from dyad.corpus.schema import AGGREGATE_ID, aggregated


def _utc_stamp(moment: str) -> str:
    """GDELT's YYYYMMDDHHMMSS in UTC, whatever the session's time zone."""
    return f"strftime(timezone('UTC', {moment}), '%Y%m%d%H%M%S')"


def _stored_events(events: str = "events") -> str:
    """Rows `e` of `events` with the batch `b` that first stored them (none for stores from before batches
    were kept)."""
    return f"{events} e JOIN event_batches eb ON eb.event_id = e.event_id JOIN batches b ON b.batch = eb.batch"


_STORED_EVENTS = _stored_events()
# When each aggregated event was first stored: the earliest commit of a batch that stored one of its
# mentions (GDELT's DATEADDED, the mentions' EventTimeDate). Read from `events` alone, not the views: a
# query that reads a view twice has DuckDB materialise the view's rows, all of them, for both readers.
FIRST_STORED = (f"SELECT {AGGREGATE_ID} AS aggregate_id, min(b.committed_at) AS first_stored "
                f"FROM {_STORED_EVENTS} GROUP BY 1")
# an update's [start, end): its two parameters, given once for every part of the query that reads them
_SPAN = "span AS (SELECT CAST(? AS TIMESTAMPTZ) AS since, CAST(? AS TIMESTAMPTZ) AS until)"

# GDELT 2.0 event table: 61 tab-separated columns in GDELT's order, one row per aggregated event.
# `g` is aggregated_events joined with its first mention `m` (actor names, geography, source URL).
_ACTOR = [
    ("Code", "{a}_code"), ("Name", "upper({a}_text)"), ("CountryCode", "{a}_country"),
    ("KnownGroupCode", "CASE WHEN {a}_code LIKE 'IGO%' OR {a}_code LIKE 'NGO%' OR {a}_code LIKE 'IMG%' "
                       "THEN substr({a}_code, 4, 3) END"),
    ("EthnicCode", "NULL"), ("Religion1Code", "NULL"), ("Religion2Code", "NULL"),
    ("Type1Code", "nullif(substr({a}_code, 4, 3), '')"), ("Type2Code", "nullif(substr({a}_code, 7, 3), '')"),
    ("Type3Code", "nullif(substr({a}_code, 10, 3), '')"),
]
_GEO = [
    ("Type", "CASE m.location_feature WHEN 'country' THEN 1 WHEN 'city' THEN 4 WHEN 'region' THEN 5 END"),
    ("FullName", "m.location_name"), ("CountryCode", "m.location_fips"), ("ADM1Code", "m.location_adm1"),
    ("ADM2Code", "NULL"), ("Lat", "m.latitude"), ("Long", "m.longitude"), ("FeatureID", "m.geonames_id"),
]
GDELT = [
    ("GLOBALEVENTID", "g.aggregate_id"), ("SQLDATE", "strftime(g.date, '%Y%m%d')"),
    ("MonthYear", "strftime(g.date, '%Y%m')"), ("Year", "year(g.date)"),
    ("FractionDate", "round(year(g.date) + (dayofyear(g.date) - 1) / 365.0, 4)"),
    *[(f"Actor1{name}", expr.format(a="m.source")) for name, expr in _ACTOR],
    *[(f"Actor2{name}", expr.format(a="m.target")) for name, expr in _ACTOR],
    ("IsRootEvent", "CASE WHEN m.sentence_index = 0 THEN 1 ELSE 0 END"), ("EventCode", "g.code"),
    ("EventBaseCode", "substr(g.code, 1, 3)"), ("EventRootCode", "g.root_code"), ("QuadClass", "g.quad_class"),
    ("GoldsteinScale", "g.goldstein"), ("NumMentions", "g.mentions"), ("NumSources", "g.sources"),
    ("NumArticles", "g.articles"), ("AvgTone", "NULL"),
    *[(f"Actor1Geo_{name}", expr) for name, expr in _GEO],
    *[(f"Actor2Geo_{name}", expr) for name, expr in _GEO],
    *[(f"ActionGeo_{name}", expr) for name, expr in _GEO],
    # first stored; the time of the export for events stored before batches were kept
    ("DATEADDED", f"coalesce({_utc_stamp('s.first_stored')}, {_utc_stamp('now()')})"), ("SOURCEURL", "m.url"),
]


# The actors' character spans of an event record, read in one parse of the JSON: [source start, source end,
# target start, target end]. One read, not one per use: with the record read in each CASE, DuckDB kept the
# records in memory (an update of 200,000 events ran out of 150 MB; benchmarks/updates.py).
_SPANS = "json_extract_string(record, ['$.source.start', '$.source.end', '$.target.start', '$.target.end'])"


def _char_offset(first: int) -> str:
    """Where an actor's words start in the article text, from `m.spans` at `first` (start, then end);
    empty for an actor with no words (implicit, or a coder that gives no offsets: start = end)."""
    start, end = (f"CAST(m.spans[{first + k}] AS INTEGER)" for k in (0, 1))
    return f"CASE WHEN {end} > {start} THEN {start} END"


# What the mentions layout reads of an event, the JSON record (kilobytes) reduced to its spans before the
# rows are joined and sorted.
_MENTION_ROWS = ("SELECT aggregate_id, event_id, article_id, date, code, sentence_index, confidence, news_source, url, "
                 f"{_SPANS} AS spans FROM event_mentions")

# GDELT 2.0 mentions table: 16 tab-separated columns in GDELT's order, one row per event mention (an
# `events` row), joined to the events layout by GLOBALEVENTID. `m` is the mention (`_MENTION_ROWS`), `a`
# its article's length, `mb` when the article was last written, `s` its aggregate's first storage.
GDELT_MENTIONS = [
    ("GLOBALEVENTID", "m.aggregate_id"),
    # the event date at midnight for events stored before batches were kept
    ("EventTimeDate", f"coalesce({_utc_stamp('s.first_stored')}, strftime(m.date, '%Y%m%d') || '000000')"),
    # likewise the article's publication date
    ("MentionTimeDate", f"coalesce({_utc_stamp('mb.committed_at')}, strftime(a.date, '%Y%m%d') || '000000')"),
    ("MentionType", "1"),  # 1: a web page
    ("MentionSourceName", "m.news_source"), ("MentionIdentifier", "coalesce(m.url, m.article_id)"),
    ("SentenceID", "m.sentence_index + 1"),
    ("Actor1CharOffset", _char_offset(1)), ("Actor2CharOffset", _char_offset(3)),
    ("ActionCharOffset", "NULL"),  # the record gives the verb's token span, not its characters
    ("InRawText", "1"),  # dyad codes the text as written, not a translation
    ("Confidence", "CAST(round(m.confidence * 100) AS INTEGER)"), ("MentionDocLen", "a.doc_length"),
    ("MentionDocTone", "NULL"), ("MentionDocTranslationInfo", "NULL"), ("Extras", "NULL"),
]

# Phoenix (OEDA) 26 columns, one row per event mention.
PHOENIX = [
    ("EventID", "m.event_id"), ("Date", "strftime(m.date, '%Y%m%d')"), ("Year", "year(m.date)"),
    ("Month", "month(m.date)"), ("Day", "day(m.date)"), ("SourceActorFull", "m.source_code"),
    ("SourceActorEntity", "substr(m.source_code, 1, 3)"),
    ("SourceActorRole", "nullif(substr(m.source_code, 4, 3), '')"),
    ("SourceActorAttribute", "nullif(substr(m.source_code, 7), '')"), ("TargetActorFull", "m.target_code"),
    ("TargetActorEntity", "substr(m.target_code, 1, 3)"),
    ("TargetActorRole", "nullif(substr(m.target_code, 4, 3), '')"),
    ("TargetActorAttribute", "nullif(substr(m.target_code, 7), '')"), ("EventCode", "m.code"),
    ("EventRootCode", "m.root_code"), ("PentaClass", "CASE WHEN m.root_code <= '02' THEN 0 ELSE m.quad_class END"),
    ("GoldsteinScore", "m.goldstein"), ("Issues", "NULL"), ("Lat", "m.latitude"), ("Lon", "m.longitude"),
    ("LocationName", "m.location_name"), ("StateName", "m.location_adm1"), ("CountryCode", "m.location_country"),
    ("SentenceID", "m.article_id || '_' || m.sentence_index"), ("URLs", "m.url"), ("NewsSources", "m.news_source"),
]

# ICEWS coded event data layout, one row per event mention.
ICEWS = [
    ("Event ID", "m.event_id"), ("Event Date", "strftime(m.date, '%Y-%m-%d')"), ("Source Name", "m.source_text"),
    ("Source Sectors", "m.source_code"), ("Source Country", "m.source_country"), ("Event Text", "m.code_name"),
    ("CAMEO Code", "m.code"), ("Intensity", "m.goldstein"), ("Target Name", "m.target_text"),
    ("Target Sectors", "m.target_code"), ("Target Country", "m.target_country"), ("Story ID", "m.story_id"),
    ("Sentence Number", "m.sentence_index + 1"), ("Publisher", "m.news_source"), ("City", "m.location_city"),
    ("District", "NULL"), ("Province", "m.location_adm1"), ("Country", "m.location_country"),
    ("Latitude", "m.latitude"), ("Longitude", "m.longitude"),
]

LAYOUTS = {"gdelt": GDELT, "gdelt-mentions": GDELT_MENTIONS, "phoenix": PHOENIX, "icews": ICEWS}
# the layouts GDELT's files carry: no header, CAMEO codes only, and a storage time (update files)
GDELT_LAYOUTS = ("gdelt", "gdelt-mentions")


def layout_sql(name: str, where: str = "", one_a_day: bool = False, *, stored_between: bool = False,
               mentions: str = "") -> str:
    """The SELECT producing `name`'s columns; `where` filters on the event date (`date`).
    `stored_between` (GDELT layouts only) takes two more parameters, before `where`'s: the [start, end)
    of a storage time, the aggregate's first (gdelt) or the mention's article's (gdelt-mentions), so an
    update file holds what was new in its interval (dyad.corpus.updates). `mentions` (gdelt only): a
    condition on `events` columns picking the mentions aggregated, so the counts are of those alone (the
    explorer's download of a filter); its parameters come three times, before `where`'s."""
    columns = ", ".join(f'{expr} AS "{column}"' for column, expr in LAYOUTS[name])
    if mentions and name != "gdelt":
        raise ValueError(f"only the gdelt layout aggregates chosen mentions, not {name!r}")
    if name in GDELT_LAYOUTS:
        # GDELT carries CAMEO codes only: events of private dictionary codes stay out of it
        valid = ("WHERE" if not where else where + " AND") + " code IN (SELECT code FROM cameo_codes)"
        if name == "gdelt":
            return _gdelt_events(columns, valid, stored_between, mentions)
        return _gdelt_mentions(columns, valid, stored_between)
    if stored_between:
        raise ValueError(f"{name!r} has no storage time: only {', '.join(GDELT_LAYOUTS)} do")
    base = f"SELECT * FROM event_mentions_geo{where}"
    if one_a_day:  # Phoenix's filter: one event per date, source, target and code
        base = (f"SELECT * FROM ({base}) QUALIFY row_number() OVER (PARTITION BY date, source_code, "
                f"target_code, code ORDER BY event_id) = 1")
    return f"SELECT {columns} FROM ({base}) m ORDER BY m.date, m.event_id"


def _gdelt_events(columns: str, valid: str, stored_between: bool, mentions: str = "") -> str:
    """Aggregated events `g` with their first mention `m` and first storage `s`. With `stored_between`,
    those first stored in the span: of the aggregates with a mention stored in it (`touched`, a few), the
    ones with none stored before. The store is scanned, but what is held grows with the span only.
    With `mentions`, the aggregates and their first storage are of the mentions it picks."""
    if mentions and stored_between:
        raise ValueError("an update file aggregates every mention: no `mentions` with `stored_between`")
    if not stored_between:
        if not mentions:
            return (f"WITH s AS ({FIRST_STORED}) SELECT {columns} FROM (SELECT * FROM aggregated_events {valid}) g "
                    "JOIN event_mentions_geo m ON m.event_id = g.first_mention "
                    "LEFT JOIN s ON s.aggregate_id = g.aggregate_id ORDER BY g.date, g.aggregate_id")
        # the condition where each part reads the events, so DuckDB prunes by it in every scan (its
        # parameters come in this order: first storage, first mentions, aggregates)
        stored = (f"SELECT {AGGREGATE_ID} AS aggregate_id, min(b.committed_at) AS first_stored "
                  f"FROM {_stored_events(f'(SELECT * FROM events WHERE {mentions})')} GROUP BY 1")
        aggregates = aggregated(f"(SELECT * FROM event_mentions WHERE {mentions})")
        return (f"WITH s AS ({stored}) SELECT {columns} FROM (SELECT * FROM event_mentions_geo WHERE {mentions}) m "
                f"JOIN (SELECT * FROM ({aggregates}) {valid}) g ON m.event_id = g.first_mention "
                "LEFT JOIN s ON s.aggregate_id = g.aggregate_id ORDER BY g.date, g.aggregate_id")
    return (f"WITH {_SPAN}, touched AS MATERIALIZED (SELECT DISTINCT {AGGREGATE_ID} AS aggregate_id "
            f"FROM {_STORED_EVENTS} WHERE b.committed_at >= (SELECT since FROM span) "
            "AND b.committed_at < (SELECT until FROM span)), "
            f"s AS MATERIALIZED (SELECT {AGGREGATE_ID} AS aggregate_id, min(b.committed_at) AS first_stored "
            f"FROM {_STORED_EVENTS} WHERE {AGGREGATE_ID} IN (SELECT aggregate_id FROM touched) GROUP BY 1 "
            "HAVING min(b.committed_at) >= (SELECT since FROM span)) "
            f"SELECT {columns} FROM (SELECT * FROM aggregated_events {valid} "
            "AND aggregate_id IN (SELECT aggregate_id FROM s)) g "
            "JOIN event_mentions_geo m ON m.event_id = g.first_mention JOIN s ON s.aggregate_id = g.aggregate_id "
            "ORDER BY g.date, g.aggregate_id")


def _gdelt_mentions(columns: str, valid: str, stored_between: bool) -> str:
    """Mentions `m` with their article's length `a`, its storage `mb` and their aggregate's first storage
    `s`; with `stored_between` only those of articles written in the span. The articles' lengths and
    times are materialised first (MATERIALIZED): DuckDB would otherwise carry each article's text
    through the joins, with every one of its mentions."""
    times = "SELECT ab.article_id, b.committed_at FROM article_batches ab JOIN batches b ON b.batch = ab.batch"
    lengths = "SELECT id, date, length(text) AS doc_length FROM articles"
    stored, join = FIRST_STORED, "LEFT JOIN"
    ctes = ""
    if stored_between:
        ctes, join = f"{_SPAN}, ", "JOIN"
        times += " WHERE b.committed_at >= (SELECT since FROM span) AND b.committed_at < (SELECT until FROM span)"
        lengths += " WHERE id IN (SELECT article_id FROM mb)"
        valid += " AND article_id IN (SELECT article_id FROM mb)"
        # the first storage of the aggregates these mentions belong to, not of every one in the store
        stored = (f"SELECT {AGGREGATE_ID} AS aggregate_id, min(b.committed_at) AS first_stored FROM {_STORED_EVENTS} "
                  f"WHERE {AGGREGATE_ID} IN (SELECT {AGGREGATE_ID} FROM events e "
                  "WHERE e.article_id IN (SELECT article_id FROM mb)) GROUP BY 1")
    return (f"WITH {ctes}mb AS MATERIALIZED ({times}), a AS MATERIALIZED ({lengths}), s AS MATERIALIZED ({stored}) "
            f"SELECT {columns} FROM ({_MENTION_ROWS} {valid}) m JOIN a ON a.id = m.article_id "
            f"{join} mb ON mb.article_id = m.article_id LEFT JOIN s ON s.aggregate_id = m.aggregate_id "
            "ORDER BY m.date, m.event_id")
