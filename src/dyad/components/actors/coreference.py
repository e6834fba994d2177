"""Who is who across an article (rules 8 and 9 of the actor coder): later mentions of a person named earlier.

- A later bare surname ("Hollande") is the person coded earlier under that name.
- A title or role noun with no country of its own ("the minister", "the crown prince", "the Party
  chief") is the most recent person named earlier with a compatible title: every content word of the
  role phrase appears in that person's phrase ("Foreign Minister Karl Erjavec", "Crown Prince Mohammed
  Bin Salman"). The article context's country is a guess; the person named is evidence, so it wins.
"""

from __future__ import annotations

from typing import Protocol

from spacy.tokens import Doc, Token

from dyad.components.arrays import where
from dyad.records import Actor

_CONTENT = frozenset({"NOUN", "PROPN", "ADJ"})


class MentionLike(Protocol):
    anchor: Token
    start: int
    end: int
    code: str | None
    country: str | None
    sector: str | None
    full_code: bool
    international: bool
    basis: str
    extra: list[str]


def _is_person(doc: Doc, m: MentionLike) -> bool:
    """A named person with a title or a listed code: a person's name in the mention ("Saudi Arabia's de
    facto ruler, Crown Prince Mohammed Bin Salman"), or a proper noun heading it."""
    if not (m.sector or m.full_code):
        return False
    return m.anchor.pos_ == "PROPN" or any(t.ent_type_ == "PERSON" for t in doc[m.start:m.end])


def _content_words(doc: Doc, m: MentionLike) -> set[str]:
    return {t.lemma_.lower() for t in doc[m.start:m.end] if t.pos_ in _CONTENT}


def _role_words(doc: Doc, m: MentionLike) -> set[str] | None:
    """The content words of a role mention ("the foreign minister" -> {foreign, minister}), or None when it
    is not one (a proper noun, an international sector, a country of its own phrase)."""
    if m.anchor.pos_ != "NOUN" or m.full_code or m.international or m.basis not in ("sector",):
        return None
    return _content_words(doc, m)


def link_titles(doc: Doc, mentions: list[MentionLike]) -> None:
    """Give a role mention the code of the most recent earlier person whose phrase holds its words.

    The persons are indexed by word: the most recent one holding every word is the last holding the
    rarest of them, so a long text (a 0.9 MB paste has thousands of persons) is not scanned once per
    role."""
    persons: list[tuple[MentionLike, set[str]]] = []
    holding: dict[str, list[int]] = {}  # a content word -> the persons (positions in `persons`) holding it
    for m in mentions:
        words = _role_words(doc, m)
        if words:
            rarest = min((holding.get(w, ()) for w in words), key=len)
            for k in reversed(rarest):
                person, person_words = persons[k]
                if words <= person_words and person.country:
                    m.code, m.country, m.sector = person.code, person.country, person.sector
                    m.basis = "earlier_mention"
                    m.extra.append(f"the {' '.join(sorted(words))} named earlier: "
                                   f"'{doc[person.start:person.end].text}'")
                    break
        if _is_person(doc, m):
            words = _content_words(doc, m)
            for w in words:
                holding.setdefault(w, []).append(len(persons))
            persons.append((m, words))


def link_surnames(doc: Doc, mentions: list[MentionLike], actors: list[Actor], actor_at: dict[int, int],
                  sentence_of: list[int], anchor_of) -> None:
    """A later bare surname refers to the person coded earlier in the article: append its actors."""
    surnames: dict[str, Actor] = {}
    for m in mentions:
        if m.anchor.pos_ == "PROPN" and m.anchor.i < m.end and (m.sector or m.full_code):
            surnames.setdefault(m.anchor.text, actors[actor_at[m.anchor.i]])
    if not surnames:
        return
    covered = {i for m in mentions for i in range(m.start, m.end)}
    for i in where(doc, "ORTH", surnames):
        token = doc[i]
        if i in actor_at or i in covered or token.pos_ != "PROPN":
            continue
        if anchor_of(token).i != token.i:
            continue
        earlier = surnames[token.text]
        if earlier.start >= token.idx:
            continue
        actor_at[token.i] = len(actors)
        actors.append(Actor(text=token.text, code=earlier.code, country=earlier.country,
                            sectors=list(earlier.sectors), sentence_index=sentence_of[token.i],
                            start=token.idx, end=token.idx + len(token),
                            evidence=f"same person as '{earlier.text}'", basis="earlier_mention"))
