"""What page furniture looks like, line by line: timestamps, bylines and credits, captions, name
labels and wire datelines.

Scraped furniture sits on its own short lines while body paragraphs are long, so every check here
looks at one whole line; the phrases come from the boilerplate knowledge (:mod:`.boilerplate`),
the shapes (what a byline, a timestamp or a dateline looks like) are code.
"""

from __future__ import annotations

import re

from dyad.article.boilerplate import (
    CAPTION_END,
    CONTAINS,
    CREDIT_VERBS,
    DATEWORDS,
    FURNITURE,
    NOT_DATELINE,
    NOT_NAME_START,
    PARTICLES,
    TRAILER_CONTAINS,
)

__all__ = ["MAX_SHORT", "SENTENCE_END", "body_like", "classify", "dateline", "last_char", "name_shaped"]

# Line sizes that tell furniture from body text. Set by hand on the scraped fixtures of
# tests/test_clean.py; re-measure with `python -m pytest tests/test_clean.py` and
# `python benchmarks/html_extraction.py` (cleaned F1).
MAX_SHORT = 300  # characters; longer lines are body paragraphs, never furniture
CAPTION_MAX_WORDS = 60  # a longer line is not a photo caption
_TIMESTAMP_MAX_WORDS = 25  # a longer line is not a timestamp
_BYLINE_MAX_WORDS = 40  # a longer line is not a byline or credits line
_CAPTION_TAIL_CHARS = 160  # a caption's credit is within its last characters
_NAME_MAX_WORDS = 6  # a longer run of words is not one person's or agency's name
_LABEL_MAX_SPACES = 4  # an author/agency/place label on its own line has fewer spaces
_BODY_MIN_WORDS = 25  # a line this long is body text, however it ends
_SENTENCE_MIN_WORDS = 8  # ...and one this long ending like a sentence is too

_URL_LINE = re.compile(r"(?:https?://|www\.)\S+|<https?://\S+>", re.IGNORECASE)
_DIGIT_OR_RELATIVE = re.compile(r"\d|\b(?:ago|yesterday|today|now)\b", re.IGNORECASE)
_NUMERIC = re.compile(r"\d[\dTZtz:./+\-]*(?:st|nd|rd|th|am|pm|h|hrs)?|(?:gmt|utc)[+\-]\d{1,2}(?::?\d\d)?")
_TOKEN_EDGES = ",;|·•()[]–—-:"
_BY = re.compile(r"\bby\b", re.IGNORECASE)
_BY_SEGMENT = re.compile(r"(?:(?P<verb>[^\W\d_]+(?:\s+[^\W\d_]+){0,2})\s+)?by\s*:?\s+(?P<rest>.+)",
                         re.IGNORECASE)
_SEGMENT_SPLIT = re.compile(r";|,\s*(?=(?:[^\W\d_]+\s+){1,2}by\s)", re.IGNORECASE)
_PIECE_SPLIT = re.compile(
    r"\s*(?:[,|·•/&]|\s[-–—]\s|\b(?:and|in|for|at|on|with)\b)\s*", re.IGNORECASE)
_CLOSERS = "\"'”’»)]*"
SENTENCE_END = frozenset(".!?…:;")


def last_char(line: str) -> str:
    stripped = line.rstrip(_CLOSERS)
    return stripped[-1] if stripped else ""


def _is_dateword(token: str) -> bool:
    word = token.strip(_TOKEN_EDGES).lower()
    return not word or word in DATEWORDS or word.rstrip(".") in DATEWORDS or bool(
        _NUMERIC.fullmatch(word))


def _is_timestamp(line: str) -> bool:
    """A line made only of date and time words ("Updated 3:04 PM EST, Tue March 3, 2020")."""
    head, _, _ = line.partition(" ")
    if not _is_dateword(head) or not _DIGIT_OR_RELATIVE.search(line):
        return False  # the first check is cheap and rejects almost every body line
    tokens = line.split()
    return all(_is_dateword(token) for token in tokens) and (
        len(tokens) > 1 or any(c.isdigit() for c in line))


def _name_words(words: list[str]) -> bool:
    if not words or len(words) > _NAME_MAX_WORDS:
        return False
    for word in words:
        if word[0].isupper() or word[0] == "@" or word.lower() in PARTICLES:
            continue
        if word[:3].lower() in ("al-", "el-"):
            continue
        return False
    return True


def _is_name_list(rest: str) -> bool:
    """Names, agencies and places ("Jane Doe and Sam Roe, Reuters, in Kabul"), maybe a date."""
    pieces = [piece for piece in _PIECE_SPLIT.split(rest) if piece and piece.strip()]
    if not pieces:
        return False
    first = pieces[0].split()
    if first[0].strip(".,").lower() in NOT_NAME_START or not _name_words(first):
        return False
    return all(_name_words(p.split()) or _is_timestamp(p) for p in pieces[1:])


def _byline_kind(line: str) -> str | None:
    """'byline' for "By Jane Doe", 'credits' for "Reporting by ...; Editing by ..."; else None.

    A byline is its own short line with a name-like shape, so "By Tuesday, the army had ..."
    stays in the text.
    """
    body = line.strip("()[] ")
    kind = "byline"
    for segment in _SEGMENT_SPLIT.split(body):
        segment = segment.strip(" .")
        if not segment:
            continue
        match = _BY_SEGMENT.fullmatch(segment)
        if not match:
            return None
        verb = match["verb"]
        if verb:
            if not all(word.lower() in CREDIT_VERBS for word in verb.split()):
                return None
            if verb.lower() not in ("written", "words", "story", "text", "posted"):
                kind = "credits"
        if not _is_name_list(match["rest"]):
            return None
    return kind


