"""Cleaning stage: scraped news page text -> the article body every later stage reads.

Scrapers hand us the body plus page furniture: repeated headlines, photo credits, bylines,
timestamps, share bars, "Read more" links, copyright trailers. Left in, these become bogus
sentences (and bogus events), and a wire dateline glued to the first sentence confuses the
parser. Cleaning works line by line: scraped furniture sits on its own short lines, while body
paragraphs are long, so a phrase inside a sentence never removes it.

The boilerplate phrases are knowledge, kept as data in ``knowledge/boilerplate.txt``; this
module holds only the structure (what a byline, a timestamp or a dateline looks like).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import msgspec

from dyad.knowledge.tables import read_text
from dyad.records import Article, article_id

__all__ = ["Cleaned", "clean_text", "load_boilerplate", "make_article", "parse_date"]

BOILERPLATE = "boilerplate.txt"  # under dyad/knowledge/
# Sections holding regexes (the rest hold words or literal phrases).
PATTERN_SECTIONS = frozenset({"line", "credit", "caption_end", "fragment", "list_start", "trailer"})


class Cleaned(msgspec.Struct, kw_only=True):
    """The cleaned body plus what cleaning found and took out (kept for explainability)."""

    text: str
    title: str | None = None
    dateline: str | None = None  # the place part of the dateline, as written
    removed: list[str] = msgspec.field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Knowledge: loaded and compiled once, at import.


def load_boilerplate(path: Path | None = None) -> dict[str, list[str]]:
    """Read the sectioned knowledge file; entries keep file order so errors can name a line."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    name = ""
    text = path.read_text(encoding="utf-8") if path else read_text(BOILERPLATE)
    for number, raw in enumerate(text.splitlines(), 1):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        if re.fullmatch(r"\[\w+\]", entry):
            name = entry[1:-1]
            current = sections.setdefault(name, [])
            continue
        if current is None:
            raise ValueError(f"{path}:{number}: entry before any [section]")
        if name in PATTERN_SECTIONS:
            try:
                re.compile(entry, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"{path}:{number}: bad pattern {entry!r}: {exc}") from None
        current.append(entry)
    return sections


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    """One compiled alternation per section: one regex call per line instead of dozens."""
    return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!)", re.IGNORECASE)


def _words(entries: list[str]) -> frozenset[str]:
    return frozenset(word.lower() for entry in entries for word in entry.split())


def _furniture(sections: dict[str, list[str]]) -> re.Pattern[str]:
    """All whole-line sections in one regex; the named group that matched says which kind.

    It runs on the lower-cased line without re.IGNORECASE: half the cost, and this is the
    check every line pays.
    """
    kinds = {"trailer": "trailer", "list_start": "list", "line": "boilerplate", "credit": "credit"}
    endings = {"trailer": r"\s*[:.…]*", "list_start": r"\s*[:.…]*"}
    parts = [f"(?P<{kind}>(?:{_alternation(sections.get(name, [])).pattern}){endings.get(name, '')})"
             for name, kind in kinds.items()]
    return re.compile("|".join(parts))


_KNOWLEDGE = load_boilerplate()
_FURNITURE = _furniture(_KNOWLEDGE)
_CAPTION_END = _alternation(_KNOWLEDGE.get("caption_end", []))
_FRAGMENT = _alternation(_KNOWLEDGE.get("fragment", []))
_FRAGMENT_WITH_SPACE = re.compile(rf"\s*(?:{_FRAGMENT.pattern})", re.IGNORECASE)
_CONTAINS = tuple(p.lower() for p in _KNOWLEDGE.get("contains", []))
_TRAILER_CONTAINS = tuple(p.lower() for p in _KNOWLEDGE.get("trailer_contains", []))
_CREDIT_VERBS = _words(_KNOWLEDGE.get("credit_verb", []))
_PARTICLES = _words(_KNOWLEDGE.get("name_particle", []))
_DATEWORDS = _words(_KNOWLEDGE.get("dateword", []))
_NOT_DATELINE = _words(_KNOWLEDGE.get("not_dateline", []))
_NOT_NAME_START = _words(_KNOWLEDGE.get("not_name_start", []))

# --------------------------------------------------------------------------------------------
# Structure: text normalisation.

_MAX_SHORT = 300  # characters; longer lines are body paragraphs, never furniture
_ODD_SPACE = re.compile("[\t\v\f\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_SPACE_RUN = re.compile("  +")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
                        "\x00-\x08\x0e-\x1f\x7f]")
