"""ConfliBERT's CAMEO NER gold (``cameo_ner_train.txt``): actor spans with their event role.

The file holds one ``token TAG`` pair per line and a blank line between sentences. Tags:
``B-S``/``I-S`` source, ``B-T``/``I-T`` target, ``B-R``/``I-R`` reciprocal (both), ``O`` other.
A sentence's text is its tokens joined by single spaces, so a token's character offsets follow
from the token lengths alone.
"""

from __future__ import annotations

import io
from pathlib import Path

import msgspec

from dyad.evaluate.gold.files import read_gold_text

__all__ = ["NerSentence", "NerSpan", "read_conflibert_ner"]


class NerSpan(msgspec.Struct, frozen=True):
    start: int  # token offsets [start, end)
    end: int
    role: str  # S, T or R
    char_start: int
    char_end: int


class NerSentence(msgspec.Struct):
    index: int
    where: str  # "path:line" of the sentence's first token
    tokens: list[str]
    spans: list[NerSpan]

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def token_offsets(self) -> list[tuple[int, int]]:
        offsets, at = [], 0
        for token in self.tokens:
            offsets.append((at, at + len(token)))
            at += len(token) + 1
        return offsets


def _spans(tags: list[str], offsets: list[tuple[int, int]]) -> list[NerSpan]:
    spans: list[NerSpan] = []
    start = role = None

    def close(end: int) -> None:
        if start is not None:
            spans.append(NerSpan(start, end, role, offsets[start][0], offsets[end - 1][1]))

    for i, tag in enumerate(tags):
        prefix, _, kind = tag.partition("-")
        if prefix == "I" and start is not None and kind == role:
            continue
        close(i)
        start, role = (i, kind) if prefix in ("B", "I") and kind in ("S", "T", "R") else (None, None)
    close(len(tags))
    return spans


def read_conflibert_ner(path: str | Path) -> list[NerSentence]:
    """The sentences of a ConfliBERT CAMEO NER file, each with its gold actor spans."""
    path = Path(path)
    sentences: list[NerSentence] = []
    tokens: list[str] = []
    tags: list[str] = []
    first_line = 0

    def flush() -> None:
        if tokens:
            sentence = NerSentence(len(sentences), f"{path}:{first_line}", list(tokens), [])
            sentence.spans = _spans(tags, sentence.token_offsets())
            sentences.append(sentence)
        tokens.clear()
        tags.clear()

    with io.StringIO(read_gold_text(path), newline=None) as lines:  # newlines as open() reads them
        for lineno, line in enumerate(lines, 1):
            line = line.rstrip("\n")
            if not line.strip():
                flush()
                continue
            token, _, tag = line.rpartition(" ")
            if not token:  # a line with one field: a token without a tag
                token, tag = tag, "O"
            if not tokens:
                first_line = lineno
            tokens.append(token)
            tags.append(tag.strip() or "O")
    flush()
    return sentences
