"""Who a later mention of a person is, for the speakers of quotations: pronouns, role nouns, surnames.

A pronoun or a definite role noun ("he", "the minister") refers to the most salient person of the
nearest sentence that names one (centering theory's ranking: the main clause's subject, then other
subjects, then other mentions), agreeing in gender where the article says it ("Mrs", "his wife", a
pronoun already resolved); a role noun first to the person it titled earlier ("Minister of Defence Jo
Roe"); a bare surname to the full name used earlier. Names the NER missed right after a title ("PM Jo
Roe") count as persons.
"""

from __future__ import annotations

import re

import numpy
from spacy.tokens import Doc, Span, Token

from dyad.components.arrays import SpansByStart
from dyad.knowledge.tables import read_text

ROLE_NOUNS = frozenset(
    line.strip()
    for line in read_text("quote_roles.txt").splitlines()
    if line.strip() and not line.startswith("#")
)
PEOPLE_KEY = "dyad_people"  # doc.user_data key of the document's People, built once by the quotes stage
MAX_NAME_TOKENS = 5  # a name written by capitalised words alone is at most this long ("Chief Jo Van Roe")
_POSSESSIVE = re.compile(r"[’']s?$")
SUBJECTS = ("nsubj", "nsubjpass")
# How far back a pronoun or role noun looks for its person, and through how many earlier pronouns a
# chain runs; set by hand (a reported speech rarely runs on for more sentences without naming again).
_MAX_SENTENCES_BACK = 4
_MAX_CHAIN = 3
_PRONOUN_GENDER = {"he": "m", "him": "m", "she": "f", "her": "f"}
_TITLE_GENDER = dict.fromkeys(("mrs", "ms", "miss", "madam", "madame", "lady", "wife", "widow", "mother", "daughter",
                               "sister", "queen", "princess", "spokeswoman", "chairwoman", "congresswoman"), "f")
_TITLE_GENDER |= dict.fromkeys(("mr", "sir", "husband", "father", "son", "brother", "king", "prince", "spokesman",
                                "chairman", "congressman"), "m")
_TITLE_WINDOW = 8  # tokens before a name that can hold its title ("Minister of Defence, Brigadier General")


def role_noun_positions(doc: Doc) -> list[int]:
    """The tokens whose lemma is a role noun ("minister", "President"), found from the lemma array (a
    Token object per word would cost more than the rest of the search)."""
    lemmas = doc.to_array("LEMMA")
    strings = doc.vocab.strings
    roles = [h for h in numpy.unique(lemmas).tolist() if strings[h].lower() in ROLE_NOUNS]
    return numpy.flatnonzero(numpy.isin(lemmas, roles)).tolist() if roles else []


def _salience(token: Token) -> int:
    """0 for the subject of a sentence's main clause, 1 for another subject, 2 for any other mention."""
    while token.dep_ in ("compound", "flat", "appos", "conj") and token.head.i != token.i:
        token = token.head
    if token.dep_ not in SUBJECTS:
        return 2
    verb = token.head
    while verb.dep_ == "conj" and verb.head.i != verb.i:
        verb = verb.head
    return 0 if verb.dep_ == "ROOT" else 1


def definite(noun: Token) -> bool:
    """"the minister", "his wife": a definite role noun refers back; "a man" brings in someone new."""
    return any(c.dep_ == "poss" or (c.dep_ == "det" and c.lower_ in ("the", "this", "that")) for c in noun.children)


def _verb_of(token: Token) -> Token:
    while token.pos_ not in ("VERB", "AUX") and token.head.i != token.i:
        token = token.head
    return token


def _commands(candidate: Token, mention: Token) -> bool:
    """Whether a mention earlier in a sentence is close enough in its structure to be what a later pronoun
    refers to: its clause governs the pronoun ("Roe said he ..."), or hangs right off the pronoun's clause
    ("When Roe arrived, he ..."), not from deeper inside another ("While asking if Roe was ..., he ...")."""
    verb = _verb_of(candidate)
    own = _verb_of(mention)
    return verb == own or verb.head == own or verb in mention.ancestors


