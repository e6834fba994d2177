"""The `dyad_dates` component: each event's date from the publication date and its sentence.

Expressions, in the event's sentence (the one nearest the event's verb wins; among equals the more
specific):

- an explicit date: "3 March 2024", "March 3, 2024", "2024-03-03" -> that date;
- a day of a month: "on March 3", "3 March" -> that day of the latest such month on or before
  publication (a date after publication is taken to mean last year's);
- a weekday: "on Tuesday", "Tuesday night" -> the latest such day on or before publication;
- "today", "tonight", "this morning" -> publication date; "yesterday", "last night" -> the day
  before; "N days ago" -> N days before; "last week" -> 7 days before; "last month" -> the same
  day a month before (clamped to the month's end); "last year" -> a year before.

Without any, the event takes the day of the news its paragraph is telling, when an earlier sentence of
the paragraph named one of the last week ("He signed a statement yesterday. ... He hailed X"), else the
publication date. Each event records how (`Event.date_method`).
An explicit date with its year needs no publication date; everything else does.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re

from spacy.language import Language
from spacy.tokens import Doc

from dyad.extensions import ends_paragraph, record_error

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {name: i for i, name in enumerate(calendar.month_name) if name} | {
    name: i for i, name in enumerate(calendar.month_abbr) if name} | {"Sept": 9}
_MONTH = r"(?P<month>" + "|".join(sorted((m.lower() for m in _MONTHS), key=len, reverse=True)) + r")\.?"
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "a": 1}

_PATTERNS = [
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<day>\d\d)\b")),
    ("day month year", re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH
                                  + r",?\s+(?P<year>(?:19|20)\d\d)\b", re.I)),
    ("month day year", re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b",
                                  re.I)),
    ("month day", re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?!\s*(?:,\s*)?\d)", re.I)),
    ("day month", re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"\b(?!,?\s+\d)", re.I)),
    ("ago", re.compile(r"\b(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|a)\s+"
                       r"(?P<unit>days?|weeks?)\s+ago\b", re.I)),
    ("relative", re.compile(r"\b(?P<word>yesterday|today|tonight|last night|this morning|this afternoon|"
                            r"this evening|last week|last month|last year)\b", re.I)),
    ("weekday", re.compile(r"\b(?P<weekday>" + "|".join(_WEEKDAYS) + r")\b", re.I)),
]
_SPECIFICITY = {name: i for i, (name, _) in enumerate(_PATTERNS)}


def _month(text: str) -> int:
    return _MONTHS[text.rstrip(".").title()]


def _minus_months(date: dt.date, months: int) -> dt.date:
    year, month = divmod(date.year * 12 + date.month - 1 - months, 12)
    return dt.date(year, month + 1, min(date.day, calendar.monthrange(year, month + 1)[1]))


def _latest(month: int, day: int, published: dt.date) -> dt.date | None:
    """The latest `month`/`day` on or before publication."""
    for year in (published.year, published.year - 1):
        try:
            date = dt.date(year, month, day)
        except ValueError:
            continue
        if date <= published:
            return date
    return None


def _interpret(kind: str, match: re.Match, published: dt.date | None) -> tuple[dt.date, str] | None:
    said = match.group(0)
    if "month" in match.groupdict() and not match["month"][0].isupper():
        return None  # "march", "may": verbs
    try:
        if kind == "iso":
            return dt.date(int(match["year"]), int(match["m"]), int(match["day"])), f"explicit date '{said}'"
        if kind in ("day month year", "month day year"):
            date = dt.date(int(match["year"]), _month(match["month"]), int(match["day"]))
            return date, f"explicit date '{said}'"
    except ValueError:
        return None
    if published is None:
        return None
    if kind in ("month day", "day month"):
        day = int(match["day"])
        if not 1 <= day <= 31:
            return None
        date = _latest(_month(match["month"]), day, published)
        return (date, f"'{said}' = latest such date on or before publication") if date else None
    if kind == "ago":
        n = _NUMBERS.get(match["n"].lower()) or int(match["n"])
        days = n * (7 if match["unit"].lower().startswith("week") else 1)
        return published - dt.timedelta(days=days), f"'{said}' = publication date - {days} days"
    if kind == "relative":
        word = match["word"].lower()
        if word in ("today", "tonight", "this morning", "this afternoon", "this evening"):
            return published, f"'{said}' = publication date"
        if word in ("yesterday", "last night"):
            return published - dt.timedelta(days=1), f"'{said}' = publication date - 1 day"
        if word == "last week":
            return published - dt.timedelta(days=7), f"'{said}' = publication date - 7 days"
        if word == "last month":
            return _minus_months(published, 1), f"'{said}' = publication date - 1 month"
        return _minus_months(published, 12), f"'{said}' = publication date - 1 year"
    back = (published.weekday() - _WEEKDAYS.index(match["weekday"].lower())) % 7
    return published - dt.timedelta(days=back), f"'{said}' = latest such day on or before publication"


def date_expressions(sentence: str, published: dt.date | None) -> list[tuple[int, int, int, dt.date, str]]:
    """The expressions of a sentence that date an event, in text order: (start, end, specificity, date,
    method). Of overlapping matches the more specific pattern's is kept ("March 3" inside "March 3, 2024")."""
    found: list[tuple[int, int, int, dt.date, str]] = []
    starts: list[int] = []  # the kept spans, sorted: they never overlap, so their ends are sorted too
    ends: list[int] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(sentence):
            start, end = match.span()
            k = bisect.bisect_left(starts, end)  # the kept spans that start before this one ends
            if k and ends[k - 1] > start:
                continue  # overlaps one already read
            result = _interpret(kind, match, published)
            if result is None:
                continue
            starts.insert(k, start)
            ends.insert(k, end)
            found.append((start, end, _SPECIFICITY[kind], *result))
    found.sort()
    return found