_UNICODE_NEWLINE = re.compile("[\u2028\u2029\x85]")


def _normalise(raw: str) -> str:
    """NFC, one kind of newline, plain single spaces, no invisible characters; quotes untouched.

    Each step is one C-level pass over the text (a 50 MB page stays cheap).
    """
    text = raw
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = _UNICODE_NEWLINE.sub("\n", text)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _ODD_SPACE.sub(" ", text)
    return _SPACE_RUN.sub(" ", text)


# --------------------------------------------------------------------------------------------
# Structure: what furniture lines look like.

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
_SENTENCE_END = frozenset(".!?…:;")


def _last_char(line: str) -> str:
    stripped = line.rstrip(_CLOSERS)
    return stripped[-1] if stripped else ""


def _is_dateword(token: str) -> bool:
    word = token.strip(_TOKEN_EDGES).lower()
    return not word or word in _DATEWORDS or word.rstrip(".") in _DATEWORDS or bool(
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
    if not words or len(words) > 6:
        return False
    for word in words:
        if word[0].isupper() or word[0] == "@" or word.lower() in _PARTICLES:
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
    if first[0].strip(".,").lower() in _NOT_NAME_START or not _name_words(first):
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
            if not all(word.lower() in _CREDIT_VERBS for word in verb.split()):
                return None
            if verb.lower() not in ("written", "words", "story", "text", "posted"):
                kind = "credits"
        if not _is_name_list(match["rest"]):
            return None
    return kind


def _caption_tail(line: str) -> bool:
    """Captions end with a credit: "... on Tuesday. REUTERS/Jane Doe", "(Photo: AFP)"."""
    tail = line[-160:]
    if not ("/" in tail or ")" in tail or ":" in tail or "hoto" in tail or "HOTO" in tail
            or "icture" in tail):
        return False  # cheap test first: the regex search is the costliest check per line
    return _CAPTION_END.search(tail) is not None


def _classify(line: str, nwords: int) -> str | None:
    """Why a short line is furniture, or None when it may be article text."""
    lowered = line.lower()
    match = _FURNITURE.fullmatch(lowered)
    if match:
        return match.lastgroup
    if _URL_LINE.fullmatch(line):
        return "boilerplate"
    if any(phrase in lowered for phrase in _TRAILER_CONTAINS):
        return "trailer"
    if any(phrase in lowered for phrase in _CONTAINS):
        return "boilerplate"
    if nwords <= 60 and _caption_tail(line):
        return "caption"
    if nwords <= 25 and _is_timestamp(line):
        return "timestamp"
    if nwords <= 40 and ("by" in lowered) and _BY.search(line):
        return _byline_kind(line)
    return None


# --------------------------------------------------------------------------------------------
# Structure: headlines and datelines.

_KEY_JUNK = re.compile(r"[\W_]+")
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " • ")


def _key(text: str) -> str:
    """Comparison key for headlines: case, quotes and punctuation do not matter."""
    return _KEY_JUNK.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _title_keys(title: str) -> set[str]:
    """The title and the title without a " | Site name" suffix."""
    keys = {_key(title)}
    for separator in _TITLE_SEPARATORS:
        if separator in title:
            keys.add(_key(title.rsplit(separator, 1)[0]))
            keys.add(_key(title.split(separator, 1)[0]))
    keys.discard("")
    return keys


def _is_kicker(line: str, max_words: int = 3) -> bool:
    """A section label above the headline ("World", "Middle East")."""
    return (len(line) <= 80 and line.count(" ") < max_words
            and _last_char(line) not in _SENTENCE_END)


def _body_like(line: str) -> bool:
    words = line.count(" ") + 1
    return words > 25 or (words >= 8 and _last_char(line) in ".!?…")


_LABEL_GLUE = frozenset({"of", "and", "the", "for", "&"})


def _name_shaped(line: str) -> bool:
    """An author, agency or place label on its own header line ("Maria Delgado", "Dubai")."""
    words = [word for word in line.split() if word.lower() not in _LABEL_GLUE]
    return (line.count(" ") < 4 and _last_char(line) not in _SENTENCE_END
            and not any(c.isdigit() for c in line) and _name_words(words))