def _caption_tail(line: str) -> bool:
    """Captions end with a credit: "... on Tuesday. REUTERS/Jane Doe", "(Photo: AFP)"."""
    tail = line[-_CAPTION_TAIL_CHARS:]
    if not ("/" in tail or ")" in tail or ":" in tail or "hoto" in tail or "HOTO" in tail
            or "icture" in tail):
        return False  # cheap test first: the regex search is the costliest check per line
    return CAPTION_END.search(tail) is not None


def classify(line: str, nwords: int) -> str | None:
    """Why a short line is furniture, or None when it may be article text."""
    lowered = line.lower()
    match = FURNITURE.fullmatch(lowered)
    if match:
        return match.lastgroup
    if _URL_LINE.fullmatch(line):
        return "boilerplate"
    if any(phrase in lowered for phrase in TRAILER_CONTAINS):
        return "trailer"
    if any(phrase in lowered for phrase in CONTAINS):
        return "boilerplate"
    if nwords <= CAPTION_MAX_WORDS and _caption_tail(line):
        return "caption"
    if nwords <= _TIMESTAMP_MAX_WORDS and _is_timestamp(line):
        return "timestamp"
    if nwords <= _BYLINE_MAX_WORDS and ("by" in lowered) and _BY.search(line):
        return _byline_kind(line)
    return None


def body_like(line: str) -> bool:
    """A body paragraph: long, or a sentence of some length."""
    words = line.count(" ") + 1
    return words > _BODY_MIN_WORDS or (words >= _SENTENCE_MIN_WORDS and last_char(line) in ".!?…")


_LABEL_GLUE = frozenset({"of", "and", "the", "for", "&"})


def name_shaped(line: str) -> bool:
    """An author, agency or place label on its own header line ("Maria Delgado", "Dubai")."""
    words = [word for word in line.split() if word.lower() not in _LABEL_GLUE]
    return (line.count(" ") < _LABEL_MAX_SPACES and last_char(line) not in SENTENCE_END
            and not any(c.isdigit() for c in line) and _name_words(words))


# Wire datelines: "BEIRUT — ", "Kabul, Afghanistan (Reuters) - ", "PARIS, March 3 (AFP) -- ".
_UP = "A-ZÀ-ÖØ-Þ"
_CAPS_WORD = rf"[{_UP}](?:[{_UP}'’.]|-(?=[{_UP}]))*(?![^\W_])"
_TITLE_WORD = rf"[{_UP}][^\W\d_]*(?:[.'’\-][^\W\d_]+)*\.?(?![^\W_])"
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_WEEKDAY = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?"
_DATE = (rf"(?:{_WEEKDAY},?\s+)?(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?"
         rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}|{_WEEKDAY})(?:,?\s+\d{{4}})?"
         r"|\d{4}-\d\d-\d\d")
_AGENCY = rf"\((?:[{_UP}](?:[^\W\d_]|[.&'’/ \-]){{0,40}}|[a-z]{{2,6}})\)"  # no digits: not "(Nov. 18)"
_SEPARATOR = r"(?:-{1,2}(?=\s)|[–—―]{1,2}|:(?=\s)|\|)"
_DATELINE = re.compile(
    rf"(?P<place>{_CAPS_WORD}(?:\s+{_CAPS_WORD}){{0,3}}"
    rf"|{_TITLE_WORD}(?:\s+(?:{_TITLE_WORD}|de|da|del|al|el|es|au|of)){{0,3}})"
    rf"(?P<region>,\s*(?!{_MONTH}\b|{_WEEKDAY}\b)(?:{_TITLE_WORD}|{_CAPS_WORD})"
    rf"(?:\s+(?:{_TITLE_WORD}|of|and)){{0,3}})?"
    rf"(?P<date>,?\s*(?:{_DATE}))?"
    rf"\s*(?P<agency>{_AGENCY})?"
    rf"\s*(?P<sep>{_SEPARATOR})?\s*")
_AGENCY_ONLY = re.compile(rf"{_AGENCY}\s*(?:-{{1,2}}(?=\s)|[–—―:]{{1,2}})\s*")


def dateline(line: str) -> tuple[str | None, int] | None:
    """(place, prefix length) when the line opens with a wire dateline; place is as written.

    Upper-case places ("BEIRUT — ") need only a dash or colon; a title-case place needs an
    agency or a region ("Kabul, Afghanistan: "), so an ordinary sentence is not cut.
    """
    only_agency = _AGENCY_ONLY.match(line)
    if only_agency:
        return None, only_agency.end()
    match = _DATELINE.match(line)
    if not match:
        return None
    place, region, agency, sep = match["place"], match["region"], match["agency"], match["sep"]
    if not (agency or sep):
        return None
    letters = [c for c in place if c.isalpha()]
    caps = len(letters) >= 2 and all(c.isupper() for c in letters)
    if place.lower() in NOT_DATELINE or all(w.lower().strip(".") in NOT_DATELINE
                                               for w in place.split()):
        return None
    bare = not (agency or caps or region or match["date"])
    if bare and (sep != ":" or place.split()[0].lower() in NOT_DATELINE or "." in place
                 or not body_like(line[match.end():])):
        # A bare title-case place needs a colon and a sentence after it: "Dubai: The UAE ...",
        # but not "Macron — who ...", "Prof. Carlos: ..." or "Star Wars Jedi: Fallen Order".
        return None
    if match.end() < len(line) and line[match.end()].islower() and not agency:
        return None  # "Paris, France: the ..." reads as a sentence, not a dateline
    return place + (region or ""), match.end()

