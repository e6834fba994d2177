"""Cleaning stage: scraped news page text -> the article body every later stage reads.

Scrapers hand us the body plus page furniture: repeated headlines, photo credits, bylines,
timestamps, share bars, "Read more" links, copyright trailers. Left in, these become bogus
sentences (and bogus events), and a wire dateline glued to the first sentence confuses the
parser. Cleaning works line by line: scraped furniture sits on its own short lines, while body
paragraphs are long, so a phrase inside a sentence never removes it.

This module holds the passes (normalise, drop furniture lines and repeats, find the headline and
the dateline, rejoin paragraphs); :mod:`.furniture` says what each kind of furniture line looks
like and :mod:`.boilerplate` loads the phrases, which are knowledge (``knowledge/boilerplate.txt``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import msgspec

from dyad.article.boilerplate import FRAGMENT, FRAGMENT_WITH_SPACE, GLUED_LEAD, GLUED_SENTENCE_START
from dyad.article.furniture import (
    CAPTION_MAX_WORDS,
    MAX_SHORT,
    SENTENCE_END,
    body_like,
    classify,
    dateline,
    last_char,
    name_shaped,
)
from dyad.records import Article, article_id

__all__ = ["Cleaned", "clean_text", "date_on_page", "make_article", "parse_date", "unicode_text"]

# Where headlines, labels and repeats are looked for, and what wrapped text looks like. Set by
# hand on the scraped fixtures of tests/test_clean.py; re-measure with
# `python -m pytest tests/test_clean.py` and `python benchmarks/html_extraction.py` (cleaned F1).
_KICKER_MAX_CHARS = 80  # a section label above the headline ("World", "Middle East") is short
_KICKER_MAX_SPACES = 3  # ...and has fewer spaces
_LABEL_ABOVE_TITLE_MAX_SPACES = 8  # a label above a known headline ("Live", the organisation)
_KICKER_LINES = 3  # section labels are looked for in the first lines only
_DATELINE_LINES = 3  # so is the dateline
_HEADER_LINES = 8  # the first body paragraph is looked for in the first lines only
_HEADLINE_MIN_WORDS, _HEADLINE_MAX_WORDS = 3, 25
_HEADLINE_MAX_CHARS = 220
_REPEATED_HEADLINE_MAX_SPACES = 30  # a line repeated near the top is the headline when shorter
_TITLE_SLACK = 8  # characters a line may exceed twice the title's length and still be the title
_LISTED_MAX_WORDS = 25  # a line of a "Related articles" list is no longer
_DUPLICATE_MIN_WORDS = 4  # shorter lines may repeat legitimately ("Photo", "Share")
_DUPLICATE_TOP_LINES, _DUPLICATE_TOP_KEPT = 8, 16  # "near the top": first within, kept so far below
_EARLY_LINES = 5  # a repeat of one of these may be the headline (standfirst below it)
_WRAP_MIN_LINES = 3  # a hard-wrapped block has at least these lines
_WRAP_MAX_WIDTH = 100  # ...none wider (characters)
_WRAP_MIN_WIDTH, _WRAP_MIN_SHARE = 50, 0.75  # ...and all but the last at least this wide / share of the widest


class Cleaned(msgspec.Struct, kw_only=True):
    """The cleaned body plus what cleaning found and took out (kept for explainability)."""

    text: str
    title: str | None = None
    dateline: str | None = None  # the place part of the dateline, as written
    removed: list[str] = msgspec.field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Text normalisation.

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
# Headlines.

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


def _is_kicker(line: str, max_spaces: int = _KICKER_MAX_SPACES) -> bool:
    """A section label above the headline ("World", "Middle East")."""
    return (len(line) <= _KICKER_MAX_CHARS and line.count(" ") < max_spaces
            and last_char(line) not in SENTENCE_END)



def _header_furniture(kept: list[tuple[str, int]]) -> list[int]:
    """Name-shaped lines between the top and the first body paragraph: authors, labels."""
    limit = min(_HEADER_LINES, len(kept))
    body_at = next((i for i in range(limit) if body_like(kept[i][0])
                    or dateline(kept[i][0]) is not None), None)
    if body_at is None:
        return []  # no body paragraph in sight: do not guess
    return [i for i in range(body_at) if name_shaped(kept[i][0])]


def _headline_like(line: str) -> bool:
    words = line.count(" ") + 1
    return (_HEADLINE_MIN_WORDS <= words <= _HEADLINE_MAX_WORDS and len(line) <= _HEADLINE_MAX_CHARS
            and not line[0].islower() and last_char(line) not in ".,;:…")



# --------------------------------------------------------------------------------------------
# The stage.

def _strip_fragments(line: str, removed: list[str]) -> str:
    """Credits inside body lines ("(Photo: AFP)") go; the sentence stays."""
    if "(" not in line and "[" not in line:
        return line
    found = FRAGMENT.findall(line)
    if not found:
        return line
    removed.extend(found)
    return FRAGMENT_WITH_SPACE.sub("", line).strip()


def _strip_glued_link(line: str, removed: list[str]) -> str:
    """'Read more: X expels diplomats over Y The ministry said ...': the link lead and its headline go, the
    body sentence glued after them stays (knowledge: [glued_lead], [glued_sentence_start])."""
    lead = GLUED_LEAD.search(line)
    if lead is None:
        return line
    before, words = line[:lead.start()], line[lead.end():].split(" ")
    for k in range(1, len(words)):
        if words[k] in GLUED_SENTENCE_START and words[k - 1] and words[k - 1][-1].isalnum():
            removed.append(" ".join([line[lead.start():lead.end()].strip(), *words[:k]]))
            return before + " ".join(words[k:])
    if before.strip():
        removed.append(line[lead.start():].strip())
        return before.rstrip()  # the link ends the line: the sentences before it stay
    return line  # a link and a headline alone: whole-line furniture (or a long line left as it was)


def _wrapped_blocks(kept: list[tuple[str, int]]) -> set[int]:
    """Blocks that look hard-wrapped (lines of similar, modest width): their lines rejoin."""
    lengths: dict[int, list[int]] = {}
    for line, block in kept:
        lengths.setdefault(block, []).append(len(line))
    wrapped = set()
    for block, sizes in lengths.items():
        widest = max(sizes)
        if (len(sizes) >= _WRAP_MIN_LINES and widest <= _WRAP_MAX_WIDTH
                and min(sizes[:-1]) >= max(_WRAP_MIN_WIDTH, _WRAP_MIN_SHARE * widest)):
            wrapped.add(block)
    return wrapped


def _paragraphs(kept: list[tuple[str, int]]) -> list[str]:
    """Rejoin lines split mid-sentence (wrapping, an ad between halves); one line per paragraph."""
    wrapped = _wrapped_blocks(kept)
    paragraphs: list[str] = []
    previous_block = -1
    for line, block in kept:
        if paragraphs and last_char(paragraphs[-1]) not in SENTENCE_END and (
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
    title_sizes = ((min(map(len, title_keys)) // 2, 2 * max(map(len, title_keys)) + _TITLE_SLACK)
                   if title_keys else (0, 0))
    kept: list[tuple[str, int]] = []  # (line, block); blocks are split by blank lines
    seen: dict[int, int] = {}  # hash of a long-enough line -> its index in kept
    duplicated_early: set[int] = set()
    title_at: int | None = None
    block = 0
    listing = False  # inside a "Related articles" list: headline-like lines go too
    caption_next = False  # after a bare "Image caption," label

    for line in _normalise(raw).split("\n"):
        line = _strip_glued_link(line.strip(), removed)
        if not line:
            block += 1
            continue
        nwords = line.count(" ") + 1
        short = len(line) <= MAX_SHORT
        if title_sizes[0] <= len(line) <= title_sizes[1] and _key(line) in title_keys:
            removed.append(line)
            if title_at is None:
                title_at = len(kept)
            continue
        kind = classify(line, nwords) if short else None
        if kind is None and listing and nwords <= _LISTED_MAX_WORDS and last_char(line) not in ".…":
            kind = "listed"
        if kind is None and caption_next and nwords <= CAPTION_MAX_WORDS:
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
        if nwords >= _DUPLICATE_MIN_WORDS:  # a standfirst repeated below the headline, a doubled paragraph
            digest = hash(line.casefold())
            first = seen.get(digest)
            # Only near the top or back to back: Q&A pages repeat their questions legitimately.
            if first is not None and (first == len(kept) - 1 or (first < _DUPLICATE_TOP_LINES
                                                                 and len(kept) < _DUPLICATE_TOP_KEPT)):
                removed.append(line)
                if first < _EARLY_LINES:
                    duplicated_early.add(first)
                continue
            seen[digest] = len(kept)
        kept.append((line, block))

    found_title = given
    if given and title_at:  # labels above the headline: section, organisation, "Live"
        kept = _drop(kept, [i for i in range(title_at) if _is_kicker(kept[i][0], _LABEL_ABOVE_TITLE_MAX_SPACES)],
                     removed)
    elif not given:
        found_title, kept = _find_title(kept, duplicated_early, removed)
    kept = _drop(kept, _header_furniture(kept), removed)

    place, kept = _cut_dateline(kept, removed)
    return Cleaned(text="\n\n".join(_paragraphs(kept)), title=found_title, dateline=place,
                   removed=removed)


def _cut_dateline(kept: list[tuple[str, int]], removed: list[str]) -> tuple[str | None, list[tuple[str, int]]]:
    """The wire dateline opening one of the first lines goes; its place is kept (as written)."""
    for index in range(min(_DATELINE_LINES, len(kept))):
        line, line_block = kept[index]
        found = dateline(line)
        if found is None:
            continue
        place, end = found
        removed.append(line[:end].strip())
        rest = line[end:].strip()
        return place, kept[:index] + ([(rest, line_block)] if rest else []) + kept[index + 1:]
    return None, kept


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
    while index < min(_KICKER_LINES, len(kept)) and _is_kicker(kept[index][0]) and dateline(kept[index][0]) is None:
        index += 1
    if index >= len(kept) - 1:
        return None, kept
    candidate, block = kept[index]
    following, following_block = kept[index + 1]
    repeated = index in duplicated and candidate.count(" ") < _REPEATED_HEADLINE_MAX_SPACES
    if not (repeated or _headline_like(candidate)) or dateline(candidate) is not None:
        return None, kept
    if following[0].islower() or (block == following_block and block in _wrapped_blocks(kept)):
        return None, kept  # the first line of a paragraph cut mid-sentence, not a headline
    key = _key(candidate)
    drop = list(range(index + 1))
    drop += [i for i in range(index + 1, len(kept)) if len(kept[i][0]) <= MAX_SHORT
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
        raise ValueError(f"invalid date {value!r:.80}: expected a datetime.date or an ISO 8601 string")
    text = value.strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace("z", "Z")).date()
    except ValueError:
        raise ValueError(
            f"invalid date {value!r:.80}: expected YYYY-MM-DD or an ISO 8601 datetime") from None


def with_headline(title: str | None, body: str) -> str:
    """The text the pipeline codes: the headline as its own first paragraph, then the body. A headline is
    news ("Beijing bans online Bible sales" may be the only statement of the main event), coded like a
    sentence with the body's actors to resolve it; it is not repeated when the body already opens with it."""
    if not title or not body or body.lstrip().startswith(title.strip()):
        return body
    return f"{title.strip()}\n\n{body}"


