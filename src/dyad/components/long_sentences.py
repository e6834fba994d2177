"""The `dyad_long_sentences` component: text that runs on without sentence punctuation is cut into
sentences of at most MAX_SENTENCE_TOKENS tokens before the parser, which keeps preset boundaries.

Why: a scraped page with no full stops is one "sentence" of tens of thousands of tokens. The parser and
dyad's stages take time linear in its length, but every event carries its sentence's text (in the output
and the store): 4,000 events of one 200,000-character sentence would write 800 MB. A cut falls after the
last comma, semicolon or colon of the run's second half, so clauses stay whole; the article's Result says
so (`doc._.dyad_warnings`).
"""

from __future__ import annotations

import numpy
from spacy.language import Language
from spacy.tokens import Doc

import dyad.extensions  # noqa: F401  (registers doc._.dyad_warnings)

# Tokens a sentence may run to before it is cut. In the shared corpora (2,102 PolNeAR, GeoWebNews, LGL,
# GeoVirus and HTML-page articles) dyad's parse makes no sentence over 223 tokens and no run without
# sentence punctuation or a paragraph break over 221, so at 400 no real sentence is cut
# (`python benchmarks/long_sentences.py --corpus`: 0 articles cut). Each event repeats its sentence in
# the output and the store, so this also bounds an event's size (~2.5 KB).
MAX_SENTENCE_TOKENS = 400
CUT_WARNING = (f"text ran on without sentence punctuation: cut into sentences of at most {MAX_SENTENCE_TOKENS} "
               "tokens for coding")
_CLAUSE_ENDS = frozenset({",", ";", ":", "--", "\u2013", "\u2014"})


def ends_sentence(token) -> bool:
    """Whether the token is sentence-final punctuation (. ! ? ... ?!)."""
    return token.is_punct and token.text[-1] in ".!?"


def _longest_run(doc: Doc) -> int:
    """The most tokens between two sentence starts (a paragraph break or sentence-final punctuation),
    read from the token arrays: a Token object per word would cost more than the whole check."""
    orth, punct, start = doc.to_array(["ORTH", "IS_PUNCT", "SENT_START"]).T
    strings = doc.vocab.strings
    finals = [o for o in set(orth[punct == 1].tolist()) if strings[o][-1:] in (".", "!", "?")]
    boundaries = numpy.flatnonzero(numpy.isin(orth, finals) & (punct == 1)) + 1
    boundaries = numpy.union1d(numpy.union1d(boundaries, numpy.flatnonzero(start == 1)), [0, len(doc)])
    return int(numpy.diff(boundaries).max(initial=0))


@Language.component("dyad_long_sentences", assigns=["token.is_sent_start"])
def cut_long_sentences(doc: Doc) -> Doc:
    if len(doc) < MAX_SENTENCE_TOKENS or _longest_run(doc) < MAX_SENTENCE_TOKENS:
        return doc  # nearly every article: no run to cut
    run_start, last_break, cut_any = 0, None, False
    for token in doc:
        i = token.i
        if i > run_start and token.is_sent_start:  # a paragraph break (dyad_paragraphs)
            run_start, last_break = i, None
        elif i - run_start >= MAX_SENTENCE_TOKENS:
            # after the run's last clause end in its second half, else here
            cut = last_break if last_break is not None and last_break - run_start >= MAX_SENTENCE_TOKENS // 2 else i
            doc[cut].is_sent_start = True
            run_start, last_break, cut_any = cut, None, True
        if ends_sentence(token):
            run_start, last_break = i + 1, None
        elif token.text in _CLAUSE_ENDS and i + 1 < len(doc):
            last_break = i + 1
    if cut_any:
        doc._.dyad_warnings = [*(doc._.dyad_warnings or []), CUT_WARNING]
    return doc
