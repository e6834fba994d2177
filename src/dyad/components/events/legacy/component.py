"""The legacy coder as a spaCy component, so ``dyad code --dictionaries`` parses each article once.

``nlp.add_pipe("dyad_legacy_events", config={"dictionaries": [paths], "options": {}})`` codes
every Doc the pipeline has parsed with the legacy dictionaries and puts the events in
``doc._.events`` (replacing dyad's own) and ``doc._.legacy_events``. The date and id come from
``doc._.article`` when it is set. A failure on one Doc is recorded in ``doc._.dyad_errors``.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

import dyad.extensions  # noqa: F401  (registers doc._.article, doc._.events, doc._.dyad_errors)
from dyad.components.events.legacy.coder import LegacyCoder
from dyad.extensions import record_error

if not Doc.has_extension("legacy_events"):
    Doc.set_extension("legacy_events", default=None)

NAME = "dyad_legacy_events"


class LegacyEvents:
    """Code a parsed Doc with a :class:`LegacyCoder` (no second parse)."""

    def __init__(self, coder: LegacyCoder):
        self.coder = coder

    def __call__(self, doc: Doc) -> Doc:
        article = doc._.article
        date = getattr(article, "date", None)
        try:
            events = self.coder.code_doc(doc, date, getattr(article, "id", "") or "")
        except Exception as error:  # one bad document must not break the batch
            record_error(doc, NAME, error)
            events = []
        doc._.legacy_events = events
        doc._.events = events
        return doc


@Language.factory(NAME, default_config={"dictionaries": [], "options": {}},
                  requires=["token.dep", "token.tag", "doc.sents"], assigns=["doc._.events"])
def make_legacy_events(nlp: Language, name: str, dictionaries: list[str],  # noqa: ARG001 (spaCy's signature)
                       options: dict[str, str]) -> LegacyEvents:
    from dyad.components.events.dictionaries import load_dictionaries

    return LegacyEvents(LegacyCoder(load_dictionaries(list(dictionaries)), dict(options), nlp=nlp))


def add_legacy_events(nlp: Language, dictionaries: list[str], options: dict[str, str] | None = None) -> Language:
    """Add (or replace) the legacy-coding component at the end of ``nlp``."""
    if NAME in nlp.pipe_names:
        nlp.remove_pipe(NAME)
    config = {"dictionaries": [str(p) for p in dictionaries], "options": dict(options or {})}
    nlp.add_pipe(NAME, last=True, config=config)
    return nlp
