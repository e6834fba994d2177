"""Hostile inputs for the fuzz tests: random bytes and text (lone surrogates, NUL, control and format
characters, markup and JSON punctuation), and mutations of small valid seeds, so most inputs get past the
first check and reach the code behind it. Seeds are invented here or read from tests/fixtures."""

from __future__ import annotations

import gzip
from pathlib import Path

from hypothesis import strategies as st

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# Pieces a hostile input is made of: characters that break decoders, normalisers and serialisers, the
# punctuation of the formats read, and words the cleaners and coders look for.
NASTY = ("\x00", "\ud800", "\udfff", "\udc80", "\ufeff", "\ufffe", "\uffff", "\u2028", "\u2029", "\u202e", "\u200b",
         "\x85", "\x0b", "\x0c", "\x1b", "\x7f", "\r", "\r\n", "\n", "\n\n", "\t", "  ", "\u00a0", "\u0301",
         "\U0001d518", "\u00e9", "\u0627\u0644", "\u4e2d\u6587", "\ufffd", "\u2026", "\u201c", "\u201d", '"', "'",
         "\\", "\\u", "\\ud800", "\\x00", "{", "}", "[", "]", ":", ",", "null", "true", "1e999", "-0", "<", ">",
         "&", "&amp;", "&#0;", "&#xD800;", "<p>", "</p>", "<script>", "</script>", "<h1>", "<!--", "-->",
         "<![CDATA[", "]]>", "<?xml", "%", "_", "*", "$", "+", "#", "/", ";", "=", "|", "~", "^", "@", "---",
         "[040]", "[---]", "<SYNSETS>", "</SYNSETS>", "<ISSUE>", "&SET", "<Sentence", "<EventCoding", "WARC/1.0",
         "Content-Length: ", "WARC-Type: response", "HTTP/1.1 200 OK", "BAMAKO (Reuters) -", "Share this article",
         "Read more", "Police", "arrested", "said", "the", "Mali", "2024-05-14", "20240514", "0", "-1",
         "99999999999999999999")
WORDS = ("Police", "arrested", "four", "men", "in", "the", "capital", "on", "Monday", "officials", "said",
         "minister", "condemned", "attack", "talks", "with", "Greece", "Turkey", "army", "militants", ".", ",")


def _pieces(text: bool) -> st.SearchStrategy:
    """A short piece to insert: a nasty one, a word, or random characters (text) / bytes."""
    if text:
        return st.one_of(st.sampled_from(NASTY), st.sampled_from(WORDS),
                         st.text(st.characters(exclude_categories=()), max_size=8))
    return st.one_of(st.sampled_from(NASTY).map(lambda s: s.encode("utf-8", "surrogatepass")),
                     st.binary(max_size=8), st.sampled_from((b"\xff", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80",
                                                             b"\xf0\x9f", b"\x1f\x8b", b"\xef\xbb\xbf")))


@st.composite
def mutated(draw, seeds: tuple) -> str | bytes:
    """A seed (str or bytes) after up to eight edits: insert, delete, replace, truncate, repeat, swap."""
    value = draw(st.sampled_from(seeds))
    is_text = isinstance(value, str)
    for _ in range(draw(st.integers(0, 8))):
        size = len(value)
        at = draw(st.integers(0, size))
        op = draw(st.sampled_from(("insert", "delete", "replace", "truncate", "repeat", "swap")))
        if op == "insert":
            value = value[:at] + draw(_pieces(is_text)) + value[at:]
        elif op == "delete":
            value = value[:at] + value[at + draw(st.integers(1, 64)):]
        elif op == "replace":
            piece = draw(_pieces(is_text))
            value = value[:at] + piece + value[at + len(piece):]
        elif op == "truncate":
            value = value[:at]
        elif op == "repeat" and size:
            end = min(size, at + draw(st.integers(1, 40)))
            value = value[:at] + value[at:end] * draw(st.integers(2, 60)) + value[end:]
        elif op == "swap" and size:
            other = draw(st.integers(0, size))
            lo, hi = sorted((at, other))
            value = value[hi:] + value[lo:hi] + value[:lo]
    return value


def hostile_text(seeds: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """Text of any kind: random (lone surrogates included), nasty pieces joined, or a mutated seed."""
    kinds = [st.text(st.characters(exclude_categories=()), max_size=300),
             st.lists(st.one_of(st.sampled_from(NASTY), st.sampled_from(WORDS)), max_size=60).map("".join)]
    if seeds:
        kinds.append(mutated(tuple(seeds)))
    return st.one_of(*kinds)


def _encodings(text: str) -> list[bytes]:
    return [text.encode("utf-8", "surrogatepass"), text.encode("utf-16", "surrogatepass"),
            text.encode("cp1252", "replace"), text.encode("latin-1", "replace")]


def hostile_bytes(seeds: tuple[bytes, ...] = ()) -> st.SearchStrategy[bytes]:
    """Bytes of any kind: random, hostile text in several encodings (or gzipped), or a mutated seed."""
    kinds = [st.binary(max_size=400),
             st.tuples(hostile_text(), st.integers(0, 3)).map(lambda t: _encodings(t[0])[t[1]]),
             hostile_text().map(lambda t: gzip.compress(t.encode("utf-8", "surrogatepass"))[: max(2, len(t))])]
    if seeds:
        kinds.append(mutated(tuple(seeds)))
    return st.one_of(*kinds)


def json_values(leaves: st.SearchStrategy | None = None) -> st.SearchStrategy:
    """Any JSON value, with hostile strings for leaves."""
    leaves = leaves or st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                                 hostile_text())
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(hostile_text(), inner, max_size=4)), max_leaves=12)


def records(fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy[dict]:
    """Objects that mostly have the expected fields, each a plausible value or any JSON value."""
    return st.fixed_dictionaries({}, optional={
        name: st.one_of(plausible, json_values()) for name, plausible in fields.items()
    }).flatmap(lambda known: st.dictionaries(hostile_text(), json_values(), max_size=2).map(
        lambda extra: {**extra, **known}))


def seed_files(folder: str, *patterns: str, lines: int = 60) -> tuple[bytes, ...]:
    """Seeds from the project's own test fixtures (first `lines` lines of each), as bytes."""
    found = sorted(p for pattern in patterns for p in (FIXTURES / folder).glob(pattern))
    assert found, f"no fixtures match {patterns} in {folder}"
    return tuple(b"\n".join(p.read_bytes().split(b"\n")[:lines]) for p in found)