_PAGE_DATE_LABEL = re.compile(
    r"^\W*(?:first\s+|last\s+)?(?:published|updated|posted|modified|date[ds]?)\b\s*(?:on|at)?\s*:?\s*", re.I)
_PAGE_DATE_PIECES = re.compile(r"\s*(?:[|·•—–]|\s-\s)\s*")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_PAGE_DATE_MAX_WORDS = 12  # a longer piece is a sentence, not a stamp


def date_on_page(lines: list[str]) -> tuple[dt.date, str] | None:
    """The publication date written on the page furniture that cleaning took out ("Published 14 Feb
    2025", "By Jo Roe | March 3, 2025 10:32 GMT"), read by dateparser; a day, month and year are all
    required (a wire dateline's "Feb 13" has no year). Returns (date, the line) or None."""
    candidates = [line for line in lines if _YEAR.search(line)]
    if not candidates:
        return None
    import dateparser  # ~0.3 s to import: only for an undated article whose furniture holds a year

    settings = {"STRICT_PARSING": True, "PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    for line in candidates:
        for piece in _PAGE_DATE_PIECES.split(line):
            piece = _PAGE_DATE_LABEL.sub("", piece).strip(" ,.()")
            if not _YEAR.search(piece) or len(piece.split()) > _PAGE_DATE_MAX_WORDS:
                continue
            found = dateparser.parse(piece, languages=["en"], settings=settings)
            if found is not None:
                return found.date(), line
    return None


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
    (raw_text, url, title, source), replaced = _unicode(raw_text, url, title, source)
    cleaned = clean_text(raw_text, title=title)
    article = Article(
        id=article_id(url, cleaned.text),  # of the body: ids stay what they were before headlines were coded
        text=with_headline(cleaned.title, cleaned.text),
        url=url,
        source=source,
        title=cleaned.title,
        date=parsed,
        dateline=cleaned.dateline,
        language=language,
        origin=origin,
    )
    if parsed is None and (on_page := date_on_page(cleaned.removed)) is not None:
        article.date = on_page[0]
        article.warnings.append(f"publication date {on_page[0].isoformat()} read from the page: {on_page[1]!r:.80}")
    if replaced:
        article.warnings.append(f"text repaired: {replaced} lone surrogate(s) in {origin or 'the text'} (not "
                                "characters: no UTF-8 can hold them) replaced with U+FFFD")
    return article, cleaned


def unicode_text(value: str) -> tuple[str, int]:
    """`value` with each lone surrogate (a JSON "\\ud800" escape: not a character, and no UTF-8 can hold it)
    as U+FFFD, and how many there were; a surrogate pair left split is joined."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        fixed = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return fixed, fixed.count("\ufffd") - value.count("\ufffd")
    return value, 0


def _unicode(*values: str | None) -> tuple[list[str | None], int]:
    fixed = [unicode_text(v) if v is not None else (None, 0) for v in values]
    return [v for v, _ in fixed], sum(n for _, n in fixed)
