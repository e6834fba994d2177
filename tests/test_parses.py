"""Stored parses: what `ingest` writes is the Doc `recode` reads back, in any vocabulary."""

from __future__ import annotations

import spacy
from spacy.tokens import DocBin

from dyad.corpus.ingest import PARSE_ATTRS, doc_from_bytes, doc_to_bytes

TEXTS = ["French President Emmanuel Macron met Chancellor Olaf Scholz in Berlin on Tuesday, officials said.",
         "Police arrested 14 protesters in Nairobi.\n\nThe protesters, who had marched for two days, were later "
         "released without charge, a spokesman for Kenya's interior ministry told reporters.",
         "Zxqv flibbertigibbets überfielen die Stadt; 'quoted' words — and “curly” ones — stayed."]


def _tokens(doc):
    return [(t.text, t.whitespace_, t.lemma_, t.tag_, t.pos_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_, str(t.morph),
             t.is_sent_start) for t in doc]


def test_a_stored_parse_reads_back_as_the_parsed_doc_in_a_fresh_vocab(nlp):
    for doc in nlp.pipe(TEXTS):
        fresh = spacy.blank("en").vocab  # every string must come from the bytes
        again = doc_from_bytes(doc_to_bytes(doc), fresh)
        assert _tokens(again) == _tokens(doc)
        assert (again.to_array(PARSE_ATTRS) == doc.to_array(PARSE_ATTRS)).all()


def test_a_stored_parse_is_what_spacys_own_docbin_stores(nlp):
    for doc in nlp.pipe(TEXTS):
        plain = DocBin(attrs=PARSE_ATTRS, store_user_data=False)
        plain.add(doc)
        ours = next(iter(DocBin().from_bytes(doc_to_bytes(doc)).get_docs(spacy.blank("en").vocab)))
        theirs = next(iter(DocBin().from_bytes(plain.to_bytes()).get_docs(spacy.blank("en").vocab)))
        assert _tokens(ours) == _tokens(theirs)
