"""The `dyad_dates` component: each event's date from the publication date and its sentence.

"yesterday", "today", "last night" and weekday names ("on Tuesday": the latest Tuesday on or before
publication) shift the date; otherwise the event takes the publication date.
"""

from __future__ import annotations

import datetime as dt
import re

from spacy.language import Language
from spacy.tokens import Doc

from dyad.extensions import record_error

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE = re.compile(r"\b(yesterday|today|tonight|last night|" + "|".join(_WEEKDAYS) + r")\b", re.I)


def resolve_relative(sentence: str, published: dt.date) -> tuple[dt.date, str]:
    """The date a sentence's event happened, and how it was derived."""
    match = _RELATIVE.search(sentence)
    if match is None:
        return published, "publication date"
    word = match.group(1).lower()
    if word in ("today", "tonight"):
        return published, f"'{match.group(1)}' = publication date"
    if word in ("yesterday", "last night"):
        return published - dt.timedelta(days=1), f"'{match.group(1)}' = publication date - 1 day"
    back = (published.weekday() - _WEEKDAYS.index(word)) % 7
    return published - dt.timedelta(days=back), f"'{match.group(1)}' = latest such day on or before publication"


class DateResolver:
    def __init__(self, nlp: Language):
        pass

    def __call__(self, doc: Doc) -> Doc:
        article = doc._.article
        if article is None or article.date is None:
            return doc
        try:
            for event in doc._.events or []:
                event.date, event.date_method = resolve_relative(event.sentence, article.date)
        except Exception as error:  # one bad document must not break the batch
            record_error(doc, "dates", error)
        return doc


@Language.factory("dyad_dates")
def make_date_resolver(nlp: Language, name: str) -> DateResolver:
    return DateResolver(nlp)
