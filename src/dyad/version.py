"""dyad's version, for every record's provenance; a module of its own so any layer can import it."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dyad")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+source"
