"""The `dyad_paragraphs` component: a paragraph break always starts a new sentence.

Runs before the parser, which keeps preset boundaries. Without it the parser sometimes glues a
closing quotation mark or a headline onto the next paragraph's first sentence.
"""

from __future__ import annotations

import numpy
from spacy.language import Language
from spacy.tokens import Doc

from dyad.extensions import ends_paragraph


@Language.component("dyad_paragraphs", assigns=["token.is_sent_start"])
def mark_paragraph_starts(doc: Doc) -> Doc:
    """The token after each line break starts a sentence. spaCy keeps a line break as a whitespace token
    (a token's own trailing whitespace is at most one space), so only those few tokens are visited, and
    the starts are written in one array (`Token.is_sent_start`'s setter rescans the Doc on every call)."""
    last = len(doc) - 1
    starts = [i + 1 for i in numpy.flatnonzero(doc.to_array("IS_SPACE")).tolist()
              if i < last and ends_paragraph(doc[i])]
    if starts:
        sent_starts = doc.to_array(["SENT_START"]).reshape(-1, 1)
        sent_starts[starts, 0] = 1
        doc.from_array(["SENT_START"], sent_starts)
    return doc
