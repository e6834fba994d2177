"""dyad: news articles in, political event data out (who did what to whom, when and where).

The pipeline's verbs import spaCy (about 0.7 s), so they load on first use (PEP 562): `dyad serve`, `dyad
query` and `dyad export` import `dyad.*` modules without paying for a parser they never run.
"""

from typing import TYPE_CHECKING

from dyad.records import Actor, Article, Event, Place, Quote, Result
from dyad.version import __version__

if TYPE_CHECKING:
    from dyad.pipeline import add_components, code_text, load, parse, process

__all__ = ["Actor", "Article", "Event", "Place", "Quote", "Result", "__version__", "add_components",
           "code_text", "load", "parse", "process"]
_PIPELINE = ("add_components", "code_text", "load", "parse", "process")


def __getattr__(name: str):
    if name in _PIPELINE:
        from dyad import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'dyad' has no attribute {name!r}")
