"""The `dyad_quotes` component: quotations and who said them.

A quotation is a passage between matching quotation marks. Its speaker is the subject of the
nearest cue verb ("said", "warned", ...) outside the quoted words in the same or the next
sentence; a pronoun or role noun resolves to the nearest named person before the quote, and a
quote with no cue continues the previous speaker when it opens its paragraph.
"""

from __future__ import annotations

import re
from importlib import resources

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from dyad.extensions import record_error, sentence_index_of
from dyad.records import Quote

_QUOTE = re.compile(r"“([^”“]{2,}?)(?:”|(?=\n\n))|\"([^\"\n]{2,}?)\"")
CUE_LEMMAS = frozenset(
    line.strip()
    for line in resources.files("dyad.knowledge").joinpath("quote_cues.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
_ROLE_OR_PRONOUN = frozenset({"PRON", "DET"})


def _cue_and_speaker(doc: Doc, quote: Span, sents: list[Span],
                     sentence_of: list[int]) -> tuple[Token | None, Token | None]:
    first = sentence_of[quote.start]
    last = sentence_of[max(quote.end - 1, quote.start)]
    for index in (last, first, last + 1):
        if index >= len(sents):
            continue
        for token in sents[index]:
            if quote.start <= token.i < quote.end or token.lemma_ not in CUE_LEMMAS or token.pos_ != "VERB":
                continue
            subject = next((c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subject is not None:
                return token, subject
    return None, None


def _named_person_before(doc: Doc, position: int) -> Span | None:
    best = None
    for ent in doc.ents:
        if ent.start >= position:
            break
        if ent.label_ == "PERSON":
            best = ent
    return best


class QuoteExtractor:
    def __init__(self, nlp: Language):
        pass

    def __call__(self, doc: Doc) -> Doc:
        try:
            doc._.quotes = self._extract(doc)
        except Exception as error:  # one bad document must not break the batch
            doc._.quotes = []
            record_error(doc, "quotes", error)
        return doc

    def _extract(self, doc: Doc) -> list[Quote]:
        if '"' not in doc.text and "“" not in doc.text:
            return []
        sents = list(doc.sents)
        sentence_of = sentence_index_of(doc)
        actors, actor_at = doc._.actors or [], doc._.actor_at or {}
        quotes: list[Quote] = []
        previous: Quote | None = None
        for match in _QUOTE.finditer(doc.text):
            group = 1 if match.group(1) is not None else 2
            span = doc.char_span(match.start(group), match.end(group), alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            cue, subject = _cue_and_speaker(doc, span, sents, sentence_of)
            speaker = speaker_name = speaker_code = None
            if subject is not None:
                phrase = doc[subject.left_edge.i: subject.i + 1]
                speaker = phrase.text
                if subject.pos_ == "PROPN":
                    ent = next((e for e in doc.ents if e.start <= subject.i < e.end), None)
                    speaker_name = ent.text if ent is not None else phrase.text
                else:
                    person = _named_person_before(doc, span.start)
                    speaker_name = person.text if person is not None else None
                coded = actor_at.get(subject.i)
                speaker_code = actors[coded].code if coded is not None else None
            elif previous is not None and match.start() > 0 and doc.text[match.start() - 1] == "\n":
                speaker, speaker_name, speaker_code = previous.speaker, previous.speaker_name, previous.speaker_code
            quote = Quote(text=match.group(group), start=match.start(group), end=match.end(group),
                          speaker=speaker, speaker_name=speaker_name, speaker_code=speaker_code,
                          cue=cue.text if cue is not None else None, sentence_index=sentence_of[span.start])
            quotes.append(quote)
            previous = quote
        return quotes


@Language.factory("dyad_quotes")
def make_quote_extractor(nlp: Language, name: str) -> QuoteExtractor:
    return QuoteExtractor(nlp)
