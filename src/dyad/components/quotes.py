"""The `dyad_quotes` component: quotations and who said them.

A quotation is a passage between quotation marks (curly or straight); a paragraph that opens a quote
without closing it continues into the next paragraph's quote. Its speaker, in order of evidence:
1. the subject of a cue verb ("said", "warned", ...) outside the quoted words, in the quote's own
   sentences or in the sentence right after it ("..." the minister said.), or the object of
   "according to";
2. for a quote inside a sentence ("called them a \"disgrace\""), the subject of the verb governing it;
3. for a quote with neither, the previous quote's speaker (a speech continued).
Pronouns, role nouns and surnames ("he", "the governor", "Roe") resolve to a person named in the
article by salience and agreement (`persons.py`). Single quotation marks count around a clause said
(a British house style), not around a scare quote.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from dyad.components.arrays import SpansByStart, where
from dyad.components.persons import MAX_NAME_TOKENS, PEOPLE_KEY, ROLE_NOUNS, SUBJECTS, People, definite
from dyad.extensions import doc_text, record_error, sentence_index_of, sentences
from dyad.knowledge.tables import read_text
from dyad.records import Actor, Quote

# A curly quote runs to its closing mark, or to the end of its paragraph when the next paragraph
# opens a new quote (the typographic convention for a quote over several paragraphs); straight
# quotes pair within a paragraph.
# A curly quotation runs to its closing mark, or to the next opening mark (the wire convention for a quotation
# over several paragraphs opens each and closes only the last; scraped, they may run on in one line), or
# to a paragraph break.
_QUOTE = re.compile(r"“([^”“]*?)(?:”|(?=“)|(?=\n\s*\n)|$)|\"([^\"\n]+?)(?:\"|(?=\n))")
# Single quotation marks (a British house style) around words said: a clause of several words closed by
# its own punctuation ('... the same goal,' stressed PM Roe), not a scare quote ('evil clique') or a
# quote within a double-quoted one. An opening mark follows a space, a closing one precedes a space or
# punctuation; an apostrophe inside a word ("didn't") is not a mark.
_SINGLE_QUOTE = re.compile(r"(?:(?<=[\s(\[])|^)[‘']((?:[^‘’'\n]|(?<=\w)[’'](?=\w))+?)[’'](?=[\s,.;:!?)\]—–-]|$)")
CUE_LEMMAS = frozenset(
    line.strip()
    for line in read_text("quote_cues.txt").splitlines()
    if line.strip() and not line.startswith("#")
)
# Set by hand; re-measure with `dyad evaluate --task quotes ../shared/gold/quotes/polnear/data/dev`:
_MAX_TRAILING_CUE_DISTANCE = 8  # tokens between a quote and a cue in the next sentence ("...” Jo Roe said.")
_LAST_RESORT = 1000  # added to an introducing sentence's distance: beaten by any cue nearer the quote
_MIN_SINGLE_QUOTED_WORDS = 4  # set by hand: a quoted clause, not a phrase
_PERSONAL_PRONOUNS = frozenset({"he", "she", "i", "we", "they", "him", "her"})
_NAMED = frozenset({"PERSON", "ORG", "NORP", "GPE"})
# "— Jane Roe, Tucson": a dash line naming the speaker right after a quote (reader voices, epigraphs)
_DASH_CREDIT = re.compile(r"[”\"]?[^\S\n]*\n?[^\S\n]*[—–―-]{1,2}[^\S\n]*")


class _Speaker:
    __slots__ = ("code", "name", "person", "until", "written")

    def __init__(self, written: str | None, name: str | None, code: str | None, person: Span | None = None):
        self.written, self.name, self.code, self.person = written, name, code, person
        self.until = 0  # where the last quotation credited to this speaker ends (a character offset)


class QuoteExtractor:
    def __init__(self, nlp: Language):
        pass

    def __call__(self, doc: Doc) -> Doc:
        try:
            doc._.quotes = self._extract(doc)
            _speakers_as_first_person(doc)
        except Exception as error:  # one bad document must not break the batch
            doc._.quotes = []
            record_error(doc, "quotes", error)
        return doc

    def _extract(self, doc: Doc) -> list[Quote]:
        text = doc_text(doc)
        passages = []
        for start, end in _quotation_spans(text):
            while end > start and text[end - 1].isspace():
                end -= 1
            if start < end and any(ch.isalnum() for ch in text[start:end]):
                span = doc.char_span(start, end, alignment_mode="expand")
                if span is not None and len(span):
                    passages.append((start, end, span))
        inside = set()
        for _, _, span in passages:
            inside.update(range(span.start, span.end))
        context = _Context(doc, inside, text)
        quotes: list[Quote] = []
        previous: tuple[int, _Speaker] | None = None
        for start, end, span in passages:
            recent = previous[1] if previous is not None and _continues(text, previous[0], start) else None
            cue, speaker = None, context.dash_credit(end)
            if speaker is None:
                cue, speaker = context.attribute(span, recent)
            if speaker is None:
                speaker = recent
            quote = Quote(text=text[start:end], start=start, end=end,
                          speaker=speaker.written if speaker else None,
                          speaker_name=speaker.name if speaker else None,
                          speaker_code=speaker.code if speaker else None,
                          cue=cue.text if cue is not None else None,
                          sentence_index=context.sentence_of[span.start])
            quotes.append(quote)
            if speaker is not None:
                speaker.until = end
                previous = (end, speaker)
        return quotes


def _quotation_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the quoted words: double-quoted passages, then single-quoted ones outside them."""
    spans = []
    for match in _QUOTE.finditer(text):
        group = 1 if match.group(1) is not None else 2
        spans.append((match.start(group), match.end(group)))
    if "'" in text or "‘" in text:
        spans += [(m.start(1), m.end(1)) for m in _SINGLE_QUOTE.finditer(text)
                  if m.group(1)[-1] in ".,!?" and len(m.group(1).split()) >= _MIN_SINGLE_QUOTED_WORDS
                  and not any(a - 1 <= m.start() and m.end() <= b + 1 for a, b in spans)]
    return sorted(spans)


