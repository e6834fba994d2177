"""Where and when each event happened, on whole articles (``--format articles --task where-when``).

For each required gold event that dyad matches (as the articles scorer matches them: one prediction per
source prefix, target prefix and root, one-to-one), the prediction's first mention is compared with the
gold's ``location`` and ``date``:

location
    Right when dyad's place is in the gold's country and, for a city or region, lies within
    :data:`NEAR_KM` of the gold place's gazetteer point or in the same first-level region. A gold event
    without a location is not scored; a matched event dyad leaves without a place is wrong and counted in
    ``location_null_share``.
date
    Right when equal at the gold's precision (YYYY-MM-DD, YYYY-MM or YYYY); a date dyad knows only to
    the month or year (`Event.date_precision`) is wrong for a gold day. A gold event without a date
    is not scored; one dyad leaves undated is wrong and counted in ``date_null_share``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from dyad.evaluate.articles import code_articles, first_mentions
from dyad.evaluate.gold.articles import ArticleGold, GoldLocation, read_articles
from dyad.evaluate.scoring import dedupe, match_events

__all__ = ["NEAR_KM", "date_right", "evaluate_where_when", "location_right", "score_where_when", "written_date"]

NEAR_KM = 40  # the definition of "the same place" for city and region gold
_EARTH_KM = 6371.0


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_KM * math.asin(math.sqrt(min(1.0, h)))


def _gold_place(gold: GoldLocation, gazetteer: Any):
    """The gazetteer's best-known place of the gold's name in the gold's country, or None."""
    entry = gazetteer.namesake(gold.name, gold.country)
    return None if entry is None else gazetteer.place(entry, gold.name, "gold")


def location_right(gold: GoldLocation, place: Any, gazetteer: Any) -> bool:
    """Whether dyad's place (a `Place`) is the gold location (module doc)."""
    if place is None or (place.country_iso2 or "").upper() != gold.country:
        return False
    if gold.level == "country":
        return True
    point = _gold_place(gold, gazetteer)
    if point is None:  # a place the gazetteer does not know: only its name can say
        return place.name.casefold() == gold.name.casefold()
    if point.admin1 and place.admin1 == point.admin1 and place.feature != "country":
        return True
    if None in (point.latitude, point.longitude, place.latitude, place.longitude) or place.feature == "country":
        return False
    return _km((point.latitude, point.longitude), (place.latitude, place.longitude)) <= NEAR_KM


_WRITTEN = {"day": 10, "month": 7, "year": 4}  # characters of an ISO date at each precision


def written_date(event: Any) -> str | None:
    """An event's date as precise as dyad found it: "2017-05-03", "2017-05" or "2017"."""
    if event.date is None:
        return None
    return event.date.isoformat()[:_WRITTEN.get(event.date_precision or "day", 10)]


def date_right(gold: str, event: Any) -> bool:
    """Whether dyad's date equals the gold's at the gold's precision (a month is not right for a day)."""
    written = written_date(event)
    return written is not None and len(written) >= len(gold) and written[:len(gold)] == gold


def _describe(event: Any) -> dict:
    place = event.location
    return {"location": None if place is None else f"{place.name} ({place.country_iso2}, {place.method})",
            "date": None if event.date is None else f"{written_date(event)} ({event.date_method})"}


def score_where_when(golds: Sequence[ArticleGold], results: Sequence[Any], n_errors: int = 0) -> dict:
    """The figures of the module doc over every article, with the ``n_errors`` first wrong events."""
    from dyad.resources.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    matched = loc_scored = loc_right = loc_null = date_scored = date_ok = date_null = 0
    errors = []
    for gold, result in zip(golds, results, strict=True):
        mentions = first_mentions(result.events)
        keys, events = list(mentions), list(mentions.values())
        required = dedupe(gold.events)
        for i, j in match_events(required, keys):
            matched += 1
            expected, event = required[i], events[j]
            wrong = []
            if expected.location is not None:
                loc_scored += 1
                loc_null += event.location is None
                if location_right(expected.location, event.location, gazetteer):
                    loc_right += 1
                else:
                    wrong.append("location")
            if expected.date is not None:
                date_scored += 1
                date_null += event.date is None
                if date_right(expected.date, event):
                    date_ok += 1
                else:
                    wrong.append("date")
            if wrong and len(errors) < n_errors:
                location = expected.location
                errors.append({"id": gold.id, "event": f"{expected.source} / {expected.target} / {expected.code}",
                               "wrong": wrong, "sentence": event.sentence,
                               "gold": {"location": location and f"{location.name} ({location.country}, "
                                                                 f"{location.level})", "date": expected.date},
                               "dyad": _describe(event)})
    out = {"gold_events": sum(len(dedupe(g.events)) for g in golds), "matched_events": matched,
           "location_scored": loc_scored, "location_right": loc_right,
           "location_accuracy": loc_right / loc_scored if loc_scored else None,
           "location_null_share": loc_null / loc_scored if loc_scored else None,
           "date_scored": date_scored, "date_right": date_ok,
           "date_accuracy": date_ok / date_scored if date_scored else None,
           "date_null_share": date_null / date_scored if date_scored else None}
    if n_errors:
        out["errors"] = errors
    return out


def evaluate_where_when(path: str, dictionaries: Sequence[str] | None = None, nlp: Any = None,
                        progress: Any = None, n_errors: int = 0) -> dict:
    """Code every article of a whole-article gold file and score where and when its events happened."""
    golds = read_articles(path)
    results = code_articles(golds, dictionaries, nlp, progress)
    return {"task": "where-when", "format": "articles", "gold": str(path),
            "coder": "legacy" if dictionaries else "dyad", "dictionaries": list(dictionaries or []),
            **score_where_when(golds, results, n_errors)}
