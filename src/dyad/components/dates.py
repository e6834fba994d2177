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
from dyad.extensions import sentences as all_sentences

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
    # a month or a year alone: kept at that precision, and only for an event they modify ("arrested in
    # May 2017", "disappeared in a 2015 sweep"), since a sentence names many years that date nothing
    ("month year", re.compile(r"\b" + _MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b", re.I)),
    ("year", re.compile(r"(?<![\w-])(?P<year>(?:19|20)\d\d)\b(?!\s*[-–/]\s*\d)")),
    ("ago", re.compile(r"\b(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|a)\s+"
                       r"(?P<unit>days?|weeks?)\s+ago\b", re.I)),
    ("relative", re.compile(r"\b(?P<word>yesterday|today|tonight|last night|this morning|this afternoon|"
                            r"this evening|last week|last month|last year)\b", re.I)),
    ("weekday", re.compile(r"\b(?P<weekday>" + "|".join(_WEEKDAYS) + r")\b", re.I)),
]
_YEAR_BEFORE = re.compile(r"\b(?:in|during|since|by|a|the)\s+(?:(?:early|late|mid)[- ]?)?\Z", re.I)
_DIGIT = re.compile(r"\d")
# the patterns that can match a sentence without a digit (most sentences): the rest are not tried there
_WORD_PATTERNS = [(kind, pattern) for kind, pattern in _PATTERNS if kind in ("ago", "relative", "weekday")]
_SPECIFICITY = {name: i for i, (name, _) in enumerate(_PATTERNS)}
PARTIAL = {"month year": "month", "year": "year"}  # the patterns that fix less than a day, and what they fix


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


def _days(match: re.Match) -> int:
    """The days a counted span says: "two days", "3 weeks"."""
    n = _NUMBERS.get(match["n"].lower()) or int(match["n"])
    return n * (7 if match["unit"].lower().startswith("week") else 1)


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
        if kind == "month year":
            return dt.date(int(match["year"]), _month(match["month"]), 1), f"explicit month '{said}'"
        if kind == "year":  # "in 2015", "during early 2015", "a 2015 sweep"; not "2,015" nor "2015-16"
            before = _YEAR_BEFORE.search(match.string, max(0, match.start() - 16), match.start())
            if before is None:
                return None
            return dt.date(int(match["year"]), 1, 1), f"explicit year '{before.group(0)}{said}'"
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
        days = _days(match)
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


Expression = tuple[int, int, int, dt.date, str, str]  # start, end, specificity, date, method, precision


def date_expressions(sentence: str, published: dt.date | None) -> list[Expression]:
    """The expressions of a sentence that date an event, in text order: (start, end, specificity, date,
    method, precision: "day", "month" or "year"). Of overlapping matches the more specific pattern's is
    kept ("March 3" inside "March 3, 2024")."""
    found: list[Expression] = []
    starts: list[int] = []  # the kept spans, sorted: they never overlap, so their ends are sorted too
    ends: list[int] = []
    for kind, pattern in _PATTERNS if _DIGIT.search(sentence) else _WORD_PATTERNS:
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
            found.append((start, end, _SPECIFICITY[kind], *result, PARTIAL.get(kind, "day")))
    found.sort()
    return found


def nearest_date(found: list[Expression], published: dt.date | None,
                 anchor: int | None = None) -> tuple[dt.date | None, str, str | None]:
    """Of a sentence's `date_expressions`, the one nearest `anchor` (ties: the more specific), or the
    first without one; else the publication date. Returns (date, method, precision)."""
    if found and anchor is None:
        return found[0][3], found[0][4], found[0][5]
    if found:
        # spans never overlap: the nearest is the last to end before the anchor, the one around it or the
        # first to start after it, which are at most two places left of the first start at the anchor
        j = bisect.bisect_left(found, (anchor,))
        best = min(found[max(0, j - 2):j + 1], key=lambda f: (min(abs(f[0] - anchor), abs(f[1] - anchor)), f[2], f[0]))
        return best[3], best[4], best[5]
    if published is None:
        return None, "none", None  # the article's warnings say why (no publication date found)
    return published, "publication date", "day"


def resolve_date(sentence: str, published: dt.date | None,
                 anchor: int | None = None) -> tuple[dt.date | None, str, str | None]:
    """The date a sentence's event happened, how it was derived, and its precision ("day", "month",
    "year").

    `anchor` is the character offset of the event's verb in the sentence: the expression nearest
    it wins (ties: the more specific). Returns (None, reason, None) when nothing dates the event.
    """
    return nearest_date(date_expressions(sentence, published), published, anchor)


# How far back a sentence's day may lie for the sentences after it in its paragraph to share it: the
# days of the news being reported, not background history. Set by hand (a week: weekday names).
_NARRATIVE_DAYS = 7


def _recent_day(expression: Expression, published: dt.date) -> bool:
    """A day (not a month or year) at most `_NARRATIVE_DAYS` before publication: the news's, not history's."""
    return expression[5] == "day" and dt.timedelta(0) <= published - expression[3] <= dt.timedelta(
        days=_NARRATIVE_DAYS)


def _expressions_of(sentences, index: int, published: dt.date | None, expressions: dict[int, list]) -> list:
    """A sentence's `date_expressions`, read once per document (`expressions` caches them by index)."""
    found = expressions.get(index)
    if found is None:
        found = expressions[index] = date_expressions(sentences[index].text.strip(), published)
    return found


def _narrative_days(sentences, published: dt.date,
                    expressions: dict[int, list]) -> dict[int, tuple[dt.date, str, str]]:
    """For each sentence without a date of its own, the day of the news its paragraph is telling: the
    last recent day an earlier sentence of the paragraph named ("Frank, reacting in a statement he
    signed yesterday, ... He hailed Buhari": yesterday). `expressions` caches each sentence's."""
    out: dict[int, tuple[dt.date, str, str]] = {}
    carried = None
    for index, sentence in enumerate(sentences):
        found = _expressions_of(sentences, index, published, expressions)
        recent = [f for f in found if _recent_day(f, published) and f[3] != published]
        if recent:
            carried = (recent[-1][3], f"the paragraph's day ({recent[-1][4]})", "day")
        elif not found and carried is not None:
            out[index] = carried
        if ends_paragraph(sentence[-1]):
            carried = None
    return out


def _news_day(sentences, published: dt.date, expressions: dict[int, list]) -> tuple[dt.date, str, str] | None:
    """The day of the news the article reports: the first recent day (a week at most before publication)
    its headline or lead paragraph names ("Malaysian authorities ordered ... on Thursday"), if any."""
    paragraphs = 0
    for index, sentence in enumerate(sentences):
        found = _expressions_of(sentences, index, published, expressions)
        for f in found:
            if _recent_day(f, published):
                return f[3], f"the day of the news the lead reports ({f[4]})", "day"
        paragraphs += ends_paragraph(sentence[-1])
        if paragraphs >= 2:  # the headline and the lead paragraph
            return None
    return None


def _modifies(doc: Doc, sentence_start: int, expression: Expression, verb) -> bool:
    """Whether a date expression hangs from the event's verb (or the verb it is coordinated with), with
    no other verb on the way: "arrested him in May 2017", "disappeared in a 2015 sweep"."""
    span = doc.char_span(sentence_start + expression[0], sentence_start + expression[1], alignment_mode="expand")
    if span is None:
        return False
    shared = verb.head if verb.dep_ == "conj" else verb  # "arrested X in May and charged him": both
    token = span.root
    for _ in range(8):
        if token.head.i == token.i:
            return False
        token = token.head
        if token.i in (verb.i, shared.i):
            return True
        if token.pos_ in ("VERB", "AUX"):
            return False
    return False


_OFFSET = re.compile(r"\b(?:(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|a)\s+)?"
                     r"(?P<unit>days?|weeks?)\s+(?P<direction>after|before)\b", re.I)


def _offset_date(doc: Doc, sentences, index: int, sentence_text: str, verb, published: dt.date | None,
                 expressions: dict[int, list]) -> tuple[dt.date | None, str, str | None] | None:
    """"two days after the vote": the day of the event it names (a date in that phrase, else the day the
    nearest earlier sentence naming the same thing gives) plus or minus the offset; "days after the
    vote" (no count) or an event whose day the article does not give: undated, not the publication
    date. None when the sentence has no such phrase modifying the event's verb."""
    sent = sentences[index]
    for match in _OFFSET.finditer(sentence_text):
        expression = (match.start(), match.end(), 0, published or dt.date.min, "", "day")
        if not _modifies(doc, sent.start_char, expression, verb):
            continue
        said = match.group(0) + " ..."
        at = sent.start_char
        preposition = doc.char_span(at + match.start("direction"), at + match.end("direction"), alignment_mode="expand")
        noun = next((c for c in preposition.root.children if c.dep_ == "pobj"), None) if preposition else None
        if match["n"] is None or noun is None:
            return None, f"none: '{said}' gives no day", None
        said = f"{match.group(0)} the {noun.text}"
        anchor = None
        phrase = doc[noun.left_edge.i: noun.right_edge.i + 1]
        own = [f for f in date_expressions(phrase.text, published) if f[5] == "day"]
        if own:
            anchor = own[0][3]
        else:
            for earlier in range(index - 1, -1, -1):
                if not any(t.lemma_ == noun.lemma_ for t in sentences[earlier]):
                    continue
                days = [f for f in _expressions_of(sentences, earlier, published, expressions) if f[5] == "day"]
                if days:
                    anchor = days[0][3]
                    break
        if anchor is None:
            return None, f"none: '{said}', a day the article does not give", None
        days = _days(match)
        sign = 1 if match["direction"].lower() == "after" else -1
        how = f"'{said}' = {anchor.isoformat()} {'+-'[sign < 0]} {days} days"
        return anchor + dt.timedelta(days=sign * days), how, "day"
    return None


_BACKGROUND = "none: earlier background (past perfect)"


def _background(verb) -> bool:
    """Past perfect ("had expelled"): told as earlier than the news, so not on the news's day."""
    return verb.tag_ == "VBN" and any(c.dep_ == "aux" and c.lower_ == "had" for c in verb.children)


def _told_in_past(verb) -> bool:
    """A past-tense report ("X said", "X hailed") tells the news of its day; a present one ("X says") the
    state of things at publication."""
    return verb.tag_ == "VBD" or (verb.dep_ in ("ccomp", "xcomp") and verb.head.tag_ == "VBD")


class DateResolver:
    def __call__(self, doc: Doc) -> Doc:
        article = doc._.article
        published = article.date if article is not None else None
        try:
            sentences = None
            narrative = None
            news_day: tuple | bool | None = False  # False: not looked for yet
            expressions: dict[int, list] = {}  # sentence index -> its date expressions, read once
            for event in doc._.events or []:
                anchor = verb_token = None
                verb = event.provenance.spans.get("verb")
                if verb:
                    if sentences is None:
                        sentences = all_sentences(doc)
                    if event.sentence_index < len(sentences):
                        sent = sentences[event.sentence_index]
                        i = sent.start + verb[0]
                        if i < sent.end:
                            verb_token = doc[i]
                            anchor = verb_token.idx - sent.start_char
                found = expressions.get(event.sentence_index)
                if found is None:
                    found = expressions[event.sentence_index] = date_expressions(event.sentence, published)
                if verb_token is not None and _OFFSET.search(event.sentence) and (offset := _offset_date(
                        doc, sentences, event.sentence_index, event.sentence, verb_token, published,
                        expressions)) is not None:
                    event.date, event.date_method, event.date_precision = offset
                    continue
                if any(f[5] != "day" for f in found):  # a month or a year dates only what it modifies
                    found = [f for f in found if f[5] == "day" or (
                        verb_token is not None and _modifies(doc, sent.start_char, f, verb_token))]
                if verb_token is not None and _background(verb_token) and not any(
                        _modifies(doc, sent.start_char, f, verb_token) for f in found):
                    event.date, event.date_method, event.date_precision = None, _BACKGROUND, None
                    continue
                if not found and published is not None:
                    if narrative is None:
                        sentences = sentences or all_sentences(doc)
                        narrative = _narrative_days(sentences, published, expressions)
                    if (carried := narrative.get(event.sentence_index)) is not None:
                        event.date, event.date_method, event.date_precision = carried
                        continue
                    if verb_token is not None and _told_in_past(verb_token):
                        if news_day is False:
                            news_day = _news_day(sentences, published, expressions)
                        if news_day is not None:
                            event.date, event.date_method, event.date_precision = news_day
                            continue
                event.date, event.date_method, event.date_precision = nearest_date(found, published, anchor)
        except Exception as error:  # one bad document must not break the batch
            record_error(doc, "dates", error)
        return doc


# requires the events to date and the parser's sentences (to find each event's verb); it sets
# `Event.date` and `Event.date_method`, which spaCy cannot name as a Doc attribute
@Language.factory("dyad_dates", requires=["doc._.events", "doc.sents"], assigns=[])
def make_date_resolver(nlp: Language, name: str) -> DateResolver:  # noqa: ARG001 (spaCy's factory signature)
    return DateResolver()