def _header_furniture(kept: list[tuple[str, int]]) -> list[int]:
    """Name-shaped lines between the top and the first body paragraph: authors, labels."""
    limit = min(8, len(kept))
    body_at = next((i for i in range(limit) if _body_like(kept[i][0])
                    or _dateline(kept[i][0]) is not None), None)
    if body_at is None:
        return []  # no body paragraph in sight: do not guess
    return [i for i in range(body_at) if _name_shaped(kept[i][0])]


def _headline_like(line: str) -> bool:
    words = line.count(" ") + 1
    return (3 <= words <= 25 and len(line) <= 220 and not line[0].islower()
            and _last_char(line) not in ".,;:…")


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


def _dateline(line: str) -> tuple[str | None, int] | None:
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
    if place.lower() in _NOT_DATELINE or all(w.lower().strip(".") in _NOT_DATELINE
                                               for w in place.split()):
        return None
    bare = not (agency or caps or region or match["date"])
    if bare and (sep != ":" or place.split()[0].lower() in _NOT_DATELINE or "." in place
                 or not _body_like(line[match.end():])):
        # A bare title-case place needs a colon and a sentence after it: "Dubai: The UAE ...",
        # but not "Macron — who ...", "Prof. Carlos: ..." or "Star Wars Jedi: Fallen Order".
        return None
    if match.end() < len(line) and line[match.end()].islower() and not agency:
        return None  # "Paris, France: the ..." reads as a sentence, not a dateline
    return place + (region or ""), match.end()


# --------------------------------------------------------------------------------------------
# The stage.


def _strip_fragments(line: str, removed: list[str]) -> str:
    """Credits inside body lines ("(Photo: AFP)") go; the sentence stays."""
    if "(" not in line and "[" not in line:
        return line
    found = _FRAGMENT.findall(line)
    if not found:
        return line
    removed.extend(found)
    return _FRAGMENT_WITH_SPACE.sub("", line).strip()


def _wrapped_blocks(kept: list[tuple[str, int]]) -> set[int]:
    """Blocks that look hard-wrapped (lines of similar, modest width): their lines rejoin."""
    lengths: dict[int, list[int]] = {}
    for line, block in kept:
        lengths.setdefault(block, []).append(len(line))
    wrapped = set()
    for block, sizes in lengths.items():
        widest = max(sizes)
        if len(sizes) >= 3 and widest <= 100 and min(sizes[:-1]) >= max(50, 0.75 * widest):
            wrapped.add(block)
    return wrapped


def _paragraphs(kept: list[tuple[str, int]]) -> list[str]:
    """Rejoin lines split mid-sentence (wrapping, an ad between halves); one line per paragraph."""
    wrapped = _wrapped_blocks(kept)
    paragraphs: list[str] = []
    previous_block = -1
    for line, block in kept:
        if paragraphs and _last_char(paragraphs[-1]) not in _SENTENCE_END and (
            line[0].islower() or (block == previous_block and block in wrapped
                                  and line[0] not in "•*-–—")
        ):
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
        previous_block = block
    return paragraphs