def nearest_date(found: list[tuple[int, int, int, dt.date, str]], published: dt.date | None,
                 anchor: int | None = None) -> tuple[dt.date | None, str]:
    """Of a sentence's `date_expressions`, the one nearest `anchor` (ties: the more specific), or the
    first without one; else the publication date."""
    if found and anchor is None:
        return found[0][3], found[0][4]
    if found:
        # spans never overlap: the nearest is the last to end before the anchor, the one around it or the
        # first to start after it, which are at most two places left of the first start at the anchor
        j = bisect.bisect_left(found, (anchor,))
        best = min(found[max(0, j - 2):j + 1], key=lambda f: (min(abs(f[0] - anchor), abs(f[1] - anchor)), f[2], f[0]))
        return best[3], best[4]
    if published is None:
        return None, "no publication date"
    return published, "publication date"


def resolve_date(sentence: str, published: dt.date | None, anchor: int | None = None) -> tuple[dt.date | None, str]:
    """The date a sentence's event happened and how it was derived.

    `anchor` is the character offset of the event's verb in the sentence: the expression nearest
    it wins (ties: the more specific). Returns (None, reason) when nothing dates the event.
    """
    return nearest_date(date_expressions(sentence, published), published, anchor)


# How far back a sentence's day may lie for the sentences after it in its paragraph to share it: the
# days of the news being reported, not background history. Set by hand (a week: weekday names).
_NARRATIVE_DAYS = 7


def _narrative_days(sentences, published: dt.date, expressions: dict[int, list]) -> dict[int, tuple[dt.date, str]]:
    """For each sentence without a date of its own, the day of the news its paragraph is telling: the
    last recent day an earlier sentence of the paragraph named ("Frank, reacting in a statement he
    signed yesterday, ... He hailed Buhari": yesterday). `expressions` caches each sentence's."""
    out: dict[int, tuple[dt.date, str]] = {}
    carried = None
    for index, sentence in enumerate(sentences):
        found = expressions.get(index)
        if found is None:
            found = expressions[index] = date_expressions(sentence.text.strip(), published)
        recent = [f for f in found if dt.timedelta(0) <= published - f[3] <= dt.timedelta(days=_NARRATIVE_DAYS)
                  and f[3] != published]
        if recent:
            carried = (recent[-1][3], f"the paragraph's day ({recent[-1][4]})")
        elif not found and carried is not None:
            out[index] = carried
        if ends_paragraph(sentence[-1]):
            carried = None
    return out


class DateResolver:
    def __call__(self, doc: Doc) -> Doc:
        article = doc._.article
        published = article.date if article is not None else None
        try:
            sentences = None
            narrative = None
            expressions: dict[int, list] = {}  # sentence index -> its date expressions, read once
            for event in doc._.events or []:
                anchor = None
                verb = event.provenance.spans.get("verb")
                if verb:
                    if sentences is None:
                        sentences = list(doc.sents)
                    if event.sentence_index < len(sentences):
                        sent = sentences[event.sentence_index]
                        i = sent.start + verb[0]
                        if i < sent.end:
                            anchor = doc[i].idx - sent.start_char
                found = expressions.get(event.sentence_index)
                if found is None:
                    found = expressions[event.sentence_index] = date_expressions(event.sentence, published)
                if not found and published is not None:
                    if narrative is None:
                        sentences = sentences or list(doc.sents)
                        narrative = _narrative_days(sentences, published, expressions)
                    if (carried := narrative.get(event.sentence_index)) is not None:
                        event.date, event.date_method = carried
                        continue
                date, method = nearest_date(found, published, anchor)
                if date is not None:
                    event.date, event.date_method = date, method
        except Exception as error:  # one bad document must not break the batch
            record_error(doc, "dates", error)
        return doc


# requires the events to date and the parser's sentences (to find each event's verb); it sets
# `Event.date` and `Event.date_method`, which spaCy cannot name as a Doc attribute
@Language.factory("dyad_dates", requires=["doc._.events", "doc.sents"], assigns=[])
def make_date_resolver(nlp: Language, name: str) -> DateResolver:  # noqa: ARG001 (spaCy's factory signature)
    return DateResolver()
