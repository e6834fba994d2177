"""The `Doc._` extensions dyad's components fill, registered once on import.

- `doc._.article`: the Article being coded (set before parsing; gives the publication date);
- `doc._.actors`, `doc._.events`, `doc._.quotes`, `doc._.places`: lists of records;
- `doc._.actor_at`: token index -> index into `doc._.actors`, for the event coder;
- `doc._.national_objects`: token index -> Actor for nouns only a country modifies ("Chinese goods"):
  not actors, but what an event aimed at them is aimed at (event targets only);
- `doc._.dyad_errors`: "stage: error" strings; a component that fails on one document records the
  error there instead of breaking the batch;
- `doc._.dyad_warnings`: what a stage did to the document that a reader should know (a run-on sentence
  cut); the pipeline adds them to `Result.warnings`.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

for _name in ("article", "actors", "events", "quotes", "places", "actor_at", "national_objects", "dyad_errors",
              "dyad_warnings"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def ends_paragraph(token: Token) -> bool:
    """Whether a line break follows this token (or is this whitespace token): a paragraph ends here."""
    return "\n" in token.whitespace_ or (token.is_space and "\n" in token.text)


def sentences(doc: Doc) -> list[Span]:
    """The document's sentences; made once per document and cached on it (`doc.sents` walks the tokens
    on every access)."""
    cached = doc.user_data.get("dyad_sentences")
    if cached is None:
        cached = doc.user_data["dyad_sentences"] = list(doc.sents)
    return cached


def sentence_index_of(doc: Doc) -> list[int]:
    """Per token, the index of its sentence; computed once per document and cached on it."""
    cached = doc.user_data.get("dyad_sentence_index")
    if cached is None:
        cached = [0] * len(doc)
        for index, sent in enumerate(sentences(doc)):
            for i in range(sent.start, sent.end):
                cached[i] = index
        doc.user_data["dyad_sentence_index"] = cached
    return cached


def doc_text(doc: Doc) -> str:
    """The document's text: its article's, which the pipeline made it from, when that is the text (the same
    length as the tokens span), else `doc.text`. spaCy rebuilds `doc.text` from every token on each access,
    which on a whole article costs more than some stages (`python benchmarks/pipeline.py`)."""
    article = doc._.article
    if article is not None and len(doc) and len(article.text) == doc[-1].idx + len(doc[-1].text_with_ws):
        return article.text
    return doc.text


def record_error(doc: Doc, stage: str, error: BaseException) -> None:
    errors = doc._.dyad_errors or []
    errors.append(f"{stage}: {type(error).__name__}: {error}")
    doc._.dyad_errors = errors
