"""dyad: news articles in, political event data out (who did what to whom, when and where)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dyad")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+source"

from dyad.pipeline import add_components, code_text, load, parse, process
from dyad.records import Actor, Article, Event, Place, Quote, Result

__all__ = ["Actor", "Article", "Event", "Place", "Quote", "Result", "__version__", "add_components",
           "code_text", "load", "parse", "process"]