_LINE_BREAKS = re.compile(r"\n\s*")


_FIRST_PERSON = frozenset({"i", "we", "me", "us"})


def _speakers_as_first_person(doc: Doc) -> None:
    """Inside a quotation, "I" and "we" are its speaker: they become actor mentions with the speaker's
    code, so a verbal event in the quoted words ("We will not negotiate with X") codes the speaker."""
    quotes = [q for q in doc._.quotes or [] if q.speaker_code]
    if not quotes:
        return
    actors = list(doc._.actors or [])
    actor_at = dict(doc._.actor_at or {})
    sentence_of = sentence_index_of(doc)
    for quote in quotes:
        span = doc.char_span(quote.start, quote.end, alignment_mode="expand")
        for token in span if span is not None else ():
            if token.lower_ in _FIRST_PERSON and token.i not in actor_at:
                _add_speaker_mention(token, quote, actors, actor_at, sentence_of)
    doc._.actors, doc._.actor_at = actors, actor_at


def _add_speaker_mention(token: Token, quote: Quote, actors: list[Actor], actor_at: dict[int, int],
                         sentence_of: list[int]) -> None:
    source = next((a for a in actors if a.code == quote.speaker_code), None)
    actor_at[token.i] = len(actors)
    actors.append(Actor(text=token.text, code=quote.speaker_code, country=source.country if source else None,
                        sectors=list(source.sectors) if source else [], sentence_index=sentence_of[token.i],
                        start=token.idx, end=token.idx + len(token),
                        evidence=f"first person in a quotation of {quote.speaker_name or quote.speaker}",
                        basis="quote_speaker"))


def _according_to(token: Token) -> bool:
    return token.lower_ == "according" and token.i + 1 < len(token.doc) and token.nbor(1).lower_ == "to"


def _continues(text: str, previous_end: int, start: int) -> bool:
    """A quote continues the previous speaker in the same paragraph, or when it opens the next one."""
    breaks = len(_LINE_BREAKS.findall(text, previous_end, start))
    if breaks == 0:
        return True
    line_start = text.rfind("\n", 0, start) + 1
    return breaks == 1 and text[line_start:start].strip() in ("", "“", '"')