class People:
    """The persons an article names and what its pronouns and role nouns refer to, resolved on demand."""

    def __init__(self, doc: Doc, inside: set[int], sents: list[Span], sentence_of: list[int], ents: list[Span]):
        self.doc, self.inside, self.sents, self.sentence_of, self.ents = doc, inside, sents, sentence_of, ents
        self.title_of: dict[int, Token] = {}  # a name the NER missed -> the role noun that introduced it
        self.persons = [e for e in ents if e.label_ == "PERSON"]
        self.persons = sorted(self.persons + self._titled_names(), key=lambda e: e.start)
        self._persons = SpansByStart(self.persons)
        self._surnames: dict[str, SpansByStart] | None = None  # a last word -> the names of 2+ words it ends
        self.genders: dict[str, str | None] = {}  # a full name, lower-cased -> 'f', 'm' or None
        self.resolved: dict[int, Span | None] = {}  # a pronoun or role noun -> its person
        self._full_names: dict[tuple[int, int], str] = {}  # a name's (start, end) -> its full name
        self._person_words: list[tuple[int, str, list[str]]] | None = None
        self.persons_in: list[list[Span]] = [[] for _ in sents]
        for ent in self.persons:
            if ent.start not in inside:
                self.persons_in[sentence_of[ent.start]].append(ent)

    def antecedent(self, mention: Token, depth: int = 0) -> Span | None:
        """The person a pronoun or role noun stands for, by salience: the nearest sentence (its own, before
        it, then earlier ones) that refers to a person, and there its most prominent reference -- the main
        clause's subject before other subjects before other mentions (centering theory's ranking), the
        nearest in the mention's own sentence, the first in an earlier one. A role noun ("the minister")
        refers to the person it titled earlier; an earlier "he" to whomever it stood for."""
        here = self.sentence_of[mention.i]
        main = _salience(mention) == 0
        gender = _PRONOUN_GENDER.get(mention.lower_)
        for index in range(here, max(-1, here - _MAX_SENTENCES_BACK), -1):
            references = [(rank, token.i, person)
                          for rank, token, person in self._references(index, depth, mention.i)
                          if person is not None and self._gender(person) in (None, gender)
                          and (index != here or (_commands(token, mention) and (rank == 0 or not main)))]
            if references:
                order = (lambda r: (r[0], -r[1])) if index == here else (lambda r: (r[0], r[1]))
                return self._agrees(min(references, key=order)[2], gender)
        return self._agrees(self._person_before(mention.i), gender) if depth == 0 else None

    def person_of(self, token: Token) -> Span | None:
        """The person a subject token names or stands for: a name (or a surname met in full earlier), a
        pronoun or definite role noun by salience, "who" through the noun its clause describes; else None."""
        if token.lower_ in ("who", "that") and token.head.dep_ == "relcl":
            token = token.head.head  # "Jo Roe, who is visiting Hanoi": the noun the clause describes
        lo, hi = token.left_edge.i, min(token.right_edge.i, token.i + _TITLE_WINDOW + MAX_NAME_TOKENS)
        in_phrase = self._persons.inside(lo, hi + 1)
        if in_phrase:  # "State Councilor and Foreign Minister Wang Yi": a full name before a lone title word
            return min(in_phrase, key=lambda ent: (len(ent) < 2, abs(ent.root.i - token.i)))
        if token.pos_ == "PROPN":
            return self._named_earlier(token)
        if token.lower_ in _PRONOUN_GENDER or (token.lemma_.lower() in ROLE_NOUNS and definite(token)):
            if token.i not in self.resolved:
                self.resolved[token.i] = self.antecedent(token)
            return self.resolved[token.i]
        return None

    def _gender(self, person: Span) -> str | None:
        """'f' or 'm' when the article says so: a title or kin noun before the name ("Mrs", "his wife"), or
        a pronoun already resolved to the person; None when it does not."""
        name = self.full_name(person).lower()
        if name not in self.genders:
            before = self.doc[max(0, person.start - 3): person.start]
            cues = {_TITLE_GENDER.get(t.lower_.rstrip(".")) for t in before} - {None}
            self.genders[name] = cues.pop() if len(cues) == 1 else None
        return self.genders[name]

    def _agrees(self, person: Span | None, gender: str | None) -> Span | None:
        """Record what a gendered pronoun says of the person it was resolved to."""
        if person is not None and gender is not None and self._gender(person) is None:
            self.genders[self.full_name(person).lower()] = gender
        return person

    def _person_before(self, position: int) -> Span | None:
        """The last resort: the nearest person named before, however far."""
        best = None
        for ent in self.persons:
            if ent.start >= position:
                break
            if ent.start not in self.inside:
                best = ent
        return best

    def _references(self, index: int, depth: int, before: int):
        """(rank, head token, person) for each reference to a person in a sentence outside quotations
        and before a token."""
        for ent in self.persons_in[index]:
            head = self.title_of.get(ent.start, ent.root)
            if head.i < before:
                yield _salience(head), head, ent
        for token in self.sents[index]:
            if token.i >= before:
                break
            if token.pos_ == "PROPN" and token.ent_type_ != "PERSON" and token.i not in self.inside and (
                    token.dep_ in SUBJECTS):
                person = self._named_earlier(token)
                if person is not None:
                    yield _salience(token), token, person  # "Frank, who ...": the surname the NER missed
        if depth >= _MAX_CHAIN:
            return
        for token in self.sents[index]:
            if token.i >= before:
                return
            if token.i in self.inside or token.ent_type_:
                continue
            is_role = token.lemma_.lower() in ROLE_NOUNS and definite(token)
            if is_role:
                person = self.resolved.get(token.i) or self._titled(token)
                if person is None:  # "the Party chief" after "General Secretary Jo Roe": whoever is in focus
                    person = self.antecedent(token, depth + 1)
                yield _salience(token), token, person
            elif token.lower_ in ("he", "she") and token.dep_ in SUBJECTS:
                person = self.resolved[token.i] if token.i in self.resolved else self.antecedent(token, depth + 1)
                yield _salience(token), token, person

    def _titled_names(self) -> list[Span]:
        """Names the NER missed right after a role noun: a run of untyped proper nouns ending the role's
        phrase ("General Secretary of the Party Jo Van Roe")."""
        taken = {i for e in self.ents for i in range(e.start, e.end) if e.label_ != "PERSON"}
        taken.update(i for e in self.persons for i in range(e.start, e.end))
        names = []
        for i in role_noun_positions(self.doc):
            token = self.doc[i]
            if i in self.inside:
                continue
            start = end = token.i + 1  # "PM Jo Roe": the name right after the title
            while end < len(self.doc) and self.doc[end].pos_ == "PROPN" and end not in taken:
                end += 1
            if end - start < 2:  # "Secretary of the Party Jo Roe": the name that ends the title's phrase
                end = min(token.right_edge.i + 1, token.i + _TITLE_WINDOW + 4)
                start = end
                while start > token.i + 1 and self.doc[start - 1].pos_ == "PROPN" and start - 1 not in taken:
                    start -= 1
            if 2 <= end - start <= MAX_NAME_TOKENS and not any(
                    t.lemma_.lower() in ROLE_NOUNS for t in self.doc[start:end]):
                names.append(self.doc[start:end])
                self.title_of[start] = token
                taken.update(range(start, end))
        return names

    def _named_earlier(self, surname: Token) -> Span | None:
        """The person named in full earlier whose last word this proper noun is."""
        if self._surnames is None:
            by_word: dict[str, list[Span]] = {}
            for ent in self.persons:
                if len(ent) > 1:
                    by_word.setdefault(ent[-1].text, []).append(ent)
            self._surnames = {word: SpansByStart(ents) for word, ents in by_word.items()}
        named = self._surnames.get(surname.text)
        return named.last_before(surname.i) if named else None

    def _titled(self, role: Token) -> Span | None:
        """The most recent person named earlier with this role among the words before the name
        ("Minister of Defence, Brigadier General Jo Roe" for "the minister")."""
        lemma = role.lemma_.lower()
        for ent in reversed(self.persons):
            if ent.start >= role.i:
                continue
            window = self.doc[max(ent.sent.start, ent.start - _TITLE_WINDOW): ent.end]
            if any(t.lemma_.lower() == lemma or t.lower_ == lemma for t in window):
                return ent
        return None

    def full_name(self, name: Span) -> str:
        """A bare surname takes the longest earlier name ending with it ("Clinton" -> "Hillary Clinton")."""
        key = (name.start, name.end)
        if key in self._full_names:
            return self._full_names[key]
        text = _POSSESSIVE.sub("", name.text) if name.text.endswith(("’s", "'s", "’", "'")) else name.text
        words = text.split()
        if len(words) > 1:
            self._full_names[key] = text
            return text
        if self._person_words is None:  # each person's text and words, read once (Span.text is rebuilt)
            self._person_words = [(ent.start, ent.text, ent.text.lower().split()) for ent in self.persons]
        longest = given_first = text
        word = words[-1].lower() if words else ""
        for start, ent_text, ent_words in self._person_words:
            if start >= name.start:
                break
            if len(ent_words) > 1 and ent_words[-1] == word and len(ent_text) > len(longest):
                longest = ent_text
            elif len(ent_words) > 1 and ent_words[0] == word:
                given_first = ent_text  # a family name written first ("Li" -> "Li Wenzu"): the latest such name
        self._full_names[key] = found = longest if longest != text else given_first
        return found
