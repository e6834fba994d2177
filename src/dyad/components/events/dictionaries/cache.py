"""On-disk cache of compiled dictionaries (msgspec msgpack, written atomically)."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import tempfile
from pathlib import Path

import msgspec

from dyad.components.events.dictionaries.model import Dictionaries

__all__ = ["READER_VERSION", "cache_key", "default_cache_dir", "read_cache", "write_cache"]

log = logging.getLogger(__name__)

READER_VERSION = "1"
"""Bump when the readers change what they produce; the source fingerprint below also changes
the key whenever any module of this package is edited."""

_PREFIX = "dictionaries-"
_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(Dictionaries)
_FINGERPRINT: str | None = None


def default_cache_dir() -> Path:
    """``$DYAD_CACHE_DIR`` if set, else ``~/.cache/dyad/dictionaries``."""
    env = os.environ.get("DYAD_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "dyad" / "dictionaries"


def _fingerprint() -> str:
    global _FINGERPRINT
    if _FINGERPRINT is None:
        h = hashlib.sha256()
        for module in sorted(Path(__file__).parent.glob("*.py")):
            h.update(module.name.encode())
            h.update(module.read_bytes())
        _FINGERPRINT = h.hexdigest()[:16]
    return _FINGERPRINT


def cache_key(inputs: list[tuple[Path, str, str]]) -> str:
    """``<set>-<state>``: ``set`` hashes the input paths (with kind and dialect) in order;
    ``state`` hashes the reader version, this package's source, msgspec's version and each
    input's path, size and modification time. Files of the same set with another state are
    stale and are removed when a new cache file is written."""
    names = hashlib.sha256()
    state = hashlib.sha256(f"{READER_VERSION}\0{_fingerprint()}\0{msgspec.__version__}\n".encode())
    for path, kind, dialect in inputs:
        st = path.stat()
        names.update(f"{path}\0{kind}\0{dialect}\n".encode())
        state.update(f"{path}\0{kind}\0{dialect}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return f"{names.hexdigest()[:16]}-{state.hexdigest()[:32]}"


def _cache_file(directory: Path, key: str) -> Path:
    return directory / f"{_PREFIX}{key}.msgpack"


def read_cache(directory: Path, key: str) -> Dictionaries | None:
    """The cached dictionaries for ``key``, or ``None`` when absent or unreadable (a corrupt
    file is removed so that it is rebuilt)."""
    path = _cache_file(directory, key)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    enabled = gc.isenabled()
    gc.disable()  # decoding allocates ~10^5 objects that cannot form cycles
    try:
        return _DECODER.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
        log.warning("ignoring corrupt dictionary cache %s: %s", path, exc)
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    finally:
        if enabled:
            gc.enable()


def write_cache(directory: Path, key: str, value: Dictionaries) -> Path | None:
    """Write ``value`` atomically (temporary file + rename); failures only log a warning."""
    target = _cache_file(directory, key)
    tmp = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{_PREFIX}", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as fh:
            fh.write(_ENCODER.encode(value))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        tmp = None
        group = key.split("-", 1)[0]
        for stale in directory.glob(f"{_PREFIX}{group}-*.msgpack"):
            if stale != target:
                with contextlib.suppress(OSError):
                    stale.unlink()
        return target
    except OSError as exc:
        log.warning("could not write dictionary cache %s: %s", target, exc)
        return None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