class _Context:
    """Per-document lookups shared by all quotes of an article."""

    def __init__(self, doc: Doc, inside: set[int], text: str):
        self.doc = doc
        self.inside = inside
        self.sents = sentences(doc)
        self.sentence_of = sentence_index_of(doc)
        self.actors = doc._.actors or []
        self.actor_at = doc._.actor_at or {}
        self.text = text  # doc.text and doc.ents are rebuilt on every access: read them once
        self.ents = list(doc.ents)
        self._ents = SpansByStart(self.ents)
        self.people = People(doc, inside, self.sents, self.sentence_of, self.ents)
        # the only words that can credit a quote: a speech verb's lemma or "according" (to)
        self.cue_words = sorted({*where(doc, "LEMMA", CUE_LEMMAS), *where(doc, "LOWER", ("according",))})
        doc.user_data[PEOPLE_KEY] = self.people  # the places stage asks who "he" is too: resolved once
        self.persons = self.people.persons

    def attribute(self, quote: Span, previous: _Speaker | None) -> tuple[Token | None, _Speaker | None]:
        cue, subject = self._cue(quote)
        if subject is None:
            subject = self._governing_subject(quote)
        if subject is None:
            return cue, None
        return cue, self._speaker(subject, previous)

    def dash_credit(self, end: int) -> _Speaker | None:
        """The person named on a dash line right after the quote: "...” — Jane Roe, Ohio."""
        match = _DASH_CREDIT.match(self.text, end)
        if match is None or match.end() == end:
            return None
        for ent in self.persons:
            if ent.start_char == match.end():
                return _Speaker(ent.text, ent.text, None)
        first = self.doc.char_span(match.end(), match.end() + 1, alignment_mode="expand")
        if first is None:
            return None
        start = end = first.start
        while end < len(self.doc) and self.doc[end].pos_ == "PROPN" and end - start < MAX_NAME_TOKENS:
            end += 1
        if end - start < 2:  # a lone capitalised word is too weak a credit without the NER's PERSON
            return None
        name = self.doc[start:end].text
        return _Speaker(name, name, None)

    def _cue(self, quote: Span) -> tuple[Token | None, Token | None]:
        first = self.sentence_of[quote.start]
        last = self.sentence_of[quote.end - 1]
        candidates = list(range(first, last + 1))
        if last + 1 < len(self.sents):
            candidates.append(last + 1)  # “...,” the minister said.
        if first > 0 and (self.sents[first - 1].text.rstrip().endswith(":") or self._follows_paraphrase(quote)):
            candidates.append(first - 1)  # The minister said: (new paragraph) “...”
        best = None
        for index in candidates:
            sentence = self.sents[index]
            low, high = bisect_left(self.cue_words, sentence.start), bisect_left(self.cue_words, sentence.end)
            for i in self.cue_words[low:high]:
                token = self.doc[i]
                if i in self.inside:
                    continue
                subject, according = None, False
                if token.lemma_ in CUE_LEMMAS and token.pos_ in ("VERB", "AUX"):
                    subject = self._subject_of(token)
                elif _according_to(token):
                    subject, according = next((c for c in token.nbor(1).children if c.dep_ == "pobj"), None), True
                if subject is None or subject.i in self.inside:
                    continue
                distance = quote.start - token.i if token.i < quote.start else token.i - quote.end
                if index == last + 1 and index != first and (
                        distance > _MAX_TRAILING_CUE_DISTANCE or "\n" in self.text[quote.end_char:token.idx]
                        or self._reports_more(token)):
                    continue  # the next sentence lends a cue only right after the quote: “...” Chief Jo Roe said.
                if index == first - 1:
                    distance += _LAST_RESORT  # an introducing sentence is the last resort
                # a speech verb names the speaker; "according to X" may name only the outlet that reported
                # the words ("Peskov says '...', according to Sputnik"): it is taken when no verb is
                if best is None or (according, distance) < best[0]:
                    best = ((according, distance), token, subject)
        return (best[1], best[2]) if best else (None, None)

    def _follows_paraphrase(self, quote: Span) -> bool:
        """A quotation standing as its own sentence right after reported speech in the same paragraph
        ("Roe observed that the talks had failed. “We tried,” ...") goes on with that speech."""
        sentence = self.sents[self.sentence_of[quote.start]]
        rest = [*self.doc[sentence.start:quote.start], *self.doc[quote.end:sentence.end]]
        return all(t.is_punct or t.is_space for t in rest) and "\n" not in self.text[
            sentence.start_char - 2:sentence.start_char]

    def _reports_more(self, verb: Token) -> bool:
        """A cue verb with its own reported clause outside quotations ("He said the talks failed")
        introduces other words, so it does not credit the quotation before it."""
        return any(c.dep_ == "ccomp" and c.i not in self.inside for c in verb.children)

    def _subject_of(self, verb: Token) -> Token | None:
        """The verb's subject outside any quotation (in "“It works,” said Roe" both "It" and "Roe" are)."""
        subject = next((c for c in verb.children if c.dep_ in SUBJECTS and c.i not in self.inside), None)
        if subject is None or subject.dep_ == "nsubj":
            return subject
        # a passive verb's subject is spoken of, not speaking ("Roe was charged with \"fraud\""): its agent speaks
        agent = next((c for c in verb.children if c.dep_ == "agent"), None)
        return next((c for c in agent.children if c.dep_ == "pobj" and c.i not in self.inside), None) if agent else None

    def _governing_subject(self, quote: Span) -> Token | None:
        """For a quote inside a clause: the nearest personal subject up the verbs it hangs from."""
        token = quote.root
        for _ in range(12):
            if token.i not in self.inside and token.pos_ in ("VERB", "AUX"):
                subject = self._subject_of(token)
                if subject is None and token.dep_ == "acl" and token.head.dep_ == "ROOT":
                    subject = token.head  # a sentence parsed as a noun with the verb hung on it: "Roe, 92, called"
                if subject is not None and self._is_personal(subject):
                    return subject
            if token.head.i == token.i:
                return None
            token = token.head
        return None

    def _is_personal(self, token: Token) -> bool:
        """A person or organisation can speak: a named entity, a personal pronoun or a role noun."""
        if self._names_in_phrase(token):
            return True  # "Roe", "Roe's campaign", "a memo from the Treasury", "the party, Roe's ..."
        return token.lower_ in _PERSONAL_PRONOUNS or token.lemma_.lower() in ROLE_NOUNS

    def _names_in_phrase(self, subject: Token) -> list[Span]:
        """Named entities that say who a subject phrase is: its own entity, else PERSON/ORG names in
        its phrase (possessors, appositions, "of"/"at"/"from" modifiers), nearest first."""
        own = [e for e in self._ents.holding(subject.i) if e.label_ in _NAMED]
        if own:
            return own
        lo, hi = subject.left_edge.i, min(subject.right_edge.i, subject.i + 12) + 1
        named = [e for e in self._ents.inside(lo, hi) if e.label_ in ("PERSON", "ORG") and e.start not in self.inside]
        named.sort(key=lambda e: (e.label_ != "PERSON", abs(e.start - subject.i)))
        return named

    def _speaker(self, subject: Token, previous: _Speaker | None) -> _Speaker:
        doc = self.doc
        if subject.lower_ in ("who", "that") and subject.head.dep_ == "relcl":
            subject = subject.head.head  # "Jane Roe, who said ...": the noun the clause describes
        left = max(subject.left_edge.i, subject.i - 6)
        written = doc[left: subject.i + 1].text
        code_index = self.actor_at.get(subject.i)
        code = self.actors[code_index].code if code_index is not None else None
        named = self._names_in_phrase(subject)
        if not named and subject.pos_ == "PROPN":
            named = [doc[subject.i: subject.i + 1]]
        if named:
            return _Speaker(written, self.people.full_name(named[0]), code or self._code_of(named[0]), named[0])
        is_pronoun = subject.lower_ in _PERSONAL_PRONOUNS
        is_role = subject.lemma_.lower() in ROLE_NOUNS and definite(subject)
        if is_pronoun and previous is not None and previous.name and not any(
                previous.until <= ent.start_char < subject.idx for ent in self.persons):
            self.people.resolved[subject.i] = previous.person
            return _Speaker(written, previous.name, previous.code or code, previous.person)
        if is_pronoun or is_role:
            person = self.people.resolved[subject.i] = self.people.antecedent(subject)
            if person is None:
                return _Speaker(written, None, code)
            return _Speaker(written, self.people.full_name(person), code or self._code_of(person), person)
        return _Speaker(written, None, code)  # "a source", "the report": nobody to name

    def _code_of(self, name: Span) -> str | None:
        """The actor code of a named speaker: its own mention's, else an earlier coded mention of the name."""
        for token in name:
            index = self.actor_at.get(token.i)
            if index is not None and self.actors[index].code:
                return self.actors[index].code
        last = name[-1].text
        earlier = [a for a in self.actors if a.code and a.start < name.start_char and last in a.text.split()]
        return earlier[-1].code if earlier else None

# quotes add the first persons of quotations to the actors (the speaker's code)
@Language.factory("dyad_quotes", requires=["doc._.actors", "token.dep", "token.lemma", "doc.ents", "doc.sents"],
                  assigns=["doc._.quotes", "doc._.actors", "doc._.actor_at"])
def make_quote_extractor(nlp: Language, name: str) -> QuoteExtractor:  # noqa: ARG001 (spaCy's factory signature)
    return QuoteExtractor(nlp)
