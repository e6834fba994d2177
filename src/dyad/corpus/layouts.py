"""The field's exchange layouts, filled from the store: GDELT 2.0 events, Phoenix, ICEWS.

Each layout is a list of (column name, SQL expression over `aggregated_events`/`event_mentions` or
`events`) so the column order is data, visible in one place. Columns dyad has no data for are empty.
"""

from __future__ import annotations

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
    ("DATEADDED", "strftime(now(), '%Y%m%d%H%M%S')"), ("SOURCEURL", "m.url"),
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

LAYOUTS = {"gdelt": GDELT, "phoenix": PHOENIX, "icews": ICEWS}


def layout_sql(name: str, where: str = "", one_a_day: bool = False) -> str:
    """The SELECT producing `name`'s columns; `where` filters on the event date (`date`)."""
    columns = ", ".join(f'{expr} AS "{column}"' for column, expr in LAYOUTS[name])
    mentions = "SELECT * FROM event_mentions_geo"
    if name == "gdelt":
        # GDELT carries CAMEO codes only: events of private dictionary codes stay out of it
        valid = ("WHERE" if not where else where + " AND") + " code IN (SELECT code FROM cameo_codes)"
        return (f"SELECT {columns} FROM (SELECT * FROM aggregated_events {valid}) g "
                f"JOIN ({mentions}) m ON m.event_id = g.first_mention ORDER BY g.date, g.aggregate_id")
    base = f"{mentions}{where}"
    if one_a_day:  # Phoenix's filter: one event per date, source, target and code
        base = (f"SELECT * FROM ({base}) QUALIFY row_number() OVER (PARTITION BY date, source_code, "
                f"target_code, code ORDER BY event_id) = 1")
    return f"SELECT {columns} FROM ({base}) m ORDER BY m.date, m.event_id"
