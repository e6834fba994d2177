"""Compiled knowledge kept on disk between processes, so a cold `dyad code` does not rebuild it.

An entry is msgspec msgpack in `$DYAD_CACHE_DIR` (or `~/.cache/dyad`), named by what it is and a key
the caller derives from everything that builds it (the knowledge files' bytes, the build code,
library versions: `digest`). A changed file gives a new key, so a stale entry is never read; it is
removed when the new one is written. No network, and a read-only home only costs the rebuild.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import msgspec

from dyad.knowledge.tables import read_bytes

T = TypeVar("T")


def cache_dir() -> Path:
    return Path(os.environ.get("DYAD_CACHE_DIR") or Path.home() / ".cache" / "dyad")


def digest(tables: Iterable[str] = (), sources: Iterable[str | Path] = (), extra: Iterable[str] = ()) -> str:
    """A key over knowledge tables (paths under `dyad/knowledge`), source files and other strings."""
    h = hashlib.blake2b(digest_size=10)
    for table in tables:
        h.update(table.encode() + b"\0" + read_bytes(table) + b"\0")
    for source in sources:
        h.update(Path(source).read_bytes() + b"\0")
    for part in extra:
        h.update(part.encode() + b"\0")
    return h.hexdigest()


def cached(name: str, key: str, type_: type[T], build: Callable[[], T], directory: Path | None = None) -> T:
    """The `name` entry for `key`, decoded as `type_`; else `build()`, written for the next process."""
    directory = directory or cache_dir()
    path = directory / f"{name}-{key}.msgpack"
    try:
        return msgspec.msgpack.decode(path.read_bytes(), type=type_)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        pass
    value = build()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=f".{name}-", delete=False) as handle:
            handle.write(msgspec.msgpack.encode(value))
        os.replace(handle.name, path)
        for stale in directory.glob(f"{name}-*.msgpack"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:  # a read-only cache directory: keep the value in memory only
        pass
    return value