def clean_text(raw: str, *, title: str | None = None) -> Cleaned:
    """Clean scraped article text: drop page furniture, find the headline and the dateline.

    ``title`` (e.g. from page metadata) helps spot the headline repeated at the top; without
    it the first headline-shaped line is taken as the title.
    """
    removed: list[str] = []
    given = " ".join(title.split()) if title and title.strip() else None
    title_keys = _title_keys(given) if given else set()
    # cheap length gate before computing a line's key (the key is the costlier step)
    title_sizes = (min(map(len, title_keys)) // 2, 2 * max(map(len, title_keys)) + 8) if title_keys else (0, 0)
    kept: list[tuple[str, int]] = []  # (line, block); blocks are split by blank lines
    seen: dict[int, int] = {}  # hash of a long-enough line -> its index in kept
    duplicated_early: set[int] = set()
    title_at: int | None = None
    block = 0
    listing = False  # inside a "Related articles" list: headline-like lines go too
    caption_next = False  # after a bare "Image caption," label

    for line in _normalise(raw).split("\n"):
        line = line.strip()
        if not line:
            block += 1
            continue
        nwords = line.count(" ") + 1
        short = len(line) <= _MAX_SHORT
        if title_sizes[0] <= len(line) <= title_sizes[1] and _key(line) in title_keys:
            removed.append(line)
            if title_at is None:
                title_at = len(kept)
            continue
        kind = _classify(line, nwords) if short else None
        if kind is None and listing and nwords <= 25 and _last_char(line) not in ".…":
            kind = "listed"
        if kind is None and caption_next and nwords <= 60:
            kind = "caption"  # the text under an "Image caption," label
        caption_next = kind == "credit" and line[-1] in ",:"
        if kind:
            removed.append(line)
            if kind in ("trailer", "list", "credits"):
                listing = True
            continue
        listing = False
        line = _strip_fragments(line, removed)
        if not line:
            continue
        if nwords >= 4:  # a standfirst repeated below the headline, a doubled paragraph
            digest = hash(line.casefold())
            first = seen.get(digest)
            # Only near the top or back to back: Q&A pages repeat their questions legitimately.
            if first is not None and (first == len(kept) - 1 or (first < 8 and len(kept) < 16)):
                removed.append(line)
                if first < 5:
                    duplicated_early.add(first)
                continue
            seen[digest] = len(kept)
        kept.append((line, block))

    found_title = given
    if given and title_at:  # labels above the headline: section, organisation, "Live"
        kept = _drop(kept, [i for i in range(title_at) if _is_kicker(kept[i][0], 8)], removed)
    elif not given:
        found_title, kept = _find_title(kept, duplicated_early, removed)
    kept = _drop(kept, _header_furniture(kept), removed)

    place: str | None = None
    for index in range(min(3, len(kept))):
        line, line_block = kept[index]
        found = _dateline(line)
        if found is None:
            continue
        place, end = found
        removed.append(line[:end].strip())
        rest = line[end:].strip()
        kept = kept[:index] + ([(rest, line_block)] if rest else []) + kept[index + 1:]
        break

    return Cleaned(text="\n\n".join(_paragraphs(kept)), title=found_title, dateline=place,
                   removed=removed)


def _drop(kept: list[tuple[str, int]], indexes: list[int], removed: list[str]) -> list[tuple[str, int]]:
    if not indexes:
        return kept
    gone = set(indexes)
    removed.extend(kept[i][0] for i in indexes)
    return [item for i, item in enumerate(kept) if i not in gone]


def _find_title(kept: list[tuple[str, int]], duplicated: set[int],
                removed: list[str]) -> tuple[str | None, list[tuple[str, int]]]:
    """The first headline-shaped line (after section labels) is the headline, if body follows."""
    index = 0
    while index < min(3, len(kept)) and _is_kicker(kept[index][0]) and _dateline(kept[index][0]) is None:
        index += 1
    if index >= len(kept) - 1:
        return None, kept
    candidate, block = kept[index]
    following, following_block = kept[index + 1]
    repeated = index in duplicated and candidate.count(" ") < 30
    if not (repeated or _headline_like(candidate)) or _dateline(candidate) is not None:
        return None, kept
    if following[0].islower() or (block == following_block and block in _wrapped_blocks(kept)):
        return None, kept  # the first line of a paragraph cut mid-sentence, not a headline
    key = _key(candidate)
    drop = list(range(index + 1))
    drop += [i for i in range(index + 1, len(kept)) if len(kept[i][0]) <= _MAX_SHORT
             and _key(kept[i][0]) == key]
    return candidate, _drop(kept, drop, removed)


# --------------------------------------------------------------------------------------------
# Article records.


def parse_date(value: dt.date | str | None) -> dt.date | None:
    """A date from a date, a datetime, "YYYY-MM-DD" or a full ISO datetime string."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):  # ValueError like a bad string: readers report both the same way
        raise ValueError(f"invalid date {value!r}: expected a datetime.date or an ISO 8601 string")
    text = value.strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace("z", "Z")).date()
    except ValueError:
        raise ValueError(
            f"invalid date {value!r}: expected YYYY-MM-DD or an ISO 8601 datetime") from None


def make_article(
    raw_text: str,
    *,
    url: str | None = None,
    title: str | None = None,
    date: dt.date | str | None = None,
    source: str | None = None,
    origin: str | None = None,
    language: str | None = None,
) -> tuple[Article, Cleaned]:
    """Clean the text and build the Article record; the Cleaned result rides along for tracing."""
    parsed = parse_date(date)  # fail on a bad date before doing any work
    cleaned = clean_text(raw_text, title=title)
    article = Article(
        id=article_id(url, cleaned.text),
        text=cleaned.text,
        url=url,
        source=source,
        title=cleaned.title,
        date=parsed,
        dateline=cleaned.dateline,
        language=language,
        origin=origin,
    )
    return article, cleaned
