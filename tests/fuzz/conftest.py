"""Hypothesis profiles for the fuzz tests (issue 19): `bounded` runs in `make test` with a fixed seed and a
few examples per surface (the whole package well under 60 s); `fuzz` (DYAD_FUZZ=1, `make fuzz`) runs
10,000 inputs per surface. Either way one input may take at most 5 s (the deadline)."""

from __future__ import annotations

import datetime as dt
import os

import msgspec
from hypothesis import HealthCheck, settings

from dyad.records import Article, Result

DEADLINE = dt.timedelta(seconds=5)
BOUNDED_EXAMPLES = int(os.environ.get("DYAD_FUZZ_BOUNDED", "200"))  # per surface: the package in 18 s on 2 cores
FUZZ_EXAMPLES = int(os.environ.get("DYAD_FUZZ_EXAMPLES", "10000"))
# slow inputs are the point (the deadline judges them); big ones too; fixtures are shared, read-only
_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
           HealthCheck.function_scoped_fixture, HealthCheck.large_base_example]

settings.register_profile("bounded", max_examples=BOUNDED_EXAMPLES, derandomize=True, deadline=DEADLINE,
                          database=None, suppress_health_check=_HEALTH, print_blob=True)
settings.register_profile("fuzz", max_examples=FUZZ_EXAMPLES, deadline=DEADLINE, database=None,
                          suppress_health_check=_HEALTH, print_blob=True)
settings.load_profile("fuzz" if os.environ.get("DYAD_FUZZ") == "1" else "bounded")


def one_line(message: str, limit: int = 600) -> None:
    """A clear error: one short line of text, never a dump."""
    assert message and message.strip(), "an empty message"
    assert "\n" not in message.strip(), f"a message of several lines: {message[:300]!r}"
    assert len(message) <= limit, f"a message of {len(message)} characters: {message[:300]!r}"
    assert "Traceback" not in message


def accounted(item) -> None:
    """A reader's output: an Article with well-typed fields that serialises as the CLI and store write it,
    or a skipped/failed Result whose reason is one clear line."""
    assert isinstance(item, (Article, Result)), type(item)
    encoded = msgspec.json.encode(item)  # lone surrogates and wrong types fail here
    msgspec.json.decode(encoded, type=type(item))  # ...and here (a title that is a number)
    if isinstance(item, Result):
        assert item.status in ("skipped", "failed"), item.status
        one_line(item.reason)
        assert item.article.origin
