"""The `dyad_paragraphs` component: a paragraph break always starts a new sentence.

Runs before the parser, which keeps preset boundaries. Without it the parser sometimes glues a
closing quotation mark or a headline onto the next paragraph's first sentence.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from dyad.extensions import ends_paragraph


@Language.component("dyad_paragraphs", assigns=["token.is_sent_start"])
def mark_paragraph_starts(doc: Doc) -> Doc:
    for token in doc[:-1]:
        if ends_paragraph(token):
            doc[token.i + 1].is_sent_start = True
    return doc
