"""dyad: news articles in, political event data out (who did what to whom, when and where)."""

from dyad.pipeline import add_components, code_text, load, parse, process
from dyad.records import Actor, Article, Event, Place, Quote, Result
from dyad.version import __version__

__all__ = ["Actor", "Article", "Event", "Place", "Quote", "Result", "__version__", "add_components",
           "code_text", "load", "parse", "process"]
