"""Stored parses: what `ingest` writes is the Doc `recode` reads back, in any vocabulary."""

from __future__ import annotations

import spacy
from spacy.tokens import DocBin

from dyad.corpus.ingest import PARSE_ATTRS, _parse_bin_class, doc_from_bytes, doc_to_bytes

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


def test_any_docbin_reads_back_as_spacys_own_reader_reads_it(nlp):
    """`doc_from_bytes` reads a DocBin's message itself: any DocBin's bytes, of several Docs, with spans or
    user data, give the Docs spaCy's DocBin gives."""
    docs = list(nlp.pipe(TEXTS))
    for doc in docs:
        doc.user_data.clear()  # dyad's own extensions' values: not data a DocBin can pack
    docs[1].spans["people"] = [docs[1][0:1]]
    docs[2].user_data["seen"] = True
    for store_user_data in (False, True):
        data = DocBin(store_user_data=store_user_data, docs=docs).to_bytes()
        ours = list(_parse_bin_class()().from_bytes(data).get_docs(spacy.blank("en").vocab))
        theirs = list(DocBin().from_bytes(data).get_docs(spacy.blank("en").vocab))
        assert [_tokens(d) for d in ours] == [_tokens(d) for d in theirs] == [_tokens(d) for d in docs]
        assert [list(d.spans) for d in ours] == [list(d.spans) for d in theirs]
        assert [d.user_data for d in ours] == [d.user_data for d in theirs]
        assert doc_from_bytes(data, spacy.blank("en").vocab).text == docs[0].text
