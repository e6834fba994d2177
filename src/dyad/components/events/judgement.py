"""Judgements: a statement whose words condemn another actor is a criticism (CAMEO 111).

CAMEO codes verbal disapproval (root 11) whether or not a verb of criticising carries it: the codebook's
111 covers "decry, condemn, denounce" and its usage notes code the content of a statement, not its verb
of saying. A statement (a `say`/`tell`/... verb with no target of its own) whose reported words -- the
clause it reports and the quotations credited to it -- read as clearly negative, by the VADER sentiment
lexicon (Hutto & Gilbert 2014, a lexicon of rated words with rules for negation and intensity, built
for short informal text), and that name another actor, is coded as the speaker criticising that actor.
"""

from __future__ import annotations

import bisect
import functools

from spacy.tokens import Doc, Span, Token

from dyad.components.events.frame import DocFrame, Match
from dyad.extensions import sentence_index_of, sentences

# Statements that can carry a criticism: a plain statement (010) or a pessimistic comment (012); an
# optimistic comment (013, "hope that ..."), a denial (016) or an expression of accord (019) cannot.
_NEUTRAL_OR_PESSIMISTIC = frozenset({"010", "012"})
_CRITICISE = "111"
RULE = "dyad:events/judgement.py (VADER compound <= {:.2f})"
# VADER's compound score runs from -1 to 1; below this a statement's words are taken as a criticism.
# Calibrated on the even lines of ../shared/gold/articles/gwn-events.jsonl (tuned half), reported on the odd.
NEGATIVE = -0.5


@functools.cache
def _analyser():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # loaded on the first statement

    return SentimentIntensityAnalyzer()


def judgements(frame: DocFrame, matches: list[Match]) -> list[Match]:
    """Criticisms read off the statements among `matches` that found no target."""
    found = []
    anchors = sorted(m.anchor.i for m in matches)  # where each match is: a long text has thousands

    def others_inside(m: Match, span: Span) -> bool:
        inside = bisect.bisect_left(anchors, span.end) - bisect.bisect_left(anchors, span.start)
        return inside > (span.start <= m.anchor.i < span.end)

    for m in matches:
        if m.code not in _NEUTRAL_OR_PESSIMISTIC or m.targets or m.anchor.pos_ != "VERB":
            continue
        words = _reported(frame.doc, m.anchor)
        if not words or any(others_inside(m, w) for w in words):
            continue  # what is reported codes as an event of its own ("X said Y shelled Z"): that is the news
        score = _analyser().polarity_scores(" ".join(span.text for span in words))["compound"]
        if score > NEGATIVE:
            continue
        target = _judged(frame, words, m.sources)
        if target is not None:
            found.append(Match(m.anchor, _CRITICISE, RULE.format(NEGATIVE), "judgement", m.sources, [target],
                               dict(m.flags, judgement=score)))
    return found


def _reported(doc: Doc, verb: Token) -> list[Span]:
    """What a statement verb reports: its clausal complement and the quotations credited to it."""
    spans = [doc[c.left_edge.i: c.right_edge.i + 1] for c in verb.children if c.dep_ == "ccomp"]
    sentence = sentences(doc)[sentence_index_of(doc)[verb.i]]
    for quote in doc._.quotes or ():
        # the sentence's length in characters, as len(sentence.text), without building its text per quote
        if quote.cue == verb.text and abs(quote.start - sentence.start_char) < 2 * (sentence.end_char -
                                                                                      sentence.start_char) + 1:
            span = doc.char_span(quote.start, quote.end, alignment_mode="expand")
            if span is not None and not any(s.start <= span.start < s.end for s in spans):
                spans.append(span)
    return spans


def _judged(frame: DocFrame, words: list[Span], sources: list[int]) -> int | None:
    """The actor the reported words are about: the first one named in them that is not the speaker."""
    speakers = {frame.actors[frame.source_at[s]].code for s in sources if s in frame.source_at}
    for span in words:
        for token in span:
            index = frame.actor_at.get(token.i)
            if index is None or token.i in frame.places:
                continue
            actor = frame.actors[index]
            if actor.code and actor.code not in speakers:
                return token.i
    return None
